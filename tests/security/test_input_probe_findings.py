"""Issue 21, finding 5: the input findings of the outside probe, each reproduced as the attack it was.

- deeply nested JSON answered 500 (RecursionError) on every JSON endpoint, the anonymous token
  endpoint included;
- a phone-shaped value such as `-1-1-1-1` skipped formula neutralising in the CSV export;
- the CSV import accepted NUL bytes and called a 2 MB field "malformed quoting";
- names and notes accepted bidirectional overrides (U+202E) and names made only of zero-width
  characters, in the pages, the API and the import alike (one rule: varde.core.hygiene);
- a stale status form answered 200 "choose a valid option" instead of the 409 conflict.
"""

from __future__ import annotations

import csv
import io

import pytest
from django.test import Client
from django.urls import reverse

from tests.api.test_report import payload
from tests.conftest import login_verified
from varde.access.interchange import export_rows
from varde.cases.models import CaseEvent, CaseStatus
from varde.cases.services import case_change_status
from varde.core import clock, hygiene
from varde.interchange.models import ExportRequest
from varde.interchange.services import (
    COLUMNS,
    InterchangeError,
    parse_rows,
    validate_rows,
)
from varde.persons.models import PersonName, PhoneNumber

RLO = "\u202e"  # RIGHT-TO-LEFT OVERRIDE
ZWSP = "\u200b"  # ZERO WIDTH SPACE
ZWJ = "\u200d"  # ZERO WIDTH JOINER
HEADER = ",".join(COLUMNS)


def nested(depth: int) -> str:
    return "[" * depth + "]" * depth


# --- deeply nested JSON -------------------------------------------------------------------------------


@pytest.mark.parametrize("depth", [100_000, 1_000])
def test_deeply_nested_json_answers_400_at_the_anonymous_token_endpoint(db, depth):
    response = Client().post("/api/auth/token/", nested(depth), content_type="application/json")
    assert response.status_code == 400
    assert response.json()["detail"]


def test_deeply_nested_json_answers_400_on_an_authenticated_endpoint(world):
    client = login_verified(Client(), world.personas.police)
    case = world.cases.police_adult
    body = '{"text": ' + nested(50_000) + "}"
    response = client.post(f"/api/cases/{case.pk}/notes/", body, content_type="application/json")
    assert response.status_code == 400
    assert not case.events.filter(kind=CaseEvent.Kind.NOTE).exists()


def test_ordinary_nesting_still_parses(world):
    client = login_verified(Client(), world.personas.police)
    body = '{"text": "Called the shelter [1] {ok}", "extra": [[{"a": ["]]]"]}]]}'
    response = client.post(
        f"/api/cases/{world.cases.police_adult.pk}/notes/", body, content_type="application/json"
    )
    assert response.status_code == 201, response.content


# --- CSV export: formula neutralising ---------------------------------------------------------------


def _export(world) -> list[dict[str, str]]:
    police = world.personas.police
    request = ExportRequest.objects.create(
        requested_by=police,
        reason="Needed for the test",
        requested_at=clock.now(),
        approved_by=world.personas.coordinator,
        approved_at=clock.now(),
    )
    out = io.StringIO()
    export_rows(user=police, out=out, request=request)
    return list(csv.DictReader(io.StringIO(out.getvalue().split("\n", 1)[1])))


@pytest.mark.parametrize("phone", ["-1-1-1-1", "+1-1", "+47 912-34-567", "-47 912 34 567", "+47(0)91234567"])
def test_a_phone_shaped_formula_is_neutralised_in_the_export(world, phone):
    person = world.cases.police_adult.person
    PhoneNumber.objects.filter(person=person).update(number=phone)
    rows = _export(world)
    cell = next(r["phone"] for r in rows if r["given_name"] == "Blessing")
    assert cell == "'" + phone


@pytest.mark.parametrize("phone", ["+47 912 34 567", "91234567", "+4791234567"])
def test_a_plain_phone_number_is_exported_as_it_is(world, phone):
    person = world.cases.police_adult.person
    PhoneNumber.objects.filter(person=person).update(number=phone)
    cell = next(r["phone"] for r in _export(world) if r["given_name"] == "Blessing")
    assert cell == phone


def test_a_neutralised_phone_imports_back_as_it_was(world):
    PhoneNumber.objects.filter(person=world.cases.police_adult.person).update(number="+47 912-34-567")
    text = HEADER + "\n" + "\n".join(",".join(r[c] for c in COLUMNS) for r in _export(world)) + "\n"
    header, raw = parse_rows(io.StringIO(text))
    valid, problems = validate_rows(header, raw)
    assert problems == []
    assert {p for v in valid for p in v.data.phones} >= {"+47 912-34-567"}


# --- CSV import: NUL bytes and long fields ------------------------------------------------------------


def _problems(*lines: str) -> list[str]:
    header, raw = parse_rows(io.BytesIO(("\n".join([HEADER, *lines]) + "\n").encode()))
    return [str(p) for p in validate_rows(header, raw)[1]]


def test_a_nul_byte_in_the_import_is_refused_with_its_row(world):
    problems = _problems(
        "A1,oslo-pd-stop,2024-01-01,Joy,,,,,,,,", "A2,oslo-pd-stop,2024-01-01,Jo\x00y,,,,,,,,"
    )
    assert problems == ["row 3: given_name contains a control character (such as NUL)"]


def test_a_nul_byte_in_any_column_is_refused(world):
    problems = _problems("A1\x00,oslo-pd-stop,2024-01-01,,,,,,,,,")
    assert problems == ["row 2: record_id contains a control character (such as NUL)"]


