import datetime as dt

import pytest
from django.urls import reverse

from tests.conftest import break_glass, login_verified
from varde.audit import services as audit_services
from varde.audit.models import AuditEvent
from varde.cases.models import (
    Case,
    CaseEvent,
    CaseParticipation,
    CaseStatus,
    Consent,
    ParticipationState,
    StatusChange,
)
from varde.cases.services import case_change_status


def url(case, name="case-detail", *args):
    return reverse(name, args=[case.pk, *args])


@pytest.mark.parametrize("name", ["outsider", "analyst", "auditor", "agency_admin", "sysadmin"])
def test_users_without_the_case_get_404(login, world, name):
    client = login(getattr(world.personas, name))
    case = world.cases.police_adult
    response = client.get(url(case))
    assert response.status_code == 404
    assert case.reference not in response.content.decode() and "Blessing" not in response.content.decode()
    for action in ("case-status", "case-note", "case-invite", "case-consent", "case-name"):
        assert client.post(url(case, action), {"note-text": "x"}).status_code == 404
    assert not CaseEvent.objects.filter(case=case, kind="note").exists()


def test_caseworker_sees_own_and_shared_case_but_not_another_agencys(login, world):
    c = world.cases
    ngo = login(world.personas.ngo)
    own = ngo.get(url(c.ngo_child))
    assert own.status_code == 200 and "Liang Wei" in own.content.decode()
    shared = ngo.get(url(c.police_adult))
    assert shared.status_code == 200 and "Blessing Okafor" in shared.content.decode()
    assert ngo.get(url(c.police_child)).status_code == 404
    assert ngo.get(url(c.childwelfare_adult)).status_code == 404


def test_coordinator_opens_a_case_only_by_breaking_the_glass(login, world):
    client = login(world.personas.coordinator)
    for case in world.cases.all():
        assert client.get(url(case)).status_code == 404  # KOM takes part in none of them
    for case in world.cases.all():
        break_glass(world.personas.coordinator, case)
        assert client.get(url(case)).status_code == 200


def test_case_page_shows_the_case_and_writes_a_view_event(login, world):
    case = world.cases.police_child
    before = AuditEvent.objects.count()
    response = login(world.personas.police).get(url(case))
    body = response.content.decode()
    assert response.status_code == 200
    event = AuditEvent.objects.latest("seq")
    assert AuditEvent.objects.count() == before + 1
    assert (event.action, event.object_id, event.actor_username) == ("view", str(case.pk), "police")
    assert f"<title>Sak {case.reference} – Varde</title>" in body  # title: reference, never the name
    assert "Mihai Popescu" in body and "Romania" in body
    assert "ds-tag" in body and "Barn" in body  # child flag
    assert "Tvangstigging" in body  # the referral's form of exploitation, in the timeline
    assert body.count("<h1") == 1


def test_failing_audit_write_answers_500_without_personal_data(client, world, monkeypatch):
    def broken(event):
        raise RuntimeError("disk full")

    login_verified(client, world.personas.police)
    monkeypatch.setattr(audit_services, "_write", broken)
    client.raise_request_exception = False
    case = world.cases.police_adult
    response = client.get(url(case))
    assert response.status_code == 500
    body = response.content.decode()
    assert "Blessing" not in body and "Okafor" not in body and case.reference not in body
    assert "disk full" not in body
    assert response["X-Request-ID"] in body


def test_status_change_happy_path(login, world):
    case = world.cases.police_adult
    client = login(world.personas.police)
    response = client.post(
        url(case, "case-status"),
        {
            "status-status": "under_assessment",
            "status-reason": "Interview booked",
            "status-version": case.version,
        },
    )
    assert response.status_code == 302 and response["Location"] == url(case)
    case.refresh_from_db()
    assert case.status == CaseStatus.UNDER_ASSESSMENT
    change = StatusChange.objects.filter(case=case).latest("id")
    assert (change.from_status, change.to_status, change.reason) == (
        "reported",
        "under_assessment",
        "Interview booked",
    )
    page = client.get(url(case)).content.decode()
    assert "Interview booked" in page


def test_closing_needs_a_closure_reason(login, world):
    case = world.cases.police_adult
    client = login(world.personas.police)
    data = {"status-status": "closed", "status-reason": "Gone", "status-version": case.version}
    response = client.post(url(case, "case-status"), data)
    assert response.status_code == 200 and 'href="#id_status-closure_reason"' in response.content.decode()
    case.refresh_from_db()
    assert case.status == CaseStatus.REPORTED
    response = client.post(url(case, "case-status"), {**data, "status-closure_reason": "lost_contact"})
    case.refresh_from_db()
    assert response.status_code == 302
    assert (case.status, case.closure_reason) == ("closed", "lost_contact")


