"""The response's rules as data: clock kinds and lengths, notification routing, legal status texts.

Files live in varde/response/rules/*.json, each with an id, a version and a named source. Code only
evaluates them. A clock or notification keeps the version of the rule it was made with.
"""

from __future__ import annotations

import json
import string
from functools import cache
from pathlib import Path
from typing import Any

RULES_DIR = Path(__file__).resolve().parent / "rules"

# The only fields a notification text may use. None of them is personal data.
MESSAGE_FIELDS = frozenset({"reference", "clock", "due", "agency", "lead_agency", "lead_phone", "place_kind"})
LENGTH_KEYS = frozenset(
    {"hours", "days", "months", "months_each", "until", "default_months", "months_before_end"}
)
RESPONSIBLE = frozenset({"child_welfare", "lead", "task", "reporter"})
TARGETS = frozenset({"coordinators", "child_welfare", "police", "lead", "responsible", "invited"})
LANGS = ("nb", "en")


class RuleError(ValueError):
    """A rule file is malformed. Names the file and the problem, never any case data."""


def _load(name: str) -> dict[str, Any]:
    path = RULES_DIR / f"{name}.json"
    data = json.loads(path.read_text(encoding="utf-8"))
    if data.get("id") != name or not isinstance(data.get("version"), int):
        raise RuleError(f"{path.name}: needs id {name!r} and an integer version")
    return data


def _check_text(where: str, text: Any) -> None:
    if not isinstance(text, dict) or set(text) != set(LANGS):
        raise RuleError(f"{where}: needs nb and en")


def _check_template(where: str, template: str) -> None:
    for _literal, field, _spec, _conv in string.Formatter().parse(template):
        if field is not None and field not in MESSAGE_FIELDS:
            raise RuleError(f"{where}: field {field!r} is not allowed in a message")


def validate_clocks(data: dict[str, Any]) -> None:
    for kind, spec in data["kinds"].items():
        where = f"clocks.json {kind}"
        _check_text(where, spec.get("label"))
        _check_text(f"{where} source", spec.get("source"))
        for state, label in spec.get("state_labels", {}).items():
            _check_text(f"{where} state {state}", label)
        length = spec.get("length", {})
        if not length or set(length) - LENGTH_KEYS:
            raise RuleError(f"{where}: bad length {sorted(length)}")
        if spec.get("responsible") not in RESPONSIBLE:
            raise RuleError(f"{where}: responsible must be one of {sorted(RESPONSIBLE)}")


def validate_routing(data: dict[str, Any]) -> None:
    for kind, spec in data["kinds"].items():
        where = f"routing.json {kind}"
        if not isinstance(spec.get("urgent"), bool):
            raise RuleError(f"{where}: urgent must be true or false")
        variants = spec["text"].get("variants", {})
        for target in spec["to"]:
            if target.get("target") not in TARGETS:
                raise RuleError(f"{where}: unknown target {target.get('target')!r}")
            if target.get("text") and target["text"] not in variants:
                raise RuleError(f"{where}: unknown text variant {target['text']!r}")
        texts = [("", spec["text"])] + [(f" {name}", v) for name, v in variants.items()]
        for name, text in texts:
            for audience in ("participant", "outsider"):
                _check_text(f"{where}{name} {audience}", text.get(audience))
                for lang in LANGS:
                    _check_template(f"{where}{name} {audience} {lang}", text[audience][lang])


PLACEMENT_FOR = frozenset({"adult", "child", "both"})
PLACEMENT_RESPONSIBLE = frozenset({"child_welfare", "municipality", "ngo", "immigration", "other"})


def validate_placement_kinds(data: dict[str, Any]) -> None:
    if not data.get("source"):
        raise RuleError("placement_kinds.json: the source must be named")
    for kind, spec in data["kinds"].items():
        where = f"placement_kinds.json {kind}"
        _check_text(f"{where} label", spec.get("label"))
        if spec.get("for") not in PLACEMENT_FOR:
            raise RuleError(f"{where}: 'for' must be one of {sorted(PLACEMENT_FOR)}")
        if spec.get("responsible") not in PLACEMENT_RESPONSIBLE:
            raise RuleError(f"{where}: responsible must be one of {sorted(PLACEMENT_RESPONSIBLE)}")
        if spec.get("meets_child_safe_place") and (
            spec["for"] == "adult" or spec["responsible"] != "child_welfare"
        ):
            raise RuleError(f"{where}: only care under child welfare meets a child's safe place")


