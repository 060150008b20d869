"""Every write to a case goes through here: keyword-only, atomic, audited in the same transaction."""

from __future__ import annotations

import datetime as dt
import secrets
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from varde.accounts.models import Agency, User
from varde.audit.models import AuditAction
from varde.audit.services import audit_record
from varde.core import clock
from varde.core.errors import EditConflict, NotPermitted, TransitionNotAllowed, VardeError
from varde.events.models import EventKind
from varde.events.services import event_emit
from varde.persons.models import IdentityDocument, Person, PersonName, PhoneNumber

from .acting import acting_agency, can_manage_participants
from .models import (
    TRANSITIONS,
    Case,
    CaseEvent,
    CaseParticipation,
    CaseStatus,
    Consent,
    ParticipationState,
    Referral,
    StatusChange,
)


class ConsentRequired(VardeError):
    """Sharing an adult's case with another agency needs the person's consent."""

    code = "consent_required"


@dataclass
class NameInput:
    given: str = ""
    family: str = ""
    kind: str = "primary"
    script: str = "Latn"


@dataclass
class DocumentInput:
    doc_type: str
    number: str
    issuing_country: str = ""
    suspected_false: bool = False


@dataclass
class ReportInput:
    """A possible victim as one agency reports them. Validated by the form, serializer or import."""

    referral_date: dt.date
    names: list[NameInput] = field(default_factory=list)
    sex: str = ""
    date_of_birth: dt.date | None = None
    estimated_age: int | None = None
    estimated_age_certainty: str = ""
    nationalities: list[str] = field(default_factory=list)
    languages: list[str] = field(default_factory=list)
    national_id: str = ""
    phones: list[str] = field(default_factory=list)
    documents: list[DocumentInput] = field(default_factory=list)
    met_how: str = ""
    met_where: str = ""
    municipality: str = ""
    exploitation_forms: list[str] = field(default_factory=list)
    labour_sector: str = ""
    criminality_kind: str = ""
    description: str = ""
    external_id: str = ""


def _new_reference(year: int) -> str:
    alphabet = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ"
    return f"V{year % 100:02d}-" + "".join(secrets.choice(alphabet) for _ in range(6))


def _event(
    *,
    case: Case,
    kind: str,
    actor: User | None,
    agency: Agency | None,
    text: str = "",
    about: Agency | None = None,
    data: dict[str, Any] | None = None,
    at: dt.datetime | None = None,
) -> CaseEvent:
    return CaseEvent.objects.create(
        case=case,
        kind=kind,
        at=at or clock.now(),
        by=actor,
        by_agency=agency,
        about_agency=about,
        text=text,
        data=data or {},
    )


def _check_can_report(actor: User, agency: Agency) -> None:
    """Caseworkers report for their own agencies; coordinators also record referrals received from others."""
    if agency.pk not in actor.case_agency_ids() and not actor.is_coordinator:
        raise NotPermitted(_("You can only report on behalf of an agency you work for."))


