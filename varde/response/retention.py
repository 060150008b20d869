"""Retention of the coordinated response's free text (varde.retention calls it in its transaction)."""

from __future__ import annotations

from varde.cases.models import Case
from varde.cases.services import REMOVED

from .models import (
    ClockChange,
    ClockExtension,
    ClockPause,
    LegalStatus,
    MeetingDecision,
    Placement,
    PlanGoal,
    Task,
)


def response_anonymise(*, case: Case) -> None:
    """Clock pause, extension and change reasons, legal-status notes, places, plan goals, task titles,
    meeting decisions: the structure stays, the words go."""
    ClockChange.objects.filter(clock__case=case).update(reason="")
    ClockPause.objects.filter(clock__case=case).update(reason=REMOVED)
    ClockExtension.objects.filter(clock__case=case).update(reason=REMOVED)
    LegalStatus.objects.filter(case=case).update(note="")
    Placement.objects.filter(case=case).update(description="")
    PlanGoal.objects.filter(plan__case=case).update(text=REMOVED)
    Task.objects.filter(case=case).update(title=REMOVED)
    MeetingDecision.objects.filter(meeting__case=case).update(text=REMOVED)
