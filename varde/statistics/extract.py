"""The pseudonymised extract that statistics read: one row per de-duplicated person.

A row holds a pseudonymous person key, years, codes and flags only: no names, no document or phone
numbers, no national id, no birth date, no free text, no case reference and no database id. Persons
are the clusters of the latest linkage run (varde.linkage.selectors.person_keys); referrals of one
case are one person by construction, and a case that was never linked counts as its own person.

Rules (documented in docs/HTCDS_MAPPING.md as well):
- first identified: the year of the person's earliest referral;
- followed up in a year: some case of the person was open during that year (from its earliest
  referral to its closure, or to today when it is still open);
- child at identification: under 18 on the date of the first referral (birth date, or the estimated
  age grown to that date), or the case is a child's case, or a presumption of minority began no later
  than the end of the year of first identification (CoE Convention Art. 10(3): presumed = child);
- sex and nationality: from the earliest record that has one; municipality: of the earliest referral;
- forms of exploitation and kinds of reporting agency: every one any referral of the person gave.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any
from uuid import UUID

from django.utils.crypto import salted_hmac

from varde.cases.models import Case, CaseStatus, Referral, StatusChange
from varde.core import clock
from varde.identification.models import AgePresumption
from varde.linkage.selectors import person_keys
from varde.persons.models import Person
from varde.response.models import (
    Clock,
    ClockState,
    FollowUpOutcome,
    LegalStatus,
    LegalStatusKind,
    MissingEpisode,
    PoliceCooperation,
    ReturnFollowUp,
    ReturnState,
    VoluntaryReturn,
)

RESIDENCE_PERMIT_KINDS = frozenset(
    {LegalStatusKind.TEMPORARY_RESIDENCE, LegalStatusKind.PERMANENT_AFTER_TESTIFYING}
)
RETURN_CLOCK_KIND = "return_followup"  # varde.response.returns.return_record


@dataclass(frozen=True)
class PersonRow:
    """One de-duplicated person, pseudonymised. Nothing here identifies a human being by itself."""

    person_key: str
    first_year: int
    followed_years: frozenset[int]
    sex: str  # "F", "M", "X" or "" (unknown)
    child: bool  # at first identification, presumption of minority included
    nationality: str  # ISO 3166 alpha-2 of the earliest record that has one, "" unknown
    exploitation: frozenset[str]
    agency_kinds: frozenset[str]
    municipality: str  # kommunenummer of the earliest referral, "" unknown
    reflection_applied: frozenset[int]  # years
    reflection_granted: frozenset[int]
    reflection_rejected: frozenset[int]
    residence_permit: frozenset[int]
    voluntary_return: frozenset[int]
    minor_disappeared: frozenset[int]
    status: str  # the latest case's status (CaseStatus)
    first_agency_kind: str  # kind of the agency of the earliest referral
    labour_sector: str  # of the earliest referral that gives one, "" none
    # Every legal-status entry (application, decision, status) as (kind, year of its date).
    legal: frozenset[tuple[str, int]] = frozenset()
    # Where cooperation with the police stood at the end of each year from its first entry: (year, state).
    cooperation: frozenset[tuple[int, str]] = frozenset()
    # One per follow-up after a return (not stopped): (year it falls due, the person was reached).
    follow_ups: tuple[tuple[int, bool], ...] = ()


class _UnionFind:
    def __init__(self) -> None:
        self.parent: dict[str, str] = {}

    def find(self, x: str) -> str:
        self.parent.setdefault(x, x)
        root = x
        while self.parent[root] != root:
            root = self.parent[root]
        while self.parent[x] != root:
            self.parent[x], x = root, self.parent[x]
        return root

    def union(self, a: str, b: str) -> None:
        ra, rb = self.find(a), self.find(b)
        if ra != rb:
            self.parent[max(ra, rb)] = min(ra, rb)


def _unlinked_key(case_id: UUID) -> str:
    """A pseudonym for a case no linkage run has seen: keyed hash, not the case id."""
    return "u" + salted_hmac("varde.statistics.unlinked", str(case_id)).hexdigest()[:20]


def person_of_case(cases: dict[UUID, list[str]], linkage: dict[str, str]) -> dict[UUID, str]:
    """Case id -> person key: referrals of one case are one person; linkage clusters join cases."""
    uf = _UnionFind()
    for case_id, referral_ids in cases.items():
        node = f"c:{case_id}"
        uf.find(node)
        for rid in referral_ids:
            uf.union(node, f"r:{rid}")
            key = linkage.get(rid)
            if key:
                uf.union(node, f"k:{key}")
    keys_of_root: dict[str, list[str]] = defaultdict(list)
    for key in set(linkage.values()):
        keys_of_root[uf.find(f"k:{key}")].append(key)
    result: dict[UUID, str] = {}
    for case_id in cases:
        root = uf.find(f"c:{case_id}")
        linked = keys_of_root.get(root)
        result[case_id] = min(linked) if linked else _unlinked_key(case_id)
    return result


def _years(start: dt.date, end: dt.date) -> set[int]:
    return set(range(start.year, end.year + 1))


def _age_on(person: Any, on: dt.date) -> int | None:
    dob = person["date_of_birth"]
    if dob:
        return int(on.year - dob.year - ((on.month, on.day) < (dob.month, dob.day)))
    if person["estimated_age"] is not None:
        since = person["age_estimated_on"] or on
        return int(person["estimated_age"] + max(0, (on - since).days // 365))
    return None


def _first_nonempty(values: Iterable[str]) -> str:
    return next((v for v in values if v), "")


def pseudonymised_extract(*, today: dt.date | None = None) -> list[PersonRow]:
    """One PersonRow per de-duplicated person (the latest linkage run, unlinked cases on their own)."""
    today = today or clock.today()
    referrals = list(
        Referral.objects.order_by("referral_date", "created_at").values(
            "pk",
            "case_id",
            "referral_date",
            "municipality",
            "exploitation_forms",
            "reporting_agency__kind",
            "labour_sector",
        )
    )
    by_case: dict[UUID, list[Any]] = defaultdict(list)
    for r in referrals:
        by_case[r["case_id"]].append(r)
    cases = {
        c["pk"]: c
        for c in Case.objects.filter(pk__in=by_case).values("pk", "person_id", "status", "is_child")
    }
    persons = {
        p["id"]: p
        for p in Person.objects.filter(id__in={c["person_id"] for c in cases.values()}).values(
            "id", "sex", "date_of_birth", "estimated_age", "age_estimated_on", "nationalities"
        )
    }
    closed_on: dict[UUID, dt.date] = {}
    for change in StatusChange.objects.filter(case_id__in=by_case, to_status=CaseStatus.CLOSED).values(
        "case_id", "at"
    ):
        closed_on[change["case_id"]] = max(
            closed_on.get(change["case_id"], dt.date.min), clock.localdate(change["at"])
        )
    presumed: dict[UUID, dt.date] = {}
    for p in AgePresumption.objects.filter(case_id__in=by_case).values("case_id", "started_at"):
        day = clock.localdate(p["started_at"])
        presumed[p["case_id"]] = min(presumed.get(p["case_id"], day), day)

    key_of_case = person_of_case(
        {cid: [str(r["pk"]) for r in refs] for cid, refs in by_case.items()}, person_keys()
    )
    cases_of_person: dict[str, list[UUID]] = defaultdict(list)
    for cid in by_case:
        cases_of_person[key_of_case[cid]].append(cid)

    statuses = _live_statuses(key_of_case)  # read once: the events and the legal path both use them
    events = _events(key_of_case, statuses)
    legal = _legal(key_of_case, statuses)
    cooperation = _cooperation(key_of_case)
    follow_ups = _follow_ups(key_of_case)
    rows: list[PersonRow] = []
    for key, case_ids in cases_of_person.items():
        case_ids.sort(key=lambda cid: (by_case[cid][0]["referral_date"], str(cid)))
        refs = sorted((r for cid in case_ids for r in by_case[cid]), key=lambda r: r["referral_date"])
        first = refs[0]["referral_date"]
        followed: set[int] = set()
        for cid in case_ids:
            start = by_case[cid][0]["referral_date"]
            end = closed_on.get(cid, today) if cases[cid]["status"] == CaseStatus.CLOSED else today
            followed |= _years(start, max(start, end))
        records = [persons[cases[cid]["person_id"]] for cid in case_ids]
        ages = [a for a in (_age_on(p, first) for p in records) if a is not None]
        child = (
            any(a < 18 for a in ages)
            or any(cases[cid]["is_child"] for cid in case_ids)
            or any(cid in presumed and presumed[cid].year <= first.year for cid in case_ids)
        )
        rows.append(
            PersonRow(
                person_key=key,
                first_year=first.year,
                followed_years=frozenset(followed),
                sex=_first_nonempty(p["sex"] for p in records),
                child=child,
                nationality=_first_nonempty(str((p["nationalities"] or [""])[0]).upper() for p in records),
                exploitation=frozenset(str(f) for r in refs for f in (r["exploitation_forms"] or [])),
                agency_kinds=frozenset(str(r["reporting_agency__kind"]) for r in refs),
                municipality=_first_nonempty(r["municipality"] for r in refs),
                reflection_applied=frozenset(events[key][LegalStatusKind.REFLECTION_APPLIED]),
                reflection_granted=frozenset(events[key][LegalStatusKind.REFLECTION_GRANTED]),
                reflection_rejected=frozenset(events[key][LegalStatusKind.REFLECTION_REJECTED]),
                residence_permit=frozenset(events[key]["residence_permit"]),
                voluntary_return=frozenset(events[key]["voluntary_return"]),
                minor_disappeared=frozenset(events[key]["minor_disappeared"]),
                status=str(cases[case_ids[-1]]["status"]),
                first_agency_kind=str(refs[0]["reporting_agency__kind"]),
                labour_sector=_first_nonempty(r["labour_sector"] for r in refs),
                legal=frozenset(legal[key]),
                cooperation=_cooperation_at_year_ends(cooperation[key], today),
                follow_ups=tuple(sorted(follow_ups[key])),
            )
        )
    rows.sort(key=lambda row: row.person_key)
    return rows


# The look-ups below read each table whole and leave out the rows of cases without a referral (not
# in key_of_case): at 100,000 cases, sending every case id as a parameter cost seconds a table.


def _events(
    key_of_case: dict[UUID, str], statuses: list[tuple[UUID, str, dt.date]]
) -> dict[str, dict[str, set[int]]]:
    """person key -> event name -> years it happened (legal status, returns, disappearances)."""
    events: dict[str, dict[str, set[int]]] = defaultdict(lambda: defaultdict(set))
    for case_id, kind, day in statuses:
        name = "residence_permit" if kind in RESIDENCE_PERMIT_KINDS else kind
        events[key_of_case[case_id]][name].add(day.year)
    for case_id, returned_on in VoluntaryReturn.objects.filter(
        state=ReturnState.RETURNED, returned_on__isnull=False
    ).values_list("case_id", "returned_on"):
        if case_id in key_of_case and returned_on is not None:
            events[key_of_case[case_id]]["voluntary_return"].add(returned_on.year)
    for case_id, last_seen in MissingEpisode.objects.filter(was_child=True).values_list(
        "case_id", "last_seen_at"
    ):
        if case_id in key_of_case:
            events[key_of_case[case_id]]["minor_disappeared"].add(clock.localdate(last_seen).year)
    return events


def _live_statuses(key_of_case: dict[UUID, str]) -> list[tuple[UUID, str, dt.date]]:
    """(case, kind, date) of every legal-status entry no later entry corrects, of the extract's cases."""
    return [
        (case_id, str(kind), day)
        for case_id, kind, day in LegalStatus.objects.filter(corrected_by__isnull=True).values_list(
            "case_id", "kind", "from_date"
        )
        if case_id in key_of_case
    ]


