"""Status changes, invitations, consents, notes, timeline and persons through the API."""

from __future__ import annotations

import datetime as dt

import pytest

from varde.audit.models import AuditEvent
from varde.cases.models import Case, CaseEvent, CaseParticipation, Consent, ParticipationState, StatusChange
from varde.core import clock


@pytest.fixture(autouse=True)
def _today(monkeypatch):
    monkeypatch.setattr(clock, "today", lambda: dt.date(2026, 10, 10))


def status(api, user, case, **body):
    return api.as_(user).post(f"/api/cases/{case.pk}/status/", body, format="json")


# --- status -------------------------------------------------------------------------------------------


def test_status_change_happy_path(api, world):
    case, police = world.cases.police_child, world.personas.police
    response = status(
        api, police, case, status="under_assessment", reason="Interview booked", version=case.version
    )
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["status"] == "under_assessment" and body["version"] == case.version + 1
    assert [(h["from_status"], h["to_status"], h["reason"]) for h in body["status_history"]][-1] == (
        "reported",
        "under_assessment",
        "Interview booked",
    )
    assert AuditEvent.objects.latest("seq").action == "update"


def test_stale_version_is_409_and_changes_nothing(api, world):
    case, police = world.cases.police_child, world.personas.police
    assert (
        status(api, police, case, status="under_assessment", reason="a", version=case.version).status_code
        == 200
    )
    stale = status(
        api, police, case, status="closed", closure_reason="lost_contact", reason="b", version=case.version
    )
    assert stale.status_code == 409
    assert stale.json()["code"] == "edit_conflict"
    case.refresh_from_db()
    assert case.status == "under_assessment"
    assert StatusChange.objects.filter(case=case).count() == 2


def test_illegal_transition_is_400(api, world):
    case = world.cases.police_child
    response = status(
        api, world.personas.police, case, status="assistance", reason="skip", version=case.version
    )
    assert response.status_code == 400
    assert response.json()["non_field_errors"]
    assert Case.objects.get(pk=case.pk).status == "reported"


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"status": "archived", "reason": "x"}, "status"),
        ({"status": "closed", "reason": "x"}, "closure_reason"),  # closing needs a reason for closing
        ({"status": "under_assessment", "reason": ""}, "reason"),
        ({"status": "under_assessment", "reason": "   "}, "reason"),
        ({"status": "under_assessment", "reason": "x", "version": "one"}, "version"),
        ({"status": "under_assessment", "reason": "x", "version": 0}, "version"),
        ({"status": "under_assessment", "reason": "x", "version": 2**40}, "version"),
        ({"status": "closed", "reason": "x", "closure_reason": "abducted by aliens"}, "closure_reason"),
        ({"status": "under_assessment", "reason": "x" * 2001}, "reason"),
    ],
)
def test_status_input_errors(api, world, body, field):
    case = world.cases.police_child
    body = {"version": case.version} | body
    response = status(api, world.personas.police, case, **body)
    assert response.status_code == 400, response.content
    assert field in response.json()
    assert Case.objects.get(pk=case.pk).version == case.version


def test_closing_with_a_closure_reason(api, world):
    case = world.cases.police_child
    response = status(
        api,
        world.personas.police,
        case,
        status="closed",
        closure_reason="settled",
        reason="Went home with IOM",
        version=case.version,
    )
    assert response.status_code == 200
    assert (response.json()["status"], response.json()["closure_reason"]) == ("closed", "settled")


# --- invitations ----------------------------------------------------------------------------------------


def invite(api, user, case, agency, note=""):
    return api.as_(user).post(
        f"/api/cases/{case.pk}/participants/", {"agency": str(agency.pk), "note": note}, format="json"
    )


def test_invitation_flow_accept(api, world):
    p, c, a = world.personas, world.cases, world.agencies
    # A child's case may involve child welfare without consent (duty to inform).
    response = invite(api, p.police, c.police_child, a.childwelfare, "Duty to inform")
    assert response.status_code == 201, response.content
    invitation_id = response.json()["id"]
    assert response.json()["state"] == "invited"
    # Invited is not yet taking part: the case stays hidden.
    assert api.as_(p.childwelfare).get(f"/api/cases/{c.police_child.pk}/").status_code == 404
    (row,) = api.as_(p.childwelfare).get("/api/invitations/").json()["results"]
    assert row["id"] == invitation_id and row["case_reference"] == c.police_child.reference
    # Nobody else can answer it.
    for other in (p.outsider, p.analyst, p.police, p.ngo, p.coordinator):
        assert api.as_(other).post(f"/api/invitations/{invitation_id}/accept/").status_code == 404
    accepted = api.as_(p.childwelfare).post(f"/api/invitations/{invitation_id}/accept/")
    assert accepted.status_code == 200
    assert accepted.json()["state"] == "active"
    assert api.as_(p.childwelfare).get(f"/api/cases/{c.police_child.pk}/").status_code == 200
    assert c.police_child.reference in {
        r["reference"] for r in api.as_(p.childwelfare).get("/api/cases/").json()["results"]
    }
    # Answered invitations are gone.
    assert api.as_(p.childwelfare).post(f"/api/invitations/{invitation_id}/accept/").status_code == 404
    assert api.as_(p.childwelfare).get("/api/invitations/").json()["results"] == []


