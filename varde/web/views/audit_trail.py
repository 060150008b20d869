"""The auditor's pages: the audit trail with filters, the chain's integrity, who has seen a case and its
access log as CSV. Auditors only (varde.access.audit_trail); everyone else 404."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse, HttpResponseBadRequest
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_POST

from varde.access.audit_trail import (
    VERIFY_NOW_CHECK,
    TrailFilters,
    audit_case_export,
    audit_case_log,
    audit_chain_status,
    audit_chain_verify,
    audit_trail_page,
    may_read_audit_trail,
)
from varde.audit.models import AuditAction
from varde.web.forms import DateInput
from varde.web.types import AuthedRequest
from varde.web.views.base import only

auditors_only = only(may_read_audit_trail)


class TrailFilterForm(forms.Form):
    username = forms.CharField(label=gettext_lazy("User name"), required=False, max_length=150)
    agency = forms.CharField(
        label=gettext_lazy("Agency code"),
        required=False,
        max_length=40,
        help_text=gettext_lazy("For example kom."),
    )
    case = forms.CharField(label=gettext_lazy("Case reference"), required=False, max_length=20)
    action = forms.ChoiceField(
        label=gettext_lazy("Action"),
        required=False,
        choices=[("", gettext_lazy("Any action")), *AuditAction.choices],
    )
    object_type = forms.CharField(
        label=gettext_lazy("Object type"),
        required=False,
        max_length=60,
        help_text=gettext_lazy("For example cases.case, persons.person or audit.trail."),
    )
    date_from = forms.DateField(label=gettext_lazy("From"), required=False, widget=DateInput())
    date_to = forms.DateField(label=gettext_lazy("To"), required=False, widget=DateInput())

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        start, end = data.get("date_from"), data.get("date_to")
        if start and end and end < start:
            self.add_error("date_to", _("The end date is before the start date."))
        return data

    def filters(self) -> TrailFilters:
        data = self.cleaned_data if self.is_bound and not self.errors else {}
        return TrailFilters(
            username=(data.get("username") or "").strip(),
            agency=(data.get("agency") or "").strip(),
            case=(data.get("case") or "").strip(),
            action=data.get("action") or "",
            object_type=(data.get("object_type") or "").strip(),
            date_from=data.get("date_from"),
            date_to=data.get("date_to"),
        )


def _seq(request: AuthedRequest, name: str) -> int | None:
    value = request.GET.get(name, "")
    return int(value) if value.isdigit() and len(value) < 19 else None


def _query_without_paging(request: AuthedRequest) -> str:
    query = request.GET.copy()
    for name in ("before", "after"):
        query.pop(name, None)
    return query.urlencode()


@require_GET
@login_required
@auditors_only
def audit_trail(request: AuthedRequest) -> HttpResponse:
    form = TrailFilterForm(request.GET or None)
    if form.is_bound:
        form.is_valid()
    filters = form.filters()
    trail = audit_trail_page(
        user=request.user, filters=filters, before=_seq(request, "before"), after=_seq(request, "after")
    )
    return render(
        request,
        "web/audit/trail.html",
        {
            "form": form,
            "filtered": bool(filters.used()),
            "trail": trail,
            "query": _query_without_paging(request),
            "chain": audit_chain_status(user=request.user),
            "verify_scope": VERIFY_NOW_CHECK,
        },
    )


@require_POST
@login_required
@auditors_only
def audit_verify(request: AuthedRequest) -> HttpResponse:
    report = audit_chain_verify(user=request.user)
    if report.ok:
        messages.success(
            request,
            _("The chain is intact: %(n)s of the latest events checked.") % {"n": report.checked},
        )
    else:
        messages.error(
            request,
            _("The chain is broken at event %(seq)s. Report it to the security officer.")
            % {"seq": report.first_broken_seq},
        )
    return redirect("audit-trail")


@require_GET
@login_required
@auditors_only
def audit_case(request: AuthedRequest, reference: str) -> HttpResponse:
    log = audit_case_log(
        user=request.user, reference=reference, before=_seq(request, "before"), after=_seq(request, "after")
    )
    return render(request, "web/audit/case.html", {"log": log})


@require_POST
@login_required
@auditors_only
def audit_case_export_csv(request: AuthedRequest, reference: str) -> HttpResponse:
    exported = audit_case_export(user=request.user, reference=reference)
    if exported is None:
        return HttpResponseBadRequest(_("No case has this reference."))
    filename, content = exported
    response = HttpResponse(content, content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["Cache-Control"] = "no-store"
    return response
