"""Reporting and inviting tell the right agencies at once, through the routing rules."""

from varde.accounts.models import Role
from varde.cases.services import case_invite_agency
from varde.response.models import Notification


def test_report_notifies_the_coordinators(world):
    case = world.cases.ngo_adult
    notes = Notification.objects.filter(case=case, kind="case_reported")
    assert notes.count() >= 1
    assert all(n.recipient_role == Role.COORDINATOR for n in notes)


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
