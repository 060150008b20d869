"""A PersonRow for the pure figure tests: an adult Nigerian woman first referred on 1 March 2011 by
an NGO, sexual exploitation; keywords change what a test is about."""

from __future__ import annotations

import datetime as dt

from varde.statistics.extract import PersonRow


def person_row(key: str = "p", **kw: object) -> PersonRow:
    fields: dict[str, object] = {
        "person_key": key,
        "first_date": dt.date(2011, 3, 1),
        "followed": ((dt.date(2011, 3, 1), dt.date(2012, 6, 30)),),
        "sex": "F",
        "child": False,
        "nationality": "NG",
        "exploitation": frozenset({"sexual"}),
        "agency_kinds": frozenset({"ngo"}),
        "municipality": "0301",
        "reflection_applied": frozenset(),
        "reflection_granted": frozenset(),
        "reflection_rejected": frozenset(),
        "residence_permit": frozenset(),
        "voluntary_return": frozenset(),
        "minor_disappeared": frozenset(),
        "status": "assistance",
        "first_agency_kind": "ngo",
        "labour_sector": "",
    }
    fields.update(kw)
    return PersonRow(**fields)  # type: ignore[arg-type]
