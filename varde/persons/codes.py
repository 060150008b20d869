"""Countries and languages: the codes stored, and their names in Norwegian Bokmål and English.

The names are the Unicode CLDR's (through Babel): the short, common names people use ("Syria",
"Russland", "USA"), not the long official ones. The codes stored stay as they have always been:

- countries: ISO 3166-1 alpha-2 ("NG"), plus XK for Kosovo (a code reserved for it and used by the
  EU, Eurostat and CLDR; Kosovo has no ISO code of its own);
- languages: ISO 639-1 where a language has one ("ro"), otherwise ISO 639-3 ("prs", "pcm", "bin"),
  CLDR's own rule for its language codes. An ISO 639-3 code accepted before (e.g. "tir", "yor", from
  the API or a CSV import) is still accepted and named, through CLDR's aliases or, for a language
  CLDR does not name (e.g. Esan, "ish"), through the ISO 639-3 register in pycountry.

The pickers are searchable by either language's name, a few common other names, and the code
(`search_names`, `find_countries`, `find_languages`); the page's script (varde.js) ranks matches
the same way as `_rank` here.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Mapping
from functools import cache
from typing import Literal

import pycountry
from babel import Locale
from babel.core import get_global
from django.utils import translation
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _

Lang = Literal["nb", "en"]
Kind = Literal["country", "language"]

# CLDR territories that are not countries of nationality or issue: exceptional reservations
# (Ascension, Clipperton, Sark, Diego Garcia, Ceuta and Melilla, the Canary Islands, Tristan da
# Cunha), groupings (EU, the euro area, the UN, outlying Oceania), pseudo-locales and "unknown".
_NOT_COUNTRIES = frozenset(
    {"AC", "CP", "CQ", "DG", "EA", "IC", "TA", "EU", "EZ", "QO", "UN", "XA", "XB", "ZZ"}
)

# Other names people search for, in either language (search only; the label stays CLDR's).
_COUNTRY_ALSO = {
    "AE": ("UAE", "Emiratene"),
    "CD": ("DR Congo", "DRC", "Kongo-Kinshasa", "Congo-Kinshasa", "Den demokratiske republikken Kongo"),
    "CG": ("Congo-Brazzaville", "Republic of the Congo"),
    "CI": ("Ivory Coast",),
    "CV": ("Cape Verde",),
    "CZ": ("Czech Republic",),
    "GB": ("UK", "Great Britain", "Britain", "England", "Scotland", "Skottland", "Wales"),
    "MK": ("Macedonia", "Makedonia"),
    "MM": ("Burma",),
    "NL": ("Holland",),
    "PS": ("Palestine", "Palestina"),
    "RU": ("Russian Federation", "Den russiske føderasjon"),
    "SZ": ("Swaziland",),
    "TR": ("Turkey",),
    "US": ("US", "USA", "America", "Amerika", "United States of America"),
    "VA": ("Vatican",),
    "VN": ("Viet Nam",),
}

# Languages often needed in Norwegian trafficking cases (the nationalities and interpreting needs
# of the caseload): listed first in the picker, the rest of CLDR's languages after them.
CASELOAD_LANGUAGES = (
    "nb", "nn", "en", "ro", "bg", "ru", "uk", "vi", "zh", "th", "ar", "so", "ti", "prs", "fa", "ps",
    "fr", "bin", "pcm", "am", "sq", "lt", "pl", "es", "pt", "tl", "fil", "ku", "ckb", "ur", "hi",
    "bn", "sw", "yo", "ig", "ha", "tw", "tr", "sr", "hr", "bs", "cs", "sk", "hu", "et", "lv", "rom",
)  # fmt: skip

# Codes whose CLDR name is kept under another key, or that Varde names itself.
_LANGUAGE_KEY = {"prs": "fa_AF"}  # Dari: CLDR names it as Persian of Afghanistan ("dari" / "Dari")
_LANGUAGE_NAME: dict[str, dict[Lang, str]] = {
    # CLDR names "bin" by its ISO 639 reference name, Bini ("bini"); the people of Benin City, their
    # interpreters and the caseworkers call it Edo. Both names, so that either finds it.
    "bin": {"nb": "edo (bini)", "en": "Edo (Bini)"},
}
_LANGUAGE_ALSO = {
    "bn": ("Bengali",),
    "ckb": ("Sorani",),
    "fa": ("Farsi",),
    "ff": ("Fulani", "Pulaar"),
    "fil": ("Tagalog",),
    "ku": ("Kurmanji",),
    "pcm": ("Pidgin", "Pidgin English", "Naija"),
    "prs": ("Farsi",),
    "ps": ("Pushto",),
    "ro": ("Moldovan", "moldovsk"),
    "rom": ("Romani",),
    "ti": ("Tigrigna",),
    "tl": ("Filipino",),
    "zh": ("Mandarin",),
    "yue": ("Cantonese",),
}
# ISO 639 "special" codes: valid, but nothing to choose for a person.
_NOT_LANGUAGES = frozenset({"mis", "mul", "und", "zxx"})


def _lang() -> Lang:
    code = (translation.get_language() or "nb").split("-")[0]
    return "nb" if code in {"nb", "no", "nn"} else "en"


@cache
def _cldr(lang: Lang) -> Locale:
    return Locale.parse(lang)


def _keys(names: Mapping[str | int | None, object]) -> set[str]:
    """A CLDR name table's codes (Babel types its keys loosely)."""
    return {k for k in names if isinstance(k, str)}


