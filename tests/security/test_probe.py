"""A scripted probe (issue 21): the outside probe's attacks, repeated over HTTP the way the probe sent
them (real sign-ins: password, one-time code, API token), each listing what it finds. Each must find
nothing. The attacks and the tests that hold each one in detail are in docs/THREAT_MODEL.md.

- the interleaved lockout attack (4 wrong passwords for one account, 1 right one for another, again);
- the analyst / auditor code skip, for every persona, on the pages and the API;
- the one-time-code page showing the menu, the notification count or the user's name; a throttled
  code called "wrong";
- deeply nested JSON on every JSON endpoint, anonymous and signed in;
- spreadsheet formulas in the CSV export; NUL, bidirectional overrides, invisible names and 2 MB
  fields through the pages, the API and the CSV import;
- a stale status form.

The existence oracle (finding 3) is probed over HTTP in tests/security/test_existence_oracle.py; the
import that blocks audited reads (finding 4) is held elsewhere.
"""

from __future__ import annotations

import csv
import io
import re
import uuid

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice

from tests.api.test_report import payload
from tests.api.test_schema import EXPECTED
from tests.conftest import PASSWORD, login_verified, otp_code
from varde.access.interchange import export_rows
from varde.cases.models import CaseEvent, CaseStatus
from varde.cases.services import case_change_status
from varde.core import clock
from varde.interchange.models import ExportRequest
from varde.interchange.services import COLUMNS, FORMULA_STARTS, InterchangeError, parse_rows, validate_rows
from varde.persons.models import PersonName, PhoneNumber

PERSONAS = (
    "police",
    "childwelfare",
    "ngo",
    "coordinator",
    "analyst",
    "outsider",
    "agency_admin",
    "sysadmin",
    "auditor",
)
ATTACKER = "203.0.113.66"
RLO, ZWSP, ZWJ = "\u202e", "\u200b", "\u200d"
HOSTILE_NAMES = (ZWSP * 3, ZWJ + ZWSP, "\u3164", "Eve" + RLO + "lyn", "Jo\x00y", "a\u2066b\u2069")
HOSTILE_NOTES = ("note" + RLO + "txt.exe", "bell\x07", "nul\x00")
FORMULAS = ("-1-1-1-1", "+47 912-34-567", "=1+1", "@SUM(A1)", "+1-1", "-47 912 34 567")
PLAIN_NUMBER = re.compile(r"\+?[0-9][0-9 ]*")


def _sign_in(client: Client, username: str, password: str = PASSWORD) -> int:
    return client.post(reverse("login"), {"username": username, "password": password}).status_code


def _token(user) -> str:
    response = Client().post(
        "/api/auth/token/",
        {"username": user.username, "password": PASSWORD, "otp_code": otp_code(user)},
        content_type="application/json",
    )
    assert response.status_code == 200, response.content
    return str(response.json()["token"])


# --- sign-in ----------------------------------------------------------------------------------------


def test_probe_interleaved_lockout_attack(world, settings):
    settings.AXES_FAILURE_LIMIT = 5
    findings: list[str] = []
    for via in ("web", "api"):
        answered = 0
        for _ in range(3):
            for _ in range(4):
                if via == "web":
                    status = _sign_in(Client(REMOTE_ADDR=ATTACKER), "police", "wrong")
                else:
                    status = (
                        Client(REMOTE_ADDR=ATTACKER)
                        .post(
                            "/api/auth/token/",
                            {"username": "police", "password": "wrong", "otp_code": "000000"},
                            content_type="application/json",
                        )
                        .status_code
                    )
                answered += status != 429
            _sign_in(Client(REMOTE_ADDR=ATTACKER), "outsider")
        if answered > settings.AXES_FAILURE_LIMIT - 1:
            findings.append(f"{via}: {answered} guesses against one account were checked")
        if _sign_in(Client(REMOTE_ADDR="198.51.100.7"), "police") != 429:
            findings.append(f"{via}: the attacked account is not locked after the attack")
        from axes.models import AccessAttempt

        AccessAttempt.objects.all().delete()  # the next round starts unlocked
    assert findings == []


