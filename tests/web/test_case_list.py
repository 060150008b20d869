"""The case list page (/cases/): search, filters, sorting and pages over what the user may see."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tests.conftest import break_glass
from tests.factories import report
from varde.audit.models import AuditEvent
from varde.cases.models import Case

URL = reverse("case-list")


def refs(response) -> set[str]:
    body = response.content.decode()
    return {ref for ref in Case.objects.values_list("reference", flat=True) if ref in body}


def test_every_case_user_gets_the_list_others_404(client, login, world):
    p, c = world.personas, world.cases
    login(p.police)
    response = client.get(URL)
    assert response.status_code == 200
    assert refs(response) == {c.police_adult.reference, c.police_child.reference}
    for name in ("analyst", "auditor", "sysadmin", "agency_admin"):
        login(getattr(p, name))
        assert client.get(URL).status_code == 404, name
    login(p.outsider)  # a caseworker whose agency takes part in nothing: an empty list
    response = client.get(URL)
    assert response.status_code == 200 and refs(response) == set()


def test_search_finds_a_name_in_another_spelling_and_order(client, login, world):
    p, a = world.personas, world.agencies
    case = report(p.police, a.police, given="Muhammad", family="Bello", child=False)
    login(p.police)
    for text in ("Mohamed", "bello mohammed", "Мухаммед Белло", "MUHAMMAD"):
        response = client.get(URL, {"q": text})
        assert refs(response) == {case.reference}, text
    assert "Muhammad Bello" in client.get(URL, {"q": "Mohamed"}).content.decode()


def test_search_is_audited_without_its_text(client, login, world):
    p = world.personas
    login(p.police)
    before = AuditEvent.objects.count()
    client.get(URL, {"q": "Okafor", "status": "reported"})
    assert AuditEvent.objects.count() == before + 1
    event = AuditEvent.objects.latest("seq")
    assert event.action == "list"
    assert event.detail["page"] == "case-list"
    assert event.detail["search"] == ["name"]
    assert event.detail["status"] == ["reported"]
    assert event.detail["cases"] == [str(world.cases.police_adult.pk)]
    assert "Okafor" not in str(event.detail).lower() and "okafor" not in str(event.detail).lower()


def test_coordinator_national_list_shows_every_reference_but_a_name_search_only_opened_cases(
    client, login, world
):
    p, c = world.personas, world.cases
    login(p.coordinator)
    listing = client.get(URL)
    assert refs(listing) == {case.reference for case in c.all()}
    assert "Okafor" not in listing.content.decode()  # the national list carries no names
    assert refs(client.get(URL, {"q": "Blessing Okafor"})) == set()
    assert refs(client.get(URL, {"q": "A1234567"})) == set()  # every persona case has this passport
    assert refs(client.get(URL, {"q": c.police_adult.reference})) == {c.police_adult.reference}
    break_glass(p.coordinator, c.police_adult)
    response = client.get(URL, {"q": "Blessing Okafor"})
    assert refs(response) == {c.police_adult.reference}
    assert "Blessing Okafor" in response.content.decode()


def test_filters_and_sort(client, login, world):
    p, c = world.personas, world.cases
    login(p.coordinator)
    assert refs(client.get(URL, {"child": "true"})) == {
        c.police_child.reference,
        c.childwelfare_child.reference,
        c.ngo_child.reference,
    }
    assert refs(client.get(URL, {"lead_agency": str(world.agencies.ngo.pk)})) == {
        c.ngo_adult.reference,
        c.ngo_child.reference,
    }
    # ROSA takes part in the police's adult case too.
    assert refs(client.get(URL, {"agency": str(world.agencies.ngo.pk)})) == {
        c.ngo_adult.reference,
        c.ngo_child.reference,
        c.police_adult.reference,
    }
    # A form of exploitation is referral data: the national list is not filtered by it.
    assert refs(client.get(URL, {"form": ["begging", "forced_criminality"]})) == set()
    body = client.get(URL, {"sort": "reference"}).content.decode()
    ordered = sorted(case.reference for case in c.all())
    assert [body.index(r) for r in ordered] == sorted(body.index(r) for r in ordered)


def test_a_caseworker_filters_own_cases_by_form_of_exploitation(client, login, world):
    c = world.cases
    login(world.personas.police)
    assert refs(client.get(URL, {"form": ["begging", "forced_criminality"]})) == {c.police_child.reference}


def test_a_bad_filter_value_is_shown_and_left_out(client, login, world):
    login(world.personas.police)
    response = client.get(URL, {"status": "nonsense", "opened_from": "yesterday"})
    assert response.status_code == 200
    body = response.content.decode()
    assert 'aria-invalid="true"' in body
    assert refs(response) == {world.cases.police_adult.reference, world.cases.police_child.reference}


def test_page_two_reaches_a_case_older_than_the_newest_fifty(client, login, world):
    p, a = world.personas, world.agencies
    oldest = report(p.police, a.police, given="Esther", family="Igbinovia", child=False)
    Case.objects.filter(pk=oldest.pk).update(opened_at=dt.datetime(2020, 1, 1, tzinfo=dt.UTC))
    for i in range(52):
        report(p.police, a.police, given=f"Given{i}", family=f"Family{i}", child=False)
    login(p.police)
    first = client.get(URL)
    assert oldest.reference not in first.content.decode()
    assert "?page=2" in first.content.decode()
    second = client.get(URL, {"page": "2"})
    assert oldest.reference in second.content.decode()
    assert refs(client.get(URL, {"q": "Igbinovia Esther"})) == {oldest.reference}
    assert refs(client.get(URL, {"opened_to": "2020-12-31"})) == {oldest.reference}


@pytest.mark.parametrize("language", ["nb", "en"])
def test_the_form_is_labelled_in_both_languages(client, login, world, language):
    login(world.personas.police)
    client.cookies["django_language"] = language
    body = client.get(URL, HTTP_ACCEPT_LANGUAGE=language).content.decode()
    assert 'role="search"' in body and "<legend" in body and "<label" in body
    assert ("Søk" if language == "nb" else "Search") in body


def _page_queries(client) -> int:
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(URL, {"q": "Given", "sort": "status"}).status_code == 200
    return len(ctx.captured_queries)


def test_query_budget_does_not_grow_with_the_cases(client, login, world):
    p, a = world.personas, world.agencies
    login(p.police)
    for i in range(5):
        report(p.police, a.police, given=f"Given{i}", family=f"Family{i}", child=bool(i % 2))
    few = _page_queries(client)
    for i in range(5, 60):
        report(p.police, a.police, given=f"Given{i}", family=f"Family{i}", child=bool(i % 2))
    assert _page_queries(client) == few


# --- saved lists --------------------------------------------------------------------------------------


def test_a_saved_list_keeps_filters_and_order_never_the_search_text(client, login, world):
    from varde.cases.models import SavedCaseView

    p = world.personas
    login(p.police)
    query = "q=Blessing+Okafor&status=reported&child=false&sort=reference&page=2"
    response = client.post(reverse("case-list-views"), {"name": "My adults", "query": query})
    assert response.status_code == 302
    view = SavedCaseView.objects.get(user=p.police)
    assert view.query == "status=reported&child=false&sort=reference"
    assert response["Location"] == f"{URL}?{view.query}"
    page = client.get(URL).content.decode()
    assert "My adults" in page and f"?{view.query}".replace("&", "&amp;") in page
    # Saving under the same name replaces it.
    client.post(reverse("case-list-views"), {"name": "My adults", "query": "child=true"})
    assert list(SavedCaseView.objects.filter(user=p.police).values_list("query", flat=True)) == ["child=true"]
    client.get(URL)  # shows (and so uses up) the message
    # Another user sees none of it and cannot delete it.
    login(p.childwelfare)
    assert "My adults" not in client.get(URL).content.decode()
    assert client.post(reverse("case-list-views"), {"delete": str(view.pk)}).status_code == 404
    assert SavedCaseView.objects.filter(pk=view.pk).exists()
    login(p.police)
    client.post(reverse("case-list-views"), {"delete": str(view.pk)})
    assert not SavedCaseView.objects.filter(pk=view.pk).exists()


def test_a_list_without_a_name_is_not_saved(client, login, world):
    from varde.cases.models import SavedCaseView

    login(world.personas.police)
    response = client.post(reverse("case-list-views"), {"name": "  ", "query": "child=true"})
    assert response.status_code == 302 and response["Location"] == f"{URL}?child=true"
    assert not SavedCaseView.objects.exists()


def test_saved_lists_are_for_case_users_only(client, login, world):
    login(world.personas.analyst)
    assert client.post(reverse("case-list-views"), {"name": "x", "query": ""}).status_code == 404
