"""Summaries of the project portfolio for a period: pure functions over rows, no database.

Counting rules (seed 004, section 2.2 and note 3):
- a project counts in the period when it has an amount in a year of the period; amounts are summed
  over the period's years only;
- an agreement counts when one of its projects counts; its duration is its own: one-year when all its
  projects' amounts fall in one calendar year, multi-year otherwise (two or more years);
- shares are whole per cent of the period's total, rounded half up (as the seed reports them);
- a small project receives NOK 100,000 or less in the period;
- an agreement's annual funding is its amount in the period divided by the number of its years with
  an amount in the period.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

SMALL_PROJECT_NOK = 100_000
ANNUAL_LIMIT_NOK = 1_000_000
SIZE_BANDS: tuple[tuple[str, int | None], ...] = (
    ("up_to_100k", 100_000),
    ("100k_to_1m", 1_000_000),
    ("1m_to_5m", 5_000_000),
    ("over_5m", None),
)


@dataclass(frozen=True)
class AgreementRow:
    number: str
    partner: str
    channel: str
    country: str
    region: str
    section: str
    objective: str = "main"


@dataclass(frozen=True)
class ProjectRow:
    reference: str
    agreement: str  # the agreement's number
    amounts: dict[int, int] = field(default_factory=dict)  # year -> NOK


def share(part: int, total: int) -> int:
    """Whole per cent, rounded half up."""
    if not total:
        return 0
    return int((Decimal(part) * 100 / Decimal(total)).quantize(Decimal(1), rounding=ROUND_HALF_UP))


def _with_shares(amounts: dict[str, int], total: int) -> dict[str, dict[str, int]]:
    ordered = sorted(amounts.items(), key=lambda kv: (-kv[1], kv[0]))
    return {name: {"nok": nok, "share": share(nok, total)} for name, nok in ordered}


def size_band(nok: int) -> str:
    for name, limit in SIZE_BANDS:
        if limit is None or nok <= limit:
            return name
    raise AssertionError("unreachable")


def summarise(
    agreements: Iterable[AgreementRow], projects: Iterable[ProjectRow], *, year_from: int, year_to: int
) -> dict[str, Any]:
    """The summary in the CLI's JSON shape: {"period", "projects", "agreements", "one_year",
    "multi_year", "total_nok", "by_region", "by_channel", "by_section", "by_country", "by_partner",
    "by_objective", "by_size", "small_projects", "agreements_annual_up_to_1m"}."""
    by_number = {a.number: a for a in agreements}
    all_years: dict[str, set[int]] = defaultdict(set)
    project_list = list(projects)
    for p in project_list:
        all_years[p.agreement] |= {y for y, nok in p.amounts.items() if nok > 0}

    period = range(year_from, year_to + 1)
    counted_projects = 0
    small = 0
    sizes: dict[str, int] = {name: 0 for name, _ in SIZE_BANDS}
    total = 0
    agreement_nok: dict[str, int] = defaultdict(int)
    agreement_years_in_period: dict[str, set[int]] = defaultdict(set)
    for p in project_list:
        in_period = {y: nok for y, nok in p.amounts.items() if y in period and nok > 0}
        if not in_period:
            continue
        nok = sum(in_period.values())
        counted_projects += 1
        small += nok <= SMALL_PROJECT_NOK
        sizes[size_band(nok)] += 1
        total += nok
        agreement_nok[p.agreement] += nok
        agreement_years_in_period[p.agreement] |= set(in_period)

    by: dict[str, dict[str, int]] = {
        k: defaultdict(int) for k in ("region", "channel", "country", "partner", "objective")
    }
    sections: dict[str, dict[str, int]] = defaultdict(
        lambda: {"agreements": 0, "one_year_agreements": 0, "nok": 0}
    )
    one_year = multi_year = annual_small = 0
    for number, nok in agreement_nok.items():
        a = by_number[number]
        is_one_year = len(all_years[number]) == 1
        one_year += is_one_year
        multi_year += not is_one_year
        annual_small += nok / len(agreement_years_in_period[number]) <= ANNUAL_LIMIT_NOK
        by["region"][a.region] += nok
        by["channel"][a.channel] += nok
        by["country"][a.country] += nok
        by["partner"][a.partner] += nok
        by["objective"][a.objective] += nok
        s = sections[a.section]
        s["agreements"] += 1
        s["one_year_agreements"] += is_one_year
        s["nok"] += nok

    return {
        "period": {"from": year_from, "to": year_to},
        "projects": counted_projects,
        "agreements": len(agreement_nok),
        "one_year": one_year,
        "multi_year": multi_year,
        "total_nok": total,
        "by_region": _with_shares(by["region"], total),
        "by_channel": _with_shares(by["channel"], total),
        "by_section": dict(
            sorted(
                sections.items(), key=lambda kv: (-kv[1]["one_year_agreements"], -kv[1]["agreements"], kv[0])
            )
        ),
        "by_country": _with_shares(by["country"], total),
        "by_partner": _with_shares(by["partner"], total),
        "by_objective": _with_shares(by["objective"], total),
        "by_size": sizes,
        "small_projects": small,
        "agreements_annual_up_to_1m": annual_small,
    }
