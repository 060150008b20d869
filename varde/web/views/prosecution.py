"""Pages for criminal cases: the list, opening a case, a case's page with its stages, victims' cases,
perpetrators, networks, cross-border cooperation and participants; a victim's case's criminal
proceedings as the victim's caseworker sees them; the figures.

Every read goes through varde.access.prosecution (404 for a criminal case the user may not see, reads
audited); every write is a service of varde.prosecution. Each form posts to its own URL and works
without JavaScript: success redirects back to the page, errors re-render it with the bound form, a
stale version answers 409 with the user's input kept.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from uuid import UUID

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.forms import Form
from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from varde.access import prosecution as reads
from varde.access.cases import case_get_for_user
from varde.cases.models import ExploitationForm
from varde.core import clock
from varde.prosecution import services
from varde.prosecution.acting import may_open_criminal_cases
from varde.prosecution.models import CriminalCase, Network
from varde.statistics.police_districts import districts
from varde.statistics.selectors import may_see_internal, may_see_published
from varde.web.prosecution_forms import (
    CooperationForm,
    CriminalCaseForm,
    FactsForm,
    FiguresForm,
    NetworkForm,
    OutcomeForm,
    ParticipantForm,
    PerpetratorForm,
    StageForm,
    TrialForm,
    VictimLinkForm,
)
from varde.web.types import AuthedRequest
from varde.web.views.base import CONFLICT, case_workers_only, done, kept, kept_data, only, require, save

LIST_LIMIT = 200


criminal_users_only = only(reads.may_use_criminal_cases)
"""Criminal-case pages: police and prosecution caseworkers, and KOM coordinators; everyone else 404."""

criminal_openers_only = only(may_open_criminal_cases)
"""Opening a criminal case: police and prosecution caseworkers."""


def _district_name(code: str) -> str:
    names = districts().get(code)
    return names[_lang()] if names else code


def _lang() -> str:
    from django.utils.translation import get_language

    return "nb" if (get_language() or "nb").startswith(("nb", "no", "nn")) else "en"


# --- the list and opening a case --------------------------------------------------------------------------


@require_GET
@login_required
@criminal_users_only
def criminal_case_list(request: AuthedRequest) -> HttpResponse:
    rows = list(
        reads.criminal_cases_listed_for(user=request.user).order_by("-stage_on", "reference")[
            : LIST_LIMIT + 1
        ]
    )
    return render(
        request,
        "web/prosecution/list.html",
        {
            "rows": [{"case": c, "district": _district_name(c.police_district)} for c in rows[:LIST_LIMIT]],
            "limited": len(rows) > LIST_LIMIT,
            "may_open": may_open_criminal_cases(request.user),
        },
    )


@require_http_methods(["GET", "POST"])
@login_required
@criminal_openers_only
def criminal_case_new(request: AuthedRequest) -> HttpResponse:
    if request.method == "GET":
        form = CriminalCaseForm(initial={"opened_on": clock.today()})
        return render(request, "web/prosecution/new.html", {"form": form})
    form = CriminalCaseForm(request.POST)
    if form.is_valid():
        d = form.cleaned_data
        data = services.CriminalCaseInput(
            police_district=d["police_district"],
            offence=d["offence"],
            facts_date=d["facts_date"],
            opened_on=d["opened_on"],
            first_stage=d["first_stage"],
            police_case_number=d["police_case_number"],
            exploitation_form=d["exploitation_form"],
            notes=d["notes"],
        )
        saved = save(form, lambda: services.criminal_case_open(actor=request.user, data=data))
        if saved.ok:
            message = _("The criminal case is opened.")
            return done(request, message, "criminal-case-detail", criminal_case_id=saved.result.pk)
    return render(request, "web/prosecution/new.html", {"form": form})


# --- a criminal case's page -------------------------------------------------------------------------------


def _context(request: AuthedRequest, view: reads.CriminalCaseView, **bound: Any) -> dict[str, Any]:
    user = request.user
    case = view.case
    context: dict[str, Any] = {
        "view": view,
        "cc": case,
        "district": _district_name(case.police_district),
        "details": view.details,
    }
    if view.details:
        version = {"version": case.version}
        context.update(
            {
                "stage_form": bound.pop("stage_form", None) or StageForm(prefix="stage", initial=version),
                "trial_form": bound.pop("trial_form", None)
                or TrialForm(
                    prefix="trial",
                    initial={**version, "trial_on": case.trial_on, "court": case.trial_court},
                ),
                "facts_form": bound.pop("facts_form", None)
                or FactsForm(
                    prefix="facts",
                    initial={
                        **version,
                        "police_case_number": case.police_case_number,
                        "exploitation_form": case.exploitation_form,
                        "confiscated_nok": case.confiscated_nok,
                        "notes": case.notes,
                    },
                ),
                "victim_form": bound.pop("victim_form", None)
                or VictimLinkForm(
                    prefix="victim", cases=reads.victim_cases_to_link(user=user, criminal_case=case)
                ),
                "perpetrator_form": bound.pop("perpetrator_form", None)
                or PerpetratorForm(prefix="perpetrator", networks=_networks(view)),
                "network_form": bound.pop("network_form", None) or NetworkForm(prefix="network"),
                "cooperation_form": bound.pop("cooperation_form", None)
                or CooperationForm(prefix="cooperation"),
                "participant_form": bound.pop("participant_form", None)
                or ParticipantForm(
                    prefix="participant", agencies=reads.agencies_to_take_part(criminal_case=case)
                ),
            }
        )
        outcome_forms = bound.pop("outcome_forms", {})
        context["perpetrator_rows"] = [
            {
                "link": link,
                "summary_id": f"outcome-errors-{link.pk}",
                "form": outcome_forms.get(str(link.pk))
                or OutcomeForm(
                    prefix=f"outcome-{link.pk}",
                    initial={
                        "version": link.version,
                        "outcome": link.outcome,
                        "sentence_months": link.sentence_months,
                        "sentence_text": link.sentence_text,
                    },
                ),
            }
            for link in view.perpetrator_links
        ]
    context.update(bound)
    return context


def _page(request: AuthedRequest, criminal_case_id: UUID) -> reads.CriminalCaseView:
    require(reads.may_use_criminal_cases, request.user)
    return reads.criminal_case_get_for_user(user=request.user, criminal_case_id=criminal_case_id)


def _render(
    request: AuthedRequest, view: reads.CriminalCaseView, status: int = 200, **bound: Any
) -> HttpResponse:
    return render(request, "web/prosecution/detail.html", _context(request, view, **bound), status=status)


def _back(request: AuthedRequest, view: reads.CriminalCaseView, message: str, anchor: str) -> HttpResponse:
    return done(
        request,
        message,
        reverse("criminal-case-detail", kwargs={"criminal_case_id": view.case.pk}) + f"#{anchor}",
    )


def _acting(request: AuthedRequest, criminal_case_id: UUID) -> reads.CriminalCaseView:
    """A write: the page as the user sees it; a coordinator (no details) may not act (403)."""
    view = _page(request, criminal_case_id)
    if not view.details:
        raise PermissionDenied
    return view


@require_GET
@login_required
def criminal_case_detail(request: AuthedRequest, criminal_case_id: UUID) -> HttpResponse:
    return _render(request, _page(request, criminal_case_id))


# --- the forms of a criminal case's page: one way from a form to its service ------------------------------


@dataclass(frozen=True)
class CaseForm:
    """A form on a criminal case's page: its context name (`<name>_form`, also its prefix), how it is
    built for the case (bound to the posted data, or unbound with None), the service it calls with the
    cleaned data, and where the page goes back to with which message. A form that carries the case's
    version answers a stale one with 409 and the user's input kept against the case as it is now."""

    name: str
    build: Callable[[AuthedRequest, reads.CriminalCaseView, Any], Form]
    call: Callable[[AuthedRequest, CriminalCase, dict[str, Any], Any], object]
    message: str
    anchor: str


