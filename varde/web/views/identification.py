"""Identification pages: assessments with the national indicator catalogues, age evidence and the
presumption of minority. Every fetch goes through the access layer (404 for anyone who may not see
the case); every write is a service in varde.identification.services.

The indicators support the professional's judgement and never decide alone: the form previews the
rule's result (htmx fragment, or the whole page without JavaScript), then the caseworker concludes.
"""

from __future__ import annotations

import datetime as dt
from typing import Any
from uuid import UUID

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from varde.access.cases import acting_agency, case_get_for_user, case_get_unaudited
from varde.access.identification import assessment_get_for_user
from varde.accounts.models import User
from varde.cases.models import Case
from varde.cases.selectors import case_current
from varde.core.errors import NotPermitted
from varde.identification import selectors, services
from varde.identification.catalogue import text
from varde.identification.errors import CatalogueNotApplicable, IdentificationError, UnknownIndicator
from varde.identification.explain import elements_of, explain, strength_label
from varde.identification.models import Catalogue, Conclusion, LocalQuestion
from varde.identification.rule import evaluate
from varde.web.identification_forms import AgeEvidenceForm, AssessmentForm, PresumptionLiftForm
from varde.web.types import AuthedRequest
from varde.web.views.base import UNSAVED, OnForm, save
from varde.web.views.case_page import render_case
from varde.web.views.identification_sections import label, page_lang

# --- the case page's identification section (drawn by varde.web.views.identification_sections) ----------


@require_POST
@login_required
def age_evidence_add(request: AuthedRequest, case_id: UUID) -> HttpResponse:
    case = case_get_for_user(user=request.user, case_id=case_id)
    form = AgeEvidenceForm(request.POST, prefix="age")
    if form.is_valid():
        d = form.cleaned_data

        def record() -> services.PresumptionDecision:
            services.age_evidence_record(
                actor=request.user,
                case=case,
                kind=d["kind"],
                age_min=d["age_min"],
                age_max=d["age_max"],
                on=d["on"],
                assessed_by=d["assessed_by"],
                note=d["note"],
                verified=d["verified"],
            )
            return services.presumption_evaluate(actor=request.user, case=case)

        saved = save(form, record)
        if saved.ok:
            messages.success(request, _presumption_message(saved.result))
            return redirect(case)
    return render_case(request, case, age_form=form)


def _presumption_message(decision: services.PresumptionDecision) -> str:
    saved = _("The age evidence is saved.")
    if decision.outcome == services.OUTCOME_STARTED:
        return saved + " " + _("The person is now treated as a child until the age is verified.")
    if decision.outcome == services.OUTCOME_VERIFIED_CHILD:
        return saved + " " + _("The age is verified as under 18: this is a child's case.")
    if decision.outcome == services.OUTCOME_VERIFIED_ADULT and decision.presumption is not None:
        return (
            saved
            + " "
            + _(
                "The age is verified as 18 or over. The presumption of minority still applies "
                "until someone lifts it with a reason."
            )
        )
    return saved


@require_POST
@login_required
def presumption_lift(request: AuthedRequest, case_id: UUID) -> HttpResponse:
    case = case_get_for_user(user=request.user, case_id=case_id)
    form = PresumptionLiftForm(request.POST, prefix="lift")
    saved = UNSAVED
    if form.is_valid():
        saved = save(
            form,
            lambda: services.presumption_lift(
                actor=request.user, case=case, reason=form.cleaned_data["reason"]
            ),
            conflict_message=_(
                "Someone else changed the presumption while you were working. Nothing was "
                "saved; check the case and try again."
            ),
        )
        if saved.ok:
            messages.success(
                request,
                _("The presumption of minority is lifted. The case is no longer treated as a child's case."),
            )
            return redirect(case)
    case = case_current(case=case)
    if selectors.presumption_active(case=case) is None and not saved.conflict:
        return redirect(case)
    return render_case(request, case, status=saved.status, lift_form=form)


# --- the assessment form --------------------------------------------------------------------------------


def _catalogue_for(case: Case, catalogue_id: str) -> Catalogue:
    """The newest version of a catalogue that applies to the case; anything else is 404."""
    for catalogue in selectors.catalogues_for_case(case=case):
        if catalogue.key == catalogue_id:
            return catalogue
    raise Http404("Not found")


