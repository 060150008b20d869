"""Demo data that tells the truth: 2009 as KOM counted it, from duplicated referrals.

The 2011-2014 action plan (seed 002) reports 2009: at least 292 persons followed up, 191 women,
32 men and 69 children (19 of them boys), 43 nationalities, 121 from Nigeria. This module makes
synthetic referrals that reproduce those figures. Many persons are reported by several agencies,
with names in another order, phone numbers written differently and document numbers with spaces.
The 2009 reflection-period figures (73 applied, 50 granted, 23 rejected) are added as well, and the
legal path after it (temporary permits, renewals, permits after testifying, returns with IOM and their
follow-ups, cooperation with the police), entered through the same services as real data; and KOM's
first years (varde.demo.earlier): the persons of seed 000's table 2005 - March 2008 and the
reflection-period applications of 2007 (31) and 2008 (50).

The figures come out of the ordinary pipeline: referral_report, then linkage_run, then the review
decisions a coordinator would make, then the statistics extract. The generator keeps its own
knowledge of who is who in memory only, to play the coordinator answering the review queue.
Nothing it stores has a "true person" column, and the statistics never read one.

`varde demo` loads this set first (varde.demo.loader); the demo's own persons begin in 2010, so
that `varde stats --year 2009` gives exactly the figures above. Each case's timeline is dated back
to its referral (opened, reported) and to its closure in mid-2010, as the demo loader does for its
own cases; audit events keep their true time.
"""

from __future__ import annotations

import datetime as dt
import random
from collections import defaultdict
from collections.abc import Callable, Collection, Sequence
from dataclasses import dataclass
from uuid import UUID

from django.db import transaction
from django.utils import timezone

from varde.accounts.models import Agency, User
from varde.cases.models import Case, CaseEvent, CaseParticipation, CaseStatus, Referral, StatusChange
from varde.cases.services import DocumentInput, NameInput, ReportInput, case_change_status, referral_report
from varde.demo.earlier import report_earlier
from varde.identification.models import AgePresumption
from varde.linkage.models import ReviewDecision, ReviewItem
from varde.linkage.selectors import person_keys
from varde.linkage.services import linkage_run, review_decide, review_decide_pair
from varde.response.legal_status import legal_status_record, police_cooperation_record
from varde.response.models import (
    Clock,
    ClockAction,
    ClockChange,
    FollowUpOutcome,
    LegalStatus,
    PoliceCooperation,
    ReturnFollowUp,
    ReturnOrganisation,
)
from varde.response.returns import (
    FOLLOW_UP_CLOCK,
    follow_up_clock,
    follow_up_record,
    follow_up_stages,
    voluntary_return_record,
)

YEAR = 2009
SEX_AGE = {("F", False): 191, ("M", False): 32, ("F", True): 50, ("M", True): 19}
NIGERIA = 121
OTHER_NATIONALITIES = (
    "RO", "BG", "TH", "CN", "VN", "PH", "LT", "LV", "EE", "PL", "UA", "RU", "BY", "MD", "AL", "RS", "BA", "MK",
    "SO", "ER", "ET", "SD", "AF", "IQ", "IR", "SY", "MA", "DZ", "TN", "LY", "EG", "GH", "CM", "SL", "GN", "LR",
    "CI", "KE", "UG", "BR", "CO", "IN",
)  # fmt: skip
# The 69 minors (seed 002): "the largest groups of minors come from Somalia, Eritrea, Romania, Ethiopia
# and Afghanistan. Forty-nine per cent of minors were being used for forced labour and approximately 14%
# for providing sexual services" (34 and 10 of 69). The smaller groups and the other forms (begging,
# crime, housework: "forced labour, including the sale of narcotics, begging, thieving and housework")
# are not in the seed: illustrative.
MINOR_NATIONALITIES = {
    "SO": 14, "ER": 12, "RO": 10, "ET": 8, "AF": 7, "IQ": 4, "SD": 3, "VN": 3, "CN": 3, "BG": 2, "AL": 2, "MA": 1,
}  # fmt: skip
MINOR_FORMS = {
    "forced_labour": 34,
    "sexual": 10,
    "forced_criminality": 10,
    "begging": 9,
    "domestic_servitude": 6,
}
REFLECTION = {"applied": 73, "granted": 50, "rejected": 23}
# After the reflection period, 2009 (seed 002, the action plan 2011-2014): 20 applied for a temporary
# permit, 10 granted, 9 rejected, 1 dropped; 5 applied for renewal, 4 renewed, 1 rejected; 3 granted a
# permit after testifying; 19 returned with IOM.
TEMPORARY_PERMIT = {"granted": 10, "rejected": 9, "dropped": 1}
RENEWAL = {"granted": 4, "rejected": 1}
TESTIMONY = 3
IOM_RETURNS = 19
CRITERIA = {
    "contact_ceased": True,
    "traffickers_reported": True,
    "police_investigating": True,
    "presence_needed": True,
}
PERSONS = sum(SEX_AGE.values())  # 292
# Where the persons were met (kommunenummer, share in per cent): mostly Oslo, as in KOM's early years.
MUNICIPALITIES = (("0301", 60), ("4601", 15), ("1103", 10), ("5001", 5), ("4204", 5), ("3301", 5))
SYLLABLES = (
    "a", "ba", "da", "e", "fa", "ga", "ha", "i", "ja", "ka", "la", "ma", "na", "o", "pa", "ra", "sa", "ta",
    "u", "va", "wa", "ya", "za", "bo", "ke", "li", "mo", "nu", "ri", "so", "tu", "vi",
)  # fmt: skip
FORMS = ("sexual", "sexual", "sexual", "forced_labour", "begging", "forced_criminality", "domestic_servitude")


