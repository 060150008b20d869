"""The rule's result in plain words, for pages: every element with the indicators behind it, which parts
of the rule are met, and what the rule needs. Pure: no database.

The indicators support the professional's judgement; they never decide alone. The explanation says so.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from .catalogue import DESTINATION_ELEMENTS, EXPLOITATION, RECRUITMENT_ELEMENTS, text
from .rule import Outcome


def strength_label(strength: str) -> str:
    return {
        "strong": _("Strong indicator"),
        "medium": _("Medium indicator"),
        "weak": _("Weak indicator"),
    }.get(strength, strength)


def outcome_label(outcome: str, rule: str = "ilo") -> str:
    if outcome == Outcome.INDICATES_TRAFFICKING:
        return _("The indicators point to trafficking")
    if outcome == Outcome.INCONCLUSIVE:
        if rule == "checklist":
            return _("Inconclusive: items are ticked, and a checklist never concludes alone")
        return _("Inconclusive: there are indicators, but the rule is not met")
    if outcome == Outcome.NO_INDICATORS:
        return _("No indicators are ticked")
    return outcome


def counts_text(*, strong: int, medium: int, weak: int) -> str:
    parts = []
    if strong:
        parts.append(ngettext("%(n)d strong", "%(n)d strong", strong) % {"n": strong})
    if medium:
        parts.append(ngettext("%(n)d medium", "%(n)d medium", medium) % {"n": medium})
    if weak:
        parts.append(ngettext("%(n)d weak", "%(n)d weak", weak) % {"n": weak})
    return ", ".join(parts)


def element_summary(*, title: str, rule: str, positive: bool, strong: int, medium: int, weak: int) -> str:
    """One line per element, e.g. "Deceptive recruitment: positive (1 strong, 1 medium)"."""
    counts = counts_text(strong=strong, medium=medium, weak=weak)
    if not counts:
        return _("%(element)s: nothing ticked") % {"element": title}
    if rule == "checklist":
        return _("%(element)s: ticked (%(counts)s)") % {"element": title, "counts": counts}
    if positive:
        return _("%(element)s: positive (%(counts)s)") % {"element": title, "counts": counts}
    return _("%(element)s: not positive (%(counts)s)") % {"element": title, "counts": counts}


PENAL_CODE_2005_IN_FORCE = dt.date(2015, 10, 1)


def child_provision(facts_on: dt.date | None) -> str:
    """The provision that makes the means unnecessary for a child, as in force at the time of the
    facts: the 1902 Penal Code's section 224 third paragraph before 1 October 2015, the 2005 Penal
    Code's section 257 (and 258, aggravated) from then on."""
    if facts_on is not None and facts_on < PENAL_CODE_2005_IN_FORCE:
        return _("Penal Code 1902 section 224, third paragraph: facts before 1 October 2015")
    return _("Penal Code 2005 section 257, on persons under 18; section 258 when aggravated")


def rule_text(*, rule: str, population: str, facts_on: dt.date | None = None) -> str:
    if rule == "checklist":
        return _(
            "A checklist never concludes alone: any ticked item makes the picture inconclusive. "
            "Use an ILO/EC list for a full assessment."
        )
    if population == "child":
        return _(
            "The rule for children needs a recruitment element AND exploitation. The means (coercion, "
            "abuse of vulnerability) are not required for children (%(provision)s)."
        ) % {"provision": child_provision(facts_on)}
    return _(
        "The rule for adults needs a recruitment element (by deception, by coercion or by abuse of "
        "vulnerability) AND exploitation AND coercion or abuse of vulnerability at destination."
    )


def element_rule_text() -> str:
    return _(
        "An element is positive when its ticked indicators include at least 2 strong; or 1 strong and "
        "1 medium or weak; or 3 medium; or 2 medium and 1 weak."
    )


def _indicator(ind: Mapping[str, Any]) -> dict[str, Any]:
    return {
        "id": ind["id"],
        "text": ind["text"],
        "strength": ind["strength"],
        "strength_label": strength_label(ind["strength"]),
    }


def elements_of(content: Mapping[str, Any], results: Mapping[str, Any], lang: str) -> list[dict[str, Any]]:
    """A result of the rule (not yet stored) in the shape assessment_explain() gives a stored one."""
    rows = []
    for el in content["elements"]:
        detail = results[el["id"]]
        chosen = set(detail["indicators"])
        rows.append(
            {
                "id": el["id"],
                "title": text(el["title"], lang),
                **detail,
                "all_indicators": [
                    {
                        "id": ind["id"],
                        "text": text(ind["text"], lang),
                        "help": text(ind["help"], lang),
                        "strength": ind["strength"],
                        "ticked": ind["id"] in chosen,
                    }
                    for ind in el["indicators"]
                ],
            }
        )
    return rows


def _parts(*, rule: str, population: str, elements: Sequence[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """Which parts of the ILO rule are met, and by which elements."""
    if rule != "ilo":
        return []
    positive = {el["id"]: el["title"] for el in elements if el["positive"]}
    parts: list[dict[str, Any]] = [
        {"label": _("Recruitment"), "by": [positive[e] for e in RECRUITMENT_ELEMENTS if e in positive]},
        {"label": _("Exploitation"), "by": [positive[e] for e in (EXPLOITATION,) if e in positive]},
    ]
    if population != "child":
        parts.append(
            {
                "label": _("Coercion or abuse of vulnerability at destination"),
                "by": [positive[e] for e in DESTINATION_ELEMENTS if e in positive],
            }
        )
    for part in parts:
        part["met"] = bool(part["by"])
    return parts


def explain(
    *,
    rule: str,
    population: str,
    outcome: str,
    elements: Sequence[Mapping[str, Any]],
    facts_on: dt.date | None = None,
) -> dict[str, Any]:
    """The explanation of one result of the rule, stored (assessment_explain()'s elements) or previewed
    (elements_of()). `facts_on` (the case's first referral) picks the penal provision in force then."""
    rows = []
    for number, el in enumerate(elements, 1):
        counts = {"strong": el["strong"], "medium": el["medium"], "weak": el["weak"]}
        rows.append(
            {
                "id": el["id"],
                "number": number,
                "title": el["title"],
                "positive": bool(el["positive"]),
                **counts,
                "summary": element_summary(
                    title=el["title"], rule=rule, positive=bool(el["positive"]), **counts
                ),
                "ticked": [_indicator(i) for i in el["all_indicators"] if i["ticked"]],
                "not_ticked": [_indicator(i) for i in el["all_indicators"] if not i["ticked"]],
                "local": list(el.get("local", [])),
            }
        )
    return {
        "rule": rule,
        "population": population,
        "outcome": outcome,
        "outcome_label": outcome_label(outcome, rule),
        "rule_text": rule_text(rule=rule, population=population, facts_on=facts_on),
        "element_rule_text": element_rule_text() if rule == "ilo" else "",
        "parts": _parts(rule=rule, population=population, elements=rows),
        "elements": rows,
        "ticked_total": sum(len(row["ticked"]) for row in rows),
    }
