"""Build the response benchmark's database: N cases on PostgreSQL, the demo's agencies and users.

Rows are written with PostgreSQL's COPY from model instances (every column through the model
field's own conversion), in chunks of CHUNK cases, one transaction each: an interrupted build
resumes at the first chunk not committed (each case's referral carries `bench-<index>` as its
record id). What the rows hold follows what the services write:

- a person (sex, nationality, a date of birth, or for a presumed child an uncertain estimated age)
  and one primary name; a case (`V<yy>-<6>` reference, status, child flag, lead agency) with its
  referral, its first StatusChange and CaseEvent, the case_reported event (processed: it has no
  deferred handler), for a presumed child the presumed_child event and timeline entry;
- participations: the lead (active, is_lead); for a child the municipal or state child welfare;
  KOM in about one case in eight; sometimes another agency (invited, then active or declined) with
  its agency_invited notification;
- clocks with the rules' lengths, warning points, sources and responsible agencies
  (varde.response.clocks.compute_due / compute_warn_at / responsible_for's rule): for a child the
  24-hour safe placement and the 2-hour duty to inform child welfare (its notification to child
  welfare carries it as ack_clock), the plan review; for adults the reflection period and plan
  tasks. Closed cases: met, missed (history) or cancelled with the closure as reason; open cases:
  running, paused, warned, met or missed. Every change is a ClockChange row;
- notifications as routing.notify makes them (dedupe keys, texts from the routing rules, ack_due_at):
  presumed_child to child welfare, clock_warning to the responsible agency, clock_missed to the
  responsible and the lead agency (4 h to acknowledge) and to KOM's coordinators, escalations of
  those not acknowledged to KOM's coordinators. On open cases a share is not acknowledged, so KOM's
  and Oslo child welfare's inboxes hold thousands.

Nothing is due when the build ends (running clocks are due later, past warnings are warned, late
notifications are escalated or acknowledged): the worker backlog is added by `run.py worker`.
Not written: audit rows (their hash chain is written by the services one by one), linkage keys,
identification assessments, placements, plans' goals.
"""

from __future__ import annotations

import datetime as dt
import random
import time
import uuid
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.db import connection, models, transaction

from varde.accounts.models import Agency, Membership, Role, User
from varde.cases.models import (
    Case,
    CaseEvent,
    CaseParticipation,
    CaseStatus,
    ClosureReason,
    ParticipationState,
    Referral,
    StatusChange,
)
from varde.events.models import Event, EventKind
from varde.persons.models import AgeCertainty, NameKind, Person, PersonName
from varde.response import routing
from varde.response.clocks import CASE_CLOSED, compute_due, compute_warn_at
from varde.response.models import (
    Clock,
    ClockAction,
    ClockChange,
    ClockState,
    EmailState,
    Notification,
    NotificationKind,
)
from varde.response.rules import clock_rules, clock_spec, routing_rules

CHUNK = 5000
MARK = "bench-"
OSLO, BERGEN = "0301", "4601"

# Who reports (leads) adults' and children's cases, with weights.
ADULT_LEADS = {
    "oslo-pd-stop": 22,
    "vest-pd-exit": 8,
    "kripos": 2,
    "pu": 6,
    "udi": 12,
    "rosa": 16,
    "lauras-hus": 5,
    "oslo-krisesenter": 4,
    "nav-grunerlokka": 4,
    "uteseksjonen": 6,
    "pro-sentret": 5,
    "iom-oslo": 3,
    "kirkens-bymisjon": 4,
    "arbeidstilsynet": 3,
}
CHILD_LEADS = {
    "oslo-barnevern": 30,
    "bufetat-ost": 20,
    "oslo-pd-stop": 20,
    "vest-pd-exit": 6,
    "udi": 10,
    "redd-barna": 6,
    "uteseksjonen": 8,
}
OTHERS = ("rosa", "udi", "oslo-pd-stop", "nav-grunerlokka", "pro-sentret", "iom-oslo", "kirkens-bymisjon")
NATIONALITIES = {
    "NG": 26,
    "RO": 14,
    "BG": 8,
    "VN": 8,
    "LT": 6,
    "PL": 6,
    "ER": 5,
    "AF": 6,
    "SO": 4,
    "CN": 4,
    "TH": 4,
}
GIVEN = ("Amina", "Blessing", "Ion", "Maria", "Thi", "Li", "Ana", "Mohammed", "Joy", "Elena", "Tuan", "Yonas")
FAMILY = ("Osas", "Popescu", "Nguyen", "Ivanova", "Kowalska", "Tesfay", "Ahmadi", "Wang", "Okafor", "Petrov")


