"""Writes for identification: catalogues, local questions, assessments, age evidence, the presumption
of minority. Keyword-only, atomic, audited in the same transaction (DESIGN conventions 2-4)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from uuid import UUID

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils.translation import gettext as _

from varde.accounts.models import Agency, User
from varde.audit.models import AuditAction
from varde.audit.services import audit_record
from varde.cases.acting import case_agency_required
from varde.cases.models import Case, CaseEvent
from varde.cases.services import REMOVED
from varde.core import clock
from varde.core.errors import EditConflict, NotPermitted
from varde.events.models import EventKind
from varde.events.services import event_emit

from . import loader
from .catalogue import shipped_catalogue
from .errors import CatalogueNotApplicable, UnknownCatalogue
from .models import (
    AgeEvidence,
    AgeEvidenceKind,
    AgePresumption,
    Assessment,
    Catalogue,
    Conclusion,
    LocalQuestion,
    PresumptionReason,
)
from .rule import Outcome, evaluate

# CaseEvent.kind values written by this app (CaseEvent.kind is a free CharField).
CASE_EVENT_ASSESSMENT = CaseEvent.Kind.ASSESSMENT
CASE_EVENT_AGE_EVIDENCE = CaseEvent.Kind.AGE_EVIDENCE
CASE_EVENT_PRESUMPTION_STARTED = CaseEvent.Kind.PRESUMPTION_STARTED
CASE_EVENT_PRESUMPTION_LIFTED = CaseEvent.Kind.PRESUMPTION_LIFTED

ADULT_AGE = 18

# The caseworker's conclusion that agrees with each outcome of the rule.
AGREEING_CONCLUSION = {
    Outcome.INDICATES_TRAFFICKING: Conclusion.INDICATES_TRAFFICKING,
    Outcome.INCONCLUSIVE: Conclusion.INCONCLUSIVE,
    Outcome.NO_INDICATORS: Conclusion.NOT_TRAFFICKING,
}


# --- catalogues -----------------------------------------------------------------------------------


def catalogues_load(*, directory: Path | None = None) -> loader.LoadReport:
    """Load catalogue files into the database (default: the shipped ones). Idempotent; old versions stay.

    Raises CatalogueVersionConflict when a file's content changed but its version did not.
    """
    return loader.load_directory(model=Catalogue, directory=directory)


def catalogue_current(*, catalogue_id: str) -> Catalogue:
    """The newest loaded version of a catalogue, loading the shipped file first if it is new."""
    try:
        shipped = shipped_catalogue(catalogue_id)
    except UnknownCatalogue:
        shipped = None
    if (
        shipped is not None
        and not Catalogue.objects.filter(key=shipped["id"], version=shipped["version"]).exists()
    ):
        with transaction.atomic():
            loader.load_one(model=Catalogue, data=shipped)
    row = Catalogue.objects.filter(key=catalogue_id).order_by("-version").first()
    if row is None:
        raise UnknownCatalogue(catalogue_id)
    return row


def _check_applicable(*, case: Case, catalogue: Catalogue) -> None:
    if catalogue.population == "adult" and case.is_child:
        raise CatalogueNotApplicable(
            _("This is a child's case (or the person is presumed a child): use a catalogue for children.")
        )
    if catalogue.population == "child" and not case.is_child:
        raise CatalogueNotApplicable(
            _(
                "This is an adult's case: use a catalogue for adults. If the person may be a child, "
                "record the age evidence first."
            )
        )


# --- local questions --------------------------------------------------------------------------------


def _check_can_manage_questions(actor: User, agency: Agency) -> None:
    if actor.is_system_admin or agency.pk in actor.admin_agency_ids():
        return
    raise NotPermitted(_("Only the agency's administrator can change its local questions."))


@transaction.atomic
def local_question_add(
    *,
    actor: User,
    agency: Agency,
    catalogue_id: str,
    text_nb: str,
    text_en: str,
    help_nb: str = "",
    help_en: str = "",
    element_id: str = "",
) -> LocalQuestion:
    """Add an agency's own question to a national catalogue, without touching the catalogue."""
    _check_can_manage_questions(actor, agency)
    catalogue = catalogue_current(catalogue_id=catalogue_id)
    if not text_nb.strip() or not text_en.strip():
        raise ValidationError({"text_nb": _("Write the question in both Bokmål and English.")})
    if element_id and element_id not in {e["id"] for e in catalogue.content["elements"]}:
        raise ValidationError({"element_id": _("That element is not in the catalogue.")})
    question = LocalQuestion.objects.create(
        agency=agency,
        catalogue_key=catalogue.key,
        element_id=element_id,
        text_nb=text_nb.strip(),
        text_en=text_en.strip(),
        help_nb=help_nb.strip(),
        help_en=help_en.strip(),
        created_by=actor,
    )
    audit_record(
        actor=actor,
        action=AuditAction.CREATE,
        obj=question,
        agency=agency,
        detail={"catalogue": catalogue.key},
    )
    return question


