"""Domain preprocessing: the differences between agencies that must disappear before comparison."""

import datetime as dt

import pytest

from varde.linkage.preprocess import (
    birth_features,
    estimate_to_year_range,
    name_features,
    normalise_document,
    normalise_phone,
    phone_match_key,
    phonetic_key,
    prepare_columns,
    prepare_record,
)


@pytest.mark.parametrize(
    "variants",
    [
        ("Mohamed", "Mohammed", "Muhammad", "MOHAMAD"),
        ("Nguyễn", "Nguyen"),
        ("Наталья", "Natalya", "Natalia"),
        ("Олена", "Elena", "Yelena"),
        ("Сергій", "Serhii", "Sergey"),
    ],
)
def test_transliteration_variants_share_one_name(variants):
    sorted_parts = {name_features(v, "").sorted_parts for v in variants}
    assert len(sorted_parts) == 1


def test_different_names_stay_different():
    assert name_features("Blessing", "Okafor").key_string != name_features("Precious", "Okafor").key_string
    assert phonetic_key("okafor") != phonetic_key("osagie")


def test_family_name_first_is_the_same_name():
    assert name_features("Okafor", "Blessing") == name_features("Blessing", "Okafor")
    assert name_features("Nguyễn Văn", "An").sorted_parts == name_features("An", "Nguyen Van").sorted_parts


def test_multi_part_name_keeps_every_part():
    full = name_features("Maria Elena", "Popescu")
    short = name_features("Maria", "Popescu")
    assert len(set(full.keys) & set(short.keys)) == 2
    assert set(short.key_pairs) <= set(full.key_pairs)


def test_a_part_written_twice_counts_once():
    assert name_features("Anna Anna", "Kaminski") == name_features("Anna", "Kaminski")


def test_phones_normalise_to_digits_with_country_code():
    assert (
        normalise_phone("+47 912 34 567") == normalise_phone("91234567") == normalise_phone("0047 91234567")
    )
    assert normalise_phone("91234567") == "4791234567"
    assert normalise_phone("+234 803 123 4567") == "2348031234567"
    # with or without the country code (or a trunk 0), the match key agrees
    assert phone_match_key(normalise_phone("+234 803 123 4567")) == phone_match_key(
        normalise_phone("0803 123 4567")
    )
    assert normalise_phone("12") is None and normalise_phone("") is None


def test_document_numbers_normalise():
    assert normalise_document("ab 123-4567") == normalise_document("AB1234567") == "AB1234567"
    assert normalise_document("12") is None


def test_estimated_age_becomes_a_birth_year_range():
    lo, hi = estimate_to_year_range(15, dt.date(2009, 6, 1))
    assert lo <= 1993 <= hi and lo <= 1994 <= hi  # a 15-year-old in mid 2009 was born in 1993 or 1994
    assert lo == 1990 and hi == 1997  # widened by three years either way
    b = birth_features(None, 15, dt.date(2009, 6, 1))
    assert (b.year_lo, b.year_hi, b.exact, b.dob) == (1990, 1997, False, None)


def test_day_month_swap_is_kept_beside_the_date():
    b = birth_features(dt.date(1990, 4, 7), None, None)
    assert b.dob == "1990-04-07" and b.dob_swapped == "1990-07-04" and b.exact
    assert birth_features(dt.date(1990, 4, 17), None, None).dob_swapped is None  # day 17 is no month


def test_first_of_january_is_weak_and_widened():
    b = birth_features(dt.date(1990, 1, 1), None, None)
    assert b.dob_default and not b.exact
    assert b.year_lo < 1990 < b.year_hi


def test_unreadable_values_become_missing_not_errors():
    row = {
        "record_id": "R1",
        "referral_date": "not a date",
        "date_of_birth": "1990-13-45",
        "estimated_age": "about twenty",
        "phone": "n/a",
        "sex": "?",
        "nationality": "Nigeria",
    }
    prepared = prepare_record(0, row)
    assert prepared["by_lo"] is None and prepared["phone"] is None
    assert prepared["sex"] is None and prepared["nationality"] is None


def test_columnar_preparation_equals_row_preparation():
    rows = [
        {
            "record_id": "A",
            "reporting_agency": "x",
            "referral_date": "2009-01-02",
            "given_name": "Joy",
            "family_name": "Eze",
            "sex": "F",
            "date_of_birth": "1990-03-04",
            "estimated_age": "",
            "nationality": "NG",
            "phone": "+47 912 34 567",
            "id_document_number": "a1234567",
        },
        {
            "record_id": "B",
            "reporting_agency": "y",
            "referral_date": "2010-05-06",
            "given_name": "",
            "family_name": "Иванова",
            "sex": "",
            "date_of_birth": "",
            "estimated_age": "17",
            "nationality": "",
            "phone": "",
            "id_document_number": "",
        },
    ]
    columns = prepare_columns(rows)
    for i, row in enumerate(rows):
        assert {k: v[i] for k, v in columns.items()} == prepare_record(i, row)


# --- the vectorised preparation gives exactly the features of the per-record one --------------------


def _awkward_rows():
    from .helpers import rec

    rows = [
        rec("E1", " rosa ", "Наталья", "Иванова", dob="1990-01-01", phone="+47 912 34 560"),
        rec("E2", "udi", "", "", dob="not a date", age="abc", nat="xx1", phone="12", doc="a-1"),
        rec("E3", "", "J.", "Okafor-Eze", dob="", age="17", date="2009-13-40", sex="f"),
        rec("E4", "rosa", "Nguyễn Thị", "Lan", dob="1988-07-03", age="200", nat="vn", doc="ab 123 4567"),
        rec("E5", "rosa", "Anna Anna", "al-Hassan", dob="1999-12-12", date=""),
        {"record_id": "E6", "reporting_agency": "udi", "referral_date": "2009-02-03", "estimated_age": 30},
    ]
    return rows


@pytest.mark.parametrize("max_block", [3, 60])
def test_prepare_table_equals_prepare_columns_and_blocking_columns(max_block):
    from varde.linkage.preprocess import FEATURE_COLUMNS, blocking_columns, prepare_table

    from .helpers import generated

    rows, _truth = generated(700, seed=13)
    rows = rows + _awkward_rows()
    expected = prepare_columns(rows)
    table = prepare_table(rows, max_block=max_block)
    for column in FEATURE_COLUMNS:
        assert table.column(column).to_pylist() == expected[column], column
    # small blocks force the birth-window narrowing and dropping paths as well as the plain keys
    assert table.column("blk").to_pylist() == blocking_columns(expected, max_block=max_block)


def test_prepare_table_takes_an_arrow_table_with_missing_columns():
    import pyarrow as pa

    from varde.linkage.preprocess import prepare_table

    rows = [{"record_id": "A", "reporting_agency": "udi", "referral_date": "2009-01-02", "given_name": "Joy"}]
    table = prepare_table(pa.Table.from_pylist(rows))
    assert table.column("name_sorted").to_pylist() == ["joy"]
    assert table.column("phone").to_pylist() == [None]
    assert table.column("ref_day").to_pylist() == [prepare_record(0, rows[0])["ref_day"]]
