"""Writes of the statistics app: the coordinators' sections of the annual status report."""

from __future__ import annotations

from django.db import IntegrityError, transaction

from varde.accounts.models import User
from varde.audit.models import AuditAction
from varde.audit.services import audit_record
from varde.core import clock
from varde.core.errors import EditConflict, NotPermitted

from .models import AnnualReportText

NEW = 0  # the version a form carries when no text has been saved for the year yet


def annual_report_text_get(*, year: int) -> AnnualReportText | None:
    return AnnualReportText.objects.filter(year=year).first()


@transaction.atomic
def annual_report_text_save(
    *,
    actor: User,
    year: int,
    trends: str,
    challenges: str,
    research_needs: str,
    version: int,
) -> AnnualReportText:
    """Save the year's sections. `version` is the one the coordinator loaded (NEW when there was
    none); if someone saved in between, EditConflict and nothing is written."""
    if not (actor.is_active and actor.is_coordinator):
        raise NotPermitted("only coordinators write the annual report")
    fields = {"trends": trends, "challenges": challenges, "research_needs": research_needs}
    now = clock.now()
    if version == NEW:
        try:
            with transaction.atomic():
                text = AnnualReportText.objects.create(year=year, updated_by=actor, **fields)
        except IntegrityError:
            raise EditConflict(AnnualReportText(year=year)) from None
        action = AuditAction.CREATE
    else:
        updated = AnnualReportText.objects.filter(year=year, version=version).update(
            **fields, updated_by=actor, updated_at=now, version=version + 1
        )
        if not updated:
            raise EditConflict(AnnualReportText(year=year))
        text = AnnualReportText.objects.get(year=year)
        action = AuditAction.UPDATE
    audit_record(
        actor=actor,
        action=action,
        obj=text,
        detail={"year": year, "version": text.version},
    )
    return text
