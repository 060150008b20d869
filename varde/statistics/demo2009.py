"""Demo data that tells the truth: 2009 as KOM counted it, from duplicated referrals.

The 2011-2014 action plan (seed 002) reports 2009: at least 292 persons followed up, 191 women,
32 men and 69 children (19 of them boys), 43 nationalities, 121 from Nigeria. This module makes
synthetic referrals that reproduce those figures. Many persons are reported by several agencies,
with names in another order, phone numbers written differently and document numbers with spaces.
The 2009 reflection-period figures (73 applied, 50 granted, 23 rejected) are added as well.

The figures come out of the ordinary pipeline: referral_report, then linkage_run, then the review
decisions a coordinator would make, then the statistics extract. The generator keeps its own
knowledge of who is who in memory only, to play the coordinator answering the review queue.
Nothing it stores has a "true person" column, and the statistics never read one.
"""

from __future__ import annotations

import datetime as dt
import random
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass

from django.db import transaction

from varde.accounts.models import Agency, User
from varde.cases.models import Case, CaseStatus, Referral, StatusChange
from varde.cases.services import DocumentInput, NameInput, ReportInput, case_change_status, referral_report
from varde.linkage.models import ReviewDecision, ReviewItem
from varde.linkage.selectors import person_keys
from varde.linkage.services import linkage_run, review_decide, review_decide_pair
from varde.response.services import legal_status_record

YEAR = 2009
SEX_AGE = {("F", False): 191, ("M", False): 32, ("F", True): 50, ("M", True): 19}
NIGERIA = 121
OTHER_NATIONALITIES = (
    "RO", "BG", "TH", "CN", "VN", "PH", "LT", "LV", "EE", "PL", "UA", "RU", "BY", "MD", "AL", "RS", "BA", "MK",
    "SO", "ER", "ET", "SD", "AF", "IQ", "IR", "SY", "MA", "DZ", "TN", "LY", "EG", "GH", "CM", "SL", "GN", "LR",
    "CI", "KE", "UG", "BR", "CO", "IN",
)  # fmt: skip
REFLECTION = {"applied": 73, "granted": 50, "rejected": 23}
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


def _unique_name(rng: random.Random, taken: set[str]) -> str:
    while True:
        name = "".join(rng.choice(SYLLABLES) for _ in range(rng.randint(2, 3))).capitalize()
        if name not in taken and len(name) >= 3:
            taken.add(name)
            return name


def _people(rng: random.Random) -> list[_Truth]:
    nationalities = ["NG"] * NIGERIA + list(OTHER_NATIONALITIES)
    rest = sum(SEX_AGE.values()) - len(nationalities)
    weights = [1 / (i + 1) for i in range(len(OTHER_NATIONALITIES))]
    nationalities += rng.choices(OTHER_NATIONALITIES, weights=weights, k=rest)
    rng.shuffle(nationalities)
    kinds = [key for key, n in SEX_AGE.items() for _ in range(n)]
    rng.shuffle(kinds)
    givens: set[str] = set()
    families: set[str] = set()
    people = []
    for i, ((sex, child), nat) in enumerate(zip(kinds, nationalities, strict=True)):
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
                form=rng.choice(FORMS),
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
        municipality="0301",
        exploitation_forms=[p.form],
    )


def load_2009(
    *,
    coordinator: User,
    reporters: Sequence[tuple[User, Agency]],
    seed: int = YEAR,
    close_on: dt.date | None = None,
) -> Summary:
    """Report the 2009 persons (several times over), link them, answer the review queue, add the
    reflection periods, and close the cases (backdated to `close_on`, by default mid-2010)."""
    if len(reporters) < 3:
        raise ValueError("the 2009 demo needs at least three reporting agencies")
    rng = random.Random(seed)  # noqa: S311 - synthetic demo data, not security
    people = _people(rng)
    truth: dict[str, int] = {}  # referral id -> index into people; in memory only
    first_case: dict[int, tuple[Case, User]] = {}
    with transaction.atomic():
        for index, p in enumerate(people):
            copies = rng.choices((1, 2, 3), weights=(50, 35, 15))[0]
            start = dt.date(YEAR, 1, 1) + dt.timedelta(days=rng.randint(0, 300))
            for variant, (actor, agency) in enumerate(rng.sample(list(reporters), copies)):
                case = referral_report(
                    actor=actor,
                    agency=agency,
                    data=_as_reported(p, variant, start + dt.timedelta(days=20 * variant)),
                )
                truth[str(case.referrals.get().pk)] = index
                first_case.setdefault(index, (case, actor))
    decisions = _reconcile(coordinator, truth)
    _reflection(rng, people, first_case)
    _close(truth, close_on or dt.date(YEAR + 1, 6, 30))
    return Summary(persons=len(people), referrals=len(truth), review_decisions=decisions)


def _reconcile(coordinator: User, truth: dict[str, int]) -> int:
    """Link, then decide as a coordinator would until every cluster is one person."""
    made = 0
    linkage_run(actor=coordinator)
    for _round in range(5):
        for item in ReviewItem.objects.filter(state=ReviewItem.State.OPEN):
            same = truth[str(item.record_a_id)] == truth[str(item.record_b_id)]
            review_decide(actor=coordinator, item=item, decision="same" if same else "not_same")
            made += 1
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


def _reflection(rng: random.Random, people: list[_Truth], first_case: dict[int, tuple[Case, User]]) -> None:
    chosen = rng.sample(range(len(people)), REFLECTION["applied"])
    outcomes = ["granted"] * REFLECTION["granted"] + ["rejected"] * REFLECTION["rejected"]
    for index, outcome in zip(chosen, outcomes, strict=True):
        case, actor = first_case[index]
        applied = dt.date(YEAR, 11, 1) + dt.timedelta(days=rng.randint(0, 20))
        legal_status_record(actor=actor, case=case, kind="reflection_applied", from_date=applied)
        legal_status_record(
            actor=actor, case=case, kind=f"reflection_{outcome}", from_date=applied + dt.timedelta(days=7)
        )


def _close(truth: dict[str, int], on: dt.date) -> None:
    """Close each case (so that 2010's figures are not 2009's over again), backdated like the demo."""
    at = dt.datetime(on.year, on.month, on.day, 12, tzinfo=dt.UTC)
    case_ids = list(Referral.objects.filter(pk__in=list(truth)).values_list("case_id", flat=True))
    for case in Case.objects.filter(pk__in=case_ids).select_related("lead_agency"):
        lead = case.referrals.get().reported_by
        case_change_status(
            actor=lead,
            case=case,
            status=CaseStatus.CLOSED,
            reason="Demo: follow-up ended.",
            version=case.version,
            closure_reason="no_longer_in_need",
        )
    StatusChange.objects.filter(case_id__in=case_ids, to_status=CaseStatus.CLOSED).update(at=at)
