"""The offence rules (rules/offences.json): the section of law in force at the time of the facts.

The rule is data (DESIGN: rules are data); this module only reads it. A criminal case keeps the section
and the rule version it was recorded with, so a later change of the file does not rewrite old cases.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

RULES_FILE = Path(__file__).with_name("rules") / "offences.json"


@cache
def rules() -> dict[str, Any]:
    with RULES_FILE.open(encoding="utf-8") as stream:
        data: dict[str, Any] = json.load(stream)
    return data


def rule_version() -> int:
    return int(rules()["version"])


@dataclass(frozen=True)
class Provision:
    offence: str
    section: str
    valid_from: dt.date
    valid_to: dt.date | None
    source: str  # the source text
    verified: bool
    note: str = ""


def provisions(offence: str) -> list[Provision]:
    data = rules()
    out = []
    for period in data["offences"].get(offence, []):
        out.append(
            Provision(
                offence=offence,
                section=period["section"],
                valid_from=dt.date.fromisoformat(period["from"]),
                valid_to=dt.date.fromisoformat(period["to"]) if period["to"] else None,
                source=data["sources"][period["source"]],
                verified=bool(period["verified"]),
                note=period.get("note", ""),
            )
        )
    return out


def provision_for(offence: str, facts_date: dt.date) -> Provision | None:
    """The provision in force on the date of the facts, or None when no provision covers that date."""
    for provision in provisions(offence):
        if provision.valid_from <= facts_date and (
            provision.valid_to is None or facts_date <= provision.valid_to
        ):
            return provision
    return None
