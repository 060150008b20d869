"""The one way to national statistics: who may see which figures, and the audit event for each read.

Coordinators see the internal (unsuppressed) figures or the published ones; analysts see published
figures only; nobody else sees any. The scripted CLI without --user acts as the server operator (as
`varde backup` does): audited with no actor. Every read is audited with the year, whether the figures
were published and the threshold; never a figure, never a person key.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from varde.accounts.models import Role, User
from varde.core.errors import NotPermitted

from .anonymous import anonymous_extract
from .extract import PersonRow, agency_kinds_in_period, kinds_in_period, pseudonymised_extract
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
    """Internal figures, unaudited: for callers that check access and audit themselves. The anonymous
    notifications are counted apart (never persons)."""
    return national_figures(pseudonymised_extract(), year, anonymous_extract())


def figures_for_period(period: Period) -> NationalFigures:
    """Internal figures for any period (both ends included), unaudited, as figures_for_year."""
    return national_figures(pseudonymised_extract(), period, anonymous_extract())


def hidden_for_period(
    *,
    start: dt.date,
    end: dt.date,
    selection: str = DEFAULT_SELECTION,
    rows: Iterable[PersonRow] | None = None,
) -> HiddenEstimate:
    """The hidden-numbers estimate for a period, unaudited: for callers that check access and audit.
    `rows`: an extract the caller has already made (else the referrals are read for it)."""
    groups = list_groups()
    kinds = (
        agency_kinds_in_period(start=start, end=end)
        if rows is None
        else kinds_in_period(rows, start=start, end=end)
    )
    histories = [lists_of(k, groups) for k in kinds]
    table = capture_table(histories, [g.name for g in groups])
    return estimate_hidden(table, selection=selection)


# Audited writes: every change of the data the figures read is one (varde.audit: every write of a case
# goes through a service that audits it), and of the annual report's texts too. Reads are not.
WRITE_ACTIONS = ("create", "update", "import", "approve", "anonymise", "restore")


def data_version() -> str:
    """What the figures were made from: the last audited write (its sequence number and hash, unique
    even across a restore) and the latest linkage run. A cache of figures keyed by it is invalidated by
    any change. One index-only look-up per kind of write (the audit's (action, seq) index)."""
    from varde.audit.models import AuditEvent
    from varde.linkage.models import LinkageRun

    writes = [
        AuditEvent.objects.filter(action=action).order_by("-seq").values_list("seq", "hash").first()
        for action in WRITE_ACTIONS
    ]
    seq, digest = max((w for w in writes if w is not None), default=(0, ""))
    run = LinkageRun.objects.order_by("-started").values_list("pk", flat=True).first()
    return f"{seq}-{digest[:16]}-{run or 'none'}"