@transaction.atomic
def referral_report(*, actor: User, agency: Agency, data: ReportInput) -> Case:
    """Report a possible victim: a person, a new case led by the reporting agency, and the referral."""
    _check_can_report(actor, agency)
    if data.date_of_birth and data.estimated_age is not None:
        raise ValidationError({"estimated_age": _("Give a date of birth or an estimated age, not both.")})
    now = clock.now()
    person = Person.objects.create(
        sex=data.sex,
        date_of_birth=data.date_of_birth,
        estimated_age=data.estimated_age,
        estimated_age_certainty=data.estimated_age_certainty if data.estimated_age is not None else "",
        age_estimated_on=data.referral_date if data.estimated_age is not None else None,
        nationalities=[c.upper() for c in data.nationalities],
        languages=[c.lower() for c in data.languages],
        national_id=data.national_id,
    )
    PersonName.objects.bulk_create(
        [
            PersonName(person=person, given=n.given, family=n.family, kind=n.kind, script=n.script)
            for n in data.names
            if n.given or n.family
        ]
    )
    PhoneNumber.objects.bulk_create([PhoneNumber(person=person, number=p) for p in data.phones if p])
    IdentityDocument.objects.bulk_create(
        [
            IdentityDocument(
                person=person,
                doc_type=d.doc_type,
                number=d.number,
                issuing_country=d.issuing_country.upper(),
                suspected_false=d.suspected_false,
            )
            for d in data.documents
            if d.number
        ]
    )
    case = None
    for _attempt in range(5):
        try:
            with transaction.atomic():
                case = Case.objects.create(
                    reference=_new_reference(data.referral_date.year),
                    person=person,
                    lead_agency=agency,
                    status=CaseStatus.REPORTED,
                    is_child=person.is_presumed_child(data.referral_date),
                    opened_at=now,
                )
            break
        except IntegrityError:
            continue
    if case is None:  # pragma: no cover - 32^6 references a year
        raise RuntimeError("could not allocate a case reference")
    CaseParticipation.objects.create(
        case=case,
        agency=agency,
        state=ParticipationState.ACTIVE,
        is_lead=True,
        responded_by=actor,
        responded_at=now,
    )
    referral = Referral.objects.create(
        case=case,
        reporting_agency=agency,
        reported_by=actor,
        referral_date=data.referral_date,
        external_id=data.external_id,
        met_how=data.met_how,
        met_where=data.met_where,
        municipality=data.municipality,
        exploitation_forms=sorted(set(data.exploitation_forms)),
        labour_sector=data.labour_sector,
        criminality_kind=data.criminality_kind,
        description=data.description,
    )
    StatusChange.objects.create(
        case=case, from_status="", to_status=CaseStatus.REPORTED, by=actor, by_agency=agency, at=now
    )
    _event(
        case=case,
        kind=CaseEvent.Kind.REFERRAL,
        actor=actor,
        agency=agency,
        data={"referral_id": str(referral.pk)},
    )
    audit_record(
        actor=actor,
        action=AuditAction.CREATE,
        obj=case,
        agency=agency,
        detail={"referral": str(referral.pk), "person": str(person.pk)},
    )
    # What follows a report happens in this transaction, through the handlers the packages above
    # register for the event (varde.events): the linkage keys a later referral finds this one by; the
    # presumption of minority (CoE Convention Art. 10(3)), which emits the event the response acts on;
    # and the notices the routing rules send at once (the right authorities are told at once).
    event_emit(
        kind=EventKind.CASE_REPORTED,
        case=case,
        data={"actor": str(actor.pk), "agency": str(agency.pk), "person": str(person.pk)},
    )
    return Case.objects.get(pk=case.pk)


# Checks other packages make before a case is closed, registered from their AppConfig.ready (a case
# closed as "returned home" needs the return recorded: varde.response.returns.closure_check). Each
# takes the case and the closure reason and raises ValidationError to refuse.
CLOSURE_CHECKS: list[Callable[[Case, str], None]] = []


def closure_check_register(check: Callable[[Case, str], None]) -> None:
    if check not in CLOSURE_CHECKS:
        CLOSURE_CHECKS.append(check)


