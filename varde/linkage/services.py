"""Writes for linkage: run the pipeline over all referrals, decide a pair, undo a decision. All audited.

Audit details hold ids and counts only. Decisions bind every later run until withdrawn: a
"same" decision joins two referrals' persons, a "not_same" keeps them apart even when the model
scores the pair high. Withdrawing a decision (undo) lets the next run decide from the model again.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from uuid import UUID

from django.db import transaction
from django.db.models import Q, QuerySet

from varde.accounts.models import Agency, User
from varde.audit.alerts import HIDDEN_MATCHES, alert_watch
from varde.audit.models import AuditAction
from varde.audit.services import audit_record
from varde.cases.models import Case, Referral
from varde.core import clock
from varde.core.errors import EditConflict, NotPermitted, VardeError

from .extract import referral_extract
from .model import MIN_RECORDS_TO_TRAIN, default_parameters
from .models import (
    ClusterMember,
    Decision,
    LinkageRun,
    PersonCluster,
    RecordKey,
    ReviewDecision,
    ReviewItem,
)
from .pipeline import link_records
from .records import key_digests, load_records
from .selectors import agency_case_ids, earlier_matches, latest_parameters

logger = logging.getLogger(__name__)


# Below this many referrals EM training is unreliable: the previous run's model, or the shipped
# defaults, score instead.


class LinkageError(VardeError):
    code = "linkage_error"


def _require_coordinator(actor: User) -> None:
    if not (actor and actor.is_authenticated and actor.is_active and actor.is_coordinator):
        raise NotPermitted("only coordinators link and review persons")


def _canonical(a: str, b: str) -> tuple[str, str]:
    return (a, b) if a <= b else (b, a)


def active_decisions(*, records: Iterable[UUID] | None = None) -> list[tuple[str, str, str]]:
    """The coordinators' decisions not withdrawn (a, b, decision); with `records`, only those about
    pairs within them."""
    qs = ReviewDecision.objects.filter(withdrawn_at__isnull=True)
    if records is not None:
        ids = list(records)
        qs = qs.filter(record_a_id__in=ids, record_b_id__in=ids)
    return [(str(a), str(b), d) for a, b, d in qs.values_list("record_a_id", "record_b_id", "decision")]


@transaction.atomic
def linkage_run(*, actor: User, reuse_parameters: bool = False) -> LinkageRun:
    """Link every referral into persons; replace the latest clusters and review queue.

    Referrals of one case are one person by construction (their case's person); coordinators'
    active decisions bind. With `reuse_parameters`, the previous run's trained model is reused.
    """
    _require_coordinator(actor)
    started = clock.now()
    rows, same_case = referral_extract()
    params = latest_parameters() if reuse_parameters else None
    if params is None and len(rows) < MIN_RECORDS_TO_TRAIN:
        params = latest_parameters() or default_parameters()
    decisions = [(a, b, "same") for a, b in same_case] + active_decisions()
    result = link_records(rows, decisions=decisions, params=params)
    run = LinkageRun.objects.create(
        started=started,
        started_by=actor,
        state=LinkageRun.State.FINISHED,
        finished=clock.now(),
        counts=dict(result.counts),
        parameters=result.params.to_json(),
    )
    PersonCluster.objects.exclude(run=run).delete()
    ReviewItem.objects.exclude(run=run).delete()

    members: dict[str, list[str]] = defaultdict(list)
    for record_id, key in result.person_key.items():
        members[key].append(record_id)
    clusters = PersonCluster.objects.bulk_create(
        [PersonCluster(run=run, person_key=key, size=len(ids)) for key, ids in members.items()],
        batch_size=1000,
    )
    cluster_of = {c.person_key: c for c in clusters}
    ClusterMember.objects.bulk_create(
        [
            ClusterMember(cluster=cluster_of[key], referral_id=rid, person_key=key)
            for key, ids in members.items()
            for rid in ids
        ],
        batch_size=2000,
    )
    ReviewItem.objects.bulk_create(
        [
            ReviewItem(run=run, record_a_id=a, record_b_id=b, match_probability=p.probability)
            for p in result.review
            for a, b in [_canonical(p.record_a, p.record_b)]
        ],
        batch_size=1000,
    )
    _record_keys_write(Referral.objects.all(), replace_all=True)
    audit_record(
        actor=actor,
        action=AuditAction.CREATE,
        obj=run,
        detail={
            "records": result.counts.get("records", 0),
            "persons": result.persons,
            "review_pairs": len(result.review),
        },
    )
    logger.info("linkage run %s: %s records, %s persons", run.pk, len(rows), result.persons)
    return run


@transaction.atomic
def review_decide(
    *, actor: User, item: ReviewItem, decision: str, reason: str = "", version: int | None = None
) -> ReviewDecision:
    """Record a coordinator's decision on a pair in the review queue; it binds every later run.

    Optimistic locking: `version` is the item's version the coordinator saw (default: the one in
    hand). A pair decided or changed meanwhile raises EditConflict, never a second decision.
    """
    _require_coordinator(actor)
    if decision not in Decision.values:
        raise LinkageError("decision must be 'same' or 'not_same'")
    seen = item.version if version is None else version
    a, b = _canonical(str(item.record_a_id), str(item.record_b_id))
    decided = ReviewItem.objects.filter(pk=item.pk, version=seen, state=ReviewItem.State.OPEN).update(
        state=ReviewItem.State.DECIDED, version=seen + 1
    )
    if (
        not decided
        or ReviewDecision.objects.filter(
            record_a_id=UUID(a), record_b_id=UUID(b), withdrawn_at__isnull=True
        ).exists()
    ):
        raise EditConflict(item)
    made = ReviewDecision.objects.create(
        record_a_id=a,
        record_b_id=b,
        decision=decision,
        reason=reason,
        decided_by=actor,
        decided_at=clock.now(),
    )
    audit_record(
        actor=actor,
        action=AuditAction.CREATE,
        obj=made,
        detail={"review_item": str(item.pk), "decision": decision},
    )
    return made


@transaction.atomic
def review_decide_pair(
    *, actor: User, record_a: Referral, record_b: Referral, decision: str, reason: str = ""
) -> ReviewDecision:
    """Decide a pair that is not (or no longer) in the review queue, e.g. to split a merged person."""
    _require_coordinator(actor)
    if record_a.pk == record_b.pk:
        raise LinkageError("a referral cannot be paired with itself")
    if decision not in Decision.values:
        raise LinkageError("decision must be 'same' or 'not_same'")
    a, b = _canonical(str(record_a.pk), str(record_b.pk))
    if ReviewDecision.objects.filter(
        record_a_id=UUID(a), record_b_id=UUID(b), withdrawn_at__isnull=True
    ).exists():
        raise LinkageError("this pair already has a decision; undo it first")
    made = ReviewDecision.objects.create(
        record_a_id=a,
        record_b_id=b,
        decision=decision,
        reason=reason,
        decided_by=actor,
        decided_at=clock.now(),
    )
    audit_record(actor=actor, action=AuditAction.CREATE, obj=made, detail={"decision": decision})
    return made


@transaction.atomic
def review_undo(
    *, actor: User, decision: ReviewDecision, reason: str = "", version: int | None = None
) -> ReviewDecision:
    """Withdraw a decision (e.g. undo a merge). The next run decides the pair from the model again.
    A decision withdrawn or changed since `version` (default: the one in hand) raises EditConflict."""
    _require_coordinator(actor)
    seen = decision.version if version is None else version
    updated = ReviewDecision.objects.filter(pk=decision.pk, withdrawn_at__isnull=True, version=seen).update(
        withdrawn_at=clock.now(), withdrawn_by=actor, withdrawal_reason=reason, version=seen + 1
    )
    if not updated:
        raise EditConflict(decision)
    a, b = decision.record_a_id, decision.record_b_id
    for item in ReviewItem.objects.filter(Q(record_a_id=a, record_b_id=b) | Q(record_a_id=b, record_b_id=a)):
        ReviewItem.objects.filter(pk=item.pk).update(state=ReviewItem.State.OPEN, version=item.version + 1)
    audit_record(actor=actor, action=AuditAction.UPDATE, obj=decision, detail={"withdrawn": True})
    decision.refresh_from_db()
    return decision


# --- stored blocking keys (for the caseworker's hint) --------------------------------------------------


def _record_keys_write(referrals: QuerySet[Referral], *, replace_all: bool = False) -> int:
    records = load_records(referrals)
    if replace_all:
        RecordKey.objects.all().delete()
    else:
        RecordKey.objects.filter(referral_id__in=list(records)).delete()
    rows = [
        RecordKey(referral_id=rid, agency_id=record.agency_id, key=key)
        for rid, record in records.items()
        for key in sorted(key_digests(record.rows()))
    ]
    RecordKey.objects.bulk_create(rows, batch_size=2000)
    return len(rows)


@transaction.atomic
def record_keys_refresh(*, person_ids: Iterable[UUID]) -> int:
    """Recompute the stored blocking keys of every referral of these persons (after a referral is
    reported or a name, phone or document added). Derived data, no audit event: the change that
    calls it is audited. Returns the number of keys stored."""
    return _record_keys_write(Referral.objects.filter(case__person_id__in=list(person_ids)))


@transaction.atomic
def record_keys_rebuild() -> int:
    """Recompute every referral's stored keys (every linkage run does this too)."""
    return _record_keys_write(Referral.objects.all(), replace_all=True)


