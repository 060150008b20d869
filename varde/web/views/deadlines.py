"""Deadlines and notifications at scale: the coordinators' national deadline view, a caseworker's next
actions and the inbox with its triage (filters, notifications about one case grouped, bulk
acknowledge).

Lists are pages of at most 50 rows; every count comes from the database, never from rendering rows,
so a page costs the same few queries with 40 clocks or 400,000. Filters are GET parameters (a
filtered list can be bookmarked and shared); a filter value the form does not accept is ignored
and shown as an error beside its field.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode
from uuid import UUID

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import get_language, gettext_lazy, ngettext
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from varde.access import response as response_reads
from varde.access.cases import case_ids_openable
from varde.accounts.models import Agency
from varde.accounts.selectors import agencies_active
from varde.response import notifications
from varde.response.models import NotificationKind
from varde.response.rules import clock_label, clock_rules
from varde.web.types import AuthedRequest
from varde.web.views.base import case_workers_only, coordinators_only, save

YES_NO = (("", gettext_lazy("Both")), ("yes", gettext_lazy("Yes")), ("no", gettext_lazy("No")))


def _lang() -> str:
    return get_language() or "nb"


def _yes_no(value: str) -> bool | None:
    return {"yes": True, "no": False}.get(value)


# --- deadline lists ------------------------------------------------------------------------------------


class ClockFilterForm(forms.Form):
    kind = forms.ChoiceField(label=gettext_lazy("Deadline"), required=False)
    agency = forms.ChoiceField(label=gettext_lazy("Responsible agency"), required=False)
    child = forms.ChoiceField(label=gettext_lazy("Children's cases"), required=False, choices=YES_NO)
    state = forms.ChoiceField(
        label=gettext_lazy("State"),
        required=False,
        choices=(
            ("", gettext_lazy("Running, about to run out or missed")),
            ("running", gettext_lazy("Running")),
            ("warning", gettext_lazy("About to run out")),
            ("missed", gettext_lazy("Missed")),
        ),
    )
    sort = forms.ChoiceField(
        label=gettext_lazy("Order"),
        required=False,
        choices=(
            ("due", gettext_lazy("Least time left first")),
            ("-due", gettext_lazy("Most time left first")),
        ),
    )
    page = forms.IntegerField(required=False, min_value=1, widget=forms.HiddenInput())

    def __init__(self, data: QueryDict, *, agencies: list[Agency]) -> None:
        super().__init__(data)
        lang = _lang()
        kinds = sorted(clock_rules()["kinds"], key=lambda k: clock_label(k, lang))
        kind: Any = self.fields["kind"]
        kind.choices = [("", _("All deadlines"))] + [(k, clock_label(k, lang)) for k in kinds]
        if agencies:
            agency: Any = self.fields["agency"]
            agency.choices = [("", _("All agencies"))] + [(str(a.pk), a.name) for a in agencies]
        else:
            del self.fields["agency"]

    def value(self) -> tuple[response_reads.ClockFilter, int]:
        """The filter and the page asked for; a field with a bad value counts as not given."""
        self.is_valid()
        d = getattr(self, "cleaned_data", {})
        agency = d.get("agency") or ""
        return (
            response_reads.ClockFilter(
                kind=d.get("kind") or "",
                agency=UUID(agency) if agency else None,
                child=_yes_no(d.get("child") or ""),
                state=d.get("state") or "",
                descending=d.get("sort") == "-due",
            ),
            d.get("page") or 1,
        )


def _query(data: QueryDict, **changed: Any) -> str:
    """The page's query string with some parameters changed (empty values left out)."""
    params = {k: v for k, v in data.items() if v and k not in changed}
    params.update({k: v for k, v in changed.items() if v})
    return "?" + urlencode(params) if params else "?"


