import pytest
from django.urls import reverse

from varde.cases.models import CaseParticipation, ParticipationState
from varde.cases.services import case_invite_agency


@pytest.fixture
def invitation(world):
    p, c, a = world.personas, world.cases, world.agencies
    return case_invite_agency(actor=p.police, case=c.police_child, agency=a.childwelfare)


@pytest.mark.parametrize("name", ["outsider", "analyst", "police", "ngo", "coordinator"])
def test_only_the_invited_agency_can_answer(login, world, invitation, name):
    client = login(getattr(world.personas, name))
    assert client.post(reverse("invitation-accept", args=[invitation.pk])).status_code == 404
    assert client.post(reverse("invitation-decline", args=[invitation.pk])).status_code == 404
    invitation.refresh_from_db()
    assert invitation.state == ParticipationState.INVITED


def test_accept_opens_the_case(login, world, invitation):
    client = login(world.personas.childwelfare)
    assert client.get(reverse("invitation-accept", args=[invitation.pk])).status_code == 405
    response = client.post(reverse("invitation-accept", args=[invitation.pk]))
    assert response.status_code == 302 and response["Location"] == world.cases.police_child.get_absolute_url()
    invitation.refresh_from_db()
    assert (
        invitation.state == ParticipationState.ACTIVE
        and invitation.responded_by == world.personas.childwelfare
    )
    assert client.get(response["Location"]).status_code == 200
    # answered: the invitation is gone
    assert client.post(reverse("invitation-decline", args=[invitation.pk])).status_code == 404


def test_decline_keeps_the_case_closed(login, world, invitation):
    client = login(world.personas.childwelfare)
    response = client.post(reverse("invitation-decline", args=[invitation.pk]))
    assert response.status_code == 302 and response["Location"] == reverse("dashboard")
    assert CaseParticipation.objects.get(pk=invitation.pk).state == ParticipationState.DECLINED
    assert client.get(world.cases.police_child.get_absolute_url()).status_code == 404