def _uuid(rng: random.Random) -> uuid.UUID:
    return uuid.UUID(int=rng.getrandbits(128), version=4)


def _weighted(rng: random.Random, weights: dict[str, int]) -> str:
    return rng.choices(list(weights), weights=list(weights.values()))[0]


def copy_rows(model: type[models.Model], rows: Iterable[models.Model]) -> int:
    """Write model instances with COPY: every concrete column, converted by its field."""
    fields = [f for f in model._meta.concrete_fields]
    columns = ", ".join(connection.ops.quote_name(f.column) for f in fields)
    table = connection.ops.quote_name(model._meta.db_table)
    n = 0
    with connection.cursor() as cursor:
        raw = cursor.cursor  # psycopg 3's own cursor, for COPY
        with raw.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
            for obj in rows:
                copy.write_row([f.get_db_prep_save(getattr(obj, f.attname), connection) for f in fields])
                n += 1
    return n


@dataclass
class World:
    """The demo's agencies and users, and the texts' fixed parts."""

    agencies: dict[str, Agency]
    workers: dict[str, User]  # a caseworker of each agency that leads or joins cases
    coordinator: User
    kom: Agency
    routing_version: int
    clock_version: int
    sources: dict[str, str]


def demo_world(*, seed: int = 7) -> World:
    """The demo's agencies, persona users (with their authenticator devices) and a staff caseworker
    for every other agency, as `varde demo` creates them (created once; reused on a resumed build)."""
    from varde.demo import loader  # the demo's own setup of agencies and users

    if not User.objects.filter(username="kom.coordinator").exists():
        setup = loader._Loader(seed=seed, today=dt.date.today())  # noqa: SLF001 - the demo's setup step
        setup.agencies_and_users()
    agencies = {a.code: a for a in Agency.objects.all()}
    workers: dict[str, User] = {}
    for m in Membership.objects.filter(role=Role.CASEWORKER, is_active=True).select_related("user", "agency"):
        if m.agency.code == "oslo-statsadvokat":
            continue  # the outsider's agency never takes part in a demo case
        current = workers.get(m.agency.code)
        if current is None or m.user.has_usable_password():  # a persona before a staff user
            workers[m.agency.code] = m.user
    coordinator = User.objects.get(username="kom.coordinator")
    return World(
        agencies=agencies,
        workers=workers,
        coordinator=coordinator,
        kom=agencies["kom"],
        routing_version=int(routing_rules()["version"]),
        clock_version=int(clock_rules()["version"]),
        sources={k: str(v["source"]["en"])[:500] for k, v in clock_rules()["kinds"].items()},
    )


@dataclass
class Rows:
    persons: list[Person] = field(default_factory=list)
    names: list[PersonName] = field(default_factory=list)
    cases: list[Case] = field(default_factory=list)
    referrals: list[Referral] = field(default_factory=list)
    status_changes: list[StatusChange] = field(default_factory=list)
    case_events: list[CaseEvent] = field(default_factory=list)
    events: list[Event] = field(default_factory=list)
    participations: list[CaseParticipation] = field(default_factory=list)
    clocks: list[Clock] = field(default_factory=list)
    changes: list[ClockChange] = field(default_factory=list)
    notifications: list[Notification] = field(default_factory=list)

    def write(self) -> int:
        n = 0
        for model, rows in (
            (Person, self.persons),
            (PersonName, self.names),
            (Case, self.cases),
            (Referral, self.referrals),
            (StatusChange, self.status_changes),
            (CaseEvent, self.case_events),
            (Event, self.events),
            (CaseParticipation, self.participations),
            (Clock, self.clocks),
            (ClockChange, self.changes),
            (Notification, self.notifications),
        ):
            n += copy_rows(model, rows)
        return n


