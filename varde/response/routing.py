"""Who is told what: routing rules (rules/routing.json) turned into Notification rows.

A notification's text is built only from MESSAGE_FIELDS (case reference, deadline label and time,
agency names and the lead agency's 24-hour phone, the kind of place): never a name, a birth date,
a phone number or a document of the person, whatever the recipient may see. Agencies that do not
take part in the case get the 'outsider' text: the reference and what to do.
"""

from __future__ import annotations

import datetime as dt
import string
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django.db.models import Q

from varde.accounts.models import Agency, AgencyKind, User
from varde.cases.models import Case, CaseParticipation, ParticipationState
from varde.core import clock as vclock

from . import dates
from .agencies import child_welfare_agencies, coordinator_agencies, police_agencies
from .clocks import clock_start
from .models import AgencyContact, Clock, EmailState, Notification
from .rules import LANGS, MESSAGE_FIELDS, clock_label, route_spec, routing_rules


@dataclass(frozen=True)
class Recipient:
    agency: Agency
    role: str = ""
    user: User | None = None
    ack_within_hours: int | None = None
    ack_clock: str = ""
    text: str = ""  # a text variant of the rule for this recipient (e.g. what the police must do)


def _targets(
    target: str, *, case: Case, clock: Clock | None, invited: Agency | None, memo: dict[str, Any]
) -> list[tuple[Agency, User | None]]:
    if target == "coordinators":
        if "coordinators" not in memo:  # the same for every notice of a batch
            memo["coordinators"] = coordinator_agencies()
        return [(a, None) for a in memo["coordinators"]]
    if target == "child_welfare":
        return [(a, None) for a in child_welfare_agencies(case)]
    if target == "police":
        return [(a, None) for a in police_agencies(case)]
    if target == "lead":
        return [(case.lead_agency, None)]
    if target == "responsible" and clock is not None:
        agency = clock.responsible_agency or case.lead_agency
        return [(agency, clock.responsible_user)]
    if target == "invited" and invited is not None:
        return [(invited, None)]
    return []


def recipients_for(
    kind: str,
    *,
    case: Case,
    clock: Clock | None = None,
    invited: Agency | None = None,
    memo: dict[str, Any] | None = None,
) -> list[Recipient]:
    """The recipients the routing rule names, each agency (and role, and person) once, in rule order.
    `memo` keeps what is the same for every case (the coordinators) across the notices of a batch."""
    memo = {} if memo is None else memo
    seen: set[tuple[Any, str, Any]] = set()
    found: list[Recipient] = []
    for spec in route_spec(kind)["to"]:
        if spec.get("only_child") and not case.is_child:
            continue
        role = spec.get("role", "")
        for agency, user in _targets(spec["target"], case=case, clock=clock, invited=invited, memo=memo):
            key = (agency.pk, role, user.pk if user else None)
            if key in seen:
                continue
            seen.add(key)
            found.append(
                Recipient(
                    agency=agency,
                    role=role,
                    user=user,
                    ack_within_hours=spec.get("ack_within_hours"),
                    ack_clock=spec.get("ack_clock", ""),
                    text=spec.get("text", ""),
                )
            )
    return found


def is_participant(agency: Agency, case: Case) -> bool:
    """KOM sees every case; others only while taking part."""
    if agency.kind == AgencyKind.KOM:
        return True
    return case.participations.filter(agency=agency, state=ParticipationState.ACTIVE).exists()


def _phone(contact: AgencyContact | None) -> str:
    return contact.on_call_phone if contact and contact.on_call_phone else "–"


class _SafeFields(dict[str, str]):
    """Only the allowed, non-personal fields can be formatted into a message."""

    def __missing__(self, key: str) -> str:  # pragma: no cover - templates are validated on load
        raise KeyError(key)


def message_fields(
    *,
    case: Case,
    language: str,
    clock_kind: str = "",
    due_at: dt.datetime | None = None,
    agency: Agency | None = None,
    place_kind: str = "",
    lead_contact: AgencyContact | None = None,
) -> dict[str, str]:
    """The values a message may use. Built from the case reference and agency data only."""
    places = routing_rules().get("place_kinds", {})
    fields = {
        "reference": case.reference,
        "clock": clock_label(clock_kind, language) if clock_kind else "",
        "due": dates.format_local(due_at, language) if due_at else "",
        "agency": agency.name if agency else "",
        "lead_agency": case.lead_agency.name,
        "lead_phone": _phone(lead_contact),
        "place_kind": places.get(place_kind, {}).get(language, "") if place_kind else "",
    }
    assert set(fields) == MESSAGE_FIELDS
    return fields


def render(
    kind: str, *, participant: bool, fields_by_lang: dict[str, dict[str, str]], variant: str = ""
) -> dict[str, str]:
    text = route_spec(kind)["text"]
    if variant:
        text = text["variants"][variant]
    texts = text["participant" if participant else "outsider"]
    return {
        lang: string.Formatter().vformat(texts[lang], (), _SafeFields(fields_by_lang[lang])) for lang in LANGS
    }


def _key(kind: str, subject: str, recipient: Recipient) -> str:
    user = recipient.user.pk if recipient.user else ""
    return f"{kind}:{subject}:{recipient.agency.pk}:{recipient.role}:{user}"[:200]


@dataclass(frozen=True)
class Notice:
    """Something that happened and whom the routing rule for `kind` tells of it (see `notify`)."""

    kind: str
    case: Case
    subject: str
    clock: Clock | None = None
    due_at: dt.datetime | None = None
    invited: Agency | None = None
    about_agency: Agency | None = None
    place_kind: str = ""
    escalation_of: Notification | None = None


