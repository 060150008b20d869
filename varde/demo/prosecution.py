"""Demo criminal cases that tell the truth as far as the seeds tell it: the nine verdicts of 2003-2008
and the two cases still in court at the end of 2008, as KOM listed them (seed 000, "Criminal cases on
human trafficking in Norway 2003-2008"), entered through the services of varde.prosecution.

What the seeds give, and what they do not:
- seed 000 gives each case's place, year, network and victims; seed 001 counts the nine convictions as
  "8 on sexual exploitation, 1 on forced labour";
- seed 000 does not give the form of exploitation per case. The seven cases of women and girls are
  recorded as sexual exploitation; the Thai boys (Oslo 2007) as forced labour (the 2009 US Trafficking in
  Persons report names Thai children in forced labour in Norway); the two smuggling cases of Chinese
  children as sexual exploitation. Those three assignments are UNVERIFIED: they are what makes the nine
  add up to seed 001's count, not something a source says about each case (`form_verified` below);
- the two Chinese cases were convictions for organised smuggling (seed 000: "2 Swedish persons convicted
  for organized smuggling"; "1 convicted of organized smuggling"), so their outcome is "convicted of
  another offence": 7 convicted of trafficking + 2 of another offence = 9 convictions;
- only the year is known: the dates of the stages are placeholders inside that year (the cases are
  marked `dates_approximate`), the verdict year is taken as the year the judgement became final, and
  no appeal is recorded. Police districts are today's twelve (the place named); where the seed names
  only "Norway" the district is Oslo, unverified. Cases outside Oslo and Bergen are entered by Kripos;
- perpetrators are recorded only where a seed counts them (the smuggling cases, by placeholder names).

Victims' cases are linked where the demo has them: the demo's own victims begin in 2009, so only the
Bulgarian case still in court in 2008 is linked, to (at most two) Bulgarian women of the 2009 set, as
aggrieved parties, each by a police agency taking part in her case (the Oslo police first take that
agency into the criminal case).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from varde.accounts.models import User
from varde.cases.acting import cases_open_to
from varde.cases.models import Case
from varde.prosecution import services
from varde.prosecution.models import CriminalCase, Stage

SOURCE = "Seed 000 (KOM 2008): Criminal cases on human trafficking in Norway 2003-2008"


@dataclass(frozen=True)
class HistoricCase:
    item: str
    place: str
    year: int
    district: str
    agency: str  # the demo agency that enters it
    network: str
    countries: tuple[str, ...]
    victims: str
    form: str
    offence: str
    outcome: str  # "" = still in court at the end of 2008
    form_verified: bool
    district_verified: bool = True
    convicted: tuple[tuple[str, str], ...] = ()  # (placeholder name, nationality) of persons convicted


CASES: tuple[HistoricCase, ...] = (
    HistoricCase("verdict 1", "Oslo", 2003, "oslo", "oslo-pd-stop", "Georgian network", ("GE",),
                 "women from Russia and Lithuania", "sexual", "trafficking", "convicted_trafficking", True),
    HistoricCase("verdict 2", "Trondheim", 2004, "trondelag", "kripos", "Estonian/Norwegian network",
                 ("EE", "NO"), "Estonian women and girls", "sexual", "trafficking", "convicted_trafficking", True),
    HistoricCase("verdict 3", "Trondheim", 2006, "trondelag", "kripos", "Albanian/Norwegian network",
                 ("AL", "NO"), "Albanian women", "sexual", "trafficking", "convicted_trafficking", True),
    HistoricCase("verdict 4", "Norway/Stockholm", 2006, "oslo", "kripos", "Chinese network", ("CN", "SE"),
                 "Chinese children", "sexual", "smuggling", "convicted_other", False, district_verified=False,
                 convicted=(("Domfelt A (sak 4)", "SE"), ("Domfelt B (sak 4)", "SE"))),
    HistoricCase("verdict 5", "Norway/Czech Republic", 2006, "oslo", "kripos", "Czech network", ("CZ",),
                 "Czech women", "sexual", "trafficking", "convicted_trafficking", True, district_verified=False),
    HistoricCase("verdict 6", "Stavanger", 2006, "sor-vest", "kripos", "Chinese network", ("CN",),
                 "Chinese children", "sexual", "smuggling", "convicted_other", False,
                 convicted=(("Domfelt C (sak 6)", ""),)),
    HistoricCase("verdict 7", "Oslo", 2007, "oslo", "oslo-pd-stop", "Norwegian/International network",
                 ("NO",), "Thai boys", "forced_labour", "trafficking", "convicted_trafficking", False),
    HistoricCase("verdict 8", "Bergen", 2007, "vest", "vest-pd-exit", "Romanian network", ("RO",),
                 "Romanian women", "sexual", "trafficking", "convicted_trafficking", True),
    HistoricCase("verdict 9", "Bergen", 2008, "vest", "vest-pd-exit", "Norwegian/Swedish/Thai network",
                 ("NO", "SE", "TH"), "Thai women", "sexual", "trafficking", "convicted_trafficking", True),
    HistoricCase("in court 1", "Oslo", 2008, "oslo", "oslo-pd-stop", "Bulgarian network", ("BG",),
                 "Bulgarian women", "sexual", "trafficking", "", True),
    HistoricCase("in court 2", "Stavanger", 2008, "sor-vest", "kripos", "British network", ("GB",),
                 "British men and boys", "forced_labour", "trafficking", "", False),
)  # fmt: skip


def _note(c: HistoricCase) -> str:
    unverified = []
    if not c.form_verified:
        unverified.append("form of exploitation")
    if not c.district_verified:
        unverified.append("police district")
    text = f"{SOURCE}, {c.item}: {c.place} {c.year}, {c.network}, {c.victims}. Only the year is known."
    if unverified:
        text += " Unverified: " + ", ".join(unverified) + "."
    return text


def _enter(c: HistoricCase, actor: User) -> CriminalCase:
    year = c.year
    # § 224 (1902) is recorded from 4 July 2003 (rules/offences.json): the 2003 case's facts after it.
    facts = dt.date(year, 7, 4) if year == 2003 else dt.date(year, 1, 15)
    opened = facts + dt.timedelta(days=6)
    case = services.criminal_case_open(
        actor=actor,
        data=services.CriminalCaseInput(
            police_district=c.district,
            offence=c.offence,
            facts_date=facts,
            opened_on=opened,
            exploitation_form=c.form,
            notes=_note(c),
            dates_approximate=True,
        ),
    )
    network = services.network_add(
        actor=actor, criminal_case=case, name=c.network, countries=list(c.countries)
    )
    links = [
        services.perpetrator_add(
            actor=actor, criminal_case=case, name=name, nationality=nationality, role="other", network=network
        )
        for name, nationality in c.convicted
    ]
    if c.outcome:
        steps = [
            (Stage.CHARGED, dt.date(year, 9, 1), {}),
            (Stage.TRIAL, dt.date(year, 11, 3), {"court": f"{c.place} (tingrett)"}),
            (Stage.VERDICT, dt.date(year, 11, 24), {"court": f"{c.place} (tingrett)", "outcome": c.outcome}),
            (Stage.FINAL_JUDGEMENT, dt.date(year, 12, 22), {}),
        ]
    else:  # before the courts at the end of 2008
        steps = [
            (Stage.CHARGED, dt.date(year, 9, 1), {}),
            (Stage.TRIAL, dt.date(year, 12, 1), {"court": f"{c.place} (tingrett)"}),
        ]
    for stage, on, extra in steps:
        case = services.stage_record(
            actor=actor, criminal_case=case, stage=stage, on=on, version=case.version, **extra
        )
    for link in links:
        services.perpetrator_outcome_record(actor=actor, link=link, outcome=c.outcome, version=link.version)
    return case


POLICE_AGENCIES = ("oslo-pd-stop", "pu", "vest-pd-exit", "kripos")


def _bulgarian_women_2009(worker: User, limit: int) -> list[Case]:
    """Bulgarian women of the 2009 set (adults, sexual exploitation) whose cases the worker may open."""
    found: list[Case] = []
    cases = (
        cases_open_to(worker)
        .filter(referrals__referral_date__year=2009, is_child=False)
        .distinct()
        .select_related("person")
        .prefetch_related("referrals")
        .order_by("reference")
    )
    for case in cases:
        if len(found) >= limit:
            break
        if "BG" in (case.person.nationalities or []) and case.person.sex == "F":
            forms = {f for r in case.referrals.all() for f in (r.exploitation_forms or [])}
            if "sexual" in forms:
                found.append(case)
    return found


def _link_victims(case: CriminalCase, lead: User, workers: dict[str, User], limit: int = 2) -> int:
    """Link up to `limit` Bulgarian women of 2009 as aggrieved parties: each by a police agency that
    takes part in her case, which the lead first takes into the criminal case."""
    linked = 0
    for code in POLICE_AGENCIES:
        worker = workers.get(code)
        if worker is None or linked >= limit:
            continue
        victims = _bulgarian_women_2009(worker, limit - linked)
        if not victims:
            continue
        agency = next(a for a in worker.case_agencies() if a.code == code)
        if not case.participants.filter(agency=agency).exists():
            services.participant_add(actor=lead, criminal_case=case, agency=agency, role="assisting")
        for victim in victims:
            services.victim_link_add(actor=worker, criminal_case=case, case=victim, role="aggrieved_party")
            linked += 1
    return linked


def load_prosecution(*, workers: dict[str, User]) -> int:
    """Enter the eleven criminal cases (nine verdicts, two in court at the end of 2008); link the
    victims' cases the demo has. Returns the number of criminal cases entered."""
    entered = 0
    for c in CASES:
        actor = workers[c.agency]
        case = _enter(c, actor)
        entered += 1
        if c.item == "in court 1":
            _link_victims(case, actor, workers)
    return entered
