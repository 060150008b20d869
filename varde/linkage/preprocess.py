"""Domain preprocessing for record linkage: pure functions, no database, no network.

What a caseworker writes down about the same person differs between agencies in predictable ways.
Each helper here removes one kind of difference so that the probabilistic model compares like
with like:

- scripts and diacritics: Cyrillic -> Latin, "Nguyễn" -> "nguyen" (unidecode, then a-z only);
- transliteration variants: Mohamed / Mohammed / Muhammad, Yelena / Elena / Olena -> one canonical
  spelling from a small table, and a coarse phonetic key per name part for everything else;
- name order: family name first or last -> names are compared as order-free *sets* of parts;
- multi-part names: every part is kept, so "Maria Elena Popescu" still shares two parts with
  "Maria Popescu";
- phones: digits only, with the country code (Norwegian 8-digit numbers get 47);
- document numbers: upper-case letters and digits only;
- an estimated age -> a birth-year range relative to the referral date;
- a birth date of 1 January is often a default: weak evidence, and its year is widened;
- day and month swapped: the swapped reading is kept beside the date.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import re
import shutil
import tempfile
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc
from unidecode import unidecode

from .io import INTERCHANGE_COLUMNS

# Particles that are part of a name as written but carry little identity ("al-", "bin", "van").
PARTICLES = frozenset(
    {
        "al",
        "el",
        "bin",
        "ibn",
        "bint",
        "abu",
        "de",
        "da",
        "di",
        "van",
        "von",
        "der",
        "le",
        "la",
        "thi",
        "ould",
        "ben",
    }
)

# Transliteration variant groups: every spelling on the right reads as the canonical one on the left.
# Only groups where a generic phonetic key fails or is too coarse; the phonetic key does the rest.
_VARIANT_GROUPS: dict[str, tuple[str, ...]] = {
    "muhammad": (
        "mohamed",
        "mohammed",
        "mohammad",
        "mohamad",
        "muhammed",
        "muhamed",
        "mohamud",
        "mahamed",
        "mohamet",
        "mouhamed",
        "mohammod",
        "muhamad",
        "mohd",
        "mhd",
        "mamadou",
    ),
    "ahmad": ("ahmed", "ahmet", "achmed", "ahmat"),
    "husayn": ("hussein", "hussain", "husain", "husein", "hossein", "hosein"),
    "yusuf": ("yousef", "youssef", "yousuf", "yusef", "jusuf", "yosef", "yussuf"),
    "abd": ("abdul", "abdel", "abdoul", "abdal"),
    "fatima": ("fatma", "fatimah", "fatuma", "fatoumata"),
    "aisha": ("aysha", "ayesha", "aicha", "aishah", "ayisha"),
    "khadija": ("khadijah", "kadija", "hadija", "chadija", "khadidja"),
    "mariya": ("maria", "marija", "mariia", "mariya"),
    "natalya": ("natalia", "nataliya", "natalja", "natalija", "nataliia"),
    "yelena": ("elena", "olena", "jelena", "yelena", "helena"),
    "yekaterina": ("ekaterina", "katerina", "kateryna", "yekaterina", "jekaterina"),
    "aleksandr": ("alexander", "aleksander", "oleksandr", "alexandr", "aleksandar", "alexandru"),
    "sergey": ("sergei", "serhii", "serhiy", "sergej", "sergiy", "sergii"),
    "tatyana": ("tatiana", "tetiana", "tetyana", "tatjana", "tatiana"),
    "yuliya": ("yulia", "yuliia", "julia", "julija", "iuliia", "iulia"),
    "olga": ("olha", "olgha", "olga"),
    "irina": ("iryna", "irena", "irina"),
    "svetlana": ("svitlana", "swetlana"),
    "andrey": ("andrei", "andrii", "andriy", "andrej"),
    "dmitriy": ("dmitri", "dmitry", "dmytro", "dimitri", "dimitar", "dmitrij"),
    "nguyen": ("nguyen", "ngyuen", "nguen", "nguyan"),
    "osagie": ("osagie", "osagiede"),
    "oluwaseun": ("oluwaseun", "seun"),
    "chukwu": ("chukwu", "chuku"),
    "ivanova": ("ivanova", "ivanowa"),
    "georgi": ("georgi", "georgiy", "george", "gheorghe", "georgios"),
}
VARIANTS: dict[str, str] = {
    spelling: canonical
    for canonical, spellings in _VARIANT_GROUPS.items()
    for spelling in (*spellings, canonical)
}

_NON_LETTERS = re.compile(r"[^a-z]+")
_NON_ALNUM = re.compile(r"[^A-Z0-9]+")
_NON_DIGITS = re.compile(r"\D+")

# Estimated ages are rarely within a year; a child said to be 15 may be 13 or 18.
ESTIMATE_MARGIN_YEARS = 3
# A 1 January birth date is often written when only the year (itself an estimate) is known.
JAN1_MARGIN_YEARS = 2
# Norwegian mobile and landline numbers: 8 digits, no trunk prefix.
NORWAY_CC = "47"


@lru_cache(maxsize=200_000)
def fold(text: str) -> str:
    """Any script -> lower-case ASCII letters and single spaces ("Нгуен-Ван" -> "nguen van")."""
    ascii_text = unidecode(text or "").lower().replace("'", "").replace("`", "")
    return _NON_LETTERS.sub(" ", ascii_text).strip()


@lru_cache(maxsize=200_000)
def canonical_part(part: str) -> str:
    """One folded name part -> its canonical spelling (transliteration variants collapse)."""
    return VARIANTS.get(part, part)


_KEY_REPLACEMENTS: tuple[tuple[str, str], ...] = (
    ("tch", "c"),
    ("sch", "s"),
    ("ph", "f"),
    ("kh", "h"),
    ("gh", "g"),
    ("sh", "s"),
    ("ch", "c"),
    ("zh", "j"),
    ("th", "t"),
    ("dh", "d"),
    ("ck", "k"),
    ("ks", "x"),
    ("q", "k"),
    ("c", "k"),
    ("z", "s"),
    ("w", "v"),
    ("j", "y"),
    ("ou", "u"),
    ("oo", "u"),
    ("ee", "i"),
    ("ie", "i"),
)


@lru_cache(maxsize=200_000)
def phonetic_key(part: str) -> str:
    """A coarse, script-neutral sound key for one canonical name part.

    Spelling families converge: "yelena"/"elena" -> "aln", "mohamed" -> canonical -> "mhmd",
    "osarumen"/"osarumwen" -> "asrmn". First letter kept (vowels as "a"), then consonants only,
    repeated letters collapsed. Coarse on purpose: it feeds blocking and a middle comparison level,
    never a decision on its own.
    """
    s = canonical_part(part)
    for old, new in _KEY_REPLACEMENTS:
        s = s.replace(old, new)
    if not s:
        return ""
    s = s.replace("y", "i")
    first = "a" if s[0] in "aeiou" else s[0]
    rest = "".join(ch for ch in s[1:] if ch not in "aeiouh")  # a written "h" comes and goes
    key = first + rest
    collapsed = [key[0]]
    for ch in key[1:]:
        if ch != collapsed[-1]:
            collapsed.append(ch)
    return "".join(collapsed)


def name_parts(*names: str | None) -> list[str]:
    """Given and family name(s) in any order and script -> canonical parts, particles dropped."""
    parts: list[str] = []
    for name in names:
        for raw in fold(name or "").split():
            if len(raw) < 2 and parts:
                continue  # an initial carries almost nothing once other parts are known
            part = canonical_part(raw)
            if part in PARTICLES or part in parts:
                continue  # "Anna Anna" is one part written twice
            parts.append(part)
    return parts


@dataclass(frozen=True)
class NameFeatures:  # cached and shared between records: never mutate the lists
    sorted_parts: str | None  # "blessing okafor" for both "Okafor Blessing" and "Blessing OKAFOR"
    keys: list[str]  # sorted, unique phonetic keys of the parts
    key_string: str | None  # keys joined: an order-free sound signature of the whole name
    key_pairs: list[str]  # every pair of keys: the hint's candidates (names with extra or missing parts)
    # the same pairs from 3-letter key prefixes, for batch blocking: a typo late in a name still blocks
    # (the full pairs would add few pairs these do not)
    short_pairs: list[str]


@lru_cache(maxsize=500_000)
def name_features(given: str | None, family: str | None) -> NameFeatures:
    parts = name_parts(given, family)
    if not parts:
        return NameFeatures(None, [], None, [], [])
    keys = sorted({k for k in (phonetic_key(p) for p in parts) if k})
    return NameFeatures(
        " ".join(sorted(parts)),
        keys,
        "|".join(keys) or None,
        _pairs(keys),
        _pairs(sorted({k[:3] for k in keys})),
    )


def _pairs(keys: list[str]) -> list[str]:
    return [f"{a}|{b}" for i, a in enumerate(keys) for b in keys[i + 1 :]] or list(keys)


@lru_cache(maxsize=500_000)
def normalise_phone(raw: str | None) -> str | None:
    """Digits with the country code: "+47 912 34 567", "0047 91234567", "91234567" -> "4791234567"."""
    if not raw:
        return None
    text = raw.strip()
    digits = _NON_DIGITS.sub("", text)
    if not digits:
        return None
    if text.startswith("+"):
        pass
    elif digits.startswith("00"):
        digits = digits[2:]
    elif len(digits) == 8 and digits[0] in "23456789":
        digits = NORWAY_CC + digits
    elif digits.startswith("0") and len(digits) > 8:
        digits = digits.lstrip("0")  # a national trunk prefix; the country code is unknown
    return digits if len(digits) >= 6 else None


PHONE_MATCH_DIGITS = 8


def phone_match_key(normalised: str | None) -> str | None:
    """The last 8 digits: the same number with and without its country code (or trunk 0) agree."""
    return normalised[-PHONE_MATCH_DIGITS:] if normalised else None


@lru_cache(maxsize=500_000)
def normalise_document(raw: str | None) -> str | None:
    """Upper-case letters and digits only: "ab 123-4567" -> "AB1234567"; too short to mean anything -> None."""
    if not raw:
        return None
    value = _NON_ALNUM.sub("", unidecode(raw).upper())
    return value if len(value) >= 5 else None


@lru_cache(maxsize=100_000)
def parse_date(raw: str | None) -> dt.date | None:
    if not raw:
        return None
    try:
        return dt.date.fromisoformat(raw.strip()[:10])
    except ValueError:
        return None


def parse_int(raw: str | int | None) -> int | None:
    if raw is None or raw == "":
        return None
    try:
        return int(str(raw).strip())
    except ValueError:
        return None


@dataclass(frozen=True)
class BirthFeatures:
    dob: str | None  # ISO date as written
    dob_swapped: str | None  # the same date with day and month swapped, when that is a valid date
    dob_default: bool  # 1 January: probably a default, weak evidence
    year_lo: int | None  # the birth-year range the evidence allows
    year_hi: int | None
    exact: bool  # from a (non-default) written date, not an estimate


@lru_cache(maxsize=500_000)
def birth_features(
    date_of_birth: dt.date | None, estimated_age: int | None, referral_date: dt.date | None
) -> BirthFeatures:
    if date_of_birth is not None:
        swapped: str | None = None
        if date_of_birth.day <= 12 and date_of_birth.day != date_of_birth.month:
            swapped = dt.date(date_of_birth.year, date_of_birth.day, date_of_birth.month).isoformat()
        default = date_of_birth.month == 1 and date_of_birth.day == 1
        margin = JAN1_MARGIN_YEARS if default else 0
        return BirthFeatures(
            date_of_birth.isoformat(),
            swapped,
            default,
            date_of_birth.year - margin,
            date_of_birth.year + margin,
            not default,
        )
    if estimated_age is not None and referral_date is not None and 0 <= estimated_age <= 110:
        lo, hi = estimate_to_year_range(estimated_age, referral_date)
        return BirthFeatures(None, None, False, lo, hi, False)
    return BirthFeatures(None, None, False, None, None, False)


_EPOCH = dt.date(1970, 1, 1)


def referral_day(referral: dt.date | None) -> int | None:
    """The referral date as a day number, so that both engines compare dates with plain arithmetic."""
    return (referral - _EPOCH).days if referral else None


def estimate_to_year_range(
    estimated_age: int, referral_date: dt.date, margin: int = ESTIMATE_MARGIN_YEARS
) -> tuple[int, int]:
    """Someone estimated to be A on date D was born in year D.year-A-1 or D.year-A; widened by the margin."""
    born_latest = referral_date.year - estimated_age
    return born_latest - 1 - margin, born_latest + margin


def normalise_sex(raw: str | None) -> str | None:
    value = (raw or "").strip().upper()[:1]
    return value if value in {"F", "M"} else None


def normalise_country(raw: str | None) -> str | None:
    value = (raw or "").strip().upper()
    return value if len(value) == 2 and value.isalpha() else None


# The columns of a prepared record, in order; `uid` is the row number (the model's unique id).
FEATURE_COLUMNS: tuple[str, ...] = (
    "uid",
    "record_id",
    "agency",
    "referral_date",
    "ref_day",
    "name_sorted",
    "name_keys",
    "name_keystr",
    "name_key_pairs",
    "name_short_pairs",
    "sex",
    "nationality",
    "phone",
    "document",
    "dob",
    "dob_swapped",
    "dob_default",
    "by_lo",
    "by_hi",
    "by_exact",
)


def prepare_record(uid: int, row: Mapping[str, str | None]) -> dict[str, object]:
    """One interchange row -> the model's feature row. Unreadable values become missing, never errors."""
    referral = parse_date(row.get("referral_date"))
    name = name_features(row.get("given_name"), row.get("family_name"))
    birth = birth_features(
        parse_date(row.get("date_of_birth")), parse_int(row.get("estimated_age")), referral
    )
    return {
        "uid": uid,
        "record_id": str(row.get("record_id") or ""),
        "agency": (row.get("reporting_agency") or "").strip(),
        "referral_date": referral.isoformat() if referral else None,
        "ref_day": referral_day(referral),
        "name_sorted": name.sorted_parts,
        "name_keys": name.keys,
        "name_keystr": name.key_string,
        "name_key_pairs": name.key_pairs,
        "name_short_pairs": name.short_pairs,
        "sex": normalise_sex(row.get("sex")),
        "nationality": normalise_country(row.get("nationality")),
        "phone": phone_match_key(normalise_phone(row.get("phone"))),
        "document": normalise_document(row.get("id_document_number")),
        "dob": birth.dob,
        "dob_swapped": birth.dob_swapped,
        "dob_default": birth.dob_default,
        "by_lo": birth.year_lo,
        "by_hi": birth.year_hi,
        "by_exact": birth.exact,
    }


