"""National figures for a year, counted over de-duplicated persons of the pseudonymised extract.

`national_figures(rows, period)` gives the internal (unsuppressed) figures for a Period (a calendar year,
or any span of days; an int is taken as a year); `as_json(figures, k=...)` applies disclosure control.
Both are pure: they read PersonRows, never the database. The counting rules: docs/COUNTING_RULES.md.

Tables and how they are protected when published:
- persons (followed up in the year): a cell; below k the whole year is suppressed.
- sex and age (women, men, girls, boys, and the unpublished "other or unknown sex"), nationality
  (one per person, "" unknown), municipality ("" unknown) and police district (of the municipality,
  rules/police_districts.json; "" unknown) add up to persons: primary and secondary suppression
  (one-way with a published total). The unknown cells take part but are not shown.
- forms of exploitation and kinds of reporting agency: a person may count in several cells, so no
  equation links them: primary suppression only. Likewise the single figures (reflection period
  applied, granted, rejected; first identified; residence permits; voluntary returns; disappearances).
- anonymous notifications (issue 22; `anonymous=` rows of varde.statistics.anonymous, never persons):
  counted apart, each once, in the period of its date. Their total is a cell (below k the table is
  withheld); women and men add up to it with "other or unknown" (one-way, unknown not shown); forms
  of exploitation primary suppression only. `presumed_including_anonymous` is presumed + their total,
  null when either is.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from .anonymous import AnonymousRow
from .disclosure import primary, suppress_one_way
from .extract import PersonRow
from .periods import Period
from .police_districts import police_district

UNKNOWN = ""
SEX_AGE = ("women", "men", "girls", "boys")
OTHER_SEX = "other_or_unknown_sex"


@dataclass(frozen=True)
class NationalFigures:
    year: int | None  # the calendar year, None for another period
    persons: int
    first_identified: int
    sex_age: dict[str, int]  # women, men, girls, boys, other_or_unknown_sex
    by_nationality: dict[str, int]  # "" = unknown
    by_exploitation: dict[str, int]
    by_reporting_agency_kind: dict[str, int]
    by_municipality: dict[str, int]  # "" = unknown
    reflection_period: dict[str, int]  # applied, granted, rejected
    residence_permits: int
    voluntary_returns: int
    disappearances: int  # of minors
    children: int = field(default=0)
    by_police_district: dict[str, int] = field(default_factory=dict)  # "" = unknown
    # After the reflection period (issue #16): persons with such an entry dated in the year.
    temporary_permit: dict[str, int] = field(default_factory=dict)  # applied, granted, rejected, dropped
    temporary_permit_renewal: dict[str, int] = field(default_factory=dict)  # applied, granted, rejected
    permit_after_testimony: int = 0
    asylum: dict[str, int] = field(
        default_factory=dict
    )  # applied, granted_refugee, granted_humanitarian, rejected
    police_cooperation: dict[str, int] = field(
        default_factory=dict
    )  # state -> persons at the end of the year
    reintegration_follow_up: dict[str, int] = field(default_factory=dict)  # due, reached (follow-ups)
    period: Period | None = None
    # First identified in the period (seed 000's table): by sex, and how many of them were children.
    first_identified_by_sex: dict[str, int] = field(default_factory=dict)  # female, male, other_or_unknown
    first_identified_children: int = 0
    # Eurostat: registered (= persons) = identified + presumed, as at the end of the period.
    identified: int = 0
    presumed: int = 0
    # The children followed up in the period, by nationality ("" unknown) and form of exploitation.
    children_by_nationality: dict[str, int] = field(default_factory=dict)
    children_by_exploitation: dict[str, int] = field(default_factory=dict)
    # Anonymous notifications dated in the period, not withdrawn (issue 22): "total", "female", "male",
    # "other_or_unknown" (sex), and each form of exploitation given (its code: a notification may
    # give several). Not persons: never in the figures above.
    anonymous: dict[str, int] = field(default_factory=dict)


# Which legal-status entries each figure counts (varde/response/rules/legal_status.json).
TEMPORARY_PERMIT = {
    "applied": "temporary_permit_applied",
    "granted": "temporary_residence_cooperation",
    "rejected": "temporary_permit_rejected",
    "dropped": "temporary_permit_dropped",
}
TEMPORARY_PERMIT_RENEWAL = {
    "applied": "renewal_applied",
    "granted": "renewal_granted",
    "rejected": "renewal_rejected",
}
PERMIT_AFTER_TESTIMONY = "permanent_after_testifying"
ASYLUM = {
    "applied": "asylum_seeker",
    "granted_refugee": "refugee_granted",
    "granted_humanitarian": "humanitarian_granted",
    "rejected": "asylum_rejected",
}
COOPERATION_STATES = ("not_asked", "considering", "declined", "reported", "investigation", "testified")


def _has_legal(row: PersonRow, kind: str, period: Period) -> bool:
    return any(k == kind and day in period for k, day in row.legal)


def _legal_persons(rows: list[PersonRow], kinds: Mapping[str, str], period: Period) -> dict[str, int]:
    return {name: sum(1 for r in rows if _has_legal(r, kind, period)) for name, kind in kinds.items()}


def _any_in(days: Iterable[object], period: Period) -> bool:
    return any(day in period for day in days)


def _sex_age(sex: str, child: bool) -> str:
    if sex == "F":
        return "girls" if child else "women"
    if sex == "M":
        return "boys" if child else "men"
    return OTHER_SEX


SEXES = {"F": "female", "M": "male"}


def _count(values: Iterable[str]) -> dict[str, int]:
    return dict(sorted(Counter(values).items()))


ANONYMOUS_SEXES = ("female", "male", "other_or_unknown")
ANONYMOUS_COUNTS = ("total", *ANONYMOUS_SEXES)


def anonymous_counts(notifications: Iterable[AnonymousRow], period: Period) -> dict[str, int]:
    """The anonymous notifications dated in the period: total, by sex, and by form of exploitation."""
    counted = [a for a in notifications if a.noticed_on in period]
    cells = {"total": len(counted), **{sex: 0 for sex in ANONYMOUS_SEXES}}
    cells.update(Counter(SEXES.get(a.sex, "other_or_unknown") for a in counted))
    cells.update(_count(form for a in counted for form in a.forms))
    return cells


def national_figures(
    rows: Iterable[PersonRow], period: Period | int, anonymous: Iterable[AnonymousRow] = ()
) -> NationalFigures:
    """Persons followed up in the period, and what is known about them; events dated in the period;
    the anonymous notifications dated in it, apart (never persons)."""
    if isinstance(period, int):
        period = Period.of_year(period)
    everyone = list(rows)
    followed = [r for r in everyone if r.followed_in(period)]
    child = {r.person_key: r.child_in(period) for r in followed}
    children = [r for r in followed if child[r.person_key]]
    first = [r for r in everyone if r.first_date in period]
    sex_age = {name: 0 for name in (*SEX_AGE, OTHER_SEX)}
    sex_age.update(Counter(_sex_age(r.sex, child[r.person_key]) for r in followed))
    by_sex = {"female": 0, "male": 0, "other_or_unknown": 0}
    by_sex.update(Counter(SEXES.get(r.sex, "other_or_unknown") for r in first))
    identified = sum(1 for r in followed if r.identified_in(period))
    return NationalFigures(
        year=period.year,
        period=period,
        persons=len(followed),
        first_identified=len(first),
        first_identified_by_sex=by_sex,
        first_identified_children=sum(1 for r in first if r.child),
        identified=identified,
        presumed=len(followed) - identified,
        sex_age=sex_age,
        by_nationality=_count(r.nationality for r in followed),
        by_exploitation=_count(form for r in followed for form in r.exploitation),
        by_reporting_agency_kind=_count(kind for r in followed for kind in r.agency_kinds),
        by_municipality=_count(r.municipality for r in followed),
        reflection_period={
            "applied": sum(1 for r in everyone if _any_in(r.reflection_applied, period)),
            "granted": sum(1 for r in everyone if _any_in(r.reflection_granted, period)),
            "rejected": sum(1 for r in everyone if _any_in(r.reflection_rejected, period)),
        },
        residence_permits=sum(1 for r in everyone if _any_in(r.residence_permit, period)),
        voluntary_returns=sum(1 for r in everyone if _any_in(r.voluntary_return, period)),
        disappearances=sum(1 for r in everyone if _any_in(r.minor_disappeared, period)),
        children=len(children),
        children_by_nationality=_count(r.nationality for r in children),
        children_by_exploitation=_count(form for r in children for form in r.exploitation),
        by_police_district=_count(police_district(r.municipality) for r in followed),
        temporary_permit=_legal_persons(everyone, TEMPORARY_PERMIT, period),
        temporary_permit_renewal=_legal_persons(everyone, TEMPORARY_PERMIT_RENEWAL, period),
        permit_after_testimony=sum(1 for r in everyone if _has_legal(r, PERMIT_AFTER_TESTIMONY, period)),
        asylum=_legal_persons(everyone, ASYLUM, period),
        police_cooperation={
            state: sum(1 for r in followed if r.cooperation_on(period.end) == state)
            for state in COOPERATION_STATES
        },
        reintegration_follow_up={
            "due": sum(1 for r in everyone for day, _reached in r.follow_ups if day in period),
            "reached": sum(1 for r in everyone for day, reached in r.follow_ups if day in period and reached),
        },
        anonymous=anonymous_counts(anonymous, period),
    )


Cell = int | None


def sex_age_by_year(
    rows: Iterable[PersonRow], years: Iterable[int], *, k: int | None
) -> dict[int, dict[str, Cell]]:
    """For each year: persons followed up and women, men, girls and boys, published as `as_json` would
    publish them (the year withheld below k; the sex and age table under the same suppression). One
    pass over the rows for all the years: the annual report's trend needs no full figures per year."""
    wanted = set(years)
    persons: Counter[int] = Counter()
    cells: dict[int, Counter[str]] = {y: Counter() for y in wanted}
    for r in rows:
        for year in r.followed_years & wanted:
            persons[year] += 1
            cells[year][_sex_age(r.sex, r.child_in(Period.of_year(year)))] += 1
    out: dict[int, dict[str, Cell]] = {}
    for year in sorted(wanted):
        if k is not None and primary(persons[year], k):
            out[year] = {"persons": None, **{name: None for name in SEX_AGE}}
            continue
        table = _partition({name: cells[year][name] for name in (*SEX_AGE, OTHER_SEX)}, k)
        out[year] = {"persons": persons[year], **{n: None if table is None else table[n] for n in SEX_AGE}}
    return out


