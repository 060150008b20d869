"""The one way to national statistics: who may see which figures, and the audit event for each read.

Coordinators see the internal (unsuppressed) figures or the published ones; analysts see published
figures only; nobody else sees any. The scripted CLI without --user acts as the server operator (as
`varde backup` does): audited with no actor. Every read is audited with the year, whether the figures
were published and the threshold; never a figure, never a person key.
"""

from __future__ import annotations

import datetime as dt

from varde.accounts.models import Role, User
from varde.core.errors import NotPermitted

from .extract import agency_kinds_in_period, pseudonymised_extract
from .figures import NationalFigures, national_figures
from .hidden import DEFAULT_SELECTION, HiddenEstimate, capture_table, estimate_hidden, list_groups, lists_of
from .periods import Period

OPERATOR = None  # the CLI run by whoever operates the server


def may_see_internal(user: User | None) -> bool:
    return user is OPERATOR or bool(user and user.is_active and user.is_coordinator)


def may_see_published(user: User | None) -> bool:
    return may_see_internal(user) or bool(user and user.is_active and user.has_role(Role.ANALYST))


def analyst_sees_published_only(user: User | None) -> bool:
    """An analyst (not also a coordinator) is given the published figures without asking."""
    return user is not OPERATOR and not may_see_internal(user) and user.has_role(Role.ANALYST)


def check_may_see(user: User | None, published: bool) -> None:
    if not may_see_published(user):
        raise NotPermitted("only coordinators and analysts see national statistics")
    if not published and not may_see_internal(user):
        raise NotPermitted("analysts see published (suppressed) figures only")


def figures_for_year(year: int) -> NationalFigures:
    """Internal figures, unaudited: for callers that check access and audit themselves."""
    return national_figures(pseudonymised_extract(), year)


def figures_for_period(period: Period) -> NationalFigures:
    """Internal figures for any period (both ends included), unaudited, as figures_for_year."""
    return national_figures(pseudonymised_extract(), period)


def hidden_for_period(*, start: dt.date, end: dt.date, selection: str = DEFAULT_SELECTION) -> HiddenEstimate:
    """The hidden-numbers estimate for a period, unaudited: for callers that check access and audit."""
    groups = list_groups()
    histories = [lists_of(kinds, groups) for kinds in agency_kinds_in_period(start=start, end=end)]
    table = capture_table(histories, [g.name for g in groups])
    return estimate_hidden(table, selection=selection)