def prepare_records(rows: Iterable[Mapping[str, str | None]]) -> list[dict[str, object]]:
    return [prepare_record(i, row) for i, row in enumerate(rows)]


# --- blocking keys ----------------------------------------------------------------------------------
#
# Which pairs get scored at all. Every record gets a list of keys; two records are compared when they
# share one (one exploded blocking rule on both engines). A whole-name signature whose block would
# hold more than `max_block` records - a common name in a large caseload - is narrowed to the
# birth-year window (two offset grids, so two records whose birth years are centred within three
# years always share a window); if even the window is crowded, the key is dropped and the pair needs a
# sharper key (a shared phone, document or exact birth date). A crowded key of name-part prefixes or a
# single part is dropped at once: windowed, they gave 15 % of the scored pairs at 100k records and
# under 1 % of the true pairs, which the model then mostly scored apart anyway. This keeps the number of scored pairs linear in the
# number of records: a record has at most `max_block` partners per key.

MAX_BLOCK = 40
SHARP_FACTOR = 4  # a phone, document or exact birth date key may be shared by this many times more records
_WINDOW = 12  # in units of (by_lo + by_hi), i.e. twice the centre year: windows six years wide


def blocking_columns(cols: Mapping[str, list[object]], max_block: int = MAX_BLOCK) -> list[list[str]]:
    """Per record, the blocking keys (see above). Deterministic, from the whole input."""
    from collections import Counter

    n = len(cols["uid"])
    centre2: list[int | None] = [
        None if lo is None or hi is None else int(lo) + int(hi)  # type: ignore[call-overload]
        for lo, hi in zip(cols["by_lo"], cols["by_hi"], strict=True)
    ]
    base: list[list[str]] = [[] for _ in range(n)]
    narrowable: list[list[str]] = [[] for _ in range(n)]
    for i in range(n):
        phone, document, dob = cols["phone"][i], cols["document"][i], cols["dob"][i]
        keys = base[i]
        if phone:
            keys.append(f"t:{phone}")
        if document:
            keys.append(f"d:{document}")
        if dob:
            keys.extend(f"b:{k}|{dob}" for k in cols["name_keys"][i])  # type: ignore[attr-defined]
        wide = narrowable[i]
        keystr = cols["name_keystr"][i]
        if keystr:
            wide.append(f"n:{keystr}")
        sex = cols["sex"][i] or ""
        wide.extend(f"s:{sex}{pair}" for pair in cols["name_short_pairs"][i])  # type: ignore[attr-defined]
        wide.extend(f"k:{key}" for key in cols["name_keys"][i])  # type: ignore[attr-defined]
    counts = Counter(k for keys in base for k in keys)
    counts.update(k for keys in narrowable for k in keys)
    windowed: list[list[str]] = [[] for _ in range(n)]
    for i in range(n):
        c2 = centre2[i]
        for key in narrowable[i]:
            if counts[key] <= max_block:
                base[i].append(key)
            elif c2 is not None and key[0] == "n":  # only whole-name signatures are narrowed
                windowed[i].append(f"{key}@a{c2 // _WINDOW}")
                windowed[i].append(f"{key}@b{(c2 + _WINDOW // 2) // _WINDOW}")
    wcounts = Counter(k for keys in windowed for k in keys)
    out: list[list[str]] = []
    for i in range(n):
        keys = [
            k for k in base[i] if counts[k] <= (max_block if k[0] not in "tdb" else SHARP_FACTOR * max_block)
        ]
        keys.extend(k for k in windowed[i] if wcounts[k] <= max_block)
        out.append(sorted(set(keys)))
    return out


