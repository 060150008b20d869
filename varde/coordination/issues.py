"""Issues reported to KOM: any user of an agency reports a problematic case or a general issue,
described without personal data (no link to a case is stored, so the text never sits beside a
person's data); KOM triages it (answered, taken to the project or reference group, closed); the
reporter sees the answer."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from varde.accounts.models import Agency, User
from varde.audit.models import AuditAction
from varde.audit.services import audit_record
from varde.core import clock
from varde.core.errors import EditConflict, NotPermitted

from .models import Group, IssueKind, IssueState, ReportedIssue
from .roles import is_coordinator, may_report_issue

MAX_TEXT = 10_000


@transaction.atomic
def issue_report(
    *, actor: User, kind: str, subject: str, description: str, agency: Agency | None = None
) -> ReportedIssue:
    if not may_report_issue(actor):
        raise NotPermitted(_("Only users of an agency report issues to KOM."))
    agencies = {m.agency_id: m.agency for m in actor.active_memberships}
    if agency is None:
        agency = actor.primary_agency
    errors: dict[str, list[str]] = {}
    if agency is None or agency.pk not in agencies:
        errors["agency"] = [_("Report on behalf of an agency you work at.")]
    if kind not in IssueKind.values:
        errors["kind"] = [_("Choose what the issue is about.")]
    subject = (subject or "").strip()
    description = (description or "").strip()
    if not subject:
        errors["subject"] = [_("This field is required.")]
    if not description:
        errors["description"] = [_("This field is required.")]
    elif len(description) > MAX_TEXT:
        errors["description"] = [_("Keep it under %(n)s characters.") % {"n": MAX_TEXT}]
    if errors:
        raise ValidationError(errors)
    assert agency is not None
    issue = ReportedIssue.objects.create(
        kind=kind, subject=subject[:200], description=description, reporter=actor, reporter_agency=agency
    )
    audit_record(actor=actor, action=AuditAction.CREATE, obj=issue, agency=agency)
    return issue


@transaction.atomic
def issue_triage(
    *, actor: User, issue: ReportedIssue, state: str, answer: str, version: int, group: Group | None = None
) -> ReportedIssue:
    """KOM's answer: answered, taken to a group (name it), or closed. The reporter sees the answer."""
    if not is_coordinator(actor):
        raise NotPermitted(_("KOM's coordinators answer the issues reported to KOM."))
    errors: dict[str, list[str]] = {}
    answer = (answer or "").strip()
    if state not in (IssueState.ANSWERED, IssueState.TAKEN_TO_GROUP, IssueState.CLOSED):
        errors["state"] = [_("Choose what KOM does with it.")]
    if state == IssueState.TAKEN_TO_GROUP and group is None:
        errors["group"] = [_("Name the group it goes to.")]
    if not answer:
        errors["answer"] = [_("Write the answer the reporter will see.")]
    if errors:
        raise ValidationError(errors)
    updated = ReportedIssue.objects.filter(pk=issue.pk, version=version).update(
        state=state,
        answer=answer[:MAX_TEXT],
        group=group if state == IssueState.TAKEN_TO_GROUP else None,
        answered_by=actor,
        answered_at=clock.now(),
        version=version + 1,
        updated_at=clock.now(),
    )
    if not updated:
        raise EditConflict(issue)
    audit_record(actor=actor, action=AuditAction.UPDATE, obj=issue, detail={"state": state})
    return ReportedIssue.objects.get(pk=issue.pk)
