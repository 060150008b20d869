"""Reads for linkage: the review queue (coordinators only) and the hint a caseworker gets when
a likely earlier record of the same person exists in another agency's referral in a case the
caseworker's agency takes part in (a yes/no, a count, and whom to ask - never the record's data)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, QuerySet

from varde.accounts.models import Agency, Membership, Role, User
from varde.audit.models import AuditAction
from varde.audit.services import audit_record
from varde.cases.models import CaseParticipation, ParticipationState, Referral

from .model import MODEL_VERSION, ModelParameters, default_parameters
from .models import ClusterMember, LinkageRun, RecordKey, ReviewDecision, ReviewItem
from .pipeline import Thresholds, score_new_record
from .records import key_digests, load_records

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


def latest_run() -> LinkageRun | None:
    return LinkageRun.objects.filter(state=LinkageRun.State.FINISHED).order_by("-started").first()


def latest_parameters() -> ModelParameters | None:
    run = latest_run()
    if run is None or not run.parameters:
        return None
    params = ModelParameters.from_json(run.parameters)
    # trained for other comparison levels: its values would land on the wrong levels
    return params if params.version == MODEL_VERSION else None


def _parameters() -> ModelParameters:
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


def _as_rows(referral_data: Any) -> list[dict[str, str]]:
    """A ReportInput (cases.services) or an interchange-shaped mapping -> interchange rows: the first
    with the primary name, phone and document, then one per further name, phone and document."""
    if isinstance(referral_data, Mapping):
        return [{k: "" if v is None else str(v) for k, v in referral_data.items()}]
    names = [n for n in (getattr(referral_data, "names", []) or []) if n.given or n.family]
    names.sort(key=lambda n: getattr(n, "kind", "primary") != "primary")  # stable: the primary first
    documents = [d.number for d in (getattr(referral_data, "documents", []) or []) if d.number]
    phones = [p for p in (getattr(referral_data, "phones", []) or []) if p]
    nationalities = list(getattr(referral_data, "nationalities", []) or [])
    dob = getattr(referral_data, "date_of_birth", None)
    referral_date = getattr(referral_data, "referral_date", None) or dt.date.today()
    age = getattr(referral_data, "estimated_age", None)
    base = {
        "record_id": "new",
        "referral_date": referral_date.isoformat(),
        "given_name": names[0].given if names else "",
        "family_name": names[0].family if names else "",
        "sex": getattr(referral_data, "sex", "") or "",
        "date_of_birth": dob.isoformat() if dob else "",
        "estimated_age": "" if age is None else str(age),
        "nationality": nationalities[0] if nationalities else "",
        "phone": phones[0] if phones else "",
        "id_document_number": documents[0] if documents else "",
    }
    rows = [base]
    rows.extend({**base, "given_name": n.given, "family_name": n.family} for n in names[1:])
    rows.extend({**base, "phone": phone} for phone in phones[1:])
    rows.extend({**base, "id_document_number": number} for number in documents[1:])
    return rows


# At most this many earlier records (those sharing the most keys) are scored for one hint.
MAX_HINT_CANDIDATES = 200
# Of the new record, its first few names, phones and documents are scored (each is one scoring pass).
MAX_NEW_ROWS = 4


def agency_case_ids(agency_id: Any) -> QuerySet[CaseParticipation, Any]:
    """The cases an agency takes part in (a subquery): the records its caseworkers may already see."""
    return CaseParticipation.objects.filter(agency_id=agency_id, state=ParticipationState.ACTIVE).values(
        "case_id"
    )


def earlier_matches(
    rows: list[dict[str, str]],
    *,
    agency_id: Any,
    only_cases: QuerySet[Any, Any] | None = None,
    except_case: Any = None,
    before: Any = None,
) -> dict[Any, float]:
    """Referral id -> match probability of the other agencies' earlier records that probably are the
    person of `rows` (at least HINT_THRESHOLD), among the cases `only_cases` if given, and among the
    referrals created before `before` if given.

    Only records sharing a blocking key with the new one are read: one indexed query on the stored
    keys (RecordKey), then the comparison fields of at most MAX_HINT_CANDIDATES of them. The number
    of queries does not grow with the number of persons."""
    wanted = key_digests(rows)
    if not wanted:
        return {}
    keys = RecordKey.objects.filter(key__in=sorted(wanted)).exclude(agency_id=agency_id)
    if only_cases is not None:
        keys = keys.filter(referral__case_id__in=only_cases)
    if except_case is not None:
        keys = keys.exclude(referral__case_id=except_case)
    if before is not None:
        keys = keys.filter(referral__created_at__lt=before)
    candidate_ids = list(
        keys.values("referral_id")
        .annotate(shared=Count("id"))
        .order_by("-shared", "referral_id")
        .values_list("referral_id", flat=True)[:MAX_HINT_CANDIDATES]
    )
    if not candidate_ids:
        return {}
    records = load_records(Referral.objects.filter(pk__in=candidate_ids))
    # every name, phone and document of a candidate against every one of the new record
    owners = [rid for rid in candidate_ids if rid in records for _row in records[rid].rows()]
    candidates = [row for rid in candidate_ids if rid in records for row in records[rid].rows()]
    best: dict[Any, float] = {}
    params = _parameters()
    for row in rows[:MAX_NEW_ROWS]:
        for owner, p in zip(owners, score_new_record(row, candidates, params), strict=True):
            best[owner] = max(p, best.get(owner, 0.0))
    return {owner: p for owner, p in best.items() if p >= HINT_THRESHOLD}


def likely_earlier_records(
    *, referral_data: Any, agency: Agency, actor: User | None = None
) -> EarlierRecords:
    """Tell a caseworker creating a referral whether another agency likely has an earlier record of
    the same person **in a case the caseworker's agency takes part in** (so may already see). Answers
    only yes/no, a count and the coordinators to ask; the records, ids and names never leave this
    function. The lookup is audited (the count only).

    Records in cases the agency does not take part in are never consulted here: whether such a record
    exists would be an existence oracle (issue 21, finding 3). Those matches go to KOM's review queue
    from the worker after the report is saved (linkage.services.earlier_records_queue), so that
    neither the answer nor its timing depends on them.
    """
    rows = [
        {**row, "record_id": "new", "reporting_agency": str(agency.pk)} for row in _as_rows(referral_data)
    ]
    count = len(earlier_matches(rows, agency_id=agency.pk, only_cases=agency_case_ids(agency.pk)))
    if actor is not None:
        audit_record(
            actor=actor,
            action=AuditAction.VIEW,
            obj=("linkage.earlier_records", ""),
            agency=agency,
            detail={"likely_earlier_records": count},
        )
    return EarlierRecords(exists=count > 0, count=count, coordinators=_coordinators() if count else [])
