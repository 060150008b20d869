"""Recording assessments on a case: explained result, own conclusion, disagreement, access."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.http import Http404
from django.utils import translation

from tests.conftest import break_glass
from varde.access.cases import case_get_for_user
from varde.access.identification import assessment_get_for_user
from varde.audit.models import AuditEvent
from varde.cases.models import CaseEvent
from varde.core.errors import NotPermitted
from varde.identification.errors import CatalogueNotApplicable, UnknownCatalogue, UnknownIndicator
from varde.identification.models import Assessment
from varde.identification.selectors import (
    assessment_disagreement_count,
    assessment_explain,
    assessments_for_case,
    catalogues_for_case,
)
from varde.identification.services import assessment_record, local_question_add, local_question_retire

STRONG_ADULT = [
    "dr_job_nature",
    "dr_wages",
    "ex_excessive_hours",
    "ex_low_pay",
    "cd_debt",
    "cd_documents_taken",
]


def test_record_an_assessment(world):
    case = world.cases.police_adult
    a = assessment_record(
        actor=world.personas.police,
        case=case,
        catalogue_id="ilo_adult_labour",
        indicator_ids=STRONG_ADULT,
        conclusion="indicates_trafficking",
        reasoning="Debt and passport held by the employer.",
    )
    assert a.outcome == "indicates_trafficking" and not a.disagrees
    assert a.catalogue.version == 1 and a.agency == world.agencies.police
    assert a.result["elements"]["coercion_at_destination"]["indicators"] == ["cd_documents_taken", "cd_debt"]
    event = CaseEvent.objects.get(case=case, kind="assessment")
    assert event.data["assessment"] == str(a.pk) and event.data["disagrees"] is False
    audit = AuditEvent.objects.get(object_type="identification.assessment", object_id=str(a.pk))
    assert audit.action == "create" and audit.detail == {
        "case": str(case.pk),
        "catalogue": "ilo_adult_labour",
        "version": 1,
    }
    shown = assessment_explain(assessment=a, lang="nb")
    assert [e["id"] for e in shown["elements"]][0] == "deceptive_recruitment"
    assert shown["elements"][0]["all_indicators"][0]["ticked"] is True
    assert shown["elements"][0]["all_indicators"][0]["help"]


def test_disagreement_is_recorded_and_countable(world):
    case = world.cases.police_adult
    assessment_record(
        actor=world.personas.police,
        case=case,
        catalogue_id="ilo_adult_labour",
        indicator_ids=["dr_job_nature"],
        conclusion="indicates_trafficking",
        reasoning="She told us more than the list captures.",
    )
    assessment_record(
        actor=world.personas.ngo,
        case=case,
        catalogue_id="ilo_adult_labour",
        indicator_ids=STRONG_ADULT,
        conclusion="not_trafficking",
        reasoning="Explained by other facts.",
    )
    assessment_record(
        actor=world.personas.ngo,
        case=case,
        catalogue_id="ilo_adult_labour",
        indicator_ids=[],
        conclusion="not_trafficking",
        reasoning="Nothing found.",
    )
    assert assessment_disagreement_count() == 2
    assert assessment_disagreement_count(queryset=assessments_for_case(case=case)) == 2
    assert Assessment.objects.filter(disagrees=False).get().outcome == "no_indicators"
    assert CaseEvent.objects.filter(case=case, kind="assessment", data__disagrees=True).count() == 2


def test_reasoning_and_conclusion_are_required(world):
    kw = dict(
        actor=world.personas.police,
        case=world.cases.police_adult,
        catalogue_id="ilo_adult_labour",
        indicator_ids=[],
    )
    with pytest.raises(ValidationError) as exc:
        assessment_record(**kw, conclusion="inconclusive", reasoning="  ")
    assert "reasoning" in exc.value.message_dict
    with pytest.raises(ValidationError):
        assessment_record(**kw, conclusion="maybe", reasoning="x")
    assert not Assessment.objects.exists()


def test_unknown_catalogue_or_indicator(world):
    kw = dict(
        actor=world.personas.police, case=world.cases.police_adult, conclusion="inconclusive", reasoning="x"
    )
    with pytest.raises(UnknownCatalogue):
        assessment_record(**kw, catalogue_id="nope", indicator_ids=[])
    with pytest.raises(UnknownIndicator):
        assessment_record(**kw, catalogue_id="ilo_adult_labour", indicator_ids=["nope"])


def test_child_case_refuses_adult_catalogue(world):
    kw = dict(
        actor=world.personas.police,
        case=world.cases.police_child,
        conclusion="indicates_trafficking",
        reasoning="Begging for an adult who takes the money.",
    )
    with translation.override("en"), pytest.raises(CatalogueNotApplicable, match="child's case"):
        assessment_record(**kw, catalogue_id="ilo_adult_labour", indicator_ids=["dr_job_nature"])
    with translation.override("nb"), pytest.raises(CatalogueNotApplicable, match="barn"):
        assessment_record(**kw, catalogue_id="ilo_adult_labour", indicator_ids=["dr_job_nature"])
    a = assessment_record(
        **kw,
        catalogue_id="ilo_child_labour",
        indicator_ids=["dr_education", "dr_wages", "dr_travel", "ex_begging_selling", "ex_excessive_hours"],
    )
    assert a.outcome == "indicates_trafficking" and not a.disagrees
    a2 = assessment_record(
        **kw, catalogue_id="national_child", indicator_ids=["begging", "controlled_by_adult"]
    )
    assert a2.outcome == "inconclusive" and not a2.disagrees  # a checklist never concludes by itself
    a3 = assessment_record(**kw, catalogue_id="national_child", indicator_ids=[])
    assert a3.outcome == "no_indicators" and a3.disagrees
    with pytest.raises(CatalogueNotApplicable):
        assessment_record(
            actor=world.personas.police,
            case=world.cases.police_adult,
            conclusion="inconclusive",
            reasoning="x",
            catalogue_id="ilo_child_labour",
            indicator_ids=[],
        )


def test_catalogues_for_case(world):
    child = {c.key for c in catalogues_for_case(case=world.cases.police_child)}
    adult = {c.key for c in catalogues_for_case(case=world.cases.police_adult)}
    assert "ilo_child_labour" in child and "ilo_adult_labour" not in child and "national_child" in child
    assert "ilo_adult_sexual" in adult and "ilo_child_sexual" not in adult and "agency_health" in adult


def test_outsider_cannot_assess(world):
    case = world.cases.police_adult
    with pytest.raises(Http404):
        case_get_for_user(user=world.personas.outsider, case_id=case.pk)
    for persona in (world.personas.outsider, world.personas.analyst, world.personas.childwelfare):
        with pytest.raises(Http404):
            assessment_record(
                actor=persona,
                case=case,
                catalogue_id="ilo_adult_labour",
                indicator_ids=[],
                conclusion="inconclusive",
                reasoning="x",
            )
    assert not Assessment.objects.exists()


def test_coordinator_can_assess_and_outsider_cannot_read(world):
    # KOM takes no part in the NGO's case: without break-the-glass the coordinator cannot open it.
    with pytest.raises(Http404):
        assessment_record(
            actor=world.personas.coordinator,
            case=world.cases.ngo_adult,
            catalogue_id="ilo_adult_sexual",
            indicator_ids=[],
            conclusion="not_trafficking",
            reasoning="Coordinator review.",
        )
    break_glass(world.personas.coordinator, world.cases.ngo_adult)
    a = assessment_record(
        actor=world.personas.coordinator,
        case=world.cases.ngo_adult,
        catalogue_id="ilo_adult_sexual",
        indicator_ids=[],
        conclusion="not_trafficking",
        reasoning="Coordinator review.",
    )
    assert a.agency == world.agencies.kom
    assert assessment_get_for_user(user=world.personas.ngo, assessment_id=a.pk) == a
    with pytest.raises(Http404):
        assessment_get_for_user(user=world.personas.outsider, assessment_id=a.pk)


def test_local_questions_extend_without_touching_the_national_rule(world):
    admin = world.personas.agency_admin  # administrator at the police
    q = local_question_add(
        actor=admin,
        agency=world.agencies.police,
        catalogue_id="ilo_adult_labour",
        element_id="exploitation",
        text_nb="Jobber personen på et bilverksted?",
        text_en="Does the person work at a car repair shop?",
    )
    with pytest.raises(NotPermitted):
        local_question_add(
            actor=world.personas.police,
            agency=world.agencies.police,
            catalogue_id="ilo_adult_labour",
            text_nb="x",
            text_en="x",
        )
    kw = dict(
        case=world.cases.police_adult,
        catalogue_id="ilo_adult_labour",
        indicator_ids=[],
        conclusion="not_trafficking",
        local_question_ids=[q.pk],
    )
    a = assessment_record(actor=world.personas.police, reasoning="Only the local question.", **kw)
    assert a.outcome == "no_indicators"
    shown = assessment_explain(assessment=a, lang="en")
    exploitation = next(e for e in shown["elements"] if e["id"] == "exploitation")
    assert exploitation["local"] == [{"id": str(q.pk), "text": "Does the person work at a car repair shop?"}]
    # another agency's question is not accepted, and a retired one no longer is
    with pytest.raises(ValidationError):
        assessment_record(actor=world.personas.ngo, reasoning="x", **kw)
    local_question_retire(actor=admin, question=q)
    with pytest.raises(ValidationError):
        assessment_record(actor=world.personas.police, reasoning="x", **kw)
    # the earlier assessment still shows the question as it was
    assert assessment_explain(assessment=a, lang="en")["elements"][3]["local"][0]["text"].startswith("Does")
