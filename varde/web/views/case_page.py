"""The case page, drawn in one place: the person, participants, consents, status, the timeline, and
the identification and response sections. The case comes from the access layer; the writes made from
the page (varde.web.views.cases, .identification) show it again through `render_case`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.http import HttpResponse
from django.shortcuts import render

from varde.access.cases import can_manage_participants
from varde.cases.models import TRANSITIONS, Case, CaseParticipation, ExploitationForm, ParticipationState
from varde.cases.selectors import case_timeline, consents_of, participations_of
from varde.web.forms import ConsentForm, InviteForm, NameForm, NoteForm, RevokeForm, StatusForm
from varde.web.types import AuthedRequest
from varde.web.views.identification_sections import identification_context, label, timeline_details
from varde.web.views.response import case_response_summary


@dataclass
class ParticipantRow:
    p: CaseParticipation
    can_revoke: bool
    revoke_form: RevokeForm | None


def timeline(case: Case) -> list[dict[str, Any]]:
    """The case's timeline (varde.cases.selectors.case_timeline), newest first, with the details the
    page shows: what an identification event found, the forms of exploitation of a referral."""
    items = case_timeline(case=case)
    identification = timeline_details(i.obj for i in items if i.type == "event")
    rows: list[dict[str, Any]] = []
    for item in items:
        row: dict[str, Any] = {"at": item.at, "type": item.type, "obj": item.obj}
        if item.type == "event":
            row["ident"] = identification.get(item.obj.pk)
        elif item.type == "referral":
            row["forms"] = [label(ExploitationForm, f) for f in item.obj.exploitation_forms]
        rows.append(row)
    return rows


def status_context(
    request: AuthedRequest, case: Case, form: StatusForm | None = None, conflict: bool = False
) -> dict[str, Any]:
    """Only the lead agency and coordinators change the status; others see it."""
    can_change = bool(TRANSITIONS.get(case.status)) and can_manage_participants(user=request.user, case=case)
    return {
        "case": case,
        "status_form": (form or StatusForm(case=case, prefix="status")) if can_change else None,
        "conflict": conflict,
    }


def timeline_context(case: Case, form: NoteForm | None = None) -> dict[str, Any]:
    return {"case": case, "timeline": timeline(case), "note_form": form or NoteForm(prefix="note")}


def case_context(request: AuthedRequest, case: Case, **overrides: Any) -> dict[str, Any]:
    user = request.user
    person = case.person
    can_manage = can_manage_participants(user=user, case=case)
    revoke_for = overrides.pop("revoke_for", None)
    participations = []
    for p in participations_of(case=case):
        can_revoke = (
            can_manage
            and not p.is_lead
            and p.state in (ParticipationState.ACTIVE, ParticipationState.INVITED)
        )
        revoke_form = None
        if can_revoke:
            revoke_form = (
                overrides.pop("revoke_form")
                if revoke_for == p.pk and "revoke_form" in overrides
                else RevokeForm(prefix=f"revoke-{p.pk}")
            )
        participations.append(ParticipantRow(p, can_revoke, revoke_form))
    context: dict[str, Any] = {
        "case": case,
        "person": person,
        "names": list(person.names.all()),
        "age": person.age_on(),
        "participations": participations,
        "consents": list(consents_of(case=case)),
        "can_manage": can_manage,
        "invite_form": InviteForm(case=case, prefix="invite") if can_manage else None,
        "consent_form": ConsentForm(prefix="consent"),
        "name_form": NameForm(prefix="name"),
    }
    context.update(
        status_context(request, case, overrides.pop("status_form", None), overrides.pop("conflict", False))
    )
    context.update(timeline_context(case, overrides.pop("note_form", None)))
    context.update(identification_context(case))
    context.update(case_response_summary(user=user, case=case))
    context.update(overrides)
    return context


def render_case(request: AuthedRequest, case: Case, status: int = 200, **overrides: Any) -> HttpResponse:
    return render(request, "web/cases/detail.html", case_context(request, case, **overrides), status=status)
