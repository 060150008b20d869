import pytest
from django.urls import reverse

from varde.audit.models import AuditEvent


def url(case):
    return reverse("person-detail", args=[case.person_id])


@pytest.mark.parametrize("name", ["outsider", "analyst", "auditor", "agency_admin", "sysadmin"])
def test_users_without_a_case_of_the_person_get_404(login, world, name):
    response = login(getattr(world.personas, name)).get(url(world.cases.police_adult))
    assert response.status_code == 404 and "Blessing" not in response.content.decode()


def test_caseworker_sees_the_person_and_only_visible_cases(login, world):
    c = world.cases
    response = login(world.personas.ngo).get(url(c.police_adult))  # shared with ROSA
    body = response.content.decode()
    assert response.status_code == 200
    assert "Blessing Okafor" in body and "A1234567" in body and "+47 912 34 567" in body
    assert c.police_adult.reference in body
    assert f"<title>Person i sak {c.police_adult.reference} – Varde</title>" in body
    assert "Okafor" not in body.split("<title>")[1].split("</title>")[0]
    event = AuditEvent.objects.latest("seq")
    assert (event.action, event.object_id) == ("view", str(c.police_adult.person_id))
    assert login(world.personas.ngo).get(url(c.police_child)).status_code == 404


def test_child_person_shows_estimated_age_and_child_flag(login, world):
    body = login(world.personas.police).get(url(world.cases.police_child)).content.decode()
    assert "Omtrent 15 år, anslått (sikkerhet: middels)" in body
    assert 'data-color="warning">Barn<' in body
