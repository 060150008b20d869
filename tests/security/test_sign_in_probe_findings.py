"""Issue 21, the sign-in findings of the outside probe, each reproduced as the attack it was:

1. lockout never bit: one right password from an address cleared every failure from that address;
2. the analyst and the auditor reached pages without the one-time code;
5. the one-time-code page showed the menu, the notification count and the user's name before the
   code was given, and a throttled code was called "wrong or expired".
"""

from __future__ import annotations

import datetime as dt

import pytest
from axes.models import AccessAttempt
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice

from tests.conftest import PASSWORD, otp_code
from varde.accounts import second_factor as sf

ATTACKER = "10.66.0.1"


def _sign_in(client: Client, username: str, password: str) -> int:
    return client.post(reverse("login"), {"username": username, "password": password}).status_code


# --- 1. lockout ------------------------------------------------------------------------------------


def test_a_right_password_for_one_account_does_not_clear_another_accounts_failures(world, settings):
    """The probe's attack: 4 wrong passwords for the police investigator, then the outsider's right
    password from the same address, three times over. 12 guesses against police; the failure table
    was empty after each round. Now the 5th guess locks the police account, from anywhere."""
    settings.AXES_FAILURE_LIMIT = 5
    answers: list[int] = []
    for _ in range(3):
        for _ in range(4):
            answers.append(_sign_in(Client(REMOTE_ADDR=ATTACKER), "police", "wrong"))
        _sign_in(Client(REMOTE_ADDR=ATTACKER), "outsider", PASSWORD)
    assert 429 in answers[:5], "the fifth wrong password must lock"
    assert answers.count(200) == 4, "only four guesses are answered before the lock"
    # The police account is locked for its own (right) password from another address too.
    assert _sign_in(Client(REMOTE_ADDR="10.1.1.1"), "police", PASSWORD) == 429
    assert AccessAttempt.objects.filter(username="police").exists()


def test_a_right_password_clears_only_that_accounts_failures_from_that_address(world, settings):
    settings.AXES_FAILURE_LIMIT = 5
    for _ in range(2):
        _sign_in(Client(REMOTE_ADDR=ATTACKER), "police", "wrong")
    _sign_in(Client(REMOTE_ADDR=ATTACKER), "outsider", "wrong")
    _sign_in(Client(REMOTE_ADDR="10.2.2.2"), "outsider", "wrong")
    assert _sign_in(Client(REMOTE_ADDR=ATTACKER), "outsider", PASSWORD) == 302
    left = set(AccessAttempt.objects.values_list("username", "ip_address"))
    assert left == {("police", ATTACKER), ("outsider", "10.2.2.2")}


def test_the_owners_right_password_still_resets_their_own_count(world, settings):
    """The everyday case keeps working: a mistyped password, then the right one, starts afresh."""
    settings.AXES_FAILURE_LIMIT = 5
    client = Client(REMOTE_ADDR="10.3.3.3")
    for _ in range(4):
        assert _sign_in(client, "police", "wrong") == 200
    assert _sign_in(client, "police", PASSWORD) == 302
    assert not AccessAttempt.objects.filter(username="police").exists()


# --- 2. every enrolled factor is used; every role has one --------------------------------------------


@pytest.mark.parametrize("name", ["analyst", "auditor"])
def test_analyst_and_auditor_get_the_code_page_not_the_dashboard(world, name):
    client = Client()
    assert _sign_in(client, name, PASSWORD) == 302
    response = client.get("/")
    assert response.status_code == 302 and response["Location"].startswith(reverse("login-otp"))
    assert client.get("/api/me/").status_code == 403
    code = client.post(reverse("login-otp"), {"otp_code": otp_code(getattr(world.personas, name))})
    assert code.status_code == 302
    assert client.get("/").status_code == 200


@pytest.mark.parametrize("name", ["analyst", "auditor"])
def test_analyst_and_auditor_need_a_factor(world, name):
    assert sf.second_factor_required(getattr(world.personas, name))


def test_an_enrolled_factor_is_required_even_without_a_role(world):
    """A user with no active role but a confirmed authenticator must still use it."""
    analyst = world.personas.analyst
    analyst.memberships.update(is_active=False)
    analyst = type(analyst).objects.get(pk=analyst.pk)
    assert sf.second_factor_required(analyst)
    TOTPDevice.objects.filter(user=analyst).delete()
    assert not sf.second_factor_required(type(analyst).objects.get(pk=analyst.pk))


def test_an_analyst_token_without_a_code_is_refused(world, api):
    response = api.post(
        "/api/auth/token/", {"username": "analyst", "password": PASSWORD, "otp_code": ""}, format="json"
    )
    assert response.status_code == 400


# --- 5. the code page: a minimal frame, and a throttled code says to wait ------------------------------


def test_the_code_page_shows_no_menu_count_or_name_before_the_code(world):
    police = world.personas.police
    police.full_name = "Ingrid Politi-Etterforsker"
    police.save(update_fields=["full_name"])
    client = Client()
    assert _sign_in(client, "police", PASSWORD) == 302
    page = client.get(reverse("login-otp"))
    assert page.status_code == 200
    body = page.content.decode()
    assert 'class="varde-nav"' not in body
    assert 'data-testid="inbox-count"' not in body
    assert "Ingrid" not in body and "varde-user" not in body
    for route in ("report", "notifications", "directory", "exports"):
        assert f'href="{reverse(route)}"' not in body, route
    # What the frame keeps: the language choice and signing out.
    assert f'action="{reverse("logout")}"' in body
    assert f'action="{reverse("set_language")}"' in body


def test_a_throttled_code_says_to_wait_not_wrong(world):
    police = world.personas.police
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    assert _sign_in(client, "police", PASSWORD) == 302
    assert client.post(reverse("login-otp"), {"otp_code": "000000"}).status_code == 200
    # Six wrong codes in a row: django-otp checks no code for the next 32 seconds.
    TOTPDevice.objects.filter(user=police).update(
        throttling_failure_count=6, throttling_failure_timestamp=timezone.now()
    )
    # The next code, even the right one, is not checked until the wait is over.
    response = client.post(reverse("login-otp"), {"otp_code": _current_code(police)})
    body = response.content.decode()
    assert response.status_code == 200
    assert "wait" in body.lower() and "not right" not in body
    assert client.get("/").status_code == 302
    # After the wait the right code passes.
    TOTPDevice.objects.filter(user=police).update(
        throttling_failure_timestamp=timezone.now() - dt.timedelta(minutes=5)
    )
    assert client.post(reverse("login-otp"), {"otp_code": _current_code(police)}).status_code == 302


def _current_code(user) -> str:
    """The current code without clearing the throttle (unlike tests.conftest.otp_code)."""
    from django_otp.oath import totp

    device = TOTPDevice.objects.get(user=user, confirmed=True)
    TOTPDevice.objects.filter(pk=device.pk).update(last_t=-1)
    return f"{totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits):06d}"
