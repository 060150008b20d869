"""Token and session authentication."""

from __future__ import annotations

from rest_framework.authtoken.models import Token

from tests.conftest import PASSWORD, mark_session_verified, otp_code, password_login
from varde.audit.models import AuditEvent


def test_token_obtained_with_password_opens_the_api(api, world):
    response = api.post(
        "/api/auth/token/",
        {"username": "police", "password": PASSWORD, "otp_code": otp_code(world.personas.police)},
        format="json",
    )
    assert response.status_code == 200, response.content
    key = response.json()["token"]
    assert Token.objects.get(user=world.personas.police).key == key
    assert AuditEvent.objects.latest("seq").action == "login"
    api.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    me = api.get("/api/me/")
    assert me.status_code == 200 and me.json()["username"] == "police"
    cases = api.get("/api/cases/").json()["results"]
    assert {row["reference"] for row in cases} == {
        world.cases.police_adult.reference,
        world.cases.police_child.reference,
    }


def test_wrong_password_is_400_and_audited(api, world):
    before = AuditEvent.objects.count()
    response = api.post("/api/auth/token/", {"username": "police", "password": "wrong"}, format="json")
    assert response.status_code == 400
    assert "token" not in response.json()
    assert AuditEvent.objects.count() == before + 1
    assert AuditEvent.objects.latest("seq").action == "login_failed"
    assert not Token.objects.exists()


def test_inactive_user_gets_no_token(api, world):
    world.personas.police.is_active = False
    world.personas.police.save()
    response = api.post(
        "/api/auth/token/",
        {"username": "police", "password": PASSWORD, "otp_code": otp_code(world.personas.police)},
        format="json",
    )
    assert response.status_code == 400


def test_token_request_validates_input(api, world):
    assert api.post("/api/auth/token/", {"username": "police"}, format="json").status_code == 400
    assert (
        api.post("/api/auth/token/", {"username": "p" * 151, "password": "x"}, format="json").status_code
        == 400
    )
    assert api.post("/api/auth/token/", b"{oops", content_type="application/json").status_code == 400


def test_token_endpoint_is_throttled(api, world, settings):
    settings.AXES_ENABLED = False  # the per-address throttle on its own (lockout: the next test)
    codes = [
        api.post("/api/auth/token/", {"username": "police", "password": "wrong"}, format="json").status_code
        for _ in range(25)
    ]
    assert codes[:20] == [400] * 20
    assert codes[-1] == 429


def test_bad_token_is_401(api, world):
    api.credentials(HTTP_AUTHORIZATION="Token not-a-real-token")
    assert api.get("/api/me/").status_code == 401


def test_session_auth_works(world, client):
    assert password_login(client, "ngo")
    mark_session_verified(client, world.personas.ngo)
    response = client.get("/api/cases/")
    assert response.status_code == 200
    assert world.cases.police_adult.reference in {row["reference"] for row in response.json()["results"]}


def test_session_auth_enforces_csrf_on_writes(world):
    from django.test import Client

    csrf_client = Client(enforce_csrf_checks=True)
    assert password_login(csrf_client, "police")
    mark_session_verified(csrf_client, world.personas.police)
    response = csrf_client.post(
        f"/api/cases/{world.cases.police_adult.pk}/notes/", {"text": "x"}, content_type="application/json"
    )
    assert response.status_code == 403


def test_token_needs_the_one_time_code_and_says_nothing_about_which_part_was_wrong(api, world):
    p = world.personas
    without = api.post("/api/auth/token/", {"username": "police", "password": PASSWORD}, format="json")
    wrong = api.post(
        "/api/auth/token/", {"username": "police", "password": PASSWORD, "otp_code": "000000"}, format="json"
    )
    unknown = api.post(
        "/api/auth/token/", {"username": "nobody", "password": PASSWORD, "otp_code": "123456"}, format="json"
    )
    assert without.status_code == wrong.status_code == unknown.status_code == 400
    assert without.json() == wrong.json() == unknown.json()
    assert not Token.objects.exists()
    good = api.post(
        "/api/auth/token/",
        {"username": "police", "password": PASSWORD, "otp_code": otp_code(p.police)},
        format="json",
    )
    assert good.status_code == 200


def test_token_issued_without_a_code_does_not_open_the_api(api, world):
    """A token made some other way (or before the second factor was required) is refused: 401."""
    token = Token.objects.create(user=world.personas.police)
    api.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
    assert api.get("/api/cases/").status_code == 401
    assert api.get("/api/me/").status_code == 401


def test_analyst_token_needs_the_code_too(api, world):
    """Issue 21: every role needs the second factor, the analyst too; without an authenticator set up
    (on the code page) there is no token, and with one the code is asked for."""
    from django_otp.plugins.otp_totp.models import TOTPDevice

    analyst = world.personas.analyst
    response = api.post("/api/auth/token/", {"username": "analyst", "password": PASSWORD}, format="json")
    assert response.status_code == 400 and not Token.objects.exists()
    response = api.post(
        "/api/auth/token/",
        {"username": "analyst", "password": PASSWORD, "otp_code": otp_code(analyst)},
        format="json",
    )
    assert response.status_code == 200
    api.credentials(HTTP_AUTHORIZATION=f"Token {response.json()['token']}")
    assert api.get("/api/me/").status_code == 200
    assert api.get("/api/cases/").json()["results"] == []
    TOTPDevice.objects.filter(user=analyst).delete()
    api.credentials()
    response = api.post("/api/auth/token/", {"username": "analyst", "password": PASSWORD}, format="json")
    assert response.status_code == 400


def test_token_expires_after_twelve_hours(api, world):
    import datetime as dt

    response = api.post(
        "/api/auth/token/",
        {"username": "police", "password": PASSWORD, "otp_code": otp_code(world.personas.police)},
        format="json",
    )
    key = response.json()["token"]
    Token.objects.filter(key=key).update(
        created=Token.objects.get(key=key).created - dt.timedelta(hours=12, minutes=1)
    )
    api.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    assert api.get("/api/me/").status_code == 401


def test_repeated_failures_lock_the_token_endpoint_without_naming_the_account(api, world, settings):
    settings.AXES_FAILURE_LIMIT = 5
    codes = [
        api.post("/api/auth/token/", {"username": "police", "password": "wrong"}, format="json").status_code
        for _ in range(5)
    ]
    assert codes == [400, 400, 400, 400, 429]  # the fifth failure locks
    locked = api.post(
        "/api/auth/token/",
        {"username": "police", "password": PASSWORD, "otp_code": otp_code(world.personas.police)},
        format="json",
    )
    assert locked.status_code == 429
    assert "token" not in locked.json() and "police" not in locked.content.decode()
    assert locked.json()["code"] == "locked_out"
    assert not Token.objects.exists()


def test_unverified_session_gets_403_from_the_api(world, client):
    assert password_login(client, "police")  # password only, no code
    response = client.get("/api/cases/")
    assert response.status_code == 403 and response.json()["code"] == "second_factor_required"
    assert client.get(f"/api/cases/{world.cases.police_adult.pk}/").status_code == 403
