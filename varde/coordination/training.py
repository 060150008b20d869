"""Training: courses and their sessions (topic, date, place, audience), participants by agency and
role; per agency, how many of its caseworkers took part in a session in the last two years (seed 003:
65 % of the professionals asked had had no training; identification follows training)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, replace
from uuid import UUID

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Count
from django.utils.translation import gettext as _

from varde.accounts.models import Agency, Membership, Role, User
from varde.audit.models import AuditAction
from varde.audit.services import audit_record
from varde.cases.models import Referral
from varde.core import clock
from varde.core.errors import NotPermitted
from varde.statistics.disclosure import suppress_one_way

from .models import Course, Participant, TrainingSession
from .roles import is_coordinator

WINDOW_DAYS = 2 * 365 + 1  # "the last two years", counted back from the day asked about


def _check(actor: User) -> None:
    if not is_coordinator(actor):
        raise NotPermitted(_("KOM's coordinators record training."))


@transaction.atomic
def course_create(*, actor: User, topic: str, audience: str = "") -> Course:
    _check(actor)
    topic = (topic or "").strip()
    if not topic:
        raise ValidationError({"topic": [_("This field is required.")]})
    course = Course.objects.create(topic=topic[:300], audience=(audience or "").strip()[:300])
    audit_record(actor=actor, action=AuditAction.CREATE, obj=course)
    return course


@transaction.atomic
def session_create(
    *, actor: User, course: Course, held_on: dt.date | None, place: str = ""
) -> TrainingSession:
    _check(actor)
    if held_on is None:
        raise ValidationError({"held_on": [_("This field is required.")]})
    session = TrainingSession.objects.create(
        course=course, held_on=held_on, place=(place or "").strip()[:200]
    )
    audit_record(actor=actor, action=AuditAction.CREATE, obj=session, detail={"course": str(course.pk)})
    return session


@transaction.atomic
def participant_add(
    *,
    actor: User,
    session: TrainingSession,
    agency: Agency,
    name: str = "",
    role: str = "",
    user: User | None = None,
) -> Participant:
    _check(actor)
    name = (name or (user.full_name or user.username if user else "")).strip()
    errors: dict[str, list[str]] = {}
    if not name:
        errors["name"] = [_("This field is required.")]
    if user is not None and not user.memberships.filter(agency=agency).exists():
        errors["user"] = [_("The user does not work at this agency.")]
    if errors:
        raise ValidationError(errors)
    try:
        with transaction.atomic():
            participant = Participant.objects.create(
                session=session, agency=agency, user=user, name=name[:200], role=(role or "").strip()[:100]
            )
    except IntegrityError:
        raise ValidationError({"user": [_("The user is already registered for this session.")]}) from None
    audit_record(
        actor=actor, action=AuditAction.UPDATE, obj=session, detail={"participant_agency": agency.code}
    )
    return participant


@dataclass(frozen=True)
class TrainedShare:
    """One agency: its caseworkers in Varde, how many of them were trained in the window, and the
    possible victims it reported in the same window (its referrals), shown side by side because
    identification follows training. `reports` None: suppressed (the published version)."""

    agency: Agency
    caseworkers: int
    trained: int
    reports: int | None = 0

    @property
    def share(self) -> int | None:
        """Whole per cent, None when the agency has no caseworker in Varde."""
        return round(100 * self.trained / self.caseworkers) if self.caseworkers else None


def training_window(as_of: dt.date) -> tuple[dt.date, dt.date]:
    """The two years up to and including `as_of`."""
    return as_of - dt.timedelta(days=WINDOW_DAYS), as_of


def trained_shares(*, as_of: dt.date | None = None) -> list[TrainedShare]:
    """Per active agency with caseworkers or reports: how many of its caseworkers (active caseworker
    memberships) took part in a session held in the two years up to `as_of` (default today), and how
    many referrals it reported in those two years (by referral date). Counts only, no case is read."""
    since, today = training_window(as_of or clock.today())
    workers: dict[UUID, set[UUID]] = {}
    for agency_id, user_id in Membership.objects.filter(
        role=Role.CASEWORKER, is_active=True, user__is_active=True, agency__is_active=True
    ).values_list("agency_id", "user_id"):
        workers.setdefault(agency_id, set()).add(user_id)
    trained: dict[UUID, set[UUID]] = {}
    for agency_id, user_id in Participant.objects.filter(
        user__isnull=False, session__held_on__gte=since, session__held_on__lte=today
    ).values_list("agency_id", "user_id"):
        trained.setdefault(agency_id, set()).add(user_id)
    reports = dict(
        Referral.objects.filter(referral_date__gte=since, referral_date__lte=today)
        .order_by()
        .values("reporting_agency_id")
        .annotate(n=Count("id"))
        .values_list("reporting_agency_id", "n")
    )
    agencies = Agency.objects.filter(is_active=True, pk__in=set(workers) | set(reports)).order_by("name")
    return [
        TrainedShare(
            a,
            len(workers.get(a.pk, set())),
            len(trained.get(a.pk, set()) & workers.get(a.pk, set())),
            reports.get(a.pk, 0),
        )
        for a in agencies
    ]


def published_shares(shares: list[TrainedShare], *, k: int) -> list[TrainedShare]:
    """For a report that leaves KOM (the commission, the local units): an agency's number of reports
    below the disclosure threshold is suppressed (None), as the annual report's cells are."""
    cells = suppress_one_way({str(s.agency.pk): s.reports or 0 for s in shares}, k, has_total=False).cells
    return [replace(s, reports=cells[str(s.agency.pk)]) for s in shares]
