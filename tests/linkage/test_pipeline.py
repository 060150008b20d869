"""The pipeline end to end on DuckDB: duplicates across agencies link, strangers with a common name
do not chain, decisions bind."""

from collections import defaultdict

import pytest

from varde.linkage.cluster import candidate_components
from varde.linkage.model import default_parameters
from varde.linkage.pipeline import Thresholds, link_records

from .helpers import filler, generated, rec

PARAMS = default_parameters()


def same(result, a, b) -> bool:
    return result.person_key[a] == result.person_key[b]


@pytest.fixture(scope="module")
def background():
    return filler(200)


def test_duplicates_across_agencies_are_linked(background):
    rows = background + [
        # name order swapped, transliteration variant, the same date of birth
        rec("P1", "oslo-pd-stop", "Mohammed", "Ali", sex="M", nat="SO", dob="1991-04-12"),
        rec("P2", "rosa", "Ali", "Muhammad", sex="M", nat="SO", dob="1991-04-12", date="2009-05-02"),
        # Cyrillic and Latin, day and month swapped, the same phone in two formats
        rec("U1", "udi", "Наталья", "Иванова", nat="UA", dob="1990-03-07", phone="+47 912 34 560"),
        rec("U2", "bufetat-ost", "Natalia", "Ivanova", nat="", dob="1990-07-03", phone="91234560"),
        # estimated age only, a false-looking name but the same passport
        rec("D1", "oslo-pd-stop", "Joy", "Osagie", dob="1992-06-20", doc="AB1234567"),
        rec("D2", "lauras-hus", "Precious", "Osagie", age="17", doc="ab 123 4567", date="2010-01-10"),
    ]
    result = link_records(rows, params=PARAMS)
    assert len(result.person_key) == len(rows)
    assert same(result, "P1", "P2")
    assert same(result, "U1", "U2")
    assert same(result, "D1", "D2")
    assert not same(result, "P1", "U1") and not same(result, "U1", "D1")


def test_generated_duplicates_are_found_and_strangers_kept_apart():
    rows, truth = generated(600, seed=21)
    result = link_records(rows, params=PARAMS)
    assert len(result.person_key) == len(rows)
    pred = defaultdict(set)
    for rid, key in result.person_key.items():
        pred[key].add(rid)
    tp = fp = 0
    for members in pred.values():
        ids = sorted(members)
        for i, a in enumerate(ids):
            for b in ids[i + 1 :]:
                tp += truth[a] == truth[b]
                fp += truth[a] != truth[b]
    true_pairs = sum(1 for a in truth for b in truth if a < b and truth[a] == truth[b])
    precision, recall = tp / (tp + fp), tp / true_pairs
    assert precision >= 0.85, precision
    assert recall >= 0.6, recall
    assert result.persons < len(rows)  # fewer persons than records: duplicates were merged


def _common_name_chain():
    """Four reports of "Blessing Okafor" (Nigerian, female), each from another agency. X and Y carry
    exact, different birth dates: two different women. E1 and E2 carry only estimated ages that fit
    either, and each shares something with a neighbour: X-E1 a phone, E1-E2 a document, E2-Y a phone
    (an exploiter's phone used by several women). Every neighbouring pair is a strong link, so
    plain connected components would make X and Y one person."""
    return [
        rec(
            "X",
            "oslo-pd-stop",
            "Blessing",
            "Okafor",
            dob="1988-02-03",
            date="2009-01-10",
            phone="+47 930 11 111",
        ),
        rec(
            "E1", "rosa", "Blessing", "Okafor", age="21", date="2009-02-10", phone="93011111", doc="NG7654321"
        ),
        rec(
            "E2",
            "udi",
            "Okafor",
            "Blessing",
            age="17",
            date="2009-03-10",
            doc="NG 765 4321",
            phone="+47 930 22 222",
        ),
        rec("Y", "bufetat-ost", "Blessing", "Okafor", dob="1994-08-09", date="2009-06-10", phone="93022222"),
    ]


