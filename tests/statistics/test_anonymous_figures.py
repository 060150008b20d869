"""Anonymous notifications in the national figures (issue 22; docs/COUNTING_RULES.md rule 12): counted
apart from the persons, each once, in the period of its date; withdrawn ones not at all; added to the
presumed victims only in `presumed_including_anonymous`; under disclosure control; a table of the
annual report."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import translation

from tests.statistics.conftest import ISSUE_KEYS
from tests.statistics.rows import person_row
from varde.identification.anonymous import anonymous_notification_record, anonymous_notification_withdraw
from varde.statistics.anonymous import AnonymousRow, anonymous_extract
from varde.statistics.extract import PersonRow, pseudonymised_extract
from varde.statistics.figures import as_json, national_figures
from varde.statistics.periods import Period
from varde.statistics.report import annual_report_for_user, build_report
from varde.statistics.selectors import figures_for_period, figures_for_year

D = dt.date


def person(key: str, **kw: object) -> PersonRow:
    """Followed up in 2011 only, not yet identified."""
    return person_row(
        key, **{"followed": ((D(2011, 3, 1), D(2011, 12, 31)),), "status": "under_assessment", **kw}
    )


def anon(day: dt.date, sex: str = "F", forms: tuple[str, ...] = ("sexual",), **kw: str) -> AnonymousRow:
    return AnonymousRow(
        noticed_on=day,
        age_band=kw.get("age_band", "25-34"),
        sex=sex,
        nationality=kw.get("nationality", "NG"),
        forms=frozenset(forms),
    )


def test_rule_12_counted_apart_in_the_period_of_their_date_never_as_persons():
    persons = [person("a"), person("b", sex="M", exploitation=frozenset({"forced_labour"}))]
    notifications = [
        anon(D(2011, 1, 1)),  # the period's first day
        anon(D(2011, 12, 31), sex="M", forms=("forced_labour", "begging")),  # and its last
        anon(D(2011, 6, 1), sex="X"),
        anon(D(2011, 7, 1), sex=""),
        anon(D(2010, 12, 31)),  # the year before
        anon(D(2012, 1, 1), sex="M"),  # the year after
    ]
    without = national_figures(persons, 2011)
    figures = national_figures(persons, 2011, notifications)
    assert figures.anonymous == {
        "total": 4,
        "female": 1,
        "male": 1,
        "other_or_unknown": 2,
        "begging": 1,
        "forced_labour": 1,
        "sexual": 3,
    }
    # Never persons: every figure of persons is as without them.
    assert figures.persons == without.persons == 2 and figures.presumed == without.presumed == 2
    assert figures.sex_age == without.sex_age and figures.by_exploitation == without.by_exploitation
    assert figures.by_nationality == without.by_nationality and figures.first_identified == 2
    # Any period: a quarter counts the notifications dated in it.
    q1 = national_figures(persons, Period(D(2011, 1, 1), D(2011, 3, 31)), notifications)
    assert q1.anonymous["total"] == 1
    assert national_figures([], 2012, notifications).anonymous["total"] == 1
    internal = as_json(figures, extended=True)
    assert internal["anonymous_notifications"] == {
        "total": 4,
        "female": 1,
        "male": 1,
        "by_exploitation": {"begging": 1, "forced_labour": 1, "sexual": 3},
    }
    assert internal["presumed"] == 2 and internal["presumed_including_anonymous"] == 6


def test_the_base_json_shape_does_not_change():
    figures = national_figures([person("a")], 2011, [anon(D(2011, 5, 5))])
    assert set(as_json(figures)) == set(ISSUE_KEYS)
    assert set(as_json(figures, k=10)) == set(ISSUE_KEYS)  # all withheld: the same keys
    assert "anonymous_notifications" not in as_json(figures, k=3)


def test_presumed_including_anonymous_is_null_when_either_part_is_withheld():
    persons = [person(f"p{i}") for i in range(12)]
    many = [anon(D(2011, 2, i + 1), sex="F" if i % 2 else "M") for i in range(12)]
    published = as_json(national_figures(persons, 2011, many), k=5, extended=True)
    assert published["presumed"] == 12 and published["anonymous_notifications"]["total"] == 12
    assert published["presumed_including_anonymous"] == 24
    few = as_json(national_figures(persons, 2011, many[:3]), k=5, extended=True)
    assert few["anonymous_notifications"]["total"] is None and few["presumed_including_anonymous"] is None
    # Persons below k: the persons' year is withheld; the notifications are protected on their own.
    small = as_json(national_figures(persons[:2], 2011, many), k=5, extended=True)
    assert small["persons"] is None and small["presumed_including_anonymous"] is None
    assert small["anonymous_notifications"]["total"] == 12
    # No notification at all: 0, and presumed + 0.
    none = as_json(national_figures(persons, 2011), k=5, extended=True)
    assert none["anonymous_notifications"] == {"total": 0, "female": 0, "male": 0, "by_exploitation": {}}
    assert none["presumed_including_anonymous"] == 12


def test_disclosure_below_k_is_null_and_no_sex_can_be_worked_out():
    notifications = [anon(D(2011, 3, 1), sex="F", forms=("sexual",)) for _ in range(11)]
    notifications += [anon(D(2011, 3, 2), sex="M", forms=("sexual", "begging"))]
    notifications += [anon(D(2011, 3, 3), sex="X", forms=("sexual",))]
    published = as_json(national_figures([], 2011, notifications), k=5, extended=True)[
        "anonymous_notifications"
    ]
    assert published["total"] == 13
    # one man and one of other sex: both below k; women would give them away with the total, so the
    # women's cell is withheld too (or the whole sex split is)
    assert published["male"] is None and published["female"] is None
    assert published["by_exploitation"] == {"begging": None, "sexual": 13}
    tiny = as_json(national_figures([], 2011, notifications[:4]), k=5, extended=True)
    assert tiny["anonymous_notifications"] == {
        "total": None,
        "female": None,
        "male": None,
        "by_exploitation": {"sexual": None},
    }


@pytest.fixture
def recorded(personas, agencies):
    """Twelve notifications of 2026 (one later withdrawn) and one of 2025, by the police and ROSA."""
    made = []
    for i in range(12):
        made.append(
            anonymous_notification_record(
                actor=personas.police if i % 2 else personas.ngo,
                agency=agencies.police if i % 2 else agencies.ngo,
                noticed_on=D(2026, 1 + i % 10, 1 + i),
                age_band="18-24",
                sex="F" if i < 8 else "M",
                exploitation_forms=["sexual"] if i < 10 else ["forced_labour"],
            )
        )
    anonymous_notification_record(
        actor=personas.police,
        agency=agencies.police,
        noticed_on=D(2025, 11, 1),
        age_band="55+",
        exploitation_forms=["begging"],
    )
    anonymous_notification_withdraw(actor=personas.ngo, notification=made[0], reason="duplicate")
    return made


def test_the_extract_reads_codes_and_dates_and_leaves_out_the_withdrawn(recorded):
    rows = anonymous_extract()
    assert len(rows) == 12  # 13 recorded, one withdrawn
    assert all(isinstance(r, AnonymousRow) for r in rows)
    assert set(vars(rows[0])) == {"noticed_on", "age_band", "sex", "nationality", "forms"}
    assert rows[0].noticed_on == D(2025, 11, 1) and rows[0].forms == frozenset({"begging"})


def test_never_in_the_persons_extract(world, recorded):
    rows = pseudonymised_extract()
    assert len(rows) == 3  # the world's three persons, no row for a notification
    figures = figures_for_year(2026)
    assert figures.persons == 3 and figures.anonymous["total"] == 11
    assert figures_for_period(Period(D(2025, 1, 1), D(2025, 12, 31))).anonymous["total"] == 1


def test_the_annual_report_has_the_table_after_the_summary(world, recorded, personas):
    with translation.override("en"):
        report = annual_report_for_user(user=personas.coordinator, year=2026, k=3)
    slugs = [t.slug for t in report.tables]
    assert slugs[:2] == ["summary", "anonymous_notifications"]
    table = report.table("anonymous_notifications")
    cells = {r.key: r.value for r in table.rows}
    assert cells["total"] == 11 and cells["female"] == 7 and cells["male"] == 4
    assert cells["sexual"] == 9 and cells["forced_labour"] is None  # 2, below k = 3
    internal = figures_for_year(2026).anonymous
    assert internal["forced_labour"] == 2
    # three persons, all presumed in the world (k = 3): 3 + 11
    assert cells["presumed_including_anonymous"] == 14
    assert "never linked" in table.note and "both here and among the persons" in table.note
    assert table.column and not table.withheld


def test_the_report_table_is_null_below_k():
    persons = [person(f"p{i}") for i in range(12)]
    report = build_report(persons, 2011, k=5, anonymous=[anon(D(2011, 4, 4))])
    table = report.table("anonymous_notifications")
    assert {r.key: r.value for r in table.rows} == {
        "total": None,
        "female": None,
        "male": None,
        "sexual": None,
        "presumed_including_anonymous": None,
    }
    assert report.any_suppressed
    assert build_report(persons, 2011, k=5).table("anonymous_notifications").rows[0].value == 0
