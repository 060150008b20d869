"""A user's saved case lists: a name and the list's filters and order (a query string in the case
list's syntax, varde.access.search). A search text is never saved: it may be a name, and a saved
list outlives the moment it was needed for."""

from __future__ import annotations

from urllib.parse import parse_qsl, urlencode
from uuid import UUID

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import QuerySet
from django.http import Http404
from django.utils.translation import gettext as _

from varde.accounts.models import User
from varde.audit.models import AuditAction
from varde.audit.services import audit_record

from .models import SavedCaseView

# The parameters a saved list keeps: the filters and the order. Not `q` (a search text may be
# personal data) and not `page`.
KEPT = ("status", "child", "lead_agency", "agency", "form", "clocks", "opened_from", "opened_to", "sort")
MAX_VIEWS = 50


def saved_query(query: str) -> str:
    """The part of a case list's query string a saved list keeps (see KEPT), in a stable order."""
    pairs = [(k, v[:100]) for k, v in parse_qsl(query, keep_blank_values=False) if k in KEPT]
    return urlencode(sorted(pairs, key=lambda kv: KEPT.index(kv[0])))


def saved_views_of(*, user: User) -> QuerySet[SavedCaseView]:
    return SavedCaseView.objects.filter(user=user).order_by("name", "id")


@transaction.atomic
def saved_view_save(*, actor: User, name: str, query: str) -> SavedCaseView:
    """Save (or replace, by name) one of the actor's own case lists."""
    name = " ".join(name.split())
    if not name:
        raise ValidationError({"name": _("Give the list a name.")})
    kept = saved_query(query)
    existing = SavedCaseView.objects.filter(user=actor, name=name).first()
    if existing is None and saved_views_of(user=actor).count() >= MAX_VIEWS:
        raise ValidationError({"name": _("You have saved as many lists as you may: delete one first.")})
    if existing is not None:
        SavedCaseView.objects.filter(pk=existing.pk).update(query=kept, version=existing.version + 1)
        view = SavedCaseView.objects.get(pk=existing.pk)
        action = AuditAction.UPDATE
    else:
        view = SavedCaseView.objects.create(user=actor, name=name, query=kept)
        action = AuditAction.CREATE
    audit_record(actor=actor, action=action, obj=view)  # no detail: the name is the user's own words
    return view


@transaction.atomic
def saved_view_delete(*, actor: User, view_id: UUID | str) -> None:
    """Delete one of the actor's saved lists; another user's (or none) is 404."""
    try:
        view = SavedCaseView.objects.get(pk=UUID(str(view_id)), user=actor)
    except (SavedCaseView.DoesNotExist, ValueError):
        raise Http404("Not found") from None
    audit_record(actor=actor, action=AuditAction.UPDATE, obj=view, detail={"deleted": True})
    view.delete()
