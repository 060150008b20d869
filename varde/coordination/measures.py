"""Yearly status reports on the action plans' measures: written by a ministry's users (or KOM),
submitted, and final only when a second person approves (four eyes). Every step is audited and kept as
a revision; edits use the report's version (optimistic locking).

A ministry reports on the measures the plan gives it. Where the sources do not name all of a measure's
ministries (ministries_verified false), any ministry may report on it: the report says who did.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any
from uuid import UUID

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from varde.accounts.models import User
from varde.audit.models import AuditAction
from varde.audit.services import audit_record
from varde.core import clock
from varde.core.errors import EditConflict, NotPermitted, TransitionNotAllowed

from .models import (
    Measure,
    MeasureMinistry,
    MeasureStatus,
    Ministry,
    Project,
    ReportState,
    StatusReport,
    StatusReportRevision,
)
from .roles import may_report_for

MAX_DONE = 20_000
MAX_DOCUMENTS = 4_000


def may_report_on(*, user: User, measure: Measure, ministry: Ministry) -> bool:
    """The user writes for the ministry, and the ministry is responsible for the measure (or the
    sources leave the measure's ministries open)."""
    if not may_report_for(user, ministry):
        return False
    if not measure.ministries_verified:
        return True
    return MeasureMinistry.objects.filter(measure=measure, ministry=ministry).exists()


def may_approve(*, user: User, report: StatusReport) -> bool:
    """A second person who may report for the ministry: not the one who wrote or submitted it."""
    return may_report_on(user=user, measure=report.measure, ministry=report.ministry) and user.pk not in (
        report.written_by_id,
        report.submitted_by_id,
    )


def _check_may_report(actor: User, measure: Measure, ministry: Ministry) -> None:
    if not may_report_on(user=actor, measure=measure, ministry=ministry):
        raise NotPermitted(_("Only the ministry responsible for the measure, or KOM, reports on it."))


def _keep(report: StatusReport, *, step: str, by: User, reason: str = "") -> None:
    StatusReportRevision.objects.create(
        report=report,
        revision=report.revision,
        step=step,
        state=report.state,
        status=report.status,
        done=report.done,
        spending_nok=report.spending_nok,
        documents=report.documents,
        reason=reason,
        by=by,
        at=clock.now(),
    )


def _clean(
    *, measure: Measure, year: int, status: str, done: str, spending_nok: int | None, documents: str
) -> dict[str, Any]:
    errors: dict[str, list[str]] = {}
    plan = measure.plan
    if not plan.start_year <= year <= plan.end_year:
        errors["year"] = [
            _("The plan runs from %(start)s to %(end)s.") % {"start": plan.start_year, "end": plan.end_year}
        ]
    if status not in MeasureStatus.values:
        errors["status"] = [_("Choose a status.")]
    done = (done or "").strip()
    if len(done) > MAX_DONE:
        errors["done"] = [_("Keep it under %(n)s characters.") % {"n": MAX_DONE}]
    if status in (MeasureStatus.ONGOING, MeasureStatus.COMPLETED, MeasureStatus.DISCONTINUED) and not done:
        errors["done"] = [_("Say what was done (or why it was discontinued).")]
    if spending_nok is not None and spending_nok < 0:
        errors["spending_nok"] = [_("Spending cannot be negative.")]
    documents = "\n".join(line.strip() for line in (documents or "").splitlines() if line.strip())
    if len(documents) > MAX_DOCUMENTS:
        errors["documents"] = [_("Keep it under %(n)s characters.") % {"n": MAX_DOCUMENTS}]
    if errors:
        raise ValidationError(errors)
    return {"status": status, "done": done, "spending_nok": spending_nok, "documents": documents}


def _projects(project_ids: Iterable[UUID | str] | None) -> list[Project] | None:
    if project_ids is None:
        return None
    ids = list(project_ids)
    found = list(Project.objects.filter(pk__in=ids))
    if len(found) != len(set(map(str, ids))):
        raise ValidationError({"projects": [_("A linked project does not exist.")]})
    return found


@transaction.atomic
def status_report_save(
    *,
    actor: User,
    measure: Measure,
    ministry: Ministry,
    year: int,
    status: str,
    done: str = "",
    spending_nok: int | None = None,
    documents: str = "",
    project_ids: Iterable[UUID | str] | None = None,
    version: int | None = None,
) -> StatusReport:
    """Write (or rewrite) the ministry's draft for the measure and year. A submitted report must be
    returned before it changes; an approved one is final. `version` is required to change an existing
    report (None creates it; if someone created it meanwhile, that is a conflict)."""
    _check_may_report(actor, measure, ministry)
    fields = _clean(
        measure=measure, year=year, status=status, done=done, spending_nok=spending_nok, documents=documents
    )
    projects = _projects(project_ids)
    existing = StatusReport.objects.filter(measure=measure, ministry=ministry, year=year).first()
    if existing is None:
        if version is not None:
            raise EditConflict(StatusReport(measure=measure, ministry=ministry, year=year))
        report = StatusReport.objects.create(
            measure=measure, ministry=ministry, year=year, written_by=actor, **fields
        )
        action = AuditAction.CREATE
    else:
        if version is None or existing.version != version:
            raise EditConflict(existing)
        if existing.state != ReportState.DRAFT:
            raise TransitionNotAllowed(
                _("The report is final.")
                if existing.is_final
                else _("The report is waiting for approval: return it to draft before changing it.")
            )
        updated = StatusReport.objects.filter(
            pk=existing.pk, version=version, state=ReportState.DRAFT
        ).update(
            **fields,
            written_by=actor,
            revision=existing.revision + 1,
            version=version + 1,
            updated_at=clock.now(),
        )
        if not updated:
            raise EditConflict(existing)
        report = StatusReport.objects.get(pk=existing.pk)
        action = AuditAction.UPDATE
    if projects is not None:
        report.projects.set(projects)
    _keep(report, step="saved", by=actor)
    audit_record(
        actor=actor,
        action=action,
        obj=report,
        detail={
            "measure": str(measure.pk),
            "ministry": ministry.code,
            "year": year,
            "revision": report.revision,
        },
    )
    return report


def _step(report: StatusReport, *, version: int, frm: str, **fields: Any) -> StatusReport:
    updated = StatusReport.objects.filter(pk=report.pk, version=version, state=frm).update(
        **fields, version=version + 1, updated_at=clock.now()
    )
    if not updated:
        current = StatusReport.objects.filter(pk=report.pk).values_list("version", "state").first()
        if current and current[0] == version:
            raise TransitionNotAllowed(_("The report is not in a state that allows this."))
        raise EditConflict(report)
    return StatusReport.objects.get(pk=report.pk)


@transaction.atomic
def status_report_submit(*, actor: User, report: StatusReport, version: int) -> StatusReport:
    """Send the draft for approval by a second person."""
    _check_may_report(actor, report.measure, report.ministry)
    done = _step(
        report,
        version=version,
        frm=ReportState.DRAFT,
        state=ReportState.SUBMITTED,
        submitted_by=actor,
        submitted_at=clock.now(),
        returned_reason="",
    )
    _keep(done, step="submitted", by=actor)
    audit_record(actor=actor, action=AuditAction.UPDATE, obj=done, detail={"step": "submitted"})
    return done


def _check_second_person(actor: User, report: StatusReport) -> None:
    if actor.pk in (report.submitted_by_id, report.written_by_id):
        raise NotPermitted(_("A second person approves: not the one who wrote or submitted the report."))


@transaction.atomic
def status_report_approve(*, actor: User, report: StatusReport, version: int) -> StatusReport:
    """Make the submitted report final. Four eyes: the approver neither wrote nor submitted it."""
    _check_may_report(actor, report.measure, report.ministry)
    _check_second_person(actor, report)
    done = _step(
        report,
        version=version,
        frm=ReportState.SUBMITTED,
        state=ReportState.APPROVED,
        approved_by=actor,
        approved_at=clock.now(),
    )
    _keep(done, step="approved", by=actor)
    audit_record(actor=actor, action=AuditAction.APPROVE, obj=done, detail={"revision": done.revision})
    return done


@transaction.atomic
def status_report_return(*, actor: User, report: StatusReport, version: int, reason: str) -> StatusReport:
    """Send a submitted report back to draft, saying why."""
    _check_may_report(actor, report.measure, report.ministry)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": [_("Say why the report goes back.")]})
    done = _step(
        report,
        version=version,
        frm=ReportState.SUBMITTED,
        state=ReportState.DRAFT,
        submitted_by=None,
        submitted_at=None,
        returned_reason=reason[:2000],
    )
    _keep(done, step="returned", by=actor, reason=reason[:2000])
    audit_record(actor=actor, action=AuditAction.UPDATE, obj=done, detail={"step": "returned"})
    return done


@transaction.atomic
def status_report_reopen(*, actor: User, report: StatusReport, version: int, reason: str) -> StatusReport:
    """Take an approved (final) report back to draft, saying why: the ministry's users or KOM (those
    who may approve it), never silently. The approval is cleared, the reason stays on the report and
    in its history, and the audit event carries the step and the revision. It is final again only
    when a second person approves it anew (four eyes as before: not whoever writes or submits it)."""
    _check_may_report(actor, report.measure, report.ministry)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": [_("Say why the final report is reopened.")]})
    done = _step(
        report,
        version=version,
        frm=ReportState.APPROVED,
        state=ReportState.DRAFT,
        submitted_by=None,
        submitted_at=None,
        approved_by=None,
        approved_at=None,
        returned_reason=reason[:2000],
    )
    _keep(done, step="reopened", by=actor, reason=reason[:2000])
    audit_record(
        actor=actor,
        action=AuditAction.UPDATE,
        obj=done,
        detail={"step": "reopened", "revision": done.revision, "approved_by": str(report.approved_by_id)},
    )
    return done