class CaseMaker:
    """One chunk of cases; deterministic for a seed and chunk number."""

    def __init__(self, world: World, *, seed: int, chunk: int, now: dt.datetime, total: int) -> None:
        self.w = world
        self.rng = random.Random(seed * 1_000_003 + chunk)
        self.now = now
        self.total = total
        self.rows = Rows()

    # --- helpers -------------------------------------------------------------------------------------

    def past(self, at: dt.datetime | None) -> dt.datetime | None:
        """`at` if it has happened by the build's now, else None (not yet)."""
        return at if at is not None and at <= self.now else None

    def stamp(self, obj: Any, at: dt.datetime) -> Any:
        obj.created_at = at
        obj.updated_at = at
        return obj

    def agency(self, code: str) -> Agency:
        return self.w.agencies[code]

    def notify(
        self,
        *,
        kind: str,
        case: Case,
        agency: Agency,
        at: dt.datetime,
        subject: str,
        role: str = "",
        participant: bool,
        clock: Clock | None = None,
        ack_clock: Clock | None = None,
        ack_hours: int | None = None,
        acknowledged_at: dt.datetime | None = None,
        escalated_at: dt.datetime | None = None,
        about: Agency | None = None,
        escalation_of: Notification | None = None,
        variant: str = "",
    ) -> Notification:
        fields = {
            lang: routing.message_fields(
                case=case,
                language=lang,
                clock_kind=clock.kind if clock else "",
                due_at=clock.due_at if clock else None,
                agency=about or agency,
            )
            for lang in ("nb", "en")
        }
        texts = routing.render(kind, participant=participant, fields_by_lang=fields, variant=variant)
        n = Notification(
            id=_uuid(self.rng),
            kind=kind,
            case_id=case.pk,
            recipient_agency_id=agency.pk,
            recipient_user=None,
            recipient_role=role,
            is_participant=participant,
            text_nb=texts["nb"],
            text_en=texts["en"],
            clock_id=clock.pk if clock else None,
            ack_clock_id=ack_clock.pk if ack_clock else None,
            escalation_of_id=escalation_of.pk if escalation_of else None,
            rule_version=self.w.routing_version,
            subject=subject[:120],
            dedupe_key=f"{kind}:{subject}:{agency.pk}:{role}:"[:200],
            ack_due_at=at + dt.timedelta(hours=ack_hours) if ack_hours else None,
            acknowledged_at=acknowledged_at,
            acknowledged_by_id=self.w.workers[agency.code].pk
            if acknowledged_at and agency.code in self.w.workers
            else (self.w.coordinator.pk if acknowledged_at else None),
            escalated_at=escalated_at,
            email_to="",
            email_state=EmailState.NONE,
            email_attempts=0,
            claimed_by="",
            version=1,
        )
        self.stamp(n, at)
        self.rows.notifications.append(n)
        return n

    def change(
        self,
        clk: Clock,
        *,
        action: str,
        state: str,
        at: dt.datetime,
        reason: str = "",
        data: dict | None = None,
    ) -> None:
        ch = ClockChange(
            clock_id=clk.pk,
            at=at,
            action=action,
            state=state,
            due_at=clk.due_at,
            ends_on=clk.ends_on,
            paused_at=clk.paused_at if state == ClockState.PAUSED else None,
            reason=reason,
            data=data or {},
        )
        self.rows.changes.append(ch)

    # --- a clock and its life --------------------------------------------------------------------------

    def clock(
        self,
        case: Case,
        kind: str,
        start: dt.datetime,
        responsible: Agency,
        *,
        open_case: bool,
        closed_at: dt.datetime | None,
        origin: str = "",
        stage: int | None = None,
        until: dt.date | None = None,
        met_share: float = 0.8,
    ) -> Clock:
        rng = self.rng
        due, ends_on = compute_due(kind, start, stage=stage, until=until)
        warn = compute_warn_at(kind, start, due)
        clk = Clock(
            id=_uuid(rng),
            case_id=case.pk,
            kind=kind,
            stage=stage,
            rule_version=self.w.clock_version,
            rule_source=self.w.sources[kind],
            origin=origin,
            started_at=start,
            due_at=due,
            ends_on=ends_on,
            warn_at=warn,
            state=ClockState.RUNNING,
            responsible_agency_id=responsible.pk,
            met_late=False,
            version=1,
            case_open=open_case,
        )
        self.stamp(clk, start)
        self.change(
            clk,
            action=ClockAction.STARTED,
            state=ClockState.RUNNING,
            at=start,
            data={"rule_version": clk.rule_version},
        )
        version = 1
        end = min(due, closed_at or self.now, self.now)
        r = rng.random()
        if closed_at is not None and closed_at < due and r > met_share:
            # Closed before it ran out: cancelled, the closure as reason.
            clk.state, clk.closed_at = ClockState.CANCELLED, closed_at
            version += 1
            self.change(
                clk,
                action=ClockAction.CANCELLED,
                state=ClockState.CANCELLED,
                at=closed_at,
                reason=CASE_CLOSED,
            )
        elif open_case and due > self.now and r > met_share * 0.25:
            # Still running (or paused); warned if its warning point has passed (the worker has been by).
            if warn is not None and warn <= self.now:
                clk.warned_at = min(self.now, warn + dt.timedelta(seconds=rng.randint(5, 60)))
                self.change(clk, action=ClockAction.WARNED, state=ClockState.RUNNING, at=clk.warned_at)
            if clock_spec(kind).get("pausable") and rng.random() < 0.05:
                clk.state = ClockState.PAUSED
                clk.paused_at = start + (self.now - start) * rng.random()
                version += 1
                self.change(clk, action=ClockAction.PAUSED, state=ClockState.PAUSED, at=clk.paused_at)
        elif (closed_at is not None and closed_at < due) or due > self.now or rng.random() < met_share:
            at = start + (end - start) * rng.uniform(0.1, 0.95)
            clk.state, clk.closed_at = ClockState.MET, at
            version += 1
            self.change(clk, action=ClockAction.MET, state=ClockState.MET, at=at)
        else:
            clk.state, clk.closed_at = (
                ClockState.MISSED,
                min(self.now, due + dt.timedelta(seconds=rng.randint(5, 120))),
            )
            version += 1
            self.change(clk, action=ClockAction.MISSED, state=ClockState.MISSED, at=clk.closed_at)
        clk.version = version
        clk.updated_at = clk.closed_at or clk.warned_at or start
        self.rows.clocks.append(clk)
        return clk

    def missed_notices(self, case: Case, clk: Clock, lead: Agency, *, open_case: bool) -> None:
        """clock_missed to the responsible and lead agencies (4 h to acknowledge) and KOM; escalated
        to KOM's coordinators when not acknowledged in time (the worker's work, already done)."""
        assert clk.closed_at is not None
        at = clk.closed_at
        subject = f"clock:{clk.pk}"
        targets = [clk.responsible_agency_id]
        if lead.pk not in targets:
            targets.append(lead.pk)
        by_pk = {a.pk: a for a in self.w.agencies.values()}
        escalated_once = False
        for agency_id in targets:
            agency = by_pk[agency_id]
            acked = not open_case or self.rng.random() < 0.55
            ack_at = self.past(at + dt.timedelta(minutes=self.rng.randint(5, 600))) if acked else None
            due = at + dt.timedelta(hours=4)
            late = (ack_at is None or ack_at > due) and due <= self.now
            escalated = due + dt.timedelta(seconds=30) if late else None
            n = self.notify(
                kind=NotificationKind.CLOCK_MISSED,
                case=case,
                agency=agency,
                at=at,
                subject=subject,
                participant=True,
                clock=clk,
                ack_hours=4,
                acknowledged_at=ack_at,
                escalated_at=escalated,
            )
            if escalated is not None and not escalated_once:  # once per missed clock (notify's dedupe)
                escalated_once = True
                self.notify(
                    kind=NotificationKind.ESCALATION,
                    case=case,
                    agency=self.w.kom,
                    at=escalated,
                    subject=f"{n.kind}:{n.subject}",
                    role=Role.COORDINATOR,
                    participant=True,
                    about=agency,
                    escalation_of=n,
                    acknowledged_at=None
                    if open_case and self.rng.random() < 0.6
                    else self.past(escalated + dt.timedelta(hours=self.rng.randint(1, 48))),
                )
        self.notify(
            kind=NotificationKind.CLOCK_MISSED,
            case=case,
            agency=self.w.kom,
            at=at,
            subject=subject,
            role=Role.COORDINATOR,
            participant=True,
            clock=clk,
            acknowledged_at=None
            if open_case and self.rng.random() < 0.5
            else self.past(at + dt.timedelta(hours=self.rng.randint(1, 72))),
        )

    # --- a case -------------------------------------------------------------------------------------------

    def case(self, index: int) -> None:
        rng, w = self.rng, self.w
        # Opened over the last eight years, more recently more often; the newest 2 % in the last days.
        if rng.random() < 0.02:
            opened = self.now - dt.timedelta(hours=rng.uniform(0.5, 96))
        else:
            opened = self.now - dt.timedelta(days=8 * 365 * rng.random() ** 1.6)
        opened = opened.replace(microsecond=0)
        age_days = (self.now - opened).days
        child = rng.random() < 0.22
        presumed = child and rng.random() < 0.6
        lead_code = _weighted(rng, CHILD_LEADS if child else ADULT_LEADS)
        lead = w.agencies[lead_code]
        worker = w.workers[lead_code]
        municipality = OSLO if rng.random() < 0.75 else BERGEN
        closed_share = (
            0.95 if age_days > 730 else (0.6 if age_days > 180 else (0.2 if age_days > 14 else 0.0))
        )
        closed = rng.random() < closed_share
        closed_at = opened + (self.now - opened) * rng.uniform(0.3, 0.95) if closed else None
        status = (
            CaseStatus.CLOSED
            if closed
            else rng.choice(
                [
                    CaseStatus.REPORTED,
                    CaseStatus.UNDER_ASSESSMENT,
                    CaseStatus.IDENTIFIED,
                    CaseStatus.ASSISTANCE,
                ]
            )
        )

        nat = _weighted(rng, NATIONALITIES)
        person = Person(
            id=_uuid(rng),
            sex=rng.choice("FFFM"),
            nationalities=[nat],
            languages=[],
            national_id="",
            version=1,
        )
        if presumed:
            person.estimated_age = rng.randint(14, 17)
            person.estimated_age_certainty = rng.choice([AgeCertainty.LOW, AgeCertainty.MEDIUM])
            person.age_estimated_on = opened.date()
        else:
            years = rng.randint(12, 17) if child else rng.randint(18, 55)
            person.date_of_birth = opened.date() - dt.timedelta(days=365 * years + rng.randint(0, 364))
            person.estimated_age_certainty = ""
        self.stamp(person, opened)
        self.rows.persons.append(person)
        self.rows.names.append(
            self.stamp(
                PersonName(
                    id=_uuid(rng),
                    person_id=person.pk,
                    kind=NameKind.PRIMARY,
                    given=rng.choice(GIVEN),
                    family=rng.choice(FAMILY),
                    version=1,
                ),
                opened,
            )
        )
        yy = opened.year % 100
        case = Case(
            id=_uuid(rng),
            reference=f"V{yy:02d}-B{index:05d}" if index < 100_000 else f"V{yy:02d}-C{index - 100_000:05d}",
            person_id=person.pk,
            lead_agency_id=lead.pk,
            status=status,
            closure_reason=rng.choice(list(ClosureReason.values)) if closed else "",
            is_child=child,
            opened_at=opened,
            version=2 if closed else 1,
        )
        case.lead_agency = lead  # for the texts
        self.stamp(case, opened)
        if closed_at:
            case.updated_at = closed_at
        self.rows.cases.append(case)
        referral = Referral(
            id=_uuid(rng),
            case_id=case.pk,
            reporting_agency_id=lead.pk,
            reported_by_id=worker.pk,
            referral_date=opened.date(),
            external_id=f"{MARK}{index}",
            met_how="",
            met_where="",
            municipality=municipality,
            exploitation_forms=[rng.choice(["sexual", "forced_labour", "forced_criminality", "begging"])],
            labour_sector="",
            criminality_kind="",
            description="",
            version=1,
        )
        self.rows.referrals.append(self.stamp(referral, opened))
        self.rows.status_changes.append(
            StatusChange(
                case_id=case.pk,
                from_status="",
                to_status=CaseStatus.REPORTED,
                by_id=worker.pk,
                by_agency_id=lead.pk,
                at=opened,
                reason="",
                closure_reason="",
            )
        )
        self.rows.case_events.append(
            CaseEvent(
                case_id=case.pk,
                kind=CaseEvent.Kind.REFERRAL,
                at=opened,
                by_id=worker.pk,
                by_agency_id=lead.pk,
                text="",
                data={"referral_id": str(referral.pk)},
            )
        )
        self.rows.events.append(
            Event(
                kind=EventKind.CASE_REPORTED,
                case_id=case.pk,
                data={"case": str(case.pk)},
                occurred_at=opened,
                processed_at=opened,
            )
        )
        if closed_at:
            self.rows.status_changes.append(
                StatusChange(
                    case_id=case.pk,
                    from_status=CaseStatus.REPORTED,
                    to_status=CaseStatus.CLOSED,
                    closure_reason=case.closure_reason,
                    by_id=worker.pk,
                    by_agency_id=lead.pk,
                    at=closed_at,
                    reason="",
                )
            )
            self.rows.events.append(
                Event(
                    kind=EventKind.CASE_STATUS_CHANGED,
                    case_id=case.pk,
                    data={"case": str(case.pk), "from": CaseStatus.REPORTED, "to": CaseStatus.CLOSED},
                    occurred_at=closed_at,
                    processed_at=closed_at,
                )
            )

        # Participations: the lead; child welfare for a child; KOM in some; sometimes one more.
        taking_part = [lead]

        def join(agency: Agency, at: dt.datetime, *, invited: bool) -> None:
            p = CaseParticipation(
                id=_uuid(rng),
                case_id=case.pk,
                agency_id=agency.pk,
                is_lead=agency.pk == lead.pk,
                state=ParticipationState.ACTIVE,
                invitation_note="",
                version=1,
            )
            if invited:
                p.invited_by_id, p.invited_at = worker.pk, at
                declined = rng.random() < 0.08
                p.state = ParticipationState.DECLINED if declined else ParticipationState.ACTIVE
                p.responded_by_id = w.workers.get(agency.code, w.coordinator).pk
                p.responded_at = min(self.now, at + dt.timedelta(hours=rng.randint(1, 30)))
                p.version = 2
                self.notify(
                    kind=NotificationKind.AGENCY_INVITED,
                    case=case,
                    agency=agency,
                    at=at,
                    subject=f"participation:{p.pk}:1",
                    participant=False,
                    ack_hours=24,
                    acknowledged_at=p.responded_at,
                )
                if declined:
                    self.rows.participations.append(self.stamp(p, at))
                    return
            taking_part.append(agency) if agency not in taking_part else None
            self.rows.participations.append(self.stamp(p, at))

        join(lead, opened, invited=False)
        cw: Agency | None = None
        if child:
            cw = w.agencies["oslo-barnevern" if municipality == OSLO else "bufetat-ost"]
            if cw.pk != lead.pk:
                join(cw, opened + dt.timedelta(minutes=rng.randint(10, 300)), invited=True)
        if rng.random() < 0.12:
            join(w.kom, opened + dt.timedelta(days=rng.randint(0, 20)), invited=True)
        if rng.random() < 0.35:
            other = w.agencies[rng.choice(OTHERS)]
            if other not in taking_part:
                join(other, opened + dt.timedelta(days=rng.randint(0, 60)), invited=True)

        open_case = not closed
        if child:
            cw = cw or lead
            if presumed:
                self.rows.events.append(
                    Event(
                        kind=EventKind.PRESUMED_CHILD,
                        case_id=case.pk,
                        data={"case": str(case.pk)},
                        occurred_at=opened,
                        processed_at=opened,
                    )
                )
                self.rows.case_events.append(
                    CaseEvent(
                        case_id=case.pk,
                        kind=CaseEvent.Kind.PRESUMPTION_STARTED,
                        at=opened,
                        by_id=worker.pk,
                        by_agency_id=lead.pk,
                        text="",
                        data={},
                    )
                )
            origin = f"presumed:{opened.astimezone(dt.UTC).strftime('%Y%m%dT%H%M%S.%f')}"
            safe = self.clock(
                case,
                "safe_placement",
                opened,
                cw,
                open_case=open_case,
                closed_at=closed_at,
                origin=origin,
                met_share=0.85,
            )
            # The notice to child welfare, whose acknowledgement meets the duty-to-inform clock.
            inform = self.clock(
                case,
                "inform_child_welfare",
                opened,
                cw,
                open_case=open_case,
                closed_at=closed_at,
                met_share=0.8,
            )
            ack = inform.closed_at if inform.state == ClockState.MET else None
            notice = self.notify(
                kind=NotificationKind.PRESUMED_CHILD,
                case=case,
                agency=cw,
                at=opened,
                subject=f"clock:{safe.pk}",
                participant=cw in taking_part,
                ack_clock=inform,
                clock=None,
                acknowledged_at=ack,
            )
            inform.origin = f"ack:{notice.pk}"
            for clk in (safe, inform):
                if clk.state == ClockState.MISSED:
                    self.missed_notices(case, clk, lead, open_case=open_case)
                elif clk.warned_at is not None:
                    self.notify(
                        kind=NotificationKind.CLOCK_WARNING,
                        case=case,
                        agency=cw,
                        at=clk.warned_at,
                        subject=f"clock:{clk.pk}:{clk.version}",
                        participant=True,
                        clock=clk,
                        acknowledged_at=None
                        if rng.random() < 0.5
                        else self.past(clk.warned_at + dt.timedelta(hours=1)),
                    )
            if safe.state == ClockState.MET or not open_case:
                review = self.clock(
                    case,
                    "plan_review",
                    safe.closed_at or opened,
                    lead,
                    open_case=open_case,
                    closed_at=closed_at,
                    met_share=0.7,
                )
                if review.state == ClockState.MISSED:
                    self.missed_notices(case, review, lead, open_case=open_case)
        elif rng.random() < 0.3:
            start = opened + dt.timedelta(days=rng.randint(0, 30))
            if start < self.now:
                clk = self.clock(
                    case,
                    "reflection_period",
                    start,
                    lead,
                    open_case=open_case,
                    closed_at=closed_at,
                    met_share=0.9,
                )
                if clk.warned_at is not None:
                    self.notify(
                        kind=NotificationKind.CLOCK_WARNING,
                        case=case,
                        agency=lead,
                        at=clk.warned_at,
                        subject=f"clock:{clk.pk}:{clk.version}",
                        participant=True,
                        clock=clk,
                        acknowledged_at=self.past(clk.warned_at + dt.timedelta(hours=2))
                        if rng.random() < 0.7
                        else None,
                    )
        if rng.random() < 0.25:
            start = opened + dt.timedelta(days=rng.randint(1, 60))
            if start < self.now:
                agency = rng.choice(taking_part)
                until = (start + dt.timedelta(days=rng.randint(7, 90))).date()
                clk = self.clock(
                    case,
                    "plan_task",
                    start,
                    agency,
                    open_case=open_case,
                    closed_at=closed_at,
                    until=until,
                    met_share=0.75,
                )
                if clk.state == ClockState.MISSED:
                    self.missed_notices(case, clk, lead, open_case=open_case)


