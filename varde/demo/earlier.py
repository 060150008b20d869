"""KOM's first years in the demo: the persons of seed 000's table, 2005 to March 2008, and the
reflection-period applicants of 2007 and 2008 (seed 002).

Seed 000 ("Identification of possible victims 2007-2008") counts persons by the year they were first
identified: 2005: 26 women, 2 men; 2006: 43 / 0; 2007: 86 / 25; January-March 2008: 19 / 3; in all
204 persons, 174 women, 30 men, 54 of them minors, and "25 % minors" among those identified in
2007-2008. Its row totals (27, 43, 110, 21) disagree with its columns; docs/COUNTING_RULES.md says why
the demo follows the columns and the total.

Not in the seeds, and so illustrative: how the 54 minors fall over the years (8, 13, 26 and 7; the 33 of
2007-2008 are the seed's 25 % of 133), the boys among them (2, 0, 12 and 2: the Chinese boys of 2005,
the Chinese and Thai boys of 2007), nationalities and forms of exploitation (after the criminal cases
seed 000 lists), and the 2008 reflection-period outcomes. The persons are reported through the same
services as real data, most once, some by two or three agencies with the name order, phone and document
notation varied, so that the linkage and the coordinator's review make persons of them, as for 2009.
Each cohort's cases are closed at the end of its year.
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Sequence
from dataclasses import dataclass
from uuid import UUID

from django.db import transaction

from varde.accounts.models import Agency, User
from varde.cases.services import referral_report
from varde.response.legal_status import legal_status_record

Reporter = tuple[User, Agency]


@dataclass(frozen=True)
class Cohort:
    """Persons first identified from `start` to `end`: women and men (adults) and girls and boys."""

    name: str
    start: dt.date
    end: dt.date
    women: int
    men: int
    girls: int
    boys: int
    reflection: tuple[tuple[str, int], ...] = ()  # outcome -> adults applying (the first ones reported)
    closed_on: dt.date | None = None  # default: the 31 December of the cohort's year


COHORTS = (
    Cohort("2005", dt.date(2005, 1, 1), dt.date(2005, 12, 31), women=20, men=0, girls=6, boys=2),
    Cohort("2006", dt.date(2006, 1, 1), dt.date(2006, 12, 31), women=30, men=0, girls=13, boys=0),
    # Seed 000: "30 VOTs on 6 months reflection period in 2007"; seed 002: 31 applied in 2007.
    Cohort(
        "2007",
        dt.date(2007, 1, 1),
        dt.date(2007, 12, 31),
        women=72,
        men=13,
        girls=14,
        boys=12,
        reflection=(("granted", 30), ("rejected", 1)),
    ),
    Cohort("2008-Q1", dt.date(2008, 1, 1), dt.date(2008, 3, 31), women=14, men=1, girls=5, boys=2),
    # After seed 000's table: the 50 who applied for a reflection period in 2008 (seed 002), reported
    # from April, when the period opened to all nationalities (seed 000: May 2008).
    Cohort(
        "2008-rest",
        dt.date(2008, 4, 1),
        dt.date(2008, 12, 31),
        women=43,
        men=7,
        girls=0,
        boys=0,
        reflection=(("granted", 40), ("rejected", 10)),
    ),
)
# Who they were, after the criminal cases of 2003-2008 that seed 000 lists (illustrative).
NATIONALITIES = {
    ("F", False): ("NG", "NG", "NG", "RU", "LT", "EE", "AL", "CZ", "RO", "BG", "TH"),
    ("M", False): ("GB", "GB", "RO", "PL", "LT"),
    ("F", True): ("EE", "NG", "RO", "AL", "RU"),
    ("M", True): ("CN", "CN", "TH"),
}
FORMS = {
    ("F", False): ("sexual", "sexual", "sexual", "domestic_servitude"),
    ("M", False): ("forced_labour",),
    ("F", True): ("sexual", "sexual", "begging"),
    ("M", True): ("forced_criminality", "forced_labour"),
}


@dataclass
class Reported:
    """What loading a cohort leaves for the caller: the referral -> person index map (in memory only,
    to play the coordinator answering the review queue), the lead worker and first day of each case."""

    leads: dict[UUID, User]
    reported_on: dict[UUID, dt.date]
    closed_on: dt.date


def report_earlier(
    *,
    reporters: Sequence[Reporter],
    child_reporters: Sequence[Reporter],
    truth: dict[str, int],
    first_index: int,
) -> list[Reported]:
    """Report every cohort (several referrals for some persons), with the reflection periods; the
    caller links, reviews, closes and backdates. Each cohort has its own random stream."""
    from varde.demo import demo2009 as d  # the 2009 set's name, person and report helpers (it imports us)

    out: list[Reported] = []
    index = first_index
    for number, cohort in enumerate(COHORTS):
        rng = random.Random(f"varde-demo-{cohort.name}")  # noqa: S311 - synthetic demo data, not security
        kinds = (
            [("F", False)] * cohort.women
            + [("M", False)] * cohort.men
            + [("F", True)] * cohort.girls
            + [("M", True)] * cohort.boys
        )
        rng.shuffle(kinds)
        givens: set[str] = set()
        families: set[str] = set()
        leads: dict[UUID, User] = {}
        reported: dict[UUID, dt.date] = {}
        applicants: list[tuple[UUID, User, dt.date]] = []
        span = (cohort.end - cohort.start).days
        with transaction.atomic():
            for n, (sex, child) in enumerate(kinds):
                nat = rng.choice(NATIONALITIES[(sex, child)])
                person = d._Truth(
                    given=d._unique_name(rng, givens) + ("i" if number % 2 else "e"),
                    family=d._unique_name(rng, families) + ("u" if number % 2 else "o"),
                    sex=sex,
                    child=child,
                    nationality=nat,
                    dob=None
                    if child
                    else dt.date(rng.randint(1960, 1987), rng.randint(1, 12), rng.randint(1, 28)),
                    age=rng.randint(13, 17) if child else None,
                    phone=f"7{number}{n:06d}",
                    document=f"{nat}{rng.randint(1000000, 9999999)}",
                    form=rng.choice(FORMS[(sex, child)]),
                    municipality=d._municipality(n + 11 * number),
                )
                copies = rng.choices((1, 2, 3), weights=(60, 30, 10))[0]
                # Every referral in the cohort's span; an applicant decided before the year is out.
                room = span - 20 * (copies - 1) - (45 if cohort.reflection else 0)
                start = cohort.start + dt.timedelta(days=rng.randint(0, max(0, room)))
                pool = list(child_reporters if child else reporters)
                for variant, (actor, agency) in enumerate(rng.sample(pool, copies)):
                    on = start + dt.timedelta(days=20 * variant)
                    case = referral_report(
                        actor=actor, agency=agency, data=d._as_reported(person, variant, on)
                    )
                    truth[str(case.referrals.get().pk)] = index
                    leads[case.pk] = actor
                    reported[case.pk] = on
                    if variant == 0 and not child:
                        applicants.append((case.pk, actor, on))
                index += 1
            _reflection(rng, cohort, applicants)
        year_end = dt.date(cohort.end.year, 12, 31)
        out.append(Reported(leads=leads, reported_on=reported, closed_on=cohort.closed_on or year_end))
    return out


def _reflection(rng: random.Random, cohort: Cohort, applicants: list[tuple[UUID, User, dt.date]]) -> None:
    """The cohort's reflection-period applications: the adults reported first apply within weeks."""
    from varde.cases.models import Case

    outcomes = [outcome for outcome, n in cohort.reflection for _ in range(n)]
    if not outcomes:
        return
    rng.shuffle(outcomes)
    first = sorted(applicants, key=lambda a: (a[2], str(a[0])))[: len(outcomes)]
    if len(first) < len(outcomes):
        raise ValueError(f"cohort {cohort.name}: fewer adults than reflection-period applications")
    cases = Case.objects.in_bulk([case_id for case_id, _a, _on in first])
    for (case_id, actor, on), outcome in zip(first, outcomes, strict=True):
        applied = on + dt.timedelta(days=rng.randint(2, 20))
        decided = applied + dt.timedelta(days=rng.randint(3, 14))
        case = cases[case_id]
        legal_status_record(
            actor=actor, case=case, kind="reflection_applied", from_date=applied, authority="udi"
        )
        legal_status_record(
            actor=actor, case=case, kind=f"reflection_{outcome}", from_date=decided, authority="udi"
        )
