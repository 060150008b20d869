import csv
import io
import os
import stat

import pytest
from django.utils.translation import gettext

from tests.cli.conftest import HEADER
from varde.audit.models import AuditEvent
from varde.cases.models import Referral
from varde.interchange.services import COLUMNS, parse_rows, validate_rows


def rows_of(text: str) -> list[dict[str, str]]:
    assert text.startswith("# Exported by "), "every export starts with its watermark line"
    return list(csv.DictReader(io.StringIO(text.split("\n", 1)[1])))


def test_police_export_has_own_cases_and_none_of_the_ngos(varde, export_as, world):
    result = export_as("police")
    assert result.code == 0, result.err
    lines = result.out.splitlines()
    assert lines[0].startswith("# Exported by police at ") and "for request " in lines[0]
    assert lines[1] == HEADER
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


def test_ngo_sees_its_own_cases_and_the_one_shared_with_it(varde, export_as, world):
    rows = rows_of(export_as("ngo").out)
    names = sorted(r["given_name"] for r in rows)
    assert names == ["Blessing", "Liang", "Precious"]  # police shared Blessing's case with ROSA


@pytest.mark.parametrize("username", ["outsider", "analyst", "auditor", "agencyadmin", "sysadmin"])
def test_users_without_case_access_get_only_the_header(varde, export_as, world, username):
    result = export_as(username)
    assert result.code == 0
    assert result.out.splitlines()[1:] == [HEADER]
    event = AuditEvent.objects.filter(action="export").latest("seq")
    assert event.actor_username == username and (event.detail["rows"], event.detail["cases"]) == (0, [])


def test_export_is_audited_with_row_count_and_case_ids(varde, export_as, world):
    before = AuditEvent.objects.filter(action="export").count()
    export_as("police")
    events = AuditEvent.objects.filter(action="export")
    assert events.count() == before + 1
    event = events.latest("seq")
    assert event.actor_username == "police" and event.agency_code == "oslo-pd-stop"
    assert event.detail["rows"] == 2
    assert sorted(event.detail["cases"]) == sorted(
        [str(world.cases.police_adult.pk), str(world.cases.police_child.pk)]
    )
    assert "Blessing" not in str(event.detail)


def test_export_to_a_file_is_owner_readable_only_and_round_trips(varde, export_as, world, tmp_path):
    out = tmp_path / "export.csv"
    result = export_as("police", "--out", str(out))
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


def test_imported_records_export_under_their_record_id(varde, export_as, write_csv, personas):
    path = write_csv("STOP-77,oslo-pd-stop,2024-02-02,Gift,Osagie,F,,19,NG,,,4601")
    assert varde("import", path, "--user", "police").code == 0
    rows = rows_of(export_as("police").out)
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


def test_formula_like_values_are_neutralised_in_the_export(varde, export_as, world):
    from varde.cases.services import NameInput, person_add_name

    world.cases.police_child.person.names.all().delete()
    person_add_name(
        actor=world.personas.police, case=world.cases.police_child, name=NameInput(given="=cmd()")
    )
    rows = rows_of(export_as("police").out)
    assert "'=cmd()" in {r["given_name"] for r in rows}


def test_unknown_user_cannot_export(varde, export_as, world):
    result = export_as("ghost")
    assert result.code == 2 and "no active user named 'ghost'" in result.err
    assert result.out == ""


def test_failing_audit_write_means_no_data_leaves(varde, export_as, world, monkeypatch, tmp_path):
    from varde.audit.services import AuditWriteFailed

    def fail(**kwargs):
        raise AuditWriteFailed("the audit event could not be written")

    monkeypatch.setattr("varde.interchange.services.audit_record", fail)
    result = export_as("police")
    assert result.code == 1 and result.out == ""
    out = tmp_path / "x.csv"
    result = export_as("police", "--out", str(out))
    assert result.code == 1
    assert not out.exists()


# --- four eyes -----------------------------------------------------------------------------------


def test_one_person_alone_cannot_export(varde, world):
    assert varde("export", "--user", "police").code == 2  # no request at all
    made = varde("export-request", "--user", "police", "--reason", "Court case 26-123")
    assert made.code == 0, made.err
    request_id = made.out.split()[2]
    unapproved = varde("export", "--user", "police", "--request", request_id)
    assert unapproved.code == 2 and unapproved.out == ""
    own = varde("export-approve", request_id, "--user", "police")
    assert own.code == 2  # nobody approves their own request
    colleague = varde("export-approve", request_id, "--user", "childwelfare")
    assert colleague.code == 2  # another caseworker is not an approver
    assert AuditEvent.objects.filter(action="export").count() == 0


def test_second_person_approves_and_the_export_is_watermarked_audited_and_single_use(varde, world):
    request_id = varde("export-request", "--user", "police", "--reason", "Court case 26-123").out.split()[2]
    approved = varde("export-approve", request_id, "--user", "agencyadmin")  # police's own administrator
    assert approved.code == 0, approved.err
    result = varde("export", "--user", "police", "--request", request_id)
    assert result.code == 0, result.err
    first = result.out.splitlines()[0]
    assert first.startswith("# Exported by police at 20") and first.endswith(f"for request {request_id}")
    event = AuditEvent.objects.filter(action="export").latest("seq")
    assert event.detail["request"] == request_id and event.detail["approved_by"] == str(
        world.personas.agency_admin.pk
    )
    approval = AuditEvent.objects.filter(action="approve").latest("seq")
    assert approval.actor_username == "agencyadmin" and approval.object_id == request_id
    again = varde("export", "--user", "police", "--request", request_id)
    assert again.code == 2
    assert gettext("This export request has been used already.") in again.err  # in the active language
    # Someone else cannot use the requester's approval.
    assert varde("export", "--user", "ngo", "--request", request_id).code == 2


def test_an_approval_expires(varde, world):
    import datetime as dt

    from varde.interchange.models import ExportRequest

    request_id = varde("export-request", "--user", "police", "--reason", "Court case 26-123").out.split()[2]
    assert varde("export-approve", request_id, "--user", "coordinator").code == 0
    ExportRequest.objects.filter(pk=request_id).update(
        approved_at=ExportRequest.objects.get(pk=request_id).approved_at - dt.timedelta(hours=25)
    )
    assert varde("export", "--user", "police", "--request", request_id).code == 2
