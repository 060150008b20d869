"""What the case page shows of identification: its section (assessments, catalogues to assess with,
age evidence, the presumption of minority) and the plain-language details of identification events
on the case timeline. Drawn here, below both the case page (varde.web.views.case_page) and the
identification pages (varde.web.views.identification), so that neither imports the other back.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.urls import reverse
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from varde.cases.models import Case, CaseEvent
from varde.identification import selectors
from varde.identification.explain import outcome_label
from varde.identification.models import AgeEvidenceKind, Catalogue, Conclusion, PresumptionReason
from varde.web.identification_forms import AgeEvidenceForm, PresumptionLiftForm

IDENTIFICATION_EVENTS = frozenset(
    {
        CaseEvent.Kind.ASSESSMENT,
        CaseEvent.Kind.AGE_EVIDENCE,
        CaseEvent.Kind.PRESUMPTION_STARTED,
        CaseEvent.Kind.PRESUMPTION_LIFTED,
    }
)


def page_lang() -> str:
    """Catalogue texts come in Bokmål and English; the page's language picks one."""
    return "en" if (get_language() or "nb").startswith("en") else "nb"


def label(choices: Any, value: str) -> str:
    try:
        return str(choices(value).label)
    except ValueError:
        return value


def age_text(low: int, high: int | None) -> str:
    if high is None or high == low:
        return str(low)
    return f"{low}–{high}"


def _catalogue_kind(catalogue: Catalogue) -> str:
    if catalogue.rule == "ilo":
        return str(_("ILO/EC operational indicators"))
    if catalogue.key.startswith("agency_"):
        return str(_("Agency checklist"))
    return str(_("National checklist"))


def identification_context(case: Case) -> dict[str, Any]:
    """What the case page shows about identification; the forms may be replaced by bound ones."""
    lang = page_lang()
    assessments: list[dict[str, Any]] = []
    for a in selectors.assessments_for_case(case=case):
        assessments.append(
            {
                "obj": a,
                "title": a.catalogue.title(lang),
                "version": a.catalogue.version,
                "outcome_label": outcome_label(a.outcome, a.catalogue.rule),
                "conclusion_label": label(Conclusion, a.conclusion),
            }
        )
    catalogues = [
        {"key": c.key, "title": c.title(lang), "version": c.version, "kind": _catalogue_kind(c)}
        for c in selectors.catalogues_for_case(case=case)
    ]
    presumption = selectors.presumption_active(case=case)
    evidence = [
        {"obj": e, "kind_label": label(AgeEvidenceKind, e.kind), "age": age_text(e.age_min, e.age_max)}
        for e in selectors.age_evidence_for_case(case=case)
    ]
    return {
        "assessments": assessments,
        "disagreements": sum(1 for a in assessments if a["obj"].disagrees),
        "new_catalogues": catalogues,
        "presumption": presumption,
        "presumption_reasons": [label(PresumptionReason, r) for r in presumption.reasons]
        if presumption
        else [],
        "age_evidence": evidence,
        "age_form": AgeEvidenceForm(prefix="age"),
        "lift_form": PresumptionLiftForm(prefix="lift") if presumption else None,
    }


def timeline_details(events: Iterable[CaseEvent]) -> dict[int, dict[str, Any]]:
    """Plain-language details for the identification events on the case timeline, in two queries."""
    events = [e for e in events if e.kind in IDENTIFICATION_EVENTS]
    if not events:
        return {}
    lang = page_lang()
    titles = selectors.catalogues_named(
        versions=(
            (e.data.get("catalogue"), e.data.get("version"))
            for e in events
            if e.kind == CaseEvent.Kind.ASSESSMENT
        )
    )
    evidence = selectors.age_evidence_by_id(
        ids=[e.data.get("age_evidence") for e in events if e.kind == CaseEvent.Kind.AGE_EVIDENCE]
    )
    details: dict[int, dict[str, Any]] = {}
    for e in events:
        d = e.data or {}
        if e.kind == CaseEvent.Kind.ASSESSMENT:
            catalogue = titles.get((str(d.get("catalogue")), int(d.get("version") or 0)))
            details[e.pk] = {
                "kind": "assessment",
                "title": catalogue.title(lang) if catalogue else d.get("catalogue", ""),
                "version": d.get("version"),
                "outcome_label": outcome_label(d.get("outcome", ""), catalogue.rule if catalogue else "ilo"),
                "conclusion_label": label(Conclusion, d.get("conclusion", "")),
                "disagrees": bool(d.get("disagrees")),
                "url": reverse("assessment-detail", args=[d["assessment"]]) if d.get("assessment") else "",
            }
        elif e.kind == CaseEvent.Kind.AGE_EVIDENCE:
            item = evidence.get(str(d.get("age_evidence")))
            details[e.pk] = {
                "kind": "age_evidence",
                "kind_label": label(AgeEvidenceKind, d.get("kind", "")),
                "age": age_text(item.age_min, item.age_max) if item else "",
                "verified": bool(item and item.verified),
                "assessed_by": item.assessed_by if item else "",
            }
        elif e.kind == CaseEvent.Kind.PRESUMPTION_STARTED:
            details[e.pk] = {
                "kind": "presumption_started",
                "reasons": [label(PresumptionReason, r) for r in d.get("reasons", [])],
            }
        else:
            details[e.pk] = {"kind": "presumption_lifted"}
    return details
