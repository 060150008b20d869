"""Error pages show no data; every page has the accessible frame (lang, skip link, one h1, no inline code)."""

import re

import pytest
from django.test import RequestFactory
from django.urls import reverse

from tests.conftest import login_verified
from varde.web.views import errors


@pytest.mark.parametrize(
    "view, status, text",
    [
        (errors.not_found, 404, "Fant ikke siden"),
        (errors.forbidden, 403, "Ikke tillatt"),
    ],
)
def test_error_pages(db, view, status, text):
    request = RequestFactory().get("/x")
    request.request_id = "abc123"
    from django.contrib.auth.models import AnonymousUser

    request.user = AnonymousUser()
    response = view(request, Exception("Blessing Okafor secret"))
    body = response.content.decode()
    assert response.status_code == status and text in body
    assert "Blessing" not in body and "secret" not in body


def test_500_page_shows_only_the_request_id(db):
    from django.contrib.auth.models import AnonymousUser

    request = RequestFactory().get("/x")
    request.request_id = "req-42"
    request.user = AnonymousUser()
    response = errors.server_error(request)
    body = response.content.decode()
    assert response.status_code == 500 and "req-42" in body and "Noe gikk galt" in body


def test_unknown_url_is_the_404_page(client, world):
    login_verified(client, world.personas.police)
    response = client.get("/cases/not-a-uuid/")
    assert response.status_code == 404 and "Fant ikke siden" in response.content.decode()


def pages(world):
    c, p, a = world.cases, world.personas, world.agencies
    return [
        (None, reverse("login")),
        (p.police, reverse("dashboard")),
        (p.analyst, reverse("dashboard")),
        (p.police, reverse("report")),
        (p.police, c.police_adult.get_absolute_url()),
        (p.police, reverse("person-detail", args=[c.police_adult.person_id])),
        (p.agency_admin, reverse("agency-admin")),
        (p.sysadmin, reverse("agency-admin-detail", args=[a.kom.pk])),
    ]


def test_every_page_has_the_accessible_frame_and_no_inline_code(client, world):
    for user, path in pages(world):
        client.logout()
        if user:
            login_verified(client, user)
        response = client.get(path)
        assert response.status_code == 200, path
        body = response.content.decode()
        assert re.search(r'<html lang="(nb|en)"', body), path
        assert 'class="ds-skip-link" href="#main"' in body and 'id="main"' in body, path
        assert body.count("<h1") == 1, path
        assert "<style" not in body and " style=" not in body, path
        assert not re.search(r"<script(?![^>]*\bsrc=)", body), path
        assert not re.search(r"<[^>]+\son[a-z]+=", body), path  # no inline event handlers
        ids = re.findall(r'\sid="([^"]+)"', body)
        assert len(ids) == len(set(ids)), (path, [i for i in ids if ids.count(i) > 1])
        for input_id in re.findall(r'<(?:input|select|textarea)[^>]*\bid="([^"]+)"', body):
            tag = re.search(
                rf'<(?:input|select|textarea)[^>]*\bid="{re.escape(input_id)}"[^>]*>', body
            ).group(0)
            if 'type="hidden"' in tag:
                continue
            assert f'for="{input_id}"' in body, (path, input_id)
        assert response["Cache-Control"] == "no-store"
