"""A safe voluntary return and reintegration (issue #16): the plan, the return, the follow-ups at 3,
6 and 12 months (lengths as data), a child's extra checks, and closing a case as "returned home"."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.utils import translation

from varde.audit.models import AuditEvent
from varde.cases.models import CaseStatus
from varde.cases.services import case_change_status
from varde.core.errors import EditConflict
from varde.response.disappearances import missing_episode_record
from varde.response.models import Clock, ClockState, ReturnFollowUp, ReturnState, VoluntaryReturn
from varde.response.returns import (
    follow_up_clock,
    follow_up_record,
    follow_up_stages,
    return_cancel,
    return_plan,
    return_plan_change,
    return_record,
    voluntary_return_record,
)

D = dt.date


@pytest.fixture(autouse=True)
def english():
    """The messages are checked in English (the default language is Norwegian Bokmål)."""
    with translation.override("en"):
        yield


def plan(world, case=None, **kw):
    fields = {"organisation": "iom", "country": "NG", "planned_on": D(2026, 10, 20), **kw}
    return return_plan(actor=world.personas.police, case=case or world.cases.police_adult, **fields)


def test_a_return_is_planned_done_and_followed_up_at_3_6_and_12_months(world, frozen):
    ret = plan(world, escort=True, reception="IOM meets at the airport")
    assert (ret.state, ret.country, ret.escort) == (ReturnState.PLANNED, "NG", True)
    frozen.advance(days=30)
    done = return_record(
        actor=world.personas.police, ret=ret, returned_on=D(2026, 10, 31), version=ret.version
    )
    assert (done.state, done.returned_on, done.version) == (
        ReturnState.RETURNED,
        D(2026, 10, 31),
        ret.version + 1,
    )
    assert follow_up_stages() == [3, 6, 12]
    clocks = [follow_up_clock(done, s) for s in follow_up_stages()]
    assert [(c.stage, c.ends_on) for c in clocks] == [
        (3, D(2027, 1, 31)),
        (6, D(2027, 4, 30)),
        (12, D(2027, 10, 31)),
    ]
    frozen.advance(days=92)
    first = follow_up_record(
        actor=world.personas.ngo,
        ret=done,
        stage=3,
        on_date=D(2027, 1, 29),
        outcome="reached",
        housing="good",
        income="uncertain",
        education_work="good",
        health="good",
        re_trafficking_risk="low",
        note="In vocational school",
    )
    assert first.clock == clocks[0] and Clock.objects.get(pk=clocks[0].pk).state == ClockState.MET
    assert Clock.objects.get(pk=clocks[1].pk).state == ClockState.RUNNING
    assert AuditEvent.objects.filter(object_type="response.returnfollowup", object_id=str(first.pk)).exists()
    with pytest.raises(ValidationError) as err:
        follow_up_record(
            actor=world.personas.ngo, ret=done, stage=3, on_date=D(2027, 1, 30), outcome="reached"
        )
    assert "stage" in err.value.message_dict


def test_follow_up_dates_stages_and_values_are_checked_and_nothing_is_saved(world, frozen):
    ret = plan(world, planned_on=D(2026, 10, 5))
    with pytest.raises(ValidationError) as err:
        follow_up_record(
            actor=world.personas.police, ret=ret, stage=3, on_date=D(2026, 10, 5), outcome="reached"
        )
    assert "stage" in err.value.message_dict  # not returned yet
    ret = return_record(actor=world.personas.police, ret=ret, returned_on=D(2026, 10, 5), version=ret.version)
    cases = [
        ({"stage": 4, "on_date": D(2026, 10, 5), "outcome": "reached"}, "stage"),
        ({"stage": 3, "on_date": D(2026, 10, 4), "outcome": "reached"}, "on_date"),
        ({"stage": 3, "on_date": D(2026, 10, 6), "outcome": "reached"}, "on_date"),
        ({"stage": 3, "on_date": D(2026, 10, 5), "outcome": "maybe"}, "outcome"),
        ({"stage": 3, "on_date": D(2026, 10, 5), "outcome": "reached", "housing": "palace"}, "housing"),
        (
            {"stage": 3, "on_date": D(2026, 10, 5), "outcome": "reached", "re_trafficking_risk": "x"},
            "re_trafficking_risk",
        ),
    ]
    for fields, field in cases:
        with pytest.raises(ValidationError) as err:
            follow_up_record(actor=world.personas.police, ret=ret, **fields)
        assert field in err.value.message_dict, fields
    assert not ReturnFollowUp.objects.exists()


def test_a_return_date_before_the_case_opened_or_in_the_future_is_refused(world, frozen):
    with pytest.raises(ValidationError) as err:
        plan(world, planned_on=D(2026, 9, 1))
    assert "planned_on" in err.value.message_dict and "05.10.2026" in err.value.message_dict["planned_on"][0]
    ret = plan(world)
    with pytest.raises(ValidationError) as err:
        return_record(actor=world.personas.police, ret=ret, returned_on=D(2026, 10, 4), version=ret.version)
    assert "returned_on" in err.value.message_dict
    with pytest.raises(ValidationError) as err:
        return_record(actor=world.personas.police, ret=ret, returned_on=D(2026, 10, 6), version=ret.version)
    assert "returned_on" in err.value.message_dict
    assert VoluntaryReturn.objects.get(pk=ret.pk).state == ReturnState.PLANNED
    assert not Clock.objects.filter(kind="return_followup").exists()


def test_plan_fields_are_checked(world, frozen):
    for fields, field in [
        ({"organisation": "smugglers"}, "organisation"),
        ({"organisation": "other"}, "organisation_name"),
        ({"country": "XX"}, "country"),
    ]:
        with pytest.raises(ValidationError) as err:
            plan(world, **fields)
        assert field in err.value.message_dict
    other = plan(world, organisation="other", organisation_name="La Strada", country="ro")
    assert (other.country, other.organisation_name) == ("RO", "La Strada")
    with pytest.raises(ValidationError):
        plan(world)  # one open plan at a time


def test_a_childs_return_needs_the_guardian_and_child_welfares_assessment(world, frozen):
    case = world.cases.childwelfare_child
    actor = world.personas.childwelfare
    ret = return_plan(actor=actor, case=case, organisation="iom", country="RO", planned_on=D(2026, 10, 5))
    assert ret.was_child
    with pytest.raises(ValidationError) as err:
        return_record(actor=actor, ret=ret, returned_on=D(2026, 10, 5), version=ret.version)
    assert "guardian_consulted" in err.value.message_dict
    ret = return_plan_change(actor=actor, ret=ret, version=ret.version, guardian_consulted=True)
    with pytest.raises(ValidationError) as err:
        return_record(actor=actor, ret=ret, returned_on=D(2026, 10, 5), version=ret.version)
    assert "best_interests_assessed" in err.value.message_dict
    ret = return_plan_change(actor=actor, ret=ret, version=ret.version, best_interests_assessed=True)
    done = return_record(actor=actor, ret=ret, returned_on=D(2026, 10, 5), version=ret.version)
    assert done.state == ReturnState.RETURNED


def test_a_missing_person_is_found_before_a_return_is_recorded(world, frozen):
    case = world.cases.childwelfare_adult
    actor = world.personas.childwelfare
    missing_episode_record(actor=actor, case=case, missing_from="shelter", last_seen_at=frozen.now)
    with pytest.raises(ValidationError) as err:
        voluntary_return_record(actor=actor, case=case, returned_on=D(2026, 10, 5), country="NG")
    assert "missing" in err.value.message_dict["returned_on"][0]
    assert not VoluntaryReturn.objects.filter(case=case).exists()  # the plan made on the way is rolled back


def test_changes_and_cancellation_are_locked_against_lost_updates(world, frozen):
    ret = plan(world)
    changed = return_plan_change(actor=world.personas.police, ret=ret, version=ret.version, country="GH")
    assert (changed.country, changed.version) == ("GH", ret.version + 1)
    with pytest.raises(EditConflict):
        return_plan_change(actor=world.personas.police, ret=ret, version=ret.version, country="SN")
    with pytest.raises(ValidationError) as err:
        return_cancel(actor=world.personas.police, ret=changed, version=changed.version, reason=" ")
    assert "reason" in err.value.message_dict
    cancelled = return_cancel(
        actor=world.personas.police, ret=changed, version=changed.version, reason="Changed her mind"
    )
    assert cancelled.state == ReturnState.CANCELLED
    with pytest.raises(ValidationError):
        return_record(
            actor=world.personas.police, ret=cancelled, returned_on=D(2026, 10, 5), version=cancelled.version
        )
    assert plan(world).state == ReturnState.PLANNED  # a new plan after the cancelled one


def test_closing_as_returned_home_asks_for_the_return_and_the_follow_ups_go_on(world, frozen):
    case = world.cases.police_adult
    actor = world.personas.police
    with pytest.raises(ValidationError) as err:
        case_change_status(
            actor=actor, case=case, status=CaseStatus.CLOSED, reason="Home", version=case.version,
            closure_reason="returned_home",
        )  # fmt: skip
    assert "closure_reason" in err.value.message_dict
    case.refresh_from_db()
    assert case.status != CaseStatus.CLOSED
    ret = voluntary_return_record(actor=actor, case=case, returned_on=D(2026, 10, 5), country="NG")
    case.refresh_from_db()
    case = case_change_status(
        actor=actor, case=case, status=CaseStatus.CLOSED, reason="Home", version=case.version,
        closure_reason="returned_home",
    )  # fmt: skip
    follow_ups = Clock.objects.filter(case=case, kind="return_followup")
    assert follow_ups.count() == 3
    assert all(c.state == ClockState.RUNNING and c.case_open for c in follow_ups)  # still listed
    assert follow_up_clock(ret, 3).state == ClockState.RUNNING
