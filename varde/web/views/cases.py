"""The case page and the writes made from it. Every fetch goes through varde.access.cases.

Each form posts to its own URL. With htmx the answer is the updated fragment (status, timeline);
without JavaScript the answer is a redirect back to the case page, or the whole page with the errors.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from uuid import UUID

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from varde.access.cases import can_manage_participants, case_get_for_user, cases_visible_to, get_or_404
from varde.cases.models import (
    TRANSITIONS,
    Case,
    CaseEvent,
    CaseParticipation,
    ExploitationForm,
    ParticipationState,
)
from varde.cases.services import (
    ConsentRequired,
    case_add_note,
    case_change_status,
    case_invite_agency,
    consent_record,
    consent_withdraw,
    participation_revoke,
    person_add_name,
)
from varde.core.errors import EditConflict, NotPermitted, TransitionNotAllowed
from varde.web.forms import (
    ConsentForm,
    InviteForm,
    NameForm,
    NoteForm,
    RevokeForm,
    StatusForm,
    VersionForm,
    add_service_error,
)
from varde.web.types import AuthedRequest
from varde.web.views.identification import identification_context, timeline_details
from varde.web.views.response import case_response_summary

CONFLICT = 409


@dataclass
class ParticipantRow:
    p: CaseParticipation
    can_revoke: bool
    revoke_form: RevokeForm | None


def _label(choices: Any, value: str) -> str:
    try:
        return str(choices(value).label)
    except ValueError:
        return value


def _timeline(case: Case) -> list[dict[str, Any]]:
    """Events, referrals and status history, newest first. Referral and status events are shown from
    their own records (richer), so their CaseEvent rows are not repeated."""
    items: list[dict[str, Any]] = []
    events = list(
        case.events.exclude(kind__in=[CaseEvent.Kind.REFERRAL, CaseEvent.Kind.STATUS]).select_related(
            "by", "by_agency", "about_agency"
        )
    )
    identification = timeline_details(events)
    for event in events:
        items.append({"at": event.at, "type": "event", "obj": event, "ident": identification.get(event.pk)})
    for referral in case.referrals.select_related("reporting_agency", "reported_by"):
        items.append(
            {
                "at": referral.created_at,
                "type": "referral",
                "obj": referral,
                "forms": [_label(ExploitationForm, f) for f in referral.exploitation_forms],
            }
        )
    for change in case.status_changes.select_related("by", "by_agency"):
        items.append({"at": change.at, "type": "status", "obj": change})
    items.sort(key=lambda item: item["at"], reverse=True)
    return items


def _status_context(
    request: AuthedRequest, case: Case, form: StatusForm | None = None, conflict: bool = False
) -> dict[str, Any]:
    """Only the lead agency and coordinators change the status; others see it."""
    can_change = bool(TRANSITIONS.get(case.status)) and can_manage_participants(user=request.user, case=case)
    return {
        "case": case,
        "status_form": (form or StatusForm(case=case, prefix="status")) if can_change else None,
        "conflict": conflict,
    }


def _timeline_context(case: Case, form: NoteForm | None = None) -> dict[str, Any]:
    return {"case": case, "timeline": _timeline(case), "note_form": form or NoteForm(prefix="note")}


def _case_context(request: AuthedRequest, case: Case, **overrides: Any) -> dict[str, Any]:
    user = request.user
    person = case.person
    can_manage = can_manage_participants(user=user, case=case)
    revoke_for = overrides.pop("revoke_for", None)
    participations = []
    for p in case.participations.select_related("agency", "invited_by"):
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
        "consents": list(case.consents.select_related("agency")),
        "can_manage": can_manage,
        "invite_form": InviteForm(case=case, prefix="invite") if can_manage else None,
        "consent_form": ConsentForm(prefix="consent"),
        "name_form": NameForm(prefix="name"),
    }
    context.update(
        _status_context(request, case, overrides.pop("status_form", None), overrides.pop("conflict", False))
    )
    context.update(_timeline_context(case, overrides.pop("note_form", None)))
    context.update(identification_context(request, case))
    context.update(case_response_summary(user=user, case=case))
    context.update(overrides)
    return context


def _render_case(request: AuthedRequest, case: Case, status: int = 200, **overrides: Any) -> HttpResponse:
    return render(request, "web/cases/detail.html", _case_context(request, case, **overrides), status=status)


def _reload(case: Case) -> Case:
    """The current state of a case already fetched through the access layer in this request."""
    return Case.objects.select_related("person", "lead_agency").get(pk=case.pk)


def _done(request: AuthedRequest, case: Case, message: str) -> HttpResponse:
    """Back to the case page, or to the dashboard if the user's own agency has just lost the case."""
    messages.success(request, message)
    if not cases_visible_to(user=request.user).filter(pk=case.pk).exists():
        return redirect("dashboard")
    return redirect(case)


