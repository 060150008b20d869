"""`varde link`: a row for every record, offline, errors without values."""

import argparse
import csv

import pytest

from varde.linkage import cli
from varde.linkage.io import LinkageInputError

from .helpers import COLUMNS, filler, rec


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="varde")
    cli.register(p.add_subparsers(dest="command"))
    return p


def write(path, rows, columns=COLUMNS):
    with path.open("w", newline="", encoding="utf-8") as fh:
        w = csv.DictWriter(fh, fieldnames=columns, extrasaction="ignore")
        w.writeheader()
        w.writerows(rows)


def run(argv):
    args = parser().parse_args(argv)
    return args.func(args)


def test_help_has_an_example(capsys):
    with pytest.raises(SystemExit):
        parser().parse_args(["link", "--help"])
    out = capsys.readouterr().out
    assert "Example:" in out and "varde link" in out and "--engine" in out


def test_link_writes_a_row_for_every_record(tmp_path, capsys):
    rows = filler(150, seed=2) + [
        rec("S1", "oslo-pd-stop", "Esther", "Igbinovia", dob="1990-05-06", phone="+47 934 56 789"),
        rec("S2", "rosa", "Igbinovia", "Esther", dob="1990-05-06", phone="93456789"),
    ]
    records, out, decisions = tmp_path / "records.csv", tmp_path / "clusters.csv", tmp_path / "decisions.csv"
    write(records, rows)
    write(
        decisions,
        [{"record_a": "S1", "record_b": "S2", "decision": "not_same"}],
        columns=("record_a", "record_b", "decision"),
    )
    assert run(["link", str(records), "--out", str(out), "--quiet"]) == 0
    with out.open(encoding="utf-8") as fh:
        result = list(csv.DictReader(fh))
    assert [r["record_id"] for r in result] == [r["record_id"] for r in rows]
    assert all(r["person_key"] for r in result)
    keys = {r["record_id"]: r["person_key"] for r in result}
    assert keys["S1"] == keys["S2"]
    assert len(set(keys.values())) < len(rows)
    # a decision file binds the result
    assert run(["link", str(records), "--out", str(out), "--decisions", str(decisions), "--quiet"]) == 0
    with out.open(encoding="utf-8") as fh:
        keys = {r["record_id"]: r["person_key"] for r in csv.DictReader(fh)}
    assert keys["S1"] != keys["S2"]
    assert "Esther" not in capsys.readouterr().err


def test_errors_name_lines_not_values(tmp_path):
    rows = [rec("R1", "a", "Secretname", "Hiddenfamily"), rec("R1", "b", "Secretname", "Hiddenfamily")]
    records = tmp_path / "records.csv"
    write(records, rows)
    with pytest.raises(LinkageInputError) as exc:
        run(["link", str(records), "--out", str(tmp_path / "o.csv")])
    message = str(exc.value)
    assert "line 3" in message and "Secret" not in message and "R1" not in message


def test_missing_column_is_named(tmp_path):
    records = tmp_path / "records.csv"
    records.write_text("record_id,given_name\nR1,Joy\n", encoding="utf-8")
    with pytest.raises(LinkageInputError, match="reporting_agency"):
        run(["link", str(records), "--out", str(tmp_path / "o.csv")])


def test_link_needs_no_database(tmp_path, monkeypatch):
    """The handler never touches Django's database: any attempt to connect fails the test."""
    from django.db.backends.base.base import BaseDatabaseWrapper

    def refuse(*_a, **_k):
        raise AssertionError("varde link must not use the database")

    monkeypatch.setattr(BaseDatabaseWrapper, "ensure_connection", refuse)
    records, out = tmp_path / "records.csv", tmp_path / "clusters.csv"
    write(records, filler(40, seed=3))
    assert run(["link", str(records), "--out", str(out), "--quiet"]) == 0
    assert len(out.read_text(encoding="utf-8").splitlines()) == 41


def test_the_arrow_reader_reads_what_the_row_reader_reads(tmp_path):
    from varde.linkage.io import read_records, read_records_table

    rows = filler(30, seed=4) + [rec("Q1", "rosa", ' "Joy", ', "Eze\nOsagie", phone="0047 930 11 111")]
    records = tmp_path / "records.csv"
    write(records, rows)
    assert read_records_table(records).to_pylist() == read_records(records)


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (
            "record_id,reporting_agency,referral_date\nR1,a,2009-01-01\n,b,2009-01-02\n",
            "line 3: record_id is empty",
        ),
        (
            "record_id,reporting_agency,referral_date\nR1,a,2009-01-01\nR1,b,2009-01-02\n",
            "line 3: record_id repeats",
        ),
        ("record_id,given_name\nR1,Joy\n", "missing column"),
    ],
)
def test_the_arrow_reader_reports_lines_like_the_row_reader(tmp_path, content, message):
    from varde.linkage.io import read_records_table

    records = tmp_path / "records.csv"
    records.write_text(content, encoding="utf-8")
    with pytest.raises(LinkageInputError, match=message):
        read_records_table(records)


def test_a_handful_of_records_uses_the_shipped_parameters_and_says_so_in_one_line(tmp_path):
    """Too few records to train: no Splink training (whose EM failed or warned for 50 lines), the
    shipped parameters, one line saying so; Splink's and DuckDB's warnings stay out of the terminal."""
    import subprocess
    import sys
    from pathlib import Path

    records, out = tmp_path / "records.csv", tmp_path / "clusters.csv"
    write(
        records,
        [
            rec("S1", "oslo-pd-stop", "Esther", "Igbinovia", dob="1990-05-06", phone="+47 934 56 789"),
            rec("S2", "rosa", "Igbinovia", "Esther", dob="1990-05-06", phone="93456789"),
            rec("S3", "rosa", "Mihai", "Popescu", dob="2010-01-01"),
        ],
    )
    varde = Path(sys.executable).with_name("varde")
    done = subprocess.run(  # noqa: S603 - our own command, fixed arguments
        [str(varde), "link", str(records), "--out", str(out)], capture_output=True, text=True, timeout=300
    )
    assert done.returncode == 0, done.stderr
    lines = done.stderr.strip().splitlines()
    assert (
        lines[0] == "3 records are too few to train the model (fewer than 2000): using the shipped parameters"
    )
    assert lines[-1].startswith("3 records, 2 persons")
    assert len(lines) == 2 and "WARNING" not in done.stderr and "Esther" not in done.stderr


def test_training_survives_a_blocking_rule_that_gives_no_pair():
    """No two records share a phone (the 100,000-case benchmark's data): Splink's EM on that rule has
    no pair and raised EMTrainingException, which stopped the whole linkage run."""
    from varde.linkage.pipeline import link_records

    rows = [{**r, "phone": ""} for r in filler(120, seed=7)]
    result = link_records(rows)
    assert set(result.person_key) == {r["record_id"] for r in rows}
    assert result.persons <= len(rows)


def test_when_no_em_session_can_train_the_shipped_parameters_are_used():
    from varde.linkage.model import default_parameters
    from varde.linkage.pipeline import link_records

    rows = [{**r, "phone": "", "id_document_number": ""} for r in filler(120, seed=7)]
    assert link_records(rows).params == default_parameters()
