"""The auditor's pages (issue 20): the audit trail with filters and paging, the chain's integrity, who
has seen a case, and its access log as CSV. Auditors only; everyone else 404; no person's name."""

from __future__ import annotations

import csv
import io

import pytest
from django.db import connection
from django.test import Client
from django.urls import reverse

from tests.conftest import break_glass, login_verified
from varde.access.cases import case_get_for_user
from varde.audit import guard
from varde.audit.models import AuditEvent
from varde.audit.selectors import PAGE_SIZE
from varde.audit.services import audit_record

PERSON_NAMES = ["Blessing", "Okafor", "Precious", "Adeyemi", "Mihai"]


def _body(response) -> str:
    assert response.status_code == 200, response.status_code
    return response.content.decode()


@pytest.fixture
def auditor(login, world):
    return login(world.personas.auditor)


def test_trail_lists_newest_first_and_its_reading_is_audited(auditor, world):
    case_get_for_user(user=world.personas.police, case_id=world.cases.police_adult.pk)
    newest = AuditEvent.objects.latest("seq")
    body = _body(auditor.get(reverse("audit-trail"), HTTP_ACCEPT_LANGUAGE="en"))
    assert f"<td>{newest.seq}</td>" in body
    assert world.cases.police_adult.reference in body  # an event on a case names it by reference
    read = AuditEvent.objects.latest("seq")
    assert (read.action, read.object_type, read.actor_id) == (
        "list",
        "audit.trail",
        world.personas.auditor.pk,
    )
    assert newest.seq in read.detail["events"]
    assert "Intact" in body


@pytest.mark.parametrize(
    "persona",
    ["police", "childwelfare", "ngo", "coordinator", "analyst", "outsider", "agency_admin", "sysadmin"],
)
def test_everyone_but_auditors_gets_404(login, world, persona):
    client = login(getattr(world.personas, persona))
    ref = world.cases.police_adult.reference
    assert client.get(reverse("audit-trail")).status_code == 404
    assert client.get(reverse("audit-case", args=[ref])).status_code == 404
    assert client.post(reverse("audit-case-export", args=[ref])).status_code == 404
    assert client.post(reverse("audit-verify")).status_code == 404


def test_filters_by_user_agency_case_action_and_type(auditor, world):
    p, c = world.personas, world.cases
    case_get_for_user(user=p.police, case_id=c.police_adult.pk)
    case_get_for_user(user=p.ngo, case_id=c.police_adult.pk)
    case_get_for_user(user=p.ngo, case_id=c.ngo_child.pk)

    def seqs(**query) -> set[int]:
        response = auditor.get(reverse("audit-trail"), query)
        assert response.status_code == 200
        rows = AuditEvent.objects.latest("seq").detail["events"]  # what the page showed, as audited
        return set(rows)

    by_user = seqs(username="ngo")
    assert by_user and all(e.actor_username == "ngo" for e in AuditEvent.objects.filter(seq__in=by_user))
    by_case = seqs(case=c.police_adult.reference)
    events = AuditEvent.objects.filter(seq__in=by_case)
    assert {e.object_id for e in events} == {str(c.police_adult.pk)}
    assert {"police", "ngo"} <= {e.actor_username for e in events}
    both = seqs(case=c.police_adult.reference.lower(), username="ngo", action="view")
    assert [e.actor_username for e in AuditEvent.objects.filter(seq__in=both)] == ["ngo"]
    by_agency = seqs(agency=world.agencies.ngo.code, object_type="cases.case")
    assert all(e.agency_code == world.agencies.ngo.code for e in AuditEvent.objects.filter(seq__in=by_agency))
    assert seqs(date_from="2000-01-01", date_to="2000-01-02") == set()
    assert seqs(case="V26-NOSUCH") == set()