def _legal(
    key_of_case: dict[UUID, str], statuses: list[tuple[UUID, str, dt.date]]
) -> dict[str, set[tuple[str, int]]]:
    """person key -> (kind, year) of every legal-status entry no later entry corrects."""
    legal: dict[str, set[tuple[str, int]]] = defaultdict(set)
    for case_id, kind, day in statuses:
        legal[key_of_case[case_id]].add((kind, day.year))
    return legal


def _cooperation(key_of_case: dict[UUID, str]) -> dict[str, list[tuple[dt.date, dt.datetime, str]]]:
    """person key -> (date, recorded at, state) of each uncorrected entry of cooperation with the police."""
    entries: dict[str, list[tuple[dt.date, dt.datetime, str]]] = defaultdict(list)
    for case_id, on_date, recorded_at, state in PoliceCooperation.objects.filter(
        corrected_by__isnull=True
    ).values_list("case_id", "on_date", "recorded_at", "state"):
        if case_id in key_of_case:
            entries[key_of_case[case_id]].append((on_date, recorded_at, str(state)))
    return entries


def _cooperation_at_year_ends(
    entries: list[tuple[dt.date, dt.datetime, str]], today: dt.date
) -> frozenset[tuple[int, str]]:
    """The state at the end of each year from the first entry's year to this one (the latest entry
    dated in or before the year; of one date, the one recorded last)."""
    if not entries:
        return frozenset()
    ordered = sorted(entries)
    result = set()
    for year in range(ordered[0][0].year, today.year + 1):
        upto = [e for e in ordered if e[0].year <= year]
        result.add((year, upto[-1][2]))
    return frozenset(result)


