"""Both seed plans load with every measure and ministry (issue 19, done-when 1); what the seeds do not
say is marked unverified, never guessed."""

from __future__ import annotations

import copy

import pytest

from varde.coordination import plans
from varde.coordination.models import ActionPlan, Measure, MeasureMinistry, Ministry

pytestmark = pytest.mark.django_db

# Seed 002, chapter 2: each measure's ministries as the plan lists them (first = lead).
MINISTRIES_2011 = {
    1: ["ud", "jd", "bld"], 2: ["ud", "jd"], 3: ["ud"], 4: ["fd"], 5: ["jd"], 6: ["jd"], 7: ["ud", "jd"],
    8: ["ud"], 9: ["ud"], 10: ["jd"], 11: ["hod"], 12: ["jd"], 13: ["jd"], 14: ["jd"], 15: ["jd"],
    16: ["bld", "jd", "fad", "hod"], 17: ["fad", "jd", "krd", "bld"], 18: ["fad"],
    19: ["fad", "jd", "krd", "bld"], 20: ["hod"], 21: ["jd"], 22: ["jd"], 23: ["jd"], 24: ["bld"],
    25: ["bld", "jd"], 26: ["bld"], 27: ["bld"], 28: ["bld"], 29: ["jd"], 30: ["jd"], 31: ["jd", "ud"],
    32: ["jd"], 33: ["jd"], 34: ["jd"], 35: ["jd"],
}  # fmt: skip
CHAPTERS_2011 = {
    4: range(1, 5),
    5: range(5, 8),
    6: range(8, 14),
    7: range(14, 24),
    8: range(24, 29),
    9: range(29, 36),
}
MFA_2006 = {1, 2, 11, 16, 23, 30, 31, 32, 33, 34, 35, 36, 37}  # seed 004's table of contents


def _ministries(measure: Measure) -> list[str]:
    return [
        r.ministry.code for r in MeasureMinistry.objects.filter(measure=measure).select_related("ministry")
    ]


def test_the_2011_2014_plan_has_35_measures_with_their_chapters_and_ministries():
    plan = ActionPlan.objects.get(code="2011-2014")
    measures = list(plan.measures.select_related("chapter"))
    assert [m.number for m in measures] == list(range(1, 36))
    for m in measures:
        assert _ministries(m) == MINISTRIES_2011[m.number], m.number
        assert m.text_en and m.text_nb and m.verified, m.number
        assert m.number in CHAPTERS_2011[m.chapter.number]
        lead = MeasureMinistry.objects.get(measure=m, is_lead=True)
        assert lead.ministry.code == MINISTRIES_2011[m.number][0]
    assert plan.chapters.count() == 6


def test_the_2006_2009_plan_has_37_measures_and_marks_what_the_seeds_do_not_say():
    plan = ActionPlan.objects.get(code="2006-2009")
    measures = {m.number: m for m in plan.measures.all()}
    assert sorted(measures) == list(range(1, 38))
    for number, m in measures.items():
        if number in MFA_2006:
            assert _ministries(m) == ["ud"] and m.text_en and m.text_verified
            assert not m.ministries_verified  # the MFA may share it with ministries the seeds do not name
        elif number == 29:
            assert "KOM" in m.text_en and m.text_verified and _ministries(m) == []
        else:
            assert (m.text_en, m.text_verified, m.ministries_verified, _ministries(m)) == (
                "",
                False,
                False,
                [],
            )
    assert sorted(plans.plan_ministry_codes(plan)) == ["aid", "bld", "fd", "hod", "jd", "ud"]


def test_loading_again_changes_nothing_and_a_newer_file_version_updates_in_place():
    before = Measure.objects.count()
    assert plans.plans_load().plans == 0
    assert Measure.objects.count() == before == 72
    data = copy.deepcopy(plans.plan_file("plan_2011_2014"))
    data["version"] += 1
    data["measures"][0]["text"]["en"] = "Reworded."
    measure_id = Measure.objects.get(plan__code="2011-2014", number=1).pk
    result = plans.load_into(plans.real_tables(), ())  # ministries only
    assert result.plans == 0
    plans._load_plan(plans.real_tables(), data, {m.code: m for m in Ministry.objects.all()})
    assert Measure.objects.get(pk=measure_id).text_en == "Reworded."


@pytest.mark.parametrize(
    "change, message",
    [
        (lambda d: d["measures"].pop(3), "numbered 1..n"),
        (lambda d: d["measures"][0]["ministries"].append("xx"), "unknown ministry"),
        (lambda d: d["measures"][0].update(chapter=99), "chapter 99"),
        (lambda d: d["measures"][0].update(lead="fd"), "lead"),
        (lambda d: d["measures"][0].update(source=""), "source"),
    ],
)
def test_a_malformed_plan_file_is_refused(change, message):
    data = copy.deepcopy(plans.plan_file("plan_2011_2014"))
    change(data)
    with pytest.raises(plans.PlanFileError, match=message):
        plans.validate_plan(data, "test.json")