def prepare_columns(rows: Iterable[Mapping[str, str | None]]) -> dict[str, list[object]]:
    """The same features as `prepare_record`, column by column (fast for large inputs)."""
    cols: dict[str, list[object]] = {name: [] for name in FEATURE_COLUMNS}
    append = {name: cols[name].append for name in FEATURE_COLUMNS}
    for uid, row in enumerate(rows):
        referral = parse_date(row.get("referral_date"))
        name = name_features(row.get("given_name"), row.get("family_name"))
        birth = birth_features(
            parse_date(row.get("date_of_birth")), parse_int(row.get("estimated_age")), referral
        )
        append["uid"](uid)
        append["record_id"](str(row.get("record_id") or ""))
        append["agency"]((row.get("reporting_agency") or "").strip())
        append["referral_date"](referral.isoformat() if referral else None)
        append["ref_day"](referral_day(referral))
        append["name_sorted"](name.sorted_parts)
        append["name_keys"](name.keys)
        append["name_keystr"](name.key_string)
        append["name_key_pairs"](name.key_pairs)
        append["name_short_pairs"](name.short_pairs)
        append["sex"](normalise_sex(row.get("sex")))
        append["nationality"](normalise_country(row.get("nationality")))
        append["phone"](phone_match_key(normalise_phone(row.get("phone"))))
        append["document"](normalise_document(row.get("id_document_number")))
        append["dob"](birth.dob)
        append["dob_swapped"](birth.dob_swapped)
        append["dob_default"](birth.dob_default)
        append["by_lo"](birth.year_lo)
        append["by_hi"](birth.year_hi)
        append["by_exact"](birth.exact)
    return cols


