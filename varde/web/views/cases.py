"""The case page and the writes made from it. Every fetch goes through varde.access.cases.

Each form posts to its own URL. With htmx the answer is the updated fragment (status, timeline);
without JavaScript the answer is a redirect back to the case page, or the whole page with the errors.
"""

from __future__ import annotations

from uuid import UUID

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from varde.access.cases import can_manage_participants, case_get_for_user, get_or_404
from varde.access.predicates import can_see_case
from varde.cases.models import Case
from varde.cases.selectors import case_current, consents_of, participations_of
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
from varde.core.errors import TransitionNotAllowed
from varde.web.forms import ConsentForm, InviteForm, NameForm, NoteForm, RevokeForm, StatusForm, VersionForm
from varde.web.types import AuthedRequest
from varde.web.views.base import CONFLICT, UNSAVED, OnForm, done, kept, save
from varde.web.views.case_page import render_case, status_context, timeline_context


def _done(request: AuthedRequest, case: Case, message: str) -> HttpResponse:
    """Back to the case page, or to the dashboard if the user's own agency has just lost the case."""
    return done(request, message, case if can_see_case(request.user, case) else "dashboard")


@require_GET
@login_required
def case_detail(request: AuthedRequest, case_id: UUID) -> HttpResponse:
    case = case_get_for_user(user=request.user, case_id=case_id)
    return render_case(request, case)


@require_POST
@login_required
def case_status(request: AuthedRequest, case_id: UUID) -> HttpResponse:
    case = case_get_for_user(user=request.user, case_id=case_id)
    if not can_manage_participants(user=request.user, case=case):
        raise PermissionDenied
    form = StatusForm(request.POST, case=case, prefix="status")
    saved = UNSAVED
    if form.is_valid():
        d = form.cleaned_data
        saved = save(
            form,
            lambda: case_change_status(
                actor=request.user,
                case=case,
                status=d["status"],
                reason=d["reason"],
                version=d["version"],
                closure_reason=d["closure_reason"],
            ),
            on={TransitionNotAllowed: OnForm("status")},
        )
        if saved.ok or saved.conflict:
            case = case_current(case=case)
        if saved.ok:
            message = _("The status is now “%(status)s”.") % {"status": case.get_status_display()}
            if request.htmx:
                return _fragments(request, case, message, status=True, timeline=True)
            return _done(request, case, message)
        if saved.conflict:
            # The page shows the case's current status above the form kept for a deliberate retry.
            form = kept(form, case.version, case=case)
    if request.htmx:
        context = status_context(request, case, form, saved.conflict)
        return render(request, "web/cases/_status.html", context, status=saved.status)
    return render_case(request, case, status=saved.status, status_form=form, conflict=saved.conflict)


def _fragments(
    request: AuthedRequest, case: Case, message: str, *, status: bool = False, timeline: bool = False
) -> HttpResponse:
    """htmx answer: the changed sections (the first swapped in place, the others out of band)
    and a message for the live region."""
    parts = []
    oob = False
    if status:
        parts.append(
            render_to_string("web/cases/_status.html", {**status_context(request, case), "oob": oob}, request)
        )
        oob = True
    if timeline:
        parts.append(
            render_to_string("web/cases/_timeline.html", {**timeline_context(case), "oob": oob}, request)
        )
    parts.append(render_to_string("web/_live.html", {"message": message}, request))
    return HttpResponse("".join(parts))


@require_POST
@login_required
def case_note(request: AuthedRequest, case_id: UUID) -> HttpResponse:
    case = case_get_for_user(user=request.user, case_id=case_id)
    form = NoteForm(request.POST, prefix="note")
    if form.is_valid():
        saved = save(
            form, lambda: case_add_note(actor=request.user, case=case, text=form.cleaned_data["text"])
        )
        if saved.ok:
            if request.htmx:
                return _fragments(request, case, _("The note is saved."), timeline=True)
            return _done(request, case, _("The note is saved."))
    if request.htmx:
        return render(request, "web/cases/_timeline.html", timeline_context(case, form))
    return render_case(request, case, note_form=form)