def _assign_big_ids(rows: Rows) -> None:
    """BigAutoField ids for the COPY, from each table's own sequence (so later inserts do not clash)."""
    for model, objs in (
        (StatusChange, rows.status_changes),
        (CaseEvent, rows.case_events),
        (Event, rows.events),
        (ClockChange, rows.changes),
    ):
        if not objs:
            continue
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT nextval(pg_get_serial_sequence(%s, 'id')) FROM generate_series(1, %s)",
                [model._meta.db_table, len(objs)],
            )
            for obj, (value,) in zip(objs, cursor.fetchall(), strict=True):
                obj.id = value


def cases_built() -> int:
    return Referral.objects.filter(external_id__startswith=MARK).count()


def build(*, cases: int, seed: int = 15, progress: bool = True) -> dict[str, Any]:
    """Build (or finish building) `cases` benchmark cases. Returns what it did and how long it took."""
    if connection.vendor != "postgresql":
        raise SystemExit("the response benchmark runs on PostgreSQL (DATABASE_URL)")
    started = time.monotonic()
    world = demo_world()
    done = cases_built()
    now = dt.datetime.now(dt.UTC).replace(microsecond=0)
    first_chunk = done // CHUNK
    rows_written = 0
    for chunk in range(first_chunk, -(-cases // CHUNK)):
        t = time.monotonic()
        maker = CaseMaker(world, seed=seed, chunk=chunk, now=now, total=cases)
        for index in range(chunk * CHUNK, min(cases, (chunk + 1) * CHUNK)):
            maker.case(index)
        with transaction.atomic():
            _assign_big_ids(maker.rows)
            rows_written += maker.rows.write()
        if progress:
            print(
                f"  chunk {chunk + 1}/{-(-cases // CHUNK)}: {len(maker.rows.cases)} cases, "
                f"{len(maker.rows.clocks)} clocks, {len(maker.rows.notifications)} notifications "
                f"({time.monotonic() - t:.1f} s)",
                flush=True,
            )
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    return {
        "cases_before": done,
        "cases": cases_built(),
        "rows_written": rows_written,
        "seconds": round(time.monotonic() - started, 1),
    }
