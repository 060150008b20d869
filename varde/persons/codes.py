"""ISO 3166 countries and ISO 639 languages from pycountry, named in Norwegian Bokmål or English."""

from __future__ import annotations

import gettext
from functools import cache

import pycountry
from django.utils import translation


@cache
def _translator(domain: str, lang: str) -> gettext.NullTranslations:
    if lang == "en":
        return gettext.NullTranslations()
    return gettext.translation(domain, pycountry.LOCALES_DIR, languages=[lang], fallback=True)


def _lang() -> str:
    code = (translation.get_language() or "nb").split("-")[0]
    return "nb" if code in {"nb", "no", "nn"} else "en"


def country_name(code: str, lang: str | None = None) -> str:
    country = pycountry.countries.get(alpha_2=code.upper()) if code else None
    if country is None:
        return code
    return _translator("iso3166-1", lang or _lang()).gettext(country.name)


def language_name(code: str, lang: str | None = None) -> str:
    language = (
        pycountry.languages.get(alpha_2=code) or pycountry.languages.get(alpha_3=code) if code else None
    )
    if language is None:
        return code
    return _translator("iso639-3", lang or _lang()).gettext(language.name)


def is_country(code: str) -> bool:
    return bool(code) and len(code) == 2 and pycountry.countries.get(alpha_2=code.upper()) is not None


def is_language(code: str) -> bool:
    if not code:
        return False
    if len(code) == 2:
        return pycountry.languages.get(alpha_2=code.lower()) is not None
    return len(code) == 3 and pycountry.languages.get(alpha_3=code.lower()) is not None


def country_choices(lang: str | None = None) -> list[tuple[str, str]]:
    lang = lang or _lang()
    return sorted(
        ((c.alpha_2, country_name(c.alpha_2, lang)) for c in pycountry.countries), key=lambda x: x[1]
    )


def language_choices(lang: str | None = None) -> list[tuple[str, str]]:
    lang = lang or _lang()
    items = [
        (lg.alpha_2, language_name(lg.alpha_2, lang)) for lg in pycountry.languages if hasattr(lg, "alpha_2")
    ]
    return sorted(items, key=lambda x: x[1])
