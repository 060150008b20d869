from django.urls import reverse

from tests.conftest import PASSWORD, login_verified, otp_code
from varde.audit.models import AuditEvent


def test_sign_in_page_renders_and_anonymous_is_sent_there(client, db):
    response = client.get(reverse("dashboard"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))
    page = client.get(reverse("login"))
    assert page.status_code == 200
    assert b'name="username"' in page.content and b'autocomplete="current-password"' in page.content


def test_successful_sign_in_is_audited(client, personas):
    response = client.post(reverse("login"), {"username": "police", "password": PASSWORD})
    # The password alone leads to the code step, never to the dashboard.
    assert response.status_code == 302 and response["Location"].startswith(reverse("login-otp"))
    event = AuditEvent.objects.latest("seq")
    assert (event.action, event.actor_username, event.object_id) == (
        "login",
        "police",
        str(personas.police.pk),
    )
    assert client.get(reverse("dashboard")).status_code == 302
    response = client.post(response["Location"], {"otp_code": otp_code(personas.police)})
    assert response.status_code == 302 and response["Location"] == reverse("dashboard")
    event = AuditEvent.objects.latest("seq")
    assert (event.action, event.actor_username, event.detail["step"]) == ("login", "police", "otp")
    assert client.get(reverse("dashboard")).status_code == 200


def test_failed_sign_in_is_audited_without_the_attempted_text(client, personas):
    before = AuditEvent.objects.count()
    response = client.post(reverse("login"), {"username": "police", "password": "wrong"})
    assert response.status_code == 200
    assert b"ds-error-summary" in response.content
    event = AuditEvent.objects.latest("seq")
    assert (event.action, event.actor_username, event.detail) == (
        "login_failed",
        "police",
        {"known_user": True},
    )

    client.post(reverse("login"), {"username": "my-secret-password", "password": "x"})
    event = AuditEvent.objects.latest("seq")
    assert event.action == "login_failed" and event.actor_username == "" and event.actor_id is None
    assert "my-secret-password" not in str(event.detail) and event.object_id == ""
    assert AuditEvent.objects.count() == before + 2
    assert "_auth_user_id" not in client.session


def test_inactive_user_cannot_sign_in(client, personas):
    personas.police.is_active = False
    personas.police.save()
    client.post(reverse("login"), {"username": "police", "password": PASSWORD})
    assert "_auth_user_id" not in client.session
    assert AuditEvent.objects.latest("seq").action == "login_failed"


def test_sign_out_is_post_only_and_audited(client, personas):
    login_verified(client, personas.police)
    assert client.get(reverse("logout")).status_code == 405
    assert "_auth_user_id" in client.session
    response = client.post(reverse("logout"))
    assert response.status_code == 302
    assert "_auth_user_id" not in client.session
    assert AuditEvent.objects.latest("seq").action == "logout"
