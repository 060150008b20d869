"""Reading a search text and a person's stored keys (varde.linkage.search_keys): pure, no database."""

from __future__ import annotations

import datetime as dt

import pytest

from varde.linkage.search_keys import person_search_keys, search_read

TODAY = dt.date(2026, 11, 1)


def keys_of(given: str, family: str) -> set[str]:
    return person_search_keys(names=[(given, family)])


def matches(text: str, keys: set[str]) -> bool:
    """The rule of varde.cases.search.search_q over one person's keys (no references)."""
    read = search_read(text, today=TODAY)

    def hit(term) -> bool:
        return bool(term.keys & keys) or any(k.startswith(p) for p in term.prefixes for k in keys)

    return (bool(read.terms) and all(hit(t) for t in read.terms)) or any(hit(t) for t in read.whole)


@pytest.mark.parametrize(
    ("text", "given", "family"),
    [
        ("Mohamed", "Muhammad", "Bello"),
        ("Mohammed Bello", "Muhammad", "Bello"),
        ("bello muhamed", "Muhammad", "Bello"),  # the other order
        ("Мухаммед", "Muhammad", "Bello"),  # Cyrillic
        ("Nguyen Thi Ha", "Thị Hà", "Nguyễn"),  # diacritics, family name first
        ("Nguyễn", "Ha", "Nguyen"),
        ("Yelena Ivanova", "Olena", "Ivanowa"),
        ("Hussein", "Hossein", "Karimi"),
        ("Okafor", "Blessing", "OKAFOR"),
        ("Moh", "Mohammed", "Ali"),  # the beginning of a name
        ("al-Hassan", "Omar", "Hassan"),  # the particle carries nothing
    ],
)
def test_a_name_is_found_in_other_spellings_scripts_and_orders(text, given, family):
    assert matches(text, keys_of(given, family))


@pytest.mark.parametrize(
    ("text", "given", "family"),
    [
        ("Mohamed", "Blessing", "Okafor"),
        ("Okafor Mohamed", "Blessing", "Okafor"),  # every word must match
        ("Mia", "Mohammed", "Ali"),  # a one-letter sound key is not used for a word that has a beginning
    ],
)
def test_another_name_is_not_found(text, given, family):
    assert not matches(text, keys_of(given, family))


def test_phone_numbers_match_with_and_without_country_code_and_spaces():
    keys = person_search_keys(phones=["+47 912 34 567"])
    for text in ("91234567", "912 34 567", "+4791234567", "0047 912 34 567", "+47 912-34-567"):
        assert matches(text, keys), text
    assert not matches("91234568", keys)
    read = search_read("912 34 567", today=TODAY)
    assert read.terms == () and read.kinds >= {"phone"}  # never read as three ages


def test_document_numbers_match_in_any_case_and_spacing():
    keys = person_search_keys(documents=["KL 123 4567"], national_id="01019012345")
    for text in ("KL1234567", "kl 123 4567", "KL-1234567", "01019012345"):
        assert matches(text, keys), text


def test_birth_date_year_and_age():
    born = person_search_keys(date_of_birth=dt.date(1995, 5, 17))
    assert matches("1995-05-17", born) and matches("17.05.1995", born) and matches("1995", born)
    assert matches("31", born)  # 2026 - 1995, or a year less
    assert not matches("1995-05-18", born) and not matches("25", born)
    estimated = person_search_keys(estimated_age=15, estimated_on=dt.date(2026, 10, 1))
    assert matches("15", estimated) and matches("16", estimated) and not matches("30", estimated)


def test_name_and_birth_date_together():
    keys = person_search_keys(names=[("Blessing", "Okafor")], date_of_birth=dt.date(1995, 5, 17))
    assert matches("Okafor 1995-05-17", keys)
    assert not matches("Okafor 1996-05-17", keys)


def test_references_and_what_a_search_was_read_as():
    read = search_read("v26-abc", today=TODAY)
    assert {r for t in read.terms for r in t.references} == {"V26-ABC"}
    assert search_read("Okafor 31", today=TODAY).kinds == {"name", "age"}
    assert search_read("", today=TODAY).empty and search_read("x", today=TODAY).empty


def test_keys_never_hold_the_text_beyond_their_length():
    keys = keys_of("A" * 300, "B")
    assert all(len(k) <= 80 for k in keys)
