"""`varde stats` and `varde htcds-export`, and the HTCDS 2.0 export checked against the standard's file."""

from __future__ import annotations

import csv
import json
import stat
from pathlib import Path

import pytest

from tests.statistics.conftest import ISSUE_KEYS
from varde.audit.models import AuditEvent
from varde.cli import main
from varde.statistics.extract import pseudonymised_extract
from varde.statistics.htcds import EXPORT_FIELDS, MULTI_SEPARATOR, HtcdsError, htcds_records, validate

pytestmark = pytest.mark.django_db

STANDARD = Path(__file__).resolve().parents[2] / "varde" / "statistics" / "htcds" / "HTCDS-2.0-fields.csv"
SHARED = Path("/work/shared/htcds/HTCDS-2.0-fields.csv")


def run(capsys, *argv: str) -> tuple[int, str, str]:
    capsys.readouterr()
    code = main(list(argv))
    out = capsys.readouterr()
    return code, out.out, out.err


def standard() -> dict[str, tuple[str, set[str]]]:
    """Field name -> (type, picklist value names), read independently of the code under test."""
    table = {}
    with STANDARD.open(encoding="utf-8", newline="") as stream:
        for row in csv.DictReader(stream):
            values = {v.strip() for v in row["Value Names (if picklist)"].splitlines() if v.strip()}
            table[row["Field Name including Prefix"]] = (row["Field Type"], values)
    return table


def test_stats_json_has_exactly_the_issues_shape(capsys, world):
    code, out, _err = run(capsys, "stats", "--year", "2026", "--json")
    assert code == 0
    data = json.loads(out)
    assert list(data) == ISSUE_KEYS
    assert data["persons"] == 3 and data["by_nationality"] == {"NG": 2, "RO": 1}
    assert set(data["reflection_period"]) == {"applied", "granted", "rejected"}
    for secret in ("Esther", "Igbinovia", "Mihai", "KL1234567"):
        assert secret not in out


def test_stats_published_nulls_small_cells_and_is_audited(capsys, world):
    code, out, _err = run(capsys, "stats", "--year", "2026", "--json", "--published", "--k", "3")
    assert code == 0
    data = json.loads(out)
    assert (
        data["persons"] == 3 and data["women"] is None and data["by_nationality"] == {"NG": None, "RO": None}
    )
    event = AuditEvent.objects.filter(object_type="statistics.national").latest("seq")
    assert event.action == "export" and event.detail == {"year": 2026, "published": True, "k": 3}
    code, out, _err = run(capsys, "stats", "--year", "2026", "--json", "--published")
    assert json.loads(out)["persons"] is None  # 3 persons < k = 10: the whole year is suppressed


def test_stats_roles_bad_k_and_help(capsys, world, personas):
    code, out, _err = run(
        capsys, "stats", "--year", "2026", "--json", "--user", personas.analyst.username, "--k", "3"
    )
    assert code == 0 and json.loads(out)["women"] is None
    code, out, _err = run(capsys, "stats", "--year", "2026", "--json", "--user", personas.analyst.username)
    assert code == 0 and json.loads(out)["persons"] is None  # analysts: published (k = 10) even unasked
    code, _out, err = run(capsys, "stats", "--year", "2026", "--json", "--user", personas.police.username)
    assert code == 2 and "coordinators and analysts" in err
    code, _out, err = run(capsys, "stats", "--year", "2026", "--json", "--k", "7")
    assert code == 2 and "k must be one of" in err
    code, out, _err = run(capsys, "stats", "--help")
    assert code == 0 and "Example" in out


def test_the_shipped_field_table_is_the_standards_unchanged():
    if SHARED.exists():
        assert STANDARD.read_bytes() == SHARED.read_bytes()
    readme = (STANDARD.parent / "README.md").read_text(encoding="utf-8")
    assert "CC BY 4.0" in readme and "IOM" in readme


@pytest.mark.parametrize("fmt", ["csv", "json"])
def test_htcds_export_uses_only_the_standards_fields_and_values(capsys, world, tmp_path, fmt, personas):
    out_file = tmp_path / f"htcds.{fmt}"
    code, _out, err = run(capsys, "htcds-export", "--out", str(out_file), "--format", fmt, "--k", "3")
    assert code == 0 and "3 HTCDS 2.0 records" in err
    assert stat.S_IMODE(out_file.stat().st_mode) == 0o600
    table = standard()
    text = out_file.read_text(encoding="utf-8")
    if fmt == "json":
        records = json.loads(text)["records"]
    else:
        rows = list(csv.DictReader(text.splitlines()))
        records = [
            {
                k: (v.split(MULTI_SEPARATOR) if v and table[k][0].startswith("Multiselect") else v)
                for k, v in row.items()
            }
            for row in rows
        ]
    assert len(records) == 3
    for record in records:
        assert set(record) == set(EXPORT_FIELDS)
        for name, value in record.items():
            assert name in table, name
            field_type, values = table[name]
            for v in value if isinstance(value, list) else [value] if value else []:
                if name == "prs_Citizenship":
                    assert len(v) == 2 and v.isupper()  # ISO 3166 alpha-2, as the standard says
                else:
                    assert v in values, (name, v)
    for secret in ("Esther", "Igbinovia", "Mihai", "KL1234567", "2026", "0301"):
        assert secret not in text
    event = AuditEvent.objects.filter(object_type="statistics.htcds").latest("seq")
    assert event.action == "export" and event.detail["records"] == 3
    code, _out, err = run(capsys, "htcds-export", "--out", str(out_file), "--user", personas.analyst.username)
    assert code == 2


