"""The report page's country and language pickers (CLDR names, searchable) and its phone number."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from tests.web.test_report import form_data
from varde.cases.models import Case
from varde.persons import codes


def _select(body: str, name: str) -> str:
    match = re.search(rf'<select name="{name}".*?</select>', body, re.S)
    assert match, name
    return match.group(0)


def test_pickers_have_short_cldr_names_and_search_names_in_both_languages(login, personas):
    body = login(personas.police).get(reverse("report")).content.decode()
    nationality = _select(body, "nationality")
    assert (
        'data-picker="country"' in nationality
        and 'data-picker-label="Søk etter navn eller kode"' in nationality
    )
    assert (
        '<option value="US" data-names="usa|united states|us|america|amerika|united states of america">USA</option>'
        in nationality
    )
    assert '<option value="SY" data-names="syria">Syria</option>' in nationality
    assert '<option value="RU" data-names="russland|russia|' in nationality
    assert "Den syriske arabiske republikk" not in body
    assert nationality.index(">Zimbabwe<") < nationality.index(">Østerrike<") < nationality.index(">Åland<")
    assert 'data-picker="country"' in _select(body, "document_country")

    language = _select(body, "language")
    common, other = language.split('<optgroup label="Andre språk">')
    assert '<optgroup label="Språk som ofte trengs">' in common
    for code, label in [
        ("prs", "Dari"),
        ("pcm", "Nigeriansk pidginspråk"),
        ("bin", "Edo (bini)"),
        ("ti", "Tigrinja"),
    ]:
        assert f'<option value="{code}" data-names="' in common and f">{label}</option>" in common
    assert '<option value="wa" data-names="vallonsk|walloon">Vallonsk</option>' in other
    assert ">English<" not in language and ">Persian<" not in language


def test_pickers_in_english_after_switching(login, personas):
    client = login(personas.police)
    client.post(reverse("set_language"), {"language": "en", "next": "/"})
    body = client.get(reverse("report")).content.decode()
    nationality, language = _select(body, "nationality"), _select(body, "language")
    assert (
        'data-names="usa|united states|us|america|amerika|united states of america">United States</option>'
        in nationality
    )
    assert '<optgroup label="Languages often needed">' in language and ">Nigerian Pidgin</option>" in language
    assert 'data-picker-label="Search by name or code"' in nationality


@pytest.mark.parametrize(
    "typed", ["Syria", "Russland", "Russia", "USA", "United States", "us", "Dari", "pidgin"]
)
def test_what_a_tester_types_finds_an_entry_of_the_page(login, personas, typed):
    """The page's script ranks as codes.find_*; the best match is an option of the page."""
    body = login(personas.police).get(reverse("report")).content.decode()
    found = codes.find_countries(typed) or codes.find_languages(typed)
    assert found and f'<option value="{found[0]}"' in body


def test_report_with_a_nigerian_number_and_caseload_languages(login, personas):
    client = login(personas.police)
    data = form_data(nationality="NG", language="pcm", phone="+234 803 123 4567", document_country="NG")
    response = client.post(reverse("report"), data)
    assert response.status_code == 302, response.content.decode()[:2000]
    person = Case.objects.latest("opened_at").person
    assert person.nationalities == ["NG"] and person.languages == ["pcm"]
    assert [p.number for p in person.phones.all()] == ["+234 803 123 4567"]  # stored as given
    page = client.get(reverse("person-detail", args=[person.pk])).content.decode()
    assert "+234 803 123 4567" in page and "Nigeriansk pidginspråk" in page and "Nigeria" in page


def test_a_norwegian_number_without_country_code_is_shown_internationally(login, personas):
    client = login(personas.police)
    response = client.post(reverse("report"), form_data(phone="91234567", language="prs"))
    assert response.status_code == 302
    person = Case.objects.latest("opened_at").person
    assert [p.number for p in person.phones.all()] == ["91234567"]
    page = client.get(reverse("person-detail", args=[person.pk])).content.decode()
    assert "+47 912 34 567" in page and "<dd>Dari</dd>" in page


@pytest.mark.parametrize(
    ("phone", "message"),
    [
        ("0803 123 4567", "Et norsk telefonnummer har 8 sifre."),
        ("+47 123", "For få sifre for et telefonnummer med landkode +47 (Norge)."),
        ("+999 123 456", "Det finnes ingen slik landkode."),
    ],
)
def test_an_impossible_number_is_refused_with_a_clear_message(login, personas, phone, message):
    before = Case.objects.count()
    response = login(personas.police).post(reverse("report"), form_data(phone=phone))
    assert response.status_code == 200 and Case.objects.count() == before
    body = response.content.decode()
    assert message in body and 'href="#id_phone"' in body
    assert "+234 803 123 4567" in body  # the hint: how a foreign number is written
