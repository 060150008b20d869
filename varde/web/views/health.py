"""`/health/`: is Varde working? For load balancers and monitoring, open to anyone.

Answers JSON {"database": "ok", "worker": {"ok": true, "last_beat": ISO-8601}}, 200 when both are
well and 503 when not. It holds no personal data, no case data and nothing about the set-up beyond
whether the worker beats and when it last did.
"""

from __future__ import annotations

from django.http import HttpRequest, JsonResponse
from django.views.decorators.http import require_GET

from varde.response.health import health_report


@require_GET
def health(request: HttpRequest) -> JsonResponse:
    ok, body = health_report()
    return JsonResponse(body, status=200 if ok else 503)
