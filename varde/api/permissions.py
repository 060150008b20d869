"""Who may call an endpoint, as DRF permissions over the predicates of varde.access.predicates."""

from __future__ import annotations

from typing import Any

from django.http import Http404
from rest_framework.permissions import BasePermission
from rest_framework.request import Request

from varde.access.predicates import is_coordinator


class CoordinatorsOnly(BasePermission):
    """Endpoints for KOM coordinators only. Anyone else gets 404, as on the coordinators' pages: the
    endpoint does not exist for them. A method the view does not answer keeps its 405 (and OPTIONS
    its description), as before the check."""

    def has_permission(self, request: Request, view: Any) -> bool:
        method = (request.method or "").lower()
        if method == "options" or not hasattr(view, method):
            return True
        if not is_coordinator(request.user):  # type: ignore[arg-type]
            raise Http404("Not found")
        return True