# --- vectorised preparation -------------------------------------------------------------------------
#
# The same features as `prepare_columns` (and so `prepare_record`), for large inputs: the Python
# normalisers above run once per *distinct* value (names, phones, documents and dates repeat a lot),
# the results are spread back to the rows by Arrow, and the arithmetic on birth and referral dates
# and the blocking-key explosion run in DuckDB. The normalisers stay the one definition of each
# feature; tests check that both paths agree.

_NAME_SEPARATOR = "\x00"


def _string_column(rows: Sequence[Mapping[str, object]], name: str) -> pa.Array:
    values = [row.get(name) for row in rows]
    try:
        return pa.array(values, pa.string())
    except (pa.ArrowTypeError, pa.ArrowInvalid):
        return pa.array([None if v is None else str(v) for v in values], pa.string())


def interchange_table(rows: Sequence[Mapping[str, object]] | pa.Table) -> pa.Table:
    """Interchange rows (dicts, or an Arrow table with the interchange columns) as an Arrow table of
    strings; a missing column is all nulls."""
    if isinstance(rows, pa.Table):
        n = rows.num_rows
        columns = {
            name: (
                rows.column(name).cast(pa.string()).combine_chunks()
                if name in rows.column_names
                else pa.nulls(n, pa.string())
            )
            for name in INTERCHANGE_FIELDS
        }
        return pa.table(columns)
    return pa.table({name: _string_column(rows, name) for name in INTERCHANGE_FIELDS})