@dataclass(frozen=True)
class Summary:
    persons: int
    referrals: int
    review_decisions: int


@dataclass
class _Truth:
    given: str
    family: str
    sex: str
    child: bool
    nationality: str
    dob: dt.date | None
    age: int | None
    phone: str
    document: str
    form: str
    municipality: str = "0301"


def _municipality(index: int) -> str:
    """A fixed spread over MUNICIPALITIES (no random draw, so the seed's stream stays as it was)."""
    point, upto = (index * 37) % 100, 0
    for code, share in MUNICIPALITIES:
        upto += share
        if point < upto:
            return code
    return MUNICIPALITIES[0][0]


def _unique_name(rng: random.Random, taken: set[str]) -> str:
    while True:
        name = "".join(rng.choice(SYLLABLES) for _ in range(rng.randint(2, 3))).capitalize()
        if name not in taken and len(name) >= 3:
            taken.add(name)
            return name


def _people(rng: random.Random) -> list[_Truth]:
    kinds = [key for key, n in SEX_AGE.items() for _ in range(n)]
    rng.shuffle(kinds)
    minors = [nat for nat, n in MINOR_NATIONALITIES.items() for _ in range(n)]
    minor_forms = [form for form, n in MINOR_FORMS.items() for _ in range(n)]
    rng.shuffle(minors)
    rng.shuffle(minor_forms)
    # Adults: the 121 Nigerians and every nationality the minors leave out, once; the rest drawn.
    adults = ["NG"] * NIGERIA + [c for c in OTHER_NATIONALITIES if c not in MINOR_NATIONALITIES]
    weights = [1 / (i + 1) for i in range(len(OTHER_NATIONALITIES))]
    adults += rng.choices(
        OTHER_NATIONALITIES, weights=weights, k=sum(1 for _s, c in kinds if not c) - len(adults)
    )
    rng.shuffle(adults)
    givens: set[str] = set()
    families: set[str] = set()
    people = []
    for i, (sex, child) in enumerate(kinds):
        nat = minors.pop() if child else adults.pop()
        people.append(
            _Truth(
                given=_unique_name(rng, givens),
                family=_unique_name(rng, families),
                sex=sex,
                child=child,
                nationality=nat,
                dob=None
                if child
                else dt.date(rng.randint(1970, 1990), rng.randint(1, 12), rng.randint(1, 28)),
                age=rng.randint(14, 17) if child else None,
                phone=f"9{i:07d}",
                document=f"{nat}{rng.randint(1000000, 9999999)}",
                form=minor_forms.pop() if child else rng.choice(FORMS),
                municipality=_municipality(i),
            )
        )
    return people


def _as_reported(p: _Truth, variant: int, on: dt.date) -> ReportInput:
    """The person as one agency reports them: later reports vary the name order and notation."""
    given, family = (p.family, p.given) if variant == 1 else (p.given, p.family)
    phone = f"+47 {p.phone[:3]} {p.phone[3:5]} {p.phone[5:]}" if variant else p.phone
    document = f"{p.document[:2]} {p.document[2:]}" if variant == 2 else p.document
    return ReportInput(
        referral_date=on,
        names=[NameInput(given=given, family=family)],
        sex=p.sex,
        date_of_birth=p.dob,
        estimated_age=p.age,
        estimated_age_certainty="medium" if p.age is not None else "",
        nationalities=[p.nationality],
        phones=[phone],
        documents=[DocumentInput(doc_type="passport", number=document, issuing_country=p.nationality[:2])],
        municipality=p.municipality,
        exploitation_forms=[p.form],
    )