def test_the_filter_form_has_labels_and_refuses_a_reversed_period(auditor):
    query = {"date_from": "2026-02-01", "date_to": "2026-01-01"}
    body = _body(auditor.get(reverse("audit-trail"), query, HTTP_ACCEPT_LANGUAGE="en"))
    assert "<fieldset" in body and '<label class="ds-label" for="id_username">' in body
    assert "The end date is before the start date." in body


def test_paging_by_seq_without_gaps_or_repeats(auditor, world):
    for _ in range(PAGE_SIZE + 10):
        audit_record(actor=world.personas.police, action="view", obj=world.cases.police_adult)
    wanted = list(
        AuditEvent.objects.filter(object_id=str(world.cases.police_adult.pk))
        .order_by("-seq")
        .values_list("seq", flat=True)
    )
    query = {"case": world.cases.police_adult.reference}
    first = _body(auditor.get(reverse("audit-trail"), query, HTTP_ACCEPT_LANGUAGE="en"))
    page1 = AuditEvent.objects.latest("seq").detail["events"]
    assert page1 == wanted[:PAGE_SIZE]
    assert f"before={wanted[PAGE_SIZE - 1]}" in first and "Older events" in first
    second = _body(
        auditor.get(
            reverse("audit-trail"), {**query, "before": wanted[PAGE_SIZE - 1]}, HTTP_ACCEPT_LANGUAGE="en"
        )
    )
    page2 = AuditEvent.objects.latest("seq").detail["events"]
    assert page2 == wanted[PAGE_SIZE:]
    assert "Older events" not in second and f"after={wanted[PAGE_SIZE]}" in second
    _body(auditor.get(reverse("audit-trail"), {**query, "after": wanted[PAGE_SIZE]}))
    assert AuditEvent.objects.latest("seq").detail["events"] == wanted[:PAGE_SIZE]


def test_a_tampered_chain_is_reported(auditor, world):
    victim = AuditEvent.objects.order_by("-seq")[3]
    with guard.lifted(connection):
        AuditEvent.objects.filter(seq=victim.seq).update(action="update")
    body = _body(auditor.get(reverse("audit-trail"), HTTP_ACCEPT_LANGUAGE="en"))
    assert 'data-testid="chain-broken"' in body and f"event {victim.seq}" in body
    response = auditor.post(reverse("audit-verify"), HTTP_ACCEPT_LANGUAGE="en", follow=True)
    assert f"broken at event {victim.seq}" in response.content.decode()
    check = AuditEvent.objects.filter(object_type="audit.chain").latest("seq")
    assert check.action == "view" and check.detail["ok"] is False
    assert check.detail["first_broken_seq"] == victim.seq


def test_verify_now_records_the_check_and_shows_when(auditor, world):
    response = auditor.post(reverse("audit-verify"), HTTP_ACCEPT_LANGUAGE="en", follow=True)
    body = response.content.decode()
    assert "The chain is intact" in body
    assert "Last checked with" in body and "by auditor" in body
    check = AuditEvent.objects.filter(object_type="audit.chain").latest("seq")
    assert check.detail["ok"] is True and check.actor_id == world.personas.auditor.pk


def test_who_has_seen_a_case_lists_viewers_lists_and_break_the_glass(auditor, world):
    p, c = world.personas, world.cases
    case_get_for_user(user=p.ngo, case_id=c.police_adult.pk)
    break_glass(p.coordinator, c.police_child)
    body = _body(
        auditor.get(reverse("audit-case", args=[c.police_adult.reference]), HTTP_ACCEPT_LANGUAGE="en")
    )
    viewers = body.split('data-testid="case-viewers"')[1].split("</table>")[0]
    assert ">ngo</a></th>" in viewers and ">police</a></th>" in viewers
    assert "coordinator" not in viewers
    glass = _body(
        auditor.get(reverse("audit-case", args=[c.police_child.reference]), HTTP_ACCEPT_LANGUAGE="en")
    )
    row = glass.split(">coordinator</a></th>")[1].split("</tr>")[0]
    assert "Yes" in row  # broke the glass
    read = AuditEvent.objects.latest("seq")
    assert (read.action, read.object_type, read.object_id) == ("view", "audit.trail", str(c.police_child.pk))