def test_invitation_flow_decline(api, world):
    p, c, a = world.personas, world.cases, world.agencies
    invitation_id = invite(api, p.police, c.police_child, a.childwelfare).json()["id"]
    declined = api.as_(p.childwelfare).post(f"/api/invitations/{invitation_id}/decline/")
    assert declined.status_code == 200 and declined.json()["state"] == "declined"
    assert api.as_(p.childwelfare).get(f"/api/cases/{c.police_child.pk}/").status_code == 404


def test_invitation_ids_that_do_not_exist_are_404(api, world):
    response = api.as_(world.personas.childwelfare).post("/api/invitations/not-a-uuid/decline/")
    assert response.status_code == 404
    assert (
        api.as_(world.personas.childwelfare)
        .post("/api/invitations/00000000-0000-0000-0000-000000000000/accept/")
        .status_code
        == 404
    )


def test_inviting_without_consent_is_400_with_a_clear_message(api, world):
    p, c, a = world.personas, world.cases, world.agencies
    response = invite(api, p.police, c.police_adult, a.labour)
    assert response.status_code == 400
    assert response.json()["code"] == "consent_required"
    assert response.json()["non_field_errors"][0]
    assert not CaseParticipation.objects.filter(case=c.police_adult, agency=a.labour).exists()


def test_partner_cannot_invite_403_and_stranger_gets_404(api, world):
    p, c, a = world.personas, world.cases, world.agencies
    assert invite(api, p.ngo, c.police_adult, a.childwelfare).status_code == 403
    assert invite(api, p.outsider, c.police_adult, a.childwelfare).status_code == 404


@pytest.mark.parametrize(
    "body",
    [
        {},
        {"agency": "rosa"},
        {"agency": "00000000-0000-0000-0000-000000000000"},
        {"agency": None},
        {"agency": 12},
    ],
)
def test_invite_input_errors(api, world, body):
    response = api.as_(world.personas.police).post(
        f"/api/cases/{world.cases.police_child.pk}/participants/", body, format="json"
    )
    assert response.status_code == 400
    assert "agency" in response.json()


def test_inviting_twice_is_400(api, world):
    p, c, a = world.personas, world.cases, world.agencies
    assert invite(api, p.police, c.police_adult, a.ngo).status_code == 400


def test_revoke_removes_access(api, world):
    p, c = world.personas, world.cases
    participation = CaseParticipation.objects.get(case=c.police_adult, agency=world.agencies.ngo)
    url = f"/api/cases/{c.police_adult.pk}/participants/{participation.pk}/revoke/"
    assert api.as_(p.police).post(url, {"reason": ""}, format="json").status_code == 400
    response = api.as_(p.police).post(url, {"reason": "Follow-up ended"}, format="json")
    assert response.status_code == 200 and response.json()["state"] == "revoked"
    assert api.as_(p.ngo).get(f"/api/cases/{c.police_adult.pk}/").status_code == 404


def test_the_lead_cannot_be_revoked_and_foreign_participations_are_404(api, world):
    p, c = world.personas, world.cases
    lead = CaseParticipation.objects.get(case=c.police_adult, is_lead=True)
    response = api.as_(p.police).post(
        f"/api/cases/{c.police_adult.pk}/participants/{lead.pk}/revoke/", {"reason": "x"}, format="json"
    )
    assert response.status_code == 400
    foreign = CaseParticipation.objects.get(case=c.ngo_adult, is_lead=True)
    response = api.as_(p.police).post(
        f"/api/cases/{c.police_adult.pk}/participants/{foreign.pk}/revoke/", {"reason": "x"}, format="json"
    )
    assert response.status_code == 404


# --- consents -------------------------------------------------------------------------------------------


def test_consent_withdrawal_revokes_the_agency(api, world):
    p, c = world.personas, world.cases
    assert api.as_(p.ngo).get(f"/api/cases/{c.police_adult.pk}/").status_code == 200
    consent = Consent.objects.get(case=c.police_adult, agency=world.agencies.ngo)
    response = api.as_(p.police).post(f"/api/cases/{c.police_adult.pk}/consents/{consent.pk}/withdraw/")
    assert response.status_code == 200, response.content
    assert response.json()["is_active"] is False and response.json()["withdrawn_on"] == "2026-10-10"
    assert (
        CaseParticipation.objects.get(case=c.police_adult, agency=world.agencies.ngo).state
        == ParticipationState.REVOKED
    )
    assert api.as_(p.ngo).get(f"/api/cases/{c.police_adult.pk}/").status_code == 404
    again = api.as_(p.police).post(f"/api/cases/{c.police_adult.pk}/consents/{consent.pk}/withdraw/")
    assert again.status_code == 409