@cache
def _country_codes() -> frozenset[str]:
    codes = _keys(_cldr("en").territories)
    return frozenset(c for c in codes if len(c) == 2 and c.isalpha() and c not in _NOT_COUNTRIES)


@cache
def _language_codes() -> frozenset[str]:
    """Every language CLDR names in Bokmål or English (no regional variants), and Dari."""
    named = _keys(_cldr("nb").languages) | _keys(_cldr("en").languages)
    return frozenset({c for c in named if "_" not in c} - _NOT_LANGUAGES | set(_LANGUAGE_KEY))


@cache
def _picker_languages() -> frozenset[str]:
    """The languages offered: those CLDR names in Bokmål (a dozen it names only in English are left
    out of the list, still accepted and named), and those Varde names itself."""
    named = {c for c in _keys(_cldr("nb").languages) if "_" not in c} - _NOT_LANGUAGES
    return frozenset(named | set(_LANGUAGE_KEY) | set(_LANGUAGE_NAME))


@cache
def _language_aliases() -> Mapping[str, str]:
    """Three-letter ISO 639-2/639-3 codes CLDR maps to a language it names ("tir" -> "ti")."""
    known = _language_codes() | set(_LANGUAGE_KEY.values())
    aliases: Mapping[str, str] = get_global("language_aliases")
    return {k: v for k, v in aliases.items() if len(k) == 3 and k.isalpha() and v in known}


def _iso639(code: str) -> str | None:
    """The English name in the ISO 639-3 register (pycountry), for codes CLDR does not name."""
    found = pycountry.languages.get(alpha_2=code) if len(code) == 2 else pycountry.languages.get(alpha_3=code)
    return str(found.name) if found is not None else None


def country_name(code: str, lang: str | None = None) -> str:
    key = code.upper() if code else ""
    if key not in _country_codes():
        return code
    return str(_cldr(_as_lang(lang)).territories[key])


def language_name(code: str, lang: str | None = None) -> str:
    """The language's name as a label ("Rumensk", "Nigeriansk pidginspråk"); the code if unknown."""
    if not code:
        return code
    return _language_label(code.lower(), _as_lang(lang)) or code


@cache
def _language_label(code: str, lang: Lang) -> str | None:
    own = _LANGUAGE_NAME.get(code)
    if own is not None:
        return capfirst(own[lang])
    key = _LANGUAGE_KEY.get(code) or _language_aliases().get(code) or code
    for source in (lang, "en"):
        # Every language CLDR names in Bokmål it also names in English; English is the fallback for
        # the few it names in English alone (those are not offered in the pickers).
        name = _cldr(source).languages.get(key)
        if name:
            return capfirst(str(name))
    # Not in CLDR: the register's English name (pycountry's Bokmål translations of ISO 639-3 are
    # unreliable: they named Walloon "Vietnamesisk").
    iso = _iso639(code)
    return capfirst(iso) if iso else None


def is_country(code: str) -> bool:
    return bool(code) and len(code) == 2 and code.upper() in _country_codes()


def is_language(code: str) -> bool:
    if not code or len(code) not in (2, 3) or not (code.isascii() and code.isalpha()):
        return False
    c = code.lower()
    return c in _language_codes() or c in _language_aliases() or _iso639(c) is not None


def _as_lang(lang: str | None) -> Lang:
    return "en" if (lang or _lang()).startswith("en") else "nb"