def _deadline_context(
    request: AuthedRequest, page: response_reads.ClockPage, form: ClockFilterForm
) -> dict[str, Any]:
    data = request.GET
    states = [
        ("", _("All"), page.counts["all"]),
        ("running", _("Running"), page.counts["running"]),
        ("warning", _("About to run out"), page.counts["warning"]),
        ("missed", _("Missed"), page.counts["missed"]),
    ]
    return {
        "page": page,
        "form": form,
        "states": [
            {
                "value": v,
                "label": label,
                "count": n,
                "query": _query(data, state=v, page=""),
                "current": page.filter.state == v,
            }
            for v, label, n in states
        ],
        "previous_query": _query(data, page=str(page.number - 1)) if page.has_previous else "",
        "next_query": _query(data, page=str(page.number + 1)) if page.has_next else "",
    }


@require_GET
@login_required
@coordinators_only
def national_clocks(request: AuthedRequest) -> HttpResponse:
    """Every running, paused and missed deadline in the country, by time left, for coordinators."""
    user = request.user
    agencies = agencies_active()
    form = ClockFilterForm(request.GET, agencies=list(agencies))
    f, number = form.value()
    page = response_reads.national_clocks(user=user, filter=f, page=number, language=_lang())
    # Which of the page's cases the coordinator may open now (others link to break-the-glass).
    openable = case_ids_openable(user=user, case_ids={r.case_id for r in page.rows})
    context = _deadline_context(request, page, form)
    context["openable"] = openable
    return render(request, "web/response/national.html", context)


@require_GET
@login_required
@case_workers_only
def next_actions(request: AuthedRequest) -> HttpResponse:
    """The deadlines the user's agencies answer for, the same list as the national view, and what
    waits in the inbox (the number on the menu's badge)."""
    user = request.user
    agencies = user.case_agencies()
    form = ClockFilterForm(request.GET, agencies=agencies if len(agencies) > 1 else [])
    f, number = form.value()
    page = response_reads.my_clocks(user=user, filter=f, page=number, language=_lang())
    context = _deadline_context(request, page, form)
    context["inbox"] = response_reads.inbox_counts(user=user)
    return render(request, "web/response/next.html", context)


# --- the inbox ----------------------------------------------------------------------------------------


class InboxFilterForm(forms.Form):
    kind = forms.ChoiceField(label=gettext_lazy("Kind"), required=False)
    case = forms.CharField(
        label=gettext_lazy("Case reference"),
        required=False,
        max_length=30,
        widget=forms.TextInput(attrs={"size": 12}),
    )
    urgent = forms.ChoiceField(label=gettext_lazy("Urgent"), required=False, choices=YES_NO)
    acknowledged = forms.ChoiceField(
        label=gettext_lazy("Acknowledged"),
        required=False,
        choices=(
            ("no", gettext_lazy("Not yet acknowledged")),
            ("yes", gettext_lazy("Acknowledged")),
            ("all", gettext_lazy("Both")),
        ),
    )
    page = forms.IntegerField(required=False, min_value=1, widget=forms.HiddenInput())

    def __init__(self, data: QueryDict, **kwargs: Any) -> None:
        super().__init__(data, **kwargs)
        kind: Any = self.fields["kind"]
        kind.choices = [("", _("All kinds"))] + list(NotificationKind.choices)

    def value(self) -> tuple[response_reads.InboxFilter, int]:
        self.is_valid()
        d = getattr(self, "cleaned_data", {})
        acknowledged = d.get("acknowledged") or "no"
        return (
            response_reads.InboxFilter(
                kind=d.get("kind") or "",
                case=(d.get("case") or "").strip(),
                urgent=_yes_no(d.get("urgent") or ""),
                acknowledged=None if acknowledged == "all" else acknowledged == "yes",
            ),
            d.get("page") or 1,
        )


FILTER_FIELDS = ("kind", "case", "urgent", "acknowledged")