def test_consent_from_another_case_is_404(api, world):
    p, c = world.personas, world.cases
    consent = Consent.objects.get(case=c.police_adult)
    response = api.as_(p.ngo).post(f"/api/cases/{c.ngo_adult.pk}/consents/{consent.pk}/withdraw/")
    assert response.status_code == 404
    assert Consent.objects.get(pk=consent.pk).is_active


def test_consent_then_invite(api, world):
    p, c, a = world.personas, world.cases, world.agencies
    url = f"/api/cases/{c.police_adult.pk}/consents/"
    response = api.as_(p.police).post(
        url,
        {"agency_kind": "labour_inspection", "purpose": "Workplace case", "given_on": "2026-10-09"},
        format="json",
    )
    assert response.status_code == 201, response.content
    assert response.json()["agency"] is None and response.json()["agency_kind"] == "labour_inspection"
    assert invite(api, p.police, c.police_adult, a.labour).status_code == 201


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"purpose": "x", "given_on": "2026-10-09"}, "agency"),  # no scope
        (
            {"agency_kind": "ngo", "agency": "AGENCY", "purpose": "x", "given_on": "2026-10-09"},
            "agency",
        ),  # both
        ({"agency_kind": "church", "purpose": "x", "given_on": "2026-10-09"}, "agency_kind"),
        ({"agency_kind": "ngo", "purpose": "", "given_on": "2026-10-09"}, "purpose"),
        ({"agency_kind": "ngo", "purpose": "x" * 301, "given_on": "2026-10-09"}, "purpose"),
        ({"agency_kind": "ngo", "purpose": "x", "given_on": "2026-10-11"}, "given_on"),  # future
        ({"agency_kind": "ngo", "purpose": "x", "given_on": "yesterday"}, "given_on"),
    ],
)
def test_consent_input_errors(api, world, body, field):
    if body.get("agency") == "AGENCY":
        body["agency"] = str(world.agencies.ngo.pk)
    before = Consent.objects.count()
    response = api.as_(world.personas.police).post(
        f"/api/cases/{world.cases.police_adult.pk}/consents/", body, format="json"
    )
    assert response.status_code == 400
    assert field in response.json()
    assert Consent.objects.count() == before


# --- notes, timeline, detail, persons ---------------------------------------------------------------------


def test_note_then_timeline(api, world):
    p, c = world.personas, world.cases
    response = api.as_(p.ngo).post(
        f"/api/cases/{c.police_adult.pk}/notes/", {"text": "  Moved to shelter. "}, format="json"
    )
    assert response.status_code == 201
    assert response.json()["text"] == "Moved to shelter." and response.json()["by_agency"]["code"] == "rosa"
    timeline = api.as_(p.police).get(f"/api/cases/{c.police_adult.pk}/timeline/").json()
    kinds = [row["kind"] for row in timeline["results"]]
    assert kinds[0] == "note"
    assert set(kinds) == {"note", "accepted", "invited", "consent_given", "referral"}
    assert timeline["count"] == CaseEvent.objects.filter(case=c.police_adult).count()


@pytest.mark.parametrize("text", ["", "   ", "x" * 10001, None])
def test_note_input_errors(api, world, text):
    before = CaseEvent.objects.count()
    response = api.as_(world.personas.police).post(
        f"/api/cases/{world.cases.police_adult.pk}/notes/", {"text": text}, format="json"
    )
    assert response.status_code == 400 and "text" in response.json()
    assert CaseEvent.objects.count() == before


def test_detail_is_audited_as_view(api, world):
    case = world.cases.police_adult
    body = api.as_(world.personas.ngo).get(f"/api/cases/{case.pk}/").json()
    event = AuditEvent.objects.latest("seq")
    assert (event.action, event.object_id, event.actor_username, event.agency_code) == (
        "view",
        str(case.pk),
        "ngo",
        "rosa",
    )
    assert body["person"]["display_name"] == "Blessing Okafor"
    assert {p["agency"]["code"]: p["state"] for p in body["participants"]} == {
        "oslo-pd-stop": "active",
        "rosa": "active",
    }
    assert [cn["agency"]["code"] for cn in body["consents"]] == ["rosa"]
    assert body["person"]["phones"][0]["number"] == "+47 912 34 567"


def test_person_endpoint_lists_only_visible_cases(api, world):
    case = world.cases.police_adult
    body = api.as_(world.personas.ngo).get(f"/api/persons/{case.person_id}/").json()
    assert body["cases"] == [{"id": str(case.pk), "reference": case.reference}]
    assert body["date_of_birth"] == "1995-05-17" and body["is_presumed_child"] is False
    event = AuditEvent.objects.latest("seq")
    assert (event.action, event.object_id) == ("view", str(case.person_id))