Reporter = tuple[User, Agency]


def load_2009(
    *,
    coordinator: User,
    reporters: Sequence[Reporter],
    seed: int = YEAR,
    close_on: dt.date | None = None,
    child_reporters: Sequence[Reporter] | None = None,
    progress: Callable[[int], None] | None = None,
) -> Summary:
    """Report the 2009 persons (several times over), link them, answer the review queue, add the
    reflection periods, and close the cases (backdated to `close_on`, by default mid-2010).

    Adults are reported by `reporters`, children by `child_reporters` when given (else `reporters`);
    each needs at least three agencies. `progress(1)` is called once per person reported."""
    if len(reporters) < 3 or (child_reporters is not None and len(child_reporters) < 3):
        raise ValueError("the 2009 demo needs at least three reporting agencies")
    rng = random.Random(seed)  # noqa: S311 - synthetic demo data, not security
    people = _people(rng)
    truth: dict[str, int] = {}  # referral id -> index into people; in memory only
    first_case: dict[int, tuple[Case, User]] = {}
    cases_of: dict[int, list[tuple[Case, User]]] = defaultdict(list)
    leads: dict[UUID, User] = {}  # case id -> the worker who reported it (and closes it)
    reported_on: dict[UUID, dt.date] = {}
    with transaction.atomic():
        for index, p in enumerate(people):
            pool = child_reporters if (p.child and child_reporters is not None) else reporters
            copies = rng.choices((1, 2, 3), weights=(50, 35, 15))[0]
            start = dt.date(YEAR, 1, 1) + dt.timedelta(days=rng.randint(0, 300))
            for variant, (actor, agency) in enumerate(rng.sample(list(pool), copies)):
                on = start + dt.timedelta(days=20 * variant)
                case = referral_report(actor=actor, agency=agency, data=_as_reported(p, variant, on))
                truth[str(case.referrals.get().pk)] = index
                first_case.setdefault(index, (case, actor))
                cases_of[index].append((case, actor))
                leads[case.pk] = actor
                reported_on[case.pk] = on
            if progress:
                progress(1)
    referrals = len(truth)
    earlier = report_earlier(
        reporters=reporters,
        child_reporters=child_reporters or reporters,
        truth=truth,
        first_index=len(people),
    )
    decisions = _reconcile(coordinator, truth)
    returned = _reflection(rng, people, first_case, reported_on, cases_of)
    close = close_on or dt.date(YEAR + 1, 6, 30)
    _close(leads, close, returned=returned)
    _backdate(reported_on, close)
    for cohort in earlier:
        _close(cohort.leads, cohort.closed_on)
        _backdate(cohort.reported_on, cohort.closed_on)
    return Summary(persons=len(people), referrals=referrals, review_decisions=decisions)


def _reconcile(coordinator: User, truth: dict[str, int]) -> int:
    """Link, then decide as a coordinator would until every cluster is one person."""
    made = 0
    linkage_run(actor=coordinator)
    for _round in range(5):
        answered = 0
        for item in ReviewItem.objects.filter(state=ReviewItem.State.OPEN):
            same = truth[str(item.record_a_id)] == truth[str(item.record_b_id)]
            review_decide(actor=coordinator, item=item, decision="same" if same else "not_same")
            answered += 1
        made += answered
        if answered:  # the decisions bind from the next run on
            linkage_run(actor=coordinator, reuse_parameters=True)
        pairs = _wrong_pairs(truth, person_keys())
        if not pairs:
            return made
        decided = {
            (str(d.record_a_id), str(d.record_b_id))
            for d in ReviewDecision.objects.filter(withdrawn_at__isnull=True)
        }
        for a, b, decision in pairs:
            if (a, b) not in decided and (b, a) not in decided:
                review_decide_pair(
                    actor=coordinator,
                    record_a=Referral.objects.get(pk=a),
                    record_b=Referral.objects.get(pk=b),
                    decision=decision,
                )
                made += 1
        linkage_run(actor=coordinator, reuse_parameters=True)
        if not _wrong_pairs(truth, person_keys()):
            return made
    raise RuntimeError("the 2009 demo could not be reconciled")


