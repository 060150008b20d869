"""The worker: due clocks, escalations, outgoing e-mail, and the outbox events the response consumes.

Exactly once where it matters: each item is claimed by a compare-and-set UPDATE whose WHERE clause
holds the state it expects (a clock still running and past due; a notification not yet escalated;
an event not yet processed). The claim and everything it causes commit in one transaction, so a
worker killed mid-way leaves the item unclaimed for the next pass, and two workers never both win.

E-mail leaves the database, so it cannot share a transaction: it is claimed with a lease
(claimed_by, claimed_until); a worker killed after sending and before recording it lets the lease
expire and the mail is sent again (at least once). Nothing is lost.

Logs carry counts, record ids and exception types only.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import logging
import os
import random
import signal
import socket
import threading
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass
from typing import Any

from django.conf import settings
from django.core.mail import EmailMessage, get_connection
from django.db import close_old_connections, connection, transaction
from django.db.models import F, Q, QuerySet
from django.urls import NoReverseMatch, reverse

from varde.cases.models import CaseStatus
from varde.core import clock as vclock
from varde.events.models import Event
from varde.events.services import (
    EventsNotClaimed,
    Prepared,
    deferred_event_kinds,
    event_process,
    events_prepare,
    events_process_many,
)

from .clocks import (
    clock_fire_missed,
    clock_fire_warning,
    clocks_due,
    clocks_fire_missed,
    clocks_fire_warning,
    clocks_to_warn,
)
from .models import Clock, EmailState, Notification, NotificationKind, WorkerHeartbeat
from .routing import Notice, notify_many

log = logging.getLogger("varde.response.worker")

EMAIL_LEASE_SECONDS = 300
EMAIL_MAX_ATTEMPTS = 8


@dataclass
class WorkerStats:
    events: int = 0
    warned: int = 0
    missed: int = 0
    escalated: int = 0
    emails_sent: int = 0
    emails_failed: int = 0
    errors: int = 0

    def add(self, other: WorkerStats) -> None:
        for key, value in asdict(other).items():
            setattr(self, key, getattr(self, key) + value)

    @property
    def fired(self) -> int:
        return self.events + self.warned + self.missed + self.escalated + self.emails_sent

    def as_dict(self) -> dict[str, int]:
        return asdict(self)


def default_worker_id() -> str:
    return f"{socket.gethostname()[:40]}:{os.getpid()}:{random.getrandbits(32):08x}"  # noqa: S311


CLAIM = 100  # items claimed and fired in one transaction


class _NotAllClaimed(Exception):
    """The batch's compare-and-set did not match every item (another worker got there first)."""


def _fire_one(
    candidates: Callable[[], QuerySet[Any]], fire: Callable[[Any], bool], item_id: Any, *, lock: bool
) -> bool:
    """Claim and fire one item in its own transaction; False if it is no longer a candidate."""
    with transaction.atomic():
        qs = candidates().filter(pk=item_id)
        if lock:
            qs = qs.select_for_update(skip_locked=True, of=("self",))
        if not qs.exists():
            return False
        return fire(item_id)


SQLITE_LONG = 0.05  # seconds: a write transaction longer than this ...
SQLITE_PAUSE = 0.15  # ... is followed by this pause on SQLite


def _make_way(since: float) -> None:
    """SQLite has one writer at a time, and a writer that waits polls for the lock (every 100 ms at
    most). After a long write transaction (an event whose linkage look-up takes a second), the worker
    pauses, so that a waiting request (a sign-in, a report) gets the database instead of losing it to
    the worker's next transaction again and again until its 20 s timeout (tried: the demo's backlog
    under make run made sign-in answer 500). PostgreSQL's writers do not queue so; no pause there."""
    if connection.vendor == "sqlite" and time.monotonic() - since > SQLITE_LONG:
        time.sleep(SQLITE_PAUSE)


