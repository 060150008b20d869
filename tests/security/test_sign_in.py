"""Sign-in and sessions (issue 7): Argon2, password rules, lockout, TOTP, time-outs, re-authentication,
and disabling a user."""

from __future__ import annotations

import datetime as dt
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse
from django_otp.plugins.otp_totp.models import TOTPDevice
from rest_framework.authtoken.models import Token

from tests.conftest import PASSWORD, login_verified, otp_code, password_login
from varde.accounts import second_factor as sf
from varde.accounts.services import user_deactivate
from varde.audit.models import AuditEvent

ROOT = Path(__file__).resolve().parents[2]


def _settings_value(expr: str, **env: str) -> str:
    code = f"import django; django.setup(); from django.conf import settings; print({expr})"
    environ = {k: v for k, v in os.environ.items() if k not in {"VARDE_ENV", "DATABASE_URL"}}
    environ.update({"DJANGO_SETTINGS_MODULE": "config.settings", **env})
    out = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env=environ, capture_output=True, text=True, check=True
    )
    return out.stdout.strip()


def test_argon2_is_the_first_hasher_outside_tests(tmp_path):
    for env in (
        {"VARDE_ENV": "development", "VARDE_VAR_DIR": str(tmp_path)},
        {
            "VARDE_ENV": "production",
            "SECRET_KEY": "k" * 60,
            "ALLOWED_HOSTS": "varde.example",
            "VARDE_BASE_URL": "https://varde.example",
            "DATABASE_URL": "postgres://varde@127.0.0.1:5432/varde",
            "VARDE_VAR_DIR": str(tmp_path),
        },
    ):
        first = _settings_value("settings.PASSWORD_HASHERS[0]", **env)
        assert first == "django.contrib.auth.hashers.Argon2PasswordHasher", env["VARDE_ENV"]
        hashers = _settings_value("settings.PASSWORD_HASHERS", **env)
        assert "MD5" not in hashers


def test_argon2_hashes_and_upgrades(db, settings):
    from varde.accounts.models import User

    settings.PASSWORD_HASHERS = [
        "django.contrib.auth.hashers.Argon2PasswordHasher",
        "django.contrib.auth.hashers.MD5PasswordHasher",
    ]
    user = User.objects.create_user(username="argon", password="a-long-enough-passphrase")
    assert user.password.startswith("argon2$argon2id$")
    assert user.check_password("a-long-enough-passphrase")


@pytest.mark.parametrize(
    "password", ["short-pass1", "password1234", "123456789012", "administrator", "1q2w3e4r5t6y"]
)
def test_weak_passwords_are_refused(db, password):
    with pytest.raises(ValidationError):
        validate_password(password)


def test_twelve_characters_not_on_the_common_list_pass(db):
    validate_password("tindved-fjord-7Q")


# --- the second factor -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "name", ["police", "childwelfare", "ngo", "coordinator", "agency_admin", "sysadmin", "analyst", "auditor"]
)
def test_every_role_needs_the_code(world, name):
    """Issue 21: the analyst and the auditor too (they read figures about victims and who looked at
    what, with break-the-glass reasons)."""
    assert sf.second_factor_required(getattr(world.personas, name))


def test_password_only_session_reaches_no_page_with_case_data(world):
    client = Client()
    assert password_login(client, "police")
    case = world.cases.police_adult
    for url in (
        reverse("dashboard"),
        case.get_absolute_url(),
        reverse("report"),
        reverse("person-detail", args=[case.person_id]),
    ):
        response = client.get(url)
        assert response.status_code == 302 and response["Location"].startswith(reverse("login-otp")), url
    for url in ("/api/cases/", f"/api/cases/{case.pk}/", "/api/me/"):
        assert client.get(url).status_code == 403, url
    posted = client.post(reverse("case-note", args=[case.pk]), {"note-text": "x"})
    assert posted.status_code == 302 and posted["Location"].startswith(reverse("login-otp"))
    assert not case.events.filter(text="x").exists()


def test_access_layer_refuses_an_unverified_request_user(world):
    """Defence in depth: even a view that forgot the middleware gets nothing from the access layer."""
    from varde.access.cases import cases_visible_to

    user = world.personas.police
    user.otp_device = None
    user.is_verified = lambda: False
    assert not cases_visible_to(user=user).exists()


def test_wrong_code_is_refused_and_audited(world):
    client = Client()
    assert password_login(client, "police")
    response = client.post(reverse("login-otp"), {"otp_code": "000000"})
    assert response.status_code == 200 and b"ds-error-summary" in response.content
    assert AuditEvent.objects.latest("seq").action == "login_failed"
    assert client.get(reverse("dashboard")).status_code == 302


def test_first_sign_in_sets_up_the_authenticator(world):
    police = world.personas.police
    TOTPDevice.objects.filter(user=police).delete()
    client = Client()
    client.post(reverse("login"), {"username": "police", "password": PASSWORD})
    page = client.get(reverse("login-otp"))
    assert page.status_code == 200
    body = page.content.decode()
    assert "otpauth://totp/" in body and 'id="otp-secret"' in body
    device = TOTPDevice.objects.get(user=police, confirmed=False)
    from django_otp.oath import totp

    code = f"{totp(device.bin_key):06d}"
    response = client.post(reverse("login-otp"), {"otp_code": code})
    assert response.status_code == 302
    device.refresh_from_db()
    assert device.confirmed
    assert client.get(reverse("dashboard")).status_code == 200
    # The secret is shown only while setting up: the next sign-in asks for a code, no secret.
    other = Client()
    other.post(reverse("login"), {"username": "police", "password": PASSWORD})
    assert "otpauth://" not in other.get(reverse("login-otp")).content.decode()


