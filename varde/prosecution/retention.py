"""Retention of criminal-case data: what varde.retention removes when it anonymises a victim's case.

The link between the victim's case and a criminal case (ids and the role) is the statistical skeleton
and stays, as do the criminal case's stages, dates, district, offence and section, form of
exploitation, outcome, proceeds and the perpetrators' nationality, role, district, outcomes and
months of sentence: the figures are counted from them and do not change.

A criminal case is anonymised when it is concluded (final judgement or dropped) and every victim's case
linked to it is anonymised (this one included), as retention anonymises a person only when every case
about them is due. Then its free text and identifiers go: the police case number, the investigation
notes and the notes of its cross-border cooperation. A perpetrator's name and the text of their
sentences go when every criminal case they are linked to is anonymised that way; a network's name when
every criminal case it is linked to is. A criminal case linked to no victim's case is left alone here:
Varde's copy of the police's record is not the record itself. Each criminal case anonymised is audited
(action `anonymise`, ids only). Running it again changes nothing.
"""

from __future__ import annotations

from uuid import UUID

from django.db import transaction

from varde.audit.models import AnonymisedCase, AuditAction
from varde.audit.services import audit_record
from varde.cases.models import Case

from .models import (
    Cooperation,
    CriminalCase,
    CriminalCaseNetwork,
    Network,
    Perpetrator,
    PerpetratorLink,
    Stage,
    VictimLink,
)

CONCLUDED = frozenset({Stage.FINAL_JUDGEMENT, Stage.DROPPED})


def _due_criminal_case_ids(anonymised: set[UUID]) -> set[UUID]:
    """Concluded criminal cases with at least one victim's case, every one of them anonymised."""
    links: dict[UUID, set[UUID]] = {}
    for criminal_case_id, case_id in VictimLink.objects.values_list("criminal_case_id", "case_id"):
        links.setdefault(criminal_case_id, set()).add(case_id)
    concluded = set(
        CriminalCase.objects.filter(pk__in=links, stage__in=CONCLUDED).values_list("pk", flat=True)
    )
    return {pk for pk in concluded if links[pk] <= anonymised}


@transaction.atomic
def prosecution_anonymise(*, case: Case) -> None:
    """Retention of a victim's case (varde.retention.services.ANONYMISERS): the criminal cases that
    become due with it lose their free text and identifiers, and so do perpetrators and networks
    whose every criminal case is due (see the module's rules)."""
    linked = set(VictimLink.objects.filter(case=case).values_list("criminal_case_id", flat=True))
    if not linked:
        return
    anonymised = set(AnonymisedCase.objects.values_list("case_id", flat=True)) | {case.pk}
    due = _due_criminal_case_ids(anonymised)
    now_due = linked & due
    if not now_due:
        return
    for criminal_case in CriminalCase.objects.filter(pk__in=now_due).select_related("lead_agency"):
        CriminalCase.objects.filter(pk=criminal_case.pk).update(police_case_number="", notes="")
        Cooperation.objects.filter(criminal_case=criminal_case).update(note="")
        audit_record(
            actor=None,
            action=AuditAction.ANONYMISE,
            obj=criminal_case,
            agency=criminal_case.lead_agency,
            detail={"case": str(case.pk)},
        )
    perpetrators = set(
        PerpetratorLink.objects.filter(criminal_case_id__in=now_due).values_list("perpetrator_id", flat=True)
    )
    still_open = set(
        PerpetratorLink.objects.filter(perpetrator_id__in=perpetrators)
        .exclude(criminal_case_id__in=due)
        .values_list("perpetrator_id", flat=True)
    )
    gone = perpetrators - still_open
    Perpetrator.objects.filter(pk__in=gone).update(name="")
    PerpetratorLink.objects.filter(perpetrator_id__in=gone).update(sentence_text="")
    networks = set(
        CriminalCaseNetwork.objects.filter(criminal_case_id__in=now_due).values_list("network_id", flat=True)
    )
    networks_open = set(
        CriminalCaseNetwork.objects.filter(network_id__in=networks)
        .exclude(criminal_case_id__in=due)
        .values_list("network_id", flat=True)
    )
    Network.objects.filter(pk__in=networks - networks_open).update(name="")
