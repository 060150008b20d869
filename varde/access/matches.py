"""Possible matches at registration (issue 20, point 3): before a report is saved, the caseworker sees
their own agency's probable earlier records of the same person, and may open one instead of making a
second case.

Rules:
- only cases the reporting agency takes part in (an ACTIVE participation; the lead agency has one)
  *and* the user may open (`open_to_q`, the rule of varde.access.cases): the user sees nothing here
  they could not open from their case list. Another agency's record in a case the agency does not take
  part in is never consulted here: it goes to KOM's review queue after the report is saved
  (varde.linkage.handlers, `earlier_records_queue`), and the reporter is never told of it (issue 21,
  finding 3: an existence oracle);
- probably the same person is either
  - the same phone number (its last 8 digits, normalised: with or without the country code), the same
    identity document number or the same national identity number (normalised as the linkage does), or
  - the same name by its parts' sound keys (varde.linkage.preprocess: any order, diacritics, scripts
    and transliterations fold together, "Mohamed" = "Muhammad"), every part of it, two at least when
    it has two, with a compatible birth (the same birth date; a birth date in the years an estimated
    age allows; two estimates whose years overlap; a one-part name needs the same birth date) and a
    compatible sex (the same, or one of the two not known). A name with no birth date or age given
    matches nothing: too many people share a name;
- the look-ups read the stored search keys (varde.cases.models.PersonSearchKey, kept current by
  varde.linkage.search_keys) by their index, each key row checked against the agency's cases by one
  indexed EXISTS: a bounded number of queries that does not scan the caseload (100,000 cases);
- showing the matches is a read of those cases: one audit event, action `list`, with the ids of the
  cases shown and what they matched by (codes only, never the values).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from django.db.models import Count, Exists, OuterRef, Q

from varde.accounts.models import Agency, User
from varde.audit.models import AuditAction
from varde.audit.services import audit_record
from varde.cases.acting import is_case_user, open_to_q
from varde.cases.models import Case, CaseParticipation, ParticipationState, PersonSearchKey
from varde.linkage.search_keys import (
    DOCUMENT,
    PHONE,
    birth_year_keys,
    identifier_keys,
    name_sound_keys,
)
from varde.persons.models import Person

MAX_MATCHES = 10  # cases shown at most (the most recently opened)
MAX_CANDIDATES = 50  # persons read at most per look-up
MAX_NAMES = 4  # names of the report compared at most

PHONE_MATCH, DOCUMENT_MATCH, NAME_MATCH = "phone", "document", "name"


@dataclass(frozen=True)
class OwnMatch:
    """One earlier case of the user's agency that probably is the person reported, and what it
    matched by (`phone`, `document`, `name`)."""

    case: Case
    matched_by: frozenset[str]

    @property
    def person(self) -> Person:
        return self.case.person


def _agency_case_of_person(user: User, agency: Agency) -> Q:
    """For a row with a `person_id`: the person has a case the agency takes part in and the user may
    open (one indexed EXISTS a row)."""
    taking_part = CaseParticipation.objects.filter(
        case_id=OuterRef("pk"), agency_id=agency.pk, state=ParticipationState.ACTIVE
    )
    cases = Case.objects.filter(Exists(taking_part), open_to_q(user, "pk"), person_id=OuterRef("person_id"))
    return Q(Exists(cases))


def _sex_compatible(a: str, b: str) -> bool:
    return not a or not b or a == b


def _birth_compatible(new_birth: dt.date | None, one_part: bool, person: Mapping[str, Any]) -> bool:
    """The years already agree (the look-up's keys); two birth dates must be the same day, and a
    one-part name needs the same birth date."""
    earlier = person["date_of_birth"]
    if one_part:
        return new_birth is not None and earlier == new_birth
    return new_birth is None or earlier is None or earlier == new_birth


def _by_identifiers(keys: set[str], scope: Q) -> dict[Any, set[str]]:
    found: dict[Any, set[str]] = {}
    if not keys:
        return found
    rows = (
        PersonSearchKey.objects.filter(key__in=sorted(keys))
        .filter(scope)
        .order_by("person_id", "key")
        .values_list("person_id", "key")[: MAX_CANDIDATES * 2]
    )
    for person_id, key in rows:
        kind = PHONE_MATCH if key.startswith(PHONE) else DOCUMENT_MATCH if key.startswith(DOCUMENT) else ""
        if kind:
            found.setdefault(person_id, set()).add(kind)
    return found


def _by_name(data: Any, scope: Q) -> set[Any]:
    """Persons whose names and birth agree with one of the report's names (see the module's rules)."""
    birth = data.date_of_birth
    years = birth_year_keys(birth, data.estimated_age, data.referral_date)
    if not years:
        return set()
    names = [n for n in data.names if (n.given or "").strip() or (n.family or "").strip()][:MAX_NAMES]
    found: set[Any] = set()
    for name in names:
        sounds = name_sound_keys(name.given, name.family)
        if not sounds:
            continue
        need = min(2, len(sounds))
        candidates = list(
            PersonSearchKey.objects.filter(key__in=sorted(sounds | years))
            .filter(scope)
            .values("person_id")
            .annotate(
                names=Count("id", filter=Q(key__in=sorted(sounds))),
                births=Count("id", filter=Q(key__in=sorted(years))),
            )
            .filter(names__gte=need, births__gte=1)
            .order_by("-names", "person_id")
            .values_list("person_id", flat=True)[:MAX_CANDIDATES]
        )
        if not candidates:
            continue
        for person in Person.objects.filter(pk__in=candidates).values("pk", "sex", "date_of_birth"):
            if _sex_compatible(data.sex or "", person["sex"] or "") and _birth_compatible(
                birth, len(sounds) < 2, person
            ):
                found.add(person["pk"])
    return found


def own_agency_matches(
    *, user: User, agency: Agency | None, data: Any, page: str = "report", audit: bool = True
) -> list[OwnMatch]:
    """The earlier cases of `agency` (the agency the user reports for) that the user may open and
    that probably are the person in `data` (a varde.cases.services.ReportInput), most recently opened
    first, at most MAX_MATCHES. Empty for a user who may not report for the agency.

    Audited as a read of the cases returned (`page` names where they are shown); `audit=False` for a
    look-up whose cases are not shown (the caller audits those it shows, `own_agency_matches_audit`)."""
    if agency is None or not is_case_user(user):
        return []
    if agency.pk not in user.case_agency_ids() and not user.is_coordinator:
        return []
    scope = _agency_case_of_person(user, agency)
    matched: dict[Any, set[str]] = _by_identifiers(
        identifier_keys(
            phones=[p for p in data.phones if p],
            documents=[d.number for d in data.documents if d.number],
            national_id=data.national_id or "",
        ),
        scope,
    )
    for person_id in _by_name(data, scope):
        matched.setdefault(person_id, set()).add(NAME_MATCH)
    if not matched:
        return []
    taking_part = CaseParticipation.objects.filter(
        case_id=OuterRef("pk"), agency_id=agency.pk, state=ParticipationState.ACTIVE
    )
    cases = list(
        Case.objects.filter(Exists(taking_part), open_to_q(user, "pk"), person_id__in=list(matched))
        .select_related("person", "lead_agency")
        .prefetch_related("person__names")
        .order_by("-opened_at", "id")[:MAX_MATCHES]
    )
    if not cases:
        return []
    found = [OwnMatch(case=c, matched_by=frozenset(matched[c.person_id])) for c in cases]
    if audit:
        own_agency_matches_audit(user=user, agency=agency, matches=found, page=page)
    return found


def own_agency_matches_audit(
    *, user: User, agency: Agency | None, matches: list[OwnMatch], page: str
) -> None:
    """Matches shown are a read of their cases: one event, action `list`, the cases' ids and what they
    matched by (codes only)."""
    if not matches:
        return
    audit_record(
        actor=user,
        action=AuditAction.LIST,
        obj=("cases.case", ""),
        agency=agency,
        detail={
            "page": page,
            "purpose": "possible_match",
            "matched_by": sorted({k for m in matches for k in m.matched_by}),
            "cases": [str(m.case.pk) for m in matches],
        },
    )
