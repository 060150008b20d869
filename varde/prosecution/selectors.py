"""Reads that do not depend on who asks: the rows the figures are counted from (ids, codes and dates
only: no names, no notes). User-scoped reads are in varde.access.prosecution."""

from __future__ import annotations

from collections import defaultdict

from .figures import CaseRow, PersonRow
from .models import CriminalCase, PerpetratorLink, StageEntry


def figure_rows() -> tuple[list[CaseRow], list[PersonRow]]:
    """Every criminal case with its stages, and every perpetrator's outcome per case (three queries)."""
    stages: dict[object, list[tuple[str, object, str]]] = defaultdict(list)
    for case_id, stage, on, outcome in StageEntry.objects.order_by("on", "id").values_list(
        "criminal_case_id", "stage", "on", "outcome"
    ):
        stages[case_id].append((stage, on, outcome))
    cases = [
        CaseRow(
            id=str(pk),
            police_district=district,
            exploitation_form=form,
            offence=offence,
            confiscated_nok=nok,
            stages=tuple(stages.get(pk, ())),  # type: ignore[arg-type]
        )
        for pk, district, form, offence, nok in CriminalCase.objects.values_list(
            "pk", "police_district", "exploitation_form", "offence", "confiscated_nok"
        )
    ]
    persons = [
        PersonRow(perpetrator_id=str(p), criminal_case_id=str(c), outcome=outcome)
        for p, c, outcome in PerpetratorLink.objects.values_list(
            "perpetrator_id", "criminal_case_id", "outcome"
        )
    ]
    return cases, persons
