"""The only way to the linkage review: the queue, a pair side by side, and the decisions (merges).

Rule: KOM coordinators review pairs in their coordinating role. Opening a pair shows a minimal
projection of the two referrals (names, birth date or estimated age, sex, nationalities, whether
phones and documents agree with masked values, the reporting agencies' kinds and the referral
months; never notes, addresses, municipality, exploitation data or the case narrative), only for a
pair the latest linkage run put in the review queue. Each opening writes one audit event per case
read (purpose "linkage_review"), in the same transaction. It is not break-the-glass: it opens no
case, and no other field of either case. Everyone else gets 404.
"""

from __future__ import annotations

from dataclasses import dataclass
from uuid import UUID

from django.db.models import QuerySet
from django.http import Http404

from varde.accounts.models import Agency, Role, User
from varde.accounts.second_factor import second_factor_missing
from varde.audit.models import AuditAction
from varde.audit.services import audit_record
from varde.cases.models import Referral
from varde.linkage.models import ReviewDecision, ReviewItem
from varde.linkage.records import PairAgreement, RecordView, compare, load_records

from .cases import get_or_404

PURPOSE = "linkage_review"


def may_review(user: User) -> bool:
    return bool(
        user
        and user.is_authenticated
        and user.is_active
        and user.is_coordinator
        and not second_factor_missing(user)
    )


def _require_reviewer(user: User) -> None:
    if not may_review(user):
        raise Http404("Not found")


def coordinating_agency(user: User) -> Agency | None:
    for m in user.active_memberships:
        if m.role == Role.COORDINATOR:
            return m.agency
    return None


def review_queue_for(*, user: User) -> QuerySet[ReviewItem]:
    """Open pairs, most likely first, then oldest first. No personal data in the rows."""
    _require_reviewer(user)
    return (
        ReviewItem.objects.filter(state=ReviewItem.State.OPEN)
        .select_related("record_a__reporting_agency", "record_b__reporting_agency")
        .order_by("-match_probability", "created_at", "pk")
    )


def agreements_for(*, user: User, items: list[ReviewItem]) -> dict[UUID, PairAgreement]:
    """Which fields agree, per item (no values): computed from both records, shown without them."""
    _require_reviewer(user)
    ids = {i.record_a_id for i in items} | {i.record_b_id for i in items}
    records = load_records(Referral.objects.filter(pk__in=ids))
    audit_record(
        actor=user,
        action=AuditAction.VIEW,
        obj=("linkage.review_queue", ""),
        agency=coordinating_agency(user),
        detail={"purpose": PURPOSE, "review_items": [str(i.pk) for i in items]},
    )
    return {
        item.pk: compare(records[item.record_a_id], records[item.record_b_id])
        for item in items
        if item.record_a_id in records and item.record_b_id in records
    }


@dataclass
class ReviewPair:
    item: ReviewItem
    a: RecordView
    b: RecordView
    agreement: PairAgreement


def review_pair_get_for_user(*, user: User, item_id: UUID | str) -> ReviewPair:
    """A pair of the review queue with both records' minimal projection; audited per case read."""
    _require_reviewer(user)
    item = get_or_404(ReviewItem.objects.all(), item_id)
    records = load_records(Referral.objects.filter(pk__in=[item.record_a_id, item.record_b_id]))
    if item.record_a_id not in records or item.record_b_id not in records:  # pragma: no cover - FK cascade
        raise Http404("Not found")
    a, b = records[item.record_a_id], records[item.record_b_id]
    agency = coordinating_agency(user)
    for record in (a, b):
        audit_record(
            actor=user,
            action=AuditAction.VIEW,
            obj=("cases.case", str(record.case_id)),
            agency=agency,
            detail={"purpose": PURPOSE, "review_item": str(item.pk), "referral": str(record.referral_id)},
        )
    return ReviewPair(item=item, a=a, b=b, agreement=compare(a, b))


def decisions_listed_for(*, user: User) -> QuerySet[ReviewDecision]:
    """Active decisions (merges and kept-apart pairs), newest first; rows carry no personal data.
    Listing them is audited."""
    _require_reviewer(user)
    audit_record(
        actor=user,
        action=AuditAction.VIEW,
        obj=("linkage.decisions", ""),
        agency=coordinating_agency(user),
        detail={"purpose": PURPOSE},
    )
    return (
        ReviewDecision.objects.filter(withdrawn_at__isnull=True)
        .select_related("decided_by", "record_a__reporting_agency", "record_b__reporting_agency")
        .order_by("-decided_at", "pk")
    )


def decision_get_for_user(*, user: User, decision_id: UUID | str) -> ReviewDecision:
    """A decision, for undoing it (one withdrawn meanwhile is found, and its undo is a conflict)."""
    _require_reviewer(user)
    return get_or_404(ReviewDecision.objects.all(), decision_id)
