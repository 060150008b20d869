"""The search text is personal data (a name, a phone number): it travels in the query string (`?q=`)
and must not reach a log, the audit trail or the failed sign-in table (docs/DATA_CLASSIFICATION.md)."""

from __future__ import annotations

import logging

from axes.models import AccessAttempt
from django.test import Client
from django.urls import reverse

from varde.audit.models import AuditEvent


def test_the_development_servers_request_lines_lose_their_query_string(caplog):
    server = logging.getLogger("django.server")
    with caplog.at_level(logging.WARNING, logger="django.server"):
        server.warning('"%s" %s %s', "GET /cases/?q=Blessing+Okafor HTTP/1.1", "404", "179")
    assert "Okafor" not in caplog.text
    assert "/cases/?" in caplog.text


def test_a_failed_sign_in_after_a_search_keeps_no_search_text(world, client):
    """The session ends on a search page: the sign-in page's `next` holds the search; a wrong password
    is recorded by axes with the query string masked."""
    response = client.get(reverse("case-list"), {"q": "Blessing Okafor"})
    assert response.status_code == 302 and "Okafor" in response["Location"]
    client.post(response["Location"], {"username": "police", "password": "wrong"})
    attempt = AccessAttempt.objects.get(username="police")
    assert "Okafor" not in attempt.get_data + attempt.post_data


def test_no_audit_event_holds_the_search_text(world):
    client = Client()
    from tests.conftest import login_verified

    login_verified(client, world.personas.police)
    before = AuditEvent.objects.order_by("-seq").values_list("seq", flat=True).first()
    for text in ("Blessing Okafor", "+47 912 34 567", "A1234567", "1995-05-17"):
        client.get(reverse("case-list"), {"q": text})
        client.get("/api/cases/", {"q": text})
    searches = AuditEvent.objects.filter(seq__gt=before)
    assert searches.count() == 8 and all(e.action == "list" for e in searches)
    detail = " ".join(str(e.detail) for e in searches)
    for secret in ("Okafor", "Blessing", "912 34 567", "91234567", "A1234567", "1995-05-17"):
        assert secret not in detail, secret
