"""The case list's filters and pages in the API: the same filter as the page (varde.access.search),
read from the query string by django-filter, documented in the schema by drf-spectacular."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django_filters import utils
from django_filters.rest_framework import DjangoFilterBackend
from rest_framework.request import Request
from rest_framework.response import Response

from varde.cases.search import COUNT_CAP, count_capped

from .pagination import VardePagination


class CaseFilterBackend(DjangoFilterBackend):
    """django-filter's backend, keeping the filter on the view (its audit detail: what was filtered
    and searched by). A value the filter does not accept answers 400 naming the parameter."""

    def filter_queryset(self, request: Request, queryset: QuerySet[Any], view: Any) -> QuerySet[Any]:
        filterset = self.get_filterset(request, queryset, view)
        if filterset is None:  # pragma: no cover - the view names its filter
            return queryset
        if not filterset.is_valid():
            raise utils.translate_validation(filterset.errors)
        view.filterset = filterset
        return filterset.qs  # type: ignore[no-any-return]


class CaseListPagination(VardePagination):
    """Limit and offset, with a count that stops at COUNT_CAP: `count` is exact up to it and then the
    cap (`count_is_exact` false). `next` is there while there are more cases, however many."""

    count_exact = True
    counted = 0  # the capped count (`count` is bent to let the parent build the next link)
    more = False

    def paginate_queryset(self, queryset: Any, request: Request, view: Any = None) -> list[Any] | None:
        self.request = request
        limit = self.get_limit(request) or self.default_limit
        offset = self.get_offset(request)
        self.limit, self.offset = limit, offset
        rows = list(queryset[offset : offset + limit + 1])
        self.more = len(rows) > limit
        self.counted, self.count_exact = count_capped(queryset)
        # The parent's links read `count`: past the cap, pretend the list goes one row further.
        self.count = max(self.counted, offset + limit + 1) if self.more else self.counted
        return rows[:limit]

    def get_next_link(self) -> str | None:
        return super().get_next_link() if self.more else None

    def get_paginated_response(self, data: Any) -> Response:
        response = super().get_paginated_response(data)
        response.data["count"] = self.counted
        response.data["count_is_exact"] = self.count_exact
        return response

    def get_paginated_response_schema(self, schema: dict[str, Any]) -> dict[str, Any]:
        described = super().get_paginated_response_schema(schema)
        described["properties"]["count"]["description"] = (
            f"The number of cases the list holds, counted up to {COUNT_CAP}: beyond, {COUNT_CAP}."
        )
        described["properties"]["count_is_exact"] = {
            "type": "boolean",
            "description": f"False when the list holds more than {COUNT_CAP} cases.",
        }
        described["required"] = ["count", "count_is_exact", "results"]
        return described
