"""The demo's part of KOM's national work (issue 19), loaded through the same services as real use.

- the ministries' users: the demo's ministry persona (Ministry of Foreign Affairs) writes the MFA's
  2007 status for its measures of the 2006-2009 plan; the KOM coordinator approves (four eyes);
- a synthetic project portfolio 2000-2010, imported as a CSV through portfolio_import, whose summary
  (`varde portfolio summary --from 2000 --to 2010 --json`) gives seed 004's figures: 193 projects in
  138 agreements, 115 one-year and 23 multi-year, one-year agreements by section 77 / 15 / 14,
  Europe 52 % (Bosnia and Herzegovina 14 %, about NOK 32 million), Asia 27 % (NOK 59 million),
  Africa 22 % (NOK 48 million), IOM NOK 89 million, UN organisations NOK 79 million (UNICEF 40),
  Norwegian NGOs NOK 47 million (Save the Children Norway 18), 18 projects of NOK 100,000 or less.
  Nothing stores the answer: the figures come out of the rows by the counting rules of
  varde.coordination.portfolio. The seed's NOK 252 million for the whole period is not reproduced:
  its regional shares (which add up to 101 %) put the regional total near NOK 221 million, and the
  demo keeps the shares and amounts;
- the project group and the reference group with members and 24-hour contacts, meetings with
  decisions and follow-up tasks, a joint seminar, a local coordination unit, an issue reported to KOM,
  a training course.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from dataclasses import dataclass
from typing import NamedTuple

from varde.accounts.models import Agency, User
from varde.coordination.portfolio_io import COLUMNS, portfolio_import
from varde.core import clock

WB = "West Balkans Section"
HRD = "Section for Human Rights and Democracy"
GSC = "Section for Global Security and the CIS Countries"
GIG = "Section for Global Initiatives and Gender Equality"
NORAD = "Norad, Civil Society Department"
SCN = "Save the Children Norway"
NCA = "Norwegian Church Aid"
LAST_YEAR = 2010


class G(NamedTuple):
    """A group of agreements alike: same section, partner, channel, country."""

    section: str
    partner: str
    channel: str
    country: str
    region: str
    agreements: int
    years_each: int  # 1: one-year agreements; more: multi-year, one project a year
    total_knok: int  # NOK thousands, over all the group's projects
    small: int  # how many of its projects receive NOK 100,000 or less
    first_year: int
    measures: str  # measures of the 2006-2009 plan served


# fmt: off
GROUPS: tuple[G, ...] = (
    # --- Europe, West Balkans Section, one-year (77)
    G(WB, "IOM", "iom", "Bosnia and Herzegovina", "europe", 12, 1, 9000, 2, 2001, "1 11"),
    G(WB, "UNICEF", "un", "Bosnia and Herzegovina", "europe", 6, 1, 5000, 0, 2002, "16"),
    G(WB, "Care Norway", "norwegian_ngo", "Bosnia and Herzegovina", "europe", 5, 1, 3000, 1, 2003, "1"),
    G(WB, "Local NGOs in Bosnia and Herzegovina", "local_ngo", "Bosnia and Herzegovina", "europe", 3, 1, 600, 2, 2004, "1"),
    G(WB, "IOM", "iom", "Albania", "europe", 10, 1, 9000, 0, 2000, "1 11"),
    G(WB, "Terre des Hommes", "other", "Albania", "europe", 2, 1, 300, 1, 2005, "16"),
    G(WB, "Vatra Centre", "local_ngo", "Albania", "europe", 4, 1, 1400, 2, 2003, "11"),
    G(WB, "IOM", "iom", "Macedonia", "europe", 8, 1, 9000, 0, 2001, "1"),
    G(WB, "Local NGOs in Macedonia", "local_ngo", "Macedonia", "europe", 4, 1, 600, 3, 2004, "31"),
    G(WB, "UNICEF", "un", "Macedonia", "europe", 3, 1, 5000, 0, 2003, "16"),
    G(WB, "Norwegian Red Cross", "norwegian_ngo", "Serbia", "europe", 4, 1, 2400, 1, 2004, "1"),
    G(WB, "Care Norway", "norwegian_ngo", "Serbia", "europe", 5, 1, 4500, 0, 2003, "30"),
    G(WB, "IOM", "iom", "Serbia", "europe", 6, 1, 4000, 0, 2002, "11"),
    G(WB, "IOM", "iom", "Montenegro", "europe", 4, 1, 3400, 0, 2002, "1"),
    G(WB, "IOM", "iom", "Croatia", "europe", 1, 1, 1000, 0, 2007, "23"),
    # --- Section for Global Security and the CIS Countries, one-year (14)
    G(GSC, "IOM", "iom", "Moldova", "europe", 4, 1, 3000, 1, 2002, "1"),
    G(GSC, "IOM", "iom", "Ukraine", "europe", 3, 1, 2000, 0, 2003, "1"),
    G(GSC, "Norwegian Red Cross", "norwegian_ngo", "Russia", "europe", 2, 1, 8700, 0, 2006, "31"),
    G(GSC, "UNDP", "un", "Belarus", "europe", 2, 1, 10500, 0, 2005, "33"),
    G(GSC, "IOM", "iom", "Kyrgyzstan", "asia", 3, 1, 3000, 0, 2004, "11"),
    # --- Section for Human Rights and Democracy, one-year (15)
    G(HRD, "ILO", "un", "Indonesia", "asia", 3, 1, 3000, 0, 2005, "34"),
    G(HRD, "UNODC", "un", "Vietnam", "asia", 3, 1, 2500, 0, 2004, "33"),
    G(HRD, "Fokus", "norwegian_ngo", "Philippines", "asia", 3, 1, 2100, 0, 2005, "31"),
    G(HRD, "Fokus", "norwegian_ngo", "Mali", "africa", 2, 1, 1100, 0, 2006, "31"),
    G(HRD, "UNICEF", "un", "Nigeria", "africa", 2, 1, 3000, 0, 2006, "16"),
    G(HRD, "Local NGOs in India", "local_ngo", "India", "asia", 2, 1, 700, 0, 2007, "1"),
    # --- other sections and embassies, one-year (9)
    G("Embassy in Sofia", "IOM", "iom", "Bulgaria", "europe", 2, 1, 600, 1, 2007, "23"),
    G("Embassy in Skopje", "Local NGOs in Macedonia", "local_ngo", "Macedonia", "europe", 3, 1, 300, 3, 2007, "31"),
    G(GIG, "Liga dos Direitos Humanos", "local_ngo", "Mozambique", "africa", 1, 1, 300, 0, 2008, "37"),
    G(GIG, "Fafo", "other", "Vietnam", "asia", 1, 1, 200, 0, 2006, "32"),
    G(GIG, "Fafo", "other", "Albania", "europe", 1, 1, 600, 0, 2007, "32"),
    G(GIG, "Local NGOs in Macedonia", "local_ngo", "Macedonia", "europe", 1, 1, 100, 1, 2006, "32"),
    # --- multi-year (23)
    G(WB, SCN, "norwegian_ngo", "Bosnia and Herzegovina", "europe", 1, 5, 8000, 0, 2003, "16"),
    G("Embassy in Sarajevo", "UNICEF", "un", "Bosnia and Herzegovina", "europe", 1, 3, 6400, 0, 2005, "16"),
    G("Embassy in Tirana", "UNICEF", "un", "Albania", "europe", 1, 3, 7600, 0, 2007, "16"),
    G("Embassy in Ankara", "IOM", "iom", "Turkey", "europe", 1, 3, 4000, 0, 2005, "11"),
    G(WB, SCN, "norwegian_ngo", "Serbia", "europe", 1, 4, 4000, 0, 2004, "16"),
    G("Embassy in Dhaka", "IOM", "iom", "Bangladesh", "asia", 1, 3, 8000, 0, 2007, "1"),
    G("Embassy in Kathmandu", SCN, "norwegian_ngo", "Nepal", "asia", 1, 4, 3000, 0, 2006, "1 16"),
    G("Embassy in Hanoi", NCA, "norwegian_ngo", "Vietnam", "asia", 1, 3, 3000, 0, 2007, "1"),
    G("Embassy in Bangkok", "UNIAP", "un", "Thailand", "asia", 1, 4, 9000, 0, 2005, "33"),
    G("Embassy in Bangkok", "ILO", "un", "Thailand", "asia", 1, 3, 3000, 0, 2006, "34"),
    G(GSC, "IOM", "iom", "Kyrgyzstan", "asia", 1, 4, 6000, 0, 2004, "11"),
    G("Embassy in Hanoi", "UNDP", "un", "Vietnam", "asia", 1, 3, 7000, 0, 2007, "33"),
    G(NORAD, NCA, "norwegian_ngo", "Laos", "asia", 1, 3, 1500, 0, 2006, "1"),
    G("Embassy in Phnom Penh", "IOM", "iom", "Cambodia", "asia", 1, 4, 7000, 0, 2004, "11"),
    G("Embassy in Pretoria", "IOM", "iom", "South Africa", "africa", 1, 4, 12000, 0, 2006, "1"),
    G("Embassy in Abuja", "IOM", "iom", "Nigeria", "africa", 1, 3, 3000, 0, 2007, "11"),
    G("Embassy in Nairobi", "IOM", "iom", "Kenya", "africa", 1, 3, 5000, 0, 2006, "33"),
    G("Embassy in Maputo", SCN, "norwegian_ngo", "Mozambique", "africa", 1, 4, 3000, 0, 2007, "11"),
    G(NORAD, NCA, "norwegian_ngo", "Malawi", "africa", 1, 3, 2700, 0, 2007, "11"),
    G("Embassy in Maputo", "Save the Children UK", "other", "Mozambique", "africa", 1, 2, 900, 0, 2007, "11"),
    G("Embassy in Lilongwe", "UNICEF", "un", "Malawi", "africa", 1, 4, 6000, 0, 2005, "16"),
    G("Embassy in Addis Ababa", "UNICEF", "un", "Ethiopia", "africa", 1, 3, 7000, 0, 2006, "16"),
    G(HRD, "UNODC", "un", "Nigeria", "africa", 1, 3, 4000, 0, 2004, "16"),

)
# fmt: on
# Agreements where the fight against trafficking is a subsidiary objective (seed 004, 2.1 and 2.2).
SUBSIDIARY = {("Embassy in Hanoi", NCA), ("Embassy in Kathmandu", SCN)}
SMALL_KNOK = (100, 80, 60, 90, 75, 50, 95, 70)  # the first is exactly NOK 100,000: the boundary counts


def _split(total: int, count: int, small: int) -> list[int]:
    """The group's total (NOK thousands) over its projects: `small` of them at NOK 100,000 or less,
    the rest in uneven shares rounded to NOK 10,000, each above NOK 100,000."""
    if small == count:
        each, rest = divmod(total, count)
        assert rest == 0 and each <= 100, "all-small groups split evenly under the limit"
        return [each] * count
    smalls = [SMALL_KNOK[i % len(SMALL_KNOK)] for i in range(small)]
    rest = total - sum(smalls)
    weights = [3 + (i * 5) % 7 for i in range(count - small)]
    shares = [rest * w // sum(weights) // 10 * 10 for w in weights]
    shares[shares.index(max(shares))] += rest - sum(shares)
    assert min(shares) > 100, "every other project is above NOK 100,000"
    return smalls + shares


def portfolio_rows() -> list[dict[str, str]]:
    """The demo portfolio as spreadsheet rows (one per project), amounts by year."""
    rows: list[dict[str, str]] = []
    serial = 0
    for g in GROUPS:
        amounts = iter(_split(g.total_knok, g.agreements * g.years_each, g.small))
        span = LAST_YEAR - g.first_year + 1
        for i in range(g.agreements):
            serial += 1
            start_year = g.first_year + (i % span if g.years_each == 1 else 0)
            assert start_year + g.years_each - 1 <= LAST_YEAR
            number = f"MFA-{start_year}-{serial:03d}"
            name = f"{g.partner}: against human trafficking in {g.country}"
            if g.agreements > 1:
                name += f", phase {i + 1}"
            for year in range(start_year, start_year + g.years_each):
                row = {c: "" for c in COLUMNS}
                row.update(
                    agreement=number,
                    agreement_title=name,
                    partner=g.partner,
                    channel=g.channel,
                    country=g.country,
                    region=g.region,
                    section=g.section,
                    objective="subsidiary" if (g.section, g.partner) in SUBSIDIARY else "main",
                    project=f"{number}-{year}",
                    project_title=f"{name} ({year})",
                    start=f"{year}-01-01",
                    end=f"{year}-12-31",
                    measures=" ".join(f"2006-2009:{m}" for m in g.measures.split()),
                )
                row[str(year)] = str(next(amounts) * 1000)
                rows.append(row)
    return rows


def portfolio_csv() -> bytes:
    rows = portfolio_rows()
    years = sorted({k for r in rows for k in r if k.isdigit()})
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=[*COLUMNS, *years], restval="", lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue().encode("utf-8")


@dataclass
class CoordinationSummary:
    measures: int = 0
    status_reports: int = 0
    projects: int = 0
    agreements: int = 0


def load_portfolio(*, coordinator: User) -> tuple[int, int]:
    result = portfolio_import(
        actor=coordinator, filename="demo-portfolio-2000-2010.csv", content=portfolio_csv()
    )
    return result.agreements_created, result.projects_created


def load_coordination(
    *, coordinator: User, users: dict[str, User], agencies: dict[str, Agency]
) -> CoordinationSummary:
    """Everything of KOM's national work for the demo, through the services. `users` are the agencies'
    caseworkers by agency code; `agencies` every demo agency by code (the ministries among them)."""
    from varde.coordination import groups, issues, measures, training
    from varde.coordination.models import GroupKind, Measure, MeasureStatus, Ministry
    from varde.coordination.plans import plans_load

    summary = CoordinationSummary()
    plans_load(actor=coordinator)
    for code, agency_code in MINISTRY_AGENCIES.items():
        Ministry.objects.filter(code=code, agency__isnull=True).update(agency=agencies[agency_code])
    ministry_user = User.objects.get(username=MINISTRY_USERNAME)
    summary.measures = Measure.objects.count()

    # The MFA's 2007 report on its measures of the 2006-2009 plan (seed 004): written by the ministry's
    # user, approved by KOM's coordinator (a second person).
    ud = Ministry.objects.get(code="ud")
    for number, status, done in MFA_2007:
        measure = Measure.objects.get(plan__code="2006-2009", number=number)
        report = measures.status_report_save(
            actor=ministry_user, measure=measure, ministry=ud, year=2007, status=status, done=done
        )
        report = measures.status_report_submit(actor=ministry_user, report=report, version=report.version)
        measures.status_report_approve(actor=coordinator, report=report, version=report.version)
        summary.status_reports += 1
    # One measure left as a draft, for the ministry persona to finish and submit.
    draft = Measure.objects.get(plan__code="2006-2009", number=37)
    measures.status_report_save(
        actor=ministry_user, measure=draft, ministry=ud, year=2007, status=MeasureStatus.ONGOING,
        done="Support to Liga dos Direitos Humanos in Mozambique, which documents trade in human organs.",
    )  # fmt: skip
    summary.status_reports += 1

    summary.agreements, summary.projects = load_portfolio(coordinator=coordinator)

    # The two groups (seeds 000/001), with 24-hour readiness contacts, a meeting each.
    project = groups.group_create(actor=coordinator, kind=GroupKind.PROJECT, name="Prosjektgruppen")
    reference = groups.group_create(actor=coordinator, kind=GroupKind.REFERENCE, name="Referansegruppen")
    members = {}
    for group, codes in ((project, PROJECT_GROUP), (reference, REFERENCE_GROUP)):
        for i, code in enumerate(codes):
            worker = users.get(code)
            members[(group.pk, code)] = groups.group_member_add(
                actor=coordinator,
                group=group,
                agency=agencies[code],
                name=worker.full_name if worker and worker.full_name else agencies[code].name,
                user=worker if worker and worker.has_usable_password() else None,
                readiness_phone=f"+47 {90_000_100 + 10 * i + (group.kind == GroupKind.REFERENCE)}",
            )
    today = clock.today()
    for group, codes in ((project, PROJECT_GROUP), (reference, REFERENCE_GROUP)):
        meeting = groups.meeting_record(
            actor=coordinator,
            group=group,
            held_on=today - dt.timedelta(days=20),
            place="Politidirektoratet, Oslo",
            agenda="1. Nye saker siden sist\n2. Retningslinjer for identifisering\n3. Eventuelt",
            minutes="Gjennomgang av saker meldt til KOM. Behov for felles retningslinjer drøftet.",
            attendee_ids=[members[(group.pk, c)].pk for c in codes],
        )
        decision = groups.decision_add(
            actor=coordinator,
            meeting=meeting,
            text="Et utkast til retningslinjer sendes på høring i gruppen.",
        )
        groups.task_add(
            actor=coordinator,
            decision=decision,
            title="Send utkastet til medlemmene",
            responsible=members[(group.pk, codes[0])],
            due_on=today - dt.timedelta(days=3),  # shows as overdue
        )
    groups.seminar_create(
        actor=coordinator,
        title="Felles seminar for prosjekt- og referansegruppen",
        starts_on=today - dt.timedelta(days=60),
        ends_on=today - dt.timedelta(days=58),
        place="Sundvolden",
        groups=[project, reference],
    )
    unit = groups.local_unit_create(
        actor=coordinator,
        name="Lokal koordineringsenhet Bergen",
        municipality="4601",
        police_district="Vest",
        contact_name="Koordinator i Bergen kommune",
        agencies=[agencies["vest-pd-exit"]],
    )
    groups.report_dispatch(actor=coordinator, unit=unit, year=today.year - 1)
    reporter = users.get("rosa")
    if reporter is not None:
        issues.issue_report(
            actor=reporter,
            kind="general",
            subject="Tolk på kveldstid",
            description="Det er vanskelig å få tolk etter klokken 22 når en mulig utsatt kommer inn.",
        )
    course = training.course_create(
        actor=coordinator, topic="Identifisering av mulige ofre", audience="Politi, barnevern, NAV"
    )
    session = training.session_create(
        actor=coordinator, course=course, held_on=today - dt.timedelta(days=100), place="Oslo"
    )
    for code in ("oslo-pd-stop", "oslo-barnevern", "nav-grunerlokka"):
        worker = users.get(code)
        if worker is not None:
            training.participant_add(
                actor=coordinator, session=session, agency=agencies[code], user=worker, role="saksbehandler"
            )
    return summary


# The ministries with a Varde agency in the demo (varde.demo.data.AGENCIES) and the ministry persona.
MINISTRY_AGENCIES = {"ud": "dep-ud", "jd": "dep-jd"}
MINISTRY_USERNAME = "ministry.ud"
PROJECT_GROUP = (
    "oslo-pd-stop",
    "oslo-statsadvokat",
    "udi",
    "bufetat-ost",
    "nav-grunerlokka",
    "arbeidstilsynet",
)
REFERENCE_GROUP = ("rosa", "redd-barna", "kirkens-bymisjon", "iom-oslo", "pro-sentret", "lauras-hus")
MFA_2007: tuple[tuple[int, str, str], ...] = (
    (1, "ongoing", "Support through the embassies for IOM programmes in southern Africa and Bangladesh, and for "
     "Norwegian Church Aid between Vietnam and Laos, to reduce recruitment."),
    (2, "ongoing", "Followed up NATO's anti-trafficking roadmap and took part in the UN strategy on assistance to "
     "victims of sexual exploitation by UN personnel."),
    (11, "ongoing", "Support for safe return and resettlement in Malawi, Mozambique, Nigeria, Kyrgyzstan, Nepal, "
     "the Mekong region and the West Balkans."),
    (16, "ongoing", "UNICEF's Not for Sale project in Albania and Save the Children Norway's programme in Bosnia "
     "and Herzegovina; children's situation raised in UN forums."),
    (23, "ongoing", "Regional workshop with UNODC in Bangkok; seminar with IOM Sofia leading to closer police "
     "cooperation with Bulgaria; IOM's network of West Balkan prosecutors."),
    (30, "ongoing", "Support to SANTAC in Mozambique; contact with authorities and NGOs in Estonia."),
    (31, "ongoing", "Embassy staff lectured at conferences in Bulgaria, Latvia and Lithuania; information projects "
     "in Macedonia."),
    (32, "completed", "Fafo studies on Vietnam and on victims who turn down assistance in the West Balkans; a Save "
     "the Children Norway study presented at the OSCE."),
    (33, "ongoing", "IOM in Kenya, COMMIT in the Mekong region, the One UN programme in Vietnam, IOM projects in "
     "Croatia, Macedonia and Turkey; support for the Council of Europe and the OSCE."),
    (34, "ongoing", "Support for the ILO's projects against forced labour in Brazil and trafficking of domestic "
     "workers in South East Asia."),
    (35, "ongoing", "Trafficking on the agenda of the human rights dialogues with Indonesia and Vietnam; resolutions "
     "in the UN General Assembly."),
    (36, "ongoing", "Cooperation through Schengen, Frontex, Europol and Eurojust; Norway's plan presented to the "
     "European Commission."),
)  # fmt: skip
