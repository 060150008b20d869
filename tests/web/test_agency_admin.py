import re

import pytest
from django.contrib.sessions.models import Session
from django.test import Client
from django.urls import reverse
from rest_framework.authtoken.models import Token

from tests.conftest import mark_session_verified, password_login
from varde.accounts.models import Agency, Membership, Role, User
from varde.audit.models import AuditEvent


@pytest.mark.parametrize("name", ["outsider", "analyst", "police", "coordinator", "auditor"])
def test_non_administrators_get_404(login, world, name):
    client = login(getattr(world.personas, name))
    police = world.agencies.police
    membership = world.personas.police.memberships.get()
    assert client.get(reverse("agency-admin")).status_code == 404
    assert client.get(reverse("agency-admin-detail", args=[police.pk])).status_code == 404
    assert (
        client.post(
            reverse("agency-admin-add-member", args=[police.pk]),
            {"new-username": "x", "new-full_name": "X", "new-role": "caseworker"},
        ).status_code
        == 404
    )
    assert (
        client.post(reverse("agency-admin-deactivate", args=[membership.pk]), {"version": 1}).status_code
        == 404
    )
    assert not User.objects.filter(username="x").exists()
    membership.refresh_from_db()
    assert membership.is_active


def test_agency_admin_sees_only_own_agency(login, world):
    client = login(world.personas.agency_admin)
    body = client.get(reverse("agency-admin")).content.decode()
    assert world.agencies.police.name in body and "ROSA" not in body
    assert 'name="code"' not in body  # no agency creation
    page = client.get(reverse("agency-admin-detail", args=[world.agencies.police.pk]))
    assert page.status_code == 200 and "police" in page.content.decode()
    assert client.get(reverse("agency-admin-detail", args=[world.agencies.ngo.pk])).status_code == 404
    rosa_membership = world.personas.ngo.memberships.get()
    assert (
        client.post(
            reverse("agency-admin-deactivate", args=[rosa_membership.pk]),
            {"version": rosa_membership.version},
        ).status_code
        == 404
    )


def test_add_user_shows_the_temporary_password_once_and_it_works(login, world):
    client = login(world.personas.agency_admin)
    police = world.agencies.police
    response = client.post(
        reverse("agency-admin-add-member", args=[police.pk]),
        {
            "new-username": "newcop",
            "new-full_name": "New Cop",
            "new-email": "",
            "new-role": "caseworker",
        },
    )
    assert response.status_code == 200
    password = re.search(r'<code class="varde-secret">([^<]+)</code>', response.content.decode()).group(1)
    user = User.objects.get(username="newcop")
    assert user.check_password(password)
    assert Membership.objects.get(user=user).agency == police
    event = AuditEvent.objects.filter(action="create").latest("seq")
    assert event.object_type == "accounts.membership" and password not in str(event.detail)
    assert password not in client.get(reverse("agency-admin-detail", args=[police.pk])).content.decode()
    fresh = Client()
    assert password_login(fresh, "newcop", password)


def test_agency_admin_cannot_grant_system_admin(login, world):
    client = login(world.personas.agency_admin)
    response = client.post(
        reverse("agency-admin-add-member", args=[world.agencies.police.pk]),
        {
            "new-username": "evil",
            "new-full_name": "Evil",
            "new-role": "system_admin",
        },
    )
    assert response.status_code == 200 and 'href="#id_new-role"' in response.content.decode()
    assert not User.objects.filter(username="evil").exists()


def test_change_role_and_conflict(login, world):
    client = login(world.personas.agency_admin)
    membership = world.personas.police.memberships.get()
    prefix = f"m-{membership.pk}"
    response = client.post(
        reverse("agency-admin-change-role", args=[membership.pk]),
        {f"{prefix}-role": "agency_admin", f"{prefix}-version": membership.version},
    )
    assert response.status_code == 302
    membership.refresh_from_db()
    assert membership.role == Role.AGENCY_ADMIN
    stale = client.post(
        reverse("agency-admin-change-role", args=[membership.pk]),
        {f"{prefix}-role": "caseworker", f"{prefix}-version": membership.version - 1},
    )
    assert stale.status_code == 409
    membership.refresh_from_db()
    assert membership.role == Role.AGENCY_ADMIN


def test_deactivating_the_last_membership_ends_access_at_once(login, world):
    police_user = world.personas.police
    victim_client = Client()
    assert password_login(victim_client, "police")
    mark_session_verified(victim_client, police_user)
    token = Token.objects.create(user=police_user)
    assert victim_client.get(world.cases.police_adult.get_absolute_url()).status_code == 200

    admin = login(world.personas.agency_admin)
    membership = police_user.memberships.get()
    response = admin.post(
        reverse("agency-admin-deactivate", args=[membership.pk]), {"version": membership.version}
    )
    assert response.status_code == 302
    membership.refresh_from_db()
    police_user.refresh_from_db()
    assert not membership.is_active and not police_user.is_active
    assert not any(s.get_decoded().get("_auth_user_id") == str(police_user.pk) for s in Session.objects.all())
    assert not Token.objects.filter(pk=token.pk).exists()  # API tokens end with the sessions
    after = victim_client.get(world.cases.police_adult.get_absolute_url())
    assert after.status_code == 302 and after["Location"].startswith(reverse("login"))
    event = AuditEvent.objects.latest("seq")
    assert event.detail["user_deactivated"] is True and event.detail["sessions_ended"] == 1


def test_admin_cannot_deactivate_self(login, world):
    admin = world.personas.agency_admin
    membership = admin.memberships.get()
    response = login(admin).post(
        reverse("agency-admin-deactivate", args=[membership.pk]), {"version": membership.version}
    )
    assert response.status_code == 403
    membership.refresh_from_db()
    assert membership.is_active


def test_system_admin_sees_all_agencies_and_creates_one(login, world):
    client = login(world.personas.sysadmin)
    body = client.get(reverse("agency-admin")).content.decode()
    for agency in Agency.objects.all():
        assert agency.name in body
    response = client.post(
        reverse("agency-admin"),
        {"name": "Lauras Hus", "code": "lauras-hus", "kind": "shelter", "municipality": "0301"},
    )
    agency = Agency.objects.get(code="lauras-hus")
    assert response.status_code == 302 and response["Location"] == reverse(
        "agency-admin-detail", args=[agency.pk]
    )
    assert AuditEvent.objects.filter(action="create", object_id=str(agency.pk)).exists()
    again = client.post(reverse("agency-admin"), {"name": "Dup", "code": "lauras-hus", "kind": "shelter"})
    assert again.status_code == 200 and Agency.objects.filter(code="lauras-hus").count() == 1
    # agency admins cannot create agencies
    assert (
        login(world.personas.agency_admin)
        .post(reverse("agency-admin"), {"name": "X", "code": "x-agency", "kind": "ngo"})
        .status_code
        == 404
    )
    assert not Agency.objects.filter(code="x-agency").exists()
