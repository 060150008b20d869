"""Countries and languages named from CLDR: found by the names people use, labelled in Bokmål."""

from __future__ import annotations

import pytest
from django.utils import translation

from varde.persons import codes
from varde.persons.validators import validate_language


@pytest.mark.parametrize(
    ("typed", "code"),
    [
        ("Syria", "SY"),
        ("syria", "SY"),
        ("Russland", "RU"),
        ("Russia", "RU"),
        ("USA", "US"),
        ("United States", "US"),
        ("us", "US"),
        ("Storbritannia", "GB"),
        ("UK", "GB"),
        ("Østerrike", "AT"),
        ("osterrike", "AT"),
        ("Turkey", "TR"),  # CLDR's English name is Türkiye
        ("tyrkia", "TR"),
        ("Kosovo", "XK"),
        ("Nigeria", "NG"),
        ("Kongo-Kinshasa", "CD"),
    ],
)
@pytest.mark.parametrize("lang", ["nb", "en"])
def test_a_country_is_found_by_its_common_name_in_either_language_or_its_code(typed, code, lang):
    assert codes.find_countries(typed, lang)[0] == code


@pytest.mark.parametrize(
    ("typed", "code"),
    [
        ("Dari", "prs"),
        ("pidgin", "pcm"),
        ("Nigerian Pidgin", "pcm"),
        ("Edo", "bin"),
        ("bini", "bin"),
        ("tigrinja", "ti"),
        ("Tigrinya", "ti"),
        ("ti", "ti"),
        ("farsi", "prs"),  # Dari is Afghanistan's Persian; both are called farsi, Dari first in the list
        ("persisk", "fa"),
        ("engelsk", "en"),
        ("English", "en"),
        ("rumensk", "ro"),
        ("sorani", "ckb"),
        ("Walloon", "wa"),
    ],
)
@pytest.mark.parametrize("lang", ["nb", "en"])
def test_a_language_is_found_by_its_name_in_either_language_or_its_code(typed, code, lang):
    assert codes.find_languages(typed, lang)[0] == code


def test_names_are_cldrs_short_common_names():
    assert codes.country_name("SY", "nb") == "Syria"
    assert codes.country_name("RU", "nb") == "Russland"
    assert codes.country_name("US", "nb") == "USA"
    assert codes.country_name("US", "en") == "United States"
    assert codes.country_name("NO", "nb") == "Norge" and codes.country_name("NO", "en") == "Norway"
    assert codes.country_name("ng") == codes.country_name("NG")
    assert codes.country_name("QQ") == "QQ"  # unknown: the code as stored


@pytest.mark.parametrize(
    ("code", "nb", "en"),
    [
        ("nb", "Norsk bokmål", "Norwegian Bokmål"),
        ("en", "Engelsk", "English"),
        ("fa", "Persisk", "Persian"),
        ("prs", "Dari", "Dari"),
        ("ti", "Tigrinja", "Tigrinya"),
        ("so", "Somali", "Somali"),
        ("pcm", "Nigeriansk pidginspråk", "Nigerian Pidgin"),
        ("bin", "Edo (bini)", "Edo (Bini)"),
        ("wa", "Vallonsk", "Walloon"),
        ("tir", "Tigrinja", "Tigrinya"),  # ISO 639-3 codes stored before keep their names
        ("yor", "Joruba", "Yoruba"),
        ("ish", "Esan", "Esan"),  # not in CLDR: the ISO 639-3 register's name
    ],
)
def test_language_labels_in_bokmal_and_english(code, nb, en):
    assert codes.language_name(code, "nb") == nb
    assert codes.language_name(code, "en") == en
    with translation.override("nb"):
        assert codes.language_name(code) == nb
    with translation.override("en"):
        assert codes.language_name(code) == en


MAJOR = "en ro bg ru uk vi zh ar fa fr es pt pl lt lv et am sq tr sr hr cs sk hu ti yo ig de it nl el ku"


