"""Hardening (issue 7): CSP without 'unsafe-inline' and pages that need none, frame denial, referrer
policy, no-store on everything with personal data, and a clean `check --deploy` in production."""

from __future__ import annotations

import os
import subprocess
import sys
from html.parser import HTMLParser
from pathlib import Path

import pytest
from django.test import Client
from django.urls import reverse

from tests.conftest import login_verified, password_login

ROOT = Path(__file__).resolve().parents[2]


class InlineFinder(HTMLParser):
    """Every inline script, inline style, style attribute and on* handler in a page."""

    def __init__(self) -> None:
        super().__init__()
        self.found: list[str] = []
        self._in: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        names = {name.lower() for name, _ in attrs}
        if tag == "script" and "src" not in names:
            self._in = "script"
        if tag == "style":
            self.found.append("<style>")
        if "style" in names:
            self.found.append(f"<{tag} style=...>")
        for name in names:
            if name.startswith("on") or name.startswith("hx-on"):
                self.found.append(f"<{tag} {name}=...>")
        for name, value in attrs:
            if value and value.strip().lower().startswith("javascript:"):
                self.found.append(f"<{tag} {name}=javascript:...>")

    def handle_data(self, data: str) -> None:
        if self._in == "script" and data.strip():
            self.found.append("<script>inline</script>")

    def handle_endtag(self, tag: str) -> None:
        if tag == "script":
            self._in = None


def inline_code(html: str) -> list[str]:
    finder = InlineFinder()
    finder.feed(html)
    return finder.found


def pages(world) -> list[tuple[object, str]]:
    p, a, c = world.personas, world.agencies, world.cases
    return [
        (None, reverse("login")),
        (p.police, reverse("dashboard")),
        (p.coordinator, reverse("dashboard")),
        (p.analyst, reverse("dashboard")),
        (p.auditor, reverse("dashboard")),
        (p.police, reverse("report")),
        (p.police, c.police_adult.get_absolute_url()),
        (p.police, c.police_child.get_absolute_url()),
        (p.ngo, c.police_adult.get_absolute_url()),
        (p.police, reverse("person-detail", args=[c.police_adult.person_id])),
        (p.agency_admin, reverse("agency-admin")),
        (p.sysadmin, reverse("agency-admin-detail", args=[a.kom.pk])),
        (p.police, reverse("reauthenticate")),
        (p.coordinator, reverse("break-glass", args=[c.childwelfare_child.pk])),
        (p.coordinator, reverse("exports")),
        (p.police, "/cases/00000000-0000-0000-0000-000000000000/"),
    ]


def test_no_page_has_inline_script_style_or_handlers(world):
    checked = 0
    for user, path in pages(world):
        client = Client()
        if user is not None:
            login_verified(client, user)
        response = client.get(path)
        assert response.status_code in (200, 404), (path, response.status_code)
        assert inline_code(response.content.decode()) == [], path
        checked += 1
    # The code step and the lockout page too.
    client = Client()
    assert password_login(client, "police")
    step = client.get(reverse("login-otp"))
    assert step.status_code == 200 and inline_code(step.content.decode()) == []
    assert checked == len(pages(world))


def test_the_inline_finder_finds_what_it_should():
    assert inline_code('<script>alert(1)</script><p style="x" onclick="y">') == [
        "<script>inline</script>",
        "<p style=...>",
        "<p onclick=...>",
    ]
    assert inline_code('<script src="/static/x.js"></script><a href="javascript:x">') == [
        "<a href=javascript:...>"
    ]


def test_csp_header_forbids_inline_code_everywhere(world):
    client = login_verified(Client(), world.personas.police)
    for path in (reverse("dashboard"), reverse("login"), "/api/cases/", "/api/schema/"):
        csp = client.get(path)["Content-Security-Policy"]
        directives = dict(d.strip().split(" ", 1) for d in csp.split(";") if " " in d.strip())
        assert "unsafe-inline" not in csp and "unsafe-eval" not in csp
        assert directives["script-src"] == "'self'" and directives["style-src"] == "'self'"
        assert directives["default-src"] == "'self'" and directives["frame-ancestors"] == "'none'"
        assert directives["object-src"] == "'none'" and directives["base-uri"] == "'none'"


def test_htmx_is_told_not_to_inject_styles(world):
    body = login_verified(Client(), world.personas.police).get(reverse("dashboard")).content.decode()
    assert '"includeIndicatorStyles":false' in body.replace(" ", "")