def test_common_name_strangers_are_not_chained(background):
    rows = background + _common_name_chain()
    result = link_records(rows, params=PARAMS)
    # The construction works: the model's automatic links alone connect X and Y (naive chaining) ...
    linked = [(p.record_a, p.record_b) for p in result.pairs if p.band == "linked"]
    ids = sorted({r["record_id"] for r in rows})
    index = {rid: i for i, rid in enumerate(ids)}
    naive = candidate_components(len(ids), [(index[a], index[b]) for a, b in linked])
    assert naive[index["X"]] == naive[index["Y"]], "the test set no longer chains naively"
    # ... but the two women with different birth dates are not made one person.
    assert not same(result, "X", "Y")


def test_not_same_splits_a_pair_the_model_links(background):
    rows = background + [
        rec(
            "A",
            "oslo-pd-stop",
            "Esther",
            "Igbinovia",
            dob="1990-05-06",
            phone="+47 934 56 789",
            doc="KL1234567",
        ),
        rec("B", "rosa", "Esther", "Igbinovia", dob="1990-05-06", phone="93456789", doc="KL1234567"),
    ]
    assert same(link_records(rows, params=PARAMS), "A", "B")
    result = link_records(rows, params=PARAMS, decisions=[("A", "B", "not_same")])
    assert not same(result, "A", "B")
    # and the decided pair is not sent to review again
    assert all({p.record_a, p.record_b} != {"A", "B"} for p in result.review)


def test_not_same_splits_a_cluster_even_through_a_third_record(background):
    rows = background + [
        rec("A", "oslo-pd-stop", "Esther", "Igbinovia", dob="1990-05-06", phone="+47 934 56 789"),
        rec("B", "rosa", "Esther", "Igbinovia", dob="1990-05-06", phone="93456789", doc="KL1234567"),
        rec("C", "udi", "Esther", "Igbinovia", dob="1990-05-06", doc="KL1234567"),
    ]
    base = link_records(rows, params=PARAMS)
    assert same(base, "A", "C")
    result = link_records(rows, params=PARAMS, decisions=[("A", "C", "not_same")])
    assert not same(result, "A", "C")


def test_same_joins_what_the_model_keeps_apart(background):
    rows = background + [
        rec("A", "oslo-pd-stop", "Grace", "Edosomwan", dob="1985-01-02", nat="NG"),
        rec("B", "rosa", "Mary", "Johnson", dob="1991-11-12", nat="GH"),
    ]
    assert not same(link_records(rows, params=PARAMS), "A", "B")
    joined = link_records(rows, params=PARAMS, decisions=[("A", "B", "same")])
    assert same(joined, "A", "B")
    # withdrawing the decision (it is no longer passed) lets the model decide again
    assert not same(link_records(rows, params=PARAMS, decisions=[]), "A", "B")


def test_records_of_one_agency_on_one_day_are_not_linked_by_the_model(background):
    rows = background + [
        rec("A", "oslo-pd-stop", "Esther", "Igbinovia", dob="1990-05-06", date="2009-04-04"),
        rec("B", "oslo-pd-stop", "Esther", "Igbinovia", dob="1990-05-06", date="2009-04-04"),
    ]
    assert not same(link_records(rows, params=PARAMS), "A", "B")
    assert same(link_records(rows, params=PARAMS, cannot_link_same_agency_day=False), "A", "B")


def test_three_bands():
    rows = filler(120, seed=9)
    result = link_records(rows, params=PARAMS, thresholds=Thresholds())
    bands = {p.band for p in result.pairs}
    assert bands <= {"linked", "review"}
    t = Thresholds()
    assert all(p.probability >= t.link for p in result.pairs if p.band == "linked")
    assert all(t.review <= p.probability < t.link for p in result.pairs if p.band == "review")
    assert all(t.review <= p.probability for p in result.review)


def test_training_runs_and_gives_parameters():
    rows, _truth = generated(1500, seed=4)
    result = link_records(rows)
    assert 0 < result.params.prior < 0.01
    m_exact_name, u_exact_name = result.params.levels["name"][0]
    assert m_exact_name > u_exact_name  # agreeing names are evidence for a match


