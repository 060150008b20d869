"""Report a possible victim: one fast form, one service call, nothing half-saved."""

from __future__ import annotations

import logging

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core import signing
from django.db import transaction
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from varde.access.matches import OwnMatch, own_agency_matches, own_agency_matches_audit
from varde.access.predicates import can_report, reporting_agencies_for
from varde.cases.services import referral_report
from varde.core.errors import NotPermitted
from varde.linkage.selectors import likely_earlier_records
from varde.web.forms import ReportForm
from varde.web.types import AuthedRequest
from varde.web.views.base import OnForm, only, save

logger = logging.getLogger(__name__)


def _earlier_record_hint(request: AuthedRequest, form: ReportForm) -> None:
    """Tell the caseworker when another agency likely has an earlier record of the same person in a
    case the caseworker's agency takes part in: that it exists and whom to ask, never the record
    (varde.linkage.selectors). Matches in other cases go to KOM's review queue only (issue 21,
    finding 3). A failing lookup never undoes the saved report."""
    try:
        with transaction.atomic():
            hint = likely_earlier_records(
                referral_data=form.to_input(), agency=form.cleaned_data["agency"], actor=request.user
            )
    except Exception as error:  # the report is saved; the hint is a courtesy (no traceback: it may hold data)
        logger.warning("earlier-record lookup failed: %s", type(error).__name__)
        return
    if hint.exists:
        coordinators = ", ".join(f"{c.name} ({c.agency})" for c in hint.coordinators)
        messages.info(
            request,
            _(
                "Another agency probably has an earlier record of this person in a case your agency takes "
                "part in. Ask the KOM coordinators to check whether it is the same person: %(coordinators)s."
            )
            % {"coordinators": coordinators or _("KOM")},
        )


# The report shown again with possible matches carries the cases shown, signed for this user, in this
# hidden field: saving it then makes a new case, unless the data now match a case not shown.
CONFIRM_NEW_CASE = "confirm_new_case"
CONFIRM_SALT = "varde.web.report.confirm_new_case"
CONFIRM_MAX_AGE = 4 * 3600  # seconds: a form left open over a long interview still saves


def _confirm_token(request: AuthedRequest, matches: list[OwnMatch]) -> str:
    return signing.dumps(
        {"u": str(request.user.pk), "c": sorted(str(m.case.pk) for m in matches)}, salt=CONFIRM_SALT
    )


def _confirmed(request: AuthedRequest) -> set[str]:
    """The cases the user was shown and chose to save a new case beside (none when no valid token)."""
    token = request.POST.get(CONFIRM_NEW_CASE, "")
    if not token:
        return set()
    try:
        value = signing.loads(token, salt=CONFIRM_SALT, max_age=CONFIRM_MAX_AGE)
    except signing.BadSignature:
        return set()
    if not isinstance(value, dict) or value.get("u") != str(request.user.pk):
        return set()
    return {str(c) for c in value.get("c", [])}


@login_required
@only(can_report)
def report(request: AuthedRequest) -> HttpResponse:
    """Two steps when the agency may already have the person: a valid report whose person probably is
    in an earlier case of the user's agency (varde.access.matches) is shown again with those cases,
    all entered data kept and nothing saved, until the caseworker opens one of them or saves the form
    again (a new case anyway: the hidden `confirm_new_case` names the cases shown)."""
    user = request.user
    agencies = reporting_agencies_for(user)
    form = ReportForm(request.POST if request.method == "POST" else None, agencies=agencies)
    if request.method == "POST" and form.is_valid():
        agency = form.cleaned_data["agency"]
        matches = own_agency_matches(user=user, agency=agency, data=form.to_input(), audit=False)
        if matches and not {str(m.case.pk) for m in matches} <= _confirmed(request):
            own_agency_matches_audit(user=user, agency=agency, matches=matches, page="report")
            context = {"form": form, "matches": matches, "confirm_token": _confirm_token(request, matches)}
            return render(request, "web/report.html", context)
        saved = save(
            form,
            lambda: referral_report(actor=user, agency=form.cleaned_data["agency"], data=form.to_input()),
            on={NotPermitted: OnForm("agency")},
        )
        if saved.ok:
            case = saved.result
            messages.success(
                request, _("The report is saved as case %(reference)s.") % {"reference": case.reference}
            )
            _earlier_record_hint(request, form)
            return redirect(case)
    if not form.is_bound and agencies:
        form.fields["agency"].initial = agencies[0].pk
    return render(request, "web/report.html", {"form": form})
