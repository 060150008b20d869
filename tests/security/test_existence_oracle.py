"""Issue 21, finding 3: the existence oracle. A caseworker of an agency taking part in no case (the
probe used a prosecution office; here the labour inspection's `outsider`) reported the name, birth
date, sex and nationality of a person another agency had registered, and was told "another agency
probably has an earlier registration of this person". Each probe left a case; the audit showed a count.

Now the reporter is told only of records in cases their own agency takes part in (which they may
already open); every probable match goes to KOM's review queue from the worker, after the report, so
neither the page nor its timing depends on a record the reporter cannot see; each report with such
a hidden match is audited for its reporter, and repeated ones raise an alert the auditors see.
"""

from __future__ import annotations

import pytest
from django.conf import settings
from django.contrib.messages import get_messages
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tests.conftest import login_verified
from tests.factories import ESTHER_BORN, esther_by_police, esther_input, share_case
from tests.web.test_report import form_data
from varde.audit.alerts import HIDDEN_MATCHES
from varde.audit.models import AuditEvent, SecurityAlert
from varde.cases.models import Case
from varde.core import clock
from varde.linkage.models import ReviewItem
from varde.linkage.selectors import earlier_matches, likely_earlier_records
from varde.response.worker import run_worker

pytestmark = pytest.mark.django_db

# What the probe sent: a name, a birth date, sex and nationality, nothing else.
PROBE = dict(
    given_name="Esther",
    family_name="Igbinovia",
    sex="F",
    date_of_birth=ESTHER_BORN.isoformat(),
    estimated_age="",
    estimated_age_certainty="",
    nationality="NG",
    phone="",
    document_type="",
    document_number="",
    document_country="",
)


def _report(client: Client, **overrides) -> tuple[Case, list[str], str]:
    """Report through the page; the new case, the messages shown and the case page's text. A report the
    reporter's own agency already has (a probe repeated: issue 20, point 3) is saved anyway, after the
    notice, which names only cases the reporter may open."""
    response = client.post(reverse("report"), form_data(**overrides))
    if response.status_code == 200 and response.context.get("matches"):
        user = response.wsgi_request.user
        for match in response.context["matches"]:
            assert Case.objects.filter(
                pk=match.case.pk, participations__agency_id__in=user.case_agency_ids()
            ).exists()
        token = response.context["confirm_token"]
        response = client.post(reverse("report"), form_data(**overrides, confirm_new_case=token))
    assert response.status_code == 302, response.context["form"].errors
    page = client.get(response.url)
    shown = [str(m) for m in get_messages(page.wsgi_request)]
    case = Case.objects.get(pk=response.url.rstrip("/").split("/")[-1])
    return case, shown, page.content.decode()


def _client(user) -> Client:
    client = login_verified(Client(), user)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


def _without_reference(messages: list[str], case: Case) -> list[str]:
    return [m.replace(case.reference, "<ref>") for m in messages]


def test_the_probe_learns_nothing_from_a_hidden_earlier_record(personas, agencies):
    earlier = esther_by_police(personas, agencies)
    client = _client(personas.outsider)
    probe, probe_messages, probe_page = _report(client, **PROBE)
    # the probe's input does match the police record (the old hint answered yes to it) ...
    new_rows = [{"record_id": "new", "reporting_agency": str(agencies.labour.pk), **_rows(PROBE)}]
    assert earlier.referrals.get().pk in earlier_matches(new_rows, agency_id=agencies.labour.pk)
    # ... yet the reporter is told exactly what a report of a stranger tells them
    stranger, stranger_messages, _page = _report(client, given_name="Kari", family_name="Nordmann")
    assert _without_reference(probe_messages, probe) == _without_reference(stranger_messages, stranger)
    assert not any("earlier record" in m for m in probe_messages)
    for secret in ("earlier record", earlier.reference, str(earlier.pk)):
        assert secret not in probe_page
    hint = AuditEvent.objects.filter(object_type="linkage.earlier_records", actor_id=personas.outsider.pk)
    assert [e.detail for e in hint] == [{"likely_earlier_records": 0}] * 2


