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
import shutil
import tempfile
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

import pyarrow as pa
import pyarrow.compute as pc

from .cluster import Decision, candidate_components, constrained_clusters, person_key
from .model import ModelParameters, initial_settings, settings_with_parameters, train
from .preprocess import blocking_columns, prepare_columns, prepare_records

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

    link: float = 0.5
    review: float = 0.2
    apart: float = 0.01
    min_support: float = 0.5  # share of pairs across two groups that must be likely before they merge


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
    # every scored pair at or above the review threshold with its model band ("linked" | "review");
    # pairs not listed were kept apart (below the review threshold, or never compared)
    pairs: list[ScoredPair] = field(default_factory=list)

    @property
    def persons(self) -> int:
        return len(set(self.person_key.values()))


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
        ("name_key_pairs", pa.list_(pa.string())),
        ("name_short_pairs", pa.list_(pa.string())),
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
    for name in ("splink", "py4j"):
        logging.getLogger(name).setLevel(logging.WARNING)


@contextlib.contextmanager
def _duckdb_api(memory_limit: str | None) -> Iterator[Any]:
    import duckdb
    from splink import DuckDBAPI

    con = duckdb.connect(":memory:")
    # Spill files hold personal data: a private temporary directory, removed afterwards (DuckDB's
    # default is ".tmp" in the current directory).
    spill = tempfile.mkdtemp(prefix="varde-duckdb-")
    con.execute(f"SET temp_directory = '{spill}'")
    if memory_limit:
        con.execute(f"SET memory_limit = '{memory_limit}'")
    con.execute("SET preserve_insertion_order = false")
    try:
        yield DuckDBAPI(connection=con)
    finally:
        con.close()
        shutil.rmtree(spill, ignore_errors=True)


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
    rows: Sequence[Mapping[str, str | None]],
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
) -> LinkageResult:
    """Link interchange rows into persons. Trains the model unless `params` are given: on every record,
    or on an evenly spread sample of `train_sample` records when there are more (0: all)."""
    if engine not in ENGINES:
        raise ValueError("unknown engine")
    say = progress or (lambda _step: None)
    bands = thresholds or Thresholds()
    _quiet_splink()
    say("prepare")
    prepared = prepare_columns(rows)
    n = len(prepared["uid"])
    record_ids = [str(r) for r in prepared["record_id"]]
    index = {rid: i for i, rid in enumerate(record_ids)}
    parsed_decisions = [
        Decision(index[a], index[b], d == "same") for a, b, d in decisions if a in index and b in index
    ]
    if n < 2:
        keys = {rid: person_key([rid]) for rid in record_ids}
        return LinkageResult(keys, [], 0, params or ModelParameters(prior=0.0, levels={}), {"records": n})

    table = features_table(prepared)
    api = _spark_api(spark) if engine == "spark" else _duckdb_api(memory_limit)
    with api as db_api:
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
                Linker(train_sdf, initial_settings(dialect), log_level=None),
                seed=seed,
                step=lambda s: say("train:" + s),
            )
        linker = Linker(sdf, settings_with_parameters(dialect, params), log_level=None)
        say("score")
        predictions = linker.inference.predict(threshold_match_probability=None)
        scored = predictions.physical_name
        # One pass over the scored pairs: the likely ones (review band and up) and the contradictions
        # (below `apart`); the pairs in between matter to nobody.
        fetched = _fetch(
            linker,
            f"SELECT uid_l AS a, uid_r AS b, match_probability AS p "  # noqa: S608
            f"FROM {scored} WHERE match_probability >= {float(bands.review)} "
            f"OR match_probability < {float(bands.apart)}",
        )
        with contextlib.suppress(Exception):
            predictions.drop_table_from_database_and_remove_from_cache()
    say("cluster")
    likely = pc.greater_equal(fetched.column("p"), float(bands.review))
    positives = fetched.filter(likely)
    pos_a = positives.column("a").to_pylist()
    pos_b = positives.column("b").to_pylist()
    pos_p = positives.column("p").to_pylist()
    linked = [(a, b, p) for a, b, p in zip(pos_a, pos_b, pos_p, strict=True) if p >= bands.link]
    same_pairs = [(d.a, d.b) for d in parsed_decisions if d.same]
    components = candidate_components(n, [(a, b) for a, b, _ in linked] + same_pairs)
    contradictions = _contradictions(fetched.filter(pc.invert(likely)), components)
    counts: dict[str, int] = {
        "records": n,
        "scored_pairs_review_or_above": len(pos_p),
        "contradictions": len(contradictions),
    }

    groups: list[list[int]] = []
    if cannot_link_same_agency_day:
        groups = _same_agency_day_groups(prepared, components)
    support = [(a, b) for a, b in zip(pos_a, pos_b, strict=True)]
    result = constrained_clusters(
        n, linked, contradictions, parsed_decisions, groups, support=support, min_support=bands.min_support
    )
    members: dict[int, list[str]] = defaultdict(list)
    for i, label in enumerate(result.labels):
        members[label].append(record_ids[i])
    key_of_label = {label: person_key(ids) for label, ids in members.items()}
    keys = {record_ids[i]: key_of_label[label] for i, label in enumerate(result.labels)}

    decided = {(min(d.a, d.b), max(d.a, d.b)) for d in parsed_decisions}
    review: dict[tuple[int, int], float] = {}
    for a, b, p in zip(pos_a, pos_b, pos_p, strict=True):
        pair = (min(a, b), max(a, b))
        if p < bands.link and pair not in decided and result.labels[a] != result.labels[b]:
            review[pair] = p
    for a, b, p in result.refused:
        pair = (min(a, b), max(a, b))
        if pair not in decided and result.labels[a] != result.labels[b]:
            review[pair] = p
    queue = [
        ScoredPair(record_ids[a], record_ids[b], p, "review")
        for (a, b), p in sorted(review.items(), key=lambda kv: (-kv[1], kv[0]))
    ]
    counts.update(
        {
            "persons": len(members),
            "linked_pairs": len(linked),
            "review_pairs": len(queue),
            "refused_links": len(result.refused),
            "decisions": len(parsed_decisions),
            "conflicting_decisions": len(result.conflicting_decisions),
        }
    )
    pairs = [
        ScoredPair(record_ids[a], record_ids[b], p, "linked" if p >= bands.link else "review")
        for a, b, p in zip(pos_a, pos_b, pos_p, strict=True)
    ]
    say("done")
    return LinkageResult(keys, queue, len(linked), params, counts, pairs)


def _contradictions(low: pa.Table, components: list[int]) -> list[tuple[int, int]]:
    """Pairs scored below `apart` whose records sit in one candidate component (only those can
    ever stop a merge)."""
    comp = pa.array(components, pa.int64())
    inside = pc.equal(pc.take(comp, low.column("a")), pc.take(comp, low.column("b")))
    low = low.filter(inside)
    return list(zip(low.column("a").to_pylist(), low.column("b").to_pylist(), strict=True))


def _same_agency_day_groups(prepared: Mapping[str, list[object]], components: list[int]) -> list[list[int]]:
    groups: dict[tuple[int, object, object], list[int]] = defaultdict(list)
    sizes: dict[int, int] = defaultdict(int)
    for c in components:
        sizes[c] += 1
    agencies, dates = prepared["agency"], prepared["referral_date"]
    for i, comp in enumerate(components):
        if sizes[comp] > 1 and agencies[i] and dates[i]:
            groups[(comp, agencies[i], dates[i])].append(i)
    return [g for g in groups.values() if len(g) > 1]


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
