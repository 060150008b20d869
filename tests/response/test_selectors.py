"""Reads: the national view, inboxes, the 24-hour directory, timelines, and who sees what."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.http import Http404
from django.test.utils import CaptureQueriesContext

from varde.access.cases import cases_listed_for
from varde.access.response import (
    ClockFilter,
    agency_directory,
    case_response_as_of,
    case_response_timeline,
    children_without_plan,
    clocks_visible_to,
    national_clocks,
    notification_get_for_user,
    notifications_inbox,
)
from varde.core.errors import NotPermitted
from varde.response.clocks import clock_start
from varde.response.models import AgencyContact, Notification
from varde.response.notifications import agency_contact_set, notification_acknowledge
from varde.response.placements import on_presumed_child, placement_record
from varde.response.worker import run_worker


def test_national_view_groups_clocks_about_to_run_out_and_missed_by_agency(world, frozen):
    # The three children's clocks started with their reports. Child welfare places its own child in an
    # institution at once and acknowledges its notice; the police place theirs in a care centre; ROSA's
    # child waits.
    cw_case = world.cases.childwelfare_child
    placement_record(
        actor=world.personas.childwelfare, case=cw_case, kind="child_welfare_institution", from_at=frozen.now
    )
    notification_acknowledge(
        actor=world.personas.childwelfare,
        notification=Notification.objects.get(
            kind="presumed_child", case=cw_case, recipient_agency__code="bufetat-ost"
        ),
    )
    placement_record(
        actor=world.personas.police, case=world.cases.police_child, kind="care_centre", from_at=frozen.now
    )
    frozen.advance(hours=20, minutes=1)
    clock_start(
        case=world.cases.police_adult,
        kind="police_report",
        start_at=frozen.now - dt.timedelta(hours=3),
        agency=world.agencies.police,
    )
    run_worker(once=True, consume_events=False)
    with pytest.raises(NotPermitted):
        national_clocks(user=world.personas.police)
    with CaptureQueriesContext(connection) as queries:
        page = national_clocks(user=world.personas.coordinator, language="en")
    assert len(queries) <= 3
    by_state: dict[str, list] = {}
    for row in page.rows:
        by_state.setdefault(row.display_state, []).append(row)
    assert [(r.reference, r.responsible) for r in by_state["warning"]] == [
        (world.cases.ngo_child.reference, "Bufetat region øst")
    ]
    assert by_state["warning"][0].label.startswith("Safe placement")
    # The informing clocks (2 h) not acknowledged ran out: missed; the police report clock too.
    missed = sorted((r.kind, r.responsible) for r in by_state["missed"])
    assert missed == [
        ("inform_child_welfare", "Bufetat region øst"),
        ("inform_child_welfare", "Bufetat region øst"),
        ("police_report", "Oslo politidistrikt, STOP"),
    ]
    assert page.counts == {"all": 4, "running": 1, "warning": 1, "missed": 3}


def test_children_without_a_plan(world):
    refs = {c.reference for c in children_without_plan(user=world.personas.coordinator)}
    assert refs == {
        world.cases.police_child.reference,
        world.cases.childwelfare_child.reference,
        world.cases.ngo_child.reference,
    }


def test_response_data_is_seen_only_with_the_case(world, frozen):
    on_presumed_child(case=world.cases.police_child, occurred_at=frozen.now)
    assert clocks_visible_to(user=world.personas.police).count() == 2
    assert clocks_visible_to(user=world.personas.outsider).count() == 0
    assert clocks_visible_to(user=world.personas.analyst).count() == 0
    # Coordinators open a case's data only when their agency takes part or by break-the-glass; the
    # national view (references and deadlines, no names) is theirs without it.
    assert clocks_visible_to(user=world.personas.coordinator).count() == 0
    # The national view (references and deadlines, no names) lists the children's clocks without it.
    assert national_clocks(user=world.personas.coordinator, filter=ClockFilter(state="warning")).total == 0
    with pytest.raises(Http404):
        case_response_timeline(user=world.personas.outsider, case=world.cases.police_child)
    with pytest.raises(Http404):
        case_response_as_of(user=world.personas.ngo, case=world.cases.police_child, at=frozen.now)


def test_inboxes_by_agency_and_role(world, frozen):
    children = {c.pk for c in world.cases.all() if c.is_child}
    cw = notifications_inbox(user=world.personas.childwelfare)
    # Child welfare was told of each presumed child when it was reported.
    assert [n.recipient_agency.code for n in cw] == ["bufetat-ost"] * 3
    assert {n.case_id for n in cw} == children
    # The coordinators are not told of every reported case or presumed child: those are in their
    # national lists. Nothing of it needs their action, so nothing is in their inbox.
    kom_inbox = notifications_inbox(user=world.personas.coordinator)
    assert not kom_inbox.exists()
    assert cases_listed_for(user=world.personas.coordinator).count() == len(world.cases.all())
    for persona in ("analyst", "sysadmin", "auditor", "outsider"):
        assert not notifications_inbox(user=getattr(world.personas, persona)).exists()
    # ROSA was only told that it was invited into the police's case
    assert {n.kind for n in notifications_inbox(user=world.personas.ngo)} == {"agency_invited"}
    note = cw.get(case=world.cases.police_child)
    assert notification_get_for_user(user=world.personas.childwelfare, notification_id=note.pk) == note
    with pytest.raises(Http404):
        notification_get_for_user(user=world.personas.analyst, notification_id=note.pk)
    # One for each child, to child welfare.
    assert Notification.objects.exclude(kind__in=["case_reported", "agency_invited"]).count() == 3

    # A missed deadline needs the coordinators: it reaches KOM's coordinators (their role), not the
    # analyst, auditor or system administrator who also work at KOM.
    frozen.advance(hours=2, seconds=1)
    run_worker(once=True, consume_events=False)
    assert {(n.recipient_agency.code, n.kind) for n in kom_inbox} == {("kom", "clock_missed")}
    assert kom_inbox.count() == 3
    for persona in ("analyst", "sysadmin", "auditor", "outsider"):
        assert not notifications_inbox(user=getattr(world.personas, persona)).exists()


def test_the_timeline_and_the_case_as_it_stood(world, frozen):
    case = world.cases.police_child
    on_presumed_child(case=case, occurred_at=frozen.now)
    before_placement = frozen.now
    frozen.advance(hours=5)
    placement_record(actor=world.personas.police, case=case, kind="care_centre", from_at=frozen.now)
    kinds = [e.kind for e in case_response_timeline(user=world.personas.police, case=case, language="en")]
    assert "placement" in kinds and "clock_met" in kinds and "clock_started" in kinds
    assert "notification_presumed_child" in kinds
    then = case_response_as_of(user=world.personas.police, case=case, at=before_placement)
    assert {s.kind: s.state for s in then.clocks} == {
        "safe_placement": "running",
        "inform_child_welfare": "running",
    }
    assert then.placements == []
    now = case_response_as_of(user=world.personas.police, case=case, at=frozen.now)
    assert {s.kind: s.state for s in now.clocks}["safe_placement"] == "met"
    assert [p.kind for p in now.placements] == ["care_centre"]


def _police_contact(world, actor, **changed):
    """The police's 24-hour contact as `actor` sets it (the on-call desk unless `changed`)."""
    values = {
        "on_call_phone": "+47 02800",
        "email": "vakt@politiet.no",
        "hours": "24/7",
        "always_open": True,
    }
    return agency_contact_set(actor=actor, agency=world.agencies.police, **(values | changed))


