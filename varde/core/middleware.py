"""Request ids (for audit and logs) and no-store caching for every page carrying personal data."""

from __future__ import annotations

import contextvars
import logging
import re
import traceback
import uuid
from collections.abc import Callable
from typing import Any

from django.http import HttpRequest, HttpResponse

_request_id: contextvars.ContextVar[str] = contextvars.ContextVar("varde_request_id", default="-")


def current_request_id() -> str:
    return _request_id.get()


def set_request_id(value: str) -> contextvars.Token[str]:
    return _request_id.set(value)


class RequestIdMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        request_id = uuid.uuid4().hex
        token = _request_id.set(request_id)
        request.request_id = request_id  # type: ignore[attr-defined]
        try:
            response = self.get_response(request)
        finally:
            _request_id.reset(token)
        response["X-Request-ID"] = request_id
        return response


class NoStoreMiddleware:
    """Nothing Varde serves outside /static/ may be kept by a browser or a proxy cache."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if not request.path.startswith("/static/"):
            response["Cache-Control"] = "no-store"
            response["Pragma"] = "no-cache"
        return response


class RequestIdLogFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        record.request_id = _request_id.get()
        return True


_QUERY_STRING = re.compile(r"\?[^\s\"]*")


class NoQueryStringFilter(logging.Filter):
    """Request lines without their query string (Django's development server logs every 4xx and 5xx
    request line): the case search carries its text, which may be a name, in `?q=`. Paths carry ids
    only; the query string is dropped whole, whatever it holds."""

    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.msg, str):
            record.msg = _QUERY_STRING.sub("?…", record.msg)
        if isinstance(record.args, tuple):
            record.args = tuple(_QUERY_STRING.sub("?…", a) if isinstance(a, str) else a for a in record.args)
        return True


class NoExceptionTextFormatter(logging.Formatter):
    """Tracebacks with the frames and the exception's type, never its message: a message may quote a
    value (PostgreSQL's DETAIL names the duplicate key's value; a library may echo its input), and logs
    never hold personal data. The request id leads to the audit trail."""

    def format(self, record: logging.LogRecord) -> str:
        cached = record.exc_text  # another handler may have cached the full traceback on the record
        record.exc_text = None
        try:
            return super().format(record)
        finally:
            record.exc_text = cached

    def formatException(self, ei: Any) -> str:  # noqa: N802 - logging's name
        exc = ei[1]
        parts: list[str] = []
        seen: set[int] = set()
        while exc is not None and id(exc) not in seen:
            seen.add(id(exc))
            frames = "".join(traceback.format_tb(exc.__traceback__))
            kind = f"{type(exc).__module__}.{type(exc).__qualname__}"
            parts.append(f"Traceback (most recent call last):\n{frames}{kind} (message withheld)")
            exc = exc.__cause__ or (None if exc.__suppress_context__ else exc.__context__)
        return "\n\nwhich happened while handling:\n".join(parts)
