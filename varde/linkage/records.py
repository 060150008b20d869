"""Referrals as linkage compares them: loading, stored blocking keys, and pair comparisons.

`RecordView` holds personal data (names, birth date, phones, documents). It is built only for
the linkage services and for a coordinator's side-by-side review (varde.access.linkage), never for
lists, logs or statistics. Lists show `PairAgreement`: which fields agree, no values.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from uuid import UUID

from django.db.models import QuerySet
from django.utils.crypto import salted_hmac

from varde.cases.models import Referral
from varde.persons.models import IdentityDocument, NameKind, Person, PersonName, PhoneNumber

from .pipeline import blocking_keys
from .preprocess import (
    birth_features,
    name_features,
    normalise_country,
    normalise_document,
    normalise_phone,
    normalise_sex,
    phone_match_key,
    prepare_record,
)

KEY_SALT = "varde.linkage.record_key"
KEY_LENGTH = 32  # hex characters of the HMAC-SHA256 (128 bits)


@dataclass(frozen=True)
class Name:
    given: str
    family: str
    kind: str


@dataclass
class RecordView:
    """One referral's comparison fields (personal data: see the module docstring)."""

    referral_id: UUID
    case_id: UUID
    person_id: UUID
    agency_id: UUID
    agency_kind: str
    referral_date: dt.date
    sex: str = ""
    date_of_birth: dt.date | None = None
    estimated_age: int | None = None  # at the referral date
    age_certainty: str = ""
    nationalities: list[str] = field(default_factory=list)
    names: list[Name] = field(default_factory=list)
    phones: list[str] = field(default_factory=list)
    documents: list[str] = field(default_factory=list)

    @property
    def primary_name(self) -> Name | None:
        return next(
            (n for n in self.names if n.kind == NameKind.PRIMARY), self.names[0] if self.names else None
        )

    def row(self, name: Name | None = None, phone: str = "", document: str = "") -> dict[str, str]:
        """An interchange row (the shape the pipeline reads)."""
        name = name if name is not None else self.primary_name
        return {
            "record_id": str(self.referral_id),
            "reporting_agency": str(self.agency_id),
            "referral_date": self.referral_date.isoformat(),
            "given_name": name.given if name else "",
            "family_name": name.family if name else "",
            "sex": self.sex,
            "date_of_birth": self.date_of_birth.isoformat() if self.date_of_birth else "",
            "estimated_age": "" if self.estimated_age is None else str(self.estimated_age),
            "nationality": self.nationalities[0] if self.nationalities else "",
            "phone": phone or (self.phones[0] if self.phones else ""),
            "id_document_number": document or (self.documents[0] if self.documents else ""),
        }

    def rows(self) -> list[dict[str, str]]:
        """One row per name, phone and document, so that every alias and number gets its keys."""
        out = [self.row(name) for name in self.names] or [self.row()]
        out.extend(self.row(phone=p) for p in self.phones[1:])
        out.extend(self.row(document=d) for d in self.documents[1:])
        return out


