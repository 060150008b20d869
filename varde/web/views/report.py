"""Report a possible victim: one fast form, one service call, nothing half-saved."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from varde.accounts.models import Agency, User
from varde.cases.services import referral_report
from varde.core.errors import NotPermitted
from varde.web.forms import ReportForm, add_service_error
from varde.web.types import AuthedRequest


def reporting_agencies(user: User) -> list[Agency]:
    """Caseworkers report for their own agencies; coordinators also for any agency they received it from."""
    if user.is_coordinator:
        own = user.case_agencies()
        others = [a for a in Agency.objects.filter(is_active=True) if a not in own]
        return own + others
    return user.case_agencies()


@login_required
def report(request: AuthedRequest) -> HttpResponse:
    user = request.user
    if not user.can_work_with_cases:
        raise Http404
    agencies = reporting_agencies(user)
    form = ReportForm(request.POST if request.method == "POST" else None, agencies=agencies)
    if request.method == "POST" and form.is_valid():
        try:
            with transaction.atomic():
                case = referral_report(actor=user, agency=form.cleaned_data["agency"], data=form.to_input())
        except ValidationError as error:
            add_service_error(form, error)
        except NotPermitted as error:
            form.add_error("agency", str(error))
        else:
            messages.success(
                request, _("The report is saved as case %(reference)s.") % {"reference": case.reference}
            )
            return redirect(case)
    if not form.is_bound and agencies:
        form.fields["agency"].initial = agencies[0].pk
    return render(request, "web/report.html", {"form": form})
