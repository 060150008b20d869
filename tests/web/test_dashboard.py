import pytest
from django.urls import reverse

from tests.factories import report
from varde.audit.models import AuditEvent
from varde.cases.services import case_invite_agency


def test_caseworker_sees_own_and_shared_cases_only(login, world):
    c = world.cases
    response = login(world.personas.ngo).get(reverse("dashboard"))
    assert response.status_code == 200
    body = response.content.decode()
    for case in (c.ngo_adult, c.ngo_child, c.police_adult):
        assert case.reference in body
    for case in (c.police_child, c.childwelfare_adult, c.childwelfare_child):
        assert case.reference not in body
    assert "Precious Adeyemi" in body and "Blessing Okafor" in body and "Mihai" not in body


def test_dashboard_writes_one_list_event_with_the_case_ids(login, world):
    c = world.cases
    client = login(world.personas.police)
    before = AuditEvent.objects.count()
    client.get(reverse("dashboard"))
    assert AuditEvent.objects.count() == before + 1
    event = AuditEvent.objects.latest("seq")
    assert event.action == "list"
    assert set(event.detail["cases"]) == {str(c.police_adult.pk), str(c.police_child.pk)}


def test_open_invitation_shows_reference_and_lead_agency_only(login, world):
    p, c, a = world.personas, world.cases, world.agencies
    invitation = case_invite_agency(
        actor=p.police, case=c.police_child, agency=a.childwelfare, note="Needs placement"
    )
    body = login(p.childwelfare).get(reverse("dashboard")).content.decode()
    assert c.police_child.reference in body
    assert reverse("invitation-accept", args=[invitation.pk]) in body
    assert reverse("invitation-decline", args=[invitation.pk]) in body
    assert "Mihai" not in body and "Needs placement" not in body
    assert c.police_child.get_absolute_url() not in body


@pytest.mark.parametrize("name", ["analyst", "auditor", "agency_admin", "sysadmin"])
def test_non_case_roles_get_a_page_without_case_data(login, world, name):
    before = AuditEvent.objects.count()
    body = login(getattr(world.personas, name)).get(reverse("dashboard")).content.decode()
    for case in world.cases.all():
        assert case.reference not in body
    assert "Blessing" not in body
    assert AuditEvent.objects.count() == before
    if name in ("agency_admin", "sysadmin"):
        assert reverse("agency-admin") in body


def test_dashboard_query_budget_does_not_grow_with_cases(login, world, django_assert_max_num_queries):
    p, a = world.personas, world.agencies
    for i in range(30):
        report(p.police, a.police, given=f"Given{i}", family=f"Family{i}", child=bool(i % 2))
    client = login(p.police)
    with django_assert_max_num_queries(20):
        response = client.get(reverse("dashboard"))
    assert response.status_code == 200
    assert response.content.decode().count("Given") >= 30


def test_long_lists_are_cut_and_say_so(login, world, monkeypatch):
    from varde.web.views import dashboard

    monkeypatch.setattr(dashboard, "CASE_LIMIT", 3)
    body = login(world.personas.coordinator).get(reverse("dashboard")).content.decode()
    assert "Viser de 3 siste av 6 saker." in body
    cases_table = body.split('id="cases-heading"')[1].split('id="referrals-heading"')[0]
    assert sum(case.reference in cases_table for case in world.cases.all()) == 3
    event = AuditEvent.objects.latest("seq")  # the audit names exactly the cases on the page
    assert set(event.detail["cases"]) == {str(c.pk) for c in world.cases.all() if c.reference in body}
