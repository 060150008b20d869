"""The rule files: versions, named sources, and messages that can only use non-personal fields."""

from __future__ import annotations

import copy

import pytest

from varde.response import rules


def test_every_clock_kind_names_its_source_and_both_languages():
    data = rules.clock_rules()
    assert data["version"] >= 1
    for kind, spec in data["kinds"].items():
        assert spec["source"]["nb"] and spec["source"]["en"], kind
        assert spec["label"]["nb"] and spec["label"]["en"]
    assert rules.clock_spec("safe_placement")["length"] == {"hours": 24}
    assert rules.clock_spec("reflection_period")["length"] == {"months": 6}
    assert "§ 8-3" in rules.clock_spec("reflection_period")["source"]["nb"]
    assert "§ 8-3" in rules.clock_spec("reflection_period")["source"]["en"]


def test_a_message_using_a_personal_field_is_refused():
    data = copy.deepcopy(rules.routing_rules())
    data["kinds"]["presumed_child"]["text"]["outsider"]["en"] = "Case {reference}: {given_name} is a child"
    with pytest.raises(rules.RuleError, match="given_name"):
        rules.validate_routing(data)


def test_unknown_targets_lengths_and_kinds_are_refused():
    routing = copy.deepcopy(rules.routing_rules())
    routing["kinds"]["disappearance"]["to"].append({"target": "everyone"})
    with pytest.raises(rules.RuleError):
        rules.validate_routing(routing)
    clocks = copy.deepcopy(rules.clock_rules())
    clocks["kinds"]["safe_placement"]["length"] = {"fortnights": 1}
    with pytest.raises(rules.RuleError):
        rules.validate_clocks(clocks)
    clocks = copy.deepcopy(rules.clock_rules())
    clocks["kinds"]["safe_placement"]["source"] = ""
    with pytest.raises(rules.RuleError):
        rules.validate_clocks(clocks)
    with pytest.raises(rules.RuleError):
        rules.clock_spec("no_such_clock")
