"""Case lists: search, filters, orders and pages over a queryset the access layer hands in.

These selectors decide nothing about who may see what: `varde.access.search` starts from the user's
case list (`varde.access.cases.cases_listed_for`) and says which cases' personal data a search may
match (`personal`). What a search text means (which keys a name, a phone or a document gives) is the
linkage's normalisation (`varde.linkage.search_keys`); here it only becomes SQL over the stored keys
(`PersonSearchKey`): one indexed look-up a term, whatever the number of cases.

Counts are capped (`COUNT_CAP`): a list says "more than 10 000" rather than count a national caseload
row by row on every page.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any, Protocol
from uuid import UUID

from django.db import connection
from django.db.models import Case as When_
from django.db.models import Exists, IntegerField, OuterRef, Q, QuerySet, TextField, Value, When
from django.db.models.functions import Cast
from django.utils import timezone

from .models import Case, CaseParticipation, CaseStatus, ParticipationState, PersonSearchKey, Referral

PAGE_SIZE = 50
COUNT_CAP = 10_000

# --- search --------------------------------------------------------------------------------------------


class SearchTerm(Protocol):
    """One reading of a word of a search text (varde.linkage.search_keys.Term)."""

    @property
    def keys(self) -> frozenset[str]: ...
    @property
    def prefixes(self) -> frozenset[str]: ...
    @property
    def references(self) -> frozenset[str]: ...


class SearchText(Protocol):
    """A search text as read (varde.linkage.search_keys.SearchText): every term must match, or any
    one reading of the whole text."""

    @property
    def terms(self) -> Sequence[SearchTerm]: ...
    @property
    def whole(self) -> Sequence[SearchTerm]: ...


def _any(conditions: Iterable[Q]) -> Q:
    found = Q(pk__in=[])
    for condition in conditions:
        found |= condition
    return found


def _term_q(term: SearchTerm, personal: Q) -> Q:
    """A case matches a term by its reference, or (only where `personal` holds) by its person's keys."""
    found = _any(Q(reference__startswith=ref) for ref in sorted(term.references))
    if term.keys or term.prefixes:
        keys = Q(key__in=sorted(term.keys)) if term.keys else Q(pk__in=[])
        keys |= _any(Q(key__startswith=prefix) for prefix in sorted(term.prefixes))
        persons = PersonSearchKey.objects.filter(keys).values("person_id")
        found |= Q(person_id__in=persons) & personal
    return found


def search_q(text: SearchText, *, personal: Q) -> Q:
    """The condition for the cases a search text finds. `personal` is the condition for the cases
    whose personal data the user may open: a name, a phone, a document or a birth date matches only
    those, so that a list showing more (a coordinator's national list) never tells that a name is in
    a case the user may not open. A reference matches any case of the list."""
    if not text.terms and not text.whole:
        return Q(pk__in=[])
    every = Q()
    for term in text.terms:
        every &= _term_q(term, personal)
    found = every if text.terms else Q(pk__in=[])
    return found | _any(_term_q(term, personal) for term in text.whole)


# --- filters -------------------------------------------------------------------------------------------


def taking_part_q(agency_id: UUID) -> Q:
    """Cases the agency takes part in (its participation is active; the lead agency's too)."""
    return Q(
        Exists(
            CaseParticipation.objects.filter(
                case_id=OuterRef("pk"), agency_id=agency_id, state=ParticipationState.ACTIVE
            )
        )
    )


def exploitation_forms_q(forms: Iterable[str]) -> Q:
    """Cases with a referral naming any of these forms of exploitation."""
    wanted = sorted(set(forms))
    if not wanted:
        return Q()
    referrals = Referral.objects.filter(case_id=OuterRef("pk"))
    if connection.features.supports_json_field_contains:  # PostgreSQL: jsonb containment
        condition = _any(Q(exploitation_forms__contains=[form]) for form in wanted)
    else:  # SQLite: the stored JSON text holds each code in quotes; codes are [a-z_] only
        referrals = referrals.annotate(forms_text=Cast("exploitation_forms", TextField()))
        condition = _any(Q(forms_text__contains=f'"{form}"') for form in wanted)
    return Q(Exists(referrals.filter(condition)))


