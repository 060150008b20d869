"""Search keys: the case search (varde.access.search) finds a person by what was written down about
them through the linkage's own normalisation (varde.linkage.preprocess), so that a search finds the
spellings the linkage would link: "Mohamed" finds "Muhammad", "Нгуен" finds "Nguyen", "Okafor
Blessing" finds "Blessing Okafor", "912 34 567" finds "+47 91234567".

A person's keys are stored (varde.cases.models.PersonSearchKey, one row a key) and kept current like
the linkage's record keys: when a referral is reported or a name added (the events of
varde.linkage.handlers), and rebuilt whole by `search_keys_rebuild`. A key is a kind and a value:

    s:<sound key>   every name part's coarse phonetic key (transliteration variants, diacritics and
                    scripts fold together; `preprocess.phonetic_key`)
    w:<part>        every name part as written, folded to a-z (a prefix of three letters or more
                    finds it: "moh" finds "Mohammed")
    t:<8 digits>    every phone number: the last 8 digits of the normalised number, so that a number
                    with and without its country code agree (`preprocess.phone_match_key`)
    d:<A-Z0-9>      every identity document number and the national identity number
    b:<YYYY-MM-DD>  the birth date
    y:<YYYY>        birth years: the birth date's, or the two an estimated age allows

A search text is read as terms (`search_read`): every term must match the case (a name part, a phone
number, a document number, a birth date, an age, a birth year or a case reference). The whole text
is also tried as one phone number, one document number and one case reference, so that "KL 123 4567"
and "+47 912 34 567" find their number although they contain spaces.

Keys are personal data (as the names, numbers and dates they come from): they are read only through
the access layer, never shown, and go with the person (cascade; retention deletes them).
"""

from __future__ import annotations

import datetime as dt
import re
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from uuid import UUID

from django.db import transaction

from varde.cases.models import PersonSearchKey
from varde.persons.models import IdentityDocument, Person, PersonName, PhoneNumber

from .preprocess import (
    PARTICLES,
    canonical_part,
    fold,
    name_parts,
    normalise_document,
    normalise_phone,
    phone_match_key,
    phonetic_key,
)

KEY_MAX_LENGTH = 80
PREFIX_MIN = 3  # letters typed before a name part is searched by its beginning
MAX_TERMS = 8  # words of a search text read at most (the rest is ignored)
MAX_AGE = 120

SOUND, WRITTEN, PHONE, DOCUMENT, BIRTH_DATE, BIRTH_YEAR = "s:", "w:", "t:", "d:", "b:", "y:"

# What a term was read as, for the audit trail (codes only: never the text searched for).
NAME, PHONE_KIND, DOCUMENT_KIND, BIRTH_KIND, AGE_KIND, REFERENCE_KIND = (
    "name",
    "phone",
    "document",
    "birth_date",
    "age",
    "reference",
)

_DATE_ISO = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})$")
_DATE_NORWEGIAN = re.compile(r"^(\d{1,2})[./](\d{1,2})[./](\d{4})$")
_PHONE_TEXT = re.compile(r"^\+?[\d\s().-]+$")
_REFERENCE = re.compile(r"^V?(\d{2})-?([2-9A-HJ-NP-Z]{0,6})$")
_DIGITS = re.compile(r"\D+")


def _key(prefix: str, value: str) -> str:
    return (prefix + value)[:KEY_MAX_LENGTH]


# --- a person's stored keys ---------------------------------------------------------------------------


def name_keys(given: str | None, family: str | None) -> set[str]:
    """The keys of one name (every part, in any order): sound keys and the parts as written."""
    keys: set[str] = set()
    for name in (given, family):
        for raw in fold(name or "").split():
            if len(raw) >= 2:
                keys.add(_key(WRITTEN, raw))
    for part in name_parts(given, family):
        sound = phonetic_key(part)
        if sound:
            keys.add(_key(SOUND, sound))
    return keys


def birth_years(
    date_of_birth: dt.date | None, estimated_age: int | None, estimated_on: dt.date | None
) -> set[int]:
    """The birth year of a birth date, or the two years someone of the estimated age on that day may
    have been born in."""
    if date_of_birth is not None:
        return {date_of_birth.year}
    if estimated_age is not None and estimated_on is not None and 0 <= estimated_age <= MAX_AGE:
        latest = estimated_on.year - estimated_age
        return {latest - 1, latest}
    return set()


def person_search_keys(
    *,
    names: Iterable[tuple[str, str]] = (),
    phones: Iterable[str] = (),
    documents: Iterable[str] = (),
    national_id: str = "",
    date_of_birth: dt.date | None = None,
    estimated_age: int | None = None,
    estimated_on: dt.date | None = None,
) -> set[str]:
    """Every key of a person (see the module's docstring). Pure: no database."""
    keys: set[str] = set()
    for given, family in names:
        keys |= name_keys(given, family)
    for phone in phones:
        match = phone_match_key(normalise_phone(phone))
        if match:
            keys.add(_key(PHONE, match))
    for number in (*documents, national_id):
        document = normalise_document(number)
        if document:
            keys.add(_key(DOCUMENT, document))
    if date_of_birth is not None:
        keys.add(_key(BIRTH_DATE, date_of_birth.isoformat()))
    keys |= {_key(BIRTH_YEAR, str(year)) for year in birth_years(date_of_birth, estimated_age, estimated_on)}
    return keys


