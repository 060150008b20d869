"""The audit trail's pages: who may read it, and every read of it audited.

Rule: auditors only (`is_auditor`: "reads who looked at what"). Coordinators, administrators and
everyone else get 404: the trail names every user's reads, and a coordinator is one of the users it
watches. Reading the trail is itself audited, object type "audit.trail": a list as LIST (with the
filters), a case's access log as VIEW, its CSV as EXPORT, a check of the chain as VIEW of
"audit.chain".

What the pages show comes from the audit rows (ids, user names, agency codes, actions) and case
references; never a name or any other personal data of the people in the cases.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any
from uuid import UUID

from django.db import transaction
from django.http import Http404
from django.utils import timezone

from varde.access.predicates import is_auditor
from varde.accounts.models import User
from varde.audit import selectors
from varde.audit.models import AuditAction, AuditEvent
from varde.audit.selectors import CHAIN, TRAIL, EventPage, Viewer
from varde.audit.services import ChainReport, audit_record
from varde.cases.models import Case
from varde.interchange.services import FORMULA_STARTS, PLAIN_NUMBER

# Checked on every view of the trail (milliseconds), and by "verify now" (seconds at most).
SHOWN_CHECK = 1_000
VERIFY_NOW_CHECK = 100_000


def may_read_audit_trail(user: User) -> bool:
    """Auditors only (see the module's docstring)."""
    return is_auditor(user)


def _require(user: User) -> None:
    if not may_read_audit_trail(user):
        raise Http404("Not found")


@dataclass(frozen=True)
class TrailFilters:
    """What the auditor filters by, as typed (validated by the page's form)."""

    username: str = ""
    agency: str = ""
    case: str = ""  # a case reference
    action: str = ""
    object_type: str = ""
    date_from: dt.date | None = None
    date_to: dt.date | None = None

    def used(self) -> dict[str, str]:
        values = {
            "username": self.username,
            "agency": self.agency,
            "case": self.case,
            "action": self.action,
            "object_type": self.object_type,
            "date_from": self.date_from.isoformat() if self.date_from else "",
            "date_to": self.date_to.isoformat() if self.date_to else "",
        }
        return {k: v for k, v in values.items() if v}


def _start_of(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time.min))


@dataclass(frozen=True)
class TrailRow:
    event: AuditEvent
    reference: str  # the case's reference, for an event on a case; else ""


@dataclass
class TrailPage:
    page: EventPage
    rows: list[TrailRow]
    unknown_case: bool = False


def _rows(events: list[AuditEvent]) -> list[TrailRow]:
    references = _references(events)
    return [
        TrailRow(e, references.get(e.object_id, "") if e.object_type == "cases.case" else "") for e in events
    ]


def _references(events: Iterable[AuditEvent]) -> dict[str, str]:
    ids = set()
    for event in events:
        if event.object_type == "cases.case" and event.object_id:
            try:
                ids.add(UUID(event.object_id))
            except ValueError:
                continue
    if not ids:
        return {}
    return {str(pk): ref for pk, ref in Case.objects.filter(pk__in=ids).values_list("pk", "reference")}


def audit_trail_page(
    *, user: User, filters: TrailFilters, before: int | None = None, after: int | None = None
) -> TrailPage:
    """One page of the trail, newest first; audited as a LIST of the trail with the filters."""
    _require(user)
    kwargs: dict[str, Any] = {
        "agency_code": filters.agency,
        "action": filters.action,
        "object_type": filters.object_type,
        "at_from": _start_of(filters.date_from) if filters.date_from else None,
        "at_before": _start_of(filters.date_to + dt.timedelta(days=1)) if filters.date_to else None,
    }
    if filters.username:
        ids = list(User.objects.filter(username=filters.username).values_list("pk", flat=True))
        if ids:
            kwargs["actor_ids"] = ids
        else:
            kwargs["actor_username"] = filters.username
    unknown_case = False
    case_id = ""
    if filters.case:
        found = (
            Case.objects.filter(reference=filters.case.strip().upper()).values_list("pk", flat=True).first()
        )
        unknown_case = found is None
        case_id = str(found) if found else ""
    if unknown_case:
        page = EventPage([], None, None)
    else:
        page = selectors.page_of(
            selectors.events_matching(object_id=case_id, **kwargs), before=before, after=after
        )
    detail: dict[str, Any] = {"filters": filters.used(), "events": [e.seq for e in page.events]}
    if case_id:
        detail["case"] = case_id
    audit_record(actor=user, action=AuditAction.LIST, obj=(TRAIL, ""), detail=detail)
    return TrailPage(page, _rows(page.events), unknown_case)