@require_GET
@login_required
@case_workers_only
def inbox(request: AuthedRequest) -> HttpResponse:
    user = request.user
    form = InboxFilterForm(request.GET)
    f, number = form.value()
    page = response_reads.inbox_page(user=user, filter=f, page=number)
    focus = request.GET.get("focus", "")
    filters = {k: request.GET.get(k, "") for k in FILTER_FIELDS}
    return render(
        request,
        "web/response/inbox.html",
        {
            "page": page,
            "form": form,
            "language": _lang(),
            "focus": focus,
            "filters": filters,
            "here": _query(request.GET),
            "previous_query": _query(request.GET, page=str(page.number - 1), focus="")
            if page.has_previous
            else "",
            "next_query": _query(request.GET, page=str(page.number + 1), focus="") if page.has_next else "",
        },
    )


def _empty_form() -> forms.Form:
    """A form with no fields, validated, for a button's refusal to land on (its non-field errors)."""
    form = forms.Form({})
    form.is_valid()
    return form


def _back_to_inbox(request: AuthedRequest, focus: str = "") -> HttpResponse:
    """Back to the inbox as the user had filtered it, the keyboard focus on `focus` (a notification)."""
    params = {k: request.POST.get(k, "") for k in (*FILTER_FIELDS, "page")}
    query = _query(QueryDict(mutable=True), **params, focus=focus)
    anchor = f"#n-{focus}" if focus and focus != "first" else ""
    return redirect(reverse("notifications") + query + anchor)


@require_POST
@login_required
@case_workers_only
def notification_acknowledge(request: AuthedRequest, notification_id: UUID) -> HttpResponse:
    """Acknowledge one notification; back on the inbox the focus is on the next one down."""
    notification = response_reads.notification_get_for_user(
        user=request.user, notification_id=notification_id
    )
    form = _empty_form()
    saved = save(
        form, lambda: notifications.notification_acknowledge(actor=request.user, notification=notification)
    )
    if saved.ok:
        messages.success(request, _("The notification is acknowledged."))
    else:
        messages.warning(request, " ".join(str(e) for e in form.non_field_errors()))
    if request.POST.get("next") == "detail":
        return redirect("notification-detail", notification_id=notification.pk)
    focus = request.POST.get("focus_after", "")
    try:
        focus = str(UUID(focus)) if focus else ""
    except ValueError:
        focus = ""
    return _back_to_inbox(request, focus)


@require_POST
@login_required
@case_workers_only
def notifications_acknowledge(request: AuthedRequest) -> HttpResponse:
    """Acknowledge the notifications ticked (`scope=selected`) or every one the filter shows
    (`scope=filter`), in one audited step."""
    user = request.user
    scope = request.POST.get("scope", "selected")
    if scope == "filter":
        form = InboxFilterForm(request.POST)
        f, _page = form.value()
        chosen = response_reads.inbox_filtered(user=user, filter=f)
        how: dict[str, Any] = {
            "scope": "filter",
            "kind": f.kind,
            "case": f.case,
            "urgent": f.urgent,
            "acknowledged": f.acknowledged,
        }
    else:
        ids = []
        for value in request.POST.getlist("ids"):
            try:
                ids.append(UUID(value))
            except ValueError:
                continue
        chosen = response_reads.inbox_filtered(user=user, filter=response_reads.InboxFilter()).filter(
            pk__in=ids
        )
        how = {"scope": "selected"}
    empty = _empty_form()
    saved = save(
        empty, lambda: notifications.notifications_acknowledge(actor=user, notifications=chosen, how=how)
    )
    if not saved.ok:
        messages.error(request, " ".join(str(e) for e in empty.non_field_errors()))
        return _back_to_inbox(request)
    done = saved.result
    if done:
        messages.success(
            request,
            ngettext("%(n)d notification is acknowledged.", "%(n)d notifications are acknowledged.", done)
            % {"n": done},
        )
    else:
        messages.warning(
            request, _("Nothing was acknowledged: choose one or more notifications not yet acknowledged.")
        )
    return _back_to_inbox(request)