@transaction.atomic
def case_change_status(
    *, actor: User, case: Case, status: str, reason: str, version: int, closure_reason: str = ""
) -> Case:
    if not can_manage_participants(user=actor, case=case):
        raise NotPermitted(_("Only the lead agency or a coordinator can change the status of a case."))
    if version != case.version:
        # A stale form is a conflict (409), not a "transition not allowed" judged on the status that
        # someone else has saved meanwhile; the compare-and-set below still decides a real race.
        raise EditConflict(case)
    allowed = TRANSITIONS.get(case.status, frozenset())
    if status not in allowed:
        raise TransitionNotAllowed(
            _("A case cannot go from “%(old)s” to “%(new)s”.")
            % {"old": CaseStatus(case.status).label, "new": CaseStatus(status).label}
        )
    if status == CaseStatus.CLOSED and not closure_reason:
        raise ValidationError({"closure_reason": _("Say why the case is closed.")})
    if status != CaseStatus.CLOSED:
        closure_reason = ""
    if not reason.strip():
        raise ValidationError({"reason": _("Say why the status changes.")})
    if status == CaseStatus.CLOSED:
        for check in CLOSURE_CHECKS:
            check(case, closure_reason)
    updated = Case.objects.filter(pk=case.pk, version=version).update(
        status=status, closure_reason=closure_reason, version=version + 1, updated_at=clock.now()
    )
    if not updated:
        raise EditConflict(case)
    agency = acting_agency(user=actor, case=case)
    assert agency is not None  # the caller fetched the case through the access layer
    StatusChange.objects.create(
        case=case,
        from_status=case.status,
        to_status=status,
        closure_reason=closure_reason,
        reason=reason,
        by=actor,
        by_agency=agency,
        at=clock.now(),
    )
    _event(
        case=case,
        kind=CaseEvent.Kind.STATUS,
        actor=actor,
        agency=agency,
        text=reason,
        data={"from": case.status, "to": status, "closure_reason": closure_reason},
    )
    audit_record(
        actor=actor,
        action=AuditAction.UPDATE,
        obj=case,
        agency=agency,
        detail={"field": "status", "from": case.status, "to": status},
    )
    # Closed is closed: the response cancels the case's running clocks in this transaction, and a
    # re-opened case gets back what the rules require (varde.response handles the event).
    event_emit(
        kind=EventKind.CASE_STATUS_CHANGED,
        case=case,
        data={"from": case.status, "to": status, "closure_reason": closure_reason or None},
    )
    return Case.objects.get(pk=case.pk)


def consent_exemption(*, case: Case, agency: Agency) -> str:
    """Why no consent is needed to involve this agency, or '' if it is."""
    if case.is_child and agency.is_child_welfare:
        return _("Child welfare is involved in a child's case without consent (duty to inform).")
    return ""


@transaction.atomic
def case_invite_agency(*, actor: User, case: Case, agency: Agency, note: str = "") -> CaseParticipation:
    if not can_manage_participants(user=actor, case=case):
        raise NotPermitted(_("Only the lead agency or a coordinator can invite agencies."))
    if not agency.is_active:
        raise ValidationError({"agency": _("That agency is not active.")})
    existing = CaseParticipation.objects.filter(case=case, agency=agency).first()
    if existing and existing.state in (ParticipationState.ACTIVE, ParticipationState.INVITED):
        raise ValidationError({"agency": _("That agency is already invited or taking part.")})
    consent = next((c for c in case.consents.all() if c.covers(agency)), None)
    if consent is None and not consent_exemption(case=case, agency=agency):
        raise ConsentRequired(
            _("Record the person's consent to share the case with this agency before inviting it.")
        )
    by_agency = acting_agency(user=actor, case=case)
    now = clock.now()
    values = dict(
        state=ParticipationState.INVITED,
        is_lead=False,
        invited_by=actor,
        invited_at=now,
        invitation_note=note,
        responded_by=None,
        responded_at=None,
        consent=consent,
    )
    if existing:
        # Compare-and-set: a participation re-invited or answered meanwhile is a conflict, not a
        # second invitation over it.
        reinvited = CaseParticipation.objects.filter(
            pk=existing.pk, version=existing.version, state=existing.state
        ).update(version=existing.version + 1, **values)
        if not reinvited:
            raise EditConflict(existing)
        participation = CaseParticipation.objects.get(pk=existing.pk)
    else:
        participation = CaseParticipation.objects.create(case=case, agency=agency, **values)
    _event(case=case, kind=CaseEvent.Kind.INVITED, actor=actor, agency=by_agency, about=agency, text=note)
    audit_record(
        actor=actor,
        action=AuditAction.UPDATE,
        obj=case,
        agency=by_agency,
        detail={"invited_agency": agency.code, "participation": str(participation.pk)},
    )
    # The invited agency's inbox and 24-hour contact (varde.response handles the event).
    event_emit(
        kind=EventKind.AGENCY_INVITED,
        case=case,
        data={"participation": str(participation.pk), "version": participation.version},
    )
    return participation