def notify(
    *,
    kind: str,
    case: Case,
    subject: str,
    clock: Clock | None = None,
    due_at: dt.datetime | None = None,
    invited: Agency | None = None,
    about_agency: Agency | None = None,
    place_kind: str = "",
    escalation_of: Notification | None = None,
) -> list[Notification]:
    """Create the notifications a routing rule asks for, in the caller's transaction. Idempotent:
    `subject` (ids only) names what happened, so the same event never notifies an agency twice.
    E-mail is queued (email_state=pending) and sent by the worker after commit."""
    return notify_many(
        [
            Notice(
                kind=kind,
                case=case,
                subject=subject,
                clock=clock,
                due_at=due_at,
                invited=invited,
                about_agency=about_agency,
                place_kind=place_kind,
                escalation_of=escalation_of,
            )
        ]
    )


def notify_many(notices: Sequence[Notice]) -> list[Notification]:
    """`notify` for many notices at once (the worker's batches), in the caller's transaction: the
    same notifications, the same dedupe (also between the notices of the batch), in a fixed number
    of queries for the batch (plus the routing rule's own look-ups of child welfare and the police
    where a rule names them, and one clock per notification that an acknowledgement meets)."""
    memo: dict[str, Any] = {}
    planned: list[tuple[Notice, Recipient, str]] = []
    for notice in notices:
        for r in recipients_for(
            notice.kind, case=notice.case, clock=notice.clock, invited=notice.invited, memo=memo
        ):
            planned.append((notice, r, _key(notice.kind, notice.subject, r)))
    if not planned:
        return []
    # "not empty" names the unique index's own condition: PostgreSQL cannot infer it from a list of
    # more than 100 keys and would read the whole table (90 ms a batch at 100,000 cases).
    done = set(
        Notification.objects.filter(dedupe_key__in=sorted({key for *_, key in planned}))
        .exclude(dedupe_key="")
        .order_by()
        .values_list("dedupe_key", flat=True)
    )
    agency_ids = {r.agency.pk for _, r, _ in planned} | {n.case.lead_agency_id for n in notices}
    contacts = {c.agency_id: c for c in AgencyContact.objects.filter(agency_id__in=agency_ids)}
    taking_part = set(
        CaseParticipation.objects.filter(
            case_id__in={n.case.pk for n in notices}, state=ParticipationState.ACTIVE
        ).values_list("case_id", "agency_id")
    )
    now = vclock.now()
    version = int(routing_rules()["version"])
    created: list[Notification] = []
    ack_clocks: list[tuple[Notification, Recipient]] = []
    for notice, recipient, key in planned:
        if key in done:
            continue
        done.add(key)
        case, clock = notice.case, notice.clock
        rule = route_spec(notice.kind)
        participant = recipient.agency.kind == AgencyKind.KOM or (case.pk, recipient.agency.pk) in taking_part
        fields = {
            lang: message_fields(
                case=case,
                language=lang,
                clock_kind=clock.kind if clock is not None else "",
                due_at=notice.due_at or (clock.due_at if clock is not None else None),
                agency=notice.about_agency or recipient.agency,
                place_kind=notice.place_kind,
                lead_contact=contacts.get(case.lead_agency_id),
            )
            for lang in LANGS
        }
        texts = render(notice.kind, participant=participant, fields_by_lang=fields, variant=recipient.text)
        contact = contacts.get(recipient.agency.pk)
        email_to = contact.email if rule.get("email") and contact and contact.email else ""
        ack_due = now + dt.timedelta(hours=recipient.ack_within_hours) if recipient.ack_within_hours else None
        notification = Notification(
            kind=notice.kind,
            case=case,
            recipient_agency=recipient.agency,
            recipient_user=recipient.user,
            recipient_role=recipient.role,
            is_participant=participant,
            text_nb=texts["nb"],
            text_en=texts["en"],
            clock=clock,
            escalation_of=notice.escalation_of,
            rule_version=version,
            subject=notice.subject[:120],
            dedupe_key=key,
            ack_due_at=ack_due,
            email_to=email_to,
            email_state=EmailState.PENDING if email_to else EmailState.NONE,
            email_next_at=now if email_to else None,
        )
        created.append(notification)
        if recipient.ack_clock:
            ack_clocks.append((notification, recipient))
    Notification.objects.bulk_create(created)
    for notification, recipient in ack_clocks:
        assert notification.case is not None
        ack_clock = clock_start(
            case=notification.case,
            kind=recipient.ack_clock,
            start_at=now,
            origin=f"ack:{notification.pk}",
            responsible_agency=recipient.agency,
        )
        Notification.objects.filter(pk=notification.pk).update(ack_clock=ack_clock)
        notification.ack_clock = ack_clock
    return created


def inbox_branches(user: User) -> list[Q]:
    """The user's inbox as parts that never overlap: what is addressed to the user, and for each
    agency they work in with cases, what is addressed to that agency (to anyone there, or to a role
    they have there). Counted part by part, each part is read from an index alone."""
    roles: dict[Any, set[str]] = {}
    for m in user.active_memberships:
        if m.role in ("caseworker", "coordinator"):
            roles.setdefault(m.agency_id, {""}).add(m.role)
    return [Q(recipient_user=user)] + [
        Q(recipient_user__isnull=True, recipient_agency_id=agency_id, recipient_role__in=sorted(r))
        for agency_id, r in roles.items()
    ]


def inbox_filter(user: User) -> Q:
    """Notifications addressed to the user, or to an agency and role they work in with cases."""
    q = Q()
    for branch in inbox_branches(user):
        q |= branch
    return q
