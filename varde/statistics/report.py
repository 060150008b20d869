"""The annual status report (action plan measure 6): the national picture for a year.

Built ONLY from the published, disclosure-controlled figures (`figures.as_json` with a threshold k):
never a person-level value, never an internal figure. A suppressed cell stays `None` all the way to
the page, the PDF, the XLSX and the charts, where it is shown as SUPPRESSED and never drawn.

`annual_report_for_user` is the one way in: it checks who may read national statistics
(coordinators and analysts, varde.statistics.selectors), audits the read with the year, the
threshold and the format, and assembles an `AnnualReport` with the coordinators' written sections.

Other packages add sections of their own (criminal cases: varde.prosecution.report) through
`report_section_register`, called from their AppConfig.ready(): statistics sits beside them and
imports none of them; a provider gets the year and the threshold and returns published figures only.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.core.cache import cache
from django.db import transaction
from django.db.models import Min
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from varde.accounts.models import AgencyKind, User
from varde.audit.models import AuditAction
from varde.audit.services import audit_record
from varde.cases.models import ExploitationForm, Referral
from varde.core import clock
from varde.core.errors import NotPermitted
from varde.persons.codes import country_name
from varde.response.models import CooperationState

from .anonymous import AnonymousRow, anonymous_extract
from .disclosure import check_k
from .extract import PersonRow, pseudonymised_extract
from .figures import COOPERATION_STATES, as_json, national_figures, sex_age_by_year
from .hidden import HiddenEstimate
from .models import AnnualReportText
from .selectors import data_version, hidden_for_period, may_see_internal, may_see_published

SUPPRESSED = "–"
TOP_NATIONALITIES = 10
TOP_MINOR_NATIONALITIES = 5
FORMATS = ("html", "pdf", "xlsx")

Cell = int | None


class NoFiguresForYear(LookupError):
    """No person was followed up in the year: there is no report to make."""


@dataclass(frozen=True)
class Row:
    key: str
    label: str
    value: Cell  # None = suppressed
    derived: bool = False  # worked out from published cells (e.g. "other"), not a table cell


@dataclass(frozen=True)
class Table:
    slug: str
    title: str
    rows: list[Row]
    withheld: bool = False  # the whole table could not be protected and is not published
    note: str = ""
    column: str = ""  # what the figures count ("" = persons), e.g. criminal cases or NOK

    @property
    def any_suppressed(self) -> bool:
        return any(r.value is None for r in self.rows)


@dataclass(frozen=True)
class TrendRow:
    year: int
    persons: Cell
    women: Cell
    men: Cell
    girls: Cell
    boys: Cell


@dataclass(frozen=True)
class Texts:
    trends: str = ""
    challenges: str = ""
    research_needs: str = ""
    version: int = 0  # 0 = nothing written yet

    def sections(self) -> list[tuple[str, str, str]]:
        return [
            ("trends", _("Trends"), self.trends),
            ("challenges", _("Challenges"), self.challenges),
            ("research_needs", _("Suggested topics for research"), self.research_needs),
        ]


@dataclass(frozen=True)
class HiddenBox:
    """The hidden-numbers estimate as the report shows it: only one that passed every check."""

    estimate: int
    low: int
    high: int
    observed: int  # persons referred in the year (the estimate's lists), not persons followed up
    lists: int


def hidden_box(estimate: HiddenEstimate | None, *, k: int) -> HiddenBox | None:
    """The box, or None when there is no trustworthy estimate (a warning) or the persons the
    agencies met are fewer than the threshold."""
    if estimate is None or estimate.warning is not None or estimate.estimate is None:
        return None
    data = estimate.as_json()
    if data["observed"] < k:
        return None
    return HiddenBox(
        estimate=data["estimate"],
        low=data["interval"][0],
        high=data["interval"][1],
        observed=data["observed"],
        lists=sum(1 for n in data["lists"].values() if n),
    )


@dataclass(frozen=True)
class ReportSection:
    """A section another package adds to the report (e.g. criminal cases): its own tables of published
    figures under one heading. Each table says what it counts (`Table.column`)."""

    slug: str
    title: str
    tables: list[Table]
    note: str = ""


SectionProvider = Callable[[int, int], ReportSection | None]
"""(year, k) -> the section, built from published (disclosure-controlled) figures only; None when
the package has nothing to report."""

_SECTION_PROVIDERS: dict[str, SectionProvider] = {}


def report_section_register(slug: str, provider: SectionProvider) -> None:
    """A package beside statistics adds a section to the annual report, from its AppConfig.ready():
    statistics never imports it (the layers), the report asks the registry. Registering a slug again
    replaces its provider."""
    _SECTION_PROVIDERS[slug] = provider


def report_sections(year: int, k: int) -> list[ReportSection]:
    """The registered sections for the year, in the order they were registered."""
    sections = (provider(year, k) for provider in _SECTION_PROVIDERS.values())
    return [section for section in sections if section is not None]


@dataclass(frozen=True)
class AnnualReport:
    year: int
    k: int
    persons: Cell
    children: Cell
    nationalities: Cell
    tables: list[Table]
    trend: list[TrendRow]
    texts: Texts
    generated_at: Any = field(default=None)
    hidden: HiddenBox | None = None  # shown only when the estimate passed the checks
    sections: list[ReportSection] = field(default_factory=list)  # from other packages (the registry)

    def table(self, slug: str) -> Table:
        return next(t for t in self.tables if t.slug == slug)

    def section(self, slug: str) -> ReportSection:
        return next(s for s in self.sections if s.slug == slug)

    @property
    def any_suppressed(self) -> bool:
        tables = [*self.tables, *(t for s in self.sections for t in s.tables)]
        return any(t.any_suppressed or t.withheld for t in tables) or any(
            None in (r.persons, r.women, r.men, r.girls, r.boys) for r in self.trend
        )


# --- assembling -------------------------------------------------------------------------------------


def years_with_data(rows: Sequence[PersonRow]) -> list[int]:
    """Every year in which some person was followed up, up to this year."""
    this_year = clock.today().year
    return sorted({y for r in rows for y in r.followed_years if y <= this_year})


def choice_label(choices: Any, key: str) -> str:
    """The label of a code in a TextChoices (the code itself when unknown)."""
    try:
        return str(choices(key).label)
    except ValueError:
        return key


def _cells(
    cells: Mapping[str, Cell] | None, labels: Any, order: Sequence[str] | None = None
) -> tuple[list[Row], bool]:
    if cells is None:
        return [], True
    keys = list(order) if order is not None else sorted(cells, key=lambda c: choice_label(labels, c))
    return [Row(key, choice_label(labels, key), cells.get(key)) for key in keys if key in cells], False


def _largest(cells: Mapping[str, Cell], top: int) -> list[Row]:
    shown = sorted(
        ((code, v) for code, v in cells.items() if v is not None and v > 0), key=lambda cv: (-cv[1], cv[0])
    )[:top]
    return [Row(code, country_name(code), v) for code, v in shown]


def _nationalities(published: dict[str, Any]) -> tuple[list[Row], bool]:
    """The largest published nationalities, the rest (and unknown) as one derived row: the total
    less the published top cells, a figure anyone can work out from the published table."""
    cells: dict[str, Cell] | None = published["by_nationality"]
    if cells is None:
        return [], True
    rows = _largest(cells, TOP_NATIONALITIES)
    shown = [(r.key, r.value) for r in rows]
    persons = published["persons"]
    if persons is not None:
        rest = persons - sum(v or 0 for _code, v in shown)
        rows.append(Row("other", _("Other or unknown nationality"), rest, derived=True))
    return rows, False


def _single(published: dict[str, Any]) -> list[Row]:
    return [
        Row("persons", _("Persons followed up"), published["persons"]),
        Row(
            "first_identified",
            _("Of these, identified for the first time this year"),
            published["first_identified"],
        ),
        Row("residence_permits", _("Residence permits granted"), published["residence_permits"]),
        Row("voluntary_returns", _("Assisted voluntary returns"), published["voluntary_returns"]),
        Row("disappearances", _("Disappearances of minors"), published["disappearances"]),
        Row("identified", _("Identified victims (Eurostat)"), published["identified"]),
        Row("presumed", _("Presumed victims, not (yet) identified (Eurostat)"), published["presumed"]),
    ]


def _minors(published: dict[str, Any]) -> list[Table]:
    """The children followed up: the largest nationalities and the forms of exploitation. No "other"
    row: the children's total is not published (it would give away the children of unknown sex)."""
    nationality = published["children_by_nationality"]
    exploitation, _w = _cells(published["children_by_exploitation"], ExploitationForm)
    return [
        Table(
            "minors_nationalities",
            _("Children: the largest nationalities"),
            [] if nationality is None else _largest(nationality, TOP_MINOR_NATIONALITIES),
            withheld=nationality is None,
            note=_(
                "Each child counts once, with their first known nationality; smaller groups are not shown."
            ),
        ),
        Table(
            "minors_exploitation",
            _("Children: forms of exploitation"),
            exploitation,
            note=_("A child may have been exploited in several ways and counts once for each."),
        ),
    ]