def test_a_list_that_showed_the_case_counts_as_seen(auditor, world):
    c = world.cases
    login_verified(Client(), world.personas.childwelfare).get(reverse("dashboard"))  # its own cases only
    login_verified(Client(), world.personas.police).get(reverse("dashboard"))
    body = _body(auditor.get(reverse("audit-case", args=[c.police_child.reference])))
    viewers = body.split('data-testid="case-viewers"')[1].split("</table>")[0]
    assert ">police</a></th>" in viewers and "childwelfare" not in viewers


def test_unknown_reference_shows_an_empty_log_and_its_export_is_refused(auditor):
    body = _body(auditor.get(reverse("audit-case", args=["V26-NOSUCH"]), HTTP_ACCEPT_LANGUAGE="en"))
    assert "No case has this reference." in body
    assert auditor.post(reverse("audit-case-export", args=["V26-NOSUCH"])).status_code == 400


def test_export_is_a_neutralised_csv_attachment_and_is_audited(auditor, world):
    p, c = world.personas, world.cases
    audit_record(actor=None, action="view", obj=c.ngo_adult)  # no actor: an empty user cell
    case_get_for_user(user=p.ngo, case_id=c.ngo_adult.pk)
    assert auditor.get(reverse("audit-case-export", args=[c.ngo_adult.reference])).status_code == 405
    response = auditor.post(reverse("audit-case-export", args=[c.ngo_adult.reference]))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert response["Content-Disposition"] == f'attachment; filename="access-log-{c.ngo_adult.reference}.csv"'
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows[0][:5] == ["seq", "at", "user", "agency", "action"]
    assert any(r[2] == "ngo" and r[4] == "view" for r in rows[1:])
    seqs = [int(r[0]) for r in rows[1:]]
    assert seqs == sorted(seqs)
    event = AuditEvent.objects.latest("seq")
    assert (event.action, event.object_type, event.object_id) == (
        "export",
        "audit.trail",
        str(c.ngo_adult.pk),
    )
    assert event.detail["rows"] == len(rows) - 1
    text = response.content.decode("utf-8-sig")
    for name in PERSON_NAMES:
        assert name not in text


def test_csv_cells_are_neutralised():
    from varde.access.audit_trail import csv_cell

    assert csv_cell("=HYPERLINK(1)") == "'=HYPERLINK(1)"
    assert csv_cell("@SUM(1)") == "'@SUM(1)"
    assert csv_cell("police") == "police"


def test_no_person_name_on_the_pages(auditor, world):
    c = world.cases
    for name in (
        "police_adult",
        "police_child",
        "childwelfare_adult",
        "childwelfare_child",
        "ngo_adult",
        "ngo_child",
    ):
        lead = getattr(world.personas, name.split("_")[0])
        case_get_for_user(user=lead, case_id=getattr(c, name).pk)
    pages = [reverse("audit-trail")] + [reverse("audit-case", args=[case.reference]) for case in c.all()]
    for url in pages:
        body = _body(auditor.get(url))
        for name in PERSON_NAMES:
            assert name not in body, (url, name)


def test_dashboard_links_for_auditor_analyst_and_sysadmin(login, world):
    assert reverse("audit-trail") in _body(login(world.personas.auditor).get(reverse("dashboard")))
    analyst = _body(login(world.personas.analyst).get(reverse("dashboard")))
    assert reverse("statistics-index") in analyst and reverse("statistics-prosecution") in analyst
    assert reverse("audit-trail") not in analyst
    sysadmin = _body(login(world.personas.sysadmin).get(reverse("dashboard")))
    assert reverse("agency-admin") in sysadmin and reverse("admin:index") in sysadmin