def test_rare_citizenships_are_left_empty(world):
    records = htcds_records(pseudonymised_extract(), k=3)
    assert all(r["prs_Citizenship"] == [] for r in records)  # NG 2, RO 1: both below 3
    genders = sorted(str(r["prs_Gender"]) for r in records)
    assert genders == ["Feminine", "Feminine", "Masculine"]


def test_validate_refuses_fields_and_values_outside_the_standard():
    with pytest.raises(HtcdsError):
        validate([{"prs_Nickname": "x"}])
    with pytest.raises(HtcdsError):
        validate([{"prs_Gender": "Female"}])
    with pytest.raises(HtcdsError):
        validate([{"vic_TypeOfExploitation": ["ForcedCriminality"]}])


def test_export_htcds_needs_no_four_eyes_approval_and_is_audited(capsys, world, tmp_path):
    from varde.interchange.models import ExportRequest

    out_file = tmp_path / "htcds.json"
    code, _out, err = run(capsys, "export", "--htcds", "--out", str(out_file), "--format", "json", "--k", "3")
    assert code == 0 and "3 HTCDS 2.0 records" in err
    assert not ExportRequest.objects.exists()  # no request was asked for, approved or used up
    records = json.loads(out_file.read_text(encoding="utf-8"))["records"]
    assert len(records) == 3 and all(set(r) == set(EXPORT_FIELDS) for r in records)
    assert stat.S_IMODE(out_file.stat().st_mode) == 0o600
    event = AuditEvent.objects.filter(object_type="statistics.htcds").latest("seq")
    assert event.action == "export" and event.actor_id is None  # the server operator
    assert event.detail == {"records": 3, "format": "json", "file": "htcds.json", "year": None}


def test_export_htcds_year_keeps_the_persons_followed_up_that_year(capsys, world, tmp_path, personas):
    out_file = tmp_path / "htcds.csv"
    code, _out, err = run(
        capsys,
        "export",
        "--htcds",
        "--out",
        str(out_file),
        "--year",
        "2026",
        "--user",
        personas.coordinator.username,
    )
    assert code == 0 and "3 HTCDS 2.0 records" in err
    assert out_file.read_text(encoding="utf-8").splitlines()[0] == ",".join(EXPORT_FIELDS)  # CSV default
    event = AuditEvent.objects.filter(object_type="statistics.htcds").latest("seq")
    assert event.actor_id == personas.coordinator.pk and event.detail["year"] == 2026
    code, _out, err = run(capsys, "export", "--htcds", "--out", str(out_file), "--year", "2019")
    assert code == 0 and "0 HTCDS 2.0 records" in err
    assert out_file.read_text(encoding="utf-8").strip() == ",".join(EXPORT_FIELDS)
    code, _out, err = run(capsys, "htcds-export", "--out", str(out_file), "--year", "2026", "--k", "3")
    assert code == 0 and "3 HTCDS 2.0 records" in err  # the alias takes --year too


def test_export_htcds_refusals(capsys, world, tmp_path, personas):
    out_file = tmp_path / "htcds.csv"
    for username in (personas.analyst.username, personas.police.username):
        code, _out, _err = run(capsys, "export", "--htcds", "--out", str(out_file), "--user", username)
        assert code == 2 and not out_file.exists()
    assert not AuditEvent.objects.filter(object_type="statistics.htcds").exists()
    code, _out, err = run(
        capsys,
        "export",
        "--htcds",
        "--out",
        str(out_file),
        "--request",
        "00000000-0000-0000-0000-000000000000",
    )
    assert code == 2 and "no --request" in err
    code, _out, err = run(capsys, "export", "--htcds")
    assert code == 2 and "--out FILE" in err
    code, _out, err = run(capsys, "export", "--htcds", "--out", str(out_file), "--year", "20x9")
    assert code == 2
    # Without --htcds, `varde export` is the identified export, with its four-eyes rule.
    code, _out, err = run(capsys, "export", "--user", personas.police.username, "--format", "json")
    assert code == 2 and "--htcds" in err
    code, _out, err = run(capsys, "export", "--out", str(out_file))
    assert code == 2 and "--user" in err
    code, _out, err = run(capsys, "export", "--user", personas.police.username, "--out", str(out_file))
    assert code == 2 and "--request" in err and not out_file.exists()
    code, out, _err = run(capsys, "export", "--help")
    assert code == 0 and "--htcds" in out and "Example" in out
