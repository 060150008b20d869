"""Pairwise precision / recall / F1, person-count error, and the ceiling of what the evidence allows."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from varde.linkage.cluster import UnionFind
from varde.linkage.preprocess import name_features, normalise_document, normalise_phone, phone_match_key


def _pairs_count(groups: Iterable[int]) -> int:
    return sum(g * (g - 1) // 2 for g in groups)


@dataclass
class Scores:
    precision: float
    recall: float
    f1: float
    persons_true: int
    persons_found: int

    @property
    def count_error_points(self) -> float:
        """Person-count error in percentage points: (found - true) / true * 100."""
        return 100.0 * (self.persons_found - self.persons_true) / self.persons_true


def pairwise_scores(predicted: Mapping[str, str], truth: Mapping[str, object]) -> Scores:
    """Pairwise scores via the contingency of (predicted cluster, true cluster): no pair enumeration."""
    joint: dict[tuple[str, object], int] = defaultdict(int)
    pred_sizes: dict[str, int] = defaultdict(int)
    true_sizes: dict[object, int] = defaultdict(int)
    for rid, label in predicted.items():
        t = truth[rid]
        joint[(label, t)] += 1
        pred_sizes[label] += 1
        true_sizes[t] += 1
    tp = _pairs_count(joint.values())
    pp = _pairs_count(pred_sizes.values())
    tt = _pairs_count(true_sizes.values())
    precision = tp / pp if pp else 1.0
    recall = tp / tt if tt else 1.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return Scores(precision, recall, f1, len(true_sizes), len(pred_sizes))


def linkable_truth(rows: Sequence[Mapping[str, str]], truth: Mapping[str, tuple[int, int]]) -> dict[str, str]:
    """Ground truth restricted to what the evidence allows: within one true person, records join only
    through a chain of shared phone, shared document or a similar name (some name part sounding alike).
    A false identity that shares none of these with the rest of the person is its own "person" here.
    """
    index = {r["record_id"]: i for i, r in enumerate(rows)}
    uf = UnionFind(len(rows))
    by_person: dict[int, list[int]] = defaultdict(list)
    for rid, (pid, _identity) in truth.items():
        by_person[pid].append(index[rid])
    feats = []
    for r in rows:
        name = name_features(r.get("given_name"), r.get("family_name"))
        feats.append((phone_match_key(normalise_phone(r.get("phone"))), normalise_document(r.get("id_document_number")),
                      set(name.keys)))
    for members in by_person.values():
        for i, a in enumerate(members):
            pa_, da, ka = feats[a]
            for b in members[i + 1:]:
                pb, db, kb = feats[b]
                if (pa_ and pa_ == pb) or (da and da == db) or (ka & kb):
                    uf.union(a, b)
    return {r["record_id"]: f"L{uf.find(i)}" for i, r in enumerate(rows)}