def _local_questions(user: User, case: Case, catalogue: Catalogue) -> list[LocalQuestion]:
    agency = acting_agency(user=user, case=case)
    if agency is None:
        return []
    return list(selectors.local_questions_for(agency=agency, catalogue_id=catalogue.key))


def _question_row(q: LocalQuestion, lang: str, index: int, local_ticked: set[str]) -> dict[str, Any]:
    """A local question as the form shows it, in the page's language (the other one if it has none);
    `index` numbers its checkbox among all the local questions of the form."""
    if lang == "en":
        q_text, q_help = q.text_en or q.text_nb, q.help_en or q.help_nb
    else:
        q_text, q_help = q.text_nb or q.text_en, q.help_nb or q.help_en
    return {
        "id": str(q.pk),
        "dom_id": f"id_local_questions_{index}",
        "text": q_text,
        "help": q_help,
        "checked": str(q.pk) in local_ticked,
    }


def _form_context(
    request: AuthedRequest,
    case: Case,
    catalogue: Catalogue,
    form: AssessmentForm,
    *,
    ticked: set[str],
    local_ticked: set[str],
    local: list[LocalQuestion],
    preview: dict[str, Any] | None = None,
) -> dict[str, Any]:
    lang = page_lang()
    content = catalogue.content
    element_ids = {el["id"] for el in content["elements"]}
    elements = []
    n = 0
    ln = 0
    total = len(content["elements"])
    for number, el in enumerate(content["elements"], 1):
        indicators = []
        for ind in el["indicators"]:
            indicators.append(
                {
                    "id": ind["id"],
                    "dom_id": f"id_indicators_{n}",
                    "text": text(ind["text"], lang),
                    "help": text(ind["help"], lang),
                    "strength": ind["strength"],
                    "strength_label": strength_label(ind["strength"]),
                    "checked": ind["id"] in ticked,
                }
            )
            n += 1
        questions = []
        for q in local:
            if q.element_id == el["id"]:
                questions.append(_question_row(q, lang, ln, local_ticked))
                ln += 1
        elements.append(
            {
                "number": number,
                "total": total,
                "id": el["id"],
                "title": text(el["title"], lang),
                "help": text(el["help"], lang) if "help" in el else "",
                "indicators": indicators,
                "local": questions,
                "ticked_count": sum(1 for i in indicators if i["checked"]),
            }
        )
    loose = []
    for q in local:
        if q.element_id not in element_ids:
            loose.append(_question_row(q, lang, ln, local_ticked))
            ln += 1
    return {
        "case": case,
        "catalogue": catalogue,
        "catalogue_title": catalogue.title(lang),
        "catalogue_note": text(content["note"], lang) if "note" in content else "",
        "elements": elements,
        "loose_local": loose,
        "form": form,
        "preview": preview,
        "ticked_total": len(ticked),
    }


def _new_form(data: Any, catalogue: Catalogue, local: list[LocalQuestion], **kwargs: Any) -> AssessmentForm:
    ids = [ind["id"] for el in catalogue.content["elements"] for ind in el["indicators"]]
    return AssessmentForm(
        data,
        indicator_ids=ids,
        local_question_ids=[str(q.pk) for q in local],
        version=catalogue.version,
        **kwargs,
    )


@require_http_methods(["GET", "POST"])
@login_required
def assessment_new(request: AuthedRequest, case_id: UUID, catalogue_id: str) -> HttpResponse:
    case = case_get_for_user(user=request.user, case_id=case_id)
    catalogue = _catalogue_for(case, catalogue_id)
    local = _local_questions(request.user, case, catalogue)
    if request.method != "POST":
        form = _new_form(None, catalogue, local)
        context = _form_context(request, case, catalogue, form, ticked=set(), local_ticked=set(), local=local)
        return render(request, "web/identification/assessment_form.html", context)
    form = _new_form(request.POST, catalogue, local)
    ticked = set(request.POST.getlist("indicators"))
    local_ticked = set(request.POST.getlist("local_questions"))
    if form.is_valid():
        d = form.cleaned_data
        if d["catalogue_version"] != catalogue.version:
            form.add_error(
                None,
                _(
                    "The catalogue has a new version since you opened the form. Check your "
                    "ticks against this version and save again."
                ),
            )
        else:
            saved = save(
                form,
                lambda: services.assessment_record(
                    actor=request.user,
                    case=case,
                    catalogue_id=catalogue.key,
                    indicator_ids=d["indicators"],
                    conclusion=d["conclusion"],
                    reasoning=d["reasoning"],
                    local_question_ids=d["local_questions"],
                ),
                on={CatalogueNotApplicable: OnForm(), UnknownIndicator: OnForm(), NotPermitted: OnForm()},
            )
            if saved.ok:
                messages.success(request, _("The assessment is saved."))
                return redirect("assessment-detail", assessment_id=saved.result.pk)
    context = _form_context(
        request, case, catalogue, form, ticked=ticked, local_ticked=local_ticked, local=local
    )
    return render(request, "web/identification/assessment_form.html", context)