def test_training_survives_a_tiny_sample():
    rows, _truth = generated(250, seed=13)
    result = link_records(rows)
    assert len(result.person_key) == len(rows)


# --- identifiers, and the vectorised clustering around the greedy pass ---------------------------


def test_a_rare_document_or_phone_links_a_false_identity(background):
    rows = background + [
        # the same passport under another name and birth date: a false identity
        rec("F1", "oslo-pd-stop", "Joy", "Osagie", dob="1992-06-20", doc="ZX9911223"),
        rec("F2", "lauras-hus", "Gift", "Ehigie", dob="1985-01-01", doc="zx 991 1223", date="2009-08-01"),
        # an exploiter's phone on five different women: not an identifier
        *[
            rec(
                f"X{i}",
                f"agency-{i}",
                given,
                "Eze" if i % 2 else "Obi",
                dob=f"19{80 + 3 * i}-0{i + 1}-1{i}",
                phone="93077777",
            )
            for i, given in enumerate(["Ada", "Uche", "Ngozi", "Ifeoma", "Chiamaka"])
        ],
    ]
    result = link_records(rows, params=PARAMS)
    assert same(result, "F1", "F2")
    assert result.counts["identifier_links"] >= 1
    assert len({result.person_key[f"X{i}"] for i in range(5)}) == 5
    off = link_records(rows, params=PARAMS, thresholds=Thresholds(identifier_records=0))
    assert not same(off, "F1", "F2")


def test_a_false_identity_joins_a_person_of_several_records_through_a_document(background):
    rows = background + [
        rec("G1", "oslo-pd-stop", "Precious", "Igbinedion", dob="1991-01-26", doc="CC5510090"),
        rec("G2", "rosa", "Precious", "Igbinedion", dob="1991-01-26", date="2009-04-02"),
        rec("G3", "udi", "Igbinedion", "Precious", age="18", date="2009-06-11"),
        # another name and birth date, only the passport in common (with G1)
        rec("G4", "lauras-hus", "", "Nwosu", dob="1993-04-04", doc="cc-5510090", date="2009-08-01"),
    ]
    result = link_records(rows, params=PARAMS)
    assert len({result.person_key[f"G{i}"] for i in range(1, 5)}) == 1


def test_a_missing_name_part_is_better_evidence_than_another_family_name():
    from varde.linkage.pipeline import score_new_record

    full = rec("S1", "rosa", "Sahra", "Warsame", dob="1990-03-17", nat="SO")
    only_given = rec("S2", "udi", "Sahra", "", age="19", nat="SO")
    other_family = rec("S3", "udi", "Sahra", "Farah", age="19", nat="SO")
    missing, different = score_new_record(full, [only_given, other_family], PARAMS)
    assert missing > different


def test_a_partial_name_match_counts_for_less_when_the_name_is_common():
    """ "Maria Ioana Popescu" and "Maria Popescu" share two parts; when "Maria Popescu" is a common name
    that is weaker evidence than the same partial match of a rare name (term-frequency adjusted)."""
    from varde.linkage.pipeline import score_new_record

    def p(new_given: str, family: str, short_given: str, others: list[tuple[str, str]]) -> float:
        new = rec("N1", "rosa", new_given, family, age="22", nat="RO")
        target = rec("T1", "udi", short_given, family, age="23", nat="RO", date="2009-05-01")
        crowd = [
            rec(f"C{i}", "nav", g, f, dob=f"19{70 + i}-0{1 + i % 9}-1{i % 10}", nat="BG", sex="M")
            for i, (g, f) in enumerate(others)
        ]
        return score_new_record(new, [target, *crowd], PARAMS)[0]

    common = p("Maria Ioana", "Popescu", "Maria", [("Maria", "Popescu")] * 8)
    rare = p("Ilinca Ioana", "Vasilescu", "Ilinca", [("Elena", "Dumitru")] * 8)
    assert common < rare


