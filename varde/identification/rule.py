"""The combination rule of the ILO/EC operational indicators (2009). Pure functions, no database.

An element is positive when its ticked indicators include at least
  2 strong; or 1 strong and 1 medium or weak; or 3 medium; or 2 medium and 1 weak.
Adults:   (deceptive OR coercive OR abuse-of-vulnerability recruitment) AND exploitation
          AND (coercion at destination OR abuse of vulnerability at destination).
Children: (any recruitment element) AND exploitation -- the means are not required
          (Penal Code 1902 s.224 third paragraph for facts before 1 October 2015;
          Penal Code 2005 s.257 from then on).
Checklists (rule "checklist") never conclude alone: any tick is `inconclusive`.

The outcome supports the professional's judgement; it never decides alone.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from .catalogue import DESTINATION_ELEMENTS, EXPLOITATION, RECRUITMENT_ELEMENTS, indicator_index
from .errors import UnknownIndicator


class Outcome(StrEnum):
    INDICATES_TRAFFICKING = "indicates_trafficking"
    INCONCLUSIVE = "inconclusive"
    NO_INDICATORS = "no_indicators"


def element_is_positive(*, strong: int, medium: int, weak: int) -> bool:
    return strong >= 2 or (strong >= 1 and medium + weak >= 1) or medium >= 3 or (medium >= 2 and weak >= 1)


def ilo_combination(*, population: str, positive: Mapping[str, bool]) -> bool:
    """Whether positive elements meet the rule for the population ("adult" or "child")."""
    recruitment = any(positive.get(e, False) for e in RECRUITMENT_ELEMENTS)
    exploitation = positive.get(EXPLOITATION, False)
    if population == "child":
        return recruitment and exploitation
    return recruitment and exploitation and any(positive.get(e, False) for e in DESTINATION_ELEMENTS)


@dataclass(frozen=True)
class ElementResult:
    id: str
    positive: bool
    strong: int
    medium: int
    weak: int
    indicators: tuple[str, ...]

    def as_dict(self) -> dict[str, Any]:
        return {
            "positive": self.positive,
            "strong": self.strong,
            "medium": self.medium,
            "weak": self.weak,
            "indicators": list(self.indicators),
        }


@dataclass(frozen=True)
class RuleResult:
    catalogue: str
    version: int
    rule: str
    population: str
    elements: dict[str, ElementResult]
    outcome: Outcome

    def as_dict(self) -> dict[str, Any]:
        """The shape shared by the CLI, the API and the stored assessment."""
        return {
            "catalogue": self.catalogue,
            "version": self.version,
            "elements": {eid: el.as_dict() for eid, el in self.elements.items()},
            "conclusion": self.outcome.value,
        }


def evaluate(catalogue: Mapping[str, Any], indicator_ids: Iterable[str]) -> RuleResult:
    """Apply the catalogue's rule to the ticked indicator ids (duplicates and blanks are ignored)."""
    ticked = {i.strip() for i in indicator_ids if i and i.strip()}
    index = indicator_index(dict(catalogue))
    unknown = ticked - index.keys()
    if unknown:
        raise UnknownIndicator(catalogue["id"], unknown)
    is_checklist = catalogue["rule"] == "checklist"
    elements: dict[str, ElementResult] = {}
    for el in catalogue["elements"]:
        chosen = [ind for ind in el["indicators"] if ind["id"] in ticked]
        counts = {s: sum(1 for ind in chosen if ind["strength"] == s) for s in ("strong", "medium", "weak")}
        positive = bool(chosen) if is_checklist else element_is_positive(**counts)
        elements[el["id"]] = ElementResult(
            id=el["id"], positive=positive, indicators=tuple(ind["id"] for ind in chosen), **counts
        )
    if not ticked:
        outcome = Outcome.NO_INDICATORS
    elif not is_checklist and ilo_combination(
        population=catalogue["population"], positive={eid: el.positive for eid, el in elements.items()}
    ):
        outcome = Outcome.INDICATES_TRAFFICKING
    else:
        outcome = Outcome.INCONCLUSIVE
    return RuleResult(
        catalogue=catalogue["id"],
        version=catalogue["version"],
        rule=catalogue["rule"],
        population=catalogue["population"],
        elements=elements,
        outcome=outcome,
    )
