"""Demo data that tells the truth: after `varde demo`, `varde stats --year 2009` prints the 2011-2014
action plan's 2009 figures exactly, out of the same linkage and review pipeline real data goes
through, while a plain count of referrals gives other numbers; no "true person" column is read."""

from __future__ import annotations

import datetime as dt
import json
import re

import pytest
from django.apps import apps
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from varde.cases.models import Case, CaseStatus, Referral, StatusChange
from varde.cli import main
from varde.linkage.models import PersonCluster
from varde.response.models import OPEN_CLOCK_STATES, Clock, LegalStatus
from varde.statistics.police_districts import districts

pytestmark = pytest.mark.django_db

SEED_2009 = {
    "persons": 292,
    "women": 191,
    "men": 32,
    "girls": 50,
    "boys": 19,  # 69 children
    "nationalities": 43,
}
TRUE_PERSON = re.compile(r"true_?person|truth|real_?person|person_?index|same_?human", re.IGNORECASE)


def run(capsys, *argv: str) -> tuple[int, str]:
    capsys.readouterr()
    code = main(list(argv))
    return code, capsys.readouterr().out


def stats_2009(capsys, *extra: str) -> dict:
    code, out = run(capsys, "stats", "--year", "2009", "--json", *extra)
    assert code == 0
    return json.loads(out)


def test_the_demo_reproduces_2009_through_linkage_and_referrals_do_not(capsys):
    code, out = run(capsys, "demo", "--persons", "30", "--seed", "11")
    assert code == 0 and "292 persons in" in out

    with CaptureQueriesContext(connection) as queries:
        data = stats_2009(capsys, "--extended")
    assert {key: data[key] for key in SEED_2009} == SEED_2009
    assert data["girls"] + data["boys"] == 69
    assert data["by_nationality"]["NG"] == 121
    assert data["reflection_period"] == {"applied": 73, "granted": 50, "rejected": 23}
    # After the reflection period (seed 002): permits, renewals, testimony, returns with IOM.
    assert data["temporary_permit"] == {"applied": 20, "granted": 10, "rejected": 9, "dropped": 1}
    assert data["temporary_permit_renewal"] == {"applied": 5, "granted": 4, "rejected": 1}
    assert data["permit_after_testimony"] == 3
    assert data["voluntary_returns"] == 19
    cooperation = data["police_cooperation"]
    assert (cooperation["investigation"], cooperation["testified"], cooperation["considering"]) == (17, 3, 30)
    assert cooperation["declined"] + cooperation["not_asked"] == 23
    assert cooperation["cooperating"] == 20  # 20 of the 73 who applied for a reflection period
    follow_up = data["reintegration_follow_up"]
    assert 0 < follow_up["reached"] <= follow_up["due"] < 19 * 3  # most stages fall due in 2010
    # Several agencies record one person's application in their own cases: counting entries gives more.
    entries = LegalStatus.objects.filter(kind="temporary_permit_applied", from_date__year=2009)
    assert entries.count() > 20 and entries.values("case__person").distinct().count() > 20
    assert sum(data["by_police_district"].values()) == 292  # every 2009 person met in a known municipality
    assert set(data["by_police_district"]) <= set(districts())

    # A plain count of referrals gives other numbers: several agencies reported the same person.
    referrals = Referral.objects.filter(referral_date__year=2009)
    adults = referrals.filter(case__is_child=False)
    assert referrals.count() > 292
    assert adults.filter(case__person__sex="F").count() != 191
    nationalities = referrals.values_list("case__person__nationalities", flat=True)
    assert sum(1 for n in nationalities if n and n[0] == "NG") != 121
    assert sum(data["by_reporting_agency_kind"].values()) > 292

    # The statistics read no "true person": no model has such a field, no query names one.
    for model in apps.get_models():
        assert not any(TRUE_PERSON.search(f.name) for f in model._meta.get_fields()), model
    sql = " ".join(q["sql"] for q in queries.captured_queries)
    assert "linkage_clustermember" in sql and not TRUE_PERSON.search(sql)

    # The reflection-period applications of 2007 and 2008 come from records of those years: in 2007
    # from 31 of the 111 persons of seed 000's table, in 2008 from 50 persons reported after March.
    for year, applied, persons in ((2007, 31, 111), (2008, 50, 22 + 50)):
        code, out = run(capsys, "stats", "--year", str(year), "--json")
        assert code == 0 and json.loads(out)["reflection_period"]["applied"] == applied
        assert json.loads(out)["persons"] == persons

    # Nothing else falls in 2009: the demo's own persons begin in 2010, 2009's cases closed in 2010,
    # and the persons of 2005-2008 were followed up in their year only.
    earlier = Case.objects.filter(referrals__referral_date__lt=dt.date(2009, 1, 1)).distinct()
    assert earlier.count() > 204 + 50  # persons reported more than once are several cases
    assert not earlier.exclude(status=CaseStatus.CLOSED).exists()
    assert not StatusChange.objects.filter(case__in=earlier, at__year__gte=2009).exists()
    cases_2009 = Case.objects.filter(referrals__referral_date__year=2009).distinct()
    assert cases_2009.count() == referrals.count()
    assert not cases_2009.exclude(status=CaseStatus.CLOSED).exists()
    assert not Clock.objects.filter(case__in=cases_2009, state__in=OPEN_CLOCK_STATES).exists()
    for case in cases_2009.prefetch_related("referrals"):  # timelines dated back, as the demo's own
        assert timezone.localtime(case.opened_at).date() == case.referrals.get().referral_date
    closed = StatusChange.objects.filter(case__in=cases_2009, to_status=CaseStatus.CLOSED)
    assert {timezone.localtime(c.at).date() for c in closed} == {dt.date(2010, 6, 30)}
    assert stats_2009(capsys)["persons"] == 292

    # Running the demo again changes nothing, and the figures stay.
    before = (Case.objects.count(), Referral.objects.count(), StatusChange.objects.count())
    code, out = run(capsys, "demo", "--persons", "30", "--seed", "11")
    assert code == 0 and "already loaded" in out
    assert (Case.objects.count(), Referral.objects.count(), StatusChange.objects.count()) == before
    assert stats_2009(capsys)["persons"] == 292

    # The persons come out of the linkage: without its clusters every referral would count alone.
    PersonCluster.objects.all().delete()
    assert stats_2009(capsys)["persons"] == referrals.count()
