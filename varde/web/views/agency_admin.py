"""Agency administration (not Django admin): members, roles and agencies. Anyone else gets 404."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from uuid import UUID

from django.contrib.auth.decorators import login_required
from django.forms import Form
from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from varde.access.accounts import (
    agencies_with_member_counts,
    agency_get_for_admin,
    grantable_roles,
    membership_get_for_admin,
    memberships_of_agency,
)
from varde.access.predicates import is_system_admin
from varde.accounts.models import Agency, Membership, Role, User
from varde.accounts.services import (
    agency_create,
    membership_change_role,
    membership_deactivate,
    user_create_with_membership,
)
from varde.audit.models import AuditAction
from varde.audit.services import audit_record
from varde.core.errors import EditConflict
from varde.identification.catalogue import catalogue_summary, shipped_catalogues, text
from varde.identification.errors import UnknownCatalogue
from varde.identification.models import LocalQuestion
from varde.identification.selectors import local_question_by_id, local_questions_of_agency
from varde.identification.services import local_question_add, local_question_retire
from varde.response.models import AgencyContact
from varde.response.notifications import agency_contact_set
from varde.response.selectors import agency_contact_of
from varde.web.forms import (
    AgencyContactForm,
    AgencyForm,
    LocalQuestionForm,
    NewMemberForm,
    RoleForm,
    VersionForm,
)
from varde.web.types import AuthedRequest
from varde.web.views.base import CONFLICT, OnForm, Saved, administrators_only, done, kept_data, save
from varde.web.views.identification_sections import page_lang


@login_required
@administrators_only
def agency_admin_index(request: AuthedRequest) -> HttpResponse:
    user = request.user
    form = None
    if is_system_admin(user):
        form = AgencyForm(request.POST if request.method == "POST" else None)
        if request.method == "POST" and form.is_valid():
            saved = save(form, lambda: agency_create(actor=user, **form.cleaned_data))
            if saved.ok:
                agency = saved.result
                message = _("The agency %(name)s is created.") % {"name": agency.name}
                return done(request, message, "agency-admin-detail", agency_id=agency.pk)
    elif request.method == "POST":
        raise Http404
    agencies = list(agencies_with_member_counts(user=user))
    return render(request, "web/agency_admin/index.html", {"agencies": agencies, "agency_form": form})


def _membership_changed() -> str:
    return _("Someone else changed this membership while you were working. Check it and try again.")


def _errors_of(form: Form) -> str:
    """A refused change, said on top of the page (the buttons have no fields to show it at)."""
    return " ".join(str(e) for errors in form.errors.values() for e in errors)


def _incomplete(request: AuthedRequest, agency: Agency) -> HttpResponse:
    return _render_agency(request, agency, status=400, admin_error=_("The form was incomplete. Try again."))


def _refused(
    request: AuthedRequest, agency: Agency, form: Form, saved: Saved[Any], *, conflict_error: str
) -> HttpResponse | None:
    """A button's change that did not go through: the agency page again, saying why on top of it (409
    when someone else changed the record first). None when it was saved."""
    if saved.conflict:
        return _render_agency(request, agency, status=CONFLICT, admin_error=conflict_error)
    if not saved.ok:
        return _render_agency(request, agency, status=400, admin_error=_errors_of(form))
    return None


@dataclass
class MemberRow:
    m: Membership
    is_self: bool
    manageable: bool
    role_form: RoleForm | None


def _member_rows(user: User, agency: Agency, roles: list[str]) -> list[MemberRow]:
    rows = []
    for m in memberships_of_agency(user=user, agency=agency):
        is_self = m.user_id == user.pk
        manageable = m.is_active and not is_self and (is_system_admin(user) or m.role in roles)
        role_form = (
            RoleForm(prefix=f"m-{m.pk}", roles=roles, initial={"role": m.role, "version": m.version})
            if manageable
            else None
        )
        rows.append(MemberRow(m, is_self, manageable, role_form))
    return rows


@dataclass
class Catalogues:
    """The shipped catalogues in the page's language: choices for the form, names for the list."""

    choices: list[tuple[str, str]]
    elements: list[tuple[str, list[tuple[str, str]]]]
    titles: dict[str, str]
    element_titles: dict[tuple[str, str], str]