def _follow_ups(key_of_case: dict[UUID, str]) -> dict[str, list[tuple[int, bool]]]:
    """person key -> (year due, reached) for each follow-up after a return that was not stopped."""
    reached = {
        f"return:{ret}:{stage}"
        for ret, stage in ReturnFollowUp.objects.filter(outcome=FollowUpOutcome.REACHED).values_list(
            "voluntary_return_id", "stage"
        )
    }
    result: dict[str, list[tuple[int, bool]]] = defaultdict(list)
    for case_id, origin, due_at in (
        Clock.objects.filter(kind=RETURN_CLOCK_KIND)
        .exclude(state=ClockState.CANCELLED)
        .values_list("case_id", "origin", "due_at")
    ):
        if case_id in key_of_case:
            result[key_of_case[case_id]].append((clock.localdate(due_at).year, origin in reached))
    return result


def agency_kinds_in_period(*, start: dt.date, end: dt.date) -> list[frozenset[str]]:
    """The capture histories for hidden numbers (varde.statistics.hidden): for each de-duplicated
    person with a referral dated from `start` to `end` (both included), the kinds of the agencies
    whose referrals in that period concern them. Persons are those of `pseudonymised_extract` (the
    latest linkage run over every referral; a case never linked is its own person). No key, no date,
    no id: a list of sets of agency kinds, in no meaningful order."""
    referrals = list(Referral.objects.values_list("pk", "case_id", "referral_date", "reporting_agency__kind"))
    by_case: dict[UUID, list[str]] = defaultdict(list)
    for pk, case_id, _day, _kind in referrals:
        by_case[case_id].append(str(pk))
    key_of_case = person_of_case(by_case, person_keys())
    kinds: dict[str, set[str]] = defaultdict(set)
    for _pk, case_id, day, kind in referrals:
        if start <= day <= end:
            kinds[key_of_case[case_id]].add(str(kind))
    return [frozenset(kinds[key]) for key in sorted(kinds)]