def _wrong_pairs(truth: dict[str, int], keys: dict[str, str]) -> list[tuple[str, str, str]]:
    by_person: dict[int, dict[str, str]] = defaultdict(dict)
    by_key: dict[str, list[str]] = defaultdict(list)
    for rid, person in truth.items():
        key = keys.get(rid, "none:" + rid)
        by_person[person].setdefault(key, rid)
        by_key[key].append(rid)
    pairs: list[tuple[str, str, str]] = []
    for reps in by_person.values():  # one person split over clusters: join them
        first, *others = reps.values()
        pairs += [(first, other, "same") for other in others]
    for rids in by_key.values():  # one cluster holding several persons: separate them
        pairs += [
            (a, b, "not_same") for i, a in enumerate(rids) for b in rids[i + 1 :] if truth[a] != truth[b]
        ]
    return pairs


def _reflection(
    rng: random.Random,
    people: list[_Truth],
    first_case: dict[int, tuple[Case, User]],
    reported_on: dict[UUID, dt.date],
    cases_of: dict[int, list[tuple[Case, User]]],
) -> set[UUID]:
    """The reflection periods of 2009 and the legal path after them, as caseworkers would record it:
    the twenty who applied for a temporary permit are those reported first in the year (their period
    has ended by the autumn); the rest apply in November. Returns the cases of those who returned."""
    first_day = {index: reported_on[case.pk] for index, (case, _a) in first_case.items()}
    early = sorted((i for i, p in enumerate(people) if not p.child), key=lambda i: (first_day[i], i))
    permit = early[: sum(TEMPORARY_PERMIT.values())]
    rest = rng.sample(
        [i for i in range(len(people)) if i not in set(permit)], REFLECTION["applied"] - len(permit)
    )
    granted = permit + rest[: REFLECTION["granted"] - len(permit)]
    rejected = rest[REFLECTION["granted"] - len(permit) :]
    assert len(rejected) == REFLECTION["rejected"]
    decided: dict[int, dt.date] = {}
    for index in granted + rejected:
        case, actor = first_case[index]
        if index in permit:
            applied = first_day[index] + dt.timedelta(days=3)
        else:
            applied = max(first_day[index], dt.date(YEAR, 11, 1)) + dt.timedelta(days=rng.randint(0, 20))
            applied = min(applied, dt.date(YEAR, 12, 10))
        outcome = "granted" if index in granted else "rejected"
        legal_status_record(
            actor=actor, case=case, kind="reflection_applied", from_date=applied, authority="udi"
        )
        decided[index] = applied + dt.timedelta(days=7)
        legal_status_record(
            actor=actor, case=case, kind=f"reflection_{outcome}", from_date=decided[index], authority="udi"
        )
        cooperation = "considering" if outcome == "granted" else rng.choice(["declined", "not_asked"])
        police_cooperation_record(actor=actor, case=case, state=cooperation, on_date=decided[index])
    return _after_reflection(rng, people, cases_of, permit, rejected, decided, first_day)


