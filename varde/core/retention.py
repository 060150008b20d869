"""Retention: closed cases past VARDE_RETENTION_DAYS after closure are anonymised.

Removed: names and aliases, identity documents, phone numbers, national id, birth date (replaced by
the lower bound of an age band at the case's opening), every free text (referral description, where
met, record id, timeline notes and their data, status-change reasons, invitation notes, consent
purposes), and the free text of the identification and response modules (assessment reasoning,
age-evidence notes and sources, why a presumption was lifted, clock pause/extension/change reasons,
legal-status notes, places, plan goals, task titles, meeting decisions) and the reasons of linkage
review decisions. Kept for statistics: the case skeleton - reference, status and its history (who/when,
without the reasons), dates, agencies, forms of exploitation, sector, municipality, nationality, sex,
age band and the child flag. A person is anonymised only when every case about them is due.
Each case is audited (action `anonymise`) and recorded in AnonymisedCase, so a run is idempotent.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.conf import settings
from django.db import transaction
from django.db.models import Max, Q

from varde.audit.models import AnonymisedCase, AuditAction
from varde.audit.services import audit_record
from varde.cases.models import Case, CaseEvent, CaseParticipation, CaseStatus, Consent, Referral, StatusChange
from varde.identification.models import AgeEvidence, AgePresumption, Assessment
from varde.linkage.models import ReviewDecision
from varde.persons.models import Person
from varde.response.models import (
    ClockChange,
    ClockExtension,
    ClockPause,
    LegalStatus,
    MeetingDecision,
    Placement,
    PlanGoal,
    Task,
)

from . import clock

AGE_BANDS = (0, 13, 16, 18, 25, 35, 50, 65)
REMOVED = "[removed]"


@dataclass
class RetentionResult:
    days: int
    anonymised: int = 0
    case_ids: list[str] = field(default_factory=list)


def age_band_floor(age: int) -> int:
    return max(b for b in AGE_BANDS if b <= age)


def due_cases(*, days: int | None = None, now: dt.datetime | None = None) -> list[tuple[Case, dt.date]]:
    """Closed cases whose (latest) closure lies more than `days` ago and not yet anonymised."""
    days = settings.VARDE_RETENTION_DAYS if days is None else days
    cutoff = (now or clock.now()) - dt.timedelta(days=days)
    closings = (
        StatusChange.objects.filter(to_status=CaseStatus.CLOSED)
        .values("case_id")
        .annotate(closed_at=Max("at"))
        .filter(closed_at__lt=cutoff)
    )
    closed_at = {row["case_id"]: row["closed_at"] for row in closings}
    done = set(AnonymisedCase.objects.values_list("case_id", flat=True))
    cases = (
        Case.objects.filter(pk__in=closed_at, status=CaseStatus.CLOSED)
        .exclude(pk__in=done)
        .select_related("person")
    )
    return [(case, clock.localdate(closed_at[case.pk])) for case in cases.order_by("opened_at")]


def _anonymise_person(person: Person, opened: dt.date) -> None:
    age = person.age_on(opened)
    person.names.all().delete()
    person.documents.all().delete()
    person.phones.all().delete()
    Person.objects.filter(pk=person.pk).update(
        date_of_birth=None,
        national_id="",
        estimated_age=age_band_floor(age) if age is not None else None,
        estimated_age_certainty="",
        age_estimated_on=opened if age is not None else None,
        version=person.version + 1,
        updated_at=clock.now(),
    )


def _clear_module_text(case: Case) -> None:
    """Free text in the identification and response modules: kept structure, removed words."""
    Assessment.objects.filter(case=case).update(reasoning=REMOVED)
    AgeEvidence.objects.filter(case=case).update(note="", assessed_by="")
    AgePresumption.objects.filter(case=case).exclude(lifted_reason="").update(lifted_reason=REMOVED)
    ClockChange.objects.filter(clock__case=case).update(reason="")
    ClockPause.objects.filter(clock__case=case).update(reason=REMOVED)
    ClockExtension.objects.filter(clock__case=case).update(reason=REMOVED)
    LegalStatus.objects.filter(case=case).update(note="")
    Placement.objects.filter(case=case).update(description="")
    PlanGoal.objects.filter(plan__case=case).update(text=REMOVED)
    Task.objects.filter(case=case).update(title=REMOVED)
    MeetingDecision.objects.filter(meeting__case=case).update(text=REMOVED)
    ReviewDecision.objects.filter(Q(record_a__case=case) | Q(record_b__case=case)).update(
        reason="", withdrawal_reason=""
    )


@transaction.atomic
def anonymise_case(*, case: Case, closed_on: dt.date, days: int) -> None:
    Referral.objects.filter(case=case).update(
        description="", met_where="", external_id="", updated_at=clock.now()
    )
    CaseEvent.objects.filter(case=case).update(text="", data={})
    StatusChange.objects.filter(case=case).update(reason="")
    CaseParticipation.objects.filter(case=case).update(invitation_note="")
    Consent.objects.filter(case=case).update(purpose=REMOVED)
    _clear_module_text(case)
    others_due = (
        not Case.objects.filter(person_id=case.person_id)
        .exclude(pk=case.pk)
        .exclude(pk__in=AnonymisedCase.objects.values("case_id"))
        .exists()
    )
    if others_due:
        _anonymise_person(case.person, clock.localtime(case.opened_at).date())
    AnonymisedCase.objects.create(case=case, closed_on=closed_on, anonymised_at=clock.now())
    audit_record(
        actor=None,
        action=AuditAction.ANONYMISE,
        obj=case,
        agency=case.lead_agency,
        detail={"closed_on": closed_on.isoformat(), "retention_days": days, "person": others_due},
    )


def retention_run(*, dry_run: bool = False, days: int | None = None) -> RetentionResult:
    days = settings.VARDE_RETENTION_DAYS if days is None else days
    result = RetentionResult(days=days)
    for case, closed_on in due_cases(days=days):
        if not dry_run:
            anonymise_case(case=case, closed_on=closed_on, days=days)
        result.anonymised += 1
        result.case_ids.append(str(case.pk))
    return result
