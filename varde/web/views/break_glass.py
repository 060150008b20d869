"""Break-the-glass: a coordinator opens a case outside their agency's participation, with a written
reason, after confirming password and code. The case's lead agency and the auditors see it on their
dashboards."""

from __future__ import annotations

from uuid import UUID

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.formats import date_format
from django.utils.timezone import localtime
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods

from varde.access.break_glass import MIN_REASON, break_glass_open
from varde.access.cases import case_listed_get
from varde.web.types import AuthedRequest
from varde.web.views.auth import require_recent_authentication
from varde.web.views.base import coordinators_only, save


class BreakGlassForm(forms.Form):
    reason = forms.CharField(
        label=gettext_lazy("Why must you open this case?"),
        help_text=gettext_lazy(
            "The case's lead agency and the auditors will read this. Do not write names or other "
            "personal data here."
        ),
        min_length=MIN_REASON,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 4}),
    )


@require_http_methods(["GET", "POST"])
@login_required
@require_recent_authentication
@coordinators_only
def break_glass(request: AuthedRequest, case_id: UUID) -> HttpResponse:
    case = case_listed_get(user=request.user, case_id=case_id)
    if case.personal_access:  # type: ignore[attr-defined]
        return redirect(case)
    form = BreakGlassForm(request.POST or None, prefix="glass")
    if request.method == "POST" and form.is_valid():
        saved = save(
            form, lambda: break_glass_open(actor=request.user, case=case, reason=form.cleaned_data["reason"])
        )
        if saved.ok:
            access = saved.result
            messages.warning(
                request,
                _("You have opened case %(ref)s until %(until)s. The lead agency and the auditors are told.")
                % {
                    "ref": case.reference,
                    "until": date_format(localtime(access.expires_at), "SHORT_DATETIME_FORMAT"),
                },
            )
            return redirect(case)
    context = {"case": case, "form": form, "glass_hours": settings.VARDE_BREAK_GLASS_HOURS}
    return render(request, "web/cases/break_glass.html", context)