# --- ordering and searching -----------------------------------------------------------------------

_FOLD = str.maketrans({"ø": "o", "æ": "ae", "œ": "oe", "ß": "ss", "đ": "d", "ł": "l", "ı": "i", "’": "'"})
_NB_LAST = str.maketrans({"æ": "{", "ø": "|", "å": "}"})  # Norwegian order: ... z, æ, ø, å


def fold(text: str) -> str:
    """Lower case without accents, for searching: "Østerrike" -> "osterrike", "Türkiye" -> "turkiye".

    varde.js folds what is typed the same way.
    """
    decomposed = unicodedata.normalize("NFKD", text.casefold().translate(_FOLD))
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch)).strip()


def sort_key(label: str, lang: str) -> tuple[str, str]:
    """Alphabetical order of the language: Bokmål puts Æ, Ø and Å after Z; accents do not count."""
    text = label.casefold()
    if lang == "nb":
        text = text.translate(_NB_LAST)
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch)), label


@cache
def _country_choices(lang: Lang) -> tuple[tuple[str, str], ...]:
    items = ((c, country_name(c, lang)) for c in _country_codes())
    return tuple(sorted(items, key=lambda x: sort_key(x[1], lang)))


def country_choices(lang: str | None = None) -> list[tuple[str, str]]:
    """(code, name) of every country, in the alphabetical order of the language."""
    return list(_country_choices(_as_lang(lang)))


@cache
def _language_choices(lang: Lang, codes: frozenset[str]) -> tuple[tuple[str, str], ...]:
    items = ((c, language_name(c, lang)) for c in codes)
    return tuple(sorted(items, key=lambda x: sort_key(x[1], lang)))


def language_choices(lang: str | None = None) -> list[tuple[str, str]]:
    """(code, name) of every language offered, in the alphabetical order of the language."""
    return list(_language_choices(_as_lang(lang), _picker_languages()))


def language_choice_groups(lang: str | None = None) -> list[tuple[str, list[tuple[str, str]]]]:
    """The languages often needed in cases first, then all the others (choices with option groups)."""
    lg = _as_lang(lang)
    common = frozenset(CASELOAD_LANGUAGES)
    with translation.override(lg):
        return [
            (str(_("Languages often needed")), list(_language_choices(lg, common))),
            (str(_("Other languages")), list(_language_choices(lg, _picker_languages() - common))),
        ]


@cache
def search_names(kind: Kind, code: str) -> tuple[str, ...]:
    """Every name the entry is found by, folded: Bokmål, English, other common names (not the code)."""
    if kind == "country":
        names: Iterable[str] = (
            country_name(code, "nb"),
            country_name(code, "en"),
            *_COUNTRY_ALSO.get(code, ()),
        )
    else:
        names = (language_name(code, "nb"), language_name(code, "en"), *_LANGUAGE_ALSO.get(code, ()))
    return tuple(dict.fromkeys(fold(n) for n in names))


_WORDS = re.compile(r"[^0-9a-z]+")


def _rank(query: str, code: str, names: Iterable[str]) -> int | None:
    """0 the code itself, 1 a whole name, 2 the start of a name, 3 the start of a word, 4 inside."""
    if query == code.lower():
        return 0
    best: int | None = None
    for name in names:
        if name == query:
            return 1
        if name.startswith(query):
            rank = 2
        elif any(w.startswith(query) for w in _WORDS.split(name)):
            rank = 3
        elif query in name:
            rank = 4
        else:
            continue
        best = rank if best is None else min(best, rank)
    return best


def _find(kind: Kind, query: str, choices: list[tuple[str, str]]) -> list[str]:
    q = fold(query)
    if not q:
        return []
    ranked = []
    for position, (code, _label) in enumerate(choices):
        rank = _rank(q, code, search_names(kind, code))
        if rank is not None:
            ranked.append((rank, position, code))
    return [code for _r, _p, code in sorted(ranked)]


def find_countries(query: str, lang: str | None = None) -> list[str]:
    """Codes of the countries matching what was typed, best first ("USA", "Russland", "sy")."""
    return _find("country", query, country_choices(lang))


def find_languages(query: str, lang: str | None = None) -> list[str]:
    """Codes of the languages matching what was typed, best first ("Dari", "pidgin", "ti")."""
    in_picker_order = [item for _group, items in language_choice_groups(lang) for item in items]
    return _find("language", query, in_picker_order)