def _cell(value: int, k: int | None) -> Cell:
    return None if k is not None and primary(value, k) else value


def _partition(cells: Mapping[str, int], k: int | None) -> dict[str, Cell] | None:
    """One-way table adding up to persons; None when the whole table must be withheld."""
    if k is None:
        return dict(cells)
    result = suppress_one_way(cells, k, has_total=True)
    return None if result.withheld else result.cells


def _multi(cells: Mapping[str, int], k: int | None) -> dict[str, Cell]:
    return {key: _cell(v, k) for key, v in cells.items()}


COOPERATING = ("reported", "investigation", "testified")


def _cooperation(cells: Mapping[str, int], k: int | None) -> dict[str, Cell]:
    """Each state, and "cooperating" (reported the traffickers, in an investigation or testified: the
    action plan's measure). The sum is withheld with any of its parts, so that it never gives one
    away."""
    out = _multi(cells, k)
    parts = [out[state] for state in COOPERATING]
    total = sum(cells[state] for state in COOPERATING)
    out["cooperating"] = None if any(p is None for p in parts) else _cell(total, k)
    return out


def _anonymous(figures: NationalFigures, k: int | None) -> dict[str, Any]:
    """The anonymous notifications' table: the total a cell (below k, the whole table null); women and
    men out of the sexes adding up to it (one-way, the unknown not shown); the forms primary only."""
    cells = figures.anonymous
    total = cells.get("total", 0)
    forms = {key: v for key, v in cells.items() if key not in ANONYMOUS_COUNTS}
    if k is not None and primary(total, k):
        return {"total": None, "female": None, "male": None, "by_exploitation": {key: None for key in forms}}
    sexes = _partition({sex: cells.get(sex, 0) for sex in ANONYMOUS_SEXES}, k)
    return {
        "total": total,
        "female": None if sexes is None else sexes["female"],
        "male": None if sexes is None else sexes["male"],
        "by_exploitation": _multi(forms, k),
    }


