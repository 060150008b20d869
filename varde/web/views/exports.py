"""Exports of identified data, four eyes: ask with a reason, another person approves, the requester
downloads once (each step after confirming password and code)."""

from __future__ import annotations

import io
from uuid import UUID

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST

from varde.access.interchange import export_rows, request_get_for_user, requests_for
from varde.core.errors import NotPermitted
from varde.interchange import approval
from varde.web.forms import add_service_error
from varde.web.types import AuthedRequest
from varde.web.views.auth import require_recent_authentication


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


def _may_use_exports(request: AuthedRequest) -> bool:
    user = request.user
    return approval.can_request(user) or bool(user.admin_agency_ids())


@require_http_methods(["GET", "POST"])
@login_required
def export_list(request: AuthedRequest) -> HttpResponse:
    if not _may_use_exports(request):
        raise Http404("Not found")
    user = request.user
    form = ExportRequestForm(request.POST or None, prefix="export") if approval.can_request(user) else None
    if request.method == "POST":
        if form is None:
            raise PermissionDenied
        if form.is_valid():
            try:
                approval.export_request_create(actor=user, reason=form.cleaned_data["reason"])
            except ValidationError as error:
                add_service_error(form, error)
            else:
                messages.success(request, _("Your export request is waiting for another person's approval."))
                return redirect("exports")
    rows = [
        {
            "r": r,
            "can_approve": approval.can_approve(actor=user, request=r) and r.approved_at is None,
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
    try:
        approval.export_request_approve(actor=request.user, request=export)
    except NotPermitted as error:
        raise PermissionDenied(str(error)) from None
    messages.success(request, _("Export approved."))
    return redirect("exports")


@require_http_methods(["GET", "POST"])
@login_required
@require_recent_authentication
def export_download(request: AuthedRequest, request_id: UUID) -> HttpResponse:
    export = request_get_for_user(user=request.user, request_id=request_id)
    out = io.StringIO()
    try:
        with transaction.atomic():
            export_rows(user=request.user, out=out, request=export)
    except NotPermitted as error:
        raise PermissionDenied(str(error)) from None
    response = HttpResponse(out.getvalue(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{approval.filename(export)}"'
    return response
