"""Linkage review pages for KOM coordinators: the review queue (no names), a pair side by side (the
minimum needed to decide, audited per case read), and the decisions with undo. Everyone else gets
404. Reads go through varde.access.linkage, writes through varde.linkage.services."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from django import forms
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db import models
from django.http import HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from varde.access.linkage import (
    agreements_for,
    decision_get_for_user,
    decisions_listed_for,
    review_pair_get_for_user,
    review_queue_for,
)
from varde.accounts.models import AgencyKind
from varde.linkage.models import Decision, ReviewDecision
from varde.linkage.records import AGREE, DIFFER, MISSING, PARTLY, RecordView, document_keys, mask, phone_keys
from varde.linkage.services import LinkageError, review_decide, review_undo
from varde.persons.models import AgeCertainty, NameKind, Sex
from varde.web.types import AuthedRequest
from varde.web.views.base import CONFLICT, OnForm, done, save

PAGE_SIZE = 25

AGREEMENT_LABELS = {
    AGREE: gettext_lazy("agree"),
    PARTLY: gettext_lazy("partly agree"),
    DIFFER: gettext_lazy("differ"),
    MISSING: gettext_lazy("not known for both"),
}
AGREEMENT_COLOURS = {AGREE: "success", PARTLY: "warning", DIFFER: "danger", MISSING: "neutral"}
FIELD_LABELS = {
    "name": gettext_lazy("Name"),
    "birth": gettext_lazy("Birth date or age"),
    "sex": gettext_lazy("Sex"),
    "nationality": gettext_lazy("Nationality"),
    "phone": gettext_lazy("Phone"),
    "document": gettext_lazy("Identity document"),
}


class DecisionForm(forms.Form):
    decision = forms.ChoiceField(
        label=gettext_lazy("Are these two referrals the same person?"),
        choices=Decision.choices,
        widget=forms.RadioSelect,
    )
    reason = forms.CharField(
        label=gettext_lazy("Why (optional)"),
        help_text=gettext_lazy("Other coordinators read this when they review or undo the decision."),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    version = forms.IntegerField(widget=forms.HiddenInput())


class UndoForm(forms.Form):
    reason = forms.CharField(label=gettext_lazy("Why undo"), max_length=2000)
    version = forms.IntegerField(widget=forms.HiddenInput())


def _agreement_rows(agreement: Any) -> list[dict[str, Any]]:
    return [
        {
            "field": FIELD_LABELS[name],
            "value": value,
            "label": AGREEMENT_LABELS[value],
            "colour": AGREEMENT_COLOURS[value],
        }
        for name, value in agreement.items()
    ]


def _label(choices: type[models.TextChoices], value: str) -> str:
    """The label of a code, or the code itself where it is not (or no longer) one of the choices."""
    try:
        return str(choices(value).label)
    except ValueError:
        return value


def _kind(value: str) -> str:
    return _label(AgencyKind, value)


# --- the queue -----------------------------------------------------------------------------------


@require_GET
@login_required
def review_queue(request: AuthedRequest) -> HttpResponse:
    queue = review_queue_for(user=request.user)
    page = Paginator(queue, PAGE_SIZE).get_page(request.GET.get("page"))
    items = list(page.object_list)
    agreements = agreements_for(user=request.user, items=items)
    rows = [
        {
            "item": item,
            "kinds": (_kind(item.record_a.reporting_agency.kind), _kind(item.record_b.reporting_agency.kind)),
            "agreement": _agreement_rows(agreements[item.pk]) if item.pk in agreements else [],
        }
        for item in items
    ]
    return render(request, "web/linkage/queue.html", {"page": page, "rows": rows})


# --- a pair side by side ---------------------------------------------------------------------------


def _age_text(record: RecordView) -> str:
    if record.date_of_birth:
        return record.date_of_birth.isoformat()
    if record.estimated_age is not None:
        certainty = _label(AgeCertainty, record.age_certainty) if record.age_certainty else ""
        text = _("about %(age)s years (estimated)") % {"age": record.estimated_age}
        return f"{text}, {certainty}" if certainty else text
    return ""


def _side(record: RecordView) -> dict[str, Any]:
    sex = _label(Sex, record.sex) if record.sex else ""  # not "Unknown": the empty code is shown as not known
    names = [
        {
            "text": f"{n.given} {n.family}".strip(),
            "kind": _label(NameKind, n.kind),
            "primary": n.kind == NameKind.PRIMARY,
        }
        for n in record.names
    ]
    return {
        "names": names,
        "birth": _age_text(record),
        "sex": sex,
        "nationalities": record.nationalities,
        "phones": sorted(mask(k) for k in phone_keys(record.phones)),
        "documents": sorted(mask(k) for k in document_keys(record.documents)),
        "agency_kind": _kind(record.agency_kind),
        "referral_month": record.referral_date.replace(day=1),
    }


def _render_pair(
    request: AuthedRequest, pair: Any, form: DecisionForm | None, *, conflict: bool = False, status: int = 200
) -> HttpResponse:
    context = {
        "pair": pair,
        "item": pair.item,
        "sides": [_side(pair.a), _side(pair.b)],
        "agreement": {
            name: {"label": AGREEMENT_LABELS[value], "colour": AGREEMENT_COLOURS[value]}
            for name, value in pair.agreement.items()
        },
        "form": form,
        "conflict": conflict,
    }
    return render(request, "web/linkage/pair.html", context, status=status)


@require_http_methods(["GET", "POST"])
@login_required
def review_pair(request: AuthedRequest, pair_id: UUID) -> HttpResponse:
    pair = review_pair_get_for_user(user=request.user, item_id=pair_id)
    item = pair.item
    is_open = item.state == item.State.OPEN
    if request.method == "POST":
        form = DecisionForm(request.POST, prefix="decide")
        if form.is_valid():
            saved = save(
                form,
                lambda: review_decide(
                    actor=request.user,
                    item=item,
                    decision=form.cleaned_data["decision"],
                    reason=form.cleaned_data["reason"].strip(),
                    version=form.cleaned_data["version"],
                ),
            )
            if saved.conflict:
                # The pair as it is now; a fresh form only if it is still open.
                pair = review_pair_get_for_user(user=request.user, item_id=pair_id)
                fresh: DecisionForm | None = None
                if pair.item.state == pair.item.State.OPEN:
                    fresh = DecisionForm(initial={"version": pair.item.version}, prefix="decide")
                return _render_pair(request, pair, fresh, conflict=True, status=CONFLICT)
            if saved.ok:
                label = Decision(form.cleaned_data["decision"]).label
                message = _("Decision saved: %(decision)s. The next linkage run follows it.") % {
                    "decision": label
                }
                return done(request, message, "linkage-review")
        return _render_pair(request, pair, form if is_open else None, status=200)
    blank = DecisionForm(initial={"version": item.version}, prefix="decide") if is_open else None
    return _render_pair(request, pair, blank)


# --- decisions (merges) and undo -----------------------------------------------------------------


def _decision_rows(decisions: list[ReviewDecision]) -> list[dict[str, Any]]:
    return [
        {
            "d": d,
            "kinds": (_kind(d.record_a.reporting_agency.kind), _kind(d.record_b.reporting_agency.kind)),
            "months": (d.record_a.referral_date.replace(day=1), d.record_b.referral_date.replace(day=1)),
            "form": UndoForm(initial={"version": d.version}, prefix=f"undo-{d.pk}"),
        }
        for d in decisions
    ]


def _render_merges(
    request: AuthedRequest,
    *,
    status: int = 200,
    conflict: bool = False,
    failed: ReviewDecision | None = None,
    failed_form: UndoForm | None = None,
) -> HttpResponse:
    page = Paginator(decisions_listed_for(user=request.user), PAGE_SIZE).get_page(request.GET.get("page"))
    rows = _decision_rows(list(page.object_list))
    for row in rows:
        if failed is not None and row["d"].pk == failed.pk and failed_form is not None:
            row["form"] = failed_form
    context = {"page": page, "rows": rows, "conflict": conflict}
    return render(request, "web/linkage/merges.html", context, status=status)


@require_GET
@login_required
def merges(request: AuthedRequest) -> HttpResponse:
    return _render_merges(request)


@require_POST
@login_required
def merge_undo(request: AuthedRequest, decision_id: UUID) -> HttpResponse:
    decision = decision_get_for_user(user=request.user, decision_id=decision_id)
    form = UndoForm(request.POST, prefix=f"undo-{decision.pk}")
    if not form.is_valid():
        return _render_merges(request, status=200, failed=decision, failed_form=form)
    saved = save(
        form,
        lambda: review_undo(
            actor=request.user,
            decision=decision,
            reason=form.cleaned_data["reason"].strip(),
            version=form.cleaned_data["version"],
        ),
        on={LinkageError: OnForm()},
    )
    if not saved.ok:
        # Someone changed or undid the decision meanwhile: the list as it is now says so.
        return _render_merges(request, status=CONFLICT, conflict=True)
    message = _("The decision is undone. The next linkage run decides the pair from the model again.")
    return done(request, message, "linkage-merges")
