"""Anonymous notifications in the figures (issue 22): adults who may be victims but declined help or
registration, recorded without identity by an agency (varde.identification.anonymous).

They are not persons of the pseudonymised extract (`PersonRow`): nothing about them can be linked, so
they can be neither de-duplicated nor joined to a person followed up. They are counted apart, as
presumed victims (Eurostat), each notification once, in the period of its date; a withdrawn one is
not counted. The same adult may therefore be counted here and, after accepting help later, among the
persons (docs/COUNTING_RULES.md, rule 12).

A row holds the date and codes only: no agency, no municipality, no id.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from varde.identification.models import AnonymousNotification


@dataclass(frozen=True)
class AnonymousRow:
    noticed_on: dt.date
    age_band: str  # varde.identification.models.AgeBand
    sex: str  # "F", "M", "X" or "" (unknown)
    nationality: str  # ISO 3166 alpha-2, "" unknown
    forms: frozenset[str]  # ExploitationForm codes


def anonymous_extract() -> list[AnonymousRow]:
    """Every notification that is not withdrawn, as a row of codes, in date order."""
    rows = (
        AnonymousNotification.objects.filter(withdrawn_at__isnull=True)
        .order_by("noticed_on", "recorded_at")
        .values_list("noticed_on", "age_band", "sex", "nationality", "exploitation_forms")
    )
    return [
        AnonymousRow(
            noticed_on=day,
            age_band=str(band),
            sex=str(sex),
            nationality=str(nationality),
            forms=frozenset(str(f) for f in (forms or [])),
        )
        for day, band, sex, nationality, forms in rows
    ]
