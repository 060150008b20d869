"""The pseudonymised extract that statistics read: one row per de-duplicated person.

A row holds a pseudonymous person key, dates, codes and flags only: no names, no document or phone
numbers, no national id, no birth date, no free text, no case reference and no database id. Persons
are the clusters of the latest linkage run (varde.linkage.selectors.person_keys); referrals of one
case are one person by construction, and a case that was never linked counts as its own person.
The rows keep dates (not only years) so that figures can be given for any period; they never leave
the process: what is published are counts (varde.statistics.figures), under disclosure control.

Rules (docs/COUNTING_RULES.md has each with its source and its test):
- first identified: the date of the person's earliest referral;
- followed up: from a case's earliest referral until it is closed or assessed as not a victim (the
  day of that status change included), again from a re-opening; to today while it is open;
- identified (Eurostat's "identified victim") from the first day a case of the person was set to
  "possible victim identified" or "receiving assistance"; before that, a presumed victim;
- child at identification: under 18 on the date of the first referral (birth date, or the estimated
  age grown to that date), or the case is a child's case, or a presumption of minority began no later
  than the end of the year of first identification (CoE Convention Art. 10(3): presumed = child);
- child in a period: a child on some day the person was followed up in it: under 18 by age (birth
  date or estimated age grown), or under a presumption of minority, or (no age known) a child's case.
  A person first reported as a child is an adult in the periods after their 18th birthday;
- sex and nationality: from the earliest record that has one; municipality: of the earliest referral;
- forms of exploitation and kinds of reporting agency: every one any referral of the person gave.
"""

from __future__ import annotations

import datetime as dt
import json
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache
from typing import Any
from uuid import UUID

from django.db.models import TextField
from django.db.models.functions import Cast, TruncDate
from django.utils import timezone
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

from .periods import Period, Span, merge, spans_overlap

RESIDENCE_PERMIT_KINDS = frozenset(
    {LegalStatusKind.TEMPORARY_RESIDENCE, LegalStatusKind.PERMANENT_AFTER_TESTIFYING}
)
RETURN_CLOCK_KIND = "return_followup"  # varde.response.returns.return_record


@dataclass(frozen=True)
class PersonRow:
    """One de-duplicated person, pseudonymised. Nothing here identifies a human being by itself."""

    person_key: str
    first_date: dt.date  # of the earliest referral
    followed: tuple[Span, ...]  # the days followed up, merged spans in order
    sex: str  # "F", "M", "X" or "" (unknown)
    child: bool  # at first identification, presumption of minority included
    nationality: str  # ISO 3166 alpha-2 of the earliest record that has one, "" unknown
    exploitation: frozenset[str]
    agency_kinds: frozenset[str]
    municipality: str  # kommunenummer of the earliest referral, "" unknown
    reflection_applied: frozenset[dt.date]  # dates of the entries
    reflection_granted: frozenset[dt.date]
    reflection_rejected: frozenset[dt.date]
    residence_permit: frozenset[dt.date]
    voluntary_return: frozenset[dt.date]
    minor_disappeared: frozenset[dt.date]
    status: str  # the latest case's status (CaseStatus)
    first_agency_kind: str  # kind of the agency of the earliest referral
    labour_sector: str  # of the earliest referral that gives one, "" none
    # Every legal-status entry (application, decision, status) as (kind, its date).
    legal: frozenset[tuple[str, dt.date]] = frozenset()
    # Cooperation with the police: (date, state) of each entry, in the order they hold.
    cooperation: tuple[tuple[dt.date, str], ...] = ()
    # One per follow-up after a return (not stopped): (the day it falls due, the person was reached).
    follow_ups: tuple[tuple[dt.date, bool], ...] = ()
    # The days the person counted as a child (age, presumption of minority or a child's case).
    child_spans: tuple[Span, ...] = ()
    identified_on: dt.date | None = None  # first day a case was "identified" or "receiving assistance"
    # (date, kind of the reporting agency) of every referral: the lists of the hidden-numbers estimate.
    referral_kinds: tuple[tuple[dt.date, str], ...] = ()

    @property
    def first_year(self) -> int:
        return self.first_date.year

    @property
    def followed_years(self) -> frozenset[int]:
        return frozenset(y for start, end in self.followed for y in range(start.year, end.year + 1))

    def followed_in(self, period: Period) -> bool:
        return any(period.overlaps(span) for span in self.followed)

    def child_in(self, period: Period) -> bool:
        """A child on some day the person was followed up in the period."""
        inside = [c for c in (period.clip(span) for span in self.followed) if c is not None]
        return spans_overlap(inside, self.child_spans)

    def identified_in(self, period: Period) -> bool:
        """Identified by the last day the person was followed up in the period (else presumed)."""
        inside = [c for c in (period.clip(span) for span in self.followed) if c is not None]
        return bool(inside) and self.identified_on is not None and self.identified_on <= inside[-1][1]

    def cooperation_on(self, day: dt.date) -> str | None:
        """Where cooperation with the police stood on the day (the latest entry dated then or before)."""
        state = None
        for on, value in self.cooperation:
            if on > day:
                break
            state = value
        return state


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
    """Case id -> person key: referrals of one case are one person; linkage clusters join cases.
    Cases are joined through the keys their referrals share; a case whose referrals carry several keys
    joins those keys (the smallest names the person); a case with no key is a person of its own."""
    uf = _UnionFind()
    keys_of: dict[UUID, list[str]] = {}
    for case_id, referral_ids in cases.items():
        keys = {key for key in (linkage.get(rid) for rid in referral_ids) if key}
        if keys:
            first, *others = sorted(keys)
            for other in others:
                uf.union(first, other)
            keys_of[case_id] = [first]
    smallest: dict[str, str] = {}
    for key in set(linkage.values()):
        root = uf.find(key)
        smallest[root] = min(smallest.get(root, key), key)
    return {
        case_id: smallest[uf.find(keys_of[case_id][0])] if case_id in keys_of else _unlinked_key(case_id)
        for case_id in cases
    }


