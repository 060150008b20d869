"""Reads for identification. Case-bound reads go through the access layer (a case not visible is 404)."""

from __future__ import annotations

import json
from collections.abc import Iterable
from functools import cache
from pathlib import Path
from typing import Any

from django.db.models import Q, QuerySet

from varde.accounts.models import Agency
from varde.cases.models import Case

from .catalogue import text
from .models import AgeEvidence, AgePresumption, Assessment, Catalogue, LocalQuestion

SOURCES_FILE = Path(__file__).parent / "rules" / "catalogue_sources.json"


@cache
def _sources_nb() -> dict[str, str]:
    return dict(json.loads(SOURCES_FILE.read_text(encoding="utf-8"))["nb"])


def catalogue_source(catalogue: Catalogue, lang: str = "nb") -> str:
    """The catalogue's source in the page's language: Norwegian from rules/catalogue_sources.json,
    English as the catalogue itself names it."""
    if lang == "nb":
        return _sources_nb().get(catalogue.key, catalogue.source)
    return catalogue.source


def catalogues_current() -> list[Catalogue]:
    """The newest loaded version of every catalogue, in id order."""
    newest: dict[str, Catalogue] = {}
    for row in Catalogue.objects.order_by("key", "-version"):
        newest.setdefault(row.key, row)
    return list(newest.values())


def catalogues_for_case(*, case: Case) -> list[Catalogue]:
    """The catalogues that apply: children's (and all-ages) lists for a child's case, adults' otherwise."""
    population = "child" if case.is_child else "adult"
    return [c for c in catalogues_current() if c.population in (population, "all")]


def local_questions_for(*, agency: Agency, catalogue_id: str) -> QuerySet[LocalQuestion]:
    return LocalQuestion.objects.filter(agency=agency, catalogue_key=catalogue_id, is_active=True)


def local_questions_of_agency(*, agency: Agency) -> QuerySet[LocalQuestion]:
    """All of an agency's local questions, active first (call agency_get_for_admin first)."""
    return LocalQuestion.objects.filter(agency=agency).order_by("-is_active", "catalogue_key", "created_at")


def assessments_for_case(*, case: Case) -> QuerySet[Assessment]:
    return (
        Assessment.objects.filter(case=case)
        .select_related("catalogue", "assessed_by", "agency")
        .order_by("-at")
    )


def assessment_disagreement_count(*, queryset: QuerySet[Assessment] | None = None) -> int:
    """How many assessments where the caseworker's conclusion differs from the rule's outcome."""
    qs = queryset if queryset is not None else Assessment.objects.all()
    return qs.filter(disagrees=True).count()


def assessment_explain(*, assessment: Assessment, lang: str = "nb") -> dict[str, Any]:
    """The assessment re-shown exactly as made: the catalogue version it used, every element with the
    indicators behind it (ticked or not), the rule's result and the caseworker's conclusion."""
    catalogue = assessment.catalogue
    content = catalogue.content
    ticked = set(assessment.indicator_ids)
    results = assessment.result["elements"]
    elements = []
    for el in content["elements"]:
        detail = results[el["id"]]
        elements.append(
            {
                "id": el["id"],
                "title": text(el["title"], lang),
                "help": text(el["help"], lang) if "help" in el else "",
                **detail,
                "all_indicators": [
                    {
                        "id": ind["id"],
                        "text": text(ind["text"], lang),
                        "help": text(ind["help"], lang),
                        "strength": ind["strength"],
                        "ticked": ind["id"] in ticked,
                    }
                    for ind in el["indicators"]
                ],
                "local": [
                    {"id": q["id"], "text": text(q["text"], lang)}
                    for q in assessment.local_answers
                    if q.get("element_id") == el["id"]
                ],
            }
        )
    return {
        "id": str(assessment.pk),
        "catalogue": catalogue.key,
        "version": catalogue.version,
        "title": catalogue.title(lang),
        "source": catalogue_source(catalogue, lang),
        "rule": catalogue.rule,
        "population": catalogue.population,
        "elements": elements,
        "local": [
            {"id": q["id"], "text": text(q["text"], lang)}
            for q in assessment.local_answers
            if not q.get("element_id")
        ],
        "outcome": assessment.outcome,
        "conclusion": assessment.conclusion,
        "reasoning": assessment.reasoning,
        "disagrees": assessment.disagrees,
        "at": assessment.at.isoformat(),
    }


def age_evidence_for_case(*, case: Case) -> QuerySet[AgeEvidence]:
    return AgeEvidence.objects.filter(case=case).order_by("-on", "-recorded_at")


def presumptions_for_case(*, case: Case) -> QuerySet[AgePresumption]:
    return AgePresumption.objects.filter(case=case).order_by("-started_at")


def presumption_active(*, case: Case) -> AgePresumption | None:
    return AgePresumption.objects.filter(case=case, lifted_at__isnull=True).first()


def assessment_with_people(*, assessment: Assessment) -> Assessment:
    """An assessment (already fetched through the access layer) with its catalogue, who made it and
    for which agency."""
    return Assessment.objects.select_related("catalogue", "assessed_by", "agency").get(pk=assessment.pk)


def age_evidence_with_agency(*, evidence: AgeEvidence) -> AgeEvidence:
    return AgeEvidence.objects.select_related("agency").get(pk=evidence.pk)


def catalogues_named(*, versions: Iterable[tuple[Any, Any]]) -> dict[tuple[str, int], Catalogue]:
    """The catalogue versions named by (key, version), without their content, in one query (none when
    none is named): the titles of the assessments on a case's timeline."""
    wanted = set(versions)
    if not wanted:
        return {}
    query = Q()
    for key, version in wanted:
        query |= Q(key=key, version=version)
    return {(c.key, c.version): c for c in Catalogue.objects.filter(query).defer("content")}


def age_evidence_by_id(*, ids: Iterable[Any]) -> dict[str, AgeEvidence]:
    """Age evidence by id (as text), in one query: the evidence named on a case's timeline."""
    return {str(a.pk): a for a in AgeEvidence.objects.filter(pk__in=[i for i in ids if i])}


def local_question_by_id(*, question_id: Any) -> LocalQuestion | None:
    """A local question by id, whichever agency asks it (the caller checks who may manage it)."""
    return LocalQuestion.objects.filter(pk=question_id).first()
