"""Agency administration (not Django admin): members, roles and agencies. Anyone else gets 404."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from uuid import UUID

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from varde.access.accounts import (
    agencies_with_member_counts,
    agency_get_for_admin,
    can_administer,
    grantable_roles,
    membership_get_for_admin,
    memberships_of_agency,
)
from varde.accounts.models import Agency, Membership, Role, User
from varde.accounts.services import (
    agency_create,
    membership_change_role,
    membership_deactivate,
    user_create_with_membership,
)
from varde.audit.models import AuditAction
from varde.audit.services import audit_record
from varde.core.errors import EditConflict, NotPermitted
from varde.web.forms import AgencyForm, NewMemberForm, RoleForm, VersionForm, add_service_error
from varde.web.types import AuthedRequest

CONFLICT = 409


def _require_admin(request: AuthedRequest) -> None:
    if not can_administer(request.user):
        raise Http404


@login_required
def agency_admin_index(request: AuthedRequest) -> HttpResponse:
    _require_admin(request)
    user = request.user
    form = None
    if user.is_system_admin:
        form = AgencyForm(request.POST if request.method == "POST" else None)
        if request.method == "POST" and form.is_valid():
            try:
                with transaction.atomic():
                    agency = agency_create(actor=user, **form.cleaned_data)
            except ValidationError as error:
                add_service_error(form, error)
            else:
                messages.success(request, _("The agency %(name)s is created.") % {"name": agency.name})
                return redirect("agency-admin-detail", agency_id=agency.pk)
    elif request.method == "POST":
        raise Http404
    agencies = list(agencies_with_member_counts(user=user))
    return render(request, "web/agency_admin/index.html", {"agencies": agencies, "agency_form": form})


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
        manageable = m.is_active and not is_self and (user.is_system_admin or m.role in roles)
        role_form = (
            RoleForm(prefix=f"m-{m.pk}", roles=roles, initial={"role": m.role, "version": m.version})
            if manageable
            else None
        )
        rows.append(MemberRow(m, is_self, manageable, role_form))
    return rows


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
    context = {
        "agency": agency,
        "members": members,
        "member_form": extra.pop("member_form", None) or NewMemberForm(prefix="new", roles=roles),
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
        try:
            with transaction.atomic():
                new_user, password = user_create_with_membership(
                    actor=request.user, agency=agency, **form.cleaned_data
                )
        except ValidationError as error:
            add_service_error(form, error)
        except NotPermitted as error:
            raise PermissionDenied from error
        else:
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
    try:
        with transaction.atomic():
            membership_change_role(
                actor=request.user,
                membership=membership,
                role=form.cleaned_data["role"],
                version=form.cleaned_data["version"],
            )
    except EditConflict:
        return _render_agency(
            request,
            agency,
            status=CONFLICT,
            admin_error=_(
                "Someone else changed this membership while you were working. Check it and try again."
            ),
        )
    except ValidationError as error:
        return _render_agency(request, agency, status=400, admin_error=" ".join(error.messages))
    except NotPermitted as error:
        raise PermissionDenied from error
    messages.success(
        request,
        _("%(user)s is now %(role)s.")
        % {"user": membership.user, "role": Role(form.cleaned_data["role"]).label},
    )
    return redirect("agency-admin-detail", agency_id=agency.pk)


@require_POST
@login_required
def agency_admin_deactivate(request: AuthedRequest, membership_id: UUID) -> HttpResponse:
    membership = membership_get_for_admin(user=request.user, membership_id=membership_id)
    agency = membership.agency
    form = VersionForm(request.POST)
    if not form.is_valid():
        return _render_agency(
            request, agency, status=400, admin_error=_("The form was incomplete. Try again.")
        )
    try:
        with transaction.atomic():
            membership_deactivate(
                actor=request.user, membership=membership, version=form.cleaned_data["version"]
            )
    except EditConflict:
        return _render_agency(
            request,
            agency,
            status=CONFLICT,
            admin_error=_(
                "Someone else changed this membership while you were working. Check it and try again."
            ),
        )
    except NotPermitted as error:
        raise PermissionDenied from error
    messages.success(
        request,
        _("%(user)s no longer has this role in %(agency)s.")
        % {"user": membership.user, "agency": agency.name},
    )
    return redirect("agency-admin-detail", agency_id=agency.pk)