def _after_reflection(published: dict[str, Any]) -> list[Table]:
    """Permits, asylum, cooperation with the police and returns: persons with such an entry in the year
    (cooperation: where it stood at the end of the year; follow-ups: those due in the year)."""
    permit = published["temporary_permit"]
    renewal = published["temporary_permit_renewal"]
    asylum = published["asylum"]
    cooperation = published["police_cooperation"]
    follow_up = published["reintegration_follow_up"]
    return [
        Table(
            "temporary_permit",
            _("Temporary permit after the reflection period"),
            [
                Row("applied", _("Applied for"), permit.get("applied")),
                Row("granted", _("Granted"), permit.get("granted")),
                Row("rejected", _("Rejected"), permit.get("rejected")),
                Row("dropped", _("Dropped"), permit.get("dropped")),
                Row("renewal_applied", _("Applied for renewal"), renewal.get("applied")),
                Row("renewal_granted", _("Renewed"), renewal.get("granted")),
                Row("renewal_rejected", _("Renewal rejected"), renewal.get("rejected")),
                Row(
                    "permit_after_testimony",
                    _("Granted a permit after testifying in court"),
                    published["permit_after_testimony"],
                ),
            ],
        ),
        Table(
            "asylum",
            _("Asylum"),
            [
                Row("applied", _("Applied for"), asylum.get("applied")),
                Row("granted_refugee", _("Granted as a refugee"), asylum.get("granted_refugee")),
                Row(
                    "granted_humanitarian",
                    _("Granted on humanitarian grounds"),
                    asylum.get("granted_humanitarian"),
                ),
                Row("rejected", _("Rejected"), asylum.get("rejected")),
            ],
        ),
        Table(
            "police_cooperation",
            _("Cooperation with the police at the end of the year"),
            [
                *(
                    Row(state, str(CooperationState(state).label), cooperation.get(state))
                    for state in COOPERATION_STATES
                ),
                Row(
                    "cooperating",
                    _("Cooperating (reported, in an investigation or testified)"),
                    cooperation.get("cooperating"),
                ),
            ],
            note=_("Persons followed up in the year, by the latest entry dated in or before it."),
        ),
        Table(
            "voluntary_return",
            _("Voluntary return and reintegration"),
            [
                Row("voluntary_returns", _("Returned home"), published["voluntary_returns"]),
                Row("follow_up_due", _("Follow-ups due after a return"), follow_up.get("due")),
                Row("follow_up_reached", _("Of these, the person was reached"), follow_up.get("reached")),
            ],
        ),
    ]