def test_illegal_transition_is_refused(login, world):
    case = world.cases.police_adult
    before = StatusChange.objects.count()
    response = login(world.personas.police).post(
        url(case, "case-status"),
        {
            "status-status": "assistance",
            "status-reason": "skip ahead",
            "status-version": case.version,
        },
    )
    assert response.status_code == 200
    assert 'href="#id_status-status"' in response.content.decode()
    case.refresh_from_db()
    assert case.status == CaseStatus.REPORTED and StatusChange.objects.count() == before


def test_only_lead_agency_and_coordinator_change_status(login, world):
    case = world.cases.police_adult
    ngo = login(world.personas.ngo)  # takes part, does not lead
    assert 'name="status-status"' not in ngo.get(url(case)).content.decode()
    response = ngo.post(
        url(case, "case-status"),
        {
            "status-status": "under_assessment",
            "status-reason": "x",
            "status-version": case.version,
        },
    )
    assert response.status_code == 403
    case.refresh_from_db()
    assert case.status == CaseStatus.REPORTED
    coordinator = login(world.personas.coordinator)
    break_glass(world.personas.coordinator, case)  # KOM takes no part in the police's case
    response = coordinator.post(
        url(case, "case-status"),
        {
            "status-status": "under_assessment",
            "status-reason": "KOM",
            "status-version": case.version,
        },
    )
    assert response.status_code == 302
    case.refresh_from_db()
    assert case.status == CaseStatus.UNDER_ASSESSMENT


def test_status_form_offers_only_allowed_transitions(login, world):
    body = login(world.personas.police).get(url(world.cases.police_adult)).content.decode()
    assert '<option value="under_assessment">' in body and '<option value="closed">' in body
    assert '<option value="assistance">' not in body and '<option value="identified">' not in body


def test_edit_conflict_answers_409_and_saves_nothing(login, world):
    p, case = world.personas, world.cases.police_adult
    stale_version = case.version
    case_change_status(
        actor=p.coordinator, case=case, status="under_assessment", reason="KOM first", version=case.version
    )
    client = login(p.police)
    response = client.post(
        url(case, "case-status"),
        {
            "status-status": "closed",
            "status-closure_reason": "settled",
            "status-reason": "Mine",
            "status-version": stale_version,
        },
    )
    assert response.status_code == 409
    body = response.content.decode()
    assert "Noen andre endret denne saken" in body
    case.refresh_from_db()
    assert case.status == CaseStatus.UNDER_ASSESSMENT
    assert f'name="status-version" value="{case.version}"' in body  # the fresh form carries the new version
    assert not StatusChange.objects.filter(case=case, reason="Mine").exists()

    htmx = client.post(
        url(case, "case-status"),
        {
            "status-status": "identified",
            "status-reason": "x",
            "status-version": stale_version,
        },
        HTTP_HX_REQUEST="true",
    )
    assert htmx.status_code == 409
    assert htmx.content.decode().lstrip().startswith('<section id="status-section"')


def test_status_change_with_htmx_returns_fragments(login, world):
    case = world.cases.police_adult
    response = login(world.personas.police).post(
        url(case, "case-status"),
        {
            "status-status": "under_assessment",
            "status-reason": "Via htmx",
            "status-version": case.version,
        },
        HTTP_HX_REQUEST="true",
    )
    body = response.content.decode()
    assert response.status_code == 200
    assert body.lstrip().startswith('<section id="status-section"')
    assert 'id="timeline-section"' in body and 'hx-swap-oob="true"' in body
    assert 'hx-swap-oob="innerHTML:#live-region"' in body
    assert "<html" not in body and "Via htmx" in body


def test_note_without_and_with_htmx(login, world):
    case = world.cases.ngo_adult
    client = login(world.personas.ngo)
    response = client.post(url(case, "case-note"), {"note-text": "Called the shelter"})
    assert response.status_code == 302
    assert CaseEvent.objects.filter(case=case, kind="note", text="Called the shelter").exists()
    response = client.post(url(case, "case-note"), {"note-text": "Second note"}, HTTP_HX_REQUEST="true")
    body = response.content.decode()
    assert response.status_code == 200 and "<html" not in body
    assert body.lstrip().startswith('<section id="timeline-section"')
    assert body.index("Second note") < body.index("Called the shelter")  # newest first
    empty = client.post(url(case, "case-note"), {"note-text": "  "})
    assert empty.status_code == 200 and 'href="#id_note-text"' in empty.content.decode()
    assert CaseEvent.objects.filter(case=case, kind="note").count() == 2


