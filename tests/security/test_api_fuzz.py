"""Fuzzing the API with schemathesis (issue #7): every operation in /api/schema/, as three personas
(police caseworker, child-welfare caseworker, KOM coordinator), at least 5,000 requests in all; no
server error and no response that breaks the schema (status code, content type, body).

The app is called in-process through WSGI (no server). Each persona signs in for real: password and
one-time code at POST /api/auth/token/, then `Authorization: Token ...` on every request.

Generated path ids are mostly random UUIDs (which answer 404), so three times in four the fuzzer's id is
swapped for a real one of the seeded world (cases of every agency, consents, invitations, assessments,
notifications, export requests), and a body's `version` / agency fields for the real ones: the fuzzer
then also reaches the 2xx, 403 and 409 answers, not only 404 and 400.

Every request runs in a savepoint that is rolled back, so the seeded world stays as it was (a
withdrawn consent or a closed case would otherwise hide the paths behind it for the rest of the run).
"""

from __future__ import annotations

import collections
import copy
import datetime as dt
import time
from typing import Any

import pytest
import schemathesis
from django.core.cache import cache
from django.core.handlers.wsgi import WSGIHandler
from django.core.signals import request_finished, request_started
from django.db import close_old_connections, transaction
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.core import NOT_SET as schemathesis_not_set
from schemathesis.core.failures import FailureGroup
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)
from werkzeug.test import Client

from tests.api.test_schema import EXPECTED
from tests.conftest import PASSWORD, break_glass, otp_code
from varde.cases.models import CaseParticipation, Consent
from varde.cases.services import case_invite_agency, consent_record, consent_withdraw
from varde.core import clock
from varde.identification.models import Assessment
from varde.identification.services import assessment_record, catalogues_load
from varde.interchange.approval import export_request_create
from varde.interchange.models import ExportRequest
from varde.prosecution.models import CriminalCase, PerpetratorLink
from varde.response.models import Notification
from varde.response.notifications import notification_acknowledge
from varde.response.placements import on_presumed_child

PERSONAS = ("police", "childwelfare", "coordinator")
# Examples per operation and persona: 36 operations x 3 personas x 48 = 5,184 requests. Hypothesis
# could stop early for an operation whose inputs it has exhausted: the assertion counts what was sent.
EXAMPLES = 48
MINIMUM_REQUESTS = 5_000
# The two promises: no 5xx, no response that breaks the schema.
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]


@pytest.fixture
def seeded(world):
    """The shared personas' world plus the records the API's paths name: running clocks and
    notifications for the child cases, an assessment per child case, a pending invitation to child
    welfare and an export request waiting for approval."""
    catalogues_load()
    p, c, a = world.personas, world.cases, world.agencies
    at = clock.now() - dt.timedelta(hours=2)
    for case in c.all():
        if case.is_child:
            on_presumed_child(case=case, occurred_at=at)
    case_invite_agency(actor=p.police, case=c.police_child, agency=a.childwelfare)
    for actor, case in ((p.police, c.police_child), (p.childwelfare, c.childwelfare_child)):
        assessment_record(
            actor=actor,
            case=case,
            catalogue_id="ilo_child_labour",
            indicator_ids=["dr_job_nature", "dr_wages", "ex_excessive_hours", "ex_low_pay"],
            conclusion="indicates_trafficking",
            reasoning="Worked long hours; promised school.",
        )
    # KOM opened the police's child case by break-the-glass (a missing child), so the coordinator
    # also reaches a case's own endpoints.
    break_glass(p.coordinator, c.police_child)
    export_request_create(actor=p.police, reason="Quarterly reconciliation with the police register.")
    export_request_create(actor=p.childwelfare, reason="Reconciliation with the municipal register.")
    # Records in a final state, so that the fuzzer also meets the 409s: a withdrawn consent and an
    # acknowledged notification.
    old = consent_record(
        actor=p.police,
        case=c.police_adult,
        purpose="Labour rights",
        given_on=dt.date(2026, 10, 2),
        agency=a.labour,
    )
    consent_withdraw(actor=p.police, consent=old)
    note = Notification.objects.filter(recipient_agency=a.childwelfare).first()
    assert note is not None
    notification_acknowledge(actor=p.childwelfare, notification=note)
    # A criminal case of the police with the police's adult case as aggrieved party (issue 18).
    from varde.prosecution import services as prosecution

    criminal_case = prosecution.criminal_case_open(
        actor=p.police,
        data=prosecution.CriminalCaseInput(
            police_district="oslo",
            offence="trafficking",
            facts_date=dt.date(2026, 1, 5),
            opened_on=dt.date(2026, 2, 2),
        ),
    )
    prosecution.victim_link_add(
        actor=p.police, criminal_case=criminal_case, case=c.police_adult, role="witness"
    )
    prosecution.perpetrator_add(
        actor=p.police, criminal_case=criminal_case, name="Fuzz Suspect", role="other"
    )
    return world


