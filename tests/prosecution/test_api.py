"""The criminal-case API: the same rules as the pages (details for the police taking part, none for KOM,
the victim's caseworker sees the stage and trial only, 404 for everyone else), the stage rule's refusal
as a 400 naming the field, a stale version as 409, and the figures."""

from __future__ import annotations

import pytest
from rest_framework.test import APIClient

from tests.conftest import verified

pytestmark = pytest.mark.django_db

SUSPECT = "Ulrika Brennholt"


def _api(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user=verified(user))
    return client


def test_open_link_charge_and_who_sees_what(personas, cases):
    police = _api(personas.police)
    opened = police.post(
        "/api/criminal-cases/",
        {
            "police_district": "oslo",
            "offence": "trafficking",
            "facts_date": "2024-02-01",
            "opened_on": "2024-03-01",
        },
        format="json",
    )
    assert opened.status_code == 201, opened.content
    body = opened.json()
    assert body["offence_section"] == "straffeloven 2005 § 257" and body["details"] is True
    url = f"/api/criminal-cases/{body['id']}/"
    linked = police.post(
        url + "victims/", {"case": str(cases.police_adult.pk), "role": "aggrieved_party"}, format="json"
    )
    assert linked.status_code == 201, linked.content
    assert (
        police.post(url + "perpetrators/", {"name": SUSPECT, "role": "leader"}, format="json").status_code
        == 201
    )
    bad = police.post(
        url + "stages/",
        {"stage": "verdict", "on": "2024-04-01", "version": 1, "court": "X", "outcome": "acquitted"},
        format="json",
    )
    assert bad.status_code == 400 and "before a charge" in bad.json()["stage"][0]
    charged = police.post(
        url + "stages/", {"stage": "charged", "on": "2024-04-01", "version": 1}, format="json"
    )
    assert charged.status_code == 200 and charged.json()["stage"] == "charged"
    stale = police.post(
        url + "stages/", {"stage": "trial", "on": "2024-05-01", "version": 1, "court": "X"}, format="json"
    )
    assert stale.status_code == 409
    negative = police.post(url + "facts/", {"version": 2, "confiscated_nok": -5}, format="json")
    assert negative.status_code == 400 and "confiscated_nok" in negative.json()

    coordinator = _api(personas.coordinator)
    seen = coordinator.get(url)
    assert (
        seen.status_code == 200 and seen.json()["details"] is False and SUSPECT not in seen.content.decode()
    )
    assert (
        seen.json()["counts"]["perpetrators"] == 1
        and seen.json()["victim_links"][0]["role"] == "aggrieved_party"
    )
    assert (
        coordinator.post(
            url + "stages/", {"stage": "dropped", "on": "2024-05-01", "version": 2}, format="json"
        ).status_code
        == 403
    )

    ngo = _api(personas.ngo)
    assert ngo.get(url).status_code == 404
    proceedings = ngo.get(f"/api/cases/{cases.police_adult.pk}/criminal-proceedings/")
    assert proceedings.status_code == 200 and SUSPECT not in proceedings.content.decode()
    assert proceedings.json()[0]["stage"] == "charged"

    outsider = _api(personas.outsider)
    assert outsider.get(url).status_code == 404
    assert outsider.get("/api/criminal-cases/").status_code == 404
    assert outsider.get(f"/api/cases/{cases.police_adult.pk}/criminal-proceedings/").status_code == 404


def test_figures_endpoint(personas):
    assert _api(personas.coordinator).get("/api/statistics/prosecution/2020-2024/").json()["from"] == 2020
    analyst = _api(personas.analyst).get("/api/statistics/prosecution/2020-2024/").json()
    assert analyst["published"] is True
    assert _api(personas.police).get("/api/statistics/prosecution/2020-2024/").status_code == 404
    assert _api(personas.coordinator).get("/api/statistics/prosecution/2024-2020/").status_code == 404
    assert _api(personas.coordinator).get("/api/statistics/prosecution/last-year/").status_code == 404