@transaction.atomic
def participation_respond(
    *, actor: User, participation: CaseParticipation, accept: bool
) -> CaseParticipation:
    if participation.agency_id not in actor.case_agency_ids():
        raise NotPermitted(_("Only the invited agency can answer the invitation."))
    state = ParticipationState.ACTIVE if accept else ParticipationState.DECLINED
    updated = CaseParticipation.objects.filter(
        pk=participation.pk, state=ParticipationState.INVITED, version=participation.version
    ).update(state=state, responded_by=actor, responded_at=clock.now(), version=participation.version + 1)
    if not updated:
        raise EditConflict(participation)
    kind = CaseEvent.Kind.ACCEPTED if accept else CaseEvent.Kind.DECLINED
    _event(
        case=participation.case,
        kind=kind,
        actor=actor,
        agency=participation.agency,
        about=participation.agency,
    )
    audit_record(
        actor=actor,
        action=AuditAction.UPDATE,
        obj=participation.case,
        agency=participation.agency,
        detail={"participation": str(participation.pk), "state": state},
    )
    return CaseParticipation.objects.get(pk=participation.pk)


def _revoke(*, actor: User | None, participation: CaseParticipation, why: str) -> None:
    # Compare-and-set (DESIGN convention 4): a participation answered, revoked or changed since it was
    # read is a conflict, never a second revocation or an overwritten answer.
    revoked = CaseParticipation.objects.filter(
        pk=participation.pk,
        version=participation.version,
        state__in=[ParticipationState.ACTIVE, ParticipationState.INVITED],
    ).update(state=ParticipationState.REVOKED, version=participation.version + 1, responded_at=clock.now())
    if not revoked:
        raise EditConflict(participation)
    by_agency = acting_agency(user=actor, case=participation.case) if actor else None
    _event(
        case=participation.case,
        kind=CaseEvent.Kind.REVOKED,
        actor=actor,
        agency=by_agency,
        about=participation.agency,
        text=why,
    )


@transaction.atomic
def participation_revoke(*, actor: User, participation: CaseParticipation, reason: str) -> None:
    case = participation.case
    if not can_manage_participants(user=actor, case=case):
        raise NotPermitted(_("Only the lead agency or a coordinator can revoke an agency's access."))
    if participation.is_lead:
        raise ValidationError({"participation": _("The lead agency cannot be removed from its own case.")})
    if participation.state not in (ParticipationState.ACTIVE, ParticipationState.INVITED):
        raise ValidationError({"participation": _("That agency has no access to revoke.")})
    if not reason.strip():
        raise ValidationError({"reason": _("Say why the access is revoked.")})
    _revoke(actor=actor, participation=participation, why=reason)
    audit_record(
        actor=actor,
        action=AuditAction.UPDATE,
        obj=case,
        detail={"revoked_agency": participation.agency.code, "participation": str(participation.pk)},
    )


@transaction.atomic
def consent_record(
    *,
    actor: User,
    case: Case,
    purpose: str,
    given_on: dt.date,
    agency: Agency | None = None,
    agency_kind: str = "",
) -> Consent:
    if agency is None and not agency_kind:
        raise ValidationError({"agency": _("Say which agency, or which kind of agency, the consent covers.")})
    if not purpose.strip():
        raise ValidationError({"purpose": _("Say what may be shared, and why.")})
    if given_on > clock.today():
        raise ValidationError({"given_on": _("Consent cannot be given in the future.")})
    consent = Consent.objects.create(
        case=case,
        agency=agency,
        agency_kind="" if agency else agency_kind,
        purpose=purpose,
        given_on=given_on,
        recorded_by=actor,
    )
    by_agency = acting_agency(user=actor, case=case)
    _event(
        case=case,
        kind=CaseEvent.Kind.CONSENT_GIVEN,
        actor=actor,
        agency=by_agency,
        about=agency,
        text=purpose,
        data={"consent": str(consent.pk), "agency_kind": agency_kind},
    )
    audit_record(
        actor=actor, action=AuditAction.CREATE, obj=consent, agency=by_agency, detail={"case": str(case.pk)}
    )
    return consent