# --- matches found when a referral is reported (issue 21, finding 3) ----------------------------------


@dataclass(frozen=True)
class EarlierFound:
    """What the look-up found for one new referral (`earlier_records_find`): its id and the other
    agencies' earlier referrals that probably are the same person, with their match probability."""

    referral_id: UUID
    matches: dict[UUID, float]


def _first_referrals(pairs: Iterable[tuple[UUID, UUID]]) -> dict[tuple[UUID, UUID], Referral]:
    """The first referral of each (case, reporting agency): the report the event announced."""
    wanted = set(pairs)
    first: dict[tuple[UUID, UUID], Referral] = {}
    if not wanted:
        return first
    for ref in (
        Referral.objects.filter(case_id__in={c for c, _a in wanted})
        .order_by("created_at", "pk")
        .only("pk", "case_id", "reporting_agency_id", "created_at")
    ):
        key = (ref.case_id, ref.reporting_agency_id)
        if key in wanted:
            first.setdefault(key, ref)
    return first


def earlier_records_find(reports: list[tuple[UUID, UUID]]) -> dict[tuple[UUID, UUID], EarlierFound]:
    """The look-up half of `earlier_records_queue` for many reports at once, (case, agency) each:
    reads only, so the worker runs it before its write transaction (the comparison fields of all the
    new referrals in five queries, then one indexed key query per referral)."""
    first = _first_referrals(reports)
    records = load_records(Referral.objects.filter(pk__in=[r.pk for r in first.values()]))
    found: dict[tuple[UUID, UUID], EarlierFound] = {}
    for (case_id, agency_id), referral in first.items():
        record = records.get(referral.pk)
        matches = (
            earlier_matches(
                record.rows(), agency_id=agency_id, except_case=case_id, before=referral.created_at
            )
            if record is not None
            else {}
        )
        found[(case_id, agency_id)] = EarlierFound(referral.pk, matches)
    return found


