"""Retention: closed cases past VARDE_RETENTION_DAYS after closure are anonymised.

Removed: names and aliases, identity documents, phone numbers, national id, birth date (replaced by
the lower bound of an age band at the case's opening), every free text (referral description, where
met, record id, timeline notes and their data, status-change reasons, invitation notes, consent
purposes), and the free text of the identification and response modules (assessment reasoning,
age-evidence notes and sources, why a presumption was lifted, clock pause/extension/change reasons,
legal-status notes, places, plan goals, task titles, meeting decisions) and the reasons of linkage
review decisions; the free text and identifiers of concluded criminal cases that become due with the
case (varde.prosecution.retention: police case number, investigation and cooperation notes, and the
names of perpetrators and networks once every criminal case they are in is due). Kept for
statistics: the case skeleton - reference, status and its history (who/when, without the reasons),
dates, agencies, forms of exploitation, sector, municipality, nationality, sex, age band and the child
flag, and a criminal case's stages, outcome, proceeds and links. A person is anonymised only when
every case about them is due. Each case is audited (action `anonymise`) and recorded in
AnonymisedCase, so a run is idempotent.

Retention sits above the domain packages: each offers its own `*_anonymise` service for what it
holds, and this package decides when and calls them in one transaction per case. A new domain
package with free text adds its service to ANONYMISERS.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field

from django.conf import settings
from django.db import transaction
from django.db.models import Max

from varde.audit.models import AnonymisedCase, AuditAction
from varde.audit.services import audit_record
from varde.cases.models import Case, CaseStatus, StatusChange
from varde.cases.services import case_anonymise
from varde.core import clock
from varde.identification.services import identification_anonymise
from varde.linkage.search_keys import search_keys_delete
from varde.linkage.services import linkage_anonymise
from varde.persons.services import person_anonymise
from varde.prosecution.retention import prosecution_anonymise
from varde.response.retention import response_anonymise

# Each domain's own anonymisation of a case's records, in the order they run.
ANONYMISERS: tuple[Callable[..., None], ...] = (
    case_anonymise,
    identification_anonymise,
    response_anonymise,
    linkage_anonymise,
    prosecution_anonymise,
)


@dataclass
class RetentionResult:
    days: int
    anonymised: int = 0
    case_ids: list[str] = field(default_factory=list)


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


@transaction.atomic
def anonymise_case(*, case: Case, closed_on: dt.date, days: int) -> None:
    for anonymise in ANONYMISERS:
        anonymise(case=case)
    others_due = (
        not Case.objects.filter(person_id=case.person_id)
        .exclude(pk=case.pk)
        .exclude(pk__in=AnonymisedCase.objects.values("case_id"))
        .exists()
    )
    if others_due:
        person_anonymise(person=case.person, opened=clock.localtime(case.opened_at).date())
        search_keys_delete(person_ids=[case.person_id])  # the keys of the names and numbers removed
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