def _catalogues() -> Catalogues:
    lang = page_lang()
    choices, elements, titles, element_titles = [], [], {}, {}
    for catalogue in shipped_catalogues():
        title = catalogue_summary(catalogue, lang)["title"]
        choices.append((catalogue["id"], title))
        titles[catalogue["id"]] = title
        group = []
        for el in catalogue["elements"]:
            el_title = text(el["title"], lang)
            group.append((el["id"], el_title))
            element_titles[(catalogue["id"], el["id"])] = el_title
        elements.append((title, group))
    return Catalogues(choices, elements, titles, element_titles)


@dataclass
class QuestionRow:
    q: LocalQuestion
    catalogue: str
    element: str


def _question_rows(agency: Agency, catalogues: Catalogues) -> list[QuestionRow]:
    return [
        QuestionRow(
            q,
            catalogues.titles.get(q.catalogue_key, q.catalogue_key),
            catalogues.element_titles.get((q.catalogue_key, q.element_id), q.element_id),
        )
        for q in local_questions_of_agency(agency=agency)
    ]


def _question_form(catalogues: Catalogues, data: Any = None) -> LocalQuestionForm:
    return LocalQuestionForm(data, prefix="lq", catalogues=catalogues.choices, elements=catalogues.elements)


def _contact_form(agency: Agency, data: Any = None) -> AgencyContactForm:
    contact = agency_contact_of(agency=agency)
    initial = {}
    if contact is not None:
        initial = {
            "on_call_phone": contact.on_call_phone,
            "email": contact.email,
            "hours": contact.hours,
            "always_open": contact.always_open,
            "version": contact.version,
        }
    return AgencyContactForm(data, prefix="contact", initial=initial)


def _render_agency(request: AuthedRequest, agency: Agency, status: int = 200, **extra: Any) -> HttpResponse:
    user = request.user
    roles = grantable_roles(actor=user, agency=agency)
    members = _member_rows(user, agency, roles)
    audit_record(
        actor=user,
        action=AuditAction.VIEW,
        obj=agency,
        detail={"page": "agency_admin", "memberships": len(members)},
    )
    catalogues = _catalogues()
    context = {
        "agency": agency,
        "members": members,
        "member_form": extra.pop("member_form", None) or NewMemberForm(prefix="new", roles=roles),
        "questions": _question_rows(agency, catalogues),
        "question_form": extra.pop("question_form", None) or _question_form(catalogues),
        "contact_form": extra.pop("contact_form", None) or _contact_form(agency),
    }
    context.update(extra)
    return render(request, "web/agency_admin/agency.html", context, status=status)


@login_required
def agency_admin_detail(request: AuthedRequest, agency_id: UUID) -> HttpResponse:
    agency = agency_get_for_admin(user=request.user, agency_id=agency_id)
    return _render_agency(request, agency)


@require_POST
@login_required
def agency_admin_add_member(request: AuthedRequest, agency_id: UUID) -> HttpResponse:
    agency = agency_get_for_admin(user=request.user, agency_id=agency_id)
    roles = grantable_roles(actor=request.user, agency=agency)
    form = NewMemberForm(request.POST, prefix="new", roles=roles)
    if form.is_valid():
        saved = save(
            form, lambda: user_create_with_membership(actor=request.user, agency=agency, **form.cleaned_data)
        )
        if saved.ok:
            new_user, password = saved.result
            # Shown once, on this answer only; never stored in a message or a session.
            return _render_agency(request, agency, created_user=new_user, temporary_password=password)
    return _render_agency(request, agency, member_form=form)


@require_POST
@login_required
def agency_admin_change_role(request: AuthedRequest, membership_id: UUID) -> HttpResponse:
    membership = membership_get_for_admin(user=request.user, membership_id=membership_id)
    agency = membership.agency
    roles = grantable_roles(actor=request.user, agency=agency)
    form = RoleForm(request.POST, prefix=f"m-{membership.pk}", roles=roles)
    if not form.is_valid():
        return _render_agency(request, agency, status=400, admin_error=_("Choose a role you can give."))
    saved = save(
        form,
        lambda: membership_change_role(
            actor=request.user,
            membership=membership,
            role=form.cleaned_data["role"],
            version=form.cleaned_data["version"],
        ),
    )
    if refused := _refused(request, agency, form, saved, conflict_error=_membership_changed()):
        return refused
    message = _("%(user)s is now %(role)s.") % {
        "user": membership.user,
        "role": Role(form.cleaned_data["role"]).label,
    }
    return done(request, message, "agency-admin-detail", agency_id=agency.pk)