@transaction.atomic
def consent_withdraw(*, actor: User, consent: Consent) -> Consent:
    """Withdrawal ends the access it gave: agencies let in on this consent lose the case."""
    updated = Consent.objects.filter(
        pk=consent.pk, withdrawn_on__isnull=True, version=consent.version
    ).update(withdrawn_on=clock.today(), withdrawn_by=actor, version=consent.version + 1)
    if not updated:
        raise EditConflict(consent)
    case = consent.case
    for participation in consent.participations.filter(
        state__in=[ParticipationState.ACTIVE, ParticipationState.INVITED], is_lead=False
    ).select_related("agency", "case"):
        _revoke(actor=actor, participation=participation, why=_("Consent withdrawn"))
    by_agency = acting_agency(user=actor, case=case)
    _event(
        case=case,
        kind=CaseEvent.Kind.CONSENT_WITHDRAWN,
        actor=actor,
        agency=by_agency,
        about=consent.agency,
        data={"consent": str(consent.pk)},
    )
    audit_record(
        actor=actor,
        action=AuditAction.UPDATE,
        obj=consent,
        agency=by_agency,
        detail={"case": str(case.pk), "withdrawn": True},
    )
    return Consent.objects.get(pk=consent.pk)


@transaction.atomic
def case_add_note(*, actor: User, case: Case, text: str) -> CaseEvent:
    if not text.strip():
        raise ValidationError({"text": _("A note cannot be empty.")})
    agency = acting_agency(user=actor, case=case)
    event = _event(case=case, kind=CaseEvent.Kind.NOTE, actor=actor, agency=agency, text=text.strip())
    audit_record(actor=actor, action=AuditAction.UPDATE, obj=case, agency=agency, detail={"note": event.pk})
    return event


@transaction.atomic
def person_add_name(*, actor: User, case: Case, name: NameInput) -> PersonName:
    if not (name.given.strip() or name.family.strip()):
        raise ValidationError({"given": _("Give at least a given or a family name.")})
    person_name = PersonName.objects.create(
        person=case.person,
        given=name.given.strip(),
        family=name.family.strip(),
        kind=name.kind,
        script=name.script,
    )
    Person.objects.filter(pk=case.person_id).update(version=case.person.version + 1, updated_at=clock.now())
    agency = acting_agency(user=actor, case=case)
    _event(
        case=case,
        kind=CaseEvent.Kind.PERSON_UPDATED,
        actor=actor,
        agency=agency,
        data={"added": "name", "kind": name.kind},
    )
    audit_record(
        actor=actor,
        action=AuditAction.UPDATE,
        obj=case.person,
        agency=agency,
        detail={"added": "name", "case": str(case.pk)},
    )
    # A new alias is a new linkage key (varde.linkage handles the event).
    event_emit(kind=EventKind.PERSON_KEYS_CHANGED, case=case, data={"person": str(case.person_id)})
    return person_name


REMOVED = "[removed]"


def case_anonymise(*, case: Case) -> None:
    """Retention: the case's free text goes (referral description, where met, record id, timeline
    notes and data, status-change reasons, invitation notes, consent purposes); the skeleton stays.
    The caller (varde.retention) audits and runs it in its transaction."""
    Referral.objects.filter(case=case).update(
        description="", met_where="", external_id="", updated_at=clock.now()
    )
    CaseEvent.objects.filter(case=case).update(text="", data={})
    StatusChange.objects.filter(case=case).update(reason="")
    CaseParticipation.objects.filter(case=case).update(invitation_note="")
    Consent.objects.filter(case=case).update(purpose=REMOVED)