@require_GET
@login_required
def case_detail(request: AuthedRequest, case_id: UUID) -> HttpResponse:
    case = case_get_for_user(user=request.user, case_id=case_id)
    return _render_case(request, case)


@require_POST
@login_required
def case_status(request: AuthedRequest, case_id: UUID) -> HttpResponse:
    case = case_get_for_user(user=request.user, case_id=case_id)
    if not can_manage_participants(user=request.user, case=case):
        raise PermissionDenied
    form: StatusForm | None = StatusForm(request.POST, case=case, prefix="status")
    conflict = False
    if form is not None and form.is_valid():
        d = form.cleaned_data
        try:
            with transaction.atomic():
                case = case_change_status(
                    actor=request.user,
                    case=case,
                    status=d["status"],
                    reason=d["reason"],
                    version=d["version"],
                    closure_reason=d["closure_reason"],
                )
        except EditConflict:
            conflict = True
            case = _reload(case)
            # The conflict form: the user's input kept, against the version saved meanwhile (the
            # page shows the case's current status above it), so that saving again is deliberate.
            kept = request.POST.copy()
            kept["status-version"] = str(case.version)
            form = StatusForm(kept, case=case, prefix="status")
        except TransitionNotAllowed as error:
            form.add_error("status", str(error))
        except NotPermitted as error:
            raise PermissionDenied from error
        except ValidationError as error:
            add_service_error(form, error)
        else:
            case = _reload(case)
            message = _("The status is now “%(status)s”.") % {"status": case.get_status_display()}
            if request.htmx:
                return _fragments(request, case, message, status=True, timeline=True)
            return _done(request, case, message)
    code = CONFLICT if conflict else 200
    if request.htmx:
        context = _status_context(request, case, form, conflict)
        return render(request, "web/cases/_status.html", context, status=code)
    return _render_case(request, case, status=code, status_form=form, conflict=conflict)


def _fragments(
    request: AuthedRequest, case: Case, message: str, *, status: bool = False, timeline: bool = False
) -> HttpResponse:
    """htmx answer: the changed sections (the first swapped in place, the others out of band)
    and a message for the live region."""
    parts = []
    oob = False
    if status:
        parts.append(
            render_to_string(
                "web/cases/_status.html", {**_status_context(request, case), "oob": oob}, request
            )
        )
        oob = True
    if timeline:
        parts.append(
            render_to_string("web/cases/_timeline.html", {**_timeline_context(case), "oob": oob}, request)
        )
    parts.append(render_to_string("web/_live.html", {"message": message}, request))
    return HttpResponse("".join(parts))


@require_POST
@login_required
def case_note(request: AuthedRequest, case_id: UUID) -> HttpResponse:
    case = case_get_for_user(user=request.user, case_id=case_id)
    form = NoteForm(request.POST, prefix="note")
    if form.is_valid():
        try:
            with transaction.atomic():
                case_add_note(actor=request.user, case=case, text=form.cleaned_data["text"])
        except ValidationError as error:
            add_service_error(form, error)
        else:
            if request.htmx:
                return _fragments(request, case, _("The note is saved."), timeline=True)
            return _done(request, case, _("The note is saved."))
    if request.htmx:
        return render(request, "web/cases/_timeline.html", _timeline_context(case, form))
    return _render_case(request, case, note_form=form)