def _plus(a: Cell, b: Cell) -> Cell:
    return None if a is None or b is None else a + b


def as_json(figures: NationalFigures, *, k: int | None = None, extended: bool = False) -> dict[str, Any]:
    """The issue's JSON shape. With k, the published figures: suppressed cells are null (a whole table
    is null when it cannot be protected). Unknown categories are counted in the tables but not shown."""
    if k is not None and primary(figures.persons, k):
        return _all_null(figures, extended=extended, k=k)
    sex_age = _partition(figures.sex_age, k)
    nationality = _partition(figures.by_nationality, k)
    shown_nationality = (
        None if nationality is None else {c: v for c, v in nationality.items() if c != UNKNOWN}
    )
    known_nationalities = sum(1 for c, v in figures.by_nationality.items() if c != UNKNOWN and v > 0)
    first_by_sex = _partition(figures.first_identified_by_sex, k)
    registered = _partition({"identified": figures.identified, "presumed": figures.presumed}, k)
    children_nationality = _partition(figures.children_by_nationality, k) if figures.children else {}
    out: dict[str, Any] = {
        **_period_keys(figures),
        "persons": figures.persons,
        **{name: (None if sex_age is None else sex_age[name]) for name in SEX_AGE},
        "nationalities": None if shown_nationality is None else known_nationalities,
        "by_nationality": shown_nationality,
        "by_exploitation": _multi(figures.by_exploitation, k),
        "by_reporting_agency_kind": _multi(figures.by_reporting_agency_kind, k),
        "reflection_period": _multi(figures.reflection_period, k),
        "disappearances": _cell(figures.disappearances, k),
    }
    if extended:
        municipality = _partition(figures.by_municipality, k)
        district = _partition(figures.by_police_district, k)
        out.update(
            {
                "first_identified": _cell(figures.first_identified, k),
                "first_identified_by_sex": None
                if first_by_sex is None
                else {sex: first_by_sex[sex] for sex in ("female", "male")},
                "first_identified_children": _cell(figures.first_identified_children, k),
                "identified": None if registered is None else registered["identified"],
                "presumed": None if registered is None else registered["presumed"],
                "children_by_nationality": None
                if children_nationality is None
                else {c: v for c, v in children_nationality.items() if c != UNKNOWN},
                "children_by_exploitation": _multi(figures.children_by_exploitation, k),
                "by_municipality": None
                if municipality is None
                else {m: v for m, v in municipality.items() if m != UNKNOWN},
                "by_police_district": None
                if district is None
                else {d: v for d, v in district.items() if d != UNKNOWN},
                "residence_permits": _cell(figures.residence_permits, k),
                "voluntary_returns": _cell(figures.voluntary_returns, k),
                "temporary_permit": _multi(figures.temporary_permit, k),
                "temporary_permit_renewal": _multi(figures.temporary_permit_renewal, k),
                "permit_after_testimony": _cell(figures.permit_after_testimony, k),
                "asylum": _multi(figures.asylum, k),
                "police_cooperation": _cooperation(figures.police_cooperation, k),
                "reintegration_follow_up": _multi(figures.reintegration_follow_up, k),
            }
        )
        anonymous = _anonymous(figures, k)
        out["anonymous_notifications"] = anonymous
        out["presumed_including_anonymous"] = _plus(out["presumed"], anonymous["total"])
    return out


