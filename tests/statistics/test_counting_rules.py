"""The counting rules of docs/COUNTING_RULES.md, one test (or more) each: who is counted in a period,
as followed up, first identified, a child, identified or presumed, and which events fall in it."""

from __future__ import annotations

import datetime as dt
import json
from zoneinfo import ZoneInfo

import pytest

from tests.factories import report_person
from tests.statistics.rows import person_row
from varde.cases.models import CaseStatus, StatusChange
from varde.cases.services import case_change_status
from varde.cli import main
from varde.statistics.extract import pseudonymised_extract
from varde.statistics.figures import as_json, national_figures
from varde.statistics.periods import Period, merge

D = dt.date
OSLO = ZoneInfo("Europe/Oslo")


row = person_row


# --- periods ---------------------------------------------------------------------------------------


def test_a_period_includes_both_its_days_and_knows_a_calendar_year():
    q1 = Period(D(2008, 1, 1), D(2008, 3, 31))
    assert D(2008, 1, 1) in q1 and D(2008, 3, 31) in q1 and D(2008, 4, 1) not in q1
    assert q1.year is None and Period.of_year(2008).year == 2008
    assert Period(D(2007, 1, 1), D(2008, 12, 31)).year is None
    with pytest.raises(ValueError):
        Period(D(2008, 2, 1), D(2008, 1, 31))


def test_spans_merge_where_they_touch_and_an_open_end_is_forever():
    forever = D.max
    assert merge([(D(2011, 1, 1), D(2011, 1, 31)), (D(2011, 2, 1), D(2011, 2, 28))]) == (
        (D(2011, 1, 1), D(2011, 2, 28)),
    )
    # A presumption of minority never lifted beside a childhood by age (the demo's children).
    assert merge([(D.min, D(2012, 5, 1)), (D(2011, 3, 1), forever), (D(2013, 1, 1), forever)]) == (
        (D.min, forever),
    )


def test_followed_up_in_a_period_means_some_day_of_it():
    r = row(followed=((D(2011, 3, 1), D(2011, 3, 31)),))
    assert r.followed_in(Period(D(2011, 3, 31), D(2011, 4, 30)))  # the last day is enough
    assert not r.followed_in(Period(D(2011, 4, 1), D(2011, 12, 31)))
    assert national_figures([r], Period(D(2011, 1, 1), D(2011, 3, 1))).persons == 1
    assert national_figures([r], 2012).persons == 0


def test_first_identified_counts_the_persons_first_referred_in_the_period_by_sex():
    rows = [
        row("a", first_date=D(2005, 2, 1), sex="F", child=True),
        row("b", first_date=D(2005, 12, 31), sex="M"),
        row("c", first_date=D(2006, 1, 1), sex="F"),
        row("d", first_date=D(2005, 6, 1), sex=""),
    ]
    figures = national_figures(rows, 2005)
    assert figures.first_identified == 3
    assert figures.first_identified_by_sex == {"female": 1, "male": 1, "other_or_unknown": 1}
    assert figures.first_identified_children == 1
    shown = as_json(figures, extended=True)
    assert shown["first_identified_by_sex"] == {"female": 1, "male": 1}  # the unknown is not shown


# --- children ---------------------------------------------------------------------------------------


def test_a_child_reported_at_17_is_an_adult_in_the_years_after_the_18th_birthday():
    r = row(
        child=True,
        followed=((D(2011, 3, 1), D(2013, 6, 30)),),
        child_spans=((D.min, D(2011, 9, 30)),),  # 18 on 1 October 2011
    )
    assert r.child_in(Period.of_year(2011))  # a child on some day followed up in 2011
    assert not r.child_in(Period.of_year(2012)) and not r.child_in(Period.of_year(2013))
    assert (national_figures([r], 2011).sex_age["girls"], national_figures([r], 2012).sex_age["women"]) == (
        1,
        1,
    )


def test_a_presumption_of_minority_makes_a_child_while_it_holds():
    r = row(followed=((D(2011, 1, 1), D(2011, 12, 31)),), child_spans=((D(2011, 5, 1), D(2011, 5, 20)),))
    assert r.child_in(Period(D(2011, 5, 20), D(2011, 5, 31)))
    assert not r.child_in(Period(D(2011, 6, 1), D(2011, 12, 31)))


def test_a_child_is_counted_only_while_followed_up():
    r = row(followed=((D(2011, 6, 1), D(2011, 12, 31)),), child_spans=((D.min, D(2011, 5, 31)),))
    assert not r.child_in(Period.of_year(2011))  # 18 before the follow-up began


def test_extract_child_in_later_years_from_birth_date(personas, agencies):
    case = report_person(
        personas.police, agencies.police, "Ada", "Okoro", dob=D(1993, 7, 1), referral_date=D(2011, 3, 1)
    )
    StatusChange.objects.filter(case=case).update(at=dt.datetime(2011, 3, 1, 12, tzinfo=OSLO))
    (r,) = pseudonymised_extract(today=D(2012, 12, 31))
    assert r.child  # 17 when first reported
    assert r.child_in(Period.of_year(2011)) and not r.child_in(Period.of_year(2012))


