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
    """The old, generous ceiling: within one true person, records join through any chain of shared phone,
    shared document or a similar name (some name part sounding alike), however ambiguous.

    Kept for comparison: it counts pairs as linkable that no method can tell from strangers (two
    "Blessing Okafor" with compatible estimated ages and nothing else). `evidence_ceiling` is the
    ceiling the benchmark reports.
    """
    index = {r["record_id"]: i for i, r in enumerate(rows)}
    uf = UnionFind(len(rows))
    by_person: dict[int, list[int]] = defaultdict(list)
    for rid, (pid, _identity) in truth.items():
        by_person[pid].append(index[rid])
    feats = []
    for r in rows:
        name = name_features(r.get("given_name"), r.get("family_name"))
        feats.append(
            (
                phone_match_key(normalise_phone(r.get("phone"))),
                normalise_document(r.get("id_document_number")),
                set(name.keys),
            )
        )
    for members in by_person.values():
        for i, a in enumerate(members):
            pa_, da, ka = feats[a]
            for b in members[i + 1 :]:
                pb, db, kb = feats[b]
                if (pa_ and pa_ == pb) or (da and da == db) or (ka & kb):
                    uf.union(a, b)
    return {r["record_id"]: f"L{uf.find(i)}" for i, r in enumerate(rows)}


# --- the evidence ceiling ----------------------------------------------------------------------------
#
# Per field, the evidence between two records as an ordered level (higher = stronger for "same
# person"; "unknown" sits between the weakest agreement and a disagreement). Computed on the
# normalised fields (transliteration, name order, phone and document formats removed), which any
# careful reader of the records could also do.
_LEVELS_SQL = """
CREATE OR REPLACE MACRO name_level(sa, sb, ka, kb, ksa, ksb) AS CASE
    WHEN sa IS NULL OR sb IS NULL THEN 1
    WHEN sa = sb THEN 5
    WHEN ksa = ksb THEN 4
    WHEN len(list_intersect(ka, kb)) >= 2 THEN 3
    WHEN len(list_intersect(ka, kb)) >= 1 THEN 2
    ELSE 0 END;
CREATE OR REPLACE MACRO birth_level(da, db, swa, ea, eb, loa, hia, lob, hib) AS CASE
    WHEN loa IS NULL OR lob IS NULL THEN 2
    WHEN ea AND eb AND da = db THEN 6
    WHEN ea AND eb AND (da = swa OR levenshtein(da, db) <= 1) THEN 5
    WHEN ea AND eb THEN 0
    WHEN loa <= hib AND lob <= hia AND abs((loa + hia) - (lob + hib)) <= 3 THEN 4
    WHEN loa <= hib AND lob <= hia THEN 3
    ELSE 0 END;
CREATE OR REPLACE MACRO time_level(x, y) AS CASE
    WHEN x IS NULL OR y IS NULL THEN 1 WHEN abs(x - y) <= 183 THEN 3 WHEN abs(x - y) <= 548 THEN 2 ELSE 0 END;
CREATE OR REPLACE MACRO eq_level(x, y) AS CASE WHEN x IS NULL OR y IS NULL THEN 1 WHEN x = y THEN 2 ELSE 0 END;
CREATE OR REPLACE MACRO doc_level(x, y) AS CASE
    WHEN x IS NULL OR y IS NULL THEN 1 WHEN x = y THEN 3 WHEN levenshtein(x, y) <= 1 THEN 2 ELSE 0 END;
"""


def _levels(a: str, b: str) -> str:
    return (
        f"name_level({a}.name_sorted, {b}.name_sorted, {a}.name_keys, {b}.name_keys, {a}.name_keystr, "
        f"{b}.name_keystr) AS lv_name, "
        f"birth_level({a}.dob, {b}.dob, {a}.dob_swapped, {a}.by_exact, {b}.by_exact, {a}.by_lo, {a}.by_hi, "
        f"{b}.by_lo, {b}.by_hi) AS lv_birth, "
        f"eq_level({a}.sex, {b}.sex) AS lv_sex, eq_level({a}.nationality, {b}.nationality) AS lv_nat, "
        f"eq_level({a}.phone, {b}.phone) AS lv_phone, doc_level({a}.document, {b}.document) AS lv_doc, "
        f"time_level({a}.ref_day, {b}.ref_day) AS lv_time"
    )


_LEVEL_COLUMNS = ("lv_name", "lv_birth", "lv_sex", "lv_nat", "lv_phone", "lv_doc", "lv_time")


