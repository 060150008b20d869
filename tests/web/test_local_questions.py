"""Local indicator questions on the agency administration page: an agency's administrator adds and
retires its own questions; they appear in its caseworkers' assessment forms. Anyone else gets 404."""

from __future__ import annotations

import pytest
from django.urls import reverse

from tests.conftest import login_verified
from tests.factories import make_user
from varde.accounts.models import Role
from varde.audit.models import AuditAction, AuditEvent
from varde.identification.models import LocalQuestion
from varde.identification.services import catalogues_load, local_question_add

CATALOGUE = "ilo_adult_labour"
ELEMENT = "deceptive_recruitment"
TEXT_NB = "Har personen fått beskjed om å lyve for politiet?"
TEXT_EN = "Was the person told to lie to the police?"


@pytest.fixture(autouse=True)
def _catalogues(db):
    catalogues_load()


def add_url(agency):
    return reverse("agency-admin-local-question-add", args=[agency.pk])


def retire_url(question):
    return reverse("agency-admin-local-question-retire", kwargs={"question_id": question.pk})


def valid_data(**over):
    data = {
        "lq-catalogue_id": CATALOGUE,
        "lq-element_id": ELEMENT,
        "lq-text_nb": TEXT_NB,
        "lq-text_en": TEXT_EN,
        "lq-help_nb": "",
        "lq-help_en": "",
    }
    data.update(over)
    return data


def a_question(world):
    return local_question_add(
        actor=world.personas.agency_admin,
        agency=world.agencies.police,
        catalogue_id=CATALOGUE,
        element_id=ELEMENT,
        text_nb=TEXT_NB,
        text_en=TEXT_EN,
    )


def test_admin_sees_the_section_and_the_form(client, world):
    login_verified(client, world.personas.agency_admin)
    body = client.get(reverse("agency-admin-detail", args=[world.agencies.police.pk])).content.decode()
    assert 'name="lq-catalogue_id"' in body and 'name="lq-element_id"' in body
    assert f'value="{CATALOGUE}"' in body and f'value="{ELEMENT}"' in body
    assert add_url(world.agencies.police) in body


def test_admin_adds_a_question(client, world):
    police = world.agencies.police
    login_verified(client, world.personas.agency_admin)
    response = client.post(add_url(police), valid_data(**{"lq-help_en": "Ask gently."}))
    assert response.status_code == 302
    question = LocalQuestion.objects.get(agency=police)
    assert (question.catalogue_key, question.element_id) == (CATALOGUE, ELEMENT)
    assert (question.text_nb, question.text_en, question.help_en) == (TEXT_NB, TEXT_EN, "Ask gently.")
    assert question.is_active and question.created_by == world.personas.agency_admin
    assert AuditEvent.objects.filter(
        action=AuditAction.CREATE, object_id=str(question.pk), actor_id=world.personas.agency_admin.pk
    ).exists()
    body = client.get(response["Location"]).content.decode()
    assert TEXT_NB in body and TEXT_EN in body and retire_url(question) in body


def test_a_question_without_an_element_is_a_section_of_its_own(client, world):
    login_verified(client, world.personas.agency_admin)
    response = client.post(add_url(world.agencies.police), valid_data(**{"lq-element_id": ""}))
    assert response.status_code == 302
    assert LocalQuestion.objects.get().element_id == ""


@pytest.mark.parametrize(
    "over",
    [
        {"lq-text_en": ""},
        {"lq-text_nb": "   "},
        {"lq-catalogue_id": "no_such_catalogue"},
        {"lq-element_id": "not_an_element"},
        # An element of another catalogue: the service refuses it.
        {"lq-catalogue_id": "national_general"},
    ],
)
def test_invalid_input_saves_nothing_and_shows_the_errors(client, world, over):
    login_verified(client, world.personas.agency_admin)
    events = AuditEvent.objects.filter(action=AuditAction.CREATE).count()
    response = client.post(add_url(world.agencies.police), valid_data(**over))
    assert response.status_code == 400
    body = response.content.decode()
    assert 'id="local-question-errors"' in body
    assert not LocalQuestion.objects.exists()
    assert AuditEvent.objects.filter(action=AuditAction.CREATE).count() == events


def test_admin_retires_a_question(client, world):
    question = a_question(world)
    login_verified(client, world.personas.agency_admin)
    response = client.post(retire_url(question), {"version": question.version})
    assert response.status_code == 302
    question.refresh_from_db()
    assert not question.is_active
    assert AuditEvent.objects.filter(
        action=AuditAction.UPDATE, object_id=str(question.pk), actor_id=world.personas.agency_admin.pk
    ).exists()
    body = client.get(response["Location"]).content.decode()
    assert TEXT_NB in body and retire_url(question) not in body


def test_retiring_with_an_old_version_is_a_conflict(client, world):
    question = a_question(world)
    login_verified(client, world.personas.agency_admin)
    response = client.post(retire_url(question), {"version": question.version + 5})
    assert response.status_code == 409
    question.refresh_from_db()
    assert question.is_active


@pytest.mark.parametrize("name", ["outsider", "police"])
def test_non_administrators_get_404(client, world, name):
    question = a_question(world)
    login_verified(client, getattr(world.personas, name))
    assert client.post(add_url(world.agencies.police), valid_data()).status_code == 404
    assert client.post(retire_url(question), {"version": question.version}).status_code == 404
    assert LocalQuestion.objects.count() == 1
    question.refresh_from_db()
    assert question.is_active


def test_admin_of_another_agency_gets_404(client, world):
    question = a_question(world)
    ngo_admin = make_user("ngoadmin", world.agencies.ngo, Role.AGENCY_ADMIN)
    login_verified(client, ngo_admin)
    assert client.get(reverse("agency-admin-detail", args=[world.agencies.police.pk])).status_code == 404
    assert client.post(add_url(world.agencies.police), valid_data()).status_code == 404
    assert client.post(retire_url(question), {"version": question.version}).status_code == 404
    assert LocalQuestion.objects.count() == 1
    question.refresh_from_db()
    assert question.is_active


def test_the_caseworkers_assessment_form_shows_the_new_question(client, world):
    login_verified(client, world.personas.agency_admin)
    assert client.post(add_url(world.agencies.police), valid_data()).status_code == 302
    question = LocalQuestion.objects.get()
    client.logout()
    login_verified(client, world.personas.police)
    url = reverse("assessment-new", args=[world.cases.police_adult.pk, CATALOGUE])
    response = client.get(url)
    assert response.status_code == 200
    body = response.content.decode()
    assert f'value="{question.pk}"' in body
    assert TEXT_NB in body or TEXT_EN in body
