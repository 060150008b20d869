"""Individual plans, tasks with their clocks, coordination meetings, placements."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError

from varde.access.response import my_clocks
from varde.core.errors import EditConflict
from varde.response.models import ClockState, Placement, TaskStatus
from varde.response.placements import placement_end, placement_record
from varde.response.plans import (
    DecisionInput,
    meeting_record,
    plan_create,
    plan_goal_add,
    plan_review,
    task_add,
    task_set_status,
)


def test_a_plan_for_a_child_with_goals_tasks_and_a_review_clock(world, frozen):
    actor, case = world.personas.childwelfare, world.cases.childwelfare_child
    plan = plan_create(actor=actor, case=case)
    assert plan.required
    assert plan.review_clock.kind == "plan_review" and plan.review_clock.ends_on == dt.date(2027, 1, 5)
    with pytest.raises(ValidationError):
        plan_create(actor=actor, case=case)
    plan_goal_add(actor=actor, plan=plan, text="Safe school place")
    task = task_add(
        actor=actor,
        case=case,
        plan=plan,
        title="Enrol in school",
        responsible_agency=world.agencies.childwelfare,
        responsible_user=actor,
        due_date=dt.date(2026, 10, 19),
    )
    assert task.clock.kind == "plan_task" and task.clock.responsible_user == actor
    with pytest.raises(ValidationError):  # ROSA takes no part in this case
        task_add(
            actor=actor,
            case=case,
            title="Shelter",
            responsible_agency=world.agencies.ngo,
            due_date=dt.date(2026, 10, 19),
        )
    with pytest.raises(ValidationError):  # the police investigator does not work for child welfare
        task_add(
            actor=actor,
            case=case,
            title="x",
            responsible_agency=world.agencies.childwelfare,
            responsible_user=world.personas.police,
            due_date=dt.date(2026, 10, 19),
        )

    actions = my_clocks(user=actor, language="en").rows
    # The child's 24-hour deadlines, started with the report, are due first; the task follows them.
    tasks = [a for a in actions if a.kind == "plan_task"]
    assert [(a.clock_id, a.title) for a in tasks] == [(task.clock_id, "Enrol in school")]
    before = actions[: actions.index(tasks[0])]
    assert before and all(a.due_at <= frozen.now + dt.timedelta(hours=24) for a in before)

    done = task_set_status(actor=actor, task=task, status=TaskStatus.DONE, version=task.version)
    assert done.clock.state == ClockState.MET
    with pytest.raises(EditConflict):
        task_set_status(actor=actor, task=task, status=TaskStatus.DONE, version=task.version)

    frozen.advance(days=80)
    old_review = plan.review_clock
    plan = plan_review(actor=actor, plan=plan, version=plan.version)
    old_review.refresh_from_db()
    assert old_review.state == ClockState.MET
    assert plan.review_clock.pk != old_review.pk and plan.review_clock.state == ClockState.RUNNING


def test_a_coordination_meeting_records_decisions_and_creates_tasks(world, frozen):
    case = world.cases.police_adult  # police lead, ROSA takes part
    result = meeting_record(
        actor=world.personas.police,
        case=case,
        held_at=frozen.now,
        participants=[world.agencies.police, world.agencies.ngo],
        decisions=[
            DecisionInput(
                text="ROSA finds a shelter place",
                task_title="Shelter place",
                responsible_agency=world.agencies.ngo,
                due_date=dt.date(2026, 10, 6),
            ),
            DecisionInput(text="Police interview after the reflection period starts"),
        ],
    )
    assert [d.text for d in result.meeting.decisions.all()][1].startswith("Police")
    (task,) = result.tasks
    assert (
        task.origin == "meeting" and task.meeting == result.meeting and task.decision.text.startswith("ROSA")
    )
    ngo_actions = my_clocks(user=world.personas.ngo).rows
    assert [a.clock_id for a in ngo_actions if a.kind == "plan_task"] == [task.clock_id]
    with pytest.raises(ValidationError):
        meeting_record(
            actor=world.personas.police, case=case, held_at=frozen.now, participants=[], decisions=[]
        )


def test_placements_follow_each_other(world, frozen):
    actor, case = world.personas.police, world.cases.police_adult
    first = placement_record(actor=actor, case=case, kind="crisis_centre", from_at=frozen.now)
    frozen.advance(days=10)
    second = placement_record(actor=actor, case=case, kind="supported_housing", from_at=frozen.now)
    first.refresh_from_db()
    assert first.to_at == second.from_at
    with pytest.raises(ValidationError):
        placement_record(actor=actor, case=case, kind="castle", from_at=frozen.now)
    ended = placement_end(
        actor=actor, placement=second, to_at=frozen.now + dt.timedelta(hours=1), version=second.version
    )
    assert ended.to_at is not None
    assert Placement.objects.filter(case=case, to_at__isnull=True).count() == 0
