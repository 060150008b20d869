"""Reporting and inviting tell the right agencies at once, through the routing rules."""

from varde.access.cases import cases_listed_for
from varde.accounts.models import Role
from varde.cases.services import case_invite_agency
from varde.response.models import Notification


def test_a_report_reaches_the_coordinators_in_their_national_list_not_their_inbox(world):
    """At 100,000 cases the coordinators held 103,136 "case reported" notices: a new case needs no
    action of theirs. It is in their national case list the moment it is saved."""
    case = world.cases.ngo_adult
    assert not Notification.objects.filter(case=case, kind="case_reported").exists()
    assert not Notification.objects.filter(recipient_role=Role.COORDINATOR).exists()
    assert case in cases_listed_for(user=world.personas.coordinator)


def test_invitation_reaches_the_invited_agency(world):
    p, a, c = world.personas, world.agencies, world.cases
    before = Notification.objects.filter(kind="agency_invited", recipient_agency=a.childwelfare).count()
    case_invite_agency(actor=p.police, case=c.police_child, agency=a.childwelfare)
    notes = Notification.objects.filter(kind="agency_invited", recipient_agency=a.childwelfare)
    assert notes.count() == before + 1
    newest = notes.order_by("-created_at").first()
    assert c.police_child.reference in newest.text_en
    for text in (newest.text_nb, newest.text_en):
        assert "Mihai" not in text and "Popescu" not in text