def _after_reflection(
    rng: random.Random,
    people: list[_Truth],
    cases_of: dict[int, list[tuple[Case, User]]],
    permit: list[int],
    reflection_rejected: list[int],
    decided: dict[int, dt.date],
    first_day: dict[int, dt.date],
) -> set[UUID]:
    """Temporary permits, renewals, permits after testifying and returns with IOM in 2009."""
    outcomes = (
        ["granted"] * TEMPORARY_PERMIT["granted"]
        + ["rejected"] * TEMPORARY_PERMIT["rejected"]
        + ["dropped"] * TEMPORARY_PERMIT["dropped"]
    )
    permit_rejected: list[tuple[int, dt.date]] = []
    granted: list[tuple[int, dt.date]] = []
    for index, outcome in zip(permit, outcomes, strict=True):
        case, actor = cases_of[index][0]
        # Reported and cooperating: the application goes in two weeks before the period ends.
        police_cooperation_record(
            actor=actor, case=case, state="reported", on_date=decided[index] + dt.timedelta(days=30)
        )
        police_cooperation_record(
            actor=actor, case=case, state="investigation", on_date=decided[index] + dt.timedelta(days=60)
        )
        applied = decided[index] + dt.timedelta(days=168)
        on = applied + dt.timedelta(days=rng.randint(10, 25))
        # Every agency following the person records the application and its outcome in its own case:
        # one person, several entries (the statistics count the person once).
        for other, other_actor in cases_of[index]:
            _permit(other_actor, other, applied, on, outcome)
        if outcome == "granted":
            granted.append((index, on))
        elif outcome == "rejected":
            permit_rejected.append((index, on))
    renewals = ["granted"] * RENEWAL["granted"] + ["rejected"] * RENEWAL["rejected"]
    for (index, on), outcome in zip(granted, renewals, strict=False):
        case, actor = cases_of[index][0]
        applied = on + dt.timedelta(days=60)
        legal_status_record(
            actor=actor, case=case, kind="renewal_applied", from_date=applied, authority="udi"
        )
        legal_status_record(
            actor=actor,
            case=case,
            kind=f"renewal_{outcome}",
            from_date=applied + dt.timedelta(days=14),
            to_date=applied + dt.timedelta(days=14 + 364) if outcome == "granted" else None,
            authority="udi",
        )
    for index, on in granted[-TESTIMONY:]:
        case, actor = cases_of[index][0]
        testified = on + dt.timedelta(days=40)
        police_cooperation_record(actor=actor, case=case, state="testified", on_date=testified)
        legal_status_record(
            actor=actor, case=case, kind="testimony_permit_applied", from_date=testified, authority="udi"
        )
        legal_status_record(
            actor=actor,
            case=case,
            kind="permanent_after_testifying",
            from_date=testified + dt.timedelta(days=30),
            authority="udi",
        )
    # Returns with IOM: those whose permit was refused, then the earliest refused a reflection period.
    leaving = [(i, on + dt.timedelta(days=21)) for i, on in permit_rejected]
    leaving += sorted(
        ((i, decided[i] + dt.timedelta(days=14)) for i in reflection_rejected), key=lambda x: (x[1], x[0])
    )
    returned: set[UUID] = set()
    for index, day in leaving[:IOM_RETURNS]:
        case, actor = cases_of[index][0]
        returned.add(case.pk)
        _return_home(rng, case, actor, people[index], first_day[index], min(day, dt.date(YEAR, 12, 28)))
    return returned


def _permit(actor: User, case: Case, applied: dt.date, on: dt.date, outcome: str) -> None:
    legal_status_record(
        actor=actor, case=case, kind="temporary_permit_applied", from_date=applied, authority="udi"
    )
    if outcome == "granted":
        legal_status_record(
            actor=actor,
            case=case,
            kind="temporary_residence_cooperation",
            from_date=on,
            to_date=on + dt.timedelta(days=90),  # until the main hearing, then to be renewed
            criteria=CRITERIA,
            authority="udi",
        )
    else:
        legal_status_record(
            actor=actor,
            case=case,
            kind=f"temporary_permit_{outcome}",
            from_date=on,
            authority="udi",
            reason="Politiet har henlagt etterforskningen." if outcome == "rejected" else "",
        )


def _return_home(
    rng: random.Random, case: Case, actor: User, person: _Truth, reported: dt.date, day: dt.date
) -> None:
    """A return with IOM and its follow-ups at 3, 6 and 12 months (four in five reached). The case is
    dated from its referral first (as _backdate will date it), so that the return is not before it."""
    Case.objects.filter(pk=case.pk).update(opened_at=_noon(reported))
    case = Case.objects.get(pk=case.pk)
    ret = voluntary_return_record(
        actor=actor,
        case=case,
        returned_on=day,
        country=person.nationality,
        organisation=ReturnOrganisation.IOM,
        escort=person.child,
        reception="IOM møter på flyplassen; reintegreringsstøtte.",
        guardian_consulted=True if person.child else None,
        best_interests_assessed=True if person.child else None,
    )
    for stage in follow_up_stages():
        clk = follow_up_clock(ret, stage)
        assert clk is not None and clk.ends_on is not None
        reached = rng.random() < 0.8
        follow_up_record(
            actor=actor,
            ret=ret,
            stage=stage,
            on_date=clk.ends_on - dt.timedelta(days=rng.randint(0, 7)),
            outcome=FollowUpOutcome.REACHED if reached else FollowUpOutcome.NOT_REACHED,
            housing="good" if reached else "unknown",
            re_trafficking_risk=rng.choice(["low", "medium"]) if reached else "unknown",
        )


def _noon(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time(12)))


