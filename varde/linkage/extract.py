"""The pseudonymised extract that linkage reads: only the fields the model compares, keyed by referral id.

Rows leave this module only into the in-process linkage pipeline (DuckDB in memory). They are never
written to a file, a log or a response. The record id is the referral's primary key, the agency is
its id (not its name); no case reference, free text, municipality or exploitation data is read.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Mapping
from typing import Any
from uuid import UUID

from varde.cases.models import Referral
from varde.persons.models import IdentityDocument, NameKind, Person, PersonName, PhoneNumber

ExtractRow = dict[str, str]


def _first_by_person(rows: Iterable[Mapping[str, Any]], field: str) -> dict[UUID, str]:
    first: dict[UUID, str] = {}
    for row in rows:
        first.setdefault(row["person_id"], row[field])
    return first


def _age_at(estimated_age: int | None, estimated_on: dt.date | None, on: dt.date) -> str:
    if estimated_age is None:
        return ""
    if estimated_on is None:
        return str(estimated_age)
    return str(max(0, estimated_age + (on - estimated_on).days // 365))


def referral_extract(
    *, exclude_agency_id: UUID | None = None
) -> tuple[list[ExtractRow], list[tuple[str, str]]]:
    """(rows in interchange shape, pairs of referral ids known to be one person: same case's person).

    Rows: record_id (referral pk), reporting_agency (agency id), referral_date, given_name,
    family_name (the primary name), sex, date_of_birth, estimated_age (at the referral date),
    nationality (first), phone (first), id_document_number (first).
    """
    referrals = Referral.objects.all()
    if exclude_agency_id is not None:
        referrals = referrals.exclude(reporting_agency_id=exclude_agency_id)
    refs = list(
        referrals.order_by("created_at").values(
            "pk", "reporting_agency_id", "referral_date", "case__person_id"
        )
    )
    person_ids = {r["case__person_id"] for r in refs}
    persons = {
        p["id"]: p
        for p in Person.objects.filter(id__in=person_ids).values(
            "id", "sex", "date_of_birth", "estimated_age", "age_estimated_on", "nationalities"
        )
    }
    names: dict[UUID, tuple[str, str]] = {}
    primary: set[UUID] = set()
    for n in (
        PersonName.objects.filter(person_id__in=person_ids)
        .order_by("created_at")
        .values("person_id", "given", "family", "kind")
    ):
        pid = n["person_id"]
        if pid in primary:
            continue
        if n["kind"] == NameKind.PRIMARY:
            names[pid] = (n["given"], n["family"])
            primary.add(pid)
        else:
            names.setdefault(pid, (n["given"], n["family"]))
    phones = _first_by_person(
        PhoneNumber.objects.filter(person_id__in=person_ids)
        .order_by("created_at")
        .values("person_id", "number"),
        "number",
    )
    documents = _first_by_person(
        IdentityDocument.objects.filter(person_id__in=person_ids)
        .order_by("created_at")
        .values("person_id", "number"),
        "number",
    )
    rows: list[ExtractRow] = []
    by_person: dict[UUID, list[str]] = defaultdict(list)
    for r in refs:
        pid = r["case__person_id"]
        person = persons[pid]
        given, family = names.get(pid, ("", ""))
        dob = person["date_of_birth"]
        nationalities = person["nationalities"] or []
        record_id = str(r["pk"])
        rows.append(
            {
                "record_id": record_id,
                "reporting_agency": str(r["reporting_agency_id"]),
                "referral_date": r["referral_date"].isoformat(),
                "given_name": given,
                "family_name": family,
                "sex": person["sex"] or "",
                "date_of_birth": dob.isoformat() if dob else "",
                "estimated_age": _age_at(
                    person["estimated_age"], person["age_estimated_on"], r["referral_date"]
                ),
                "nationality": nationalities[0] if nationalities else "",
                "phone": phones.get(pid, ""),
                "id_document_number": documents.get(pid, ""),
            }
        )
        by_person[pid].append(record_id)
    same: list[tuple[str, str]] = []
    for ids in by_person.values():
        same.extend((ids[0], other) for other in ids[1:])
    return rows, same
