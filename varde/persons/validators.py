"""Field validators shared by the pages, the API and the CSV import (one set of rules)."""

from __future__ import annotations

import re

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from stdnum.no import fodselsnummer

from . import codes, phones

_MUNICIPALITY = re.compile(r"^\d{4}$")


def validate_country(value: str) -> None:
    if value and not codes.is_country(value):
        raise ValidationError(_("%(value)s is not an ISO 3166 country code"), params={"value": value[:10]})


def validate_countries(values: list[str]) -> None:
    for value in values:
        validate_country(value)


def validate_language(value: str) -> None:
    if value and not codes.is_language(value):
        raise ValidationError(_("%(value)s is not an ISO 639 language code"), params={"value": value[:10]})


def validate_languages(values: list[str]) -> None:
    for value in values:
        validate_language(value)


def validate_national_id(value: str) -> None:
    """Norwegian fødselsnummer or D-number (11 digits, both check digits)."""
    if value and not fodselsnummer.is_valid(value):
        raise ValidationError(_("Not a valid Norwegian national identity number or D-number"))


def validate_municipality(value: str) -> None:
    if value and (not _MUNICIPALITY.match(value) or value[:2] == "00"):
        raise ValidationError(_("A municipality number has four digits, e.g. 0301 for Oslo"))


def validate_phone(value: str) -> None:
    """A number that can exist: Norwegian without a country code, foreign with + or 00 and one."""
    phones.validate(value)


def compact_national_id(value: str) -> str:
    return fodselsnummer.compact(value) if value else ""