def _start_of_day(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time.min))


def opened_q(*, on_or_after: dt.date | None = None, on_or_before: dt.date | None = None) -> Q:
    """Cases opened within these days (Norwegian time), both included."""
    found = Q()
    if on_or_after is not None:
        found &= Q(opened_at__gte=_start_of_day(on_or_after))
    if on_or_before is not None:
        found &= Q(opened_at__lt=_start_of_day(on_or_before + dt.timedelta(days=1)))
    return found


# --- orders --------------------------------------------------------------------------------------------

# The lifecycle's order, for sorting by status (the codes' alphabetical order means nothing).
STATUS_ORDER = [
    CaseStatus.REPORTED,
    CaseStatus.UNDER_ASSESSMENT,
    CaseStatus.IDENTIFIED,
    CaseStatus.NOT_VICTIM,
    CaseStatus.ASSISTANCE,
    CaseStatus.CLOSED,
]
_STATUS_RANK = When_(
    *[When(status=status, then=Value(rank)) for rank, status in enumerate(STATUS_ORDER)],
    default=Value(len(STATUS_ORDER)),
    output_field=IntegerField(),
)

# Each order ends in the primary key, so that pages never skip or repeat a case. "-opened" and
# "opened" read the index case_opened_idx forwards and backwards; "reference" the unique index.
ORDERS: dict[str, tuple[Any, ...]] = {
    "-opened": ("-opened_at", "id"),
    "opened": ("opened_at", "-id"),
    "reference": ("reference",),
    "-reference": ("-reference",),
    "status": (_STATUS_RANK.asc(), "-opened_at", "id"),
    "-status": (_STATUS_RANK.desc(), "-opened_at", "id"),
}
DEFAULT_ORDER = "-opened"


def ordered(queryset: QuerySet[Case], order: str) -> QuerySet[Case]:
    return queryset.order_by(*ORDERS.get(order or DEFAULT_ORDER, ORDERS[DEFAULT_ORDER]))


# --- pages ---------------------------------------------------------------------------------------------


def count_capped(queryset: QuerySet[Case], cap: int = COUNT_CAP) -> tuple[int, bool]:
    """How many cases the list holds, counted up to `cap` and no further: (count, exact). One query
    that stops after cap + 1 rows (SELECT COUNT(*) FROM (... LIMIT cap + 1))."""
    counted = queryset.order_by().values("pk")[: cap + 1].count()
    return (counted, True) if counted <= cap else (cap, False)


@dataclass(frozen=True)
class CasePage:
    """One page of a case list: its cases, its number, and the count of the whole list (exact up to
    COUNT_CAP; beyond, `total` is the cap and `exact` false)."""

    cases: list[Case]
    number: int
    size: int
    total: int
    exact: bool

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.size))

    @property
    def has_previous(self) -> bool:
        return self.number > 1

    @property
    def has_next(self) -> bool:
        return self.number < self.pages or (not self.exact and len(self.cases) == self.size)

    @property
    def first_index(self) -> int:
        return (self.number - 1) * self.size + 1 if self.cases else 0

    @property
    def last_index(self) -> int:
        return (self.number - 1) * self.size + len(self.cases)


def page_of(queryset: QuerySet[Case], *, number: int, size: int = PAGE_SIZE) -> CasePage:
    """The page `number` (from 1) of an ordered list: two queries, the count and the rows. A number
    past the last page gives the last page (while the count is exact)."""
    total, exact = count_capped(queryset)
    number = max(1, number)
    if exact:
        number = min(number, max(1, -(-total // size)))
    start = (number - 1) * size
    cases = list(queryset[start : start + size])
    return CasePage(cases=cases, number=number, size=size, total=total, exact=exact)