def test_the_24_hour_directory(world):
    with pytest.raises(NotPermitted):
        _police_contact(world, world.personas.police)
    contact = _police_contact(world, world.personas.agency_admin)
    again = _police_contact(
        world,
        world.personas.coordinator,
        on_call_phone="02800",
        email="stop@politiet.no",
        version=contact.version,
    )
    assert again.email == "stop@politiet.no" and again.version == contact.version + 1
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError):
        _police_contact(
            world,
            world.personas.coordinator,
            on_call_phone="",
            email="not an address",
            hours="",
            always_open=False,
        )
    directory = dict(agency_directory(user=world.personas.ngo))
    assert directory[world.agencies.police] == AgencyContact.objects.get(agency=world.agencies.police)
    assert directory[world.agencies.ngo] is None
    assert agency_directory(user=world.personas.analyst) == []


def test_two_first_contacts_at_the_same_moment_are_a_conflict_not_a_crash(world, monkeypatch):
    """The race: both saves looked and found no contact; the database's one-per-agency rule stops the
    second, which is told of the conflict (409), and the first one's contact stands."""
    from varde.core.errors import EditConflict

    first = _police_contact(world, world.personas.agency_admin)
    # Replay the second save as it ran in the race: its look-up saw no contact, its checks passed.
    real_filter = AgencyContact.objects.filter
    monkeypatch.setattr(
        AgencyContact.objects,
        "filter",
        lambda **kw: real_filter(pk=None) if "agency" in kw else real_filter(**kw),
    )
    monkeypatch.setattr(AgencyContact, "validate_unique", lambda self, exclude=None: None)
    with pytest.raises(EditConflict):
        _police_contact(
            world, world.personas.coordinator, on_call_phone="02800", email="stop@politiet.no", hours=""
        )
    monkeypatch.undo()
    assert AgencyContact.objects.get(agency=world.agencies.police).email == first.email