STOPS_FOLLOW_UP = frozenset({CaseStatus.CLOSED, CaseStatus.NOT_VICTIM})
IDENTIFIED = frozenset({CaseStatus.IDENTIFIED, CaseStatus.ASSISTANCE})
FOREVER = dt.date.max


def _followed_spans(start: dt.date, changes: list[tuple[dt.date, str]], today: dt.date) -> list[Span]:
    """The days a case was followed up: from its first referral; a closure or an assessment as not a
    victim ends a span (that day included), a later change to an open status begins the next one."""
    spans: list[Span] = []
    begun: dt.date | None = start
    for day, status in changes:
        if begun is not None and status in STOPS_FOLLOW_UP:
            spans.append((begun, max(begun, day)))
            begun = None
        elif begun is None and status not in STOPS_FOLLOW_UP:
            begun = max(day, start)
    if begun is not None:
        spans.append((begun, max(begun, today)))
    return spans


def _age_on(person: Any, on: dt.date) -> int | None:
    dob = person["date_of_birth"]
    if dob:
        return int(on.year - dob.year - ((on.month, on.day) < (dob.month, dob.day)))
    if person["estimated_age"] is not None:
        since = person["age_estimated_on"] or on
        return int(person["estimated_age"] + max(0, (on - since).days // 365))
    return None


def _adult_from(person: Any) -> dt.date | None:
    """The first day the record's age is 18 or more (as `_age_on` counts); None when no age is known."""
    dob = person["date_of_birth"]
    if dob:
        try:
            return dob.replace(year=dob.year + 18)
        except ValueError:  # born on 29 February
            return dt.date(dob.year + 18, 3, 1)
    if person["estimated_age"] is not None:
        since = person["age_estimated_on"]
        if since is None:
            return FOREVER if person["estimated_age"] < 18 else dt.date.min
        years = 18 - int(person["estimated_age"])
        return dt.date.min if years <= 0 else since + dt.timedelta(days=365 * years)
    return None


@lru_cache(maxsize=4096)
def _codes(text: str | None) -> frozenset[str]:
    """The codes of a JSON list as the database gives its text (memoised: few distinct lists)."""
    return frozenset(str(code) for code in json.loads(text)) if text else frozenset()


@lru_cache(maxsize=4096)
def _first_code(text: str | None) -> str:
    values = json.loads(text) if text else []
    return str(values[0]).upper() if values else ""


def _first_nonempty(values: Iterable[str]) -> str:
    return next((v for v in values if v), "")


def pseudonymised_extract(*, today: dt.date | None = None) -> list[PersonRow]:
    """One PersonRow per de-duplicated person (the latest linkage run, unlinked cases on their own)."""
    today = today or clock.today()
    # JSON lists read as their text and parsed once per distinct value (a few dozen, not 100,000).
    referrals = list(
        Referral.objects.order_by("referral_date", "created_at").values(
            "pk",
            "case_id",
            "referral_date",
            "municipality",
            "reporting_agency__kind",
            "labour_sector",
            forms=Cast("exploitation_forms", TextField()),
        )
    )
    by_case: dict[UUID, list[Any]] = defaultdict(list)
    for r in referrals:
        by_case[r["case_id"]].append(r)
    # Whole tables, filtered here: 100,000 ids as query parameters cost more than the rows.
    cases: dict[UUID, tuple[UUID, str, bool]] = {  # case -> (person, status, is a child's case)
        pk: (person_id, status, is_child)
        for pk, person_id, status, is_child in Case.objects.values_list(
            "pk", "person_id", "status", "is_child"
        ).iterator(chunk_size=10_000)
        if pk in by_case
    }
    wanted = {c[0] for c in cases.values()}
    persons = {
        p["id"]: p
        for p in Person.objects.values(
            "id",
            "sex",
            "date_of_birth",
            "estimated_age",
            "age_estimated_on",
            nationality_list=Cast("nationalities", TextField()),
        ).iterator(chunk_size=10_000)
        if p["id"] in wanted
    }
    # Dates in the local time zone, made by the database (171,000 datetimes cost 3 s in Python).
    local = timezone.get_current_timezone()
    changes: dict[UUID, list[tuple[dt.date, str]]] = defaultdict(list)
    for case_id, day, status in StatusChange.objects.order_by("at", "id").values_list(
        "case_id", TruncDate("at", tzinfo=local), "to_status"
    ):
        if case_id in by_case:
            changes[case_id].append((day, status))
    presumed: dict[UUID, list[Span]] = defaultdict(list)
    for case_id, start, lifted in AgePresumption.objects.values_list(
        "case_id", TruncDate("started_at", tzinfo=local), TruncDate("lifted_at", tzinfo=local)
    ):
        if case_id in by_case:
            presumed[case_id].append((start, max(start, lifted or FOREVER)))

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
        followed: list[Span] = []
        for cid in case_ids:
            followed += _followed_spans(by_case[cid][0]["referral_date"], changes[cid], today)
        records = [persons[cases[cid][0]] for cid in case_ids]
        ages = [a for a in (_age_on(p, first) for p in records) if a is not None]
        child = (
            any(a < 18 for a in ages)
            or any(cases[cid][2] for cid in case_ids)
            or any(span[0].year <= first.year for cid in case_ids for span in presumed[cid])
        )
        child_spans: list[Span] = [span for cid in case_ids for span in presumed[cid]]
        adult_from = [d for d in (_adult_from(p) for p in records) if d is not None]
        if adult_from:
            last = max(adult_from)
            if last > dt.date.min:
                child_spans.append((dt.date.min, last - dt.timedelta(days=1)))
        elif any(cases[cid][2] for cid in case_ids):
            child_spans.append((dt.date.min, FOREVER))
        identified = [day for cid in case_ids for day, status in changes[cid] if status in IDENTIFIED]
        rows.append(
            PersonRow(
                person_key=key,
                first_date=first,
                followed=merge(followed),
                sex=_first_nonempty(p["sex"] for p in records),
                child=child,
                nationality=_first_nonempty(_first_code(p["nationality_list"]) for p in records),
                exploitation=frozenset().union(*(_codes(r["forms"]) for r in refs)),
                agency_kinds=frozenset(r["reporting_agency__kind"] for r in refs),
                municipality=_first_nonempty(r["municipality"] for r in refs),
                reflection_applied=frozenset(events[key][LegalStatusKind.REFLECTION_APPLIED]),
                reflection_granted=frozenset(events[key][LegalStatusKind.REFLECTION_GRANTED]),
                reflection_rejected=frozenset(events[key][LegalStatusKind.REFLECTION_REJECTED]),
                residence_permit=frozenset(events[key]["residence_permit"]),
                voluntary_return=frozenset(events[key]["voluntary_return"]),
                minor_disappeared=frozenset(events[key]["minor_disappeared"]),
                status=str(cases[case_ids[-1]][1]),
                first_agency_kind=str(refs[0]["reporting_agency__kind"]),
                labour_sector=_first_nonempty(r["labour_sector"] for r in refs),
                legal=frozenset(legal[key]),
                cooperation=tuple((on, state) for on, _at, state in sorted(cooperation[key])),
                follow_ups=tuple(sorted(follow_ups[key])),
                child_spans=merge(child_spans),
                identified_on=min(identified) if identified else None,
                referral_kinds=tuple(
                    sorted({(r["referral_date"], r["reporting_agency__kind"]) for r in refs})
                ),
            )
        )
    rows.sort(key=lambda row: row.person_key)
    return rows


# The look-ups below read each table whole and leave out the rows of cases without a referral (not
# in key_of_case): at 100,000 cases, sending every case id as a parameter cost seconds a table.


def _events(
    key_of_case: dict[UUID, str], statuses: list[tuple[UUID, str, dt.date]]
) -> dict[str, dict[str, set[dt.date]]]:
    """person key -> event name -> the days it happened (legal status, returns, disappearances)."""
    events: dict[str, dict[str, set[dt.date]]] = defaultdict(lambda: defaultdict(set))
    for case_id, kind, day in statuses:
        name = "residence_permit" if kind in RESIDENCE_PERMIT_KINDS else kind
        events[key_of_case[case_id]][name].add(day)
    for case_id, returned_on in VoluntaryReturn.objects.filter(
        state=ReturnState.RETURNED, returned_on__isnull=False
    ).values_list("case_id", "returned_on"):
        if case_id in key_of_case and returned_on is not None:
            events[key_of_case[case_id]]["voluntary_return"].add(returned_on)
    for case_id, last_seen in MissingEpisode.objects.filter(was_child=True).values_list(
        "case_id", "last_seen_at"
    ):
        if case_id in key_of_case:
            events[key_of_case[case_id]]["minor_disappeared"].add(clock.localdate(last_seen))
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
) -> dict[str, set[tuple[str, dt.date]]]:
    """person key -> (kind, date) of every legal-status entry no later entry corrects."""
    legal: dict[str, set[tuple[str, dt.date]]] = defaultdict(set)
    for case_id, kind, day in statuses:
        legal[key_of_case[case_id]].add((kind, day))
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


def _follow_ups(key_of_case: dict[UUID, str]) -> dict[str, list[tuple[dt.date, bool]]]:
    """person key -> (day due, reached) for each follow-up after a return that was not stopped."""
    reached = {
        f"return:{ret}:{stage}"
        for ret, stage in ReturnFollowUp.objects.filter(outcome=FollowUpOutcome.REACHED).values_list(
            "voluntary_return_id", "stage"
        )
    }
    result: dict[str, list[tuple[dt.date, bool]]] = defaultdict(list)
    for case_id, origin, due_at in (
        Clock.objects.filter(kind=RETURN_CLOCK_KIND)
        .exclude(state=ClockState.CANCELLED)
        .values_list("case_id", "origin", "due_at")
    ):
        if case_id in key_of_case:
            result[key_of_case[case_id]].append((clock.localdate(due_at), origin in reached))
    return result


def kinds_in_period(rows: Iterable[PersonRow], *, start: dt.date, end: dt.date) -> list[frozenset[str]]:
    """`agency_kinds_in_period` from an extract already made (the annual report has one)."""
    out = []
    for row in sorted(rows, key=lambda r: r.person_key):
        kinds = frozenset(kind for day, kind in row.referral_kinds if start <= day <= end)
        if kinds:
            out.append(kinds)
    return out


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
