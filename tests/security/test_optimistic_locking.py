"""No lost updates (issue #7, DESIGN convention 4): every editable record is compare-and-set on its
`version`; a stale edit saves nothing and the user is told: 409 with code `edit_conflict` in the API,
a conflict form in the pages (status 409, a clear message, the user's input kept, the version now
saved in the form, the current values on the page).

Record kinds and where their stale edits are tested:

| record | edit paths | tested |
|---|---|---|
| Case (status) | API POST /status/, page case-status | here |
| CaseParticipation | API/page revoke, re-invite, invitation accept/decline | here |
| Consent | API/page withdraw | here |
| Clock | page pause/resume/extend/meet | here (meet) |
| MissingEpisode | page close | here |
| Task | page done | here |
| Membership | agency admin role change / deactivate | here (role) |
| AgencyContact | agency admin contact | here |
| Notification | API/page acknowledge (once) | here (API) |
| AgePresumption | API/page lift | tests/api/test_identification_api.py |
| LocalQuestion | agency admin retire | tests/web/test_local_questions.py |
| AnnualReportText | statistics edit | tests/statistics/test_annual_report.py |
| ReviewItem / ReviewDecision | linkage decide / undo | tests/web/test_linkage_review.py |
"""

from __future__ import annotations

import datetime as dt
import html

import pytest
from django.db.models import F
from django.urls import reverse

from tests.conftest import login_verified
from varde.accounts.models import Role
from varde.cases import services as case_services
from varde.cases.models import (
    CaseEvent,
    CaseParticipation,
    CaseStatus,
    Consent,
    ParticipationState,
    StatusChange,
)
from varde.cases.services import case_change_status, case_invite_agency
from varde.core import clock
from varde.core.errors import EditConflict
from varde.response.disappearances import missing_episode_record
from varde.response.models import (
    AgencyContact,
    Clock,
    ClockState,
    MissingEpisode,
    MissingStatus,
    Notification,
    Task,
    TaskStatus,
)
from varde.response.notifications import agency_contact_set
from varde.response.placements import on_presumed_child
from varde.response.plans import task_add

CONFLICT_CODE = "edit_conflict"


def _bump(model, pk) -> None:
    """Someone else saves the record meanwhile (the version moves on, nothing else)."""
    model.objects.filter(pk=pk).update(version=F("version") + 1)


def _page(client, user):
    return login_verified(client, user)


# --- Case ------------------------------------------------------------------------------------------------


def test_api_stale_case_status_is_409_and_saves_nothing(api, world):
    case = world.cases.police_adult
    stale = case.version
    case_change_status(
        actor=world.personas.coordinator, case=case, status="under_assessment", reason="KOM", version=stale
    )
    response = api.as_(world.personas.police).post(
        f"/api/cases/{case.pk}/status/",
        {"status": "closed", "closure_reason": "settled", "reason": "Mine", "version": stale},
        format="json",
    )
    assert response.status_code == 409
    assert response.json()["code"] == CONFLICT_CODE
    case.refresh_from_db()
    assert case.status == CaseStatus.UNDER_ASSESSMENT and case.version == stale + 1
    assert not StatusChange.objects.filter(case=case, reason="Mine").exists()