def _drain(
    candidates: Callable[[], QuerySet[Any]],
    fire: Callable[[Any], bool],
    *,
    batch: int,
    stats: WorkerStats,
    what: str,
    fire_many: Callable[[list[Any]], int] | None = None,
) -> int:
    """Claim and fire until no candidates are left.

    Items are picked with FOR UPDATE SKIP LOCKED where the database has it (PostgreSQL), so
    concurrent workers take different rows instead of queueing on the same ones; the compare-and-set
    inside `fire` / `fire_many` is what guarantees once (and is all SQLite, which serialises writers,
    needs). With `fire_many`, up to CLAIM items are claimed and fired in one transaction (one
    compare-and-set UPDATE over all of them, the notices in a few queries): if that UPDATE does not
    match every item, or anything fails, the whole transaction rolls back and the items are fired
    one per transaction instead, so one bad item costs only itself. The claim and everything it
    causes commit together: a worker killed mid-way commits nothing of what it was firing, and the
    next pass finds those items still due. A failing item is rolled back and skipped for the rest
    of the pass. (No savepoints per item: on PostgreSQL hundreds of subtransactions locking the same
    referenced rows grow multixacts quadratically.)"""
    failed: set[Any] = set()
    won = 0
    skip_locked = connection.features.has_select_for_update_skip_locked
    while True:
        ids: list[Any] = []
        began = time.monotonic()
        try:
            with transaction.atomic():
                qs = candidates().exclude(pk__in=failed)
                if skip_locked:
                    # OF self: lock the item's rows only; a candidate filter may join a nullable
                    # relation (the notification's case), whose side PostgreSQL cannot lock.
                    qs = qs.select_for_update(skip_locked=True, of=("self",))
                ids = list(qs.values_list("pk", flat=True)[: CLAIM if fire_many else 1])
                if not ids:
                    return won
                if fire_many is not None:
                    won += fire_many(ids)
                elif fire(ids[0]):
                    won += 1
            _make_way(began)
            continue
        except Exception as exc:  # noqa: BLE001 - one bad item must not stop the rest; ids only in logs
            if fire_many is None or (len(ids) <= 1 and not isinstance(exc, _NotAllClaimed)):
                failed.update(ids)
                stats.errors += 1
                log.error("worker: %s %s failed (%s)", what, ids[0] if ids else None, type(exc).__name__)
                if not ids or len(failed) > batch:
                    return won
                continue
            if not isinstance(exc, _NotAllClaimed):
                log.warning(
                    "worker: a batch of %d %s failed (%s); one by one", len(ids), what, type(exc).__name__
                )
        for item_id in ids:  # the batch rolled back: one transaction per item
            began = time.monotonic()
            try:
                if _fire_one(candidates, fire, item_id, lock=skip_locked):
                    won += 1
                _make_way(began)
            except Exception as exc:  # noqa: BLE001 - as above
                failed.add(item_id)
                stats.errors += 1
                log.error("worker: %s %s failed (%s)", what, item_id, type(exc).__name__)
        if len(failed) > batch:
            return won


BEAT_EVERY = 60.0  # seconds: a long pass over events says the worker is alive at least this often


def process_events(*, batch: int, stats: WorkerStats, beat: Callable[[], Any] | None = None) -> int:
    """Events in batches of up to CLAIM. The handlers' slow look-ups (a new referral's linkage
    matches) run for the whole batch first, outside any transaction (reads only, `events_prepare`);
    then one short transaction claims the batch (one compare-and-set) and writes what the handlers
    do. So the write transaction holds SQLite's database or PostgreSQL's audit chain head for the
    writes alone, not for the look-ups (a batch that also held them made sign-in answer 500 on the
    demo). If the claim does not match every event (another worker) or anything fails, the batch is
    undone and its events go one per transaction, one bad event costing only itself. A look-up made
    before the transaction may miss a record written in the milliseconds since; the review queue is
    KOM's to work through and the next linkage run sees every record.

    A backlog can take long (the demo's 3,100 reports, a second each): between batches the worker
    beats (`beat`) at least every BEAT_EVERY seconds, so that the health check does not call a
    working worker dead."""
    failed: set[Any] = set()
    won = 0
    kinds = deferred_event_kinds()
    beaten = time.monotonic()
    while len(failed) <= batch:
        if beat is not None and time.monotonic() - beaten >= BEAT_EVERY:
            beat()
            beaten = time.monotonic()
        events = list(
            Event.objects.filter(processed_at__isnull=True, kind__in=kinds)
            .exclude(pk__in=failed)
            .select_related("case")
            .order_by("occurred_at", "id")[:CLAIM]
        )
        if not events:
            break
        prepared: Prepared | None = None
        with contextlib.suppress(Exception):  # the handlers then look for themselves
            prepared = events_prepare(events)
        began = time.monotonic()
        try:
            with transaction.atomic():
                won += events_process_many(events=events, prepared=prepared)
            _make_way(began)
            continue
        except Exception as exc:  # noqa: BLE001 - the batch is undone; one by one below
            if not isinstance(exc, EventsNotClaimed):
                log.warning(
                    "worker: a batch of %d events failed (%s); one by one", len(events), type(exc).__name__
                )
        for event in events:
            began = time.monotonic()
            try:
                with transaction.atomic():
                    won += event_process(event_id=event.pk, prepared=prepared)
                _make_way(began)
            except Exception as exc:  # noqa: BLE001 - one bad event must not stop the rest; ids only in logs
                failed.add(event.pk)
                stats.errors += 1
                log.error("worker: event %s failed (%s)", event.pk, type(exc).__name__)
    stats.events += won
    return won


