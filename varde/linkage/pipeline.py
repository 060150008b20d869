"""The linkage pipeline: rows -> prepared features -> Splink scores -> constrained clusters -> persons.

Pure: no Django, no database of the application, no network. DuckDB runs in memory in-process;
Spark runs in local mode (or on a session you pass in).

    result = link_records(rows, engine="duckdb", decisions=[("R1", "R7", "not_same")])
    result.person_key["R1"]            # "P3f…": the same key for every record of one person
    result.review                      # pairs for a coordinator, with their match probability
"""

from __future__ import annotations

import contextlib
import logging
import tempfile
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from .cluster import Decision, components_array, constrained_clusters, person_key, person_keys
from .model import ModelParameters, initial_settings, settings_with_parameters, train
from .pprl import PprlBatch, PprlKey, encoded_mask, prepare_batch
from .preprocess import (
    MAX_BLOCK,
    blocking_columns,
    interchange_table,
    prepare_records,
    prepare_table,
    private_duckdb,
)

logger = logging.getLogger(__name__)

Engine = Literal["duckdb", "spark"]
# EM needs a few thousand records with duplicates among them; beyond this many, an evenly spread
# sample trains as well as everything (prior, u and m are ratios that sampling leaves unchanged).
TRAIN_SAMPLE = 25_000
ENGINES: tuple[str, ...] = ("duckdb", "spark")


@dataclass(frozen=True)
class Thresholds:
    """Bands on the model's match probability.

    - at or above `link`: linked automatically (subject to the cannot-link rules);
    - from `review` up to `link`: sent to the review queue;
    - below `review`: kept apart. Pairs below `apart` also count as contradictions: they stop a
      group of records from being merged with another group that contains their partner.
    """

    link: float = 0.42
    review: float = 0.2
    apart: float = 0.01
    min_support: float = 0.5  # share of pairs across two groups that must be likely before they merge
    # An identity-document number or a phone number (normalised) held by at most this many records is
    # an identifier: its records are linked even when names and birth dates differ (a false identity
    # keeps the phone or the document), subject to the cannot-link rules. 0: off. A number shared more
    # widely (an exploiter's phone, a shelter's landline) is left to the model.
    identifier_records: int = 4
    # A candidate component (records joined by links) larger than this is a chain of strangers: the
    # link threshold is raised inside it until it falls apart (see `_bounded_components`).
    max_component: int = 60


@dataclass(frozen=True)
class ScoredPair:
    record_a: str
    record_b: str
    probability: float
    band: str  # "linked" | "review" | "apart"


@dataclass
class LinkageResult:
    person_key: dict[str, str]  # record_id -> person key, for every input record
    review: list[ScoredPair]  # the review queue: pairs no decision settles and the model cannot
    linked_pairs: int  # scored pairs at or above the link threshold
    params: ModelParameters
    counts: dict[str, int] = field(default_factory=dict)
    # (record ids, a, b, p, link threshold) of the scored pairs at or above the review threshold
    pair_arrays: tuple[Any, ...] | None = field(default=None, repr=False)

    @property
    def persons(self) -> int:
        return len(set(self.person_key.values()))

    @property
    def pairs(self) -> list[ScoredPair]:
        """Every scored pair at or above the review threshold with its model band ("linked" |
        "review"); pairs not listed were kept apart (below the review threshold, or never compared).
        Built on demand: at a million records there are about as many pairs."""
        if self.pair_arrays is None:
            return []
        record_ids, pos_a, pos_b, pos_p, link = self.pair_arrays
        return [
            ScoredPair(record_ids[a], record_ids[b], p, "linked" if p >= link else "review")
            for a, b, p in zip(pos_a.tolist(), pos_b.tolist(), pos_p.tolist(), strict=True)
        ]


DecisionInput = tuple[str, str, str]  # (record_a, record_b, "same" | "not_same")
Progress = Callable[[str], None]