def _post(request: AuthedRequest, criminal_case_id: UUID, spec: CaseForm) -> HttpResponse:
    view = _acting(request, criminal_case_id)
    form = spec.build(request, view, request.POST)
    if form.is_valid():
        saved = save(form, lambda: spec.call(request, view.case, form.cleaned_data, form))
        if saved.conflict:
            fresh = _page(request, criminal_case_id)
            again: dict[str, Any] = {
                f"{spec.name}_form": spec.build(request, fresh, kept_data(form, fresh.case.version))
            }
            return _render(request, fresh, status=CONFLICT, conflict=True, **again)
        if saved.ok:
            return _back(request, view, _(spec.message), spec.anchor)
    bound: dict[str, Any] = {f"{spec.name}_form": form}
    return _render(request, view, **bound)


def _networks(view: reads.CriminalCaseView) -> QuerySet[Network]:
    return reads.networks_of_case(criminal_case=view.case)


def _case_forms() -> dict[str, CaseForm]:
    """The case's forms by name (messages marked for translation, translated when shown)."""
    return {
        "stage": CaseForm(
            "stage",
            lambda r, v, data: StageForm(data, prefix="stage"),
            lambda r, case, d, f: services.stage_record(
                actor=r.user,
                criminal_case=case,
                stage=d["stage"],
                on=d["on"],
                version=d["version"],
                reason=d["reason"],
                court=d["court"],
                outcome=d["outcome"],
            ),
            gettext_noop("The stage is recorded."),
            "stages-heading",
        ),
        "trial": CaseForm(
            "trial",
            lambda r, v, data: TrialForm(data, prefix="trial"),
            lambda r, case, d, f: services.trial_schedule(
                actor=r.user, criminal_case=case, on=d["trial_on"], court=d["court"], version=d["version"]
            ),
            gettext_noop("The trial date is recorded."),
            "stages-heading",
        ),
        "facts": CaseForm(
            "facts",
            lambda r, v, data: FactsForm(data, prefix="facts"),
            lambda r, case, d, f: services.criminal_case_update(
                actor=r.user,
                criminal_case=case,
                version=d["version"],
                police_case_number=d["police_case_number"],
                exploitation_form=d["exploitation_form"],
                confiscated_nok=d["confiscated_nok"],
                notes=d["notes"],
            ),
            gettext_noop("The facts are saved."),
            "facts-heading",
        ),
        "victim": CaseForm(
            "victim",
            lambda r, v, data: VictimLinkForm(
                data, prefix="victim", cases=reads.victim_cases_to_link(user=r.user, criminal_case=v.case)
            ),
            lambda r, case, d, f: services.victim_link_add(
                actor=r.user, criminal_case=case, case=d["case"], role=d["role"]
            ),
            gettext_noop("The victim's case is linked."),
            "victims-heading",
        ),
        "perpetrator": CaseForm(
            "perpetrator",
            lambda r, v, data: PerpetratorForm(data, prefix="perpetrator", networks=_networks(v)),
            lambda r, case, d, f: services.perpetrator_add(
                actor=r.user,
                criminal_case=case,
                name=d["name"],
                nationality=d["nationality"],
                role=d["role"],
                network=d["network"],
                police_district=d["police_district"],
            ),
            gettext_noop("The perpetrator is added."),
            "perpetrators-heading",
        ),
        "network": CaseForm(
            "network",
            lambda r, v, data: NetworkForm(data, prefix="network"),
            lambda r, case, d, f: services.network_add(
                actor=r.user, criminal_case=case, name=d["name"], countries=f.country_list()
            ),
            gettext_noop("The network is added."),
            "networks-heading",
        ),
        "cooperation": CaseForm(
            "cooperation",
            lambda r, v, data: CooperationForm(data, prefix="cooperation"),
            lambda r, case, d, f: services.cooperation_record(
                actor=r.user,
                criminal_case=case,
                kind=d["kind"],
                started_on=d["started_on"],
                country=d["country"],
                note=d["note"],
            ),
            gettext_noop("The cooperation is recorded."),
            "cooperation-heading",
        ),
        "participant": CaseForm(
            "participant",
            lambda r, v, data: ParticipantForm(
                data, prefix="participant", agencies=reads.agencies_to_take_part(criminal_case=v.case)
            ),
            lambda r, case, d, f: services.participant_add(
                actor=r.user, criminal_case=case, agency=d["agency"], role=d["role"]
            ),
            gettext_noop("The agency takes part in the criminal case."),
            "participants-heading",
        ),
    }


