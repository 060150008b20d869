"""Identification pages: the case page's section, the assessment form with its preview, the explained
assessment, age evidence and the presumption of minority. Every page answers 404 to anyone who may not
see the case."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import translation
from django.utils.html import escape

from tests.conftest import break_glass, login_verified
from varde.audit.models import AuditEvent
from varde.cases.models import Case, CaseEvent
from varde.core import clock
from varde.identification.models import AgeEvidence, AgePresumption, Assessment, Catalogue, PresumptionReason
from varde.identification.services import (
    age_evidence_record,
    assessment_record,
    catalogues_load,
    presumption_evaluate,
)


@pytest.fixture(autouse=True)
def _catalogues(db):
    """Loaded by a data migration; load again (idempotent) in case a live-server test flushed the tables."""
    catalogues_load()


CHILD_LABOUR = "ilo_child_labour"
# Deceptive recruitment (1 strong, 1 medium) and exploitation (1 strong, 1 medium): the child rule is met.
POINTING = ["dr_job_nature", "dr_wages", "ex_excessive_hours", "ex_low_pay"]


def new_url(case, catalogue=CHILD_LABOUR):
    return reverse("assessment-new", args=[case.pk, catalogue])


def preview_url(case, catalogue=CHILD_LABOUR):
    return reverse("assessment-preview", args=[case.pk, catalogue])


def record(
    world, *, case=None, ticks=POINTING, conclusion="indicates_trafficking", reasoning="Seen at the site."
):
    case = case or world.cases.police_child
    return assessment_record(
        actor=world.personas.police,
        case=case,
        catalogue_id=CHILD_LABOUR,
        indicator_ids=ticks,
        conclusion=conclusion,
        reasoning=reasoning,
    )


def body(response) -> str:
    return response.content.decode()


@pytest.fixture
def login(client):
    """Signed in with the pages in English, so that these tests read the English texts whether or not the
    Bokmål catalogue (.po) has them yet; test_bokmal_pages_show_the_bokmal_catalogue_texts covers Bokmål."""

    def _login(user):
        login_verified(client, user)
        client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
        return client

    return _login


# --- access ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["outsider", "analyst", "coordinator", "auditor"])
def test_every_identification_page_is_404_for_those_without_the_case(login, world, name):
    assessment = record(world)
    case = world.cases.police_child
    client = login(getattr(world.personas, name))
    assert client.get(new_url(case)).status_code == 404
    assert (
        client.post(
            new_url(case),
            {"indicators": POINTING, "conclusion": "inconclusive", "reasoning": "x", "catalogue_version": 1},
        ).status_code
        == 404
    )
    assert client.post(preview_url(case), {"indicators": POINTING}).status_code == 404
    assert client.post(preview_url(case), {"indicators": POINTING}, HTTP_HX_REQUEST="true").status_code == 404
    assert (
        client.post(
            reverse("case-age-evidence", args=[case.pk]),
            {"age-kind": "own_statement", "age-age_min": "16", "age-on": "2026-10-01"},
        ).status_code
        == 404
    )
    assert (
        client.post(reverse("case-presumption-lift", args=[case.pk]), {"lift-reason": "x"}).status_code == 404
    )
    response = client.get(reverse("assessment-detail", args=[assessment.pk]))
    assert response.status_code == 404 and "Seen at the site" not in body(response)
    assert Assessment.objects.count() == 1 and not AgeEvidence.objects.exists()


def test_coordinator_works_on_a_case_only_after_breaking_the_glass(login, world):
    case = world.cases.police_child
    client = login(world.personas.coordinator)
    assert client.get(new_url(case)).status_code == 404
    break_glass(world.personas.coordinator, case)
    assert client.get(new_url(case)).status_code == 200
    response = client.post(
        new_url(case),
        {
            "indicators": POINTING,
            "conclusion": "indicates_trafficking",
            "reasoning": "KOM's view.",
            "catalogue_version": 1,
        },
    )
    assessment = Assessment.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse(
        "assessment-detail", args=[assessment.pk]
    )
    assert assessment.agency == world.agencies.kom


def test_a_partner_agency_assesses_a_shared_case_but_not_another_agencys(login, world):
    client = login(world.personas.ngo)
    shared = world.cases.police_adult
    response = client.get(new_url(shared, "ilo_adult_sexual"))
    assert response.status_code == 200
    assert client.get(new_url(world.cases.police_child)).status_code == 404


# --- the case page ----------------------------------------------------------------------------------------


def test_case_page_lists_assessments_and_offers_only_the_catalogues_that_apply(login, world):
    record(world, conclusion="not_trafficking", reasoning="The work was voluntary.")
    client = login(world.personas.police)
    page = body(client.get(world.cases.police_child.get_absolute_url()))
    section = page[
        page.index('id="identification-section"') : page.index(
            "</section>", page.index('id="identification-section"')
        )
    ]
    assessment = Assessment.objects.get()
    assert reverse("assessment-detail", args=[assessment.pk]) in section
    assert "ILO/EC indicators: children, labour exploitation" in section
    assert "Disagrees with the indicators" in section  # the tag, in words
    assert "Police, Oslo politidistrikt, STOP" in section  # who and for which agency
    # a child's case offers the child catalogues and never the adults'
    offered = set(re.findall(r"/assessments/new/([a-z_]+)/", section))
    assert {"ilo_child_labour", "ilo_child_sexual", "national_child"} <= offered
    assert not any(key.startswith("ilo_adult") for key in offered)
    adult = body(client.get(world.cases.police_adult.get_absolute_url()))
    adult_offered = set(re.findall(r"/assessments/new/([a-z_]+)/", adult))
    assert {"ilo_adult_labour", "ilo_adult_sexual"} <= adult_offered
    assert not any(key.startswith("ilo_child") for key in adult_offered)


def test_catalogue_that_does_not_apply_or_does_not_exist_is_404(login, world):
    client = login(world.personas.police)
    assert client.get(new_url(world.cases.police_child, "ilo_adult_labour")).status_code == 404
    assert client.get(new_url(world.cases.police_adult, "ilo_child_labour")).status_code == 404
    assert client.get(new_url(world.cases.police_child, "no_such_list")).status_code == 404


def test_timeline_explains_identification_events(login, world):
    police = world.personas.police
    case = world.cases.police_adult
    age_evidence_record(
        actor=police,
        case=case,
        kind="age_assessment",
        age_min=16,
        age_max=19,
        on=clock.today(),
        assessed_by="Dental age assessment service",
    )
    presumption_evaluate(actor=police, case=case)
    case.refresh_from_db()
    assessment = record(world, case=case, conclusion="inconclusive", reasoning="Too early.")
    page = body(login(police).get(case.get_absolute_url()))
    timeline = page[page.index('id="timeline-section"') :]
    assert "16–19" in timeline and "Dental age assessment service" in timeline
    with translation.override("en"):
        reason = escape(str(PresumptionReason.AGE_ASSESSMENT.label))
    assert reason in timeline
    assert "Council of Europe Convention Art. 10(3)" in timeline
    assert reverse("assessment-detail", args=[assessment.pk]) in timeline
    assert "The indicators point to trafficking" in timeline  # the rule's outcome in words
    assert "Disagrees with the indicators" in timeline


# --- the assessment form ------------------------------------------------------------------------------------


def test_form_groups_indicators_by_element_with_strength_in_words_and_help(login, world):
    response = login(world.personas.police).get(new_url(world.cases.police_child))
    assert response.status_code == 200
    page = body(response)
    assert page.count('<fieldset class="ds-fieldset varde-element"') == 6
    for n in range(1, 7):
        assert f"Element {n} of 6" in page
    assert page.count("<legend>") >= 6
    # every indicator a checkbox with its strength in words, wired to its help text
    assert (
        'value="dr_job_nature" id="id_indicators_0" aria-describedby="id_indicators_0-strength id_indicators_0-help"'
        in page
    )
    assert 'id="id_indicators_0-strength">Strong indicator</span>' in page
    assert "Medium indicator" in page and "Weak indicator" in page
    assert 'id="id_indicators_0-help">' in page and "<details" in page
    assert "data-element-count>0</span>" in page
    assert 'formaction="' + preview_url(world.cases.police_child) + '"' in page
    assert 'hx-post="' + preview_url(world.cases.police_child) + '"' in page
    assert 'name="conclusion"' in page and 'name="reasoning"' in page
    assert "<script>" not in page and " onclick=" not in page and " style=" not in page


def test_preview_with_htmx_returns_the_explained_result_and_saves_nothing(login, world):
    client = login(world.personas.police)
    before = AuditEvent.objects.count()
    response = client.post(
        preview_url(world.cases.police_child),
        {"indicators": POINTING, "conclusion": "not_trafficking"},
        HTTP_HX_REQUEST="true",
    )
    fragment = body(response)
    assert response.status_code == 200 and "<html" not in fragment
    assert "The indicators point to trafficking" in fragment
    assert "Deceptive recruitment: positive (1 strong, 1 medium)" in fragment
    assert "positive (1 strong, 1 medium)" in fragment
    assert "The rule for children needs a recruitment element AND exploitation" in fragment
    assert "differs from what the indicators support" in fragment  # the chosen conclusion disagrees
    assert 'hx-swap-oob="innerHTML:#live-region"' in fragment
    assert not Assessment.objects.exists() and AuditEvent.objects.count() == before


def test_preview_without_javascript_shows_the_whole_form_with_the_result(login, world):
    client = login(world.personas.police)
    response = client.post(
        preview_url(world.cases.police_child),
        {"indicators": ["dr_job_nature"], "reasoning": "Draft reasoning"},
    )
    page = body(response)
    assert response.status_code == 200 and "<html" in page
    assert "Inconclusive: there are indicators, but the rule is not met" in page
    assert 'value="dr_job_nature" id="id_indicators_0"' in page and 'id_indicators_0-help" checked' in page
    assert "Draft reasoning" in page  # what was typed is kept
    assert "data-element-count>1</span>" in page
    assert "Recruitment: met" not in page and "Recruitment: not met" in page
    assert not Assessment.objects.exists()


def test_preview_refuses_an_unknown_indicator(login, world):
    response = login(world.personas.police).post(
        preview_url(world.cases.police_child), {"indicators": ["nope"]}, HTTP_HX_REQUEST="true"
    )
    assert response.status_code == 400


def test_saving_records_the_assessment_and_shows_it_explained(login, world):
    client = login(world.personas.police)
    case = world.cases.police_child
    response = client.post(
        new_url(case),
        {
            "indicators": POINTING,
            "conclusion": "indicates_trafficking",
            "reasoning": "Worked 14 hours a day; promised school.",
            "catalogue_version": 1,
        },
    )
    assessment = Assessment.objects.get()
    assert response.status_code == 302
    assert (assessment.catalogue.key, assessment.outcome, assessment.disagrees) == (
        CHILD_LABOUR,
        "indicates_trafficking",
        False,
    )
    assert sorted(assessment.indicator_ids) == sorted(POINTING)
    assert CaseEvent.objects.filter(case=case, kind="assessment").count() == 1
    page = body(client.get(response["Location"]))
    assert "positive (1 strong, 1 medium)" in page
    assert "Ticked: 1 strong, 1 medium, 0 weak." in page
    assert "never decide alone" in page
    assert "Worked 14 hours a day; promised school." in page
    assert "The caseworker's conclusion disagrees" not in page
    assert AuditEvent.objects.filter(action="view", object_id=str(assessment.pk)).exists()


def test_missing_conclusion_or_reasoning_saves_nothing_and_keeps_the_ticks(login, world):
    client = login(world.personas.police)
    response = client.post(
        new_url(world.cases.police_child), {"indicators": POINTING, "reasoning": "  ", "catalogue_version": 1}
    )
    page = body(response)
    assert response.status_code == 200
    assert (
        'class="ds-error-summary' in page
        and 'href="#id_conclusion_0"' in page
        and 'href="#id_reasoning"' in page
    )
    assert (
        'value="dr_job_nature" id="id_indicators_0" aria-describedby="id_indicators_0-strength id_indicators_0-help" checked'
        in page
    )
    assert not Assessment.objects.exists()


def test_tampered_indicator_or_stale_catalogue_version_saves_nothing(login, world):
    client = login(world.personas.police)
    url = new_url(world.cases.police_child)
    response = client.post(
        url,
        {
            "indicators": ["dr_job_nature", "made_up"],
            "conclusion": "inconclusive",
            "reasoning": "r",
            "catalogue_version": 1,
        },
    )
    assert response.status_code == 200 and "made_up" in body(response)
    response = client.post(
        url, {"indicators": POINTING, "conclusion": "inconclusive", "reasoning": "r", "catalogue_version": 0}
    )
    assert response.status_code == 200 and "new version" in body(response)
    assert not Assessment.objects.exists()


def test_a_disagreement_is_clearly_visible_on_the_assessment_page(login, world):
    assessment = record(world, conclusion="not_trafficking", reasoning="The family business, no control.")
    page = body(login(world.personas.police).get(reverse("assessment-detail", args=[assessment.pk])))
    assert 'id="disagreement"' in page
    assert "The caseworker's conclusion disagrees with the indicators" in page
    assert "The family business, no control." in page


def test_assessment_page_in_english_shows_the_english_catalogue_texts(client, world):
    assessment = record(world)
    login_verified(client, world.personas.police)
    client.post(reverse("set_language"), {"language": "en", "next": "/"})
    page = body(client.get(reverse("assessment-detail", args=[assessment.pk])))
    assert '<html lang="en"' in page
    assert "ILO/EC indicators: children, labour exploitation" in page
    assert "Misled about what the work was, where it would be, or who the employer would be" in page
    assert "Deceptive recruitment: positive (1 strong, 1 medium)" in page


def test_the_assessment_is_reshown_with_the_catalogue_version_it_was_made_with(login, world):
    assessment = record(world)
    catalogue = assessment.catalogue
    # a later version renames an indicator; the stored assessment keeps its own version's text
    content = {**catalogue.content, "version": 2}
    content["elements"] = [dict(el) for el in content["elements"]]
    first = dict(content["elements"][0]["indicators"][0])
    first["text"] = {"nb": "Ny tekst", "en": "New text"}
    content["elements"][0] = {
        **content["elements"][0],
        "indicators": [first, *content["elements"][0]["indicators"][1:]],
    }
    Catalogue.objects.create(
        key=catalogue.key,
        version=2,
        rule=catalogue.rule,
        population=catalogue.population,
        exploitation=catalogue.exploitation,
        title_nb=catalogue.title_nb,
        title_en=catalogue.title_en,
        source=catalogue.source,
        content=content,
        checksum="x" * 64,
        loaded_at=clock.now(),
    )
    client = login(world.personas.police)
    page = body(client.get(reverse("assessment-detail", args=[assessment.pk])))
    assert "New text" not in page
    assert "Misled about what the work was, where it would be, or who the employer would be" in page
    form = body(client.get(new_url(world.cases.police_child)))
    assert "New text" in form and 'name="catalogue_version" value="2"' in form


# --- age evidence and the presumption of minority ------------------------------------------------------------


def test_age_evidence_starts_the_presumption_shown_prominently_and_lifted_with_a_reason(login, world):
    client = login(world.personas.police)
    case = world.cases.police_adult
    assert not case.is_child
    response = client.post(
        reverse("case-age-evidence", args=[case.pk]),
        {
            "age-kind": "own_statement",
            "age-age_min": "16",
            "age-on": "2026-10-01",
            "age-assessed_by": "",
            "age-note": "Said so in the interview.",
        },
    )
    assert response.status_code == 302
    case = Case.objects.get(pk=case.pk)
    assert case.is_child and AgePresumption.objects.filter(case=case, lifted_at__isnull=True).exists()
    page = body(client.get(case.get_absolute_url()))
    assert "Treated as a child until the age is verified — Council of Europe Convention Art. 10(3)" in page
    with translation.override("en"):
        says = escape(str(PresumptionReason.SAYS_UNDER_18.label))
    assert 'id="presumption-active"' in page and says in page
    assert reverse("case-presumption-lift", args=[case.pk]) in page
    # the child catalogues apply now
    assert "/assessments/new/ilo_child_labour/" in page and "/assessments/new/ilo_adult_labour/" not in page

    lift = reverse("case-presumption-lift", args=[case.pk])
    response = client.post(lift, {"lift-reason": "   "})
    assert response.status_code == 200 and 'id="lift-errors"' in body(response)
    assert Case.objects.get(pk=case.pk).is_child

    response = client.post(lift, {"lift-reason": "Genuine passport checked by the police."})
    assert response.status_code == 302
    presumption = AgePresumption.objects.get(case=case)
    assert presumption.lifted_reason == "Genuine passport checked by the police."
    assert not Case.objects.get(pk=case.pk).is_child
    assert AuditEvent.objects.filter(object_type="identification.agepresumption", action="update").exists()
    page = body(client.get(case.get_absolute_url()))
    assert 'id="presumption-active"' not in page and "Genuine passport checked by the police." in page


def test_age_evidence_validation_saves_nothing(login, world):
    client = login(world.personas.police)
    case = world.cases.police_adult
    url = reverse("case-age-evidence", args=[case.pk])
    tomorrow = (clock.today() + dt.timedelta(days=1)).isoformat()
    for data in (
        {"age-kind": "own_statement", "age-age_min": "", "age-on": "2026-10-01"},
        {"age-kind": "age_assessment", "age-age_min": "19", "age-age_max": "17", "age-on": "2026-10-01"},
        {"age-kind": "own_statement", "age-age_min": "16", "age-on": "2026-10-01", "age-verified": "on"},
        {"age-kind": "own_statement", "age-age_min": "16", "age-on": tomorrow},
    ):
        response = client.post(url, data)
        assert response.status_code == 200 and 'id="age-errors"' in body(response), data
    assert not AgeEvidence.objects.exists() and not Case.objects.get(pk=case.pk).is_child


def test_lifting_without_a_presumption_goes_back_to_the_case(login, world):
    client = login(world.personas.police)
    case = world.cases.police_adult
    response = client.post(reverse("case-presumption-lift", args=[case.pk]), {"lift-reason": "No reason."})
    assert response.status_code == 302 and response["Location"] == case.get_absolute_url()
    assert not CaseEvent.objects.filter(case=case, kind="presumption_lifted").exists()


def test_identification_pages_refuse_wrong_methods(login, world):
    client = login(world.personas.police)
    case = world.cases.police_child
    assert client.get(preview_url(case)).status_code == 405
    assert client.get(reverse("case-age-evidence", args=[case.pk])).status_code == 405
    assert client.get(reverse("case-presumption-lift", args=[case.pk])).status_code == 405


def test_case_page_query_budget_with_assessments(login, world, django_assert_max_num_queries):
    for i in range(8):
        record(world, reasoning=f"assessment {i}")
    client = login(world.personas.police)
    with django_assert_max_num_queries(40):
        response = client.get(world.cases.police_child.get_absolute_url())
    assert response.status_code == 200 and body(response).count("/assessments/") >= 8


def test_the_agencys_local_questions_are_shown_recorded_and_reshown(login, world):
    from varde.identification.services import local_question_add, local_question_retire

    admin = world.personas.agency_admin  # administers the police agency
    under = local_question_add(
        actor=admin,
        agency=world.agencies.police,
        catalogue_id=CHILD_LABOUR,
        element_id="exploitation",
        text_nb="Jobbet barnet om natten?",
        text_en="Did the child work at night?",
        help_nb="Etter kl. 23.",
        help_en="After 11 pm.",
    )
    loose = local_question_add(
        actor=admin,
        agency=world.agencies.police,
        catalogue_id=CHILD_LABOUR,
        text_nb="Er saken meldt til STOP-gruppen?",
        text_en="Reported to the STOP unit?",
    )
    retired = local_question_add(
        actor=admin,
        agency=world.agencies.police,
        catalogue_id=CHILD_LABOUR,
        text_nb="Gammelt spørsmål",
        text_en="Old question",
    )
    local_question_retire(actor=admin, question=retired)
    client = login(world.personas.police)
    form = body(client.get(new_url(world.cases.police_child)))
    assert "Did the child work at night?" in form and "After 11 pm." in form
    assert "Reported to the STOP unit?" in form and "Old question" not in form
    assert (
        f'value="{under.pk}" id="id_local_questions_0" aria-describedby="id_local_questions_0-help"' in form
    )
    # another agency's caseworker does not see the police's questions
    ngo_form = body(login(world.personas.ngo).get(new_url(world.cases.ngo_child)))
    assert "Did the child work at night?" not in ngo_form

    client = login(world.personas.police)
    response = client.post(
        new_url(world.cases.police_child),
        {
            "indicators": ["dr_job_nature"],
            "local_questions": [str(under.pk), str(loose.pk)],
            "conclusion": "inconclusive",
            "reasoning": "More to find out.",
            "catalogue_version": 1,
        },
    )
    assert response.status_code == 302
    assessment = Assessment.objects.get()
    assert {a["id"] for a in assessment.local_answers} == {str(under.pk), str(loose.pk)}
    assert assessment.outcome == "inconclusive"  # the local questions never change the national rule
    page = body(client.get(response["Location"]))
    assert "Did the child work at night?" in page and "Reported to the STOP unit?" in page
    # a retired question cannot be ticked
    response = client.post(
        new_url(world.cases.police_child),
        {
            "indicators": [],
            "local_questions": [str(retired.pk)],
            "conclusion": "inconclusive",
            "reasoning": "r",
            "catalogue_version": 1,
        },
    )
    assert response.status_code == 200 and Assessment.objects.count() == 1


def test_bokmal_pages_show_the_bokmal_catalogue_texts(client, world):
    assessment = record(world)
    login_verified(client, world.personas.police)  # no language chosen: Bokmål, the default
    for url in (new_url(world.cases.police_child), reverse("assessment-detail", args=[assessment.pk])):
        page = body(client.get(url))
        assert '<html lang="nb"' in page
        assert "ILO/EU-indikatorer: barn, arbeidsutnytting" in page
        assert (
            "Villedet om hva arbeidet gikk ut på, hvor det skulle være eller hvem arbeidsgiveren var" in page
        )
        assert "Misled about what the work was" not in page
    case_page = body(client.get(world.cases.police_child.get_absolute_url()))
    assert "ILO/EU-indikatorer: barn, arbeidsutnytting" in case_page
