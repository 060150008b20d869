import datetime as dt

import pytest
from django.core.exceptions import ValidationError

from tests.factories import report
from varde.audit.models import AuditEvent
from varde.cases.models import (
    Case,
    CaseEvent,
    CaseParticipation,
    CaseStatus,
    ParticipationState,
    StatusChange,
)
from varde.cases.services import (
    ConsentRequired,
    NameInput,
    ReportInput,
    case_add_note,
    case_change_status,
    case_invite_agency,
    consent_record,
    consent_withdraw,
    participation_respond,
    participation_revoke,
    person_add_name,
    referral_report,
)
from varde.core.errors import EditConflict, NotPermitted, TransitionNotAllowed


def test_report_creates_case_led_by_reporting_agency(personas, agencies):
    events_before = AuditEvent.objects.count()
    case = report(personas.police, agencies.police, given="Ada", family="Obi", child=False)
    assert case.status == CaseStatus.REPORTED and case.lead_agency == agencies.police
    assert not case.is_child
    part = case.participations.get()
    assert part.is_lead and part.state == ParticipationState.ACTIVE and part.agency == agencies.police
    assert case.referrals.get().reporting_agency == agencies.police
    assert [n.full for n in case.person.names.all()] == ["Ada Obi"]
    assert case.person.documents.get().number == "A1234567"
    history = StatusChange.objects.get(case=case)
    assert (history.from_status, history.to_status, history.by) == ("", CaseStatus.REPORTED, personas.police)
    assert case.events.filter(kind=CaseEvent.Kind.REFERRAL).count() == 1
    created = AuditEvent.objects.filter(seq__gt=events_before, action="create", object_id=str(case.pk))
    assert created.count() == 1


def test_estimated_child_is_a_childs_case(personas, agencies):
    case = report(personas.police, agencies.police, given="Tomas", family="K", child=True)
    assert case.is_child


def test_caseworker_cannot_report_for_another_agency(personas, agencies):
    with pytest.raises(NotPermitted):
        report(personas.police, agencies.ngo, given="X", family="Y", child=False)


def test_coordinator_may_record_referral_for_any_agency(personas, agencies):
    case = report(personas.coordinator, agencies.ngo, given="X", family="Y", child=False)
    assert case.lead_agency == agencies.ngo


def test_date_of_birth_and_estimate_together_is_rejected(personas, agencies):
    data = ReportInput(
        referral_date=dt.date(2026, 1, 1),
        names=[NameInput(given="X")],
        date_of_birth=dt.date(2000, 1, 1),
        estimated_age=30,
    )
    with pytest.raises(ValidationError):
        referral_report(actor=personas.police, agency=agencies.police, data=data)
    assert not Case.objects.exists()


def test_status_lifecycle_keeps_history(world):
    p, case = world.personas.police, world.cases.police_adult
    case = case_change_status(
        actor=p, case=case, status=CaseStatus.UNDER_ASSESSMENT, reason="Interview", version=case.version
    )
    case = case_change_status(
        actor=p, case=case, status=CaseStatus.IDENTIFIED, reason="Indicators", version=case.version
    )
    case = case_change_status(
        actor=p, case=case, status=CaseStatus.ASSISTANCE, reason="Shelter", version=case.version
    )
    case = case_change_status(
        actor=p,
        case=case,
        status=CaseStatus.CLOSED,
        reason="Went home",
        closure_reason="settled",
        version=case.version,
    )
    assert case.status == CaseStatus.CLOSED and case.closure_reason == "settled"
    steps = list(case.status_changes.values_list("from_status", "to_status"))
    assert steps == [
        ("", "reported"),
        ("reported", "under_assessment"),
        ("under_assessment", "identified"),
        ("identified", "assistance"),
        ("assistance", "closed"),
    ]


def test_illegal_transition_and_missing_reasons(world):
    p, case = world.personas.police, world.cases.police_adult
    with pytest.raises(TransitionNotAllowed):
        case_change_status(actor=p, case=case, status=CaseStatus.ASSISTANCE, reason="x", version=case.version)
    with pytest.raises(ValidationError):
        case_change_status(actor=p, case=case, status=CaseStatus.CLOSED, reason="x", version=case.version)
    with pytest.raises(ValidationError):
        case_change_status(
            actor=p, case=case, status=CaseStatus.UNDER_ASSESSMENT, reason=" ", version=case.version
        )
    case.refresh_from_db()
    assert case.status == CaseStatus.REPORTED


def test_stale_version_is_a_conflict_not_an_overwrite(world):
    p, case = world.personas.police, world.cases.police_adult
    stale = case.version
    case_change_status(actor=p, case=case, status=CaseStatus.UNDER_ASSESSMENT, reason="first", version=stale)
    with pytest.raises(EditConflict):
        case_change_status(
            actor=p,
            case=case,
            status=CaseStatus.CLOSED,
            reason="second",
            closure_reason="lost_contact",
            version=stale,
        )
    case.refresh_from_db()
    assert case.status == CaseStatus.UNDER_ASSESSMENT
    assert case.status_changes.count() == 2