def _warning(clk: Clock) -> Notice:
    return Notice(
        kind=NotificationKind.CLOCK_WARNING, case=clk.case, clock=clk, subject=f"clock:{clk.pk}:{clk.version}"
    )


def _missed(clk: Clock) -> Notice:
    return Notice(kind=NotificationKind.CLOCK_MISSED, case=clk.case, clock=clk, subject=f"clock:{clk.pk}")


def process_clocks(*, batch: int, stats: WorkerStats) -> None:
    def warn(clock_id: Any) -> bool:
        clk = clock_fire_warning(clock_id=clock_id, now=vclock.now())
        if clk is None:
            return False
        notify_many([_warning(clk)])
        return True

    def warn_many(clock_ids: list[Any]) -> int:
        clocks = clocks_fire_warning(clock_ids=clock_ids, now=vclock.now())
        if clocks is None:
            raise _NotAllClaimed
        notify_many([_warning(clk) for clk in clocks])
        return len(clocks)

    def miss(clock_id: Any) -> bool:
        clk = clock_fire_missed(clock_id=clock_id, now=vclock.now())
        if clk is None:
            return False
        notify_many([_missed(clk)])
        return True

    def miss_many(clock_ids: list[Any]) -> int:
        clocks = clocks_fire_missed(clock_ids=clock_ids, now=vclock.now())
        if clocks is None:
            raise _NotAllClaimed
        notify_many([_missed(clk) for clk in clocks])
        return len(clocks)

    stats.warned += _drain(
        lambda: clocks_to_warn(now=vclock.now()),
        warn,
        batch=batch,
        stats=stats,
        what="clock warning",
        fire_many=warn_many,
    )
    stats.missed += _drain(
        lambda: clocks_due(now=vclock.now()),
        miss,
        batch=batch,
        stats=stats,
        what="clock",
        fire_many=miss_many,
    )


def _escalation_candidates() -> Q:
    """Not acknowledged in time, not yet escalated, and not about a closed case (closed is closed)."""
    return Q(acknowledged_at__isnull=True, escalated_at__isnull=True, ack_due_at__isnull=False) & ~Q(
        case__status=CaseStatus.CLOSED
    )


def _escalation(original: Notification) -> Notice | None:
    # Once for what was not acknowledged (the missed clock, the disappearance, the invitation),
    # however many of its notifications were late (notify's dedupe on the subject).
    if original.case is None:
        return None
    return Notice(
        kind=NotificationKind.ESCALATION,
        case=original.case,
        subject=f"{original.kind}:{original.subject or original.pk}",
        about_agency=original.recipient_agency,
        escalation_of=original,
    )