def test_probe_no_persona_skips_the_code(world):
    findings: list[str] = []
    for name in PERSONAS:
        user = getattr(world.personas, name)
        client = Client()
        if _sign_in(client, user.username) != 302:
            findings.append(f"{name}: the password step failed")
            continue
        for path in ("/", reverse("notifications"), reverse("exports"), reverse("statistics-index")):
            if client.get(path).status_code == 200:
                findings.append(f"{name}: {path} answers 200 before the code")
        for path in ("/api/me/", "/api/cases/", "/api/notifications/"):
            if client.get(path).status_code != 403:
                findings.append(f"{name}: {path} does not refuse a session without the code")
    assert findings == []


def test_probe_the_code_page_shows_nothing_of_the_account(world):
    findings: list[str] = []
    for name in PERSONAS:
        user = getattr(world.personas, name)
        user.full_name = f"Probe Person {name}"
        user.save(update_fields=["full_name"])
        client = Client(HTTP_ACCEPT_LANGUAGE="en")
        _sign_in(client, user.username)
        body = client.get(reverse("login-otp")).content.decode()
        for marker, what in (
            ('class="varde-nav"', "the menu"),
            ('data-testid="inbox-count"', "the notification count"),
            (user.full_name, "the user's name"),
            ('class="varde-user"', "the user box"),
        ):
            if marker in body:
                findings.append(f"{name}: the code page shows {what}")
        # A throttled code is "wait", never "wrong".
        TOTPDevice.objects.filter(user=user, confirmed=True).update(
            throttling_failure_count=5, throttling_failure_timestamp=timezone.now()
        )
        answer = client.post(reverse("login-otp"), {"otp_code": "123456"}).content.decode()
        if "not right" in answer or "Wait" not in answer:
            findings.append(f"{name}: a throttled code is not answered with 'wait'")
    assert findings == []


# --- nested JSON -------------------------------------------------------------------------------------


def _json_endpoints(world) -> list[str]:
    """Every POST operation of the API, its path ids filled in with a real case / person where the
    name says so, a random id elsewhere (the body is parsed before or after the lookup, either way)."""
    case = world.cases.police_adult
    real = {"case_id": str(case.pk), "person_id": str(case.person_id), "catalogue_id": "nrm-adult"}
    paths = []
    for path, method in sorted(EXPECTED):
        if method != "post":
            continue
        paths.append(re.sub(r"\{(\w+)\}", lambda m: real.get(m.group(1), str(uuid.uuid4())), path))
    return paths


@pytest.mark.parametrize("depth", [100_000, 2_000])
def test_probe_nested_json_everywhere(world, depth):
    findings: list[str] = []
    body = "[" * depth + "]" * depth
    anonymous = Client()
    answer = anonymous.post("/api/auth/token/", body, content_type="application/json")
    if answer.status_code != 400:
        findings.append(f"anonymous /api/auth/token/: {answer.status_code}")
    token = _token(world.personas.police)
    signed_in = Client(HTTP_AUTHORIZATION=f"Token {token}")
    session = login_verified(Client(), world.personas.coordinator)
    for path in _json_endpoints(world):
        for who, client in (("anonymous", anonymous), ("token", signed_in), ("session", session)):
            status = client.post(path, body, content_type="application/json").status_code
            if status >= 500:
                findings.append(f"{who} {path}: {status}")
    assert findings == []


# --- formulas, NUL, bidi, invisible names, long fields --------------------------------------------------


def test_probe_formulas_in_the_export(world):
    findings: list[str] = []
    person = world.cases.police_adult.person
    for value in FORMULAS:
        PhoneNumber.objects.filter(person=person).update(number=value)
        PersonName.objects.filter(person=person).update(family=value)
        request = ExportRequest.objects.create(
            requested_by=world.personas.police,
            reason="The probe's export",
            requested_at=clock.now(),
            approved_by=world.personas.coordinator,
            approved_at=clock.now(),
        )
        out = io.StringIO()
        export_rows(user=world.personas.police, out=out, request=request)
        for row in csv.reader(io.StringIO(out.getvalue().split("\n", 1)[1])):
            for cell in row:
                if cell.startswith(FORMULA_STARTS) and not PLAIN_NUMBER.fullmatch(cell):
                    findings.append(f"{value!r}: exported as a live formula")
    assert findings == []


