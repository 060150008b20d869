"""Criminal cases in the annual status report: a section the statistics package's report asks for
through its registry (`report_section_register`, called from this package's AppConfig.ready()), so
that statistics never imports this package.

Built from the published figures only (`figures.publish` with the report's threshold k): criminal-case
counts are not person counts and are published as they are; persons convicted are persons, and below
k they are suppressed (shown as suppressed, never as a number). Each table says what it counts.
"""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from varde.cases.models import ExploitationForm
from varde.statistics.police_districts import districts
from varde.statistics.report import ReportSection, Row, Table

from .figures import prosecution_figures, publish
from .models import Outcome
from .selectors import figure_rows

SLUG = "prosecution"


def _district(code: str) -> str:
    from django.utils.translation import get_language

    names = districts().get(code)
    if not names:
        return code
    return names["nb"] if (get_language() or "nb").startswith(("nb", "no", "nn")) else names["en"]


def _form(code: str) -> str:
    return str(ExploitationForm(code).label) if code in ExploitationForm.values else _("Not known")


def section_from_figures(published: dict[str, Any]) -> ReportSection:
    """Pure: the section from one year's published figures (`publish(prosecution_figures(...), k)`)."""
    cases = _("Criminal cases")
    verdicts = published["verdicts"]
    by_district = published["by_police_district"]
    tables = [
        Table(
            "prosecution-stages",
            _("Criminal cases by stage"),
            [
                Row("investigations", _("Investigations opened"), published["investigations"]),
                Row("dropped", pgettext("criminal case stage", "Dropped"), published["dropped"]),
                Row("charged", _("Charged"), published["charged"]),
                Row("trials", _("Trials"), published["trials"]),
                Row("in_court", _("Before the courts at the end of the year"), published["in_court"]),
            ],
            note=_(
                "A criminal case counts once in each row, however often it reached the stage in the year."
            ),
            column=cases,
        ),
        Table(
            "prosecution-verdicts",
            _("Final judgements by outcome"),
            [Row(code, str(Outcome(code).label), verdicts[code]) for code in Outcome.values],
            note=_(
                "A case counts in the year its judgement became final, by the outcome of its last verdict: "
                "an appealed case is counted once."
            ),
            column=cases,
        ),
        Table(
            "prosecution-exploitation",
            _("Convictions by exploitation"),
            [Row(code, _form(code), n) for code, n in published["by_exploitation"].items()],
            column=cases,
        ),
        Table(
            "prosecution-districts",
            _("Convictions by police district"),
            [
                Row(code, _district(code), values["convictions"])
                for code, values in by_district.items()
                if values["convictions"] or values["in_court"]
            ],
            column=cases,
        ),
        Table(
            "prosecution-persons",
            _("Persons convicted"),
            [Row("persons_convicted", _("Persons convicted"), published["persons_convicted"])],
            note=_("Persons, each counted once however many cases they were convicted in."),
        ),
        Table(
            "prosecution-proceeds",
            _("Proceeds confiscated"),
            [
                Row(
                    "confiscated_nok",
                    _("Confiscated in the cases finally judged"),
                    published["confiscated_nok"],
                )
            ],
            column=_("NOK"),
        ),
    ]
    return ReportSection(
        SLUG,
        _("Criminal cases"),
        tables,
        note=_(
            "The police's and the prosecution's cases of human trafficking and related offences. "
            "A criminal-case count is not a count of persons."
        ),
    )


def annual_report_section(year: int, k: int) -> ReportSection | None:
    """The year's section for the annual report, or None when no criminal case is recorded at all."""
    cases, persons = figure_rows()
    if not cases:
        return None
    return section_from_figures(publish(prosecution_figures(cases, persons, year, year), k))