# The interchange columns the model reads (the municipality plays no part in linkage).
INTERCHANGE_FIELDS: tuple[str, ...] = tuple(c for c in INTERCHANGE_COLUMNS if c != "municipality")


def _distinct_map(values: pa.Array, fn: Callable[[Any], Any], type_: pa.DataType) -> pa.Array:
    """`fn` applied once per distinct value (and once to null), spread back to every row."""
    encoded = (
        pc.dictionary_encode(values).combine_chunks()
        if isinstance(values, pa.ChunkedArray)
        else (pc.dictionary_encode(values))
    )
    distinct = encoded.dictionary.to_pylist()
    mapped = pa.array([fn(v) for v in distinct] + [fn(None)], type_)
    indices = pc.fill_null(encoded.indices, len(distinct))
    return mapped.take(indices)


def _estimate(raw: str | None) -> int | None:
    age = parse_int(raw)
    return age if age is not None and 0 <= age <= 110 else None  # others give no birth range


def _names(given: pa.Array, family: pa.Array) -> dict[str, pa.Array]:
    both = pc.binary_join_element_wise(pc.fill_null(given, ""), pc.fill_null(family, ""), _NAME_SEPARATOR)
    encoded = pc.dictionary_encode(both)
    features = [name_features(*v.split(_NAME_SEPARATOR, 1)) for v in encoded.dictionary.to_pylist()]
    strings, lists = pa.string(), pa.list_(pa.string())
    distinct = {
        "name_sorted": pa.array([f.sorted_parts for f in features], strings),
        "name_keys": pa.array([f.keys for f in features], lists),
        "name_keystr": pa.array([f.key_string for f in features], strings),
        "name_key_pairs": pa.array([f.key_pairs for f in features], lists),
        "name_short_pairs": pa.array([f.short_pairs for f in features], lists),
    }
    return {name: array.take(encoded.indices) for name, array in distinct.items()}