@transaction.atomic
def local_question_retire(*, actor: User, question: LocalQuestion) -> LocalQuestion:
    """Stop showing a local question. Assessments that used it keep their copy of the text."""
    _check_can_manage_questions(actor, question.agency)
    updated = LocalQuestion.objects.filter(pk=question.pk, version=question.version, is_active=True).update(
        is_active=False, version=question.version + 1, updated_at=clock.now()
    )
    if not updated:
        raise EditConflict(question)
    audit_record(
        actor=actor,
        action=AuditAction.UPDATE,
        obj=question,
        agency=question.agency,
        detail={"is_active": False},
    )
    return LocalQuestion.objects.get(pk=question.pk)


# --- assessments --------------------------------------------------------------------------------------


def conclusion_disagrees(*, outcome: str, conclusion: str, rule: str = "ilo") -> bool:
    """The caseworker's conclusion differs from what the indicators support.

    A checklist never concludes on its own, so an inconclusive checklist agrees with any conclusion;
    only "no indicators" against "indicates trafficking" is a disagreement there.
    """
    if rule == "checklist":
        return outcome == Outcome.NO_INDICATORS and conclusion == Conclusion.INDICATES_TRAFFICKING
    return AGREEING_CONCLUSION[Outcome(outcome)] != conclusion


@transaction.atomic
def assessment_record(
    *,
    actor: User,
    case: Case,
    catalogue_id: str,
    indicator_ids: Sequence[str],
    conclusion: str,
    reasoning: str,
    local_question_ids: Sequence[UUID | str] = (),
) -> Assessment:
    """Record an assessment: the rule explains, the caseworker concludes. A disagreement is kept visible."""
    agency = case_agency_required(actor, case)
    if conclusion not in Conclusion.values:
        raise ValidationError({"conclusion": _("Choose a conclusion.")})
    if not reasoning.strip():
        raise ValidationError({"reasoning": _("Explain your conclusion.")})
    catalogue = catalogue_current(catalogue_id=catalogue_id)
    case = Case.objects.get(pk=case.pk)  # is_child as of now, not as the caller loaded it
    _check_applicable(case=case, catalogue=catalogue)
    result = evaluate(catalogue.content, indicator_ids)
    wanted = {str(q) for q in local_question_ids}
    local = list(
        LocalQuestion.objects.filter(
            pk__in=[q for q in wanted if _is_uuid(q)],
            agency=agency,
            catalogue_key=catalogue.key,
            is_active=True,
        )
    )
    if len(local) != len(wanted):
        raise ValidationError({"local_question_ids": _("A local question is unknown or no longer in use.")})
    ticked = [i for el in result.elements.values() for i in el.indicators]
    assessment = Assessment.objects.create(
        case=case,
        catalogue=catalogue,
        indicator_ids=ticked,
        local_answers=[
            {"id": str(q.pk), "element_id": q.element_id, "text": {"nb": q.text_nb, "en": q.text_en}}
            for q in local
        ],
        result=result.as_dict(),
        outcome=result.outcome.value,
        conclusion=conclusion,
        reasoning=reasoning.strip(),
        disagrees=conclusion_disagrees(outcome=result.outcome, conclusion=conclusion, rule=catalogue.rule),
        assessed_by=actor,
        agency=agency,
        at=clock.now(),
    )
    CaseEvent.objects.create(
        case=case,
        kind=CASE_EVENT_ASSESSMENT,
        at=assessment.at,
        by=actor,
        by_agency=agency,
        data={
            "assessment": str(assessment.pk),
            "catalogue": catalogue.key,
            "version": catalogue.version,
            "outcome": assessment.outcome,
            "conclusion": conclusion,
            "disagrees": assessment.disagrees,
        },
    )
    audit_record(
        actor=actor,
        action=AuditAction.CREATE,
        obj=assessment,
        agency=agency,
        detail={"case": str(case.pk), "catalogue": catalogue.key, "version": catalogue.version},
    )
    return assessment


def _is_uuid(value: str) -> bool:
    try:
        UUID(value)
    except ValueError:
        return False
    return True


# --- age evidence and the presumption of minority -----------------------------------------------------


