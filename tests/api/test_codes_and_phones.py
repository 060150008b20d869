"""The API takes the same country, language and phone codes as the pages, with the same checks."""

from __future__ import annotations

import datetime as dt

import pytest

from tests.api.test_report import payload
from varde.cases.models import Case
from varde.core import clock


@pytest.fixture(autouse=True)
def _today(monkeypatch):
    monkeypatch.setattr(clock, "today", lambda: dt.date(2026, 10, 10))


def test_caseload_codes_and_a_nigerian_number_are_accepted(api, world):
    body = payload(
        world,
        **{
            "person.nationalities": ["NG", "XK"],
            "person.languages": ["pcm", "bin", "prs", "ti", "tir"],
            "person.phones": ["+234 803 123 4567", "91234567"],
        },
    )
    # The world's police case has 912 34 567 too: the own-agency match (issue 20, point 3) is confirmed.
    body["confirm_new_case"] = True
    response = api.as_(world.personas.police).post("/api/cases/", body, format="json")
    assert response.status_code == 201, response.content
    person = response.json()["person"]
    assert person["nationalities"] == ["NG", "XK"]
    assert person["languages"] == ["pcm", "bin", "prs", "ti", "tir"]  # stored as given
    assert [p["number"] for p in person["phones"]] == ["+234 803 123 4567", "91234567"]


@pytest.mark.parametrize(
    ("phone", "english", "norwegian"),
    [
        ("0803 123 4567", "A Norwegian phone number has 8 digits.", "Et norsk telefonnummer har 8 sifre."),
        ("+234 803", "Too few digits for a phone number with country code +234 (Nigeria).", "(Nigeria)"),
        ("+999 123 456", "There is no such country code.", "Det finnes ingen slik landkode."),
    ],
)
def test_an_impossible_number_is_400_with_a_message_in_the_clients_language(
    api, world, phone, english, norwegian
):
    before = Case.objects.count()
    client = api.as_(world.personas.police)
    for language, expected in (("en", english), ("nb", norwegian)):
        response = client.post(
            "/api/cases/",
            payload(world, **{"person.phones": [phone]}),
            format="json",
            HTTP_ACCEPT_LANGUAGE=language,
        )
        assert response.status_code == 400, response.content
        messages = " ".join(response.json()["person"]["phones"]["0"])
        assert expected in messages, (language, messages)
    assert Case.objects.count() == before


@pytest.mark.parametrize(("field", "value"), [("nationalities", ["EU"]), ("languages", ["fa_AF"])])
def test_codes_that_are_not_countries_or_languages_are_400(api, world, field, value):
    response = api.as_(world.personas.police).post(
        "/api/cases/", payload(world, **{f"person.{field}": value}), format="json"
    )
    assert response.status_code == 400 and field in response.json()["person"]