def test_a_two_megabyte_field_is_called_too_long_not_malformed(world):
    huge = "A" * 2_000_000
    with pytest.raises(InterchangeError) as error:
        parse_rows(io.BytesIO(f'{HEADER}\nA1,oslo-pd-stop,2024-01-01,"{huge}",,,,,,,,\n'.encode()))
    message = str(error.value)
    assert "line 2" in message and "too long" in message and "quoting" not in message


def test_bad_quoting_is_still_called_malformed(world):
    with pytest.raises(InterchangeError, match="malformed"):
        parse_rows(io.BytesIO(f'{HEADER}\nA1,oslo-pd-stop,2024-01-01,"Jo"y,,,,,,,,\n'.encode()))


# --- one input-hygiene rule: names and notes ----------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "name", "ok"),
    [
        ("Blessing", True, True),
        ("Ionuț Căldăraru", True, True),
        ("می\u200cخواهم", True, True),  # a zero-width non-joiner inside a Persian word is spelling
        ("क्\u200dष", True, True),  # a zero-width joiner inside Devanagari
        ("\u200fمحمد", True, True),  # a right-to-left mark (not an override)
        (ZWSP * 3, True, False),
        (ZWJ + ZWSP + "\ufeff", True, False),
        ("\u3164", True, False),  # Hangul filler: a letter that shows nothing
        ("Bless" + RLO + "gni", True, False),
        ("Bless\u2066ing\u2069", True, False),  # isolates
        ("Jo\x00y", True, False),
        ("line\nbreak and\ttab", False, True),
        ("note" + RLO + "txt.exe", False, False),
        ("bell\x07", False, False),
        (ZWSP * 3, False, True),  # notes need no visible character rule (a blank note is refused elsewhere)
    ],
)
def test_the_hygiene_rule(value, name, ok):
    check = hygiene.name_problem if name else hygiene.text_problem
    assert (check(value) is None) == ok


def test_the_web_refuses_a_bidi_override_in_a_note_and_an_invisible_name(world):
    case = world.cases.police_adult
    client = login_verified(Client(HTTP_ACCEPT_LANGUAGE="en"), world.personas.police)
    note = client.post(reverse("case-note", args=[case.pk]), {"note-text": "Fine" + RLO + "txt"})
    assert note.status_code == 200 and "ds-error-summary" in note.content.decode()
    assert not case.events.filter(kind=CaseEvent.Kind.NOTE).exists()
    names_before = PersonName.objects.count()
    for given in (ZWSP * 4, "Eve" + RLO + "lyn"):
        name = client.post(
            reverse("case-name", args=[case.pk]),
            {"name-given": given, "name-family": "", "name-kind": "alias", "name-script": "Latn"},
        )
        assert name.status_code == 200 and 'href="#id_name-given"' in name.content.decode()
    assert PersonName.objects.count() == names_before


def test_the_report_page_refuses_an_invisible_name(world):
    client = login_verified(Client(HTTP_ACCEPT_LANGUAGE="en"), world.personas.police)
    response = client.post(
        reverse("report"),
        {
            "agency": world.agencies.police.pk,
            "referral_date": "2026-10-05",
            "given_name": ZWSP + ZWJ,
            "family_name": "Obi",
        },
    )
    assert response.status_code == 200 and 'href="#id_given_name"' in response.content.decode()


def test_the_api_refuses_a_bidi_override_in_a_note_and_an_invisible_name(world, api):
    case = world.cases.police_adult
    client = api.as_(world.personas.police)
    note = client.post(f"/api/cases/{case.pk}/notes/", {"text": "Fine" + RLO + "txt"}, format="json")
    assert note.status_code == 400 and "text" in note.json()
    body = payload(world)
    body["person"]["names"][0]["given"] = ZWSP * 4
    report = client.post("/api/cases/", body, format="json")
    assert report.status_code == 400, report.content
    body = payload(world)
    body["person"]["names"][0]["family"] = "O" + RLO + "bi"
    assert client.post("/api/cases/", body, format="json").status_code == 400


def test_the_import_refuses_a_bidi_override_and_an_invisible_name(world):
    problems = _problems(
        f"A1,oslo-pd-stop,2024-01-01,{ZWSP}{ZWSP},Obi,,,,,,,",
        f"A2,oslo-pd-stop,2024-01-01,Grace,O{RLO}bi,,,,,,,",
        "A3,oslo-pd-stop,2024-01-01,Grace,Obi,,,,,,,",
    )
    assert problems == [
        "row 2: given_name has no visible character",
        "row 3: family_name contains a bidirectional control character (such as U+202E)",
    ]


# --- a stale status form ----------------------------------------------------------------------------


def test_a_stale_status_form_answers_409_not_choose_a_valid_option(world):
    case = world.cases.police_adult
    police = world.personas.police
    stale_version = case.version
    # Someone else moves the case on: "under assessment" was a choice from "reported", not from "assistance".
    case = case_change_status(
        actor=police, case=case, status=CaseStatus.UNDER_ASSESSMENT, reason="x", version=case.version
    )
    case.refresh_from_db()
    case = case_change_status(
        actor=police, case=case, status=CaseStatus.IDENTIFIED, reason="y", version=case.version
    )
    case.refresh_from_db()
    case = case_change_status(
        actor=police, case=case, status=CaseStatus.ASSISTANCE, reason="z", version=case.version
    )
    client = login_verified(Client(HTTP_ACCEPT_LANGUAGE="en"), police)
    response = client.post(
        reverse("case-status", args=[case.pk]),
        {"status-status": "under_assessment", "status-reason": "old form", "status-version": stale_version},
    )
    assert response.status_code == 409
    case.refresh_from_db()
    assert case.status == CaseStatus.ASSISTANCE