@transaction.atomic
def earlier_records_queue(
    *, case_id: UUID, agency_id: UUID, actor_id: UUID | None, found: EarlierFound | None = None
) -> int:
    """After a report (the worker, from the outbox): put every probable match of the new referral
    with another agency's earlier record on KOM's review queue, the matches in cases the reporting
    agency does not take part in included - those the reporter is never told of. A report with such
    hidden matches is audited for its reporter (`linkage.hidden_match`, a count only), and repeated
    ones raise an alert to the auditors (varde.audit.alerts.HIDDEN_MATCHES). Returns the number of
    pairs queued.

    `found`: the look-up already made (`earlier_records_find`, outside the transaction); without it
    the look-up runs here. Whether a pair is decided or already queued is read here either way."""
    if found is None:
        found = earlier_records_find([(case_id, agency_id)]).get((case_id, agency_id))
    if found is None or not found.matches:
        return 0
    matches = found.matches
    referral_pk = found.referral_id
    visible = set(
        Referral.objects.filter(pk__in=list(matches), case_id__in=agency_case_ids(agency_id)).values_list(
            "pk", flat=True
        )
    )
    hidden = [rid for rid in matches if rid not in visible]
    decided = {(a, b) for a, b, _d in active_decisions(records=[referral_pk, *matches])}
    queued = 0
    for rid, probability in sorted(matches.items(), key=lambda m: (-m[1], str(m[0]))):
        a, b = _canonical(str(referral_pk), str(rid))
        if (a, b) in decided:
            continue
        pair = Q(record_a_id=a, record_b_id=b) | Q(record_a_id=b, record_b_id=a)
        if ReviewItem.objects.filter(pair, state=ReviewItem.State.OPEN).exists():
            continue
        ReviewItem.objects.create(run=None, record_a_id=a, record_b_id=b, match_probability=probability)
        queued += 1
    actor = User.objects.filter(pk=actor_id).first() if actor_id else None
    if hidden and actor is not None:
        audit_record(
            actor=actor,
            action=AuditAction.CREATE,
            obj=("linkage.hidden_match", str(referral_pk)),
            agency=Agency.objects.filter(pk=agency_id).first(),
            detail={"hidden_matches": len(hidden), "queued": queued},
        )
        alert_watch(watch=HIDDEN_MATCHES, actor=actor)
    return queued


def linkage_anonymise(*, case: Case) -> None:
    """Retention: the reasons of review decisions about the case's referrals."""
    ReviewDecision.objects.filter(Q(record_a__case=case) | Q(record_b__case=case)).update(
        reason="", withdrawal_reason=""
    )