def test_probe_hostile_text_through_pages_api_and_import(world):
    findings: list[str] = []
    case = world.cases.police_adult
    police = world.personas.police
    web = login_verified(Client(HTTP_ACCEPT_LANGUAGE="en"), police)
    api = Client(HTTP_AUTHORIZATION=f"Token {_token(police)}")
    names_before = PersonName.objects.count()
    notes_before = CaseEvent.objects.filter(kind=CaseEvent.Kind.NOTE).count()

    for name in HOSTILE_NAMES:
        page = web.post(
            reverse("case-name", args=[case.pk]),
            {"name-given": name, "name-family": "", "name-kind": "alias", "name-script": "Latn"},
        )
        if page.status_code != 200:
            findings.append(f"web name {name!r}: {page.status_code}")
        body = payload(world)
        body["person"]["names"][0]["given"] = name
        answer = api.post("/api/cases/", body, content_type="application/json")
        if answer.status_code != 400:
            findings.append(f"API name {name!r}: {answer.status_code}")
    for note in HOSTILE_NOTES:
        page = web.post(reverse("case-note", args=[case.pk]), {"note-text": note})
        if page.status_code != 200:
            findings.append(f"web note {note!r}: {page.status_code}")
        answer = api.post(f"/api/cases/{case.pk}/notes/", {"text": note}, content_type="application/json")
        if answer.status_code != 400:
            findings.append(f"API note {note!r}: {answer.status_code}")
    if PersonName.objects.count() != names_before:
        findings.append("a hostile name was saved")
    if CaseEvent.objects.filter(kind=CaseEvent.Kind.NOTE).count() != notes_before:
        findings.append("a hostile note was saved")

    header = ",".join(COLUMNS)
    for i, name in enumerate((*HOSTILE_NAMES, *HOSTILE_NOTES)):
        line = f"P{i},oslo-pd-stop,2024-01-01,{name},Obi,,,,,,,"
        parsed_header, raw = parse_rows(io.BytesIO(f"{header}\n{line}\n".encode()))
        valid, problems = validate_rows(parsed_header, raw)
        if valid or not any(p.line == 2 for p in problems):
            findings.append(f"import {name!r}: accepted or not named by row")
    try:
        parse_rows(io.BytesIO(f'{header}\nP,oslo-pd-stop,2024-01-01,"{"x" * 2_000_000}",,,,,,,,\n'.encode()))
        findings.append("import: a 2 MB field was read")
    except InterchangeError as error:
        if "too long" not in str(error):
            findings.append(f"import: a 2 MB field is reported as {error}")
    assert findings == []


# --- a stale form --------------------------------------------------------------------------------------


def test_probe_stale_status_form(world):
    findings: list[str] = []
    case = world.cases.police_adult
    police = world.personas.police
    stale = case.version
    for status in (CaseStatus.UNDER_ASSESSMENT, CaseStatus.IDENTIFIED):
        case = case_change_status(
            actor=police, case=case, status=status, reason="moved on", version=case.version
        )
    client = login_verified(Client(HTTP_ACCEPT_LANGUAGE="en"), police)
    for posted in ("under_assessment", "closed", "assistance"):
        for htmx in (False, True):
            headers = {"HTTP_HX_REQUEST": "true"} if htmx else {}
            answer = client.post(
                reverse("case-status", args=[case.pk]),
                {
                    "status-status": posted,
                    "status-reason": "an old tab",
                    "status-closure_reason": "lost_contact",
                    "status-version": stale,
                },
                **headers,
            )
            if answer.status_code != 409:
                findings.append(f"stale form to {posted} (htmx={htmx}): {answer.status_code}")
    case.refresh_from_db()
    if case.status != CaseStatus.IDENTIFIED:
        findings.append("a stale form changed the status")
    assert findings == []
