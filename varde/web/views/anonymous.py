"""Anonymous notifications (issue 22): the agency's list, recording one in a minute, and withdrawing a
mistaken one. For those who work with cases; everyone else 404.

Every read goes through varde.access.anonymous (a notification the user may not see is 404, lists and
reads audited); every write is a service of varde.identification.anonymous. The forms work without
JavaScript: success redirects to the list, errors show the bound form again (nothing saved).
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from varde.access import anonymous as reads
from varde.cases.models import ExploitationForm
from varde.core.errors import NotPermitted
from varde.identification.anonymous import anonymous_notification_record, anonymous_notification_withdraw
from varde.identification.models import AnonymousNotification
from varde.persons.codes import country_name
from varde.web.anonymous_forms import AnonymousNotificationForm, WithdrawForm
from varde.web.types import AuthedRequest
from varde.web.views.base import OnForm, done, only, save

PAGE_SIZE = 50

anonymous_users_only = only(reads.may_use_anonymous_notifications)
"""The pages of anonymous notifications: caseworkers and coordinators; everyone else 404."""


def _forms(codes: list[str]) -> str:
    return ", ".join(str(ExploitationForm(c).label) for c in codes if c in ExploitationForm.values)


def _row(user: Any, n: AnonymousNotification) -> dict[str, Any]:
    return {
        "n": n,
        "nationality": country_name(n.nationality) if n.nationality else "",
        "forms": _forms(n.exploitation_forms),
        "may_withdraw": reads.may_withdraw(user, n),
    }


@require_GET
@login_required
@anonymous_users_only
def anonymous_list(request: AuthedRequest) -> HttpResponse:
    user = request.user
    page = Paginator(reads.anonymous_notifications_newest_first(user=user), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    shown = list(page.object_list)
    reads.anonymous_notifications_list_audit(user=user, notifications=shown, page="web")
    agencies = reads.anonymous_agencies_for(user)
    return render(
        request,
        "web/anonymous/list.html",
        {
            "page": page,
            "rows": [_row(user, n) for n in shown],
            "national": user.is_coordinator,
            "show_agency": user.is_coordinator or len(agencies) > 1,
        },
    )


@require_http_methods(["GET", "POST"])
@login_required
@anonymous_users_only
def anonymous_new(request: AuthedRequest) -> HttpResponse:
    user = request.user
    agencies = reads.anonymous_agencies_for(user)
    form = AnonymousNotificationForm(request.POST if request.method == "POST" else None, agencies=agencies)
    if request.method == "POST" and form.is_valid():
        saved = save(
            form,
            lambda: anonymous_notification_record(actor=user, **form.record_arguments()),
            on={NotPermitted: OnForm("agency")},
        )
        if saved.ok:
            return done(request, _("The anonymous notification is recorded."), "anonymous-notifications")
    return render(request, "web/anonymous/new.html", {"form": form})


@require_http_methods(["GET", "POST"])
@login_required
@anonymous_users_only
def anonymous_withdraw(request: AuthedRequest, notification_id: str) -> HttpResponse:
    user = request.user
    notification = reads.anonymous_notification_get_for_user(user=user, notification_id=notification_id)
    if not reads.is_own_agency(user, notification):
        raise PermissionDenied  # a coordinator sees every agency's, but withdraws only their own
    form = WithdrawForm(request.POST if request.method == "POST" else None)
    status = 200
    if request.method == "POST" and form.is_valid():
        saved = save(
            form,
            lambda: anonymous_notification_withdraw(
                actor=user, notification=notification, reason=form.cleaned_data["reason"]
            ),
            conflict_message=_("The notification is already withdrawn."),
        )
        if saved.ok:
            return done(request, _("The notification is withdrawn."), "anonymous-notifications")
        status = saved.status
        notification.refresh_from_db()
    return render(
        request,
        "web/anonymous/withdraw.html",
        {"row": _row(user, notification), "form": form},
        status=status,
    )