@require_POST
@login_required
def case_invite(request: AuthedRequest, case_id: UUID) -> HttpResponse:
    case = case_get_for_user(user=request.user, case_id=case_id)
    if not can_manage_participants(user=request.user, case=case):
        raise PermissionDenied
    form = InviteForm(request.POST, case=case, prefix="invite")
    saved = UNSAVED
    if form.is_valid():
        agency = form.cleaned_data["agency"]
        saved = save(
            form,
            lambda: case_invite_agency(
                actor=request.user, case=case, agency=agency, note=form.cleaned_data["note"]
            ),
            on={ConsentRequired: OnForm("agency")},
            conflict_message=_(
                "Someone else changed this agency's part in the case while you were working. "
                "Nothing was saved; check the participants and try again."
            ),
        )
        if saved.ok:
            return _done(request, case, _("%(agency)s is invited to the case.") % {"agency": agency.name})
    return render_case(request, case, status=saved.status, invite_form=form)


@require_POST
@login_required
def case_revoke(request: AuthedRequest, case_id: UUID, participation_id: UUID) -> HttpResponse:
    case = case_get_for_user(user=request.user, case_id=case_id)
    if not can_manage_participants(user=request.user, case=case):
        raise PermissionDenied
    participation = get_or_404(participations_of(case=case), participation_id)
    participation.case = case
    form = RevokeForm(request.POST, prefix=f"revoke-{participation.pk}")
    saved = UNSAVED
    if form.is_valid():
        saved = save(
            form,
            lambda: participation_revoke(
                actor=request.user, participation=participation, reason=form.cleaned_data["reason"]
            ),
        )
        if saved.ok:
            return _done(
                request,
                case,
                _("%(agency)s no longer has access to the case.") % {"agency": participation.agency.name},
            )
    # After a conflict the page says so above the participants, as they are now.
    return render_case(
        request,
        case,
        status=saved.status,
        revoke_for=participation.pk,
        revoke_form=form,
        revoke_conflict=saved.conflict,
    )


@require_POST
@login_required
def case_consent(request: AuthedRequest, case_id: UUID) -> HttpResponse:
    case = case_get_for_user(user=request.user, case_id=case_id)
    form = ConsentForm(request.POST, prefix="consent")
    if form.is_valid():
        d = form.cleaned_data
        saved = save(
            form,
            lambda: consent_record(
                actor=request.user,
                case=case,
                purpose=d["purpose"],
                given_on=d["given_on"],
                agency=d["agency"],
                agency_kind=d["agency_kind"],
            ),
        )
        if saved.ok:
            return _done(request, case, _("The consent is recorded."))
    return render_case(request, case, consent_form=form)


@require_POST
@login_required
def case_consent_withdraw(request: AuthedRequest, case_id: UUID, consent_id: UUID) -> HttpResponse:
    case = case_get_for_user(user=request.user, case_id=case_id)
    consent = get_or_404(consents_of(case=case), consent_id)
    consent.case = case
    form = VersionForm(request.POST)
    if not form.is_valid():
        return render_case(request, case, status=400, withdraw_error=True)
    consent.version = form.cleaned_data["version"]
    saved = save(form, lambda: consent_withdraw(actor=request.user, consent=consent))
    if saved.conflict:
        return render_case(request, case, status=CONFLICT, withdraw_conflict=True)
    if not saved.ok:
        return render_case(request, case, status=400, withdraw_error=True)
    return _done(request, case, _("The consent is withdrawn. Agencies let in on it no longer have access."))


@require_POST
@login_required
def case_name(request: AuthedRequest, case_id: UUID) -> HttpResponse:
    case = case_get_for_user(user=request.user, case_id=case_id)
    form = NameForm(request.POST, prefix="name")
    if form.is_valid():
        saved = save(form, lambda: person_add_name(actor=request.user, case=case, name=form.to_input()))
        if saved.ok:
            return _done(request, case, _("The name is added."))
    return render_case(request, case, name_form=form)