@transaction.atomic
def age_evidence_record(
    *,
    actor: User,
    case: Case,
    kind: str,
    age_min: int,
    age_max: int | None = None,
    on: dt.date,
    assessed_by: str = "",
    note: str = "",
    verified: bool = False,
) -> AgeEvidence:
    """Record one piece of age evidence. Call presumption_evaluate() afterwards (in the same request)."""
    agency = case_agency_required(actor, case)
    if kind not in AgeEvidenceKind.values:
        raise ValidationError({"kind": _("Choose the kind of evidence.")})
    if not 0 <= age_min <= 120 or (age_max is not None and not age_min <= age_max <= 120):
        raise ValidationError({"age_min": _("Give an age, or a range from the lowest to the highest age.")})
    if verified and kind != AgeEvidenceKind.DOCUMENT:
        raise ValidationError({"verified": _("Only a document checked as genuine can verify the age.")})
    if on > clock.today():
        raise ValidationError({"on": _("The date cannot be in the future.")})
    evidence = AgeEvidence.objects.create(
        case=case,
        person_id=case.person_id,
        kind=kind,
        age_min=age_min,
        age_max=age_max,
        verified=verified,
        assessed_by=assessed_by.strip(),
        on=on,
        note=note.strip(),
        recorded_by=actor,
        agency=agency,
        recorded_at=clock.now(),
    )
    CaseEvent.objects.create(
        case=case,
        kind=CASE_EVENT_AGE_EVIDENCE,
        at=evidence.recorded_at,
        by=actor,
        by_agency=agency,
        data={"age_evidence": str(evidence.pk), "kind": kind},
    )
    audit_record(
        actor=actor,
        action=AuditAction.CREATE,
        obj=evidence,
        agency=agency,
        detail={"case": str(case.pk), "kind": kind},
    )
    return evidence


def _years_between(start: dt.date, end: dt.date) -> int:
    return max(0, end.year - start.year - ((end.month, end.day) < (start.month, start.day)))


def _lowest_age_now(evidence: AgeEvidence, today: dt.date) -> int:
    return evidence.age_min + _years_between(evidence.on, today)


def verified_age(*, case: Case, today: dt.date | None = None) -> int | None:
    """The age established by a verified document, grown to today; None while the age is uncertain."""
    doc = (
        AgeEvidence.objects.filter(case=case, kind=AgeEvidenceKind.DOCUMENT, verified=True)
        .order_by("-on", "-recorded_at")
        .first()
    )
    return _lowest_age_now(doc, today or clock.today()) if doc else None


_REASON_FOR_KIND = {
    AgeEvidenceKind.OWN_STATEMENT: PresumptionReason.SAYS_UNDER_18,
    AgeEvidenceKind.DOCUMENT: PresumptionReason.DOCUMENT,
    AgeEvidenceKind.AGE_ASSESSMENT: PresumptionReason.AGE_ASSESSMENT,
    AgeEvidenceKind.OTHER: PresumptionReason.OTHER_EVIDENCE,
}


def presumption_reasons(*, case: Case, today: dt.date | None = None) -> list[str]:
    """Reasons to believe the person is a child. After a presumption was lifted, only evidence recorded
    since then counts (the lifting already weighed what was known)."""
    today = today or clock.today()
    last_lift = (
        AgePresumption.objects.filter(case=case, lifted_at__isnull=False).order_by("-lifted_at").first()
    )
    reasons: list[str] = []
    person = case.person
    if last_lift is None:
        age = person.age_on(today)
        if age is not None and age < ADULT_AGE:
            reasons.append(
                PresumptionReason.REPORTED_BIRTH_DATE
                if person.date_of_birth
                else PresumptionReason.ESTIMATED_AGE
            )
    evidence = AgeEvidence.objects.filter(case=case)
    if last_lift is not None:
        evidence = evidence.filter(recorded_at__gt=last_lift.lifted_at)
    for item in evidence:
        if _lowest_age_now(item, today) < ADULT_AGE:
            reasons.append(_REASON_FOR_KIND[AgeEvidenceKind(item.kind)])
    return sorted(set(reasons))


@dataclass
class PresumptionDecision:
    """What presumption_evaluate() found. `outcome` is one of the OUTCOME_* codes below."""

    outcome: str
    presumption: AgePresumption | None = None
    reasons: list[str] = field(default_factory=list)


OUTCOME_STARTED = "started"  # a presumption began: the case is now a child's case
OUTCOME_ALREADY_PRESUMED = "already_presumed"  # an active presumption exists
OUTCOME_NO_REASON = "no_reason"  # nothing suggests a child
OUTCOME_VERIFIED_CHILD = "verified_child"  # age verified under 18: a child's case by fact
OUTCOME_VERIFIED_ADULT = "verified_adult"  # age verified 18 or over (an active presumption is not
# lifted automatically: presumption_lift needs a reason)


def _mark_child(case: Case) -> None:
    Case.objects.filter(pk=case.pk).update(is_child=True, version=F("version") + 1, updated_at=clock.now())


@transaction.atomic
def presumption_evaluate(*, actor: User, case: Case) -> PresumptionDecision:
    """Start a presumption of minority when the age is uncertain and there are reasons to believe the
    person is a child (CoE Convention Art. 10(3)): the case becomes a child's case and `presumed_child`
    is emitted for the coordinated response. Safe to call after every report or new age evidence."""
    agency = case_agency_required(actor, case)
    return presumption_evaluate_on_report(actor=actor, case=case, agency=agency)


