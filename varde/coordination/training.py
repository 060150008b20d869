"""Training: courses and their sessions (topic, date, place, audience), participants by agency and
role; per agency, how many of its caseworkers took part in a session in the last two years (seed 003:
65 % of the professionals asked had had no training; identification follows training)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from uuid import UUID

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from varde.accounts.models import Agency, Membership, Role, User
from varde.audit.models import AuditAction
from varde.audit.services import audit_record
from varde.core import clock
from varde.core.errors import NotPermitted

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
    agency: Agency
    caseworkers: int
    trained: int

    @property
    def share(self) -> int | None:
        """Whole per cent, None when the agency has no caseworker in Varde."""
        return round(100 * self.trained / self.caseworkers) if self.caseworkers else None


def trained_shares(*, as_of: dt.date | None = None) -> list[TrainedShare]:
    """Per active agency with caseworkers: how many of them (active caseworker memberships) took part
    in a session held in the two years up to `as_of` (default today)."""
    today = as_of or clock.today()
    since = today - dt.timedelta(days=WINDOW_DAYS)
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
    agencies = Agency.objects.filter(pk__in=list(workers)).order_by("name")
    return [
        TrainedShare(a, len(workers[a.pk]), len(trained.get(a.pk, set()) & workers[a.pk])) for a in agencies
    ]
