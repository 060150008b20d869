import datetime as dt

import pytest

from varde.audit.models import AuditEvent
from varde.cases.models import Case, Referral
from varde.core import clock
from varde.persons.models import Person

CLEAN = (
    "STOP-1,oslo-pd-stop,2024-03-01,Osaretin,Igbinosa,F,1998-04-12,,NG,+47 912 34 567,A7654321,0301",
    "STOP-2,oslo-pd-stop,2024-03-02,Ionuț,Căldăraru,M,,15,RO,,,",
    "STOP-3,oslo-pd-stop,2024-03-03,,,,,,,,,",
)


def counts():
    return (
        Person.objects.count(),
        Case.objects.count(),
        Referral.objects.count(),
        AuditEvent.objects.count(),
    )


def test_one_bad_row_saves_nothing_and_names_the_row(varde, write_csv, personas):
    path = write_csv(CLEAN[0], "STOP-9,oslo-pd-stop,2024-03-05,Joy,Eze,F,1999-31-12,,NG,,,0301", CLEAN[1])
    before = counts()
    result = varde("import", path, "--user", "police")
    assert result.code == 2
    assert "row 3: date_of_birth is not an ISO date" in result.err
    assert "nothing was imported" in result.err
    assert counts() == before
    # The message names the row and the reason, never a value from it.
    for value in ("1999-31-12", "Joy", "Eze", "STOP-9"):
        assert value not in result.err + result.out


@pytest.mark.parametrize(
    ("row", "reason"),
    [
        ("X1,no-such-agency,2024-01-01,,,,,,,,,", "reporting_agency is not the code of an active agency"),
        ("X1,oslo-pd-stop,01.02.2024,,,,,,,,,", "referral_date is not an ISO date"),
        ("X1,oslo-pd-stop,{tomorrow},,,,,,,,,", "referral_date is in the future"),
        ("X1,oslo-pd-stop,2024-01-01,,,K,,,,,,", "sex must be F, M or empty"),
        ("X1,oslo-pd-stop,2024-01-01,,,,,,XX,,,", "nationality is not an ISO 3166 alpha-2 country code"),
        ("X1,oslo-pd-stop,2024-01-01,,,,,,NGA,,,", "nationality is not an ISO 3166 alpha-2 country code"),
        ("X1,oslo-pd-stop,2024-01-01,,,,,,,,,301", "municipality is not a kommunenummer"),
        ("X1,oslo-pd-stop,2024-01-01,,,,,fifteen,,,,", "estimated_age is not a whole number"),
        ("X1,oslo-pd-stop,2024-01-01,,,,,15.5,,,,", "estimated_age is not a whole number"),
        ("X1,oslo-pd-stop,2024-01-01,,,,,130,,,,", "estimated_age is not between 0 and 120"),
        ("X1,oslo-pd-stop,2024-01-01,,,,,-1,,,,", "estimated_age is not between 0 and 120"),
        ("X1,oslo-pd-stop,2024-01-01,,,,2001-01-01,23,,,,", "give date_of_birth or estimated_age, not both"),
        ("X1,oslo-pd-stop,2024-01-01,,,,2025-01-01,,,,,", "date_of_birth is after referral_date"),
        (",oslo-pd-stop,2024-01-01,,,,,,,,,", "record_id is empty"),
        ("X1,,2024-01-01,,,,,,,,,", "reporting_agency is empty"),
        ("X1,oslo-pd-stop,,,,,,,,,,", "referral_date is empty"),
        ("X1,oslo-pd-stop,2024-01-01,=HYPERLINK(1),,,,,,,,", "given_name starts with a spreadsheet formula"),
        ("X1,oslo-pd-stop,2024-01-01,,,,,,,,", "has 11 fields, the header has 12"),
    ],
)
def test_each_kind_of_bad_row_is_named(varde, write_csv, personas, row, reason):
    tomorrow = (clock.today() + dt.timedelta(days=1)).isoformat()
    path = write_csv(CLEAN[0], row.format(tomorrow=tomorrow))
    before = counts()
    result = varde("import", path, "--user", "police")
    assert result.code == 2
    assert f"row 3: {reason}" in result.err
    assert "row 2" not in result.err  # the good row is not blamed
    assert counts() == before