def _facts_on(case: Case) -> dt.date:
    """The time of the facts, for the penal provision in force then: the case's first referral."""
    return timezone.localdate(case.opened_at)


def _preview(
    catalogue: Catalogue, ticked: list[str], conclusion: str, facts_on: dt.date | None = None
) -> dict[str, Any]:
    result = evaluate(catalogue.content, ticked)
    explained = explain(
        rule=catalogue.rule,
        population=catalogue.population,
        outcome=result.outcome.value,
        elements=elements_of(catalogue.content, result.as_dict()["elements"], page_lang()),
        facts_on=facts_on,
    )
    if conclusion in Conclusion.values:
        explained["conclusion_label"] = label(Conclusion, conclusion)
        explained["disagrees"] = services.conclusion_disagrees(
            outcome=result.outcome, conclusion=conclusion, rule=catalogue.rule
        )
    return explained


@require_POST
@login_required
def assessment_preview(request: AuthedRequest, case_id: UUID, catalogue_id: str) -> HttpResponse:
    """The rule's result for the current ticks, saving nothing: a fragment for htmx, else the whole form
    page with the result shown above the conclusion."""
    case = case_get_unaudited(user=request.user, case_id=case_id)
    catalogue = _catalogue_for(case, catalogue_id)
    ticked = [i for i in request.POST.getlist("indicators") if i]
    conclusion = request.POST.get("conclusion", "")
    try:
        preview = _preview(catalogue, ticked, conclusion, _facts_on(case))
    except IdentificationError:
        return HttpResponse(
            _("An indicator is not in this catalogue. Reload the page and try again."), status=400
        )
    if request.htmx:
        body = render_to_string("web/identification/_preview.html", {"preview": preview}, request)
        body += render_to_string("web/_live.html", {"message": preview["outcome_label"]}, request)
        return HttpResponse(body)
    local = _local_questions(request.user, case, catalogue)
    form = _new_form(
        None,
        catalogue,
        local,
        initial={"conclusion": conclusion, "reasoning": request.POST.get("reasoning", "")},
    )
    context = _form_context(
        request,
        case,
        catalogue,
        form,
        ticked=set(ticked),
        local_ticked=set(request.POST.getlist("local_questions")),
        local=local,
        preview=preview,
    )
    return render(request, "web/identification/assessment_form.html", context)


# --- one assessment, re-shown as it was made ------------------------------------------------------------


@require_GET
@login_required
def assessment_detail(request: AuthedRequest, assessment_id: UUID) -> HttpResponse:
    assessment = assessment_get_for_user(user=request.user, assessment_id=assessment_id)
    lang = page_lang()
    made = selectors.assessment_explain(assessment=assessment, lang=lang)
    explained = explain(
        rule=made["rule"],
        population=made["population"],
        outcome=made["outcome"],
        elements=made["elements"],
        facts_on=_facts_on(assessment.case),
    )
    people = selectors.assessment_with_people(assessment=assessment)
    return render(
        request,
        "web/identification/assessment_detail.html",
        {
            "assessment": assessment,
            "case": assessment.case,
            "made": made,
            "explained": explained,
            "assessed_by": people.assessed_by,
            "agency": people.agency,
            "conclusion_label": label(Conclusion, assessment.conclusion),
            "catalogue_note": text(assessment.catalogue.content["note"], lang)
            if "note" in assessment.catalogue.content
            else "",
        },
    )
