"""The combination rule: property-based over random ticks for the four ILO lists, plus golden cases."""

from __future__ import annotations

from collections import Counter

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from varde.identification.catalogue import DESTINATION_ELEMENTS, RECRUITMENT_ELEMENTS, shipped_catalogue
from varde.identification.errors import UnknownIndicator
from varde.identification.rule import Outcome, element_is_positive, evaluate

ILO_IDS = ["ilo_adult_labour", "ilo_adult_sexual", "ilo_child_labour", "ilo_child_sexual"]
CATALOGUES = {cid: shipped_catalogue(cid) for cid in ILO_IDS}
ALL_IDS = {cid: [i["id"] for e in c["elements"] for i in e["indicators"]] for cid, c in CATALOGUES.items()}
ELEMENT_OF = {
    cid: {i["id"]: e["id"] for e in c["elements"] for i in e["indicators"]} for cid, c in CATALOGUES.items()
}
STRENGTH_OF = {
    cid: {i["id"]: i["strength"] for e in c["elements"] for i in e["indicators"]}
    for cid, c in CATALOGUES.items()
}

# The thresholds restated independently: the smallest sets of strengths that make an element positive.
MINIMAL_SETS = [Counter(s=2), Counter(s=1, m=1), Counter(s=1, w=1), Counter(m=3), Counter(m=2, w=1)]


def positive_by_restatement(strengths: list[str]) -> bool:
    have = Counter(s[0] for s in strengths)
    return any(all(have[k] >= n for k, n in needed.items()) for needed in MINIMAL_SETS)


@st.composite
def ticks(draw, catalogue_id=None):
    cid = catalogue_id or draw(st.sampled_from(ILO_IDS))
    chosen = draw(st.sets(st.sampled_from(ALL_IDS[cid]), max_size=30))
    return cid, chosen


@given(st.integers(0, 6), st.integers(0, 6), st.integers(0, 6))
def test_element_threshold_matches_restatement(strong, medium, weak):
    assert element_is_positive(strong=strong, medium=medium, weak=weak) == positive_by_restatement(
        ["strong"] * strong + ["medium"] * medium + ["weak"] * weak
    )


@settings(max_examples=300)
@given(ticks())
def test_element_positivity_and_counts(case):
    cid, chosen = case
    result = evaluate(CATALOGUES[cid], chosen)
    for eid, detail in result.elements.items():
        mine = [i for i in chosen if ELEMENT_OF[cid][i] == eid]
        assert sorted(detail.indicators) == sorted(mine)
        strengths = [STRENGTH_OF[cid][i] for i in mine]
        assert (detail.strong, detail.medium, detail.weak) == (
            strengths.count("strong"),
            strengths.count("medium"),
            strengths.count("weak"),
        )
        assert detail.positive == positive_by_restatement(strengths)


@settings(max_examples=300)
@given(ticks())
def test_outcome_matches_the_combination(case):
    cid, chosen = case
    result = evaluate(CATALOGUES[cid], chosen)
    pos = {eid: el.positive for eid, el in result.elements.items()}
    met = any(pos[e] for e in RECRUITMENT_ELEMENTS) and pos["exploitation"]
    if CATALOGUES[cid]["population"] == "adult":
        met = met and any(pos[e] for e in DESTINATION_ELEMENTS)
    expected = (
        Outcome.NO_INDICATORS
        if not chosen
        else (Outcome.INDICATES_TRAFFICKING if met else Outcome.INCONCLUSIVE)
    )
    assert result.outcome == expected


@settings(max_examples=300)
@given(ticks(), st.data())
def test_ticking_more_never_takes_anything_back(case, data):
    cid, chosen = case
    more = chosen | data.draw(st.sets(st.sampled_from(ALL_IDS[cid]), max_size=10))
    before, after = evaluate(CATALOGUES[cid], chosen), evaluate(CATALOGUES[cid], more)
    for eid in before.elements:
        assert not before.elements[eid].positive or after.elements[eid].positive
    if before.outcome == Outcome.INDICATES_TRAFFICKING:
        assert after.outcome == Outcome.INDICATES_TRAFFICKING
    if after.outcome == Outcome.NO_INDICATORS:
        assert not chosen


@settings(max_examples=200)
@given(st.sampled_from(["ilo_child_labour", "ilo_child_sexual"]), st.data())
def test_children_never_need_the_destination_elements(cid, data):
    chosen = data.draw(st.sets(st.sampled_from(ALL_IDS[cid]), max_size=30))
    without_destination = {i for i in chosen if ELEMENT_OF[cid][i] not in DESTINATION_ELEMENTS}
    full, reduced = evaluate(CATALOGUES[cid], chosen), evaluate(CATALOGUES[cid], without_destination)
    assert (full.outcome == Outcome.INDICATES_TRAFFICKING) == (
        reduced.outcome == Outcome.INDICATES_TRAFFICKING
    )


