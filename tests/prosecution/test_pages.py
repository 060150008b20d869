"""Every form of a criminal case's page goes one way (web/views/prosecution.py `_post`, over
views.base.save): a good post saves through its service and goes back to its section with a message;
a refusal comes back on the form (200), nothing saved; a stale version answers 409 with the user's
input kept against the case as it is now; a coordinator (no details) gets 403, an outsider 404."""

from __future__ import annotations

import pytest
from django.urls import reverse

from tests.conftest import login_verified
from tests.prosecution.conftest import advance, open_case
from varde.prosecution import services
from varde.prosecution.models import Cooperation, CriminalCaseParticipant, Network, Perpetrator, VictimLink


@pytest.fixture
def page(client, personas):
    login_verified(client, personas.police)
    return client


def _post(client, name: str, criminal_case, data: dict[str, str]):
    return client.post(reverse(f"criminal-case-{name}", args=[criminal_case.pk]), data)


def test_each_form_saves_through_its_service_and_goes_back_to_its_section(page, personas, cases, others):
    cc = open_case(personas.police)
    v = str(cc.version)
    steps = [
        ("facts", {"facts-confiscated_nok": "1000", "facts-notes": "Tip from Europol", "facts-version": v}),
        ("stage", {"stage-stage": "charged", "stage-on": "2025-05-01", "stage-version": str(cc.version + 1)}),
        ("trial", {"trial-trial_on": "2025-09-01", "trial-court": "Oslo tingrett", "trial-version": "3"}),
        ("victim", {"victim-case": str(cases.police_adult.pk), "victim-role": "aggrieved_party"}),
        ("network", {"network-name": "The Harbour network", "network-countries": "RO, BG"}),
        ("perpetrator", {"perpetrator-name": "Kvorn Albescu", "perpetrator-role": "recruiter"}),
        ("cooperation", {"cooperation-kind": "europol", "cooperation-started_on": "2025-04-02"}),
        (
            "participant",
            {"participant-agency": str(others.prosecution.pk), "participant-role": "prosecuting"},
        ),
    ]
    anchors = {
        "facts": "facts-heading",
        "stage": "stages-heading",
        "trial": "stages-heading",
        "victim": "victims-heading",
        "network": "networks-heading",
        "perpetrator": "perpetrators-heading",
        "cooperation": "cooperation-heading",
        "participant": "participants-heading",
    }
    for name, data in steps:
        response = _post(page, name, cc, data)
        assert response.status_code == 302, (name, response.content.decode()[:2000])
        assert response["Location"].endswith(f"/#{anchors[name]}"), name
    cc.refresh_from_db()
    assert (cc.confiscated_nok, cc.notes, cc.stage, str(cc.trial_on), cc.trial_court) == (
        1000,
        "Tip from Europol",
        "charged",
        "2025-09-01",
        "Oslo tingrett",
    )
    assert VictimLink.objects.get(criminal_case=cc).case_id == cases.police_adult.pk
    assert Network.objects.get(case_links__criminal_case=cc).countries == ["RO", "BG"]
    assert Perpetrator.objects.get(case_links__criminal_case=cc).name == "Kvorn Albescu"
    assert Cooperation.objects.get(criminal_case=cc).kind == "europol"
    assert CriminalCaseParticipant.objects.filter(criminal_case=cc, agency=others.prosecution).exists()
    messages = page.get(reverse("criminal-case-detail", args=[cc.pk])).content.decode()
    assert "The agency takes part in the criminal case." in messages


def test_a_refusal_comes_back_on_the_form_and_saves_nothing(page, personas):
    cc = open_case(personas.police)
    response = _post(page, "facts", cc, {"facts-confiscated_nok": "-5", "facts-version": str(cc.version)})
    assert response.status_code == 200
    assert "Confiscated proceeds cannot be negative." in response.content.decode()
    response = _post(
        page,
        "cooperation",
        cc,
        {"cooperation-kind": "foreign_police", "cooperation-started_on": "2025-04-02"},
    )
    assert (
        response.status_code == 200 and "Name the country of the foreign police." in response.content.decode()
    )
    cc.refresh_from_db()
    assert cc.confiscated_nok == 0 and cc.version == 1 and not Cooperation.objects.exists()


@pytest.mark.parametrize(
    ("name", "data", "mine"),
    [
        ("facts", {"facts-confiscated_nok": "777", "facts-notes": "Mine, kept"}, "Mine, kept"),
        ("trial", {"trial-trial_on": "2025-09-01", "trial-court": "Borgarting lagmannsrett"}, "Borgarting"),
    ],
)
def test_a_stale_version_answers_409_with_the_input_kept(page, personas, name, data, mine):
    cc = open_case(personas.police)
    stale = cc.version
    if name == "trial":
        cc = advance(personas.police, cc, ("charged", cc.stage_on, {}))
        stale = cc.version
    # Someone else saves meanwhile.
    services.criminal_case_update(
        actor=personas.police,
        criminal_case=cc,
        version=cc.version,
        police_case_number="",
        exploitation_form="sexual",
        confiscated_nok=5,
        notes="Theirs",
    )
    response = _post(page, name, cc, {**data, f"{name}-version": str(stale)})
    assert response.status_code == 409
    body = response.content.decode()
    assert mine in body
    assert f'name="{name}-version" value="{stale + 1}"' in body  # against the version saved meanwhile
    cc.refresh_from_db()
    assert cc.notes == "Theirs" and cc.trial_court == ""


def test_a_coordinator_gets_403_and_an_outsider_404_on_every_form(client, personas):
    cc = open_case(personas.police)
    for user, status in ((personas.coordinator, 403), (personas.outsider, 404)):
        login_verified(client, user)
        for name in (
            "stage",
            "trial",
            "facts",
            "victim",
            "perpetrator",
            "network",
            "cooperation",
            "participant",
        ):
            assert _post(client, name, cc, {}).status_code == status, (user.username, name)