def _age_at(estimated_age: int | None, estimated_on: dt.date | None, on: dt.date) -> int | None:
    if estimated_age is None:
        return None
    if estimated_on is None:
        return estimated_age
    return max(0, estimated_age + (on - estimated_on).days // 365)


def load_records(referrals: QuerySet[Referral]) -> dict[UUID, RecordView]:
    """The comparison fields of the given referrals, in five queries whatever their number."""
    refs = list(
        referrals.order_by().values(
            "pk",
            "case_id",
            "case__person_id",
            "reporting_agency_id",
            "reporting_agency__kind",
            "referral_date",
        )
    )
    person_ids = {r["case__person_id"] for r in refs}
    persons = {
        p["id"]: p
        for p in Person.objects.filter(id__in=person_ids).values(
            "id",
            "sex",
            "date_of_birth",
            "estimated_age",
            "estimated_age_certainty",
            "age_estimated_on",
            "nationalities",
        )
    }
    names: dict[UUID, list[Name]] = defaultdict(list)
    for n in (
        PersonName.objects.filter(person_id__in=person_ids)
        .order_by("created_at", "pk")
        .values_list("person_id", "given", "family", "kind")
    ):
        names[n[0]].append(Name(n[1], n[2], n[3]))
    phones: dict[UUID, list[str]] = defaultdict(list)
    for pid, number in (
        PhoneNumber.objects.filter(person_id__in=person_ids)
        .order_by("created_at", "pk")
        .values_list("person_id", "number")
    ):
        phones[pid].append(number)
    documents: dict[UUID, list[str]] = defaultdict(list)
    for pid, number in (
        IdentityDocument.objects.filter(person_id__in=person_ids)
        .order_by("created_at", "pk")
        .values_list("person_id", "number")
    ):
        documents[pid].append(number)
    out: dict[UUID, RecordView] = {}
    for r in refs:
        pid = r["case__person_id"]
        p = persons[pid]
        out[r["pk"]] = RecordView(
            referral_id=r["pk"],
            case_id=r["case_id"],
            person_id=pid,
            agency_id=r["reporting_agency_id"],
            agency_kind=r["reporting_agency__kind"],
            referral_date=r["referral_date"],
            sex=p["sex"] or "",
            date_of_birth=p["date_of_birth"],
            estimated_age=_age_at(p["estimated_age"], p["age_estimated_on"], r["referral_date"]),
            age_certainty=p["estimated_age_certainty"] or "",
            nationalities=list(p["nationalities"] or []),
            names=names.get(pid, []),
            phones=phones.get(pid, []),
            documents=documents.get(pid, []),
        )
    return out


# --- stored blocking keys --------------------------------------------------------------------------


def digest(key: str) -> str:
    """A blocking key as stored: keyed (the project's secret), so the table reveals no value."""
    return salted_hmac(KEY_SALT, key, algorithm="sha256").hexdigest()[:KEY_LENGTH]


def key_digests(rows: Iterable[dict[str, str]]) -> set[str]:
    """The stored form of every blocking key of the rows (see pipeline.blocking_keys)."""
    keys: set[str] = set()
    for i, row in enumerate(rows):
        keys |= blocking_keys(prepare_record(i, row))
    return {digest(k) for k in keys}


# --- comparing two records, for the review queue and the side-by-side page ---------------------------

AGREE, PARTLY, DIFFER, MISSING = "agree", "partly", "differ", "missing"


@dataclass(frozen=True)
class PairAgreement:
    """Which fields of two referrals agree. Values only from AGREE, PARTLY, DIFFER, MISSING."""

    name: str
    birth: str
    sex: str
    nationality: str
    phone: str
    document: str

    def items(self) -> list[tuple[str, str]]:
        return [
            ("name", self.name),
            ("birth", self.birth),
            ("sex", self.sex),
            ("nationality", self.nationality),
            ("phone", self.phone),
            ("document", self.document),
        ]


def _sets(a: set[str], b: set[str]) -> str:
    if not a or not b:
        return MISSING
    if a == b:
        return AGREE
    return PARTLY if a & b else DIFFER


def _names(a: RecordView, b: RecordView) -> str:
    fa = [name_features(n.given, n.family) for n in a.names]
    fb = [name_features(n.given, n.family) for n in b.names]
    strings_a = {f.key_string for f in fa if f.key_string}
    strings_b = {f.key_string for f in fb if f.key_string}
    if not strings_a or not strings_b:
        return MISSING
    if strings_a & strings_b:
        return AGREE
    keys_a = {k for f in fa for k in f.keys}
    keys_b = {k for f in fb for k in f.keys}
    return PARTLY if keys_a & keys_b else DIFFER


def _birth(a: RecordView, b: RecordView) -> str:
    if a.date_of_birth and b.date_of_birth:
        return AGREE if a.date_of_birth == b.date_of_birth else DIFFER
    ba = birth_features(a.date_of_birth, a.estimated_age, a.referral_date)
    bb = birth_features(b.date_of_birth, b.estimated_age, b.referral_date)
    if None in (ba.year_lo, ba.year_hi, bb.year_lo, bb.year_hi):
        return MISSING
    overlap = int(ba.year_lo) <= int(bb.year_hi) and int(bb.year_lo) <= int(ba.year_hi)  # type: ignore[arg-type]
    return PARTLY if overlap else DIFFER


def phone_keys(phones: Sequence[str]) -> set[str]:
    return {k for k in (phone_match_key(normalise_phone(p)) for p in phones) if k}


def document_keys(documents: Sequence[str]) -> set[str]:
    return {k for k in (normalise_document(d) for d in documents) if k}


def compare(a: RecordView, b: RecordView) -> PairAgreement:
    sex_a, sex_b = normalise_sex(a.sex), normalise_sex(b.sex)
    return PairAgreement(
        name=_names(a, b),
        birth=_birth(a, b),
        sex=MISSING if not (sex_a and sex_b) else (AGREE if sex_a == sex_b else DIFFER),
        nationality=_sets(
            {c for c in map(normalise_country, a.nationalities) if c},
            {c for c in map(normalise_country, b.nationalities) if c},
        ),
        phone=_sets(phone_keys(a.phones), phone_keys(b.phones)),
        document=_sets(document_keys(a.documents), document_keys(b.documents)),
    )


def mask(value: str, shown: int = 2) -> str:
    """All but the last `shown` characters hidden: enough to tell numbers apart, not to use them."""
    return "•••• " + value[-shown:] if len(value) > shown else "••••"