def test_page_stale_case_status_is_a_conflict_form_that_keeps_the_input(client, world):
    case = world.cases.police_adult
    stale = case.version
    case_change_status(
        actor=world.personas.coordinator, case=case, status="under_assessment", reason="KOM", version=stale
    )
    response = _page(client, world.personas.police).post(
        reverse("case-status", args=[case.pk]),
        {
            "status-status": "identified",
            "status-reason": "Interviewed twice; indicators clear",
            "status-version": stale,
        },
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert response.status_code == 409
    body = html.unescape(response.content.decode())
    case.refresh_from_db()
    assert case.status == CaseStatus.UNDER_ASSESSMENT and case.version == stale + 1
    assert not StatusChange.objects.filter(case=case, to_status=CaseStatus.IDENTIFIED).exists()
    assert 'role="alert"' in body and "your input is kept" in body  # the message
    assert "Interviewed twice; indicators clear</textarea>" in body  # the user's input
    assert '<option value="identified" selected>' in body
    assert f'name="status-version" value="{case.version}"' in body  # saving again is deliberate
    assert case.get_status_display() in body  # the current value


# --- CaseParticipation ---------------------------------------------------------------------------------


def test_service_stale_participation_revoke_is_a_conflict(world):
    partner = CaseParticipation.objects.get(case=world.cases.police_adult, is_lead=False)
    partner.case = world.cases.police_adult
    _bump(CaseParticipation, partner.pk)
    with pytest.raises(EditConflict):
        case_services.participation_revoke(actor=world.personas.police, participation=partner, reason="done")
    partner.refresh_from_db()
    assert partner.state == ParticipationState.ACTIVE
    assert not CaseEvent.objects.filter(case=partner.case, kind=CaseEvent.Kind.REVOKED).exists()


@pytest.fixture
def revoke_meanwhile(monkeypatch):
    """Between the request's read and its write, someone else changes the participation."""
    real = case_services.participation_revoke

    def racing(*, participation, **kw):
        _bump(CaseParticipation, participation.pk)
        return real(participation=participation, **kw)

    monkeypatch.setattr(case_services, "participation_revoke", racing)
    monkeypatch.setattr("varde.web.views.cases.participation_revoke", racing)


def test_api_revoke_changed_meanwhile_is_409(api, world, revoke_meanwhile):
    case = world.cases.police_adult
    partner = CaseParticipation.objects.get(case=case, is_lead=False)
    response = api.as_(world.personas.police).post(
        f"/api/cases/{case.pk}/participants/{partner.pk}/revoke/", {"reason": "done"}, format="json"
    )
    assert response.status_code == 409 and response.json()["code"] == CONFLICT_CODE
    partner.refresh_from_db()
    assert partner.state == ParticipationState.ACTIVE


def test_page_revoke_changed_meanwhile_is_409_with_a_message(client, world, revoke_meanwhile):
    case = world.cases.police_adult
    partner = CaseParticipation.objects.get(case=case, is_lead=False)
    response = _page(client, world.personas.police).post(
        reverse("case-revoke", args=[case.pk, partner.pk]),
        {f"revoke-{partner.pk}-reason": "The shelter stay ended"},
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert response.status_code == 409
    body = html.unescape(response.content.decode())
    assert "Someone else changed this agency's access" in body
    assert 'value="The shelter stay ended"' in body  # the user's reason is kept
    partner.refresh_from_db()
    assert partner.state == ParticipationState.ACTIVE


def test_api_invitation_answered_meanwhile_is_not_answered_twice(api, world):
    invitation = case_invite_agency(
        actor=world.personas.police, case=world.cases.police_child, agency=world.agencies.childwelfare
    )
    _bump(CaseParticipation, invitation.pk)
    with pytest.raises(EditConflict):
        case_services.participation_respond(
            actor=world.personas.childwelfare, participation=invitation, accept=True
        )
    invitation.refresh_from_db()
    assert invitation.state == ParticipationState.INVITED
    api.as_(world.personas.childwelfare)
    assert api.post(f"/api/invitations/{invitation.pk}/decline/").status_code == 200
    again = api.post(f"/api/invitations/{invitation.pk}/accept/")  # answered: no longer an invitation
    assert again.status_code in (404, 409)
    invitation.refresh_from_db()
    assert invitation.state == ParticipationState.DECLINED


# --- Consent -------------------------------------------------------------------------------------------


def test_api_withdrawing_a_withdrawn_consent_is_409(api, world):
    case = world.cases.police_adult
    consent = Consent.objects.get(case=case)
    api.as_(world.personas.police)
    assert api.post(f"/api/cases/{case.pk}/consents/{consent.pk}/withdraw/").status_code == 200
    consent.refresh_from_db()
    version = consent.version
    again = api.post(f"/api/cases/{case.pk}/consents/{consent.pk}/withdraw/")
    assert again.status_code == 409 and again.json()["code"] == CONFLICT_CODE
    consent.refresh_from_db()
    assert consent.version == version
    assert CaseEvent.objects.filter(case=case, kind=CaseEvent.Kind.CONSENT_WITHDRAWN).count() == 1


def test_page_stale_consent_withdrawal_is_409_and_saves_nothing(client, world):
    case = world.cases.police_adult
    consent = Consent.objects.get(case=case)
    stale = consent.version
    _bump(Consent, consent.pk)
    response = _page(client, world.personas.police).post(
        reverse("case-consent-withdraw", args=[case.pk, consent.pk]),
        {"version": stale},
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert response.status_code == 409
    assert "Someone else changed this consent" in html.unescape(response.content.decode())
    consent.refresh_from_db()
    assert consent.withdrawn_on is None
    assert CaseParticipation.objects.get(case=case, is_lead=False).state == ParticipationState.ACTIVE


# --- the response: clocks, disappearances, tasks, notifications --------------------------------------


def test_page_stale_clock_change_is_a_conflict_form_that_keeps_the_input(client, world):
    case = world.cases.police_child
    clk = on_presumed_child(case=case, occurred_at=clock.now() - dt.timedelta(hours=2))
    stale = clk.version
    _bump(Clock, clk.pk)
    response = _page(client, world.personas.police).post(
        reverse("case-clock-action", args=[case.pk, clk.pk, "meet"]),
        {f"meet-{clk.pk}-reason": "Placed at the youth centre", f"meet-{clk.pk}-version": stale},
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert response.status_code == 409
    body = html.unescape(response.content.decode())
    assert "Someone else changed this while you were working" in body
    assert "Placed at the youth centre" in body
    assert f'name="meet-{clk.pk}-version" value="{stale + 1}"' in body
    clk.refresh_from_db()
    assert clk.state == ClockState.RUNNING and clk.version == stale + 1


def test_page_stale_missing_episode_close_keeps_the_input(client, world):
    case = world.cases.childwelfare_child
    episode = missing_episode_record(
        actor=world.personas.childwelfare,
        case=case,
        missing_from="care_centre",
        last_seen_at=clock.now() - dt.timedelta(hours=5),
    )
    stale = episode.version
    _bump(MissingEpisode, episode.pk)
    found_at = clock.localtime(clock.now() - dt.timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M")
    response = _page(client, world.personas.childwelfare).post(
        reverse("case-missing-close", args=[case.pk, episode.pk]),
        {
            f"close-{episode.pk}-status": "found",
            f"close-{episode.pk}-at": found_at,
            f"close-{episode.pk}-version": stale,
        },
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert response.status_code == 409
    body = html.unescape(response.content.decode())
    assert "Someone else changed this while you were working" in body
    assert '<option value="found" selected>' in body and found_at in body
    episode.refresh_from_db()
    assert episode.status == MissingStatus.MISSING and episode.version == stale + 1


def test_page_stale_task_done_is_409_and_saves_nothing(client, world):
    case = world.cases.police_adult
    task = task_add(
        actor=world.personas.police,
        case=case,
        title="Book an interpreter",
        responsible_agency=world.agencies.police,
        due_date=clock.today() + dt.timedelta(days=3),
    )
    stale = task.version
    _bump(Task, task.pk)
    response = _page(client, world.personas.police).post(
        reverse("case-task-done", args=[case.pk, task.pk]), {f"task-{task.pk}-version": stale}
    )
    assert response.status_code == 409
    task.refresh_from_db()
    assert task.status == TaskStatus.OPEN and task.done_at is None


def test_api_acknowledging_twice_is_409(api, world):
    case = world.cases.police_child
    on_presumed_child(case=case, occurred_at=clock.now() - dt.timedelta(hours=2))
    note = Notification.objects.filter(case=case, recipient_agency=world.agencies.childwelfare).first()
    assert note is not None
    api.as_(world.personas.childwelfare)
    assert api.post(f"/api/notifications/{note.pk}/acknowledge/").status_code == 200
    note.refresh_from_db()
    acknowledged_at = note.acknowledged_at
    again = api.post(f"/api/notifications/{note.pk}/acknowledge/")
    assert again.status_code == 409
    note.refresh_from_db()
    assert note.acknowledged_at == acknowledged_at


# --- agency administration ------------------------------------------------------------------------------


def test_page_stale_role_change_is_409_and_saves_nothing(client, world):
    membership = world.personas.police.memberships.get()
    stale = membership.version
    _bump(type(membership), membership.pk)
    prefix = f"m-{membership.pk}"
    response = _page(client, world.personas.agency_admin).post(
        reverse("agency-admin-change-role", args=[membership.pk]),
        {f"{prefix}-role": "agency_admin", f"{prefix}-version": stale},
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert response.status_code == 409
    assert "Someone else changed this membership" in html.unescape(response.content.decode())
    membership.refresh_from_db()
    assert membership.role == Role.CASEWORKER


def test_page_stale_contact_is_a_conflict_form_that_keeps_the_input(client, world):
    agency, admin = world.agencies.police, world.personas.agency_admin
    contact = agency_contact_set(
        actor=admin, agency=agency, on_call_phone="+47 22 00 00 00", email="", hours="24/7", always_open=True
    )
    stale = contact.version
    agency_contact_set(
        actor=admin, agency=agency, on_call_phone="+47 22 11 11 11", email="", hours="24/7", always_open=True
    )
    response = _page(client, admin).post(
        reverse("agency-admin-contact", args=[agency.pk]),
        {
            "contact-on_call_phone": "+47 22 99 99 99",
            "contact-hours": "08-16 weekdays",
            "contact-version": stale,
        },
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert response.status_code == 409
    body = html.unescape(response.content.decode())
    assert "Someone else changed the 24-hour contact" in body
    assert 'value="+47 22 99 99 99"' in body and 'value="08-16 weekdays"' in body
    assert f'name="contact-version" value="{stale + 1}"' in body
    assert AgencyContact.objects.get(agency=agency).on_call_phone == "+47 22 11 11 11"


def test_page_contact_set_meanwhile_by_someone_else_is_a_conflict(client, world):
    """The form was opened when there was no contact (no version); someone set one meanwhile."""
    agency, admin = world.agencies.police, world.personas.agency_admin
    agency_contact_set(
        actor=world.personas.coordinator,
        agency=agency,
        on_call_phone="+47 22 11 11 11",
        email="",
        hours="",
        always_open=True,
    )
    response = _page(client, admin).post(
        reverse("agency-admin-contact", args=[agency.pk]),
        {"contact-on_call_phone": "+47 22 99 99 99", "contact-version": ""},
    )
    assert response.status_code == 409
    assert AgencyContact.objects.get(agency=agency).on_call_phone == "+47 22 11 11 11"


@pytest.fixture
def declined_then_changed_meanwhile(world, monkeypatch):
    """Child welfare declined an invitation to the police's child case; while the police invite it
    again, someone else changes that participation (between the service's read and its write)."""
    case = world.cases.police_child
    invitation = case_invite_agency(
        actor=world.personas.police, case=case, agency=world.agencies.childwelfare
    )
    case_services.participation_respond(
        actor=world.personas.childwelfare, participation=invitation, accept=False
    )
    real = case_services.consent_exemption

    def racing(**kw):
        _bump(CaseParticipation, invitation.pk)
        return real(**kw)

    monkeypatch.setattr(case_services, "consent_exemption", racing)
    return case, invitation


def test_api_reinvite_changed_meanwhile_is_409(api, world, declined_then_changed_meanwhile):
    case, invitation = declined_then_changed_meanwhile
    response = api.as_(world.personas.police).post(
        f"/api/cases/{case.pk}/participants/", {"agency": str(world.agencies.childwelfare.pk)}, format="json"
    )
    assert response.status_code == 409 and response.json()["code"] == CONFLICT_CODE
    invitation.refresh_from_db()
    assert invitation.state == ParticipationState.DECLINED


def test_page_reinvite_changed_meanwhile_is_409_with_a_message(
    client, world, declined_then_changed_meanwhile
):
    case, invitation = declined_then_changed_meanwhile
    response = _page(client, world.personas.police).post(
        reverse("case-invite", args=[case.pk]),
        {
            "invite-agency": str(world.agencies.childwelfare.pk),
            "invite-note": "Please take over the placement",
        },
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert response.status_code == 409
    body = html.unescape(response.content.decode())
    assert "Someone else changed this agency's part in the case" in body
    assert "Please take over the placement" in body  # the user's note is kept
    invitation.refresh_from_db()
    assert invitation.state == ParticipationState.DECLINED
