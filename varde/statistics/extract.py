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
    changes: dict[UUID, list[tuple[dt.date, str]]] = defaultdict(list)
    for change in StatusChange.objects.order_by("at", "id").values("case_id", "at", "to_status"):
        if change["case_id"] in by_case:
            changes[change["case_id"]].append((clock.localdate(change["at"]), str(change["to_status"])))
    presumed: dict[UUID, list[Span]] = defaultdict(list)
    for p in AgePresumption.objects.values("case_id", "started_at", "lifted_at"):
        if p["case_id"] in by_case:
            lifted = clock.localdate(p["lifted_at"]) if p["lifted_at"] else FOREVER
            start = clock.localdate(p["started_at"])
            presumed[p["case_id"]].append((start, max(start, lifted)))

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
        records = [persons[cases[cid]["person_id"]] for cid in case_ids]
        ages = [a for a in (_age_on(p, first) for p in records) if a is not None]
        child = (
            any(a < 18 for a in ages)
            or any(cases[cid]["is_child"] for cid in case_ids)
            or any(span[0].year <= first.year for cid in case_ids for span in presumed[cid])
        )
        child_spans: list[Span] = [span for cid in case_ids for span in presumed[cid]]
        adult_from = [d for d in (_adult_from(p) for p in records) if d is not None]
        if adult_from:
            last = max(adult_from)
            if last > dt.date.min:
                child_spans.append((dt.date.min, last - dt.timedelta(days=1)))
        elif any(cases[cid]["is_child"] for cid in case_ids):
            child_spans.append((dt.date.min, FOREVER))
        identified = [day for cid in case_ids for day, status in changes[cid] if status in IDENTIFIED]
        rows.append(
            PersonRow(
                person_key=key,
                first_date=first,
                followed=merge(followed),
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
                cooperation=tuple((on, state) for on, _at, state in sorted(cooperation[key])),
                follow_ups=tuple(sorted(follow_ups[key])),
                child_spans=merge(child_spans),
                identified_on=min(identified) if identified else None,
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
