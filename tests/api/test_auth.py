"""Token and session authentication."""

from __future__ import annotations

from rest_framework.authtoken.models import Token

from tests.conftest import PASSWORD
from varde.audit.models import AuditEvent


def test_token_obtained_with_password_opens_the_api(api, world):
    response = api.post("/api/auth/token/", {"username": "police", "password": PASSWORD}, format="json")
    assert response.status_code == 200, response.content
    key = response.json()["token"]
    assert Token.objects.get(user=world.personas.police).key == key
    assert AuditEvent.objects.latest("seq").action == "login"
    api.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    me = api.get("/api/me/")
    assert me.status_code == 200 and me.json()["username"] == "police"
    cases = api.get("/api/cases/").json()["results"]
    assert {row["reference"] for row in cases} == {world.cases.police_adult.reference,
                                                   world.cases.police_child.reference}


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
    response = api.post("/api/auth/token/", {"username": "police", "password": PASSWORD}, format="json")
    assert response.status_code == 400


def test_token_request_validates_input(api, world):
    assert api.post("/api/auth/token/", {"username": "police"}, format="json").status_code == 400
    assert api.post("/api/auth/token/", {"username": "p" * 151, "password": "x"}, format="json").status_code == 400
    assert api.post("/api/auth/token/", b"{oops", content_type="application/json").status_code == 400


def test_token_endpoint_is_throttled(api, world):
    codes = [api.post("/api/auth/token/", {"username": "police", "password": "wrong"}, format="json").status_code
             for _ in range(25)]
    assert codes[:20] == [400] * 20
    assert codes[-1] == 429


def test_bad_token_is_401(api, world):
    api.credentials(HTTP_AUTHORIZATION="Token not-a-real-token")
    assert api.get("/api/me/").status_code == 401


def test_session_auth_works(world, client):
    assert client.login(username="ngo", password=PASSWORD)
    response = client.get("/api/cases/")
    assert response.status_code == 200
    assert world.cases.police_adult.reference in {row["reference"] for row in response.json()["results"]}


def test_session_auth_enforces_csrf_on_writes(world):
    from django.test import Client

    csrf_client = Client(enforce_csrf_checks=True)
    assert csrf_client.login(username="police", password=PASSWORD)
    response = csrf_client.post(f"/api/cases/{world.cases.police_adult.pk}/notes/", {"text": "x"},
                                content_type="application/json")
    assert response.status_code == 403
