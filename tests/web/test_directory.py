"""The 24-hour directory (issue 4): agency admins keep their agency's contact; case workers read it."""

import pytest
from django.urls import reverse

from tests.conftest import login_verified
from varde.audit.models import AuditEvent
from varde.response.models import AgencyContact


def _contact_data(**overrides):
    data = {
        "contact-on_call_phone": "+47 22 00 00 00",
        "contact-email": "vakt@politiet.example",
        "contact-hours": "24/7",
        "contact-always_open": "on",
        "contact-version": "",
    }
    data.update(overrides)
    return data


def test_admin_sets_the_contact_and_it_shows_in_the_directory(client, world):
    police = world.agencies.police
    login_verified(client, world.personas.agency_admin)
    response = client.post(reverse("agency-admin-contact", args=[police.pk]), _contact_data())
    assert response.status_code == 302
    contact = AgencyContact.objects.get(agency=police)
    assert contact.on_call_phone == "+47 22 00 00 00" and contact.email == "vakt@politiet.example"
    assert contact.always_open and contact.updated_by == world.personas.agency_admin
    event = AuditEvent.objects.filter(action="update").latest("seq")
    assert event.object_type == "response.agencycontact"
    page = client.get(reverse("agency-admin-detail", args=[police.pk])).content.decode()
    assert 'value="vakt@politiet.example"' in page

    login_verified(client, world.personas.police)
    body = client.get(reverse("directory")).content.decode()
    assert police.name in body and "+47 22 00 00 00" in body and "vakt@politiet.example" in body


def test_admin_can_update_an_existing_contact(client, world):
    police = world.agencies.police
    login_verified(client, world.personas.agency_admin)
    client.post(reverse("agency-admin-contact", args=[police.pk]), _contact_data())
    contact = AgencyContact.objects.get(agency=police)
    response = client.post(
        reverse("agency-admin-contact", args=[police.pk]),
        _contact_data(**{"contact-hours": "08-16", "contact-version": str(contact.version)}),
    )
    assert response.status_code == 302
    assert AgencyContact.objects.get(agency=police).hours == "08-16"


def test_invalid_email_saves_nothing(client, world):
    police = world.agencies.police
    login_verified(client, world.personas.agency_admin)
    response = client.post(
        reverse("agency-admin-contact", args=[police.pk]), _contact_data(**{"contact-email": "not-an-email"})
    )
    assert response.status_code == 400
    assert 'href="#id_contact-email"' in response.content.decode()
    assert not AgencyContact.objects.filter(agency=police).exists()


@pytest.mark.parametrize("name", ["police", "outsider", "coordinator"])
def test_case_workers_see_the_directory(client, world, name):
    login_verified(client, getattr(world.personas, name))
    response = client.get(reverse("directory"))
    assert response.status_code == 200
    body = response.content.decode()
    assert world.agencies.police.name in body and world.agencies.ngo.name in body


@pytest.mark.parametrize("name", ["analyst", "auditor", "agency_admin"])
def test_others_get_404(client, world, name):
    login_verified(client, getattr(world.personas, name))
    assert client.get(reverse("directory")).status_code == 404


def test_anonymous_is_sent_to_sign_in(client, world):
    assert client.get(reverse("directory")).status_code == 302


def test_caseworker_cannot_post_the_admin_form(client, world):
    police = world.agencies.police
    login_verified(client, world.personas.police)
    response = client.post(reverse("agency-admin-contact", args=[police.pk]), _contact_data())
    assert response.status_code == 404
    assert not AgencyContact.objects.filter(agency=police).exists()
