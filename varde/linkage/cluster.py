"""Clustering scored pairs into persons without chaining strangers together.

Plain connected components over "probably the same" pairs chains people: A and B share a common
name and a compatible estimated age, B and C likewise, yet A and C have different birth dates and
phones. In a caseload where a few names cover much of a nationality, such chains grow into
"persons" of dozens of records. What this module does instead:

1. Human decisions come first. "same" pairs are joined unconditionally (a coordinator looked at
   them) unless a "not_same" decision separates the two groups; "not_same" is a hard cannot-link.
2. Model links are then applied greedily from the most to the least certain (like single linkage),
   but a merge is refused when any pair across the two groups is a cannot-link:
   - a "not_same" decision (hard),
   - two records of the same agency on the same date (one agency does not refer the same person
     twice on one day; configurable),
   - a pair the model scored *against* linking (match probability below `apart_below`): a scored
     contradiction between members means the group is not mutually supported.
   The refused link is reported so that it can go to the review queue.

The result is deterministic: ties are broken by record number, so DuckDB and Spark runs that score
the same pairs give the same persons.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pyarrow as pa


class UnionFind:
    def __init__(self, n: int) -> None:
        self.parent = list(range(n))
        self.size = [1] * n

    def find(self, x: int) -> int:
        parent = self.parent
        root = x
        while parent[root] != root:
            root = parent[root]
        while parent[x] != root:
            parent[x], x = root, parent[x]
        return root

    def union(self, a: int, b: int) -> int:
        ra, rb = self.find(a), self.find(b)
        if ra == rb:
            return ra
        if self.size[ra] < self.size[rb]:
            ra, rb = rb, ra
        self.parent[rb] = ra
        self.size[ra] += self.size[rb]
        return ra


@dataclass(frozen=True)
class Decision:
    a: int
    b: int
    same: bool


@dataclass
class ClusterResult:
    labels: list[int]  # per record number: the smallest record number of its person
    refused: list[tuple[int, int, float]] = field(default_factory=list)  # model links refused (soft conflict)
    conflicting_decisions: list[tuple[int, int]] = field(
        default_factory=list
    )  # "same" overruled by "not_same"


def constrained_clusters(
    n: int,
    links: Iterable[tuple[int, int, float]],
    contradictions: Iterable[tuple[int, int]],
    decisions: Sequence[Decision] = (),
    cannot_link_groups: Iterable[Sequence[int]] = (),
    support: Iterable[tuple[int, int]] | None = None,
    min_support: float = 0.0,
    identifier_links: Iterable[tuple[int, int]] = (),
) -> ClusterResult:
    """Persons from model links (pairs at or above the auto-link threshold, with probability).

    `contradictions`: pairs scored below the apart threshold (only those between records that could
    end up together matter; passing more is harmless). `cannot_link_groups`: groups of records of
    which no two may be joined by the model (e.g. one agency, one date). `support`: pairs the model
    thinks likely (at least the review threshold); two groups are merged by the model only when at
    least `min_support` of all pairs across them are supported (1 pair always suffices for two
    single records) - a group must be mutually supported, not a chain. `identifier_links`: links that
    rest on a shared identifier (a rarely held document or phone number), not on the likeness of the
    records: they need no support (a false identity keeps the phone or the document and nothing else,
    so its records are not supported by the person's other records) but are refused on a contradiction
    like any other link.
    """
    # Constraints and support are kept per record and checked lazily when two groups would merge: over
    # the members of the smaller group, whether a partner lies in the other group. Groups stay small
    # (a person's referrals), so a check costs a few lookups and a merge only joins two member lists.
    forest = UnionFind(n)  # its parent list only: a merge hangs the smaller group under the larger
    parent, find = forest.parent, forest.find
    members: dict[int, list[int]] = {}  # root -> its records, for groups of two or more

    def group(root: int) -> list[int]:
        return members.get(root) or [root]

    hard = _Partners(n, ((d.a, d.b) for d in decisions if not d.same))  # human "not_same"
    # the model must not join these: contradictions, and records of one agency on one day
    same_day = [(x, y) for g in cannot_link_groups for i, x in enumerate(g) for y in list(g)[i + 1 :]]
    soft = _Partners(n, [*contradictions, *same_day])
    supporting = _Partners(n, support if support is not None and min_support > 0 else ())

    def across(table: _Partners, small: list[int], other: int) -> bool:
        return next(table.in_group(small, other, find), None) is not None  # (record 0 is falsy)

    def supported(small: list[int], other: int, large_size: int) -> bool:
        if not supporting.to or len(small) * large_size == 1:
            return True
        count = sum(1 for _ in supporting.in_group(small, other, find))
        return count >= min_support * len(small) * large_size

    def merge(small_root: int, small: list[int], large_root: int, large: list[int]) -> None:
        parent[small_root] = large_root
        if large_root in members:
            members[large_root].extend(small)
        else:
            members[large_root] = large + small
        members.pop(small_root, None)

    def ordered(ra: int, rb: int) -> tuple[int, list[int], int, list[int]]:
        ga, gb = group(ra), group(rb)
        return (ra, ga, rb, gb) if len(ga) <= len(gb) else (rb, gb, ra, ga)

    by_identifier = {(min(a, b), max(a, b)) for a, b in identifier_links}
    result = ClusterResult(labels=[])
    for d in sorted((d for d in decisions if d.same), key=lambda d: (min(d.a, d.b), max(d.a, d.b))):
        ra, rb = find(d.a), find(d.b)
        if ra == rb:
            continue
        small_root, small, large_root, large = ordered(ra, rb)
        if across(hard, small, large_root):
            result.conflicting_decisions.append((d.a, d.b))
            continue
        merge(small_root, small, large_root, large)

    for a, b, p in _most_certain_first(links):
        ra, rb = find(a), find(b)
        if ra == rb:
            continue
        small_root, small, large_root, large = ordered(ra, rb)
        if hard.to and across(hard, small, large_root):
            continue  # decided by a person; not a review matter
        if across(soft, small, large_root) or (
            (min(a, b), max(a, b)) not in by_identifier and not supported(small, large_root, len(large))
        ):
            result.refused.append((a, b, p))
            continue
        merge(small_root, small, large_root, large)

    result.labels = smallest_of_group(parent).tolist()
    return result


class _Partners:
    """Symmetric pairs as per-record partner lists (CSR): the partners of x are
    `to[start[x]:start[x + 1]]` (plain lists: slicing them is what the greedy pass does most)."""

    def __init__(self, n: int, pairs: Iterable[tuple[int, int]]) -> None:
        edges = np.array([p for p in pairs if p[0] != p[1]], dtype=np.int64).reshape(-1, 2)
        ends = np.concatenate([edges[:, 0], edges[:, 1]])
        other = np.concatenate([edges[:, 1], edges[:, 0]])
        order = np.argsort(ends, kind="stable")
        self.to: list[int] = other[order].tolist()
        self.start: list[int] = np.concatenate([[0], np.cumsum(np.bincount(ends, minlength=n))]).tolist()

    def in_group(self, records: list[int], root: int, find: Callable[[int], int]) -> Iterator[int]:
        """The partners of `records` that lie in the group of `root` (one per pair)."""
        start, to = self.start, self.to
        return (y for x in records for y in to[start[x] : start[x + 1]] if find(y) == root)


def _most_certain_first(links: Iterable[tuple[int, int, float]]) -> Iterator[tuple[int, int, float]]:
    """Links by falling probability, ties by record numbers (deterministic on every engine)."""
    listed = list(links)
    if not listed:
        return iter(())
    a = np.array([e[0] for e in listed], dtype=np.int64)
    b = np.array([e[1] for e in listed], dtype=np.int64)
    p = np.array([e[2] for e in listed], dtype=np.float64)
    order = np.lexsort((np.maximum(a, b), np.minimum(a, b), -p))
    return zip(a[order].tolist(), b[order].tolist(), p[order].tolist(), strict=True)


def smallest_of_group(parent: Sequence[int]) -> np.ndarray:
    """Per element of a union-find forest (`parent`), the smallest element of its tree (vectorised:
    pointer jumping to the roots, then the minimum per root)."""
    root = np.asarray(parent, dtype=np.int64)
    while True:
        jumped = root[root]
        if np.array_equal(jumped, root):
            break
        root = jumped
    smallest = np.full(root.size, root.size, dtype=np.int64)
    np.minimum.at(smallest, root, np.arange(root.size, dtype=np.int64))
    return smallest[root]


def candidate_components(n: int, pairs: Iterable[tuple[int, int]]) -> list[int]:
    """Plain connected components (an over-approximation of persons), to find relevant constraints."""
    uf = UnionFind(n)
    for a, b in pairs:
        uf.union(a, b)
    return [uf.find(x) for x in range(n)]


def person_key(record_ids: Iterable[str]) -> str:
    """A stable, pseudonymous key for a person: derived from the smallest record id in the group.

    It does not reveal the record id (a hash), and stays the same between runs as long as that record
    stays in the person. Statistics count these keys, never names.
    """
    first = min(record_ids)
    return "P" + hashlib.sha256(("varde-person|" + first).encode()).hexdigest()[:16]


def components_array(n: int, a: Any, b: Any) -> np.ndarray:
    """Connected components of the edges (a[i], b[i]) over records 0..n-1, vectorised: per record
    the smallest record number of its component (the same as `candidate_components` up to naming).

    Hook-and-shortcut: every edge whose ends carry different labels hooks the larger root under
    the smaller label, then pointer jumping flattens the trees; labels only ever decrease, so the
    smallest record of a component ends up as its root."""
    labels = np.arange(n, dtype=np.int64)
    left = np.asarray(a, dtype=np.int64)
    right = np.asarray(b, dtype=np.int64)
    while left.size:
        la, lb = labels[left], labels[right]
        differ = la != lb
        if not differ.any():
            break
        la, lb = la[differ], lb[differ]
        left, right = left[differ], right[differ]
        smaller = np.minimum(la, lb)
        np.minimum.at(labels, la, smaller)
        np.minimum.at(labels, lb, smaller)
        while True:
            jumped = labels[labels]
            if np.array_equal(jumped, labels):
                break
            labels = jumped
    return labels


def person_keys(record_ids: pa.Array, labels: np.ndarray, con: Any) -> pa.Array:
    """`person_key` for every record at once (per record, the key of its group given by `labels`),
    computed in DuckDB: the smallest record id of each group, hashed the same way."""
    table = pa.table({"pos": np.arange(len(labels), dtype=np.int64), "rid": record_ids, "label": labels})
    con.register("varde_person_labels", table)
    try:
        keys = con.sql(
            "SELECT pos, 'P' || substr(sha256('varde-person|' || min(rid) OVER (PARTITION BY label)), 1, 16)"
            " AS key FROM varde_person_labels ORDER BY pos"
        ).to_arrow_table()
    finally:
        con.unregister("varde_person_labels")
    return keys.column("key").combine_chunks()
