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
from collections import defaultdict
from collections.abc import Iterable, Sequence
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
    uf = UnionFind(n)
    adj: dict[int, dict[int, int]] = defaultdict(lambda: defaultdict(int))
    if support is not None and min_support > 0:
        for a, b in support:
            if a != b:
                adj[a][b] += 1
                adj[b][a] += 1
    # Cannot-link constraints between *groups*: root -> roots it must never join. Kept root-to-root
    # (relabelled on every merge, smaller side into larger) so that a check is one set lookup.
    hard: dict[int, set[int]] = defaultdict(set)  # human "not_same"
    soft: dict[int, set[int]] = defaultdict(set)  # the model must not join these

    def constrain(table: dict[int, set[int]], a: int, b: int) -> None:
        ra, rb = uf.find(a), uf.find(b)
        if ra != rb:
            table[ra].add(rb)
            table[rb].add(ra)

    for d in decisions:
        if not d.same and d.a != d.b:
            constrain(hard, d.a, d.b)

    def conflict(table: dict[int, set[int]], ra: int, rb: int) -> bool:
        mine = table.get(ra)
        return mine is not None and rb in mine

    def merge(ra: int, rb: int) -> None:
        root = uf.union(ra, rb)
        other = rb if root == ra else ra
        for table in (hard, soft):
            moved = table.pop(other, None)
            if moved:
                mine = table[root]
                for neighbour in moved:
                    peers = table[neighbour]
                    peers.discard(other)
                    if neighbour != root:
                        peers.add(root)
                        mine.add(neighbour)
                mine.discard(root)
        if adj:
            moved_adj = adj.pop(other, None) or {}
            mine_adj = adj[root]
            for s_root, count in moved_adj.items():
                neighbour_adj = adj[s_root]
                neighbour_adj.pop(other, None)
                if s_root == root:
                    continue
                mine_adj[s_root] += count
                neighbour_adj[root] += count
            mine_adj.pop(root, None)
            mine_adj.pop(other, None)

    def supported(ra: int, rb: int) -> bool:
        if not adj:
            return True
        size_a, size_b = uf.size[ra], uf.size[rb]
        if size_a * size_b == 1:
            return True
        across = adj[ra].get(rb, 0) if ra in adj else 0
        return across >= min_support * size_a * size_b

    by_identifier = {(min(a, b), max(a, b)) for a, b in identifier_links}
    result = ClusterResult(labels=[])
    for d in sorted((d for d in decisions if d.same), key=lambda d: (min(d.a, d.b), max(d.a, d.b))):
        ra, rb = uf.find(d.a), uf.find(d.b)
        if ra == rb:
            continue
        if conflict(hard, ra, rb):
            result.conflicting_decisions.append((d.a, d.b))
            continue
        merge(ra, rb)

    for a, b in contradictions:
        if a != b:
            constrain(soft, a, b)
    for group in cannot_link_groups:
        members = list(group)
        for i, x in enumerate(members):
            for y in members[i + 1 :]:
                constrain(soft, x, y)

    for a, b, p in sorted(links, key=lambda e: (-e[2], min(e[0], e[1]), max(e[0], e[1]))):
        ra, rb = uf.find(a), uf.find(b)
        if ra == rb:
            continue
        if conflict(hard, ra, rb):
            continue  # decided by a person; not a review matter
        if conflict(soft, ra, rb) or ((min(a, b), max(a, b)) not in by_identifier and not supported(ra, rb)):
            result.refused.append((a, b, p))
            continue
        merge(ra, rb)

    smallest: dict[int, int] = {}
    for x in range(n):
        root = uf.find(x)
        if root not in smallest:
            smallest[root] = x
    result.labels = [smallest[uf.find(x)] for x in range(n)]
    return result


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
