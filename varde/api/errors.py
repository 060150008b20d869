"""Domain errors become clear API answers: 400 with field messages, 403, 404, 409; never 500."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError
from rest_framework import status
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from varde.core.errors import EditConflict, NotPermitted, TransitionNotAllowed, VardeError


def exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    if isinstance(exc, DjangoValidationError):
        detail = exc.message_dict if hasattr(exc, "error_dict") else {"non_field_errors": exc.messages}
        return Response(detail, status=status.HTTP_400_BAD_REQUEST)
    if isinstance(exc, EditConflict):
        return Response(
            {
                "detail": "The record was changed by someone else. Reload and try again.",
                "code": "edit_conflict",
            },
            status=status.HTTP_409_CONFLICT,
        )
    if isinstance(exc, NotPermitted):
        return Response({"detail": str(exc), "code": "not_permitted"}, status=status.HTTP_403_FORBIDDEN)
    if isinstance(exc, TransitionNotAllowed | VardeError):
        return Response(
            {"non_field_errors": [str(exc)], "code": exc.code}, status=status.HTTP_400_BAD_REQUEST
        )
    return drf_exception_handler(exc, context)
