"""Blocking keys that stay linear on common names, the root-level cannot-link clustering, and the
benchmark's evidence ceiling (an oracle that links only what the evidence distinguishes)."""

from bench.linkage.metrics import evidence_ceiling, linkable_truth, pairwise_scores
from varde.linkage.cluster import constrained_clusters
from varde.linkage.preprocess import blocking_columns, prepare_columns, referral_day

from .helpers import generated, rec


def _blocks(rows, max_block=4):
    cols = prepare_columns(rows)
    return dict(zip(cols["record_id"], blocking_columns(cols, max_block=max_block), strict=True))


def test_a_common_name_is_narrowed_to_a_birth_year_window():
    rows = [rec(f"C{i}", "rosa", "Blessing", "Okafor", dob=f"{1980 + 2 * i}-05-06") for i in range(8)]
    rows += [
        rec("R1", "udi", "Itohan", "Ebohon", dob="1990-02-03"),
        rec("R2", "rosa", "Ebohon", "Itohan", age="19"),
    ]
    keys = _blocks(rows)
    # a rare name keeps its plain key: the estimated-age record still meets the dated one
    assert {k for k in keys["R1"] if k.startswith("n:")} & {k for k in keys["R2"] if k.startswith("n:")}
    # the common name has no plain key, only windows; neighbours in birth year share one, distant ones none
    common = [k for k in keys["C0"] if k.startswith("n:")]
    assert common and all("@" in k for k in common)
    assert set(keys["C0"]) & set(keys["C1"])
    assert not set(keys["C0"]) & set(keys["C7"])


def test_a_shared_phone_or_document_always_blocks():
    rows = [
        rec("A", "rosa", "Joy", "Eze", phone="+47 930 11 111"),
        rec("B", "udi", "Mary", "Musa", phone="93011111"),
        rec("C", "rosa", "Ann", "Obi", doc="AB1234567"),
        rec("D", "udi", "Eki", "Ode", doc="ab 123 4567"),
    ]
    keys = _blocks(rows)
    assert set(keys["A"]) & set(keys["B"]) and set(keys["C"]) & set(keys["D"])


def test_referral_day_is_plain_arithmetic():
    import datetime as dt

    assert referral_day(dt.date(1970, 1, 2)) == 1 and referral_day(None) is None


def test_cannot_link_holds_between_groups_after_merges():
    # 0-1 and 2-3 link strongly; 1 and 2 may never be together (a contradiction), so the two pairs
    # stay two persons although 1-2 also links.
    result = constrained_clusters(4, [(0, 1, 0.99), (2, 3, 0.98), (1, 2, 0.97)], [(0, 3)])
    assert result.labels == [0, 0, 2, 2]
    assert result.refused == [(1, 2, 0.97)]


def test_evidence_ceiling_is_exact_and_no_more_generous_than_any_shared_evidence():
    rows, truth_pid = generated(400, seed=3)
    truth = {rid: (pid, 0) for rid, pid in truth_pid.items()}
    ceiling = pairwise_scores(evidence_ceiling(rows, truth), truth_pid)
    generous = pairwise_scores(linkable_truth(rows, truth), truth_pid)
    assert ceiling.precision == 1.0
    assert 0 < ceiling.recall <= generous.recall
    assert ceiling.persons_found >= generous.persons_found >= ceiling.persons_true


def test_an_indistinguishable_pair_is_not_in_the_ceiling():
    # A1/A2 are one woman, B another; all three are "Blessing Okafor" with compatible estimated ages
    # and nothing else: B is as close to A1 as A2 is, so no method can tell. C1/C2 share a phone.
    rows = [
        rec("A1", "rosa", "Blessing", "Okafor", age="20"),
        rec("A2", "udi", "Okafor", "Blessing", age="21"),
        rec("B", "krisesenter-oslo", "Blessing", "Okafor", age="20"),
        rec("C1", "rosa", "Joy", "Eze", phone="93011111"),
        rec("C2", "udi", "Joy", "Eze", phone="+4793011111"),
    ]
    truth = {"A1": (1, 0), "A2": (1, 0), "B": (2, 0), "C1": (3, 0), "C2": (3, 0)}
    persons = evidence_ceiling(rows, truth)
    assert persons["A1"] != persons["A2"]
    assert persons["C1"] == persons["C2"]


def test_an_identifier_link_needs_no_support_but_yields_to_a_contradiction():
    # 0-1-2 are one person by their likeness; 3 (a false identity) shares only a document with 2, so
    # none of the pairs 0-3, 1-3 is likely: a model link 2-3 would be a chain, an identifier link is not.
    links = [(0, 1, 0.99), (1, 2, 0.98), (0, 2, 0.97), (2, 3, 0.4)]
    support = [(0, 1), (1, 2), (0, 2), (2, 3)]
    as_model = constrained_clusters(4, links, [], support=support, min_support=0.5)
    assert as_model.labels == [0, 0, 0, 3]
    by_identifier = constrained_clusters(
        4, links, [], support=support, min_support=0.5, identifier_links=[(3, 2)]
    )
    assert by_identifier.labels == [0, 0, 0, 0]
    contradicted = constrained_clusters(
        4, links, [(0, 3)], support=support, min_support=0.5, identifier_links=[(2, 3)]
    )
    assert contradicted.labels == [0, 0, 0, 3]
    assert contradicted.refused == [(2, 3, 0.4)]