_SCHEMA = pa.schema(
    [
        ("uid", pa.int64()),
        ("record_id", pa.string()),
        ("agency", pa.string()),
        ("referral_date", pa.string()),
        ("ref_day", pa.int64()),
        ("name_sorted", pa.string()),
        ("name_keys", pa.list_(pa.string())),
        ("name_keystr", pa.string()),
        ("sex", pa.string()),
        ("nationality", pa.string()),
        ("phone", pa.string()),
        ("document", pa.string()),
        ("dob", pa.string()),
        ("dob_swapped", pa.string()),
        ("dob_default", pa.bool_()),
        ("by_lo", pa.int64()),
        ("by_hi", pa.int64()),
        ("by_exact", pa.bool_()),
        ("blk", pa.list_(pa.string())),
    ]
)
# The model never needs the record id, agency or referral date; they stay out of the engine.
_MODEL_COLUMNS = [c for c in _SCHEMA.names if c not in {"record_id", "agency", "referral_date"}]


def features_table(prepared: Sequence[Mapping[str, object]] | Mapping[str, list[object]]) -> pa.Table:
    columns: dict[str, list[Any]]
    if isinstance(prepared, Mapping):
        columns = {name: prepared[name] for name in _MODEL_COLUMNS if name in prepared}
        if "blk" not in columns:
            columns["blk"] = blocking_columns(prepared)
    else:
        columns = {name: [row.get(name, []) for row in prepared] for name in _MODEL_COLUMNS}
    return pa.table(columns, schema=pa.schema([_SCHEMA.field(n) for n in _MODEL_COLUMNS]))


# --- engines -------------------------------------------------------------------------------------


def _quiet_splink() -> None:
    # sqlglot logs every list-index translation of the encoded comparisons' SQL at INFO
    for name in ("splink", "py4j", "sqlglot"):
        logging.getLogger(name).setLevel(logging.WARNING)


@contextlib.contextmanager
def _duckdb_api(memory_limit: str | None) -> Iterator[Any]:
    from splink import DuckDBAPI

    with private_duckdb(memory_limit) as con:
        yield DuckDBAPI(connection=con)


_SPARK: Any = None


def spark_session(master: str = "local[2]") -> Any:
    """A local Spark session for Splink (created once per process)."""
    global _SPARK
    if _SPARK is None:
        from pyspark.sql import SparkSession

        _SPARK = (
            SparkSession.builder.master(master)
            .appName("varde-linkage")
            .config("spark.sql.shuffle.partitions", "2")
            .config("spark.default.parallelism", "2")
            .config("spark.ui.enabled", "false")
            .config("spark.ui.showConsoleProgress", "false")
            .config("spark.sql.adaptive.enabled", "true")
            .config("spark.sql.execution.arrow.pyspark.enabled", "true")
            .config("spark.driver.memory", "2g")
            .config("spark.sql.session.timeZone", "UTC")
            .getOrCreate()
        )
        _SPARK.sparkContext.setLogLevel("ERROR")
        _SPARK.sparkContext.setCheckpointDir(tempfile.mkdtemp(prefix="varde-spark-"))
    return _SPARK


@contextlib.contextmanager
def _spark_api(session: Any | None) -> Iterator[Any]:
    from splink import SparkAPI

    spark = session or spark_session()
    yield SparkAPI(
        spark_session=spark,
        break_lineage_method="persist",
        num_partitions_on_repartition=2,
        register_udfs_automatically=False,
    )


def _register(db_api: Any, table: pa.Table, engine: str) -> Any:
    if engine == "spark":
        return db_api.register(db_api.spark.createDataFrame(table))
    return db_api.register(table)


# The SQL below is built only from Splink's own table names and our float thresholds, never from
# input values: hence the S608 exemptions.
def _fetch(linker: Any, sql: str) -> pa.Table:
    return linker.misc.query_sql(sql, output_type="splink_df").as_pyarrow_table()


# --- the pipeline ----------------------------------------------------------------------------------