def validate_legal_status(data: dict[str, Any]) -> None:
    clock_kinds = set(clock_rules()["kinds"])
    for kind, spec in data["kinds"].items():
        where = f"legal_status.json {kind}"
        for key in ("label", "authority", "rights"):
            _check_text(f"{where} {key}", spec.get(key))
        if not spec.get("source"):
            raise RuleError(f"{where}: the source must be named")
        for clock_kind in [spec.get("starts_clock"), *spec.get("meets_clocks", [])]:
            if clock_kind and clock_kind not in clock_kinds:
                raise RuleError(f"{where}: unknown clock kind {clock_kind!r}")
        for withdrawn in spec.get("withdraws", []):
            if withdrawn not in data["kinds"]:
                raise RuleError(f"{where}: unknown status {withdrawn!r}")
        if spec.get("role") not in ("application", "decision", "status"):
            raise RuleError(f"{where}: role must be application, decision or status")
        if not spec.get("line"):
            raise RuleError(f"{where}: the line (the matter it belongs to) must be named")
        for authority in spec.get("deciders", []):
            if authority not in data["authorities"]:
                raise RuleError(f"{where}: unknown authority {authority!r}")
        if spec.get("role") == "decision" and not spec.get("deciders"):
            raise RuleError(f"{where}: a decision names who may decide it")
        if spec.get("help_system", "none") not in data["help_systems"]:
            raise RuleError(f"{where}: unknown help system {spec.get('help_system')!r}")
        if spec.get("appeals") and spec["appeals"] not in data["kinds"]:
            raise RuleError(f"{where}: unknown status {spec['appeals']!r}")
    for name in data["help_systems"]:
        _check_text(f"legal_status.json help_systems {name}", data["help_systems"][name])


@cache
def clock_rules() -> dict[str, Any]:
    data = _load("clocks")
    validate_clocks(data)
    return data


@cache
def routing_rules() -> dict[str, Any]:
    data = _load("routing")
    validate_routing(data)
    return data


@cache
def legal_status_rules() -> dict[str, Any]:
    data = _load("legal_status")
    validate_legal_status(data)
    return data


@cache
def placement_kind_rules() -> dict[str, Any]:
    data = _load("placement_kinds")
    validate_placement_kinds(data)
    return data


def after_closure_kinds() -> frozenset[str]:
    """Clock kinds that go on when the case closes (the follow-ups after a voluntary return: a case is
    closed as "returned home" and the person is followed up at home)."""
    return frozenset(k for k, v in clock_rules()["kinds"].items() if v.get("after_closure"))


def child_safe_place_kinds() -> frozenset[str]:
    """The kinds of place that meet a child's 24-hour clock: care under child welfare only."""
    return frozenset(k for k, v in placement_kind_rules()["kinds"].items() if v["meets_child_safe_place"])


def clock_spec(kind: str) -> dict[str, Any]:
    try:
        return clock_rules()["kinds"][kind]
    except KeyError:
        raise RuleError(f"unknown clock kind {kind[:40]!r}") from None


def route_spec(kind: str) -> dict[str, Any]:
    try:
        return routing_rules()["kinds"][kind]
    except KeyError:
        raise RuleError(f"unknown notification kind {kind[:40]!r}") from None


def urgent_kinds() -> frozenset[str]:
    """The notification kinds that ask for action at once (shown as urgent in the inbox)."""
    return frozenset(k for k, spec in routing_rules()["kinds"].items() if spec["urgent"])


def status_spec(kind: str) -> dict[str, Any]:
    try:
        return legal_status_rules()["kinds"][kind]
    except KeyError:
        raise RuleError(f"unknown legal status {kind[:40]!r}") from None


def lang_of(language: str | None) -> str:
    return "en" if (language or "").lower().startswith("en") else "nb"


def clock_label(kind: str, language: str | None = None) -> str:
    return str(clock_spec(kind)["label"][lang_of(language)])


def clock_source(kind: str, language: str | None = None) -> str:
    """The legal source of a clock kind in the page's language (the rules' current version)."""
    return str(clock_spec(kind)["source"][lang_of(language)])


def clock_state_label(kind: str, state: str, language: str | None = None) -> str:
    """How a state of this kind of clock is named where the general word would mislead (a reflection
    period is granted, not met); '' for the general word."""
    label = clock_spec(kind).get("state_labels", {}).get(state)
    return str(label[lang_of(language)]) if label else ""


def clock_choices() -> list[tuple[str, str]]:
    return [(k, v["label"]["en"]) for k, v in clock_rules()["kinds"].items()]
