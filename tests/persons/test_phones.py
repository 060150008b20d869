"""Phone numbers: checked with libphonenumber's data (Norway when no country code), shown internationally."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.utils import translation

from varde.linkage.preprocess import normalise_phone, phone_match_key
from varde.persons import phones
from varde.persons.validators import validate_phone


@pytest.mark.parametrize(
    ("stored", "shown"),
    [
        ("+47 912 34 567", "+47 912 34 567"),
        ("91234567", "+47 912 34 567"),
        ("912 34 567", "+47 912 34 567"),
        ("0047 91234567", "+47 912 34 567"),
        ("+4791234567", "+47 912 34 567"),
        ("22 00 00 00", "+47 22 00 00 00"),  # a landline, in pairs
        ("+234 803 123 4567", "+234 803 123 4567"),  # Nigeria
        ("002348031234567", "+234 803 123 4567"),
        ("+40 712 345 678", "+40 712 345 678"),  # Romania
        ("call me", "call me"),  # stored before the check: shown as it is
        ("", ""),
    ],
)
def test_numbers_are_shown_in_international_format(stored, shown):
    assert phones.display(stored) == shown


@pytest.mark.parametrize(
    "good",
    ["+47 912 34 567", "91234567", "0047 912 34 567", "+234 803 123 4567", "+234-803-123-4567", "02800"],
)
def test_possible_numbers_pass(good):
    validate_phone(good)


@pytest.mark.parametrize(
    ("bad", "english", "norwegian"),
    [
        ("call me maybe", "digits, spaces and an optional leading +", "sifre, mellomrom"),
        ("0803 123 4567", "A Norwegian phone number has 8 digits", "Et norsk telefonnummer har 8 sifre"),
        ("1234", "A Norwegian phone number has 8 digits", "Et norsk telefonnummer har 8 sifre"),
        ("+47 123", "Too few digits for a phone number with country code +47 (Norway)", "For få sifre"),
        ("+234 803", "Too few digits for a phone number with country code +234 (Nigeria)", "(Nigeria)"),
        ("+47 912 34 567 890 12", "Too many digits", "For mange sifre"),
        ("+999 123 456", "There is no such country code", "Det finnes ingen slik landkode"),
    ],
)
def test_impossible_numbers_get_a_clear_message_in_both_languages(bad, english, norwegian):
    for lang, expected in (("en", english), ("nb", norwegian)):
        with translation.override(lang):
            with pytest.raises(ValidationError) as raised:
                validate_phone(bad)
            messages = raised.value.messages  # translated when read
        assert expected in " ".join(messages), (lang, messages)


def test_a_foreign_number_without_its_country_code_is_told_how_to_write_it():
    with translation.override("en"):
        with pytest.raises(ValidationError) as raised:
            validate_phone("0803 123 4567")  # a Nigerian mobile, written as in Nigeria
        messages = raised.value.messages
    assert messages == [
        "A Norwegian phone number has 8 digits. "
        "Write a foreign number with + and its country code, e.g. +234 803 123 4567."
    ]


@pytest.mark.parametrize(
    "raw", ["+47 912 34 567", "91234567", "0047 91234567", "+234 803 123 4567", "002348031234567"]
)
def test_the_shown_form_has_the_same_linkage_key_as_the_stored_one(raw):
    """The pages show a new form of the number; linkage keeps comparing what is stored, the same way."""
    assert phone_match_key(normalise_phone(phones.display(raw))) == phone_match_key(normalise_phone(raw))