def test_adult_case_needs_consent_before_sharing(world):
    p, a, c = world.personas, world.agencies, world.cases
    with pytest.raises(ConsentRequired):
        case_invite_agency(actor=p.childwelfare, case=c.childwelfare_adult, agency=a.police)
    consent_record(
        actor=p.childwelfare,
        case=c.childwelfare_adult,
        purpose="Report to police",
        given_on=dt.date(2026, 10, 5),
        agency_kind="police_district",
    )
    inv = case_invite_agency(
        actor=p.childwelfare, case=c.childwelfare_adult, agency=a.police, note="Please assess"
    )
    assert inv.state == ParticipationState.INVITED and inv.consent is not None


def test_child_welfare_needs_no_consent_in_a_childs_case(world):
    p, a, c = world.personas, world.agencies, world.cases
    inv = case_invite_agency(actor=p.ngo, case=c.ngo_child, agency=a.childwelfare)
    assert inv.consent is None
    accepted = participation_respond(actor=p.childwelfare, participation=inv, accept=True)
    assert accepted.state == ParticipationState.ACTIVE
    with pytest.raises(ConsentRequired):  # but not for an adult
        case_invite_agency(actor=p.ngo, case=c.ngo_adult, agency=a.childwelfare)


def test_only_lead_or_coordinator_invites(world):
    p, a, c = world.personas, world.agencies, world.cases
    # ROSA takes part in the police case but does not lead it.
    with pytest.raises(NotPermitted):
        case_invite_agency(actor=p.ngo, case=c.police_adult, agency=a.childwelfare)
    consent_record(
        actor=p.coordinator,
        case=c.police_adult,
        purpose="Follow-up",
        given_on=dt.date(2026, 10, 3),
        agency=a.childwelfare,
    )
    assert case_invite_agency(actor=p.coordinator, case=c.police_adult, agency=a.childwelfare)


def test_only_invited_agency_answers(world):
    p, a, c = world.personas, world.agencies, world.cases
    inv = case_invite_agency(actor=p.police, case=c.police_child, agency=a.childwelfare)
    with pytest.raises(NotPermitted):
        participation_respond(actor=p.ngo, participation=inv, accept=True)
    declined = participation_respond(actor=p.childwelfare, participation=inv, accept=False)
    assert declined.state == ParticipationState.DECLINED
    with pytest.raises(EditConflict):  # answering twice
        participation_respond(actor=p.childwelfare, participation=declined, accept=True)


def test_revoke_and_lead_cannot_be_revoked(world):
    p, c = world.personas, world.cases
    rosa = c.police_adult.participations.get(agency__code="rosa")
    lead = c.police_adult.participations.get(is_lead=True)
    with pytest.raises(ValidationError):
        participation_revoke(actor=p.police, participation=lead, reason="x")
    participation_revoke(actor=p.police, participation=rosa, reason="No longer needed")
    rosa.refresh_from_db()
    assert rosa.state == ParticipationState.REVOKED


def test_withdrawn_consent_ends_the_access_it_gave(world):
    p, c = world.personas, world.cases
    consent = c.police_adult.consents.get()
    consent_withdraw(actor=p.police, consent=consent)
    rosa = CaseParticipation.objects.get(case=c.police_adult, agency__code="rosa")
    assert rosa.state == ParticipationState.REVOKED
    assert c.police_adult.events.filter(kind=CaseEvent.Kind.CONSENT_WITHDRAWN).exists()
    with pytest.raises(EditConflict):
        consent_withdraw(actor=p.police, consent=consent)


def test_consent_in_future_rejected(world):
    with pytest.raises(ValidationError):
        consent_record(
            actor=world.personas.police,
            case=world.cases.police_adult,
            purpose="x",
            given_on=dt.date(2999, 1, 1),
            agency=world.agencies.ngo,
        )


def test_notes_and_names_are_audited(world):
    p, case = world.personas.police, world.cases.police_adult
    with pytest.raises(ValidationError):
        case_add_note(actor=p, case=case, text="  ")
    note = case_add_note(actor=p, case=case, text="Called the shelter")
    assert note.by_agency == world.agencies.police
    person_add_name(actor=p, case=case, name=NameInput(given="Blessin", family="Okafo", kind="alias"))
    assert case.person.names.count() == 2
    assert AuditEvent.objects.filter(object_id=str(case.person_id), action="update").exists()


def test_partner_agency_cannot_change_status(world):
    p, case = world.personas, world.cases.police_adult
    with pytest.raises(NotPermitted):
        case_change_status(
            actor=p.ngo, case=case, status=CaseStatus.UNDER_ASSESSMENT, reason="x", version=case.version
        )
    case = case_change_status(
        actor=p.coordinator, case=case, status=CaseStatus.UNDER_ASSESSMENT, reason="KOM", version=case.version
    )
    assert case.status == CaseStatus.UNDER_ASSESSMENT