def test_analyst_without_a_device_sets_one_up_first(world):
    """Issue 21: no role signs in with the password alone."""
    TOTPDevice.objects.filter(user=world.personas.analyst).delete()
    client = Client()
    response = client.post(reverse("login"), {"username": "analyst", "password": PASSWORD})
    assert response.status_code == 302 and response["Location"].startswith(reverse("login-otp"))
    assert client.get(reverse("dashboard")).status_code == 302
    assert "otpauth://totp/" in client.get(reverse("login-otp")).content.decode()


# --- lockout --------------------------------------------------------------------------------------


def test_repeated_failures_lock_the_sign_in_page_without_naming_the_account(world, settings):
    settings.AXES_FAILURE_LIMIT = 5
    client = Client()
    codes = [
        client.post(reverse("login"), {"username": "police", "password": "wrong"}).status_code
        for _ in range(5)
    ]
    assert codes == [200, 200, 200, 200, 429]
    locked = client.post(reverse("login"), {"username": "police", "password": PASSWORD})
    assert locked.status_code == 429
    assert "_auth_user_id" not in client.session
    body = locked.content.decode()
    assert "police" not in body.lower().replace("politi", "")
    # An unknown username answers exactly the same way.
    unknown = Client(REMOTE_ADDR="10.9.9.9")
    answers = [
        unknown.post(reverse("login"), {"username": "nobody-here", "password": "wrong"}) for _ in range(5)
    ]
    assert answers[-1].status_code == 429
    assert AuditEvent.objects.filter(action="locked_out").exists()


# --- session time-outs -------------------------------------------------------------------------------


def _age_session(client: Client, key: str, by: dt.timedelta) -> None:
    session = client.session
    session[key] = float(session[key]) - by.total_seconds()
    session.save()


def test_thirty_minutes_without_a_request_end_the_session(world):
    client = login_verified(Client(), world.personas.police)
    assert client.get(reverse("dashboard")).status_code == 200
    _age_session(client, sf.SEEN_AT, dt.timedelta(minutes=29))
    assert client.get(reverse("dashboard")).status_code == 200  # activity keeps it alive
    _age_session(client, sf.SEEN_AT, dt.timedelta(minutes=31))
    response = client.get(reverse("dashboard"))
    assert response.status_code == 302 and response["Location"].startswith(reverse("login"))
    assert "_auth_user_id" not in client.session
    assert AuditEvent.objects.latest("seq").detail == {"reason": "session_expired"}


def test_twelve_hours_after_sign_in_the_session_ends_even_when_active(world):
    client = login_verified(Client(), world.personas.police)
    _age_session(client, sf.LOGIN_AT, dt.timedelta(hours=12, minutes=1))
    response = client.get(reverse("dashboard"))
    assert response.status_code == 302 and response["Location"].startswith(reverse("login"))
    api = client.get("/api/cases/")
    assert api.status_code in (401, 403)


def test_expired_session_answers_401_in_the_api(world):
    client = login_verified(Client(), world.personas.police)
    _age_session(client, sf.SEEN_AT, dt.timedelta(minutes=45))
    response = client.get("/api/cases/")
    assert response.status_code == 401 and response.json()["code"] == "session_expired"


# --- re-authentication ------------------------------------------------------------------------------


def test_reauthentication_page_checks_password_and_code(world):
    police = world.personas.police
    client = login_verified(Client(), police, reauthenticated=False)
    page = client.get(reverse("reauthenticate") + "?next=/")
    assert page.status_code == 200
    bad = client.post(
        reverse("reauthenticate"), {"password": "wrong", "otp_code": otp_code(police), "next": "/"}
    )
    assert bad.status_code == 200 and sf.AUTH_AT not in client.session
    good = client.post(
        reverse("reauthenticate"), {"password": PASSWORD, "otp_code": otp_code(police), "next": "/"}
    )
    assert good.status_code == 302 and good["Location"] == "/"
    assert sf.AUTH_AT in client.session
    assert AuditEvent.objects.latest("seq").action == "reauth"


def test_reauthentication_does_not_redirect_off_site(world):
    police = world.personas.police
    client = login_verified(Client(), police, reauthenticated=False)
    response = client.post(
        reverse("reauthenticate"),
        {"password": PASSWORD, "otp_code": otp_code(police), "next": "https://evil.example/"},
    )
    assert response.status_code == 302 and response["Location"] == reverse("dashboard")


# --- disabling a user --------------------------------------------------------------------------------


def test_disabling_a_user_ends_sessions_and_tokens_at_once(world):
    police = world.personas.police
    client = login_verified(Client(), police)
    token = Token.objects.create(user=police)
    assert client.get(reverse("dashboard")).status_code == 200
    ended = user_deactivate(actor=world.personas.sysadmin, user=police)
    assert ended == 1
    assert not Token.objects.filter(pk=token.pk).exists()
    response = client.get(reverse("dashboard"))
    assert response.status_code == 302 and response["Location"].startswith(reverse("login"))


def test_is_active_false_alone_closes_the_session_and_the_token(world, api):
    """Even without the service (e.g. a direct database change) an inactive user gets nothing."""
    police = world.personas.police
    client = login_verified(Client(), police)
    response = api.post(
        "/api/auth/token/",
        {"username": "police", "password": PASSWORD, "otp_code": otp_code(police)},
        format="json",
    )
    key = response.json()["token"]
    police.is_active = False
    police.save(update_fields=["is_active"])
    assert client.get(reverse("dashboard")).status_code == 302
    api.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    assert api.get("/api/cases/").status_code == 401
