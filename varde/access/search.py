"""Finding cases: the one way in to a searched, filtered, sorted and paged case list, for the case
list page (`/cases/`) and the API (`GET /api/cases/`), which read the same query parameters.

Rules (on top of varde.access.cases):
- the list is the user's case list (`cases_listed_for`): a coordinator's national list (references,
  status, agencies, child flag), everyone else the cases they may open;
- a search by a name, a phone, a document number, a birth date or an age matches only the cases whose
  personal data the user may open (`personal_q`), so the national list never tells a coordinator that
  a name is in a case they have not opened; a case reference matches any case of the list;
- every list shown is audited as a read of what it shows (action `list`, the ids of the cases on the
  page), with what was searched *by* (`name`, `phone`, ...), never the text searched for;
- the text searched for is personal data: it travels in the query string (`?q=`), which no log of
  Varde's writes (docs/DATA_CLASSIFICATION.md, "The search text").

The query syntax (stable; the API documents it in its schema):

    q=TEXT               search (varde.linkage.search_keys: names in any spelling or order, phone,
                         document number, birth date YYYY-MM-DD or DD.MM.YYYY, age, birth year, reference)
    status=CODE          repeatable: reported, under_assessment, identified, not_victim, assistance, closed
    child=true|false     children's (or presumed children's) cases, or adults'
    lead_agency=UUID     the lead agency
    agency=UUID          an agency taking part (the lead agency too)
    form=CODE            repeatable, any of: the forms of exploitation named in a referral (as a
                         search by name: only among the cases whose personal data the user may open)
    clocks=running|warning|missed   a deadline running (or paused), about to run out, or missed
    opened_from=YYYY-MM-DD, opened_to=YYYY-MM-DD    opened within these days (Norwegian time), inclusive
    sort=-opened|opened|reference|-reference|status|-status    default -opened (newest first)
"""

from __future__ import annotations

from typing import Any

import django_filters as df
from django import forms
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils.translation import gettext_lazy as _

from varde.accounts.models import Agency, User
from varde.audit.models import AuditAction
from varde.audit.services import audit_record
from varde.cases import search as case_search
from varde.cases.acting import is_case_user, open_case_ids
from varde.cases.models import Case, CaseStatus, ExploitationForm
from varde.cases.selectors import names_where_open
from varde.core import clock
from varde.linkage.search_keys import search_read
from varde.response.models import Clock

from .cases import cases_listed_for
from .response import STATE_FILTERS
from .response import _state_q as clock_state_q

SORTS = (
    ("-opened", _("Newest first")),
    ("opened", _("Oldest first")),
    ("reference", _("Reference A–Z")),
    ("-reference", _("Reference Z–A")),
    ("status", _("Status (reported first)")),
    ("-status", _("Status (closed first)")),
)
CLOCK_CHOICES = (
    ("running", _("A deadline running")),
    ("warning", _("A deadline about to run out")),
    ("missed", _("A deadline missed")),
)
assert {c for c, _label in CLOCK_CHOICES} == set(STATE_FILTERS)
CHILD_CHOICES = (("true", _("Children's cases")), ("false", _("Adults' cases")))


def personal_q(user: User) -> Q:
    """Where a search may match by personal data: the cases whose personal data the user may open.
    A coordinator's list is the national list, so the search is held to the cases KOM takes part in
    or has broken the glass on; everyone else's list (`cases_listed_for`) holds only such cases
    already, and needs no second condition."""
    if not is_case_user(user):
        return Q(pk__in=[])
    return Q(pk__in=open_case_ids(user)) if user.is_coordinator else Q()


def _agencies() -> QuerySet[Agency]:
    return Agency.objects.order_by("name", "id")