CASE_FORMS = _case_forms()


def _form_view(name: str) -> Callable[[AuthedRequest, UUID], HttpResponse]:
    spec = CASE_FORMS[name]

    @require_POST
    @login_required
    def view(request: AuthedRequest, criminal_case_id: UUID) -> HttpResponse:
        return _post(request, criminal_case_id, spec)

    view.__name__ = view.__qualname__ = f"criminal_case_{name}"
    view.__doc__ = f"POST the {name} form of a criminal case's page."
    return view


criminal_case_stage = _form_view("stage")
criminal_case_trial = _form_view("trial")
criminal_case_facts = _form_view("facts")
criminal_case_victim = _form_view("victim")
criminal_case_perpetrator = _form_view("perpetrator")
criminal_case_network = _form_view("network")
criminal_case_cooperation = _form_view("cooperation")
criminal_case_participant = _form_view("participant")


@require_POST
@login_required
def criminal_case_outcome(request: AuthedRequest, criminal_case_id: UUID, link_id: UUID) -> HttpResponse:
    """A person's outcome: its own form per perpetrator, versioned by the person's link."""
    view = _acting(request, criminal_case_id)
    link = reads.perpetrator_link_get_for_user(user=request.user, link_id=link_id)
    if link.criminal_case_id != view.case.pk:
        raise Http404("Not found")
    form = OutcomeForm(request.POST, prefix=f"outcome-{link.pk}")
    if form.is_valid():
        d = form.cleaned_data
        saved = save(
            form,
            lambda: services.perpetrator_outcome_record(
                actor=request.user,
                link=link,
                outcome=d["outcome"],
                version=d["version"],
                sentence_months=d["sentence_months"],
                sentence_text=d["sentence_text"],
            ),
        )
        if saved.conflict:
            link.refresh_from_db()
            fresh = _page(request, criminal_case_id)
            forms = {str(link.pk): kept(form, link.version)}
            return _render(request, fresh, status=CONFLICT, conflict=True, outcome_forms=forms)
        if saved.ok:
            return _back(request, view, _("The outcome is recorded."), "perpetrators-heading")
    return _render(request, view, outcome_forms={str(link.pk): form})