def test_the_hint_reads_nothing_of_cases_the_reporter_cannot_see(personas, agencies):
    """The answer's timing cannot tell either: the lookup runs the same queries and reads no referral
    when the only matching record is in a case the reporter's agency does not take part in."""
    with CaptureQueriesContext(connection) as before:
        likely_earlier_records(referral_data=esther_input(), agency=agencies.labour)
    esther_by_police(personas, agencies)
    with CaptureQueriesContext(connection) as after:
        hint = likely_earlier_records(referral_data=esther_input(), agency=agencies.labour)
    assert not hint.exists
    assert [q["sql"] for q in after.captured_queries] == [q["sql"] for q in before.captured_queries]


def test_the_match_goes_to_kom_s_review_queue_with_the_reporter_audited(personas, agencies):
    earlier = esther_by_police(personas, agencies)
    probe, _messages, _page = _report(_client(personas.outsider), **PROBE)
    assert not ReviewItem.objects.exists()  # nothing is done in the reporter's request
    assert run_worker(once=True).events >= 1
    item = ReviewItem.objects.get()
    assert item.run is None and item.state == ReviewItem.State.OPEN
    assert {item.record_a_id, item.record_b_id} == {earlier.referrals.get().pk, probe.referrals.get().pk}
    event = AuditEvent.objects.get(object_type="linkage.hidden_match")
    assert event.actor_id == personas.outsider.pk and event.object_id == str(probe.referrals.get().pk)
    assert event.detail == {"hidden_matches": 1, "queued": 1}
    # the coordinators see the pair in their queue
    page = _client(personas.coordinator).get(reverse("linkage-review"))
    assert page.status_code == 200 and str(item.pk) in page.content.decode()
    # a second run of the worker queues nothing twice
    assert run_worker(once=True).events == 0 and ReviewItem.objects.count() == 1


def test_the_hint_is_given_where_the_reporter_s_agency_takes_part(personas, agencies):
    earlier = esther_by_police(personas, agencies)
    client = _client(personas.childwelfare)
    _case, messages, _page = _report(client, **PROBE)
    assert not any("earlier record" in m for m in messages)
    run_worker(once=True)
    share_case(earlier, lead=personas.police, agency=agencies.childwelfare, accepter=personas.childwelfare)
    _case, messages, page = _report(client, **PROBE)
    hints = [m for m in messages if "earlier record" in m]
    assert len(hints) == 1 and personas.coordinator.full_name in hints[0]
    for secret in (agencies.police.name, earlier.reference, str(earlier.pk)):
        assert secret not in hints[0]
    run_worker(once=True)
    # only the first report matched a record hidden from child welfare
    assert AuditEvent.objects.filter(object_type="linkage.hidden_match").count() == 1


def test_repeated_hidden_matches_by_one_user_alert_the_auditors(personas, agencies):
    esther_by_police(personas, agencies)
    client = _client(personas.outsider)
    for _ in range(HIDDEN_MATCHES.threshold - 1):
        _report(client, **PROBE)
    run_worker(once=True)
    assert not SecurityAlert.objects.exists()
    _report(client, given_name="Kari", family_name="Nordmann")  # a stranger is no hidden match
    run_worker(once=True)
    assert not SecurityAlert.objects.exists()
    _report(client, **PROBE)
    run_worker(once=True)
    alert = SecurityAlert.objects.get()
    assert alert.kind == SecurityAlert.Kind.HIDDEN_MATCHES and alert.user_id == personas.outsider.pk
    assert alert.count == HIDDEN_MATCHES.threshold
    assert AuditEvent.objects.filter(object_type="audit.securityalert", object_id=str(alert.pk)).exists()
    # one alert per window, however many more
    _report(client, **PROBE)
    run_worker(once=True)
    assert SecurityAlert.objects.count() == 1
    # the auditors see it; the user, a coordinator and an administrator do not
    seen = _client(personas.auditor).get(reverse("dashboard")).content.decode()
    assert "Security alerts" in seen and personas.outsider.username in seen
    for other in (personas.outsider, personas.coordinator, personas.sysadmin):
        assert "Security alerts" not in _client(other).get(reverse("dashboard")).content.decode()


def _rows(data: dict[str, str]) -> dict[str, str]:
    return {
        "referral_date": clock.today().isoformat(),
        "given_name": data["given_name"],
        "family_name": data["family_name"],
        "sex": data["sex"],
        "date_of_birth": data["date_of_birth"],
        "estimated_age": "",
        "nationality": data["nationality"],
        "phone": "",
        "id_document_number": "",
    }
