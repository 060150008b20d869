"""Reads of interchange records that need no access check (the caller checks what the user may do)."""

from __future__ import annotations

import uuid

from .models import ExportRequest


def export_request_by_id(request_id: str) -> ExportRequest | None:
    """The export request with this id (and its requester), or None, also for a malformed id."""
    try:
        pk = uuid.UUID(request_id)
    except ValueError:
        return None
    return ExportRequest.objects.filter(pk=pk).select_related("requested_by").first()
