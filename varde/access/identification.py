"""The only way to identification records read one by one: a user sees an assessment while they may
open its case (`varde.access.cases`); anything else is 404. The read is audited."""

from __future__ import annotations

from uuid import UUID

from django.db.models import QuerySet

from varde.accounts.models import User
from varde.audit.models import AuditAction
from varde.audit.services import audit_record
from varde.identification.models import Assessment

from .cases import cases_visible_to, get_or_404


def assessments_visible_to(*, user: User) -> QuerySet[Assessment]:
    return Assessment.objects.filter(case__in=cases_visible_to(user=user))


def assessment_get_for_user(*, user: User, assessment_id: UUID | str) -> Assessment:
    assessment = get_or_404(
        assessments_visible_to(user=user).select_related("catalogue", "case"), assessment_id
    )
    audit_record(
        actor=user, action=AuditAction.VIEW, obj=assessment, detail={"case": str(assessment.case_id)}
    )
    return assessment
