"""OpenAPI helpers: the error shapes every endpoint can answer, declared once.

The schema is checked against real responses (schemathesis), so these shapes must match what
varde.api.errors and DRF actually send.
"""

from __future__ import annotations

from typing import Any

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse
from rest_framework import serializers


class ErrorSerializer(serializers.Serializer):
    """401, 403, 404, 405, 409, 415, 429: a human-readable detail and, for domain errors, a code."""

    detail = serializers.CharField()
    code = serializers.CharField(required=False)


# 400 bodies map field names (possibly nested: person.names[0].given) to lists of messages, or carry
# `detail` (malformed JSON) or `non_field_errors`; the shape is an object of anything.
VALIDATION_ERROR = OpenApiResponse(
    response=OpenApiTypes.OBJECT,
    description="Validation failed: field names map to lists of messages (nested for nested input); "
    "`non_field_errors` for rules that span fields; `detail` for malformed JSON.",
)


def _err(description: str) -> OpenApiResponse:
    return OpenApiResponse(response=ErrorSerializer, description=description)


UNAUTHENTICATED = _err("Not signed in: send `Authorization: Token <key>` or a session cookie.")
FORBIDDEN = _err("Signed in, but not permitted to do this (or the CSRF check failed for session auth).")
NOT_FOUND = _err("No such record, or one you may not see (the two are never told apart).")
CONFLICT = _err("Someone else changed the record since you read it (stale `version`); reload and retry.")


def responses(
    ok: dict[int, Any],
    *,
    body: bool = False,
    not_found: bool = False,
    conflict: bool = False,
    forbidden: bool = True,
) -> dict[int, Any]:
    """The full response map of an endpoint: its success bodies plus the errors it can answer."""
    result: dict[int, Any] = dict(ok)
    if body:
        result[400] = VALIDATION_ERROR
    result[401] = UNAUTHENTICATED
    if forbidden:
        result[403] = FORBIDDEN
    if not_found:
        result[404] = NOT_FOUND
    if conflict:
        result[409] = CONFLICT
    return result


def uuid_path(name: str, description: str) -> OpenApiParameter:
    return OpenApiParameter(name, OpenApiTypes.UUID, OpenApiParameter.PATH, description=description)


CASE_ID = uuid_path("case_id", "The case's id (never its reference or any personal data).")
