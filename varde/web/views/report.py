"""Report a possible victim: one fast form, one service call, nothing half-saved."""

from __future__ import annotations

import logging

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

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


@login_required
@only(can_report)
def report(request: AuthedRequest) -> HttpResponse:
    user = request.user
    agencies = reporting_agencies_for(user)
    form = ReportForm(request.POST if request.method == "POST" else None, agencies=agencies)
    if request.method == "POST" and form.is_valid():
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
