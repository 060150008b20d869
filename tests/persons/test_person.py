import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.utils import translation

from varde.persons import codes
from varde.persons.models import Person
from varde.persons.validators import (
    validate_country,
    validate_language,
    validate_municipality,
    validate_national_id,
    validate_phone,
)


def test_age_from_birth_date_and_from_estimate():
    assert Person(date_of_birth=dt.date(2010, 6, 1)).age_on(dt.date(2026, 5, 31)) == 15
    assert Person(date_of_birth=dt.date(2010, 6, 1)).age_on(dt.date(2026, 6, 1)) == 16
    p = Person(estimated_age=16, age_estimated_on=dt.date(2024, 1, 1))
    assert p.age_on(dt.date(2026, 1, 2)) == 18
    assert Person().age_on(dt.date(2026, 1, 1)) is None


def test_presumed_child_when_estimate_under_18():
    assert Person(estimated_age=17, age_estimated_on=dt.date(2026, 1, 1)).is_presumed_child(
        dt.date(2026, 3, 1)
    )
    assert not Person(estimated_age=25, age_estimated_on=dt.date(2026, 1, 1)).is_presumed_child(
        dt.date(2026, 3, 1)
    )
    assert not Person().is_presumed_child(dt.date(2026, 3, 1))


def test_national_id_validation_accepts_fnr_and_d_number():
    validate_national_id("15108695088")  # fødselsnummer
    validate_national_id("55108695071")  # D-number: day + 40
    with pytest.raises(ValidationError):
        validate_national_id("15108695089")
    with pytest.raises(ValidationError):
        validate_national_id("1234")


@pytest.mark.parametrize("good", ["0301", "4601", "5001"])
def test_municipality_ok(good):
    validate_municipality(good)


@pytest.mark.parametrize("bad", ["301", "03011", "abcd", "0000"])
def test_municipality_bad(bad):
    with pytest.raises(ValidationError):
        validate_municipality(bad)


def test_codes_validate_and_name_in_norwegian():
    validate_country("NG")
    validate_language("ro")
    validate_language("tir")
    with pytest.raises(ValidationError):
        validate_country("XX")
    with pytest.raises(ValidationError):
        validate_language("zz")
    with pytest.raises(ValidationError):
        validate_phone("call me")
    assert codes.country_name("NO", "nb") == "Norge"
    assert codes.country_name("NO", "en") == "Norway"
    with translation.override("nb"):
        assert dict(codes.country_choices())["DE"] == "Tyskland"