@contextlib.contextmanager
def private_duckdb(memory_limit: str | None = None) -> Iterator[Any]:
    """An in-memory DuckDB whose spill files (personal data) go to a private temporary directory that
    is removed afterwards (DuckDB's default is ".tmp" in the current directory)."""
    import duckdb

    con = duckdb.connect(":memory:")
    spill = tempfile.mkdtemp(prefix="varde-duckdb-")
    con.execute(f"SET temp_directory = '{spill}'")
    if memory_limit:
        con.execute(f"SET memory_limit = '{memory_limit}'")
    con.execute("SET preserve_insertion_order = false")
    try:
        yield con
    finally:
        con.close()
        shutil.rmtree(spill, ignore_errors=True)


# Birth and referral features from parsed dates: the SQL twin of `birth_features` / `referral_day`.
# Built from our own constants only (no input values), as is the blocking SQL: hence the S608 exemptions.
_FEATURES_SQL = f"""
SELECT uid, record_id, agency,
    CAST(referral AS VARCHAR) AS referral_date,
    CAST(date_diff('day', DATE '1970-01-01', referral) AS BIGINT) AS ref_day,
    name_sorted, name_keys, name_keystr, name_key_pairs, name_short_pairs,
    sex, nationality, phone, document,
    CAST(dob AS VARCHAR) AS dob,
    CASE WHEN dayofmonth(dob) <= 12 AND dayofmonth(dob) <> month(dob)
         THEN CAST(make_date(year(dob), dayofmonth(dob), month(dob)) AS VARCHAR) END AS dob_swapped,
    CASE WHEN dob IS NULL THEN false ELSE month(dob) = 1 AND dayofmonth(dob) = 1 END AS dob_default,
    CAST(CASE
        WHEN dob IS NOT NULL THEN year(dob)
            - CASE WHEN month(dob) = 1 AND dayofmonth(dob) = 1 THEN {JAN1_MARGIN_YEARS} ELSE 0 END
        WHEN estimate IS NOT NULL AND referral IS NOT NULL
            THEN year(referral) - estimate - 1 - {ESTIMATE_MARGIN_YEARS}
        END AS BIGINT) AS by_lo,
    CAST(CASE
        WHEN dob IS NOT NULL THEN year(dob)
            + CASE WHEN month(dob) = 1 AND dayofmonth(dob) = 1 THEN {JAN1_MARGIN_YEARS} ELSE 0 END
        WHEN estimate IS NOT NULL AND referral IS NOT NULL THEN year(referral) - estimate + {ESTIMATE_MARGIN_YEARS}
        END AS BIGINT) AS by_hi,
    coalesce(NOT (month(dob) = 1 AND dayofmonth(dob) = 1), false) AS by_exact
FROM varde_parsed
"""  # noqa: S608


