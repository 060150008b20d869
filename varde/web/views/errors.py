"""Error pages that never show data: no exception text, no record content."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.template import loader


def _render(request: HttpRequest, template: str, status: int) -> HttpResponse:
    try:
        body: str = loader.render_to_string(
            template, {"request_id": getattr(request, "request_id", "")}, request
        )
    except Exception:  # noqa: BLE001 - an error page must never fail
        body = "<!doctype html><title>Varde</title><p>Error</p>"
    return HttpResponse(body, status=status)


def not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return _render(request, "errors/404.html", 404)


def forbidden(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return _render(request, "errors/403.html", 403)


def server_error(request: HttpRequest) -> HttpResponse:
    return _render(request, "errors/500.html", 500)