def test_every_bad_row_is_reported_not_just_the_first(varde, write_csv, personas):
    path = write_csv("A,oslo-pd-stop,2024-01-01,,,Q,,,,,,", CLEAN[0], "A,oslo-pd-stop,2024-01-01,,,,,,ZZ,,,")
    result = varde("import", path, "--user", "police")
    assert result.code == 2
    assert "row 2: sex must be F, M or empty" in result.err
    assert "row 4: nationality is not an ISO 3166" in result.err
    assert "row 4: record_id repeats the one on row 2" in result.err
    assert "2 of 3 rows are not valid" in result.err


def test_missing_header_column_is_refused(varde, write_csv, personas):
    header = "record_id,reporting_agency,referral_date,given_name,family_name,sex"
    path = write_csv("A,oslo-pd-stop,2024-01-01,,,F", header=header)
    result = varde("import", path, "--user", "police")
    assert result.code == 2
    assert "row 1: the header lacks the column(s) date_of_birth, estimated_age" in result.err
    assert Referral.objects.count() == 0


def test_line_numbers_follow_the_file_across_quoted_newlines_and_blank_lines(varde, write_csv, personas):
    path = write_csv(
        'A,oslo-pd-stop,2024-01-01,"Anna\nMaria",,,,,,,,', "", "B,oslo-pd-stop,2024-01-01,,,W,,,,,,"
    )
    result = varde("import", path, "--user", "police")
    assert result.code == 2
    assert "row 5: sex must be F, M or empty" in result.err


def test_clean_file_imports_every_row_with_its_values(varde, write_csv, personas, agencies):
    path = write_csv(*CLEAN)
    result = varde("import", path, "--user", "police")
    assert result.code == 0, result.err
    assert "3 imported, 0 skipped" in result.out
    assert (Person.objects.count(), Case.objects.count(), Referral.objects.count()) == (3, 3, 3)

    first = Referral.objects.select_related("case__person").get(external_id="STOP-1")
    assert first.reporting_agency == agencies.police and first.reported_by == personas.police
    assert first.referral_date == dt.date(2024, 3, 1) and first.municipality == "0301"
    assert first.case.lead_agency == agencies.police and first.case.status == "reported"
    person = first.case.person
    name = person.names.get()
    assert (name.given, name.family) == ("Osaretin", "Igbinosa")
    assert person.sex == "F" and person.date_of_birth == dt.date(1998, 4, 12) and person.estimated_age is None
    assert person.nationalities == ["NG"]
    assert [p.number for p in person.phones.all()] == ["+47 912 34 567"]
    assert [d.number for d in person.documents.all()] == ["A7654321"]
    assert not first.case.is_child

    second = Referral.objects.get(external_id="STOP-2").case
    assert second.person.estimated_age == 15 and second.person.date_of_birth is None
    assert second.person.names.get().given == "Ionuț" and second.is_child

    bare = Referral.objects.get(external_id="STOP-3").case.person
    assert bare.names.count() == 0 and bare.sex == "" and bare.nationalities == []

    imports = AuditEvent.objects.filter(action="import")
    assert imports.count() == 1
    event = imports.get()
    assert event.actor_username == "police"
    assert event.detail == {"rows": 3, "imported": 3, "skipped": 0}  # counts only: no file name, no values
    assert AuditEvent.objects.filter(action="create", object_type="cases.case").count() == 3


def test_importing_twice_changes_nothing(varde, write_csv, personas):
    path = write_csv(*CLEAN)
    assert varde("import", path, "--user", "police").code == 0
    before = (Person.objects.count(), Case.objects.count(), Referral.objects.count())
    again = varde("import", path, "--user", "police")
    assert again.code == 0
    assert "0 imported, 3 skipped" in again.out
    assert (Person.objects.count(), Case.objects.count(), Referral.objects.count()) == before
    assert AuditEvent.objects.filter(action="import").latest("seq").detail["skipped"] == 3


