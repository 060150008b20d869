"""The same pipeline on Splink's Spark backend (PySpark local mode) gives the DuckDB persons."""

import shutil

import pytest

from varde.linkage.model import default_parameters
from varde.linkage.pipeline import link_records

from .helpers import generated

pytestmark = pytest.mark.skipif(shutil.which("java") is None, reason="Spark needs a Java runtime")


def partition(keys: dict[str, str]) -> list[list[str]]:
    groups: dict[str, list[str]] = {}
    for record_id, key in keys.items():
        groups.setdefault(key, []).append(record_id)
    return sorted(sorted(g) for g in groups.values())


def test_spark_gives_the_duckdb_clusters_for_the_same_trained_model():
    rows, _truth = generated(150, seed=13)
    decisions = [(rows[0]["record_id"], rows[1]["record_id"], "same")]
    trained = default_parameters()  # trained once (bench/linkage/train_defaults.py), used by both engines
    duck = link_records(rows, engine="duckdb", params=trained, decisions=decisions)
    spark = link_records(rows, engine="spark", params=trained, decisions=decisions)
    assert partition(spark.person_key) == partition(duck.person_key)
    assert spark.person_key == duck.person_key
    assert duck.persons < len(rows)  # the comparison is not trivial: records were linked
    assert [(p.record_a, p.record_b) for p in spark.review] == [(p.record_a, p.record_b) for p in duck.review]


def test_default_parameters_load():
    assert default_parameters().prior > 0