def _anonymous(published: dict[str, Any]) -> Table:
    """The anonymous notifications of the year (issue 22): adults who declined help, counted apart."""
    anonymous = published["anonymous_notifications"]
    forms, _w = _cells(anonymous["by_exploitation"], ExploitationForm)
    return Table(
        "anonymous_notifications",
        _("Anonymous notifications"),
        [
            Row("total", _("Anonymous notifications"), anonymous["total"]),
            Row("female", _("Women"), anonymous["female"]),
            Row("male", _("Men"), anonymous["male"]),
            *forms,
            Row(
                "presumed_including_anonymous",
                _("Presumed victims, anonymous notifications included"),
                published["presumed_including_anonymous"],
            ),
        ],
        note=_(
            "Adults who may be victims but declined help or registration, notified by an agency without "
            "their identity. They are counted apart from the persons followed up, as presumed victims, "
            "and never linked to a person: the same person may be counted both here and among the "
            "persons. A notification may give several forms of exploitation and counts once for each."
        ),
        column=_("Anonymous notifications"),
    )


def _sum(*cells: Cell) -> Cell:
    return None if any(c is None for c in cells) else sum(c for c in cells if c is not None)


def build_report(
    rows: Sequence[PersonRow],
    year: int,
    *,
    k: int,
    texts: Texts | None = None,
    hidden: HiddenEstimate | None = None,
    sections: Sequence[ReportSection] = (),
    anonymous: Sequence[AnonymousRow] = (),
) -> AnnualReport:
    """Pure: the report from the extract, through the published figures only; with the year's
    hidden-numbers estimate when it passed its checks, the sections other packages made, and the
    anonymous notifications (counted apart, never persons)."""
    years = years_with_data(rows)
    if year not in years:
        raise NoFiguresForYear(year)
    published = as_json(national_figures(rows, year, anonymous), k=k, extended=True)
    sex_age_cells = {key: published[key] for key in ("women", "men", "girls", "boys")}
    sex_age_withheld = published["persons"] is not None and all(v is None for v in sex_age_cells.values())
    sex_age = [
        Row("women", _("Women"), sex_age_cells["women"]),
        Row("men", _("Men"), sex_age_cells["men"]),
        Row("girls", _("Girls (under 18)"), sex_age_cells["girls"]),
        Row("boys", _("Boys (under 18)"), sex_age_cells["boys"]),
    ]
    nationality_rows, nationality_withheld = _nationalities(published)
    exploitation_rows, _w = _cells(published["by_exploitation"], ExploitationForm)
    agency_rows, _w = _cells(published["by_reporting_agency_kind"], AgencyKind)
    reflection = published["reflection_period"]
    tables = [
        Table("summary", _("Persons followed up"), _single(published)),
        _anonymous(published),
        Table(
            "sex_age",
            _("Women, men, girls and boys"),
            sex_age,
            withheld=sex_age_withheld,
            note=_("Persons whose sex is other or unknown are counted in the total only."),
        ),
        Table(
            "nationalities",
            _("The largest nationalities"),
            nationality_rows,
            withheld=nationality_withheld,
            note=_("Each person counts once, with their first known nationality."),
        ),
        Table(
            "exploitation",
            _("Forms of exploitation"),
            exploitation_rows,
            note=_("A person may have been exploited in several ways and counts once for each."),
        ),
        Table(
            "reporting_agencies",
            _("Kinds of agency that reported"),
            agency_rows,
            note=_("A person reported by several kinds of agency counts once for each."),
        ),
        Table(
            "reflection_period",
            _("Reflection period"),
            [
                Row("applied", _("Applied for"), reflection.get("applied")),
                Row("granted", _("Granted"), reflection.get("granted")),
                Row("rejected", _("Rejected"), reflection.get("rejected")),
            ],
        ),
        *_minors(published),
        *_after_reflection(published),
    ]
    trend = [
        TrendRow(y, p["persons"], p["women"], p["men"], p["girls"], p["boys"])
        for y, p in sex_age_by_year(rows, years, k=k).items()
    ]
    return AnnualReport(
        year=year,
        k=k,
        persons=published["persons"],
        children=_sum(sex_age_cells["girls"], sex_age_cells["boys"]),
        nationalities=published["nationalities"],
        tables=tables,
        trend=trend,
        texts=texts or Texts(),
        generated_at=clock.now(),
        hidden=hidden_box(hidden, k=k),
        sections=list(sections),
    )