def test_invite_accept_and_revoke(login, world, client):
    p, c, a = world.personas, world.cases, world.agencies
    case = c.police_child
    police = login(p.police)
    response = police.post(
        url(case, "case-invite"), {"invite-agency": a.childwelfare.pk, "invite-note": "Placement"}
    )
    assert response.status_code == 302
    participation = CaseParticipation.objects.get(case=case, agency=a.childwelfare)
    assert participation.state == ParticipationState.INVITED

    login_verified(client, p.childwelfare)
    assert client.get(url(case)).status_code == 404  # invited is not yet taking part
    response = client.post(reverse("invitation-accept", args=[participation.pk]))
    assert response.status_code == 302 and response["Location"] == url(case)
    assert client.get(url(case)).status_code == 200

    police = login(p.police)
    response = police.post(
        url(case, "case-revoke", participation.pk), {f"revoke-{participation.pk}-reason": "Done"}
    )
    assert response.status_code == 302
    participation.refresh_from_db()
    assert participation.state == ParticipationState.REVOKED
    login_verified(client, p.childwelfare)
    assert client.get(url(case)).status_code == 404


def test_inviting_an_adult_needs_consent(login, world):
    p, c, a = world.personas, world.cases, world.agencies
    response = login(p.police).post(url(c.police_adult, "case-invite"), {"invite-agency": a.labour.pk})
    assert response.status_code == 200
    assert 'href="#id_invite-agency"' in response.content.decode()
    assert not CaseParticipation.objects.filter(case=c.police_adult, agency=a.labour).exists()


def test_only_the_lead_agency_manages_participants(login, world):
    p, c, a = world.personas, world.cases, world.agencies
    ngo = login(p.ngo)  # ROSA takes part in the police's adult case but does not lead it
    body = ngo.get(url(c.police_adult)).content.decode()
    assert url(c.police_adult, "case-invite") not in body
    assert ngo.post(url(c.police_adult, "case-invite"), {"invite-agency": a.labour.pk}).status_code == 403
    lead = c.police_adult.participations.get(is_lead=True)
    assert ngo.post(url(c.police_adult, "case-revoke", lead.pk), {}).status_code == 403


def test_consent_record_and_withdraw_revokes_the_agency(login, world, client):
    p, c, a = world.personas, world.cases, world.agencies
    case = c.police_adult
    police = login(p.police)
    response = police.post(
        url(case, "case-consent"),
        {
            "consent-agency_kind": "labour_inspection",
            "consent-purpose": "Work conditions",
            "consent-given_on": dt.date.today().isoformat(),
        },
    )
    assert response.status_code == 302
    assert Consent.objects.filter(case=case, agency_kind="labour_inspection", withdrawn_on=None).exists()

    missing = police.post(
        url(case, "case-consent"), {"consent-purpose": "x", "consent-given_on": "2026-01-01"}
    )
    assert missing.status_code == 200 and 'href="#id_consent-agency"' in missing.content.decode()

    consent = Consent.objects.get(case=case, agency=a.ngo)
    response = police.post(url(case, "case-consent-withdraw", consent.pk), {"version": consent.version})
    assert response.status_code == 302
    consent.refresh_from_db()
    assert consent.withdrawn_on is not None
    assert CaseParticipation.objects.get(case=case, agency=a.ngo).state == ParticipationState.REVOKED
    login_verified(client, p.ngo)
    assert client.get(url(case)).status_code == 404

    police = login(p.police)
    again = police.post(url(case, "case-consent-withdraw", consent.pk), {"version": consent.version - 1})
    assert again.status_code == 409


def test_add_a_name(login, world):
    case = world.cases.ngo_child
    client = login(world.personas.ngo)
    response = client.post(
        url(case, "case-name"),
        {"name-given": "Lee", "name-family": "", "name-kind": "alias", "name-script": "Latn"},
    )
    assert response.status_code == 302
    assert case.person.names.filter(given="Lee", kind="alias").exists()
    bad = client.post(url(case, "case-name"), {"name-kind": "alias", "name-script": "Latn"})
    assert bad.status_code == 200 and 'href="#id_name-given"' in bad.content.decode()
    assert case.person.names.count() == 2


def test_post_endpoints_refuse_get(login, world):
    client = login(world.personas.police)
    case = world.cases.police_adult
    assert client.get(url(case, "case-status")).status_code == 405
    assert client.get(url(case, "case-note")).status_code == 405


def test_case_page_query_budget(login, world, django_assert_max_num_queries):
    client = login(world.personas.police)
    case = world.cases.police_adult
    for i in range(10):
        client.post(url(case, "case-note"), {"note-text": f"note {i}"})
    with django_assert_max_num_queries(30):
        response = client.get(url(case))
    assert response.status_code == 200 and "note 9" in response.content.decode()


def test_cases_not_in_url_by_name(world):
    assert all("Blessing" not in c.get_absolute_url() for c in Case.objects.all())
