"""The 24-hour rule is met by care under child welfare (a child-welfare institution, an emergency
foster home, a state care centre for unaccompanied minors), never by an adult service. Placement
kinds carry whom they are for and who is responsible, as data with its source."""

from __future__ import annotations

import copy

import pytest

from varde.response.models import Clock, ClockState, PlacementKind
from varde.response.placements import placement_record
from varde.response.rules import (
    RuleError,
    child_safe_place_kinds,
    placement_kind_rules,
    validate_placement_kinds,
)

ADULT_OR_NOT_CARE = [
    "crisis_centre",
    "shelter",
    "supported_housing",
    "reception_centre",
    "municipal_housing",
    "other",
]


def _clock(case) -> Clock:
    return Clock.objects.get(case=case, kind="safe_placement")


def test_a_crisis_centre_or_other_adult_service_does_not_meet_a_childs_clock(world, frozen):
    case = world.cases.police_child
    for kind in ADULT_OR_NOT_CARE:
        placement_record(actor=world.personas.police, case=case, kind=kind, from_at=frozen.now)
        assert _clock(case).state == ClockState.RUNNING, kind
        frozen.advance(minutes=10)


def test_care_under_child_welfare_meets_it(world, frozen):
    cases = [world.cases.police_child, world.cases.childwelfare_child, world.cases.ngo_child]
    actors = [world.personas.police, world.personas.childwelfare, world.personas.ngo]
    kinds = ["child_welfare_institution", "foster_home", "care_centre"]
    for case, actor, kind in zip(cases, actors, kinds, strict=True):
        placement_record(actor=actor, case=case, kind=kind, from_at=frozen.now)
        assert _clock(case).state == ClockState.MET, kind


def test_placement_kinds_say_whom_they_are_for_and_who_is_responsible():
    rules = placement_kind_rules()
    assert rules["source"] and set(rules["kinds"]) == set(PlacementKind.values)
    assert child_safe_place_kinds() == {"child_welfare_institution", "foster_home", "care_centre"}
    for kind in child_safe_place_kinds():
        spec = rules["kinds"][kind]
        assert spec["for"] == "child" and spec["responsible"] == "child_welfare"
    for kind in ("crisis_centre", "shelter", "supported_housing"):
        assert rules["kinds"][kind]["for"] == "adult"
    broken = copy.deepcopy(rules)
    broken["kinds"]["crisis_centre"]["meets_child_safe_place"] = True
    with pytest.raises(RuleError, match="only care under child welfare"):
        validate_placement_kinds(broken)
