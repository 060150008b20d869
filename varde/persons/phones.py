"""Phone numbers: checked and shown with Google's libphonenumber data (the `phonenumbers` package).

A number without a country code is Norwegian ("912 34 567"); a foreign one is written with + or 00
and its country code ("+234 803 123 4567"). The number is stored as given; the pages show it in
international format ("+47 912 34 567"). Linkage compares its own normalised key
(`varde.linkage.preprocess.normalise_phone`), which does not depend on how the number was written.
"""

from __future__ import annotations

import re

import phonenumbers
from django.core.exceptions import ValidationError
from django.utils.functional import lazy
from django.utils.translation import gettext_lazy as _
from phonenumbers import (
    NumberFormat,
    NumberParseException,
    PhoneNumberFormat,
    PhoneNumberType,
    ValidationResult,
)

from . import codes

DEFAULT_REGION = "NO"

_country_name = lazy(codes.country_name, str)  # named in the language the message is shown in

_CHARACTERS = re.compile(r"^\+?[0-9 ()\-./]{3,30}$")
_NO_SUCH_CODE = _("There is no such country code. %(hint)s")
_FOREIGN = _("Write a foreign number with + and its country code, e.g. +234 803 123 4567.")


def parse(raw: str) -> phonenumbers.PhoneNumber | None:
    """The number, if it is one that can exist; None otherwise."""
    try:
        number = phonenumbers.parse(raw, DEFAULT_REGION)
    except NumberParseException:
        return None
    return number if phonenumbers.is_possible_number(number) else None


# libphonenumber groups every Norwegian number in pairs; mobile numbers are written 3-2-3 in Norway
# ("912 34 567"), as on the phone operators' and public agencies' pages.
_NO_MOBILE = NumberFormat(pattern=r"(\d{3})(\d{2})(\d{3})", format=r"\1 \2 \3")


def display(raw: str) -> str:
    """International format ("+47 912 34 567"); what was stored if it is not a possible number."""
    number = parse(raw) if raw else None
    if number is None:
        return raw
    if number.country_code == 47 and phonenumbers.number_type(number) == PhoneNumberType.MOBILE:
        return phonenumbers.format_by_pattern(number, PhoneNumberFormat.INTERNATIONAL, [_NO_MOBILE])
    return phonenumbers.format_number(number, PhoneNumberFormat.INTERNATIONAL)


def validate(value: str) -> None:
    """A clear error for a number that cannot exist, in the user's language."""
    if not value:
        return
    if not _CHARACTERS.match(value.strip()):
        raise ValidationError(_("A phone number has digits, spaces and an optional leading +"), code="phone")
    try:
        number = phonenumbers.parse(value, DEFAULT_REGION, keep_raw_input=True)
    except NumberParseException as error:
        if error.error_type == NumberParseException.INVALID_COUNTRY_CODE:
            raise ValidationError(_NO_SUCH_CODE, params={"hint": _FOREIGN}, code="phone") from error
        raise ValidationError(
            _("This is not a phone number. %(hint)s"), params={"hint": _FOREIGN}, code="phone"
        ) from error
    reason = phonenumbers.is_possible_number_with_reason(number)
    if reason in (ValidationResult.IS_POSSIBLE, ValidationResult.IS_POSSIBLE_LOCAL_ONLY):
        return
    if reason == ValidationResult.INVALID_COUNTRY_CODE:
        raise ValidationError(_NO_SUCH_CODE, params={"hint": _FOREIGN}, code="phone")
    if number.country_code_source == phonenumbers.CountryCodeSource.FROM_DEFAULT_COUNTRY:
        # Written without a country code: most often a foreign number without one.
        raise ValidationError(
            _("A Norwegian phone number has 8 digits. %(hint)s"), params={"hint": _FOREIGN}, code="phone"
        )
    country_code = number.country_code or 0
    region = phonenumbers.region_code_for_country_code(country_code)
    params = {"code": str(country_code), "country": _country_name(region)}
    if reason == ValidationResult.TOO_SHORT:
        message = _("Too few digits for a phone number with country code +%(code)s (%(country)s).")
    elif reason == ValidationResult.TOO_LONG:
        message = _("Too many digits for a phone number with country code +%(code)s (%(country)s).")
    else:
        message = _("No phone number with country code +%(code)s (%(country)s) has this many digits.")
    raise ValidationError(message, params=params, code="phone")
