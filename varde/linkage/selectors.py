"""Reads for linkage: the review queue (coordinators only) and the hint a caseworker gets when
a likely earlier record of the same person exists in another agency (a yes/no, a count, and whom
to ask - never the other agency's data)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from django.db.models import QuerySet

from varde.accounts.models import Agency, Membership, Role, User
from varde.audit.models import AuditAction
from varde.audit.services import audit_record

from .extract import referral_extract
from .model import ModelParameters, default_parameters
from .models import ClusterMember, ReviewDecision, ReviewItem
from .pipeline import Thresholds, blocking_keys, score_new_record
from .preprocess import prepare_record

# A likely earlier record: the same probability at which a pair would at least go to review.
HINT_THRESHOLD = Thresholds().review


def review_items_for(*, user: User) -> QuerySet[ReviewItem]:
    """Open pairs of the latest run, most likely first. Only coordinators review."""
    if not (user and user.is_authenticated and user.is_active and user.is_coordinator):
        return ReviewItem.objects.none()
    return ReviewItem.objects.filter(state=ReviewItem.State.OPEN).order_by("-match_probability", "pk")


def decisions_for(*, user: User, active: bool | None = None) -> QuerySet[ReviewDecision]:
    if not (user and user.is_authenticated and user.is_active and user.is_coordinator):
        return ReviewDecision.objects.none()
    qs = ReviewDecision.objects.all()
    if active is not None:
        qs = qs.filter(withdrawn_at__isnull=active)
    return qs


def person_keys() -> dict[str, str]:
    """Referral id -> person key of the latest run (for statistics: count keys, never names)."""
    return {str(r): k for r, k in ClusterMember.objects.values_list("referral_id", "person_key")}


def _parameters() -> ModelParameters:
    from .services import latest_parameters

    return latest_parameters() or default_parameters()


@dataclass(frozen=True)
class Coordinator:
    name: str
    agency: str


@dataclass(frozen=True)
class EarlierRecords:
    """What a caseworker may learn: whether, how many, and whom to ask. Nothing about the records."""

    exists: bool
    count: int
    coordinators: list[Coordinator] = field(default_factory=list)


def _coordinators() -> list[Coordinator]:
    memberships = (
        Membership.objects.filter(role=Role.COORDINATOR, is_active=True, user__is_active=True)
        .select_related("user", "agency")
        .order_by("agency__name", "user__full_name")
    )
    return [Coordinator(m.user.full_name or m.user.username, m.agency.name) for m in memberships]


def _as_row(referral_data: Any) -> dict[str, str]:
    """A ReportInput (cases.services) or an interchange-shaped mapping -> an interchange row."""
    if isinstance(referral_data, Mapping):
        return {k: "" if v is None else str(v) for k, v in referral_data.items()}
    names = list(getattr(referral_data, "names", []) or [])
    primary = next(
        (n for n in names if getattr(n, "kind", "primary") == "primary"), names[0] if names else None
    )
    documents = list(getattr(referral_data, "documents", []) or [])
    phones = list(getattr(referral_data, "phones", []) or [])
    nationalities = list(getattr(referral_data, "nationalities", []) or [])
    dob = getattr(referral_data, "date_of_birth", None)
    referral_date = getattr(referral_data, "referral_date", None) or dt.date.today()
    age = getattr(referral_data, "estimated_age", None)
    return {
        "record_id": "new",
        "referral_date": referral_date.isoformat(),
        "given_name": getattr(primary, "given", "") if primary else "",
        "family_name": getattr(primary, "family", "") if primary else "",
        "sex": getattr(referral_data, "sex", "") or "",
        "date_of_birth": dob.isoformat() if dob else "",
        "estimated_age": "" if age is None else str(age),
        "nationality": nationalities[0] if nationalities else "",
        "phone": phones[0] if phones else "",
        "id_document_number": getattr(documents[0], "number", "") if documents else "",
    }


def likely_earlier_records(
    *, referral_data: Any, agency: Agency, actor: User | None = None
) -> EarlierRecords:
    """Tell a caseworker creating a referral whether another agency likely has an earlier record of
    the same person. Answers only yes/no, a count and the coordinators to ask; the other agency's
    records, ids and names never leave this function. The lookup is audited (ids and the count only).
    """
    new_row = {**_as_row(referral_data), "record_id": "new", "reporting_agency": str(agency.pk)}
    prepared_new = prepare_record(0, new_row)
    wanted = blocking_keys(prepared_new)
    count = 0
    if wanted:
        rows, _same_case = referral_extract(exclude_agency_id=agency.pk)
        candidates = [row for i, row in enumerate(rows) if blocking_keys(prepare_record(i + 1, row)) & wanted]
        if candidates:
            probabilities = score_new_record(new_row, candidates, _parameters())
            count = sum(1 for p in probabilities if p >= HINT_THRESHOLD)
    if actor is not None:
        audit_record(
            actor=actor,
            action=AuditAction.VIEW,
            obj=("linkage.earlier_records", ""),
            agency=agency,
            detail={"likely_earlier_records": count},
        )
    return EarlierRecords(exists=count > 0, count=count, coordinators=_coordinators() if count else [])