def evidence_ceiling(
    rows: Sequence[Mapping[str, str]], truth: Mapping[str, tuple[int, int]]
) -> dict[str, str]:
    """The clustering of an oracle that knows the truth but links only what the evidence distinguishes.

    Definition (bench/linkage/README.md): two records of one true person are joined directly when
    (1) they share evidence - the same phone, the same (or one-slip) document, or at least one name
    part that sounds alike - and (2) the pair is *distinguishable*: no record of another person has,
    towards either of the two, evidence at least as strong in every field (name, birth, sex,
    nationality, phone, document, referral-date proximity). An indistinguishable pair cannot be linked by any rule that treats
    equal evidence equally without also linking the stranger. Persons are the connected components
    of these direct joins; precision is 1 by construction, and recall and the person count are what
    the records allow at best.
    """
    import duckdb
    import pyarrow as pa

    from varde.linkage.preprocess import prepare_columns

    cols = prepare_columns(rows)
    person = [truth[str(rid)][0] for rid in cols["record_id"]]
    table = pa.table(
        {
            "uid": cols["uid"],
            "person": person,
            "name_sorted": cols["name_sorted"],
            "name_keys": cols["name_keys"],
            "name_key_pairs": cols["name_key_pairs"],
            "name_keystr": cols["name_keystr"],
            "sex": cols["sex"],
            "nationality": cols["nationality"],
            "phone": cols["phone"],
            "document": cols["document"],
            "dob": cols["dob"],
            "dob_swapped": cols["dob_swapped"],
            "by_lo": cols["by_lo"],
            "by_hi": cols["by_hi"],
            "by_exact": cols["by_exact"],
            "ref_day": cols["ref_day"],
        }
    )
    con = duckdb.connect(":memory:")
    con.execute("SET preserve_insertion_order = false")
    con.execute("SET memory_limit = '3GB'")
    con.register("rec_arrow", table)
    con.execute("CREATE TABLE rec AS SELECT * FROM rec_arrow")
    con.execute(_LEVELS_SQL)
    # every within-person pair that shares some evidence, with its level vector
    con.execute(f"""
        CREATE TABLE edge AS
        SELECT a.uid AS a, b.uid AS b, a.person AS person, {_levels("a", "b")}
        FROM rec a JOIN rec b ON a.person = b.person AND a.uid < b.uid
    """)  # noqa: S608
    con.execute("DELETE FROM edge WHERE NOT (lv_name >= 2 OR lv_phone = 2 OR lv_doc >= 2)")
    # each endpoint of an edge, with the keys under which a stranger as strong as the partner must show up
    con.execute("""
        CREATE TABLE side AS
        SELECT e.*, x AS x FROM edge e, (SELECT unnest([e.a, e.b]) AS x)
    """)
    con.execute("""
        CREATE TABLE key_of AS SELECT uid, unnest(name_keys) AS k FROM rec
    """)
    dominated_sql = f"""
        SELECT DISTINCT s.a, s.b FROM side s
        JOIN rec xr ON xr.uid = s.x
        JOIN rec c ON {{join}}
        CROSS JOIN LATERAL (SELECT {_levels("xr", "c")}) lv
        WHERE c.person <> s.person AND c.uid <> s.x AND {" AND ".join(f"lv.{c} >= s.{c}" for c in _LEVEL_COLUMNS)}
          AND {{which}}
    """
    ambiguous: set[tuple[int, int]] = set()
    # A dominating stranger shares whatever the pair's strongest evidence is: its document, its phone,
    # or (for a name-only pair) at least one sound key with the endpoint.
    for which, join in (
        ("s.lv_doc = 3", "c.document = xr.document"),
        ("s.lv_doc < 3 AND s.lv_phone = 2", "c.phone = xr.phone"),
        ("s.lv_doc < 3 AND s.lv_phone < 2 AND s.lv_name >= 4", "c.name_keystr = xr.name_keystr"),
    ):
        ambiguous.update(con.execute(dominated_sql.format(which=which, join=join)).fetchall())  # noqa: S608
    # Name-only pairs: the stranger shares one sound key (two, for a two-part agreement) with the
    # endpoint. Cheap pre-filters (sex, nationality, birth overlap, time window) come before the levels.
    con.execute("CREATE TABLE pair_of AS SELECT uid, unnest(name_key_pairs) AS k FROM rec")
    prefilter = """
          AND (s.lv_sex < 2 OR c.sex = xr.sex) AND (s.lv_nat < 2 OR c.nationality = xr.nationality)
          AND (s.lv_birth < 3 OR (c.by_lo <= xr.by_hi AND xr.by_lo <= c.by_hi))
          AND (s.lv_time < 2 OR abs(c.ref_day - xr.ref_day) <= 548)
    """
    for level, index in (("s.lv_name = 3", "pair_of"), ("s.lv_name = 2", "key_of")):
        name_only = f"""
            SELECT DISTINCT s.a, s.b FROM side s
            JOIN rec xr ON xr.uid = s.x
            JOIN {index} kx ON kx.uid = s.x
            JOIN {index} kc ON kc.k = kx.k AND kc.uid <> s.x
            JOIN rec c ON c.uid = kc.uid
            CROSS JOIN LATERAL (SELECT {_levels("xr", "c")}) lv
            WHERE s.lv_doc < 3 AND s.lv_phone < 2 AND {level} AND c.person <> s.person {prefilter}
              AND {" AND ".join(f"lv.{c} >= s.{c}" for c in _LEVEL_COLUMNS)}
        """  # noqa: S608
        ambiguous.update(con.execute(name_only).fetchall())
    edges = con.execute("SELECT a, b FROM edge").fetchall()
    con.close()
    uf = UnionFind(len(rows))
    for a, b in edges:
        if (a, b) not in ambiguous:
            uf.union(a, b)
    record_ids = [str(r) for r in cols["record_id"]]
    return {rid: f"E{uf.find(i)}" for i, rid in enumerate(record_ids)}
