"""Small record sets for linkage tests (synthetic; no real person)."""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from bench.linkage.generate import generate  # noqa: E402
from varde.core.interchange_format import INTERCHANGE_COLUMNS  # noqa: E402

COLUMNS = INTERCHANGE_COLUMNS


def rec(
    record_id: str,
    agency: str,
    given: str,
    family: str,
    *,
    date: str = "2009-03-01",
    sex: str = "F",
    dob: str = "",
    age: str = "",
    nat: str = "NG",
    phone: str = "",
    doc: str = "",
) -> dict[str, str]:
    return {
        "record_id": record_id,
        "reporting_agency": agency,
        "referral_date": date,
        "given_name": given,
        "family_name": family,
        "sex": sex,
        "date_of_birth": dob,
        "estimated_age": age,
        "nationality": nat,
        "phone": phone,
        "id_document_number": doc,
        "municipality": "0301",
    }


def filler(n: int = 200, seed: int = 5) -> list[dict[str, str]]:
    """Other people, so that term frequencies are not degenerate."""
    rows, _truth = generate(n, seed=seed)
    return [{**r, "record_id": "F" + r["record_id"]} for r in rows]


def generated(n: int, seed: int) -> tuple[list[dict[str, str]], dict[str, int]]:
    rows, truth = generate(n, seed=seed)
    return rows, {k: v[0] for k, v in truth.items()}