def process_escalations(*, batch: int, stats: WorkerStats) -> int:
    def candidates() -> QuerySet[Any]:
        return Notification.objects.filter(_escalation_candidates(), ack_due_at__lte=vclock.now()).order_by(
            "ack_due_at"
        )

    def fire_many(notification_ids: list[Any]) -> int:
        now = vclock.now()
        updated = Notification.objects.filter(
            _escalation_candidates(), pk__in=notification_ids, ack_due_at__lte=now
        ).update(escalated_at=now, updated_at=now)
        if updated != len(set(notification_ids)):
            raise _NotAllClaimed
        originals = Notification.objects.select_related(
            "case", "case__lead_agency", "recipient_agency"
        ).filter(pk__in=notification_ids)
        notices = [n for n in map(_escalation, originals.order_by("ack_due_at", "id")) if n is not None]
        notify_many(notices)
        return updated

    def fire(notification_id: Any) -> bool:
        now = vclock.now()
        if not Notification.objects.filter(
            _escalation_candidates(), pk=notification_id, ack_due_at__lte=now
        ).update(escalated_at=now, updated_at=now):
            return False
        original = Notification.objects.select_related("case", "case__lead_agency", "recipient_agency").get(
            pk=notification_id
        )
        notice = _escalation(original)
        if notice is not None:
            notify_many([notice])
        return True

    won = _drain(candidates, fire, batch=batch, stats=stats, what="escalation", fire_many=fire_many)
    stats.escalated += won
    return won


# --- e-mail -------------------------------------------------------------------------------------------


def notification_link(notification: Notification) -> str:
    base = str(getattr(settings, "VARDE_BASE_URL", "http://localhost:8000")).rstrip("/")
    try:
        path = reverse("notification-detail", kwargs={"notification_id": notification.pk})
    except NoReverseMatch:
        path = f"/notifications/{notification.pk}/"
    return base + path


def email_for(notification: Notification) -> tuple[str, str]:
    """Subject and body of a notification e-mail: the case reference and a link, nothing else.
    E-mail crosses systems Varde does not control, so it never carries personal data or the content."""
    reference = notification.case.reference if notification.case is not None else "-"
    agency = notification.recipient_agency.name
    link = notification_link(notification)
    subject = f"Varde: {reference}"
    body = (
        f"Varde har en ny melding til {agency} i sak {reference}.\n"
        f"Logg inn for å lese og bekrefte den: {link}\n\n"
        f"Varde has a new notification for {agency} in case {reference}.\n"
        f"Sign in to read and acknowledge it: {link}\n"
    )
    return subject, body


def _email_candidates(now: Any) -> Q:
    return Q(email_state=EmailState.PENDING, email_next_at__lte=now) & (
        Q(claimed_until__isnull=True) | Q(claimed_until__lt=now)
    )