@require_POST
@login_required
def agency_admin_deactivate(request: AuthedRequest, membership_id: UUID) -> HttpResponse:
    membership = membership_get_for_admin(user=request.user, membership_id=membership_id)
    agency = membership.agency
    form = VersionForm(request.POST)
    if not form.is_valid():
        return _incomplete(request, agency)
    saved = save(
        form,
        lambda: membership_deactivate(
            actor=request.user, membership=membership, version=form.cleaned_data["version"]
        ),
    )
    if refused := _refused(request, agency, form, saved, conflict_error=_membership_changed()):
        return refused
    message = _("%(user)s no longer has this role in %(agency)s.") % {
        "user": membership.user,
        "agency": agency.name,
    }
    return done(request, message, "agency-admin-detail", agency_id=agency.pk)


@require_POST
@login_required
def agency_admin_local_question_add(request: AuthedRequest, agency_id: UUID) -> HttpResponse:
    agency = agency_get_for_admin(user=request.user, agency_id=agency_id)
    form = _question_form(_catalogues(), request.POST)
    if form.is_valid():
        saved = save(
            form,
            lambda: local_question_add(actor=request.user, agency=agency, **form.cleaned_data),
            on={UnknownCatalogue: OnForm("catalogue_id", _("Choose a catalogue from the list."))},
        )
        if saved.ok:
            return done(
                request, _("The local question is added."), "agency-admin-detail", agency_id=agency.pk
            )
    return _render_agency(request, agency, status=400, question_form=form)


@require_POST
@login_required
def agency_admin_local_question_retire(request: AuthedRequest, question_id: UUID) -> HttpResponse:
    question = local_question_by_id(question_id=question_id)
    if question is None:
        raise Http404("Not found")
    agency = agency_get_for_admin(user=request.user, agency_id=question.agency_id)
    form = VersionForm(request.POST)
    if not form.is_valid():
        return _incomplete(request, agency)
    question_changed = _("Someone else changed this question while you were working. Check it and try again.")
    if form.cleaned_data["version"] != question.version or not question.is_active:
        return _render_agency(request, agency, status=CONFLICT, admin_error=question_changed)
    saved = save(form, lambda: local_question_retire(actor=request.user, question=question))
    if refused := _refused(request, agency, form, saved, conflict_error=question_changed):
        return refused
    message = _("The local question is retired. It is no longer shown in new assessments.")
    return done(request, message, "agency-admin-detail", agency_id=agency.pk)


@require_POST
@login_required
def agency_admin_contact(request: AuthedRequest, agency_id: UUID) -> HttpResponse:
    agency = agency_get_for_admin(user=request.user, agency_id=agency_id)
    form = _contact_form(agency, request.POST)
    if form.is_valid():
        data = form.cleaned_data

        def contact_set() -> AgencyContact:
            if data["version"] is None and agency_contact_of(agency=agency) is not None:
                # The form was opened before anyone had set a contact, and someone set one meanwhile.
                raise EditConflict(AgencyContact(agency=agency))
            return agency_contact_set(
                actor=request.user,
                agency=agency,
                on_call_phone=data["on_call_phone"],
                email=data["email"],
                hours=data["hours"],
                always_open=data["always_open"],
                version=data["version"],
            )

        saved = save(form, contact_set)
        if saved.conflict:
            current = agency_contact_of(agency=agency)
            version = current.version if current is not None else 0
            return _render_agency(
                request,
                agency,
                status=CONFLICT,
                contact_form=_contact_form(agency, kept_data(form, version)),
                admin_error=_(
                    "Someone else changed the 24-hour contact while you were working. Check it and try again."
                ),
            )
        if saved.ok:
            return done(
                request, _("The 24-hour contact is saved."), "agency-admin-detail", agency_id=agency.pk
            )
    return _render_agency(request, agency, status=400, contact_form=form)