def _token(app: WSGIHandler, user: Any) -> str:
    """Sign in for real at POST /api/auth/token/: password and the current one-time code."""
    response = Client(app).post(
        "/api/auth/token/",
        json={
            "username": user.username,
            "password": PASSWORD,
            "otp_code": otp_code(user),
        },
        headers={"Host": "localhost"},
    )
    assert response.status_code == 200, response.get_data(as_text=True)
    return str(response.json["token"])


def _pools(world: Any) -> dict[str, list[str]]:
    """Real ids per path parameter (of every agency: the fuzzer must also meet the 404 for others')."""
    cases = world.cases.all()
    return {
        "case_id": [str(x.pk) for x in cases],
        "person_id": [str(x.person_id) for x in cases],
        "consent_id": [str(x) for x in Consent.objects.values_list("pk", flat=True)],
        "participation_id": [str(x) for x in CaseParticipation.objects.values_list("pk", flat=True)],
        "invitation_id": [str(x) for x in CaseParticipation.objects.values_list("pk", flat=True)],
        "assessment_id": [str(x) for x in Assessment.objects.values_list("pk", flat=True)],
        "notification_id": [str(x) for x in Notification.objects.values_list("pk", flat=True)],
        "request_id": [str(x) for x in ExportRequest.objects.values_list("pk", flat=True)],
        "catalogue_id": ["ilo_child_labour", "ilo_adult_sexual", "national_general"],
        "criminal_case_id": [str(x) for x in CriminalCase.objects.values_list("pk", flat=True)],
        "link_id": [str(x) for x in PerpetratorLink.objects.values_list("pk", flat=True)],
        "period_id": ["2003-2008", "2025-2026"],
    }


