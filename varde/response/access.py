"""Access for the response: a user sees a case's response data only if they may see the case
(varde.access.cases), and acts on it for the agency acting_agency() names."""

from __future__ import annotations

from django.db.models import QuerySet
from django.http import Http404
from django.utils.translation import gettext as _

from varde.access.cases import acting_agency, cases_visible_to
from varde.accounts.models import Agency, User
from varde.cases.models import Case
from varde.core.errors import NotPermitted


def visible_cases(user: User) -> QuerySet[Case]:
    return cases_visible_to(user=user)


def require_case_agency(actor: User, case: Case) -> Agency:
    """The actor must see the case (else 404, as everywhere) and act for an agency in it."""
    if not cases_visible_to(user=actor).filter(pk=case.pk).exists():
        raise Http404("Not found")
    agency = acting_agency(user=actor, case=case)
    if agency is None:  # pragma: no cover - a visible case always has an acting agency
        raise NotPermitted(_("You do not act for an agency in this case."))
    return agency
