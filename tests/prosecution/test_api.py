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


def test_trial_networks_cooperation_participants_and_outcome(personas, cases, others):
    """The rest of issue 18 through the API: the trial's date (which the victim's caseworker then
    sees, never the suspects), networks new and known, cross-border cooperation, another agency taken
    in, and a person's outcome and sentence; KOM sees none of the details."""
    police = _api(personas.police)
    url = "/api/criminal-cases/{}/"
    first = police.post(
        "/api/criminal-cases/",
        {
            "police_district": "oslo",
            "offence": "trafficking",
            "facts_date": "2024-02-01",
            "opened_on": "2024-03-01",
        },
        format="json",
    ).json()
    second = police.post(
        "/api/criminal-cases/",
        {
            "police_district": "oslo",
            "offence": "pimping",
            "facts_date": "2024-02-01",
            "opened_on": "2024-03-02",
        },
        format="json",
    ).json()
    one, two = url.format(first["id"]), url.format(second["id"])
    assert (
        police.post(
            one + "victims/", {"case": str(cases.police_adult.pk), "role": "witness"}, format="json"
        ).status_code
        == 201
    )

    # A network: a name is needed unless a known one is linked; bad countries are a 400.
    assert police.post(one + "networks/", {"countries": ["RO"]}, format="json").status_code == 400
    assert (
        police.post(one + "networks/", {"name": "Harbour", "countries": ["XX"]}, format="json").status_code
        == 400
    )
    made = police.post(one + "networks/", {"name": "Harbour", "countries": ["RO", "bg"]}, format="json")
    assert made.status_code == 201, made.content
    network = made.json()["networks"][0]
    assert (network["name"], network["countries"]) == ("Harbour", ["RO", "BG"])
    linked = police.post(two + "networks/", {"network": network["id"]}, format="json")
    assert linked.status_code == 201 and linked.json()["networks"][0]["id"] == network["id"]
    assert (
        police.post(two + "networks/", {"network": network["id"]}, format="json").status_code == 400
    )  # twice
    # Someone who takes part in neither case does not know the network.
    vest = _api(others.vest_user)
    assert vest.post(two + "networks/", {"network": network["id"]}, format="json").status_code == 404

    cooperation = police.post(
        one + "cooperation/", {"kind": "jit", "started_on": "2024-03-05", "country": "RO"}, format="json"
    )
    assert cooperation.status_code == 201 and cooperation.json()["cooperation"][0]["kind"] == "jit"
    no_country = police.post(
        one + "cooperation/", {"kind": "foreign_police", "started_on": "2024-03-05"}, format="json"
    )
    assert no_country.status_code == 400 and "country" in no_country.json()

    # Taking the Vest district in: its users then see the details; an NGO is no criminal agency.
    taken = police.post(
        one + "participants/", {"agency": str(others.vest.pk), "role": "assisting"}, format="json"
    )
    assert taken.status_code == 201, taken.content
    assert {p["agency"] for p in taken.json()["participants"]} == {
        personas.police.primary_agency.name,
        "Vest politidistrikt",
    }
    assert vest.get(one).json()["details"] is True
    ngo_agency = cases.police_adult.participations.get(agency__kind="ngo").agency
    assert (
        police.post(
            one + "participants/", {"agency": str(ngo_agency.pk), "role": "assisting"}, format="json"
        ).status_code
        == 400
    )

    # Trial: only after a charge; then the victim's caseworker sees its date and court.
    assert (
        police.post(
            one + "trial/", {"trial_on": "2024-09-01", "court": "Oslo tingrett", "version": 1}, format="json"
        ).status_code
        == 400
    )
    body = police.post(
        one + "stages/", {"stage": "charged", "on": "2024-04-01", "version": 1}, format="json"
    ).json()
    trial = police.post(
        one + "trial/",
        {"trial_on": "2024-09-01", "court": "Oslo tingrett", "version": body["version"]},
        format="json",
    )
    assert trial.status_code == 200 and trial.json()["trial_on"] == "2024-09-01"
    stale = police.post(
        one + "trial/",
        {"trial_on": "2024-09-02", "court": "Oslo tingrett", "version": body["version"]},
        format="json",
    )
    assert stale.status_code == 409
    added = police.post(one + "perpetrators/", {"name": SUSPECT, "role": "recruiter"}, format="json").json()
    proceedings = _api(personas.ngo).get(f"/api/cases/{cases.police_adult.pk}/criminal-proceedings/").json()
    assert (proceedings[0]["trial_on"], proceedings[0]["trial_court"]) == ("2024-09-01", "Oslo tingrett")
    assert SUSPECT not in str(proceedings) and "Harbour" not in str(proceedings)

    # A person's outcome: only after a verdict; then with the sentence.
    person = added["perpetrators"][0]
    outcome_url = one + f"perpetrators/{person['link_id']}/outcome/"
    early = police.post(
        outcome_url, {"outcome": "convicted_trafficking", "version": person["version"]}, format="json"
    )
    assert early.status_code == 400 and "after a verdict" in early.json()["outcome"][0]
    version = trial.json()["version"]
    for stage, on in (("trial", "2024-09-01"), ("verdict", "2024-10-01")):
        version = police.post(
            one + "stages/",
            {
                "stage": stage,
                "on": on,
                "version": version,
                "court": "Oslo tingrett",
                "outcome": "convicted_trafficking",
            },
            format="json",
        ).json()["version"]
    done = police.post(
        outcome_url,
        {
            "outcome": "convicted_trafficking",
            "version": person["version"],
            "sentence_months": 42,
            "sentence_text": "3 years 6 months",
        },
        format="json",
    )
    assert done.status_code == 200, done.content
    assert (done.json()["perpetrators"][0]["outcome"], done.json()["perpetrators"][0]["sentence_months"]) == (
        "convicted_trafficking",
        42,
    )
    # A person known from the first case is linked into the second (the same district takes part).
    relinked = police.post(two + "perpetrators/", {"perpetrator": person["perpetrator_id"]}, format="json")
    assert relinked.status_code == 201, relinked.content
    assert relinked.json()["perpetrators"][0]["perpetrator_id"] == person["perpetrator_id"]
    assert police.post(two + "perpetrators/", {"role": "leader"}, format="json").status_code == 400
    unknown = police.post(two + "perpetrators/", {"perpetrator": first["id"]}, format="json")
    assert unknown.status_code == 400 and "perpetrator" in unknown.json()
    # The link belongs to the first case: through the second it is not found.
    assert (
        police.post(
            two + f"perpetrators/{person['link_id']}/outcome/",
            {"outcome": "acquitted", "version": 2},
            format="json",
        ).status_code
        == 404
    )

    coordinator = _api(personas.coordinator)
    seen = coordinator.get(one).json()
    assert (
        seen["details"] is False
        and seen["networks"] == []
        and seen["cooperation"] == []
        and seen["perpetrators"] == []
    )
    assert seen["counts"] == {"perpetrators": 1, "networks": 1, "cooperations": 1, "victims": 1}
    assert seen["trial_on"] == "2024-09-01" and len(seen["participants"]) == 2
    assert "Harbour" not in str(seen) and SUSPECT not in str(seen)
    for path, data in (
        ("trial/", {}),
        ("networks/", {"name": "X"}),
        ("cooperation/", {}),
        ("participants/", {}),
    ):
        assert coordinator.post(one + path, data, format="json").status_code == 403, path
    outsider = _api(personas.outsider)
    for path in (
        "trial/",
        "networks/",
        "cooperation/",
        "participants/",
        f"perpetrators/{person['link_id']}/outcome/",
    ):
        assert outsider.post(one + path, {}, format="json").status_code == 404, path