def test_a_partly_new_file_imports_only_the_new_rows(varde, write_csv, personas):
    assert varde("import", write_csv(CLEAN[0]), "--user", "police").code == 0
    result = varde("import", write_csv(*CLEAN, name="more.csv"), "--user", "police")
    assert "2 imported, 1 skipped" in result.out
    assert Referral.objects.count() == 3


@pytest.mark.parametrize("username", ["ngo", "analyst", "outsider", "auditor", "agencyadmin"])
def test_user_without_rights_for_the_agency_is_refused(varde, write_csv, personas, username):
    path = write_csv(*CLEAN)
    result = varde("import", path, "--user", username)
    assert result.code == 2
    assert "may not import" in result.err or "not a caseworker of the reporting agency" in result.err
    assert Referral.objects.count() == 0
    assert not AuditEvent.objects.filter(action="import").exists()


def test_caseworker_must_work_for_every_agency_in_the_file(varde, write_csv, personas):
    path = write_csv(CLEAN[0], "R-1,rosa,2024-03-01,,,,,,,,,")
    result = varde("import", path, "--user", "police")
    assert result.code == 2
    assert "not a caseworker of the reporting agency/agencies rosa" in result.err
    assert Referral.objects.count() == 0


def test_coordinator_imports_on_behalf_of_any_agency(varde, write_csv, personas, agencies):
    path = write_csv(CLEAN[0], "R-1,rosa,2024-03-01,,,,,,,,,")
    result = varde("import", path, "--user", "coordinator")
    assert result.code == 0, result.err
    assert Referral.objects.get(external_id="R-1").reporting_agency == agencies.ngo


def test_unknown_user_and_missing_file_are_one_line_errors(varde, write_csv, personas, tmp_path):
    unknown = varde("import", write_csv(*CLEAN), "--user", "nobody")
    assert unknown.code == 2 and unknown.err.strip() == "varde import: no active user named 'nobody'"
    missing = varde("import", str(tmp_path / "secret-name" / "gone.csv"), "--user", "police")
    assert missing.code == 2 and missing.err.strip() == "varde import: no such file: gone.csv"
    assert "Traceback" not in unknown.err + missing.err


def test_file_that_is_not_utf8_is_refused(varde, tmp_path, personas):
    from tests.cli.conftest import HEADER

    path = tmp_path / "latin1.csv"
    path.write_bytes((HEADER + "\nA,oslo-pd-stop,2024-01-01,Jørgen,,,,,,,,\n").encode("latin-1"))
    result = varde("import", str(path), "--user", "police")
    assert result.code == 2 and "not UTF-8" in result.err
    assert Referral.objects.count() == 0


def test_utf8_bom_and_lowercase_sex_are_accepted(varde, tmp_path, personas):
    from tests.cli.conftest import HEADER

    path = tmp_path / "bom.csv"
    path.write_bytes(("\ufeff" + HEADER + "\nA,oslo-pd-stop,2024-01-01,Ana,,f,,,br,,,\n").encode("utf-8"))
    result = varde("import", str(path), "--user", "police")
    assert result.code == 0, result.err
    person = Referral.objects.get(external_id="A").case.person
    assert person.sex == "F" and person.nationalities == ["BR"]


def test_failing_audit_write_rolls_the_whole_import_back(varde, write_csv, personas, monkeypatch):
    from varde.audit.services import AuditWriteFailed

    def fail(**kwargs):
        raise AuditWriteFailed("the audit event could not be written")

    monkeypatch.setattr("varde.interchange.services.audit_record", fail)
    before = counts()
    result = varde("import", write_csv(*CLEAN), "--user", "police")
    assert result.code == 1
    assert counts() == before