# --- the victim's side --------------------------------------------------------------------------------------


@require_GET
@login_required
@case_workers_only
def case_criminal_proceedings(request: AuthedRequest, case_id: UUID) -> HttpResponse:
    """What the victim's caseworker sees: the person's role, the stage and the trial. Never suspects."""
    case = case_get_for_user(user=request.user, case_id=case_id)
    rows = reads.criminal_proceedings_for_case(user=request.user, case=case)
    return render(
        request,
        "web/prosecution/victim_case.html",
        {"case": case, "rows": [{"row": r, "district": _district_name(r.police_district)} for r in rows]},
    )


# --- figures ------------------------------------------------------------------------------------------------


@require_GET
@login_required
def prosecution_statistics(request: AuthedRequest) -> HttpResponse:
    """Coordinators see internal figures (or published ones on request); analysts published ones only."""
    user = request.user
    if not may_see_published(user):
        raise Http404("Not found")
    this_year = clock.today().year
    form = FiguresForm(request.GET or {"first_year": this_year - 1, "last_year": this_year})
    figures = None
    if form.is_valid():
        published = not may_see_internal(user) or request.GET.get("published") == "1"
        figures = reads.prosecution_figures_for_user(
            user=user,
            first_year=form.cleaned_data["first_year"],
            last_year=form.cleaned_data["last_year"],
            published=published,
        )
        figures["form_rows"] = [
            (ExploitationForm(code).label if code in ExploitationForm.values else _("Not known"), n)
            for code, n in figures["by_exploitation"].items()
        ]
        figures["district_rows"] = [
            {"name": _district_name(code), "figures": values}
            for code, values in figures["by_police_district"].items()
        ]
    return render(
        request,
        "web/prosecution/statistics.html",
        {"form": form, "figures": figures, "internal": may_see_internal(user)},
    )