def test_an_identifier_link_yields_to_a_decision_and_to_the_same_agency_day(background):
    a = rec("I1", "rosa", "Joy", "Osagie", dob="1992-06-20", phone="+47 930 55 123")
    b = rec("I2", "udi", "Gift", "Ehigie", dob="1985-01-01", phone="93055123", date="2009-08-01")
    decided = link_records(background + [a, b], params=PARAMS, decisions=[("I1", "I2", "not_same")])
    assert not same(decided, "I1", "I2")
    b_same_day = {**b, "reporting_agency": "rosa", "referral_date": a["referral_date"]}
    same_day = link_records(background + [a, b_same_day], params=PARAMS)
    assert not same(same_day, "I1", "I2")
    # the refused identifier link is not queued with a made-up probability
    assert all(
        {p.record_a, p.record_b} != {"I1", "I2"} or p.probability != Thresholds().link
        for p in same_day.review
    )
    assert same_day.counts["identifier_links"] >= 1


def test_components_array_matches_the_union_find():
    import random

    import numpy as np

    from varde.linkage.cluster import components_array

    rng = random.Random(5)
    n = 500
    edges = [(rng.randrange(n), rng.randrange(n)) for _ in range(400)]
    expected = candidate_components(n, edges)
    got = components_array(n, [a for a, _ in edges], [b for _, b in edges])
    assert len(set(zip(expected, got.tolist(), strict=True))) == len(set(expected)) == len(set(got.tolist()))
    members = defaultdict(list)
    for i, label in enumerate(got.tolist()):
        members[label].append(i)
    assert all(label == min(m) for label, m in members.items())  # the smallest record names its component
    assert components_array(3, np.array([], dtype=np.int64), np.array([], dtype=np.int64)).tolist() == [
        0,
        1,
        2,
    ]


def test_person_keys_in_bulk_are_person_key():
    import numpy as np
    import pyarrow as pa

    from varde.linkage.cluster import person_key, person_keys
    from varde.linkage.preprocess import private_duckdb

    ids = ["R3", "Ø1", "R10", "R2", "A9"]
    labels = np.array([0, 0, 2, 2, 4])
    with private_duckdb() as con:
        keys = person_keys(pa.array(ids), labels, con).to_pylist()
    assert keys == [person_key(["R3", "Ø1"])] * 2 + [person_key(["R10", "R2"])] * 2 + [person_key(["A9"])]


