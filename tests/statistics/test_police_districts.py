"""Police districts: every 2024 municipality in exactly one of the 12 districts (a sourced data file),
and the figures by police district, unknown hidden and small cells suppressed when published."""

from __future__ import annotations

import datetime as dt
import json
from collections import Counter

import pytest

from tests.statistics.rows import person_row
from varde.cli import main
from varde.statistics.extract import PersonRow
from varde.statistics.figures import as_json, national_figures
from varde.statistics.police_districts import districts, municipalities, police_district, rules

TWELVE = {
    "oslo",
    "ost",
    "innlandet",
    "sor-ost",
    "agder",
    "sor-vest",
    "vest",
    "more-og-romsdal",
    "trondelag",
    "nordland",
    "troms",
    "finnmark",
}


def test_every_municipality_is_in_exactly_one_of_the_twelve_districts():
    assert set(districts()) == TWELVE
    numbers = municipalities()
    assert len(numbers) == 357  # the 2024 division (SSB Klass 131)
    assert all(len(n) == 4 and n.isdigit() for n in numbers)
    per_district = Counter(police_district(n) for n in numbers)
    assert set(per_district) == TWELVE  # nobody unknown, every district used
    assert per_district["oslo"] == 3  # Oslo, Bærum, Asker
    assert per_district["troms"] == 20  # Troms county's 21 less Gratangen
    data = rules()
    for number, exception in data["exceptions"].items():
        assert exception["district"] in TWELVE and exception["source"] in data["sources"]
        assert numbers[number] == exception["name"]
        assert exception["district"] != data["by_county"][number[:2]]  # a real exception to the rule
    assert "ssb" in " ".join(data["sources"]).lower() and data["approximate"]


@pytest.mark.parametrize(
    ("number", "district"),
    [
        ("0301", "oslo"),
        ("3201", "oslo"),  # Bærum
        ("3203", "oslo"),  # Asker (with Røyken and Hurum since 2020)
        ("3205", "ost"),  # Lillestrøm
        ("3107", "ost"),  # Fredrikstad
        ("3234", "innlandet"),  # Lunner, in Akershus county
        ("3236", "sor-ost"),  # Jevnaker, in Akershus county
        ("3403", "innlandet"),
        ("3301", "sor-ost"),  # Drammen
        ("3905", "sor-ost"),  # Tønsberg
        ("4003", "sor-ost"),  # Skien
        ("4204", "agder"),
        ("4228", "sor-vest"),  # Sirdal, in Agder county
        ("1103", "sor-vest"),
        ("4614", "sor-vest"),  # Stord, in Vestland county
        ("4612", "sor-vest"),  # Sveio
        ("4601", "vest"),
        ("4640", "vest"),  # Sogndal
        ("1508", "more-og-romsdal"),
        ("1577", "more-og-romsdal"),  # Volda (with Hornindal since 2020)
        ("5001", "trondelag"),
        ("5055", "trondelag"),  # Heim (with Halsa since 2020)
        ("1811", "trondelag"),  # Bindal, in Nordland county
        ("1804", "nordland"),
        ("5516", "nordland"),  # Gratangen, in Troms county
        ("5512", "troms"),  # Tjeldsund (with Skånland since 2020)
        ("5501", "troms"),
        ("5605", "finnmark"),
    ],
)
def test_known_municipalities(number, district):
    assert police_district(number) == district


@pytest.mark.parametrize("number", ["", "9999", "0219", "2100", "030"])
def test_numbers_outside_the_2024_division_have_no_district(number):
    assert police_district(number) == ""  # old Bærum (0219), Svalbard (2100), nonsense


def _row(key: str, municipality: str) -> PersonRow:
    return person_row(
        key,
        first_date=dt.date(2026, 3, 1),
        followed=((dt.date(2026, 3, 1), dt.date(2026, 12, 31)),),
        municipality=municipality,
    )


def _rows(**per_municipality: int) -> list[PersonRow]:
    return [_row(f"{m}-{i}", m.removeprefix("m")) for m, n in per_municipality.items() for i in range(n)]


def test_figures_by_police_district_count_persons_and_hide_the_unknown():
    rows = _rows(m0301=2, m3203=1, m4601=1, m=1, m9999=1)
    figures = national_figures(rows, 2026)
    assert figures.by_police_district == {"": 2, "oslo": 3, "vest": 1}
    extended = as_json(figures, extended=True)
    assert extended["by_police_district"] == {"oslo": 3, "vest": 1}
    assert extended["by_municipality"] == {"0301": 2, "3203": 1, "4601": 1, "9999": 1}
    assert "by_police_district" not in as_json(figures)  # the shape stays as it was


def test_published_figures_by_police_district_are_suppressed():
    rows = _rows(m0301=20, m4601=7, m4204=3)
    published = as_json(national_figures(rows, 2026), k=5, extended=True)
    cells = published["by_police_district"]
    assert cells["agder"] is None  # 3 < k
    assert sum(v is None for v in cells.values()) >= 2  # and one more, or 30 - 20 - 7 would tell
    assert published["persons"] == 30
    small = as_json(national_figures(_rows(m0301=3), 2026), k=5, extended=True)
    assert small["by_police_district"] is None and small["persons"] is None


@pytest.mark.django_db
def test_stats_extended_shows_police_districts(capsys, world):
    capsys.readouterr()
    assert main(["stats", "--year", "2026", "--json", "--extended"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["by_police_district"] == {"oslo": 3}  # the world's cases are all in Oslo (0301)
    assert data["by_municipality"] == {"0301": 3}
