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
    PoliceCooperation,
    ReturnFollowUp,
    Task,
    VoluntaryReturn,
)


def response_anonymise(*, case: Case) -> None:
    """Clock pause, extension and change reasons, legal-status notes and reasons, notes on cooperation
    with the police, on a return and its follow-ups (and who assisted it), places, plan goals, task
    titles, meeting decisions: the structure stays, the words go."""
    ClockChange.objects.filter(clock__case=case).update(reason="")
    ClockPause.objects.filter(clock__case=case).update(reason=REMOVED)
    ClockExtension.objects.filter(clock__case=case).update(reason=REMOVED)
    LegalStatus.objects.filter(case=case).update(note="", reason="")
    PoliceCooperation.objects.filter(case=case).update(note="")
    VoluntaryReturn.objects.filter(case=case).update(organisation_name="", reception="", note="")
    ReturnFollowUp.objects.filter(voluntary_return__case=case).update(note="")
    Placement.objects.filter(case=case).update(description="")
    PlanGoal.objects.filter(plan__case=case).update(text=REMOVED)
    Task.objects.filter(case=case).update(title=REMOVED)
    MeetingDecision.objects.filter(meeting__case=case).update(text=REMOVED)
