"""Figures on criminal cases for a span of years: pure functions over rows (no database, no names).

Counting rules (a criminal case counts at most once in each figure of a period):
- investigations: cases with an "investigation opened" stage dated in the period (a reopened case once);
- dropped, charged, trials: cases with such a stage dated in the period;
- verdicts: cases whose judgement became final in the period, by the outcome of the last verdict before
  it (convicted of trafficking, convicted of another offence, acquitted). A case is counted in the year
  its judgement becomes final, so an appealed case is never counted twice;
- convictions: convicted of trafficking + convicted of another offence;
- by_exploitation: those convictions by the case's form of exploitation ("unknown" when none is recorded);
- persons_convicted: distinct perpetrators with a conviction in a case whose judgement became final in
  the period (the only person count here);
- confiscated_nok: proceeds confiscated in the cases whose judgement became final in the period;
- in_court: cases before the courts at the end of the period (their last stage on or before the last
  day is charged, trial, verdict or appeal).

Disclosure control (`publish`): a criminal-case count is not a person count and is published as it is;
persons convicted are persons: below k they are suppressed, with secondary suppression across the years
and across the police districts so that no suppressed figure follows from the published total.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from varde.statistics.disclosure import primary, suppress_one_way

OUTCOMES = ("convicted_trafficking", "convicted_other", "acquitted")
CONVICTED = frozenset({"convicted_trafficking", "convicted_other"})
IN_COURT = frozenset({"charged", "trial", "verdict", "appeal"})
UNKNOWN_FORM = "unknown"


@dataclass(frozen=True)
class CaseRow:
    id: str
    police_district: str
    exploitation_form: str
    offence: str
    confiscated_nok: int
    stages: tuple[tuple[str, dt.date, str], ...]  # (stage, date, outcome), in date order


@dataclass(frozen=True)
class PersonRow:
    perpetrator_id: str
    criminal_case_id: str
    outcome: str


def _in(day: dt.date, start: dt.date, end: dt.date) -> bool:
    return start <= day <= end


def _final_in(row: CaseRow, start: dt.date, end: dt.date) -> str | None:
    """The outcome of a case whose judgement became final in the period, else None."""
    last_outcome = ""
    for stage, on, outcome in row.stages:
        if stage == "verdict":
            last_outcome = outcome
        if stage == "final_judgement" and _in(on, start, end) and last_outcome:
            return last_outcome
    return None


def _stage_at(row: CaseRow, day: dt.date) -> str:
    current = ""
    for stage, on, _outcome in row.stages:
        if on <= day:
            current = stage
    return current


def _figures(
    cases: Sequence[CaseRow], persons: Sequence[PersonRow], start: dt.date, end: dt.date
) -> dict[str, Any]:
    def has(row: CaseRow, kind: str) -> bool:
        return any(stage == kind and _in(on, start, end) for stage, on, _o in row.stages)

    verdicts = dict.fromkeys(OUTCOMES, 0)
    by_form: dict[str, int] = {}
    convicted_cases: set[str] = set()
    confiscated = 0
    for row in cases:
        outcome = _final_in(row, start, end)
        if outcome is None:
            continue
        verdicts[outcome] = verdicts.get(outcome, 0) + 1
        confiscated += row.confiscated_nok
        if outcome in CONVICTED:
            convicted_cases.add(row.id)
            form = row.exploitation_form or UNKNOWN_FORM
            by_form[form] = by_form.get(form, 0) + 1
    persons_convicted = len(
        {
            p.perpetrator_id
            for p in persons
            if p.criminal_case_id in convicted_cases and p.outcome in CONVICTED
        }
    )
    return {
        "investigations": sum(1 for r in cases if has(r, "investigation_opened")),
        "dropped": sum(1 for r in cases if has(r, "dropped")),
        "charged": sum(1 for r in cases if has(r, "charged")),
        "trials": sum(1 for r in cases if has(r, "trial")),
        "verdicts": verdicts,
        "convictions": verdicts["convicted_trafficking"] + verdicts["convicted_other"],
        "by_exploitation": dict(sorted(by_form.items())),
        "persons_convicted": persons_convicted,
        "confiscated_nok": confiscated,
        "in_court": sum(1 for r in cases if _stage_at(r, end) in IN_COURT),
    }


def prosecution_figures(
    cases: Iterable[CaseRow], persons: Iterable[PersonRow], first_year: int, last_year: int
) -> dict[str, Any]:
    """The figures for the years first_year..last_year (inclusive), with the same figures per year and
    per police district (the issue's JSON shape, and more)."""
    if last_year < first_year:
        raise ValueError("the last year is before the first")
    case_rows = list(cases)
    person_rows = list(persons)
    start, end = dt.date(first_year, 1, 1), dt.date(last_year, 12, 31)
    result: dict[str, Any] = {"from": first_year, "to": last_year}
    result.update(_figures(case_rows, person_rows, start, end))
    result["by_year"] = {
        str(year): _figures(case_rows, person_rows, dt.date(year, 1, 1), dt.date(year, 12, 31))
        for year in range(first_year, last_year + 1)
    }
    by_district: dict[str, Any] = {}
    for district in sorted({r.police_district for r in case_rows}):
        rows = [r for r in case_rows if r.police_district == district]
        ids = {r.id for r in rows}
        by_district[district] = _figures(
            rows, [p for p in person_rows if p.criminal_case_id in ids], start, end
        )
    result["by_police_district"] = by_district
    return result


def publish(figures: dict[str, Any], k: int) -> dict[str, Any]:
    """Disclosure control: persons convicted below k are null (the total, each year, each district),
    and further years or districts are null where a suppressed one could be worked out from the total.
    Criminal-case counts are not person counts: they are published as they are."""
    out = {key: value for key, value in figures.items() if key not in ("by_year", "by_police_district")}
    total = figures["persons_convicted"]
    out["persons_convicted"] = None if primary(total, k) else total
    for table in ("by_year", "by_police_district"):
        rows = {key: dict(value) for key, value in figures[table].items()}
        cells = {key: int(value["persons_convicted"]) for key, value in rows.items()}
        protected = suppress_one_way(cells, k, has_total=out["persons_convicted"] is not None)
        for key, value in protected.cells.items():
            rows[key]["persons_convicted"] = value
        out[table] = rows
    out["published"] = True
    out["k"] = k
    return out