@require_POST
@login_required
def case_invite(request: AuthedRequest, case_id: UUID) -> HttpResponse:
    case = case_get_for_user(user=request.user, case_id=case_id)
    if not can_manage_participants(user=request.user, case=case):
        raise PermissionDenied
    form = InviteForm(request.POST, case=case, prefix="invite")
    conflict = False
    if form.is_valid():
        agency = form.cleaned_data["agency"]
        try:
            with transaction.atomic():
                case_invite_agency(
                    actor=request.user, case=case, agency=agency, note=form.cleaned_data["note"]
                )
        except ConsentRequired as error:
            form.add_error("agency", str(error))
        except ValidationError as error:
            add_service_error(form, error)
        except EditConflict:
            conflict = True
            form.add_error(
                None,
                _(
                    "Someone else changed this agency's part in the case while you were working. "
                    "Nothing was saved; check the participants and try again."
                ),
            )
        except NotPermitted as error:
            raise PermissionDenied from error
        else:
            return _done(request, case, _("%(agency)s is invited to the case.") % {"agency": agency.name})
    return _render_case(request, case, status=CONFLICT if conflict else 200, invite_form=form)


@require_POST
@login_required
def case_revoke(request: AuthedRequest, case_id: UUID, participation_id: UUID) -> HttpResponse:
    case = case_get_for_user(user=request.user, case_id=case_id)
    if not can_manage_participants(user=request.user, case=case):
        raise PermissionDenied
    participation = get_or_404(case.participations.select_related("agency"), participation_id)
    participation.case = case
    form = RevokeForm(request.POST, prefix=f"revoke-{participation.pk}")
    conflict = False
    if form.is_valid():
        try:
            with transaction.atomic():
                participation_revoke(
                    actor=request.user, participation=participation, reason=form.cleaned_data["reason"]
                )
        except ValidationError as error:
            add_service_error(form, error)
        except EditConflict:
            conflict = True  # the page says so above the participants, as they are now
        except NotPermitted as error:
            raise PermissionDenied from error
        else:
            return _done(
                request,
                case,
                _("%(agency)s no longer has access to the case.") % {"agency": participation.agency.name},
            )
    status = CONFLICT if conflict else 200
    return _render_case(
        request, case, status=status, revoke_for=participation.pk, revoke_form=form, revoke_conflict=conflict
    )


@require_POST
@login_required
def case_consent(request: AuthedRequest, case_id: UUID) -> HttpResponse:
    case = case_get_for_user(user=request.user, case_id=case_id)
    form = ConsentForm(request.POST, prefix="consent")
    if form.is_valid():
        d = form.cleaned_data
        try:
            with transaction.atomic():
                consent_record(
                    actor=request.user,
                    case=case,
                    purpose=d["purpose"],
                    given_on=d["given_on"],
                    agency=d["agency"],
                    agency_kind=d["agency_kind"],
                )
        except ValidationError as error:
            add_service_error(form, error)
        else:
            return _done(request, case, _("The consent is recorded."))
    return _render_case(request, case, consent_form=form)


@require_POST
@login_required
def case_consent_withdraw(request: AuthedRequest, case_id: UUID, consent_id: UUID) -> HttpResponse:
    case = case_get_for_user(user=request.user, case_id=case_id)
    consent = get_or_404(case.consents.all(), consent_id)
    consent.case = case
    form = VersionForm(request.POST)
    if not form.is_valid():
        return _render_case(request, case, status=400, withdraw_error=True)
    consent.version = form.cleaned_data["version"]
    try:
        with transaction.atomic():
            consent_withdraw(actor=request.user, consent=consent)
    except EditConflict:
        return _render_case(request, case, status=CONFLICT, withdraw_conflict=True)
    return _done(request, case, _("The consent is withdrawn. Agencies let in on it no longer have access."))


@require_POST
@login_required
def case_name(request: AuthedRequest, case_id: UUID) -> HttpResponse:
    case = case_get_for_user(user=request.user, case_id=case_id)
    form = NameForm(request.POST, prefix="name")
    if form.is_valid():
        try:
            with transaction.atomic():
                person_add_name(actor=request.user, case=case, name=form.to_input())
        except ValidationError as error:
            add_service_error(form, error)
        else:
            return _done(request, case, _("The name is added."))
    return _render_case(request, case, name_form=form)