def process_emails(*, batch: int, stats: WorkerStats, worker_id: str) -> None:
    failed: set[Any] = set()
    while True:
        now = vclock.now()
        ids = [
            i
            for i in Notification.objects.filter(_email_candidates(now))
            .order_by("email_next_at")
            .values_list("pk", flat=True)[: batch + len(failed)]
            if i not in failed
        ]
        if not ids:
            return
        random.shuffle(ids)
        mailer = get_connection(timeout=min(60, EMAIL_LEASE_SECONDS // 3))
        try:
            for notification_id in ids:
                if not _send_one(notification_id, mailer=mailer, worker_id=worker_id, stats=stats):
                    failed.add(notification_id)
        finally:
            with contextlib.suppress(Exception):  # closing a broken connection
                mailer.close()


def _send_one(notification_id: Any, *, mailer: Any, worker_id: str, stats: WorkerStats) -> bool:
    now = vclock.now()
    lease = now + dt.timedelta(seconds=EMAIL_LEASE_SECONDS)
    claimed = Notification.objects.filter(_email_candidates(now), pk=notification_id).update(
        claimed_by=worker_id, claimed_until=lease
    )
    if not claimed:
        return True  # another worker has it
    notification = Notification.objects.select_related("case", "recipient_agency").get(pk=notification_id)
    subject, body = email_for(notification)
    try:
        EmailMessage(
            subject, body, settings.DEFAULT_FROM_EMAIL, [notification.email_to], connection=mailer
        ).send()
    except Exception as exc:  # noqa: BLE001 - SMTP errors of every kind: retry later
        attempts = notification.email_attempts + 1
        state = EmailState.FAILED if attempts >= EMAIL_MAX_ATTEMPTS else EmailState.PENDING
        delay = min(3600, 60 * 2 ** (attempts - 1))
        Notification.objects.filter(pk=notification_id, claimed_by=worker_id).update(
            email_state=state,
            email_attempts=attempts,
            claimed_by="",
            claimed_until=None,
            email_next_at=vclock.now() + dt.timedelta(seconds=delay),
        )
        stats.emails_failed += 1
        log.warning(
            "worker: e-mail for notification %s failed (%s), attempt %d",
            notification_id,
            type(exc).__name__,
            attempts,
        )
        return False
    Notification.objects.filter(pk=notification_id, claimed_by=worker_id).update(
        email_state=EmailState.SENT,
        email_sent_at=vclock.now(),
        email_attempts=notification.email_attempts + 1,
        claimed_by="",
        claimed_until=None,
    )
    stats.emails_sent += 1
    return True


# --- the loop -------------------------------------------------------------------------------------------

HEARTBEATS_KEPT = dt.timedelta(days=1)


def heartbeat(*, worker_id: str, started_at: dt.datetime, pass_done: bool = True) -> WorkerHeartbeat:
    """Say that this worker is alive: its row's beat is now (one UPDATE, or an INSERT the first
    time). Rows of workers that stopped beating a day ago are removed. `pass_done=False`: a beat in
    the middle of a long pass (the pass count stays)."""
    now = vclock.now()
    with transaction.atomic():
        beat, created = WorkerHeartbeat.objects.get_or_create(
            worker_id=worker_id[:80],
            defaults={
                "host": socket.gethostname()[:60],
                "pid": os.getpid(),
                "started_at": started_at,
                "beat_at": now,
                "passes": 1,
            },
        )
        if not created:
            more = {"passes": F("passes") + 1} if pass_done else {}
            WorkerHeartbeat.objects.filter(pk=beat.pk).update(beat_at=now, **more)
        else:
            WorkerHeartbeat.objects.filter(beat_at__lt=now - HEARTBEATS_KEPT).delete()
    return beat


def run_pass(
    *, worker_id: str, batch: int = 200, consume_events: bool = True, beat: Callable[[], Any] | None = None
) -> WorkerStats:
    """One pass over everything that is due now (`beat`: say the worker is alive during a long pass)."""
    stats = WorkerStats()
    if consume_events:
        process_events(batch=batch, stats=stats, beat=beat)
    process_clocks(batch=batch, stats=stats)
    process_escalations(batch=batch, stats=stats)
    process_emails(batch=batch, stats=stats, worker_id=worker_id)
    return stats


def run_worker(
    once: bool,
    *,
    worker_id: str | None = None,
    interval: float = 30.0,
    batch: int = 200,
    consume_events: bool = True,
    stop: threading.Event | None = None,
) -> WorkerStats:
    """Process due clocks, escalations, e-mail and outbox events: one pass (`once`, for cron) or
    forever, a pass every `interval` seconds, until SIGTERM/SIGINT or `stop` is set."""
    worker_id = worker_id or default_worker_id()
    stop = stop or threading.Event()
    total = WorkerStats()
    started_at = vclock.now()
    if not once and threading.current_thread() is threading.main_thread():
        for sig in (signal.SIGTERM, signal.SIGINT):
            signal.signal(sig, lambda *_: stop.set())
    while True:
        started = time.monotonic()
        if not connection.in_atomic_block:  # a long-running worker drops broken or expired connections
            close_old_connections()
        try:
            heartbeat(worker_id=worker_id, started_at=started_at)
            stats = run_pass(
                worker_id=worker_id,
                batch=batch,
                consume_events=consume_events,
                beat=lambda: heartbeat(worker_id=worker_id, started_at=started_at, pass_done=False),
            )
        except Exception as exc:  # noqa: BLE001 - the database may be away; try again next pass
            if once:
                raise
            log.error("worker: pass failed (%s)", type(exc).__name__)
            stats = WorkerStats(errors=1)
        total.add(stats)
        if stats.fired or stats.errors:
            log.info("worker %s: %s", worker_id, stats.as_dict())
        if once or stop.wait(max(0.0, interval - (time.monotonic() - started))):
            return total