def presumption_evaluate_on_report(*, actor: User, case: Case, agency: Agency) -> PresumptionDecision:
    """The evaluation itself, for callers that already act for `agency` in the case (referral_report)."""
    case = Case.objects.select_related("person").get(pk=case.pk)
    today = clock.today()
    active = AgePresumption.objects.filter(case=case, lifted_at__isnull=True).first()
    known_age = verified_age(case=case, today=today)
    if known_age is not None:
        if known_age >= ADULT_AGE:
            return PresumptionDecision(OUTCOME_VERIFIED_ADULT, active)
        if not case.is_child:
            _mark_child(case)
            event_emit(kind=EventKind.CHILD_CONFIRMED, case=case)
            audit_record(
                actor=actor,
                action=AuditAction.UPDATE,
                obj=case,
                agency=agency,
                detail={"field": "is_child", "to": True, "basis": "verified_age"},
            )
        return PresumptionDecision(OUTCOME_VERIFIED_CHILD, active)
    reasons = presumption_reasons(case=case, today=today)
    if active is not None:
        return PresumptionDecision(OUTCOME_ALREADY_PRESUMED, active, reasons)
    if not reasons:
        return PresumptionDecision(OUTCOME_NO_REASON)
    now = clock.now()
    try:
        with transaction.atomic():
            presumption = AgePresumption.objects.create(
                case=case, started_at=now, started_by=actor, reasons=reasons
            )
    except IntegrityError:  # another request started one at the same moment
        return PresumptionDecision(
            OUTCOME_ALREADY_PRESUMED,
            AgePresumption.objects.filter(case=case, lifted_at__isnull=True).first(),
            reasons,
        )
    if not case.is_child:
        _mark_child(case)
    CaseEvent.objects.create(
        case=case,
        kind=CASE_EVENT_PRESUMPTION_STARTED,
        at=now,
        by=actor,
        by_agency=agency,
        data={"presumption": str(presumption.pk), "reasons": reasons},
    )
    event_emit(kind=EventKind.PRESUMED_CHILD, case=case, data={"presumption": str(presumption.pk)})
    audit_record(
        actor=actor, action=AuditAction.CREATE, obj=presumption, agency=agency, detail={"case": str(case.pk)}
    )
    return PresumptionDecision(OUTCOME_STARTED, presumption, reasons)


@transaction.atomic
def presumption_lift(*, actor: User, case: Case, reason: str) -> AgePresumption:
    """End the presumption: the case is no longer a child's case. Needs a reason; the presumption stays
    as history, and only evidence recorded after this can start a new one."""
    agency = case_agency_required(actor, case)
    if not reason.strip():
        raise ValidationError({"reason": _("Say why the presumption of minority is lifted.")})
    presumption = AgePresumption.objects.filter(case=case, lifted_at__isnull=True).first()
    if presumption is None:
        raise ValidationError({"reason": _("There is no presumption of minority to lift in this case.")})
    known_age = verified_age(case=case)
    if known_age is not None and known_age < ADULT_AGE:
        raise ValidationError({"reason": _("The age is verified as under 18: the person is a child.")})
    now = clock.now()
    updated = AgePresumption.objects.filter(
        pk=presumption.pk, lifted_at__isnull=True, version=presumption.version
    ).update(
        lifted_at=now,
        lifted_by=actor,
        lifted_reason=reason.strip(),
        version=presumption.version + 1,
        updated_at=now,
    )
    if not updated:
        raise EditConflict(presumption)
    Case.objects.filter(pk=case.pk).update(is_child=False, version=F("version") + 1, updated_at=now)
    CaseEvent.objects.create(
        case=case,
        kind=CASE_EVENT_PRESUMPTION_LIFTED,
        at=now,
        by=actor,
        by_agency=agency,
        text=reason.strip(),
        data={"presumption": str(presumption.pk)},
    )
    event_emit(kind=EventKind.PRESUMPTION_LIFTED, case=case, data={"presumption": str(presumption.pk)})
    audit_record(
        actor=actor,
        action=AuditAction.UPDATE,
        obj=presumption,
        agency=agency,
        detail={"case": str(case.pk), "lifted": True},
    )
    return AgePresumption.objects.get(pk=presumption.pk)


def identification_anonymise(*, case: Case) -> None:
    """Retention: assessment reasoning, age-evidence notes and sources, why a presumption was lifted."""
    Assessment.objects.filter(case=case).update(reasoning=REMOVED)
    AgeEvidence.objects.filter(case=case).update(note="", assessed_by="")
    AgePresumption.objects.filter(case=case).exclude(lifted_reason="").update(lifted_reason=REMOVED)