@pytest.fixture
def app():
    """The Django app as WSGI. Like Django's test client, keep the test's database connection open
    across requests: Django closes connections it finds in a transaction when a request starts or
    finishes, and the test's transaction (pytest-django) is one (PostgreSQL would lose it)."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield WSGIHandler()
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


def test_fuzz_the_api_as_three_personas(seeded, app):
    world = seeded
    schema = schemathesis.openapi.from_wsgi("/api/schema/", app)
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) == len(EXPECTED)  # every operation of the schema is fuzzed
    pools = _pools(world)
    agencies = [str(a.pk) for a in vars(world.agencies).values()]
    versions = {str(c.pk): c.version for c in world.cases.all()}

    made: collections.Counter[str] = collections.Counter()
    statuses: dict[str, collections.Counter[int]] = collections.defaultdict(collections.Counter)
    started = time.monotonic()

    for persona in PERSONAS:
        user = getattr(world.personas, persona)
        cache.clear()  # the token endpoint's throttle counts every sign-in; start each persona afresh
        headers = {"Authorization": f"Token {_token(app, user)}"}
        for operation in operations:
            # Throttling is part of the contract: the token endpoint answers 429 after 20 attempts a
            # minute (documented). Start every operation with fresh counts so that it is reached on
            # purpose (the token operation) and never leaks into the next operation's answers.
            cache.clear()
            _fuzz_operation(
                operation,
                headers,
                lambda data, case: _use_real_ids(data, case, pools, agencies, versions),
                made,
                statuses,
                persona,
            )

    elapsed = time.monotonic() - started
    total = sum(made.values())
    seen: collections.Counter[int] = collections.Counter()
    for codes in statuses.values():
        seen.update(codes)
    print(f"\nfuzz: {total} requests in {elapsed:.0f} s; per persona {dict(made)}; statuses {dict(seen)}")
    assert total >= MINIMUM_REQUESTS, dict(made)
    # The fuzzer got past the 404s: every persona reached 2xx answers on many operations.
    for persona in PERSONAS:
        ok = {
            label
            for label, codes in statuses.items()
            if label.startswith(persona + " ") and any(200 <= s < 300 for s in codes)
        }
        print(persona, "reached 2xx on", len(ok), "of", len(operations), "operations")
        assert len(ok) >= 15, (persona, sorted(ok))
    assert {200, 201, 400, 403, 404, 409, 429} <= set(seen), seen
    assert not any(code >= 500 for code in seen), seen


def _fuzz_operation(
    operation: Any,
    headers: dict[str, str],
    fix_up: Any,
    made: collections.Counter[str],
    statuses: dict[str, collections.Counter[int]],
    persona: str,
) -> None:
    """Fuzz one operation as one persona: valid and invalid inputs (schemathesis' positive and
    negative modes), every response checked."""
    strategy = st.one_of(
        operation.as_strategy(GenerationMode.POSITIVE),
        operation.as_strategy(GenerationMode.NEGATIVE),
    )

    @settings(
        max_examples=EXAMPLES,
        derandomize=True,  # the same requests on every run (CI is deterministic)
        database=None,  # no example database: nothing carried between runs either
        deadline=None,  # a loaded CI machine; time is bounded by max_examples instead
        phases=[Phase.generate],  # a failure is reported with its request; no shrinking time
        suppress_health_check=[
            # The world fixture is function-scoped but deliberately shared by every example: each
            # request is rolled back (below), so examples cannot leak into each other.
            HealthCheck.function_scoped_fixture,
            # Negative bodies of nested schemas are rejected by hypothesis' filters more often than
            # it likes, and each example is a full request: neither is a problem for this budget.
            HealthCheck.filter_too_much,
            HealthCheck.too_slow,
            HealthCheck.large_base_example,
            HealthCheck.data_too_large,
        ],
    )
    @given(data=st.data())
    def run(data: st.DataObject) -> None:
        case = data.draw(strategy)
        fix_up(data, case)
        with transaction.atomic():
            response = case.call(headers=headers)
            transaction.set_rollback(True)
        made[persona] += 1
        statuses[f"{persona} {operation.label}"][response.status_code] += 1
        case.validate_response(response, checks=CHECKS, headers=headers)

    run()


def _use_real_ids(
    data: st.DataObject, case: Any, pools: dict[str, list[str]], agencies: list[str], versions: dict[str, int]
) -> None:
    """Mostly swap the fuzzer's ids for real ones (see the module docstring)."""
    path = case.path_parameters or {}
    for name in list(path):
        if name in pools and pools[name] and data.draw(st.integers(0, 3), label=f"real {name}"):
            path[name] = data.draw(st.sampled_from(pools[name]), label=name)
    body = case.body
    if not isinstance(body, dict):
        return
    if "version" in body and data.draw(st.booleans(), label="real version"):
        current = versions.get(str(path.get("case_id")), 1)
        body["version"] = data.draw(st.sampled_from([current, current - 1]), label="version")  # or stale
    for field in ("agency", "reporting_agency"):
        if field in body and data.draw(st.booleans(), label=f"real {field}"):
            body[field] = data.draw(st.sampled_from(agencies), label=field)
    referral = body.get("referral")
    if isinstance(referral, dict) and "reporting_agency" in referral and data.draw(st.booleans()):
        referral["reporting_agency"] = data.draw(st.sampled_from(agencies), label="reporting_agency")


def test_the_checks_catch_a_server_error_and_a_broken_body(seeded, app):
    """The fuzz test's checks are not a formality: a 500 and a body that breaks the schema both fail."""
    schema = schemathesis.openapi.from_wsgi("/api/schema/", app)
    headers = {"Authorization": f"Token {_token(app, seeded.personas.police)}"}
    case = schema["/api/me/"]["GET"].Case()
    response = case.call(headers=headers)
    assert response.status_code == 200
    server_error, broken = copy.copy(response), copy.copy(response)
    case.validate_response(response, checks=CHECKS, headers=headers)  # the real answer passes
    server_error.status_code = 500
    broken.content = b'{"agencies": "not a list"}'
    broken._deserialized = schemathesis_not_set
    for bad in (server_error, broken):
        with pytest.raises(FailureGroup):
            case.validate_response(bad, checks=CHECKS, headers=headers)