def link_records(
    rows: Sequence[Mapping[str, str | None]] | pa.Table,
    *,
    engine: Engine | str = "duckdb",
    decisions: Iterable[DecisionInput] = (),
    params: ModelParameters | None = None,
    thresholds: Thresholds | None = None,
    cannot_link_same_agency_day: bool = True,
    progress: Progress | None = None,
    spark: Any | None = None,
    memory_limit: str | None = "3GB",
    seed: int = 42,
    train_sample: int = TRAIN_SAMPLE,
    pprl_key: PprlKey | None = None,
) -> LinkageResult:
    """Link interchange rows (dicts, or an Arrow table such as `io.read_records_table` gives) into
    persons. Trains the model unless `params` are given: on every record,
    or on an evenly spread sample of `train_sample` records when there are more (0: all).

    Records that carry keyed encodings instead of names, birth, phone and document (`pprl.py`) are
    linked with the rest when `pprl_key` is the key they were encoded with (refused without it)."""
    if engine not in ENGINES:
        raise ValueError("unknown engine")
    say = progress or (lambda _step: None)
    bands = thresholds or Thresholds()
    _quiet_splink()
    with contextlib.ExitStack() as stack:
        # DuckDB prepares the features (and, for the DuckDB engine, scores them in the same database)
        con = stack.enter_context(private_duckdb(memory_limit))
        if engine == "spark":
            db_api = stack.enter_context(_spark_api(spark))
        else:
            from splink import DuckDBAPI

            db_api = DuckDBAPI(connection=con)
        say("prepare")
        batch = prepare_batch(rows, interchange_table(rows), pprl_key) if encoded_mask(rows).any() else None
        if batch is None:
            prepared = prepare_table(rows, con=con)
        else:
            prepared = _with_pprl(prepare_table(batch.table, con=con, replace=batch.replace), batch)
        pprl_words = batch.words if batch is not None else None
        n = prepared.num_rows
        record_ids: list[str] = prepared.column("record_id").to_pylist()
        index = {rid: i for i, rid in enumerate(record_ids)} if decisions else {}
        parsed_decisions = [
            Decision(index[a], index[b], d == "same") for a, b, d in decisions if a in index and b in index
        ]
        if n < 2:
            keys = {rid: person_key([rid]) for rid in record_ids}
            return LinkageResult(keys, [], 0, params or ModelParameters(prior=0.0, levels={}), {"records": n})
        table = prepared.select(_MODEL_COLUMNS + ([*batch.columns] if batch is not None else []))
        from splink import Linker

        sdf = _register(db_api, table, engine)
        dialect = db_api.sql_dialect.sql_dialect_str
        if params is None:
            train_sdf = sdf
            if 0 < train_sample < n:
                step = n / train_sample
                train_sdf = _register(
                    db_api, table.take(pa.array([int(i * step) for i in range(train_sample)])), engine
                )
            say("train")
            params = train(
                Linker(train_sdf, initial_settings(dialect, pprl_words), log_level=None),
                seed=seed,
                step=lambda s: say("train:" + s),
            )
        linker = Linker(sdf, settings_with_parameters(dialect, params, pprl_words), log_level=None)
        say("score")
        predictions = linker.inference.predict(threshold_match_probability=None)
        scored = predictions.physical_name
        # The likely pairs (review band and up) first; of the contradictions (below `apart`) only those
        # inside a candidate component matter, and at a million records the scored pairs below
        # `apart` are tens of millions: they stay in the engine, joined to the components there.
        likely = _fetch(
            linker,
            f"SELECT uid_l AS a, uid_r AS b, match_probability AS p "  # noqa: S608
            f"FROM {scored} WHERE match_probability >= {float(bands.review)}",
        )

        def contradictions(comp: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
            size = np.bincount(comp, minlength=n)
            grouped = np.flatnonzero(size[comp] > 1)
            if not grouped.size:
                return np.empty(0, np.int64), np.empty(0, np.int64)
            members = _register(db_api, pa.table({"uid": grouped, "comp": comp[grouped]}), engine)
            low = _fetch(
                linker,
                f"SELECT s.uid_l AS a, s.uid_r AS b FROM {scored} s "  # noqa: S608
                f"JOIN {members.physical_name} l ON s.uid_l = l.uid "
                f"JOIN {members.physical_name} r ON s.uid_r = r.uid "
                f"WHERE l.comp = r.comp AND s.match_probability < {float(bands.apart)}",
            )
            for table in (members, predictions):  # nothing else reads the scores: free the engine
                with contextlib.suppress(Exception):
                    table.drop_table_from_database_and_remove_from_cache()
            return _int_column(low, "a"), _int_column(low, "b")

        say("cluster")
        identifiers = _identifier_pairs(prepared, bands.identifier_records, con)
        result, queue, counts, pair_arrays = _cluster(
            n,
            likely,
            identifiers,
            prepared,
            parsed_decisions,
            bands,
            cannot_link_same_agency_day,
            contradictions,
        )
        key_column = person_keys(prepared.column("record_id"), result, con)
    keys = dict(zip(record_ids, key_column.to_pylist(), strict=True))
    counts["persons"] = int(np.unique(result).size)
    say("done")
    return LinkageResult(
        keys,
        [_review_pair(record_ids, *q) for q in queue],
        counts["linked_pairs"],
        params,
        counts,
        pair_arrays=(record_ids, *pair_arrays, bands.link),
    )


def _with_pprl(prepared: pa.Table, batch: PprlBatch, max_block: int = MAX_BLOCK) -> pa.Table:
    """The prepared table with the encoded comparisons' columns, and the blocking keys that pair an
    encoded record with others added to `blk` (a key held by more than `max_block` records is dropped,
    as a crowded plaintext key is; one with the birth date may be held by four times as many)."""
    from collections import Counter

    counts = Counter(k for keys in batch.keys for k in keys)
    limit = {True: 4 * max_block, False: max_block}
    blk = [
        sorted({*old, *(k for k in new if counts[k] <= limit[k.startswith("p:b")])})
        for old, new in zip(prepared.column("blk").to_pylist(), batch.keys, strict=True)
    ]
    table = prepared.set_column(
        prepared.schema.get_field_index("blk"), "blk", pa.array(blk, pa.list_(pa.string()))
    )
    for name, column in batch.columns.items():
        table = table.append_column(name, column)
    return table


def _review_pair(record_ids: Sequence[str], a: int, b: int, p: float) -> ScoredPair:
    return ScoredPair(record_ids[a], record_ids[b], p, "review")


def _identifier_pairs(prepared: pa.Table, max_records: int, con: Any) -> pa.Table:
    """Pairs (a < b) of records sharing a document or phone number that at most `max_records` hold."""
    if max_records < 2:
        return pa.table(
            {
                "a": pa.array([], pa.int64()),
                "b": pa.array([], pa.int64()),
                "holders": pa.array([], pa.int64()),
            }
        )
    con.register("varde_identifiers", prepared.select(["uid", "phone", "document"]))
    try:
        return con.sql(
            f"""
            WITH held AS (
                SELECT uid, 'd' || document AS v FROM varde_identifiers WHERE document IS NOT NULL
                UNION ALL SELECT uid, 't' || phone FROM varde_identifiers WHERE phone IS NOT NULL
            ),
            rare AS (SELECT uid, v, c FROM (SELECT uid, v, count(*) OVER (PARTITION BY v) AS c FROM held)
                     WHERE c BETWEEN 2 AND {int(max_records)})
            SELECT l.uid AS a, r.uid AS b, min(l.c) AS holders
            FROM rare l JOIN rare r ON l.v = r.v AND l.uid < r.uid GROUP BY l.uid, r.uid
            """  # noqa: S608
        ).to_arrow_table()
    finally:
        con.unregister("varde_identifiers")


def _int_column(table: pa.Table, name: str) -> np.ndarray:
    return table.column(name).to_numpy().astype(np.int64)


def _pair_code(a: np.ndarray, b: np.ndarray, n: int) -> np.ndarray:
    """One integer per unordered pair of record numbers."""
    return np.minimum(a, b) * n + np.maximum(a, b)


def _cluster(
    n: int,
    likely: pa.Table,
    identifiers: pa.Table,
    prepared: pa.Table,
    decisions: list[Decision],
    bands: Thresholds,
    cannot_link_same_agency_day: bool,
    contradictions_within: Callable[[np.ndarray], tuple[np.ndarray, np.ndarray]],
) -> tuple[np.ndarray, list[tuple[int, int, float]], dict[str, int], tuple[np.ndarray, ...]]:
    """Labels (per record, the smallest record number of its person), the review queue as
    (a, b, p) sorted most likely first, counts, and the likely pairs (a, b, p).

    `likely`: the scored pairs (a, b, p) at or above the review threshold. `contradictions_within`:
    given a component label per record, the pairs (a, b) scored below the apart threshold whose two
    records carry the same label (it may return more: others are ignored).

    Vectorised around `constrained_clusters`: that greedy, constraint-checking pass runs only on the
    candidate components where it can matter (more than two records, or a decision, contradiction
    or same-agency-day group inside); a component of two records joined by one link is one person.
    The result is the same as the greedy pass over everything (it never merges across components).
    """
    pos_a, pos_b = _int_column(likely, "a"), _int_column(likely, "b")
    pos_p = likely.column("p").to_numpy().astype(np.float64)
    is_link = pos_p >= bands.link
    link_a, link_b, link_p = pos_a[is_link], pos_b[is_link], pos_p[is_link]
    # identifier pairs the model did not link: links too, ordered as the least certain ones
    ident_a, ident_b = _int_column(identifiers, "a"), _int_column(identifiers, "b")
    ident_code = _pair_code(ident_a, ident_b, n)
    extra = ~np.isin(ident_code, _pair_code(link_a, link_b, n))
    link_a = np.concatenate([link_a, ident_a[extra]])
    link_b = np.concatenate([link_b, ident_b[extra]])
    link_p = np.concatenate([link_p, np.full(int(extra.sum()), bands.link)])
    same_a = np.array([d.a for d in decisions if d.same], dtype=np.int64)
    same_b = np.array([d.b for d in decisions if d.same], dtype=np.int64)
    comp, kept = _bounded_components(n, link_a, link_b, link_p, int(extra.sum()), same_a, same_b, bands)
    cut_a, cut_b, cut_p = link_a[~kept], link_b[~kept], link_p[~kept]
    link_a, link_b, link_p = link_a[kept], link_b[kept], link_p[kept]
    low_a, low_b = contradictions_within(comp)
    inside = (comp[low_a] == comp[low_b]) & ~np.isin(_pair_code(low_a, low_b, n), ident_code)
    contradictions = list(zip(low_a[inside].tolist(), low_b[inside].tolist(), strict=True))
    groups = _same_agency_day_groups(prepared, comp) if cannot_link_same_agency_day else []

    size = np.bincount(comp, minlength=n)
    careful = size > 2  # per component label
    touched = [x for d in decisions for x in (d.a, d.b)] + [x for pair in contradictions for x in pair]
    touched += [x for g in groups for x in g]
    if touched:
        careful[comp[np.array(touched, dtype=np.int64)]] = True
    link_careful = careful[comp[link_a]]
    sup_a = np.concatenate([pos_a, ident_a[extra]])
    sup_b = np.concatenate([pos_b, ident_b[extra]])
    support_mask = (comp[sup_a] == comp[sup_b]) & careful[comp[sup_a]]
    # A number held by exactly two records joins them without further support (a false identity keeps
    # the phone or the document and nothing else); one held by more may be a shared phone.
    holders = (
        identifiers.column("holders").to_numpy().astype(np.int64)
        if "holders" in identifiers.column_names
        else np.zeros(ident_a.size, dtype=np.int64)
    )
    one_to_one = extra & (holders == 2) & careful[comp[ident_a]]
    result = constrained_clusters(
        n,
        zip(
            link_a[link_careful].tolist(),
            link_b[link_careful].tolist(),
            link_p[link_careful].tolist(),
            strict=True,
        ),
        contradictions,
        decisions,
        groups,
        support=zip(sup_a[support_mask].tolist(), sup_b[support_mask].tolist(), strict=True),
        min_support=bands.min_support,
        identifier_links=zip(ident_a[one_to_one].tolist(), ident_b[one_to_one].tolist(), strict=True),
    )
    labels = np.asarray(result.labels, dtype=np.int64)
    # the simple components: two records, one link, nothing against it
    simple_a, simple_b = link_a[~link_careful], link_b[~link_careful]
    labels[np.maximum(simple_a, simple_b)] = np.minimum(simple_a, simple_b)

    review_mask = (~is_link) & (labels[pos_a] != labels[pos_b])
    ra, rb, rp = pos_a[review_mask], pos_b[review_mask], pos_p[review_mask]
    if result.refused:
        refused = np.array([(a, b) for a, b, _ in result.refused], dtype=np.int64)
        refused_p = np.array([p for _, _, p in result.refused], dtype=np.float64)
        # an identifier link carries no model probability of its own: when refused it is not queued
        # (the model's score for the pair is in the queue already if it reached the review band)
        keep = (labels[refused[:, 0]] != labels[refused[:, 1]]) & ~np.isin(
            _pair_code(refused[:, 0], refused[:, 1], n), ident_code[extra]
        )
        ra = np.concatenate([ra, refused[keep, 0]])
        rb = np.concatenate([rb, refused[keep, 1]])
        rp = np.concatenate([rp, refused_p[keep]])
    # model links cut from an oversized component: a coordinator may still join them
    apart = labels[cut_a] != labels[cut_b]
    ra, rb, rp = (
        np.concatenate([ra, cut_a[apart]]),
        np.concatenate([rb, cut_b[apart]]),
        np.concatenate([rp, cut_p[apart]]),
    )
    lo, hi = np.minimum(ra, rb), np.maximum(ra, rb)
    if decisions:
        decided = np.array([min(d.a, d.b) * n + max(d.a, d.b) for d in decisions], dtype=np.int64)
        undecided = ~np.isin(lo * n + hi, decided)
        lo, hi, rp = lo[undecided], hi[undecided], rp[undecided]
    order = np.lexsort((hi, lo, -rp))
    queue = list(zip(lo[order].tolist(), hi[order].tolist(), rp[order].tolist(), strict=True))
    counts: dict[str, int] = {
        "records": n,
        "scored_pairs_review_or_above": int(pos_p.size),
        "contradictions": len(contradictions),
        "linked_pairs": int(is_link.sum()),
        "identifier_links": int(extra.sum()),
        "review_pairs": len(queue),
        "refused_links": len(result.refused),
        "cut_links": int(cut_a.size),
        "decisions": len(decisions),
        "conflicting_decisions": len(result.conflicting_decisions),
    }
    return labels, queue, counts, (pos_a, pos_b, pos_p)


# Raised link thresholds for an oversized candidate component (see `_bounded_components`).
_LADDER = (0.5, 0.6, 0.7, 0.8, 0.9, 0.95, 0.99, 0.999, 0.9999)


def _bounded_components(
    n: int,
    link_a: np.ndarray,
    link_b: np.ndarray,
    link_p: np.ndarray,
    identifier_links: int,
    same_a: np.ndarray,
    same_b: np.ndarray,
    bands: Thresholds,
) -> tuple[np.ndarray, np.ndarray]:
    """Candidate components (per record, the smallest record number of its component) over the
    links and "same" decisions, and which links were kept.

    No person has hundreds of referrals: a component larger than `bands.max_component` is a chain
    of strangers through common names (a model that links too readily can chain a whole nationality
    into one). Inside such a component the link threshold is raised step by step (`_LADDER`) until
    its pieces are small enough; the weaker links are cut (they go to the review queue). Identifier
    links (the last `identifier_links`) and human decisions are never cut. This bounds the work of
    the greedy pass and the contradictions it must load, whatever the model does."""
    every_a, every_b = np.concatenate([link_a, same_a]), np.concatenate([link_b, same_b])
    comp = components_array(n, every_a, every_b)
    kept = np.ones(link_a.size, dtype=bool)
    cuttable = np.ones(link_a.size, dtype=bool)
    if identifier_links:
        cuttable[link_a.size - identifier_links :] = False
    for threshold in _LADDER:
        oversized = np.bincount(comp, minlength=n) > bands.max_component
        if not oversized.any():
            break
        cut = kept & cuttable & oversized[comp[link_a]] & (link_p < threshold)
        if not cut.any():
            continue
        kept &= ~cut
        comp = components_array(
            n, np.concatenate([link_a[kept], same_a]), np.concatenate([link_b[kept], same_b])
        )
    return comp, kept


def _same_agency_day_groups(prepared: pa.Table, components: np.ndarray) -> list[list[int]]:
    """Records of one agency on one date inside one candidate component (two or more of them)."""
    table = pa.table(
        {
            "uid": prepared.column("uid"),
            "comp": pa.array(components),
            "agency": prepared.column("agency"),
            "day": prepared.column("ref_day"),
        }
    ).filter(pc.and_(pc.not_equal(prepared.column("agency"), ""), pc.is_valid(prepared.column("ref_day"))))
    grouped = table.group_by(["comp", "agency", "day"]).aggregate([("uid", "list"), ("uid", "count")])
    grouped = grouped.filter(pc.greater(grouped.column("uid_count"), 1))
    return [sorted(g) for g in grouped.column("uid_list").to_pylist()]


def score_new_record(
    new_row: Mapping[str, str | None],
    candidate_rows: Sequence[Mapping[str, str | None]],
    params: ModelParameters,
) -> list[float]:
    """Match probability of one new record against each candidate (same order), on DuckDB in memory."""
    if not candidate_rows:
        return []
    _quiet_splink()
    prepared = prepare_records([new_row, *candidate_rows])
    table = features_table(prepared)
    with _duckdb_api("1GB") as db_api:
        from splink import Linker

        everything = db_api.register(table)
        linker = Linker(
            everything, settings_with_parameters(db_api.sql_dialect.sql_dialect_str, params), log_level=None
        )
        left = db_api.register(table.slice(0, 1))
        right = db_api.register(table.slice(1))
        scored = linker.inference.score_pairs(left, right)
        result = _fetch(linker, f"SELECT uid_r AS uid, match_probability AS p FROM {scored.physical_name}")  # noqa: S608
    probability = dict(zip(result.column("uid").to_pylist(), result.column("p").to_pylist(), strict=True))
    return [float(probability.get(i + 1, 0.0)) for i in range(len(candidate_rows))]


def blocking_keys(row: Mapping[str, object]) -> set[str]:
    """The keys under which a prepared record would be compared with others (for quick prefiltering)."""
    keys: set[str] = set()
    for column in ("phone", "document", "name_keystr"):
        if row.get(column):
            keys.add(f"{column}:{row[column]}")
    for column in ("name_key_pairs", "name_short_pairs"):
        for value in row.get(column) or []:  # type: ignore[attr-defined]
            keys.add(f"{column}:{value}")
    if row.get("dob"):
        for value in row.get("name_keys") or []:  # type: ignore[attr-defined]
            keys.add(f"dob:{value}:{row['dob']}")
    return keys