def texts_for_year(year: int) -> Texts:
    text = AnnualReportText.objects.filter(year=year).first()
    if text is None:
        return Texts()
    return Texts(text.trends, text.challenges, text.research_needs, text.version)


def report_years() -> list[int]:
    """The years a report can be offered for, from the earliest referral to this year (no figures, no
    audit; one indexed aggregate, not the extract). A year in the list in which nobody happened to be
    followed up says so when opened (NoFiguresForYear)."""
    first = Referral.objects.aggregate(first=Min("referral_date"))["first"]
    return list(range(first.year, clock.today().year + 1)) if first else []


REPORT_CACHE_SECONDS = 24 * 3600


def _cached_report(year: int, threshold: int) -> AnnualReport:
    """The published report built from the extract, cached per year, threshold, language and data
    version (varde.statistics.selectors.data_version: the last audited write and the latest linkage
    run), so that any change of the data or of the texts makes a new one. Raises NoFiguresForYear."""
    key = "varde:annual-report:" + ":".join((str(year), str(threshold), get_language() or "", data_version()))
    report = cache.get(key)
    if report is None:
        rows = pseudonymised_extract()
        if year not in years_with_data(rows):
            raise NoFiguresForYear(year)
        report = build_report(
            rows,
            year,
            k=threshold,
            texts=texts_for_year(year),
            hidden=hidden_for_period(start=dt.date(year, 1, 1), end=dt.date(year, 12, 31), rows=rows),
            sections=report_sections(year, threshold),
            anonymous=anonymous_extract(),
        )
        cache.set(key, report, REPORT_CACHE_SECONDS)
    return report


@transaction.atomic
def annual_report_for_user(
    *,
    user: User | None,
    year: int,
    k: int | None = None,
    fmt: str = "html",
    action: str = AuditAction.VIEW,
) -> AnnualReport:
    """The year's report for a coordinator, an analyst or the server operator (user None), audited
    with the year, the threshold and the format. Raises NotPermitted for anyone else,
    NoFiguresForYear when nobody was followed up in the year, DisclosureError for a bad k."""
    if not may_see_published(user):
        raise NotPermitted("only coordinators and analysts see national statistics")
    threshold = check_k(k)
    report = _cached_report(year, threshold)
    audit_record(
        actor=user,
        action=action,
        obj=("statistics.annual_report", str(year)),
        detail={"year": year, "published": True, "k": threshold, "format": fmt},
    )
    return report


def annual_report_for_chart(*, user: User | None, year: int, k: int | None = None) -> AnnualReport:
    """The same published report for a chart image, unaudited: a chart is part of the report page,
    whose read is audited; four more events per page view would bury it (and on SQLite the page's
    parallel image requests would contend for the audit chain's lock)."""
    if not may_see_published(user):
        raise NotPermitted("only coordinators and analysts see national statistics")
    return _cached_report(year, check_k(k))


def may_edit_texts(user: User | None) -> bool:
    return user is not None and may_see_internal(user)
