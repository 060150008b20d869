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
import io
from dataclasses import dataclass
from typing import NamedTuple

from varde.accounts.models import User
from varde.coordination.portfolio_io import COLUMNS, portfolio_import

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
