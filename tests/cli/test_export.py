import csv
import io
import os
import stat

import pytest

from tests.cli.conftest import HEADER
from varde.audit.models import AuditEvent
from varde.cases.models import Referral
from varde.interchange.services import COLUMNS, parse_rows, validate_rows


def rows_of(text: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(text)))


def test_police_export_has_own_cases_and_none_of_the_ngos(varde, world):
    result = varde("export", "--user", "police")
    assert result.code == 0, result.err
    assert result.out.splitlines()[0] == HEADER
    rows = rows_of(result.out)
    police_cases = {world.cases.police_adult.pk, world.cases.police_child.pk}
    expected = {str(r.pk) for r in Referral.objects.filter(case_id__in=police_cases)}
    assert {r["record_id"] for r in rows} == expected
    assert {r["reporting_agency"] for r in rows} == {"oslo-pd-stop"}
    others = Referral.objects.filter(
        case__in=[
            world.cases.ngo_adult,
            world.cases.ngo_child,
            world.cases.childwelfare_adult,
            world.cases.childwelfare_child,
        ]
    )
    assert not {str(r.pk) for r in others} & {r["record_id"] for r in rows}

    blessing = next(r for r in rows if r["given_name"] == "Blessing")
    assert blessing == {
        "record_id": str(world.cases.police_adult.referrals.get().pk),
        "reporting_agency": "oslo-pd-stop",
        "referral_date": "2026-10-01",
        "given_name": "Blessing",
        "family_name": "Okafor",
        "sex": "F",
        "date_of_birth": "1995-05-17",
        "estimated_age": "",
        "nationality": "NG",
        "phone": "+47 912 34 567",
        "id_document_number": "A1234567",
        "municipality": "0301",
    }
    mihai = next(r for r in rows if r["given_name"] == "Mihai")
    assert (mihai["sex"], mihai["estimated_age"], mihai["date_of_birth"], mihai["nationality"]) == (
        "M",
        "15",
        "",
        "RO",
    )


def test_ngo_sees_its_own_cases_and_the_one_shared_with_it(varde, world):
    rows = rows_of(varde("export", "--user", "ngo").out)
    names = sorted(r["given_name"] for r in rows)
    assert names == ["Blessing", "Liang", "Precious"]  # police shared Blessing's case with ROSA


@pytest.mark.parametrize("username", ["outsider", "analyst", "auditor", "agencyadmin", "sysadmin"])
def test_users_without_case_access_get_only_the_header(varde, world, username):
    result = varde("export", "--user", username)
    assert result.code == 0
    assert result.out == HEADER + "\n"
    event = AuditEvent.objects.filter(action="export").latest("seq")
    assert event.actor_username == username and event.detail == {"rows": 0, "cases": []}


def test_export_is_audited_with_row_count_and_case_ids(varde, world):
    before = AuditEvent.objects.filter(action="export").count()
    varde("export", "--user", "police")
    events = AuditEvent.objects.filter(action="export")
    assert events.count() == before + 1
    event = events.latest("seq")
    assert event.actor_username == "police" and event.agency_code == "oslo-pd-stop"
    assert event.detail["rows"] == 2
    assert sorted(event.detail["cases"]) == sorted(
        [str(world.cases.police_adult.pk), str(world.cases.police_child.pk)]
    )
    assert "Blessing" not in str(event.detail)


def test_export_to_a_file_is_owner_readable_only_and_round_trips(varde, world, tmp_path):
    out = tmp_path / "export.csv"
    result = varde("export", "--user", "police", "--out", str(out))
    assert result.code == 0 and result.out == ""
    assert "2 referrals exported" in result.err
    assert stat.S_IMODE(os.stat(out).st_mode) == 0o600

    # The export is a valid interchange file: it parses and validates, and holds what Varde holds.
    with out.open("rb") as stream:
        header, raw = parse_rows(stream)
    assert tuple(header) == COLUMNS
    valid, problems = validate_rows(header, raw)
    assert problems == [] and len(valid) == 2
    by_id = {v.data.external_id: v for v in valid}
    adult = by_id[str(world.cases.police_adult.referrals.get().pk)].data
    person = world.cases.police_adult.person
    assert adult.date_of_birth == person.date_of_birth and adult.sex == person.sex
    assert [(n.given, n.family) for n in adult.names] == [(n.given, n.family) for n in person.names.all()]

    # Importing Varde's own export back creates nothing new.
    before = Referral.objects.count()
    again = varde("import", str(out), "--user", "police")
    assert again.code == 0, again.err
    assert "0 imported, 2 skipped" in again.out
    assert Referral.objects.count() == before


def test_imported_records_export_under_their_record_id(varde, write_csv, personas):
    path = write_csv("STOP-77,oslo-pd-stop,2024-02-02,Gift,Osagie,F,,19,NG,,,4601")
    assert varde("import", path, "--user", "police").code == 0
    rows = rows_of(varde("export", "--user", "police").out)
    assert rows == [
        {
            "record_id": "STOP-77",
            "reporting_agency": "oslo-pd-stop",
            "referral_date": "2024-02-02",
            "given_name": "Gift",
            "family_name": "Osagie",
            "sex": "F",
            "date_of_birth": "",
            "estimated_age": "19",
            "nationality": "NG",
            "phone": "",
            "id_document_number": "",
            "municipality": "4601",
        }
    ]


def test_formula_like_values_are_neutralised_in_the_export(varde, world):
    from varde.cases.services import NameInput, person_add_name

    world.cases.police_child.person.names.all().delete()
    person_add_name(
        actor=world.personas.police, case=world.cases.police_child, name=NameInput(given="=cmd()")
    )
    rows = rows_of(varde("export", "--user", "police").out)
    assert "'=cmd()" in {r["given_name"] for r in rows}


def test_unknown_user_cannot_export(varde, world):
    result = varde("export", "--user", "ghost")
    assert result.code == 2 and "no active user named 'ghost'" in result.err
    assert result.out == ""


def test_failing_audit_write_means_no_data_leaves(varde, world, monkeypatch, tmp_path):
    from varde.audit.services import AuditWriteFailed

    def fail(**kwargs):
        raise AuditWriteFailed("the audit event could not be written")

    monkeypatch.setattr("varde.interchange.services.audit_record", fail)
    result = varde("export", "--user", "police")
    assert result.code == 1 and result.out == ""
    out = tmp_path / "x.csv"
    result = varde("export", "--user", "police", "--out", str(out))
    assert result.code == 1
    assert not out.exists()