@settings(max_examples=200)
@given(st.sampled_from(["ilo_adult_labour", "ilo_adult_sexual"]), st.data())
def test_adults_always_need_a_destination_element(cid, data):
    chosen = data.draw(st.sets(st.sampled_from(ALL_IDS[cid]), max_size=40))
    without_destination = {i for i in chosen if ELEMENT_OF[cid][i] not in DESTINATION_ELEMENTS}
    assert evaluate(CATALOGUES[cid], without_destination).outcome != Outcome.INDICATES_TRAFFICKING


# --- golden cases, worked by hand ---------------------------------------------------------------------


def test_golden_adult_labour_indicates_trafficking():
    # deceived about the job (strong) + pay (medium): deceptive recruitment positive (1S + 1M);
    # excessive hours (strong) + low pay (medium): exploitation positive;
    # debt (strong) + documents kept (strong): coercion at destination positive (2S).
    r = evaluate(
        CATALOGUES["ilo_adult_labour"],
        ["dr_job_nature", "dr_wages", "ex_excessive_hours", "ex_low_pay", "cd_debt", "cd_documents_taken"],
    ).as_dict()
    assert r["conclusion"] == "indicates_trafficking"
    assert r["elements"]["deceptive_recruitment"] == {
        "positive": True,
        "strong": 1,
        "medium": 1,
        "weak": 0,
        "indicators": ["dr_job_nature", "dr_wages"],
    }
    assert r["elements"]["coercion_at_destination"]["strong"] == 2


def test_golden_adult_without_means_at_destination_is_inconclusive():
    r = evaluate(
        CATALOGUES["ilo_adult_labour"], ["dr_job_nature", "dr_wages", "ex_excessive_hours", "ex_low_pay"]
    )
    assert r.outcome == Outcome.INCONCLUSIVE


def test_golden_adult_vulnerability_at_destination_by_three_medium():
    r = evaluate(
        CATALOGUES["ilo_adult_sexual"],
        [
            "vr_economic",
            "vr_emotional_dependency",
            "vr_lack_information",  # 3 medium: recruitment positive
            "ex_no_choice_clients",
            "ex_earnings_taken",  # 1S + 1M: exploitation positive
            "vd_dependency",
            "vd_communication",
            "vd_personal_characteristics",  # 2M + 1W: positive
        ],
    )
    assert r.elements["abuse_of_vulnerability_recruitment"].positive
    assert r.elements["abuse_of_vulnerability_at_destination"].positive
    assert r.outcome == Outcome.INDICATES_TRAFFICKING


def test_golden_two_medium_alone_is_not_positive():
    r = evaluate(CATALOGUES["ilo_adult_labour"], ["dr_wages", "dr_housing"])
    assert not r.elements["deceptive_recruitment"].positive
    assert r.outcome == Outcome.INCONCLUSIVE


def test_golden_child_needs_no_means():
    # a child recruited with false promises of school and pay (2M + ... ) and made to beg (M) while out of
    # school (M) and working long hours (S): recruitment and exploitation suffice.
    r = evaluate(
        CATALOGUES["ilo_child_labour"],
        ["dr_education", "dr_wages", "dr_travel", "ex_excessive_hours", "ex_begging_selling"],
    )
    assert r.elements["deceptive_recruitment"].positive
    assert r.elements["exploitation"].positive
    assert not r.elements["coercion_at_destination"].positive
    assert r.outcome == Outcome.INDICATES_TRAFFICKING


def test_golden_child_sexual_exploitation_with_a_handed_over_child():
    r = evaluate(
        CATALOGUES["ilo_child_sexual"],
        ["cr_abduction", "cr_handed_over_by_family", "ex_child_sexual", "ex_earnings_taken"],
    )
    assert r.outcome == Outcome.INDICATES_TRAFFICKING


def test_the_same_ticks_on_the_adult_list_need_destination():
    ticks_ = ["dr_job_nature", "dr_wages", "ex_excessive_hours", "ex_hazardous"]
    assert evaluate(CATALOGUES["ilo_child_labour"], ticks_).outcome == Outcome.INDICATES_TRAFFICKING
    assert evaluate(CATALOGUES["ilo_adult_labour"], ticks_).outcome == Outcome.INCONCLUSIVE


def test_nothing_ticked():
    r = evaluate(CATALOGUES["ilo_adult_labour"], [])
    assert r.outcome == Outcome.NO_INDICATORS
    assert all(not e.positive for e in r.elements.values())


def test_unknown_indicator_is_a_clear_error():
    with pytest.raises(UnknownIndicator, match="ilo_adult_labour.*'no_such'"):
        evaluate(CATALOGUES["ilo_adult_labour"], ["dr_job_nature", "no_such"])


@pytest.mark.parametrize("cid", ["national_general", "national_child", "agency_outreach"])
def test_checklists_never_conclude_alone(cid):
    catalogue = shipped_catalogue(cid)
    everything = [i["id"] for e in catalogue["elements"] for i in e["indicators"]]
    assert evaluate(catalogue, everything).outcome == Outcome.INCONCLUSIVE
    assert evaluate(catalogue, everything[:1]).outcome == Outcome.INCONCLUSIVE
    assert evaluate(catalogue, []).outcome == Outcome.NO_INDICATORS