@dataclass
class CaseAccessLog:
    reference: str
    case_id: UUID | None
    viewers: list[Viewer] = field(default_factory=list)
    page: EventPage = field(default_factory=lambda: EventPage([], None, None))
    rows: list[TrailRow] = field(default_factory=list)


def _case_by_reference(reference: str) -> Case | None:
    return (
        Case.objects.filter(reference=reference.strip().upper()).only("pk", "reference", "person_id").first()
    )


def audit_case_log(
    *, user: User, reference: str, before: int | None = None, after: int | None = None
) -> CaseAccessLog:
    """Who has seen a case: every user who viewed, listed, exported or changed it (or its person), with
    their agency and when, break-the-glass included; audited as a VIEW of the case's trail. An unknown
    reference gives an empty log (auditors may know which references exist)."""
    _require(user)
    case = _case_by_reference(reference)
    if case is None:
        audit_record(actor=user, action=AuditAction.VIEW, obj=(TRAIL, ""), detail={"reference": "unknown"})
        return CaseAccessLog(reference, None)
    events = selectors.events_about_case(case_id=case.pk, person_id=case.person_id)
    page = selectors.page_of(events, before=before, after=after)
    audit_record(
        actor=user, action=AuditAction.VIEW, obj=(TRAIL, str(case.pk)), detail={"case": str(case.pk)}
    )
    return CaseAccessLog(case.reference, case.pk, selectors.viewers_of(events), page, _rows(page.events))


def csv_cell(value: str) -> str:
    """A spreadsheet formula neutralised, as varde.interchange's exports do (OWASP, CSV injection)."""
    if value.startswith(FORMULA_STARTS) and not PLAIN_NUMBER.fullmatch(value):
        return "'" + value
    return value


CSV_COLUMNS = [
    "seq",
    "at",
    "user",
    "agency",
    "action",
    "object_type",
    "object_id",
    "page",
    "request_id",
]


def audit_case_export(*, user: User, reference: str) -> tuple[str, bytes] | None:
    """The case's access log as CSV for a data-subject request (every event, oldest first, times in
    Europe/Oslo); audited as an EXPORT of the case's trail in the same transaction. None for an unknown
    reference."""
    _require(user)
    case = _case_by_reference(reference)
    if case is None:
        return None
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(CSV_COLUMNS)
    rows = 0
    with transaction.atomic():
        events = selectors.events_about_case(case_id=case.pk, person_id=case.person_id).order_by("seq")
        for event in events.iterator(chunk_size=2000):
            page = event.detail.get("page", "") if isinstance(event.detail, dict) else ""
            writer.writerow(
                [
                    csv_cell(str(v))
                    for v in (
                        event.seq,
                        timezone.localtime(event.at).isoformat(timespec="seconds"),
                        event.actor_username,
                        event.agency_code,
                        event.action,
                        event.object_type,
                        event.object_id,
                        page if isinstance(page, str) else "",
                        event.request_id,
                    )
                ]
            )
            rows += 1
        audit_record(
            actor=user,
            action=AuditAction.EXPORT,
            obj=(TRAIL, str(case.pk)),
            detail={"case": str(case.pk), "rows": rows, "format": "csv"},
        )
    return f"access-log-{case.reference}.csv", out.getvalue().encode("utf-8-sig")


@dataclass(frozen=True)
class ChainStatus:
    report: ChainReport
    scope: int  # how many of the latest events were checked at most
    last_verified: AuditEvent | None


def audit_chain_status(*, user: User) -> ChainStatus:
    """The latest SHOWN_CHECK events checked now, and the last "verify now" (no audit of its own: the
    page that shows it records its read)."""
    _require(user)
    return ChainStatus(
        selectors.chain_verify_latest(count=SHOWN_CHECK), SHOWN_CHECK, selectors.chain_last_verified()
    )


def audit_chain_verify(*, user: User) -> ChainReport:
    """ "Verify now": the latest VERIFY_NOW_CHECK events (seconds at most; the whole chain is
    `varde audit verify`'s work), recorded as a VIEW of the chain with the outcome."""
    _require(user)
    report = selectors.chain_verify_latest(count=VERIFY_NOW_CHECK)
    audit_record(
        actor=user,
        action=AuditAction.VIEW,
        obj=(CHAIN, ""),
        detail={
            "scope": VERIFY_NOW_CHECK,
            "checked": report.checked,
            "ok": report.ok,
            "first_broken_seq": report.first_broken_seq,
        },
    )
    return report