def identifier_keys(
    *, phones: Iterable[str] = (), documents: Iterable[str] = (), national_id: str = ""
) -> set[str]:
    """The exact keys of a person's phone numbers, document numbers and national identity number
    (as `person_search_keys` stores them). Pure: no database."""
    return person_search_keys(phones=phones, documents=documents, national_id=national_id)


def name_sound_keys(given: str | None, family: str | None) -> set[str]:
    """The sound keys of one name's parts (any order, script or spelling variant), as stored."""
    return {_key(SOUND, sound) for sound in (phonetic_key(p) for p in name_parts(given, family)) if sound}


def birth_year_keys(
    date_of_birth: dt.date | None, estimated_age: int | None, estimated_on: dt.date | None
) -> set[str]:
    """The birth-year keys a birth date or an estimated age allows, as stored."""
    return {_key(BIRTH_YEAR, str(year)) for year in birth_years(date_of_birth, estimated_age, estimated_on)}


# --- reading a search text ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Term:
    """One reading of a word (or of the whole text): it matches a case whose person has any of `keys`,
    a key beginning with one of `prefixes`, or whose reference begins with one of `references`."""

    kinds: frozenset[str]
    keys: frozenset[str] = frozenset()
    prefixes: frozenset[str] = frozenset()
    references: frozenset[str] = frozenset()

    @property
    def personal(self) -> bool:
        """Whether the term matches by personal data (anything but a case reference)."""
        return bool(self.keys or self.prefixes)

    def __or__(self, other: Term) -> Term:
        return Term(
            self.kinds | other.kinds,
            self.keys | other.keys,
            self.prefixes | other.prefixes,
            self.references | other.references,
        )


@dataclass(frozen=True)
class SearchText:
    """A search text as read: a case matches when it matches every one of `terms`, or any one of
    `whole` (the whole text read as one number or reference)."""

    terms: tuple[Term, ...] = ()
    whole: tuple[Term, ...] = ()
    kinds: frozenset[str] = field(default_factory=frozenset)

    @property
    def empty(self) -> bool:
        return not self.terms and not self.whole


def _date(text: str) -> dt.date | None:
    for pattern, order in ((_DATE_ISO, (1, 2, 3)), (_DATE_NORWEGIAN, (3, 2, 1))):
        m = pattern.match(text)
        if m:
            try:
                return dt.date(int(m.group(order[0])), int(m.group(order[1])), int(m.group(order[2])))
            except ValueError:
                return None
    return None


def _reference(text: str) -> str | None:
    """A case reference or its beginning ("v26-abc", "V26ABC234") as stored ("V26-ABC")."""
    m = _REFERENCE.match(text.upper())
    if not m or not text.upper().startswith("V"):
        return None
    return f"V{m.group(1)}-{m.group(2)}"


def _age_term(age: int, today: dt.date) -> Term:
    """Someone of `age` today was born this year minus the age, or the year before."""
    born = today.year - age
    return Term(frozenset({AGE_KIND}), keys=frozenset({_key(BIRTH_YEAR, str(y)) for y in (born - 1, born)}))


def _number_term(text: str) -> Term | None:
    """A word or text of digits (and phone punctuation): a phone number or a document number."""
    term = None
    match = phone_match_key(normalise_phone(text))
    if match and len(_DIGITS.sub("", text)) >= 8:
        term = Term(frozenset({PHONE_KIND}), keys=frozenset({_key(PHONE, match)}))
    document = normalise_document(text)
    if document:
        doc_term = Term(frozenset({DOCUMENT_KIND}), keys=frozenset({_key(DOCUMENT, document)}))
        term = doc_term if term is None else term | doc_term
    return term


def _word_term(word: str, today: dt.date) -> list[Term] | None:
    """The terms of one word: none for a word that carries nothing (an initial, a particle such as
    "al"), two for "al-Hassan-Ali"; None for a word that cannot be read (a number that is no age,
    year, phone or document number)."""
    birth = _date(word)
    if birth is not None:
        return [Term(frozenset({BIRTH_KIND}), keys=frozenset({_key(BIRTH_DATE, birth.isoformat())}))]
    digits = _DIGITS.sub("", word)
    letters = fold(word).replace(" ", "")
    reference = _reference(word)
    ref_term = Term(frozenset({REFERENCE_KIND}), references=frozenset({reference})) if reference else None
    if digits and not letters:
        if word.isdigit() and len(digits) <= 3:
            return [_age_term(int(digits), today)] if int(digits) <= MAX_AGE else None
        if word.isdigit() and len(digits) == 4 and 1900 <= int(digits) <= today.year:
            return [Term(frozenset({BIRTH_KIND}), keys=frozenset({_key(BIRTH_YEAR, digits)}))]
        number = _number_term(word)
        return [number] if number else None
    if digits:  # letters and digits: a document number or a case reference
        number = _number_term(word)
        found = number | ref_term if number and ref_term else number or ref_term
        return [found] if found else None
    terms = []
    for part in fold(word).split():
        if len(part) < 2 or (canonical_part(part) in PARTICLES and len(part) < PREFIX_MIN):
            continue
        sound = phonetic_key(part)
        prefixes = frozenset({_key(WRITTEN, part)}) if len(part) >= PREFIX_MIN else frozenset()
        # A one-letter sound key ("Mia", "Moh" -> "m") would find half the caseload: the beginning of
        # the word finds it instead, unless the word is too short to search by its beginning ("Li").
        keys = frozenset({_key(SOUND, sound)}) if sound and (len(sound) > 1 or not prefixes) else frozenset()
        if keys or prefixes:
            terms.append(Term(frozenset({NAME}), keys=keys, prefixes=prefixes))
    return terms