def _blocking_sql(max_block: int) -> str:
    """The SQL twin of `blocking_columns` over the table `varde_features`."""
    sharp = SHARP_FACTOR * int(max_block)
    max_block = int(max_block)
    return f"""
WITH keyed AS (
    SELECT uid, 't:' || phone AS k, false AS narrow FROM varde_features WHERE phone IS NOT NULL
    UNION ALL SELECT uid, 'd:' || document, false FROM varde_features WHERE document IS NOT NULL
    UNION ALL SELECT uid, 'b:' || unnest(name_keys) || '|' || dob, false FROM varde_features
        WHERE dob IS NOT NULL
    UNION ALL SELECT uid, 'n:' || name_keystr, true FROM varde_features WHERE name_keystr IS NOT NULL
    UNION ALL SELECT uid, 's:' || coalesce(sex, '') || unnest(name_short_pairs), true FROM varde_features
    UNION ALL SELECT uid, 'k:' || unnest(name_keys), true FROM varde_features
),
counted AS (SELECT uid, k, narrow, count(*) OVER (PARTITION BY k) AS n FROM keyed),
plain AS (
    SELECT uid, k FROM counted WHERE n <= CASE WHEN narrow THEN {max_block} ELSE {sharp} END
),
windows AS (
    SELECT c.uid, c.k || w.grid || CAST((f.by_lo + f.by_hi + w.shift) // {_WINDOW} AS VARCHAR) AS k
    FROM counted c JOIN varde_features f USING (uid),
        (VALUES ('@a', 0), ('@b', {_WINDOW // 2})) w(grid, shift)
    WHERE c.narrow AND c.n > {max_block} AND starts_with(c.k, 'n:')
        AND f.by_lo IS NOT NULL AND f.by_hi IS NOT NULL
),
narrowed AS (
    SELECT uid, k FROM (SELECT uid, k, count(*) OVER (PARTITION BY k) AS n FROM windows)
    WHERE n <= {max_block}
),
everything AS (SELECT uid, k FROM plain UNION ALL SELECT uid, k FROM narrowed),
per_record AS (SELECT uid, list_sort(list_distinct(list(k))) AS blk FROM everything GROUP BY uid)
SELECT f.*, coalesce(p.blk, []::VARCHAR[]) AS blk
FROM varde_features f LEFT JOIN per_record p USING (uid)
ORDER BY f.uid
"""  # noqa: S608