@pytest.mark.parametrize("code", MAJOR.split())
def test_no_major_language_has_its_english_name_in_the_bokmal_list(code):
    bokmal = dict(codes.language_choices("nb"))[code]
    assert bokmal.casefold() != codes.language_name(code, "en").casefold()


def test_walloon_is_not_vietnamese_and_no_two_languages_share_a_label():
    labels = dict(codes.language_choices("nb"))
    assert labels["wa"] == "Vallonsk" and labels["vi"] == "Vietnamesisk"
    for lang in ("nb", "en"):
        names = [name for _code, name in codes.language_choices(lang)]
        assert len(names) == len(set(names)), lang


def test_caseload_languages_come_first_and_every_other_cldr_language_after():
    common, other = codes.language_choice_groups("nb")
    common_codes = [c for c, _n in common[1]]
    assert set(common_codes) == set(codes.CASELOAD_LANGUAGES)
    assert {"prs", "pcm", "bin", "ti", "nb", "nn", "tl", "fil", "ckb", "tw"} <= set(common_codes)
    other_codes = {c for c, _n in other[1]}
    assert not other_codes & set(common_codes)
    assert {"wa", "de", "se", "sma"} <= other_codes
    assert len(common_codes) + len(other_codes) == len(codes.language_choices("nb")) > 550
    assert common[0] == "Språk som ofte trengs" and other[0] == "Andre språk"
    assert codes.language_choice_groups("en")[0][0] == "Languages often needed"


def test_lists_are_in_the_languages_alphabetical_order():
    nb = [name for _c, name in codes.country_choices("nb")]
    assert nb.index("Zimbabwe") < nb.index("Øst-Timor") < nb.index("Østerrike") < nb.index("Åland")
    assert nb.index("Elfenbenskysten") < nb.index("Estland")
    en = [name for _c, name in codes.country_choices("en")]
    assert en.index("Åland Islands") < en.index("Albania")  # accents do not count in English
    with translation.override("nb"):
        assert dict(codes.country_choices())["DE"] == "Tyskland"


def test_codes_kept_as_stored_and_validated():
    countries = {c for c, _n in codes.country_choices()}
    assert len(countries) == 250 and "XK" in countries  # ISO 3166-1's 249 and Kosovo
    assert not countries & {"EU", "UN", "ZZ", "XA", "AC", "IC"}
    assert codes.is_country("ng") and codes.is_country("XK") and not codes.is_country("EU")
    assert not codes.is_country("NOR") and not codes.is_country("")
    for code in (
        "nb",
        "nn",
        "no",
        "en",
        "ro",
        "prs",
        "pcm",
        "bin",
        "ti",
        "tir",
        "yor",
        "fil",
        "ckb",
        "ish",
        "RO",
    ):
        assert codes.is_language(code), code
        validate_language(code)
    for code in ("zz", "", "e", "engl", "fa_AF", "f1"):
        assert not codes.is_language(code), code
    assert not {"und", "mul", "zxx"} & set(dict(codes.language_choices()))  # ISO 639 codes, not languages


def test_every_code_of_a_picker_is_valid_and_named():
    for lang in ("nb", "en"):
        for code, name in codes.country_choices(lang):
            assert codes.is_country(code) and name and name != code
        for code, name in codes.language_choices(lang):
            assert codes.is_language(code) and name and name != code


def test_search_names_fold_case_and_accents():
    assert codes.fold("  Østerrike ") == "osterrike"
    assert codes.fold("Türkiye") == "turkiye"
    assert codes.fold("Côte d’Ivoire") == "cote d'ivoire"
    assert codes.search_names("country", "US")[:2] == ("usa", "united states")
    assert "edo (bini)" in codes.search_names("language", "bin")
    assert codes.find_countries("", "nb") == [] and codes.find_countries("qqqq", "nb") == []