def _close(leads: dict[UUID, User], on: dt.date, *, returned: Collection[UUID] = ()) -> None:
    """Close each case (so that 2010's figures are not 2009's over again): the closure cancels the
    clocks still running (the reflection periods, the children's placements), as for any case; a
    case whose person returned home is closed as such (its follow-ups go on)."""
    for case in Case.objects.filter(pk__in=list(leads)):
        case_change_status(
            actor=leads[case.pk],
            case=case,
            status=CaseStatus.CLOSED,
            reason="Demo: follow-up ended.",
            version=case.version,
            closure_reason="returned_home" if case.pk in returned else "no_longer_in_need",
        )


def _backdate(reported_on: dict[UUID, dt.date], closed_on: dt.date) -> None:
    """Date each case's timeline from its referral to its closure instead of the moment of loading,
    as varde.demo.loader does for the demo's own cases. Audit events keep their true time."""
    case_ids = list(reported_on)
    opened = {cid: _noon(day) for cid, day in reported_on.items()}
    closed = _noon(closed_on)
    Case.objects.bulk_update(
        [Case(pk=cid, opened_at=at) for cid, at in opened.items()], ["opened_at"], batch_size=500
    )
    CaseEvent.objects.bulk_update(
        [
            CaseEvent(id=pk, at=closed if kind == CaseEvent.Kind.STATUS else opened[cid])
            for pk, cid, kind in CaseEvent.objects.filter(case_id__in=case_ids).values_list(
                "id", "case_id", "kind"
            )
        ],
        ["at"],
        batch_size=500,
    )
    StatusChange.objects.bulk_update(
        [
            StatusChange(id=pk, at=closed if to == CaseStatus.CLOSED else opened[cid])
            for pk, cid, to in StatusChange.objects.filter(case_id__in=case_ids).values_list(
                "id", "case_id", "to_status"
            )
        ],
        ["at"],
        batch_size=500,
    )
    CaseParticipation.objects.bulk_update(
        [
            CaseParticipation(pk=pk, responded_at=opened[cid])
            for pk, cid in CaseParticipation.objects.filter(case_id__in=case_ids).values_list("pk", "case_id")
        ],
        ["responded_at"],
        batch_size=500,
    )
    AgePresumption.objects.bulk_update(
        [
            AgePresumption(pk=pk, started_at=opened[cid])
            for pk, cid in AgePresumption.objects.filter(case_id__in=case_ids).values_list("pk", "case_id")
        ],
        ["started_at"],
        batch_size=500,
    )
    LegalStatus.objects.bulk_update(
        [
            LegalStatus(pk=pk, recorded_at=_noon(day))
            for pk, day in LegalStatus.objects.filter(case_id__in=case_ids).values_list("pk", "from_date")
        ],
        ["recorded_at"],
        batch_size=500,
    )
    clocks = Clock.objects.filter(case_id__in=case_ids)
    clocks.exclude(closed_at=None).exclude(kind=FOLLOW_UP_CLOCK).update(closed_at=closed)
    Clock.objects.bulk_update(
        [
            Clock(pk=clock_id, closed_at=_noon(day))
            for clock_id, day in ReturnFollowUp.objects.filter(
                voluntary_return__case_id__in=case_ids, clock__isnull=False
            ).values_list("clock_id", "on_date")
        ],
        ["closed_at"],
        batch_size=500,
    )
    PoliceCooperation.objects.bulk_update(
        [
            PoliceCooperation(pk=pk, recorded_at=_noon(day))
            for pk, day in PoliceCooperation.objects.filter(case_id__in=case_ids).values_list("pk", "on_date")
        ],
        ["recorded_at"],
        batch_size=500,
    )
    ReturnFollowUp.objects.bulk_update(
        [
            ReturnFollowUp(pk=pk, recorded_at=_noon(day))
            for pk, day in ReturnFollowUp.objects.filter(voluntary_return__case_id__in=case_ids).values_list(
                "pk", "on_date"
            )
        ],
        ["recorded_at"],
        batch_size=500,
    )
    started = dict(clocks.values_list("pk", "started_at"))
    ClockChange.objects.bulk_update(
        [
            ClockChange(id=pk, at=closed if action == ClockAction.CANCELLED else started[clock_id])
            for pk, clock_id, action in ClockChange.objects.filter(clock_id__in=started).values_list(
                "id", "clock_id", "action"
            )
        ],
        ["at"],
        batch_size=500,
    )