# --- followed up, not a victim, identified ------------------------------------------------------------


def _status(actor, case, status: str, on: D, **kw) -> None:
    case.refresh_from_db()
    case_change_status(actor=actor, case=case, status=status, reason="test", version=case.version, **kw)
    change = StatusChange.objects.filter(case=case).latest("at")
    StatusChange.objects.filter(pk=change.pk).update(
        at=dt.datetime(on.year, on.month, on.day, 12, tzinfo=OSLO)
    )


def test_not_a_victim_ends_the_follow_up_and_a_reopening_begins_it_again(personas, agencies):
    case = report_person(personas.police, agencies.police, "Ada", "Okoro", referral_date=D(2011, 3, 1))
    StatusChange.objects.filter(case=case).update(at=dt.datetime(2011, 3, 1, 12, tzinfo=OSLO))
    _status(personas.police, case, CaseStatus.UNDER_ASSESSMENT, D(2011, 3, 5))
    _status(personas.police, case, CaseStatus.NOT_VICTIM, D(2011, 4, 30))
    (r,) = pseudonymised_extract(today=D(2013, 1, 1))
    assert r.followed == ((D(2011, 3, 1), D(2011, 4, 30)),)
    assert national_figures([r], Period(D(2011, 5, 1), D(2011, 12, 31))).persons == 0
    # New information: assessed again from 2012, identified, closed.
    _status(personas.police, case, CaseStatus.UNDER_ASSESSMENT, D(2012, 2, 1))
    _status(personas.police, case, CaseStatus.IDENTIFIED, D(2012, 3, 1))
    _status(personas.police, case, CaseStatus.CLOSED, D(2012, 9, 1), closure_reason="settled")
    (r,) = pseudonymised_extract(today=D(2013, 1, 1))
    assert r.followed == ((D(2011, 3, 1), D(2011, 4, 30)), (D(2012, 2, 1), D(2012, 9, 1)))
    assert national_figures([r], 2011).persons == 1 and national_figures([r], 2013).persons == 0
    assert r.identified_on == D(2012, 3, 1)


def test_registered_is_identified_plus_presumed_as_at_the_end_of_the_period():
    rows = [
        row("a", identified_on=D(2011, 4, 1)),
        row("b", identified_on=D(2012, 2, 1)),
        row("c"),
    ]
    f2011 = national_figures(rows, 2011)
    assert (f2011.persons, f2011.identified, f2011.presumed) == (3, 1, 2)
    f2012 = national_figures(rows, 2012)
    assert (f2012.identified, f2012.presumed) == (2, 1)
    shown = as_json(f2011, extended=True)
    assert shown["identified"] + shown["presumed"] == shown["persons"]


# --- events and states ----------------------------------------------------------------------------


def test_events_count_in_the_period_of_their_date():
    r = row(
        reflection_applied=frozenset({D(2011, 3, 31)}),
        reflection_granted=frozenset({D(2011, 4, 2)}),
        legal=frozenset({("temporary_permit_applied", D(2011, 9, 1))}),
        follow_ups=((D(2011, 12, 1), True), (D(2012, 3, 1), False)),
    )
    q1 = national_figures([r], Period(D(2011, 1, 1), D(2011, 3, 31)))
    assert q1.reflection_period == {"applied": 1, "granted": 0, "rejected": 0}
    year = national_figures([r], 2011)
    assert year.reflection_period["granted"] == 1 and year.temporary_permit["applied"] == 1
    assert year.reintegration_follow_up == {"due": 1, "reached": 1}


def test_cooperation_with_the_police_is_the_state_on_the_periods_last_day():
    r = row(cooperation=((D(2011, 4, 1), "considering"), (D(2011, 8, 1), "reported")))
    assert national_figures([r], Period(D(2011, 1, 1), D(2011, 6, 30))).police_cooperation["considering"] == 1
    assert national_figures([r], 2011).police_cooperation["reported"] == 1
    assert national_figures([r], Period(D(2011, 1, 1), D(2011, 3, 31))).police_cooperation["considering"] == 0


# --- the command ----------------------------------------------------------------------------------


def test_stats_takes_a_period_and_refuses_an_unclear_one(capsys, personas, agencies):
    report_person(personas.police, agencies.police, "Ada", "Okoro", referral_date=D(2011, 3, 1))
    assert main(["stats", "--from", "2011-03-01", "--to", "2011-03-01", "--json", "--extended"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert (data["year"], data["from"], data["to"], data["first_identified"]) == (
        None,
        "2011-03-01",
        "2011-03-01",
        1,
    )
    assert main(["stats", "--from", "2011-01-01", "--to", "2011-12-31", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["year"] == 2011  # a calendar year is a year
    for bad in (
        ["stats", "--from", "2011-03-02", "--to", "2011-03-01"],
        ["stats", "--from", "2011-03-01"],
        ["stats", "--year", "2011", "--from", "2011-03-01", "--to", "2011-03-02"],
        ["stats"],
    ):
        assert main(bad) != 0
        assert "--" in capsys.readouterr().err