def _period_keys(figures: NationalFigures) -> dict[str, Any]:
    """{"year"} for a calendar year (the issue's shape); {"year": null, "from", "to"} for another period."""
    if figures.period is None or figures.period.year is not None:
        return {"year": figures.year}
    return {"year": None, "from": figures.period.start.isoformat(), "to": figures.period.end.isoformat()}


def _all_null(figures: NationalFigures, *, extended: bool, k: int) -> dict[str, Any]:
    out: dict[str, Any] = {
        **_period_keys(figures),
        "persons": None,
        **{name: None for name in SEX_AGE},
        "nationalities": None,
        "by_nationality": None,
        "by_exploitation": {key: None for key in figures.by_exploitation},
        "by_reporting_agency_kind": {key: None for key in figures.by_reporting_agency_kind},
        "reflection_period": {key: None for key in figures.reflection_period},
        "disappearances": None,
    }
    if extended:
        out.update(
            {
                "first_identified": None,
                "first_identified_by_sex": None,
                "first_identified_children": None,
                "identified": None,
                "presumed": None,
                "children_by_nationality": None,
                "children_by_exploitation": {key: None for key in figures.children_by_exploitation},
                "by_municipality": None,
                "by_police_district": None,
                "residence_permits": None,
                "voluntary_returns": None,
                "temporary_permit": {key: None for key in TEMPORARY_PERMIT},
                "temporary_permit_renewal": {key: None for key in TEMPORARY_PERMIT_RENEWAL},
                "permit_after_testimony": None,
                "asylum": {key: None for key in ASYLUM},
                "police_cooperation": {key: None for key in (*COOPERATION_STATES, "cooperating")},
                "reintegration_follow_up": {"due": None, "reached": None},
                # Not persons: protected on their own (the persons' total below k says nothing of them).
                "anonymous_notifications": _anonymous(figures, k),
                "presumed_including_anonymous": None,
            }
        )
    return out