def search_read(text: str, *, today: dt.date) -> SearchText:
    """Read a search text (see the module's docstring). Pure: no database."""
    text = " ".join((text or "").split())[:200]
    if not text:
        return SearchText()
    terms: list[Term] = []
    phone_like = bool(_PHONE_TEXT.match(text)) and len(_DIGITS.sub("", text)) >= 8
    for word in [] if phone_like and " " in text else text.split(" ")[:MAX_TERMS]:
        found = _word_term(word, today)
        if found is None:  # one word that means nothing: the text is read only as a whole
            terms = []
            break
        terms.extend(found)
    whole: list[Term] = []
    if " " in text:  # a single word is read above already
        if _PHONE_TEXT.match(text):
            number = _number_term(text)
            if number:
                whole.append(number)
        elif all(len(w) <= 3 or any(ch.isdigit() for ch in w) for w in text.split(" ")):
            # "KL 123 4567": a number written in groups (a name word, "Okafor 31", is no number)
            document = normalise_document(text)
            if document:
                whole.append(Term(frozenset({DOCUMENT_KIND}), keys=frozenset({_key(DOCUMENT, document)})))
        reference = _reference(text.replace(" ", ""))
        if reference:
            whole.append(Term(frozenset({REFERENCE_KIND}), references=frozenset({reference})))
    kinds = frozenset(k for t in (*terms, *whole) for k in t.kinds)
    return SearchText(tuple(terms), tuple(whole), kinds)


# --- the stored keys ------------------------------------------------------------------------------------


def _keys_of_persons(person_ids: Iterable[UUID]) -> list[PersonSearchKey]:
    """The keys of these persons as rows to store (four queries, whatever their number)."""
    ids = list(person_ids)
    names: dict[UUID, list[tuple[str, str]]] = defaultdict(list)
    for pid, given, family in PersonName.objects.filter(person_id__in=ids).values_list(
        "person_id", "given", "family"
    ):
        names[pid].append((given, family))
    phones: dict[UUID, list[str]] = defaultdict(list)
    for pid, number in PhoneNumber.objects.filter(person_id__in=ids).values_list("person_id", "number"):
        phones[pid].append(number)
    documents: dict[UUID, list[str]] = defaultdict(list)
    for pid, number in IdentityDocument.objects.filter(person_id__in=ids).values_list("person_id", "number"):
        documents[pid].append(number)
    rows: list[PersonSearchKey] = []
    for p in Person.objects.filter(pk__in=ids).values(
        "pk", "national_id", "date_of_birth", "estimated_age", "age_estimated_on", "created_at"
    ):
        pid = p["pk"]
        keys = person_search_keys(
            names=names.get(pid, ()),
            phones=phones.get(pid, ()),
            documents=documents.get(pid, ()),
            national_id=p["national_id"] or "",
            date_of_birth=p["date_of_birth"],
            estimated_age=p["estimated_age"],
            estimated_on=p["age_estimated_on"] or p["created_at"].date(),
        )
        rows.extend(PersonSearchKey(person_id=pid, key=key) for key in sorted(keys))
    return rows


@transaction.atomic
def search_keys_refresh(*, person_ids: Iterable[UUID | str]) -> int:
    """Recompute these persons' search keys (after a report, or a name added). Derived data, no audit
    event: the change that calls it is audited. Returns the number of keys stored."""
    ids = [UUID(str(pid)) for pid in person_ids]
    PersonSearchKey.objects.filter(person_id__in=ids).delete()
    return len(PersonSearchKey.objects.bulk_create(_keys_of_persons(ids), batch_size=2000))


def search_keys_delete(*, person_ids: Iterable[UUID | str]) -> None:
    """Forget these persons' keys (retention, when their names and numbers are removed)."""
    PersonSearchKey.objects.filter(person_id__in=[UUID(str(pid)) for pid in person_ids]).delete()


def search_keys_rebuild(*, batch: int = 2000) -> int:
    """Recompute every person's search keys (after a change of the normalisation, e.g. a new spelling
    variant in varde.linkage.preprocess), one transaction a batch of persons. Returns the keys stored."""
    stored = 0
    ids = list(Person.objects.order_by("pk").values_list("pk", flat=True))
    for start in range(0, len(ids), batch):
        stored += search_keys_refresh(person_ids=ids[start : start + batch])
    return stored