def prepare_table(
    rows: Sequence[Mapping[str, object]] | pa.Table,
    *,
    blocking: bool = True,
    max_block: int = MAX_BLOCK,
    con: Any | None = None,
    replace: Mapping[str, pa.Array] | None = None,
) -> pa.Table:
    """Interchange rows -> the model's feature table (`FEATURE_COLUMNS`, plus `blk`, the blocking keys
    of `blocking_columns`, when `blocking`). The same values as `prepare_columns`, much faster.

    `replace`: prepared columns given from outside (per record), used as they are: privacy-preserving
    linkage gives `phone` and `document` as digests of their keyed encodings (`pprl.prepare_batch`)."""
    raw = interchange_table(rows)
    n = raw.num_rows
    strings = pa.string()
    parsed = pa.table(
        {
            "uid": pa.array(range(n), pa.int64()),
            "record_id": pc.fill_null(raw.column("record_id"), "").combine_chunks(),
            "agency": _distinct_map(raw.column("reporting_agency"), lambda v: (v or "").strip(), strings),
            "referral": _distinct_map(raw.column("referral_date"), parse_date, pa.date32()),
            **_names(raw.column("given_name").combine_chunks(), raw.column("family_name").combine_chunks()),
            "sex": _distinct_map(raw.column("sex"), normalise_sex, strings),
            "nationality": _distinct_map(raw.column("nationality"), normalise_country, strings),
            "phone": _distinct_map(
                raw.column("phone"), lambda v: phone_match_key(normalise_phone(v)), strings
            ),
            "document": _distinct_map(raw.column("id_document_number"), normalise_document, strings),
            "dob": _distinct_map(raw.column("date_of_birth"), parse_date, pa.date32()),
            "estimate": _distinct_map(raw.column("estimated_age"), _estimate, pa.int64()),
        }
    )
    del raw
    for name, column in (replace or {}).items():
        parsed = parsed.set_column(parsed.schema.get_field_index(name), name, column)
    with contextlib.ExitStack() as stack:
        db = con if con is not None else stack.enter_context(private_duckdb())
        db.register("varde_parsed", parsed)
        try:
            db.execute(f"CREATE OR REPLACE TEMP TABLE varde_features AS {_FEATURES_SQL}")  # noqa: S608
            db.unregister("varde_parsed")
            del parsed
            sql = _blocking_sql(max_block) if blocking else "SELECT * FROM varde_features ORDER BY uid"
            table = db.sql(sql).to_arrow_table()
        finally:
            db.execute("DROP TABLE IF EXISTS varde_features")
    return table.select([*FEATURE_COLUMNS, *(["blk"] if blocking else [])])
