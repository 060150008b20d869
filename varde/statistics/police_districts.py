"""Police district (politidistrikt) of a municipality, from rules/police_districts.json.

The file holds the 12 districts, the county rule (the first two digits of a 2024 kommunenummer) and
the municipalities that belong to another district than their county's, each with its source. The
rule is data (DESIGN: rules are data); this module only reads it. A number that is not a 2024
municipality (an old number, Svalbard, a typo) has no district: "" (unknown).
"""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path
from typing import Any

RULES_FILE = Path(__file__).with_name("rules") / "police_districts.json"
UNKNOWN = ""


@cache
def rules() -> dict[str, Any]:
    with RULES_FILE.open(encoding="utf-8") as stream:
        data: dict[str, Any] = json.load(stream)
    return data


def districts() -> dict[str, dict[str, str]]:
    """District code -> {"nb": name, "en": name}, in the file's order."""
    result: dict[str, dict[str, str]] = rules()["districts"]
    return result


def municipalities() -> dict[str, str]:
    """Every 2024 kommunenummer -> its name."""
    result: dict[str, str] = rules()["municipalities"]
    return result


@cache
def _table() -> dict[str, str]:
    data = rules()
    table = {}
    for number in data["municipalities"]:
        exception = data["exceptions"].get(number)
        table[number] = exception["district"] if exception else data["by_county"][number[:2]]
    return table


def police_district(municipality: str) -> str:
    """The district code of a kommunenummer, or "" when it is not a 2024 municipality."""
    return _table().get((municipality or "").strip(), UNKNOWN)