def test_the_vectorised_clustering_equals_the_greedy_pass_over_everything():
    """`_cluster` runs the greedy pass only where it can matter; over random scores, with decisions
    and same-agency-day groups, it must give what the greedy pass over every pair gives."""
    import random

    import numpy as np
    import pyarrow as pa

    from varde.linkage.cluster import Decision, constrained_clusters
    from varde.linkage.pipeline import _cluster, _same_agency_day_groups
    from varde.linkage.preprocess import prepare_table

    rows, _truth = generated(400, seed=8)
    prepared = prepare_table(rows, blocking=False)
    n = prepared.num_rows
    rng = random.Random(9)
    pairs = {tuple(sorted(rng.sample(range(n), 2))) for _ in range(900)}
    scored = [
        (a, b, rng.choice([rng.random(), rng.uniform(0.9, 1.0), rng.uniform(0, 0.01)])) for a, b in pairs
    ]
    # random pairs make a giant component: no bound here (it has a test of its own)
    bands = Thresholds(identifier_records=0, max_component=n)
    likely = pa.table(
        {
            "a": pa.array([a for a, _, p in scored if p >= bands.review], pa.int64()),
            "b": pa.array([b for _, b, p in scored if p >= bands.review], pa.int64()),
            "p": pa.array([p for _, _, p in scored if p >= bands.review], pa.float64()),
        }
    )
    low = np.array([(a, b) for a, b, p in scored if p < bands.apart], dtype=np.int64)
    asked: list[np.ndarray] = []

    def contradictions_within(comp: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        asked.append(comp)
        inside = comp[low[:, 0]] == comp[low[:, 1]]
        return low[inside, 0], low[inside, 1]

    decisions = [Decision(a, b, rng.random() < 0.5) for a, b in rng.sample(sorted(pairs), 40)]
    no_identifiers = pa.table({"a": pa.array([], pa.int64()), "b": pa.array([], pa.int64())})
    labels, queue, counts, _pairs = _cluster(
        n, likely, no_identifiers, prepared, decisions, bands, True, contradictions_within
    )
    assert len(asked) == 1

    everyone = _same_agency_day_groups(prepared, np.zeros(n, dtype=np.int64))
    expected = constrained_clusters(
        n,
        [(a, b, p) for a, b, p in scored if p >= bands.link],
        [(a, b) for a, b, p in scored if p < bands.apart],
        decisions,
        everyone,
        support=[(a, b) for a, b, p in scored if p >= bands.review],
        min_support=bands.min_support,
    )
    assert labels.tolist() == expected.labels
    assert counts["refused_links"] == len(expected.refused)
    assert len(set(labels.tolist())) < n  # something was linked: the comparison is not vacuous


def test_an_oversized_component_is_split_by_raising_the_link_threshold_inside_it():
    """A chain of 30 records through weak links (a common name) is not one person: inside a component
    larger than `max_component` the weaker links are cut until the pieces are small enough. Strong
    links, identifier links and human decisions hold; components of normal size are untouched."""
    import numpy as np

    from varde.linkage.pipeline import _bounded_components

    bands = Thresholds(max_component=5)
    # records 0..29 in a path; every third link is strong (0.97), the others weak (0.45)
    path_a = np.arange(29, dtype=np.int64)
    path_b = path_a + 1
    path_p = np.where(path_a % 3 == 0, 0.97, 0.45)
    # a small component elsewhere with a weak link: left alone
    small_a, small_b, small_p = np.array([30]), np.array([31]), np.array([0.41])
    # an identifier link (weak by construction) inside the chain: never cut
    link_a = np.concatenate([path_a, small_a, np.array([4])])
    link_b = np.concatenate([path_b, small_b, np.array([5])])
    link_p = np.concatenate([path_p, small_p, np.array([bands.link])])
    same_a, same_b = np.array([10], dtype=np.int64), np.array([11], dtype=np.int64)  # a human "same"

    comp, kept = _bounded_components(32, link_a, link_b, link_p, 1, same_a, same_b, bands)

    sizes = np.bincount(comp, minlength=32)
    assert sizes.max() <= bands.max_component
    assert comp[30] == comp[31]  # the small component keeps its weak link
    assert comp[4] == comp[5] and comp[10] == comp[11]  # identifier link and decision hold
    assert all(comp[a] == comp[a + 1] for a in range(0, 29, 3))  # strong links hold
    assert not kept[:29][path_p < 0.9].all()  # weak links inside the chain were cut
    assert kept[29] and kept[30]


def test_links_cut_from_an_oversized_component_go_to_the_review_queue():
    import numpy as np
    import pyarrow as pa

    from varde.linkage.pipeline import _cluster
    from varde.linkage.preprocess import prepare_table

    rows, _truth = generated(40, seed=3)
    prepared = prepare_table(rows, blocking=False)
    n = prepared.num_rows
    bands = Thresholds(identifier_records=0, max_component=4)
    a = list(range(n - 1))
    likely = pa.table(
        {
            "a": pa.array(a, pa.int64()),
            "b": pa.array([x + 1 for x in a], pa.int64()),
            "p": pa.array([0.99 if x % 4 == 0 else 0.5 for x in a], pa.float64()),
        }
    )
    no_identifiers = pa.table({"a": pa.array([], pa.int64()), "b": pa.array([], pa.int64())})

    def nothing_against(comp: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        return np.empty(0, np.int64), np.empty(0, np.int64)

    labels, queue, counts, _pairs = _cluster(
        n, likely, no_identifiers, prepared, [], bands, False, nothing_against
    )
    assert np.bincount(labels).max() <= 4
    assert counts["cut_links"] > 0
    queued = {(x, y) for x, y, _p in queue}
    cut_apart = {(x, x + 1) for x in a if x % 4 != 0 and labels[x] != labels[x + 1]}
    assert cut_apart and cut_apart <= queued