class CaseFilter(df.FilterSet):
    """The case list's query parameters (the module's docstring gives the syntax). Built over the
    user's case list (`case_list_queryset`); `request.user` is the user searching."""

    q = df.CharFilter(
        label=_("Search"),
        method="filter_search",
        max_length=200,
        help_text=_(
            "A name in any spelling or order, a phone or document number, a birth date, an age or a case "
            "reference."
        ),
        widget=forms.TextInput(attrs={"type": "search", "autocomplete": "off", "spellcheck": "false"}),
    )
    status = df.MultipleChoiceFilter(
        label=_("Status"), choices=CaseStatus.choices, widget=forms.CheckboxSelectMultiple, distinct=False
    )
    child = df.ChoiceFilter(
        label=_("Child or adult"), choices=CHILD_CHOICES, empty_label=_("Both"), method="filter_child"
    )
    lead_agency = df.ModelChoiceFilter(
        label=_("Lead agency"), queryset=_agencies(), empty_label=_("Any agency"), field_name="lead_agency"
    )
    agency = df.ModelChoiceFilter(
        label=_("Agency taking part"),
        queryset=_agencies(),
        empty_label=_("Any agency"),
        method="filter_agency",
    )
    form = df.MultipleChoiceFilter(
        label=_("Form of exploitation"),
        choices=ExploitationForm.choices,
        method="filter_forms",
        widget=forms.CheckboxSelectMultiple,
        distinct=False,  # an EXISTS: no row twice, and no DISTINCT over the whole list
    )
    clocks = df.ChoiceFilter(
        label=_("Deadlines"), choices=CLOCK_CHOICES, empty_label=_("Any"), method="filter_clocks"
    )
    opened_from = df.DateFilter(
        label=_("Opened from"),
        method="filter_opened_from",
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    opened_to = df.DateFilter(
        label=_("Opened to"),
        method="filter_opened_to",
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    sort = df.ChoiceFilter(label=_("Order"), choices=SORTS, empty_label=None, method="filter_sort")

    class Meta:
        model = Case
        fields: list[str] = []

    # What the search was read as (codes: name, phone, ...), for the audit trail.
    search_kinds: frozenset[str] = frozenset()

    @property
    def user(self) -> User:
        return self.request.user  # type: ignore[no-any-return]

    def filter_search(self, queryset: QuerySet[Case], name: str, value: str) -> QuerySet[Case]:
        text = search_read(value, today=clock.today())
        self.search_kinds = text.kinds or frozenset({"unreadable"})
        return queryset.filter(case_search.search_q(text, personal=personal_q(self.user)))

    def filter_child(self, queryset: QuerySet[Case], name: str, value: str) -> QuerySet[Case]:
        return queryset.filter(is_child=value == "true")

    def filter_agency(self, queryset: QuerySet[Case], name: str, value: Agency) -> QuerySet[Case]:
        return queryset.filter(case_search.taking_part_q(value.pk))

    def filter_forms(self, queryset: QuerySet[Case], name: str, value: list[str]) -> QuerySet[Case]:
        # The forms of exploitation are the referral's (special data): like a name, they filter only
        # the cases whose personal data the user may open, never the national list.
        return queryset.filter(case_search.exploitation_forms_q(value) & personal_q(self.user))

    def filter_clocks(self, queryset: QuerySet[Case], name: str, value: str) -> QuerySet[Case]:
        clocks = Clock.objects.filter(
            clock_state_q(value, clock.now()), case_id=OuterRef("pk"), case_open=True
        )
        return queryset.filter(Exists(clocks))

    def filter_opened_from(self, queryset: QuerySet[Case], name: str, value: Any) -> QuerySet[Case]:
        return queryset.filter(case_search.opened_q(on_or_after=value))

    def filter_opened_to(self, queryset: QuerySet[Case], name: str, value: Any) -> QuerySet[Case]:
        return queryset.filter(case_search.opened_q(on_or_before=value))

    def filter_sort(self, queryset: QuerySet[Case], name: str, value: str) -> QuerySet[Case]:
        return queryset  # applied last, in filter_queryset, whether given or not

    def filter_queryset(self, queryset: QuerySet[Case]) -> QuerySet[Case]:
        filtered = super().filter_queryset(queryset)
        return case_search.ordered(filtered, self.form.cleaned_data.get("sort") or "")

    @property
    def searched(self) -> bool:
        return bool(self.form.cleaned_data.get("q")) if hasattr(self.form, "cleaned_data") else False

    def audit_detail(self) -> dict[str, Any]:
        """The filters applied, as codes and ids (never the search text: only what it was read as)."""
        data = getattr(self.form, "cleaned_data", {})
        detail: dict[str, Any] = {}
        for name, value in data.items():
            if value in (None, "", [], ()) or name == "q":
                continue
            if isinstance(value, Agency):
                detail[name] = str(value.pk)
            elif isinstance(value, list | tuple):
                detail[name] = sorted(str(v) for v in value)
            elif hasattr(value, "isoformat"):
                detail[name] = value.isoformat()
            else:
                detail[name] = str(value)
        if data.get("q"):
            detail["search"] = sorted(self.search_kinds)
        return detail


def case_list_queryset(*, user: User) -> QuerySet[Case]:
    """The user's case list (coordinators: the national list; each row says whether the user may open
    its personal data), with the lead agency, newest first."""
    return case_search.ordered(cases_listed_for(user=user).select_related("lead_agency"), "")


def case_filter(*, request: Any, data: Any) -> CaseFilter:
    """The filter over the signed-in user's case list, from query parameters (a QueryDict)."""
    return CaseFilter(data, queryset=case_list_queryset(user=request.user), request=request)


def case_list_audit(*, user: User, cases: list[Case], filters: CaseFilter, page: str) -> None:
    """A list shown is a read of what it shows: the cases' ids, the filters, what was searched by."""
    audit_record(
        actor=user,
        action=AuditAction.LIST,
        obj=("cases.case", ""),
        detail={"page": page, **filters.audit_detail(), "cases": [str(c.pk) for c in cases]},
    )


def case_list_page(*, request: Any, data: Any, number: int) -> tuple[CaseFilter, case_search.CasePage]:
    """The case list page: the filter (with any errors, whose fields are then left out) and one page
    of at most PAGE_SIZE cases, with the names of those the user may open; audited."""
    user: User = request.user
    filters = case_filter(request=request, data=data)
    if not is_case_user(user):  # pragma: no cover - the page is for case users only
        return filters, case_search.CasePage([], 1, case_search.PAGE_SIZE, 0, True)
    page = case_search.page_of(filters.qs, number=number)
    names_where_open(page.cases)
    case_list_audit(user=user, cases=page.cases, filters=filters, page="case-list")
    return filters, page