@pytest.mark.parametrize("path", ["dashboard", "login", "api-cases", "api-me", "api-schema"])
def test_frame_denial_referrer_policy_nosniff(world, path):
    client = login_verified(Client(), world.personas.police)
    response = client.get(reverse(path))
    assert response["X-Frame-Options"] == "DENY"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["X-Content-Type-Options"] == "nosniff"


def test_no_store_on_pages_and_api_with_personal_data(world, api):
    c = world.cases
    client = login_verified(Client(), world.personas.police)
    for path in (
        reverse("dashboard"),
        c.police_adult.get_absolute_url(),
        reverse("person-detail", args=[c.police_adult.person_id]),
        f"/api/cases/{c.police_adult.pk}/",
        f"/api/persons/{c.police_adult.person_id}/",
        "/api/cases/",
    ):
        response = client.get(path)
        assert response.status_code == 200, path
        assert response["Cache-Control"] == "no-store", path
    token_client = api.as_(world.personas.police)
    assert token_client.get(f"/api/cases/{c.police_adult.pk}/")["Cache-Control"] == "no-store"
    assert Client().get(reverse("login"))["Cache-Control"] == "no-store"
    # Error answers too (they may echo ids).
    assert client.get("/cases/00000000-0000-0000-0000-000000000000/")["Cache-Control"] == "no-store"


def _production_env(**extra: str) -> dict[str, str]:
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in {"VARDE_ENV", "DATABASE_URL", "DEBUG", "DJANGO_ALLOW_ASYNC_UNSAFE"}
    }
    env.update(
        {
            "VARDE_ENV": "production",
            "SECRET_KEY": "production-like-key-" + "Qx7!" * 12,
            "ALLOWED_HOSTS": "varde.example.no",
            "VARDE_BASE_URL": "https://varde.example.no",
            "DATABASE_URL": "postgres://varde@127.0.0.1:5432/varde",
            **extra,
        }
    )
    return env


def test_check_deploy_is_clean_with_production_settings(tmp_path):
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=_production_env(VARDE_VAR_DIR=str(tmp_path)),
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_production_settings_are_strict(tmp_path):
    code = (
        "import django, json; django.setup(); from django.conf import settings as s; print(json.dumps(["
        "s.SECURE_HSTS_SECONDS, s.SESSION_COOKIE_SECURE, s.CSRF_COOKIE_SECURE, s.SECURE_SSL_REDIRECT, "
        "s.DEBUG, s.PASSWORD_HASHERS[0], s.AXES_ENABLED, s.VARDE_INACTIVITY_TIMEOUT.total_seconds(), "
        "s.VARDE_SESSION_MAX_AGE.total_seconds(), 'unsafe-inline' in str(s.CONTENT_SECURITY_POLICY)]))"
    )
    env = _production_env(VARDE_VAR_DIR=str(tmp_path), DJANGO_SETTINGS_MODULE="config.settings")
    out = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, check=True
    )
    import json

    hsts, session_secure, csrf_secure, ssl_redirect, debug, hasher, axes, idle, life, inline = json.loads(
        out.stdout
    )
    assert hsts >= 31536000 and session_secure and csrf_secure and ssl_redirect and not debug
    assert hasher.endswith("Argon2PasswordHasher") and axes
    assert idle == 30 * 60 and life == 12 * 3600 and not inline


def test_production_refuses_debug(tmp_path):
    result = subprocess.run(
        [sys.executable, "manage.py", "check"],
        cwd=ROOT,
        env=_production_env(VARDE_VAR_DIR=str(tmp_path), DEBUG="true"),
        capture_output=True,
        text=True,
    )
    assert result.returncode != 0 and "DEBUG must be off in production" in result.stderr


def test_no_one_can_read_a_second_factor_through_the_admin(world):
    """django-otp's device admin would show any user's TOTP secret as a QR code: it is not mounted."""
    from django.contrib import admin
    from django.urls import NoReverseMatch
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from tests.conftest import totp_device

    with pytest.raises(NoReverseMatch):  # (also loads the URLconf, which sets the admin up)
        reverse("admin:otp_totp_totpdevice_changelist")
    assert not admin.site.is_registered(TOTPDevice)
    device = totp_device(world.personas.police)
    client = Client()
    login_verified(client, world.personas.sysadmin)
    assert client.get("/admin/").status_code == 200  # the administrator is in the admin
    for path in (
        "/admin/otp_totp/totpdevice/",
        f"/admin/otp_totp/totpdevice/{device.pk}/config/",
        f"/admin/otp_totp/totpdevice/{device.pk}/qrcode/",
    ):
        response = client.get(path)
        assert response.status_code in (302, 404), path
        assert device.key not in response.content.decode()
