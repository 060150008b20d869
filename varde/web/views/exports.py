"""Exports of identified data, four eyes: ask with a reason, another person approves, the requester
downloads once (each step after confirming password and code)."""

from __future__ import annotations

import io
from uuid import UUID

from django import forms
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST

from varde.access.interchange import export_rows, request_get_for_user, requests_for
from varde.access.predicates import can_approve_export, can_request_export, can_use_exports
from varde.interchange import approval
from varde.web.types import AuthedRequest
from varde.web.views.auth import require_recent_authentication
from varde.web.views.base import done, only, perform, save


class ExportRequestForm(forms.Form):
    reason = forms.CharField(
        label=gettext_lazy("Why is the export needed?"),
        help_text=gettext_lazy(
            "The person who approves reads this. Do not write names or other personal data."
        ),
        min_length=approval.MIN_REASON,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


@require_http_methods(["GET", "POST"])
@login_required
@only(can_use_exports)
def export_list(request: AuthedRequest) -> HttpResponse:
    user = request.user
    form = ExportRequestForm(request.POST or None, prefix="export") if can_request_export(user) else None
    if request.method == "POST":
        if form is None:
            raise PermissionDenied
        if form.is_valid():
            reason = form.cleaned_data["reason"]
            saved = save(form, lambda: approval.export_request_create(actor=user, reason=reason))
            if saved.ok:
                return done(
                    request, _("Your export request is waiting for another person's approval."), "exports"
                )
    rows = [
        {
            "r": r,
            "can_approve": can_approve_export(user, r) and r.approved_at is None,
            "mine": r.requested_by_id == user.pk,
        }
        for r in requests_for(user=user)[:50]
    ]
    return render(request, "web/exports.html", {"form": form, "rows": rows})


@require_POST
@login_required
@require_recent_authentication
def export_approve(request: AuthedRequest, request_id: UUID) -> HttpResponse:
    export = request_get_for_user(user=request.user, request_id=request_id)
    perform(lambda: approval.export_request_approve(actor=request.user, request=export))
    return done(request, _("Export approved."), "exports")


@require_http_methods(["GET", "POST"])
@login_required
@require_recent_authentication
def export_download(request: AuthedRequest, request_id: UUID) -> HttpResponse:
    export = request_get_for_user(user=request.user, request_id=request_id)
    out = io.StringIO()
    perform(lambda: export_rows(user=request.user, out=out, request=export))
    response = HttpResponse(out.getvalue(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{approval.filename(export)}"'
    return response
