"""The case list: every case the user may see, searched, filtered, sorted and paged 50 at a time.

The filter is a GET form (a list can be bookmarked and shared, and the API reads the same parameters:
varde.access.search); a value the form does not accept is left out and shown beside its field. Each
page costs the same few queries with 40 cases or 100,000: a count that stops at 10,000, the page's
rows, their names (only where the user may open them) and the audit event.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from varde.access.search import SORTS, case_list_page
from varde.cases.saved_views import saved_query, saved_view_delete, saved_view_save, saved_views_of
from varde.cases.search import COUNT_CAP, DEFAULT_ORDER
from varde.web.types import AuthedRequest
from varde.web.views.base import case_workers_only, perform

# The columns a list can be sorted by, and the order the first click on each gives.
SORTABLE = {"reference": "reference", "status": "status", "opened": "-opened"}


def _query(data: QueryDict, **changed: str) -> str:
    """The page's query string with some parameters changed (empty values left out)."""
    params: list[tuple[str, str]] = [
        (k, v) for k in data for v in data.getlist(k) if v and k not in changed and k != "page"
    ]
    params += [(k, v) for k, v in changed.items() if v]
    return "?" + urlencode(params) if params else "?"


def _page_number(data: QueryDict) -> int:
    try:
        return max(1, int(data.get("page", "1")))
    except ValueError:
        return 1


def _sort_headers(data: QueryDict, current: str) -> dict[str, dict[str, str]]:
    """Per sortable column: the link that sorts by it (reversed when it is the current order) and its
    aria-sort value."""
    headers = {}
    for column, first in SORTABLE.items():
        field = first.lstrip("-")
        if current.lstrip("-") == field:
            descending = current.startswith("-")
            target = field if descending else f"-{field}"
            aria = "descending" if descending else "ascending"
        else:
            target, aria = first, ""
        headers[column] = {"query": _query(data, sort=target), "aria": aria}
    return headers


@require_GET
@login_required
@case_workers_only
def case_list(request: AuthedRequest) -> HttpResponse:
    data = request.GET
    filters, page = case_list_page(request=request, data=data, number=_page_number(data))
    cleaned: dict[str, Any] = getattr(filters.form, "cleaned_data", {})
    sort = cleaned.get("sort") or DEFAULT_ORDER
    context = {
        "filters": filters,
        "form": filters.form,
        "page": page,
        "cap": COUNT_CAP,
        "searched": bool(cleaned.get("q")),
        "filtered": any(cleaned.get(k) for k in cleaned if k != "sort"),
        "filters_used": any(cleaned.get(k) for k in cleaned if k not in ("q", "sort")),
        "sort_label": dict(SORTS).get(sort, ""),
        "headers": _sort_headers(data, sort),
        "previous_query": _query(data, page=str(page.number - 1)) if page.has_previous else "",
        "next_query": _query(data, page=str(page.number + 1)) if page.has_next else "",
        "first_query": _query(data) if page.number > 2 else "",
        "saved_views": list(saved_views_of(user=request.user)),
        "savable_query": saved_query(data.urlencode()),
    }
    return render(request, "web/cases/list.html", context)


@require_POST
@login_required
@case_workers_only
def case_list_views(request: AuthedRequest) -> HttpResponse:
    """Save the list's filters and order under a name (`name`, `query`), or delete a saved list
    (`delete`: its id; another user's is 404). The search text is never saved."""
    target = reverse("case-list")
    deleted = request.POST.get("delete", "")
    if deleted:
        perform(lambda: saved_view_delete(actor=request.user, view_id=deleted))
        messages.success(request, _("The saved list is deleted."))
        return redirect(target)
    try:
        view = perform(
            lambda: saved_view_save(
                actor=request.user,
                name=request.POST.get("name", "")[:80],
                query=request.POST.get("query", ""),
            )
        )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        query = saved_query(request.POST.get("query", ""))
        return redirect(target + (f"?{query}" if query else ""))
    messages.success(request, _("The list is saved as “%(name)s”.") % {"name": view.name})
    return redirect(target + (f"?{view.query}" if view.query else ""))
