"""Pages of the coordinated response: a notification, and a case's response page (clocks, placements,
individual plan, meetings, disappearances, the legal path with the rights and help system that follow,
cooperation with the police, voluntary return with its follow-ups, and the response timeline). The
deadline lists and the inbox are in varde.web.views.deadlines.

Every read goes through varde.access.cases and varde.access.response; every write is a service of
varde.response. Each form posts to its own URL and works without JavaScript: success redirects back
to the page, errors re-render it with the bound form.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any, cast
from uuid import UUID

from django.contrib.auth.decorators import login_required
from django.forms import Form
from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from varde.access import response as response_reads
from varde.access.cases import case_get_for_user
from varde.accounts.models import User
from varde.cases.models import Case
from varde.core import clock as vclock
from varde.response import clocks as clock_services
from varde.response import disappearances, legal_status, placements, plans, returns
from varde.response.models import (
    OPEN_CLOCK_STATES,
    Clock,
    LegalStatus,
    MissingStatus,
    ReturnState,
    TaskStatus,
    VoluntaryReturn,
)
from varde.response.rules import (
    clock_label,
    clock_rules,
    clock_source,
    clock_spec,
    clock_state_label,
    status_spec,
)
from varde.web.response_forms import (
    ClockExtendForm,
    ClockMeetForm,
    ClockReasonForm,
    DecisionsForm,
    FollowUpForm,
    GoalForm,
    LegalStatusForm,
    MeetingForm,
    MissingCloseForm,
    MissingForm,
    PlacementForm,
    PoliceCooperationForm,
    ReturnCancelForm,
    ReturnChangeForm,
    ReturnPlanForm,
    ReturnRecordForm,
    TaskDoneForm,
    TaskForm,
    stage_label,
)
from varde.web.types import AuthedRequest
from varde.web.views.base import (
    CONFLICT,
    case_workers_only,
    directory_users_only,
    done,
    kept,
    save,
)

CLOCK_ACTIONS = ("pause", "resume", "extend", "meet")


def _lang() -> str:
    return get_language() or "nb"


@require_GET
@login_required
@case_workers_only
def notification_detail(request: AuthedRequest, notification_id: UUID) -> HttpResponse:
    notification = response_reads.notification_get_for_user(
        user=request.user, notification_id=notification_id
    )
    return render(
        request,
        "web/response/notification.html",
        {"n": notification, "text": notification.text(_lang())},
    )


# --- a case's response page ----------------------------------------------------------------------------


def _timeline_heading(kind: str) -> str:
    headings: dict[str, Callable[[], str]] = {
        "clock_started": lambda: _("Deadline started"),
        "clock_paused": lambda: _("Deadline paused"),
        "clock_resumed": lambda: _("Deadline resumed"),
        "clock_extended": lambda: _("Deadline extended"),
        "clock_warned": lambda: _("Deadline about to run out"),
        "clock_met": lambda: _("Deadline met"),
        "clock_missed": lambda: _("Deadline missed"),
        "clock_cancelled": lambda: _("Deadline cancelled"),
        "placement": lambda: _("Placement"),
        "plan_created": lambda: _("Individual plan created"),
        "meeting": lambda: _("Coordination meeting"),
        "missing": lambda: _("Missing"),
        "legal_status": lambda: _("Legal status"),
    }
    if kind in headings:
        return headings[kind]()
    if kind.startswith("notification_"):
        return _("Notification")
    if kind.startswith("task_"):
        return _("Task")
    return kind


def _clock_rows(clocks: list[Clock], bound: dict[str, Any], task_clock_ids: set[Any]) -> list[dict[str, Any]]:
    """Each clock with the actions the rules allow (a task's clock is met by completing the task)."""
    rows = []
    for clk in clocks:
        spec = clock_spec(clk.kind)
        key = str(clk.pk)
        opened = clk.state in OPEN_CLOCK_STATES
        row: dict[str, Any] = {
            "clock": clk,
            "label": clock_label(clk.kind, _lang()),
            # The source in the page's language while the clock follows the rules' current version.
            "source": clock_source(clk.kind, _lang())
            if clk.rule_version == clock_rules()["version"]
            else clk.rule_source,
            "state_label": clock_state_label(clk.kind, clk.state, _lang()),
            "forms": {},
        }
        initial = {"version": clk.version}
        if opened and spec.get("pausable") and clk.state == "running":
            row["forms"]["pause"] = bound.get(f"{key}:pause") or ClockReasonForm(
                initial=initial, prefix=f"pause-{key}"
            )
        if clk.state == "paused":
            row["forms"]["resume"] = bound.get(f"{key}:resume") or TaskDoneForm(
                initial=initial, prefix=f"resume-{key}"
            )
        if opened and spec.get("extendable"):
            row["forms"]["extend"] = bound.get(f"{key}:extend") or ClockExtendForm(
                initial=initial, prefix=f"extend-{key}"
            )
        if (
            clk.state in (*OPEN_CLOCK_STATES, "missed")
            and clk.pk not in task_clock_ids
            and not spec.get("period")
        ):
            row["forms"]["meet"] = bound.get(f"{key}:meet") or ClockMeetForm(
                initial=initial, prefix=f"meet-{key}"
            )
        rows.append(row)
    return rows


def _response_context(request: AuthedRequest, case: Case, **bound: Any) -> dict[str, Any]:
    user = request.user
    lang = _lang()
    records = response_reads.case_response_records(user=user, case=case)
    plan = getattr(case, "individual_plan", None) if _has_plan(case) else None
    current = legal_status.legal_status_current(case=case)
    bound_close = bound.pop("close_forms", {})
    bound_tasks = bound.pop("task_done_forms", {})
    bound_decisions = bound.pop("decision_forms", {})
    now = vclock.now()
    context: dict[str, Any] = {
        "case": case,
        "clock_rows": _clock_rows(records.clocks, bound.pop("clock_forms", {}), records.task_clock_ids),
        "placements": records.placements,
        "placement_form": bound.pop("placement_form", None) or PlacementForm(prefix="placement"),
        "plan": plan,
        "goals": list(plan.goals.all()) if plan else [],
        "goal_form": bound.pop("goal_form", None) or GoalForm(prefix="goal"),
        "task_rows": [
            {
                "task": t,
                "form": bound_tasks.get(str(t.pk))
                or TaskDoneForm(initial={"version": t.version}, prefix=f"task-{t.pk}")
                if t.status == TaskStatus.OPEN
                else None,
            }
            for t in records.tasks
        ],
        "task_form": bound.pop("task_form", None) or TaskForm(case=case, prefix="task"),
        "meetings": records.meetings,
        "meeting_rows": [
            {
                "meeting": m,
                "planned": m.held_at > now,
                "form": None
                if m.held_at > now
                else bound_decisions.get(str(m.pk)) or DecisionsForm(prefix=f"decide-{m.pk}"),
            }
            for m in records.meetings
        ],
        "meeting_form": bound.pop("meeting_form", None) or MeetingForm(case=case, prefix="meeting"),
        "episode_rows": [
            {
                "episode": e,
                "form": bound_close.get(str(e.pk))
                or MissingCloseForm(initial={"version": e.version}, prefix=f"close-{e.pk}")
                if e.status == MissingStatus.MISSING
                else None,
            }
            for e in records.episodes
        ],
        "missing_form": bound.pop("missing_form", None) or MissingForm(prefix="missing"),
        "current_statuses": [(s, legal_status.rights_and_authority(s, lang)) for s in current],
        "help_system_change": _help_system_change(case, current, lang),
        "matters": _matter_rows(records.statuses, lang),
        "legal_status_form": bound.pop("legal_status_form", None)
        or LegalStatusForm(prefix="legal", applications=_pending_applications(user, case, records.statuses)),
        "timeline": [
            {"entry": e, "heading": _timeline_heading(e.kind)}
            for e in response_reads.case_response_timeline(user=user, case=case, language=lang)
        ],
    }
    context.update(_cooperation_context(records.cooperation, bound.pop("police_form", None)))
    context.update(_return_context(user, case, records, bound.pop("return_forms", {})))
    context.update(bound)
    return context


# --- the legal path -----------------------------------------------------------------------------------


def _state_labels() -> dict[str, str]:
    """What became of an application (Matter.state: the decision's outcome in the rules)."""
    return {
        "pending": _("Pending"),
        "withdrawn": _("Withdrawn"),
        "granted": _("Granted"),
        "rejected": _("Rejected"),
        "dropped": _("Dropped"),
        "dublin": _("Another state is responsible (Dublin)"),
        "granted_refugee": _("Granted as a refugee"),
        "granted_humanitarian": _("Granted on humanitarian grounds"),
        "limited_until_18": _("Limited permit until 18"),
        "expelled": _("Expulsion decided"),
        "decided": _("Decided"),
        "status": _("Status"),
    }


STATE_COLOURS = {
    "pending": "info",
    "granted": "success",
    "granted_refugee": "success",
    "granted_humanitarian": "success",
    "limited_until_18": "warning",
    "rejected": "danger",
    "expelled": "danger",
    "dublin": "warning",
}


def _matter_rows(entries: list[LegalStatus], lang: str) -> list[dict[str, Any]]:
    """Each application with what became of it, and decisions and statuses that stand alone."""
    labels = _state_labels()
    rows = []
    for matter in legal_status.legal_matters(entries):
        main = matter.application or matter.decision
        assert main is not None
        state = matter.state
        if matter.application is None and status_spec(main.kind).get("role") == "status":
            state = "status"
        decision = matter.decision
        shown = decision or main
        spec = status_spec(shown.kind)
        criteria_labels = spec.get("criteria_labels", {})
        rows.append(
            {
                "matter": matter,
                "entry": main,
                "state": state,
                "state_label": labels.get(state, state),
                "colour": STATE_COLOURS.get(state, "neutral"),
                "authority": (decision.get_authority_display() if decision and decision.authority else "")
                or (main.get_authority_display() if main.authority else ""),
                "source": legal_status.rights_and_authority(shown.kind, lang)["source"],
                "criteria": [
                    (criteria_labels.get(c, {}).get(lang, c), met)
                    for c, met in (shown.criteria or {}).items()
                ],
            }
        )
    return rows


def _pending_applications(user: User, case: Case, entries: list[LegalStatus]) -> Any:
    """The case's applications still waiting for a decision (a decision may name the one it decides)."""
    pending = [
        m.application.pk
        for m in legal_status.legal_matters(entries)
        if m.application and m.state == "pending"
    ]
    return response_reads.legal_statuses_visible_to(user=user).filter(case=case, pk__in=pending)


def _help_system_change(case: Case, current: list[LegalStatus], lang: str) -> dict[str, str] | None:
    """When the latest change of legal status moved the person to another help system (municipal
    services, the state reception system, child welfare, none): the two, so that the page can warn that
    help must be handed over (the seeds' point about continuity of help)."""
    if not current:
        return None
    latest = current[-1]
    before = legal_status.legal_status_current(
        case=case, on=latest.from_date, at=latest.recorded_at - dt.timedelta(microseconds=1)
    )
    if not before:
        return None
    old = legal_status.rights_and_authority(before[-1], lang)
    new = legal_status.rights_and_authority(latest, lang)
    if old["help_system"] == new["help_system"]:
        return None
    return {"from": old["help_system_label"], "to": new["help_system_label"], "status": new["label"]}


# --- cooperation with the police -------------------------------------------------------------------------


def _cooperation_context(entries: list[Any], bound: PoliceCooperationForm | None) -> dict[str, Any]:
    corrected = {e.corrects_id for e in entries if e.corrects_id}
    live = [e for e in entries if e.pk not in corrected]
    return {
        "cooperation": live,
        "cooperation_now": legal_status.police_cooperation_current(entries, vclock.today()),
        "police_form": bound or PoliceCooperationForm(prefix="police", initial={"on_date": vclock.today()}),
    }


# --- voluntary return -----------------------------------------------------------------------------------

RETURN_ACTIONS = ("change", "record", "cancel")


def _returns_of(user: User, case: Case) -> Any:
    return response_reads.voluntary_returns_visible_to(user=user).filter(case=case)


def _return_child(case: Case, ret: VoluntaryReturn | None = None) -> bool:
    return bool(case.is_child or (ret is not None and ret.was_child))


def _return_form(action: str, user: User, case: Case, ret: VoluntaryReturn) -> Any:
    ref = {"voluntary_return": ret.pk, "version": ret.version}
    qs = _returns_of(user, case)
    if action == "change":
        initial = {
            **ref,
            "organisation": ret.organisation,
            "organisation_name": ret.organisation_name,
            "country": ret.country,
            "planned_on": ret.planned_on,
            "escort": ret.escort,
            "reception": ret.reception,
            "guardian_consulted": bool(ret.guardian_consulted),
            "best_interests_assessed": bool(ret.best_interests_assessed),
            "note": ret.note,
        }
        return ReturnChangeForm(
            initial=initial, prefix="return-change", returns=qs, child=_return_child(case, ret)
        )
    if action == "record":
        return ReturnRecordForm(initial=ref, prefix="return-record", returns=qs)
    return ReturnCancelForm(initial=ref, prefix="return-cancel", returns=qs)


def _follow_up_rows(ret: VoluntaryReturn, clocks: dict[str, Clock], lang: str) -> list[dict[str, Any]]:
    """The follow-ups of a return by stage: the due date from its clock, and the outcome once recorded."""
    done = {f.stage: f for f in ret.follow_ups.all()}
    now = vclock.now()
    rows = []
    for stage in returns.follow_up_stages():
        clk = clocks.get(f"return:{ret.pk}:{stage}")
        rows.append(
            {
                "stage": stage,
                "label": stage_label(stage),
                "clock": clk,
                "clock_state": clock_state_label(clk.kind, clk.state, lang) if clk else "",
                "overdue": bool(clk and clk.state in OPEN_CLOCK_STATES and clk.due_at < now),
                "follow_up": done.get(stage),
            }
        )
    return rows


def _return_context(user: User, case: Case, records: Any, bound: dict[str, Any]) -> dict[str, Any]:
    """Each return with its forms (a planned one: change, record, cancel; a bound form after an error
    stays with the return it was for) and, once returned, its follow-ups by stage with their due dates."""
    lang = _lang()
    clocks = {c.origin: c for c in records.clocks if c.kind == returns.FOLLOW_UP_CLOCK}
    rows = []
    for ret in records.returns:
        forms: dict[str, Any] = {}
        for action in RETURN_ACTIONS:
            kept_form = bound.get(action)
            if kept_form is not None:
                if kept_form.data.get(kept_form.add_prefix("voluntary_return")) == str(ret.pk):
                    forms[action] = kept_form
            elif ret.state == ReturnState.PLANNED:
                forms[action] = _return_form(action, user, case, ret)
        rows.append(
            {
                "ret": ret,
                "child": _return_child(case, ret),
                "forms": forms,
                "follow_ups": _follow_up_rows(ret, clocks, lang) if ret.state == ReturnState.RETURNED else [],
            }
        )
    returned = [r for r in records.returns if r.state == ReturnState.RETURNED]
    follow_up_form = bound.get("follow_up")
    if follow_up_form is None and returned:
        latest = returned[-1]
        recorded = {f.stage for f in latest.follow_ups.all()}
        next_stage = next((m for m in returns.follow_up_stages() if m not in recorded), None)
        follow_up_form = FollowUpForm(
            prefix="followup",
            returns=_returns_of(user, case).filter(state=ReturnState.RETURNED),
            initial={"voluntary_return": latest.pk, "stage": next_stage, "on_date": vclock.today()},
        )
    planned = any(r.state == ReturnState.PLANNED for r in records.returns)
    return {
        "return_rows": rows,
        "return_plan_form": None
        if planned and "plan" not in bound
        else bound.get("plan") or ReturnPlanForm(prefix="return", child=_return_child(case)),
        "follow_up_form": follow_up_form,
        "return_conflict": bound.get("conflict", False),
        "return_stages": ", ".join(str(m) for m in returns.follow_up_stages()),
    }


def _has_plan(case: Case) -> bool:
    try:
        case.individual_plan  # noqa: B018 - the reverse one-to-one raises when there is none
    except Case.individual_plan.RelatedObjectDoesNotExist:  # type: ignore[attr-defined]
        return False
    return True


def _render(request: AuthedRequest, case: Case, status: int = 200, **bound: Any) -> HttpResponse:
    return render(request, "web/response/case.html", _response_context(request, case, **bound), status=status)


def _back(request: AuthedRequest, case: Case, message: str, anchor: str) -> HttpResponse:
    return done(request, message, reverse("case-response", kwargs={"case_id": case.pk}) + f"#{anchor}")


def _case(request: AuthedRequest, case_id: UUID) -> Case:
    return case_get_for_user(user=request.user, case_id=case_id)


@require_GET
@login_required
@case_workers_only
def case_response(request: AuthedRequest, case_id: UUID) -> HttpResponse:
    case = _case(request, case_id)
    return _render(request, case)


@require_POST
@login_required
@case_workers_only
def case_clock_action(request: AuthedRequest, case_id: UUID, clock_id: UUID, action: str) -> HttpResponse:
    if action not in CLOCK_ACTIONS:
        raise Http404("Not found")
    case = _case(request, case_id)
    clk = response_reads.clock_get_for_user(user=request.user, clock_id=clock_id)
    if clk.case_id != case.pk:
        raise Http404("Not found")
    forms_by_action: dict[str, type[Form]] = {
        "pause": ClockReasonForm,
        "resume": TaskDoneForm,
        "extend": ClockExtendForm,
        "meet": ClockMeetForm,
    }
    form = forms_by_action[action](request.POST, prefix=f"{action}-{clk.pk}")
    if form.is_valid():
        d = form.cleaned_data
        actor = request.user
        calls: dict[str, Callable[[], object]] = {
            "pause": lambda: clock_services.clock_pause(
                actor=actor, clock=clk, reason=d.get("reason", ""), version=d["version"]
            ),
            "resume": lambda: clock_services.clock_resume(actor=actor, clock=clk, version=d["version"]),
            "extend": lambda: clock_services.clock_extend(
                actor=actor,
                clock=clk,
                reason=d.get("reason", ""),
                version=d["version"],
                days=d.get("days") or 0,
                months=d.get("months") or 0,
            ),
            "meet": lambda: clock_services.clock_meet(
                actor=actor, clock=clk, version=d["version"], reason=d.get("reason") or ""
            ),
        }
        saved = save(form, calls[action])
        if saved.conflict:
            clk.refresh_from_db()
            kept_forms = {f"{clk.pk}:{action}": kept(form, clk.version)}
            return _render(request, case, status=CONFLICT, conflict=True, clock_forms=kept_forms)
        if saved.ok:
            done = {
                "pause": _("The deadline is paused."),
                "resume": _("The deadline runs again."),
                "extend": _("The deadline is extended."),
                "meet": _("The deadline is recorded as met."),
            }
            return _back(request, case, done[action], "clocks-heading")
    return _render(request, case, clock_forms={f"{clk.pk}:{action}": form})


@require_POST
@login_required
@case_workers_only
def case_placement(request: AuthedRequest, case_id: UUID) -> HttpResponse:
    case = _case(request, case_id)
    form = PlacementForm(request.POST, prefix="placement")
    if form.is_valid():
        d = form.cleaned_data
        saved = save(
            form,
            lambda: placements.placement_record(
                actor=request.user,
                case=case,
                kind=d["kind"],
                from_at=d["from_at"],
                description=d["description"],
            ),
        )
        if saved.ok:
            return _back(request, case, _("The placement is recorded."), "placements-heading")
    return _render(request, case, placement_form=form)


@require_POST
@login_required
@case_workers_only
def case_missing(request: AuthedRequest, case_id: UUID) -> HttpResponse:
    case = _case(request, case_id)
    form = MissingForm(request.POST, prefix="missing")
    if form.is_valid():
        d = form.cleaned_data
        saved = save(
            form,
            lambda: disappearances.missing_episode_record(
                actor=request.user,
                case=case,
                missing_from=d["missing_from"],
                last_seen_at=d["last_seen_at"],
                reported_to_police_at=d["reported_to_police_at"],
            ),
        )
        if saved.ok:
            return _back(
                request,
                case,
                _("The disappearance is recorded. The police and child welfare are told."),
                "missing-heading",
            )
    return _render(request, case, missing_form=form)


@require_POST
@login_required
@case_workers_only
def case_missing_close(request: AuthedRequest, case_id: UUID, episode_id: UUID) -> HttpResponse:
    case = _case(request, case_id)
    episode = response_reads.missing_episode_get_for_user(user=request.user, episode_id=episode_id)
    if episode.case_id != case.pk:
        raise Http404("Not found")
    form = MissingCloseForm(request.POST, prefix=f"close-{episode.pk}")
    if form.is_valid():
        d = form.cleaned_data
        saved = save(
            form,
            lambda: disappearances.missing_episode_close(
                actor=request.user,
                episode=episode,
                status=d["status"],
                at=d["at"],
                version=d["version"],
                country=d.get("country") or "",
            ),
        )
        if saved.conflict:
            episode.refresh_from_db()
            kept_forms = {str(episode.pk): kept(form, episode.version)}
            return _render(request, case, status=CONFLICT, conflict=True, close_forms=kept_forms)
        if saved.ok:
            return _back(request, case, _("The outcome of the disappearance is recorded."), "missing-heading")
    return _render(request, case, close_forms={str(episode.pk): form})


@require_POST
@login_required
@case_workers_only
def case_plan(request: AuthedRequest, case_id: UUID) -> HttpResponse:
    case = _case(request, case_id)
    form = Form(request.POST)
    saved = save(form, lambda: plans.plan_create(actor=request.user, case=case))
    if saved.ok:
        return _back(request, case, _("The individual plan is created."), "plan-heading")
    return _render(request, case, plan_error=" ".join(str(e) for e in form.non_field_errors()))


@require_POST
@login_required
@case_workers_only
def case_plan_goal(request: AuthedRequest, case_id: UUID) -> HttpResponse:
    case = _case(request, case_id)
    if not _has_plan(case):
        raise Http404("Not found")
    plan = case.individual_plan  # type: ignore[attr-defined]
    form = GoalForm(request.POST, prefix="goal")
    if form.is_valid():
        saved = save(
            form,
            lambda: plans.plan_goal_add(actor=request.user, plan=plan, text=form.cleaned_data["text"]),
        )
        if saved.ok:
            return _back(request, case, _("The goal is added."), "plan-heading")
    return _render(request, case, goal_form=form)


@require_POST
@login_required
@case_workers_only
def case_task(request: AuthedRequest, case_id: UUID) -> HttpResponse:
    case = _case(request, case_id)
    form = TaskForm(request.POST, case=case, prefix="task")
    plan = case.individual_plan if _has_plan(case) else None  # type: ignore[attr-defined]
    if form.is_valid():
        d = form.cleaned_data
        saved = save(
            form,
            lambda: plans.task_add(
                actor=request.user,
                case=case,
                title=d["title"],
                responsible_agency=d["responsible_agency"],
                due_date=d["due_date"],
                plan=plan,
            ),
        )
        if saved.ok:
            return _back(request, case, _("The task is added."), "tasks-heading")
    return _render(request, case, task_form=form)


@require_POST
@login_required
@case_workers_only
def case_task_done(request: AuthedRequest, case_id: UUID, task_id: UUID) -> HttpResponse:
    case = _case(request, case_id)
    task = response_reads.task_get_for_user(user=request.user, task_id=task_id)
    if task.case_id != case.pk:
        raise Http404("Not found")
    form = TaskDoneForm(request.POST, prefix=f"task-{task.pk}")
    if form.is_valid():
        saved = save(
            form,
            lambda: plans.task_set_status(
                actor=request.user, task=task, status=TaskStatus.DONE, version=form.cleaned_data["version"]
            ),
        )
        if saved.conflict:
            return _render(request, case, status=CONFLICT, conflict=True)
        if saved.ok:
            return _back(request, case, _("The task is done."), "tasks-heading")
    return _render(request, case, task_done_forms={str(task.pk): form})


@require_POST
@login_required
@case_workers_only
def case_meeting(request: AuthedRequest, case_id: UUID) -> HttpResponse:
    case = _case(request, case_id)
    form = MeetingForm(request.POST, case=case, prefix="meeting")
    if form.is_valid():
        d = form.cleaned_data
        saved = save(
            form,
            lambda: plans.meeting_record(
                actor=request.user,
                case=case,
                held_at=d["held_at"],
                participants=list(d["participants"]),
                decisions=form.decisions(),
            ),
        )
        if saved.ok:
            return _back(request, case, _("The meeting is recorded."), "meetings-heading")
    return _render(request, case, meeting_form=form)


@require_POST
@login_required
@case_workers_only
def case_meeting_decisions(request: AuthedRequest, case_id: UUID, meeting_id: UUID) -> HttpResponse:
    """The decisions of a meeting once it is held (a planned one, or more of a held one)."""
    case = _case(request, case_id)
    meeting = response_reads.meeting_get_for_user(user=request.user, meeting_id=meeting_id)
    if meeting.case_id != case.pk:
        raise Http404("Not found")
    form = DecisionsForm(request.POST, prefix=f"decide-{meeting.pk}")
    if form.is_valid():
        saved = save(
            form,
            lambda: plans.meeting_decisions_add(
                actor=request.user, meeting=meeting, decisions=form.decisions()
            ),
        )
        if saved.ok:
            return _back(request, case, _("The decisions are recorded."), "meetings-heading")
    return _render(request, case, decision_forms={str(meeting.pk): form})


@require_POST
@login_required
@case_workers_only
def case_legal_status(request: AuthedRequest, case_id: UUID) -> HttpResponse:
    case = _case(request, case_id)
    entries = list(response_reads.legal_statuses_visible_to(user=request.user).filter(case=case))
    form = LegalStatusForm(
        request.POST, prefix="legal", applications=_pending_applications(request.user, case, entries)
    )
    if form.is_valid():
        d = form.cleaned_data
        saved = save(
            form,
            lambda: legal_status.legal_status_record(
                actor=request.user,
                case=case,
                kind=d["kind"],
                from_date=d["from_date"],
                to_date=d["to_date"],
                criteria=form.criteria_met(),
                note=d["note"],
                authority=d["authority"],
                reason=d["reason"],
                application=d.get("application"),
            ),
        )
        if saved.ok:
            return _back(request, case, _("The legal status is recorded."), "legal-heading")
    return _render(request, case, legal_status_form=form)


@require_POST
@login_required
@case_workers_only
def case_police_cooperation(request: AuthedRequest, case_id: UUID) -> HttpResponse:
    case = _case(request, case_id)
    form = PoliceCooperationForm(request.POST, prefix="police")
    if form.is_valid():
        d = form.cleaned_data
        saved = save(
            form,
            lambda: legal_status.police_cooperation_record(
                actor=request.user, case=case, state=d["state"], on_date=d["on_date"], note=d["note"]
            ),
        )
        if saved.ok:
            return _back(request, case, _("The cooperation with the police is recorded."), "police-heading")
    return _render(request, case, police_form=form)


@require_POST
@login_required
@case_workers_only
def case_return_plan(request: AuthedRequest, case_id: UUID) -> HttpResponse:
    case = _case(request, case_id)
    form = ReturnPlanForm(request.POST, prefix="return", child=_return_child(case))
    if form.is_valid():
        saved = save(form, lambda: returns.return_plan(actor=request.user, case=case, **form.plan()))
        if saved.ok:
            return _back(request, case, _("The voluntary return is planned."), "return-heading")
    return _render(request, case, return_forms={"plan": form})


def _return_action(request: AuthedRequest, case_id: UUID, action: str) -> HttpResponse:
    """Change, record or cancel a planned return: the return named by the form among the case's
    returns the user may see, under optimistic locking (a conflict keeps the input, 409)."""
    case = _case(request, case_id)
    qs = _returns_of(request.user, case)
    child = _return_child(case)
    form: ReturnChangeForm | ReturnRecordForm | ReturnCancelForm
    if action == "change":
        ret_id = request.POST.get("return-change-voluntary_return")
        ret = qs.filter(pk=ret_id).first() if _is_uuid(ret_id) else None
        child = _return_child(case, ret)
        form = ReturnChangeForm(request.POST, prefix="return-change", returns=qs, child=child)
    elif action == "record":
        form = ReturnRecordForm(request.POST, prefix="return-record", returns=qs)
    else:
        form = ReturnCancelForm(request.POST, prefix="return-cancel", returns=qs)
    if form.is_valid():
        d = form.cleaned_data
        ret = d["voluntary_return"]
        actor = request.user
        calls: dict[str, Callable[[], object]] = {
            "change": lambda: returns.return_plan_change(
                actor=actor, ret=ret, version=d["version"], **cast(ReturnChangeForm, form).plan()
            ),
            "record": lambda: returns.return_record(
                actor=actor, ret=ret, returned_on=d["returned_on"], version=d["version"]
            ),
            "cancel": lambda: returns.return_cancel(
                actor=actor, ret=ret, version=d["version"], reason=d["reason"]
            ),
        }
        saved = save(form, calls[action])
        if saved.conflict:
            ret.refresh_from_db()
            kept_form = kept(
                form, ret.version, returns=qs, **({"child": child} if action == "change" else {})
            )
            return _render(request, case, status=CONFLICT, return_forms={action: kept_form, "conflict": True})
        if saved.ok:
            said = {
                "change": _("The return plan is changed."),
                "record": _("The return is recorded. The follow-ups after it are due at the dates shown."),
                "cancel": _("The return plan is cancelled."),
            }
            return _back(request, case, said[action], "return-heading")
    return _render(request, case, return_forms={action: form})


def _is_uuid(value: Any) -> bool:
    try:
        UUID(str(value))
    except ValueError:
        return False
    return True


def _return_action_view(action: str) -> Callable[[AuthedRequest, UUID], HttpResponse]:
    """The page that posts one of the RETURN_ACTIONS (`case_return_<action>`)."""

    @require_POST
    @login_required
    @case_workers_only
    def view(request: AuthedRequest, case_id: UUID) -> HttpResponse:
        return _return_action(request, case_id, action)

    view.__name__ = view.__qualname__ = f"case_return_{action}"
    return view


case_return_change = _return_action_view("change")
case_return_record = _return_action_view("record")
case_return_cancel = _return_action_view("cancel")


@require_POST
@login_required
@case_workers_only
def case_return_follow_up(request: AuthedRequest, case_id: UUID) -> HttpResponse:
    case = _case(request, case_id)
    returned = _returns_of(request.user, case).filter(state=ReturnState.RETURNED)
    form = FollowUpForm(request.POST, prefix="followup", returns=returned)
    if form.is_valid():
        d = form.cleaned_data
        saved = save(
            form,
            lambda: returns.follow_up_record(
                actor=request.user,
                ret=d["voluntary_return"],
                stage=d["stage"],
                on_date=d["on_date"],
                outcome=d["outcome"],
                housing=d["housing"],
                income=d["income"],
                education_work=d["education_work"],
                health=d["health"],
                re_trafficking_risk=d["re_trafficking_risk"],
                note=d["note"],
            ),
        )
        if saved.ok:
            return _back(request, case, _("The follow-up is recorded."), "return-heading")
    return _render(request, case, return_forms={"follow_up": form})


# --- a summary on the case page --------------------------------------------------------------------------


def case_response_summary(*, user: User, case: Case) -> dict[str, Any]:
    """The open deadlines of a case, for the case page's "Response" section (one query)."""
    clocks = list(response_reads.open_clocks_of_case(user=user, case=case))
    lang = _lang()
    return {"response_clocks": [{"clock": c, "label": clock_label(c.kind, lang)} for c in clocks]}


@require_GET
@login_required
@directory_users_only
def directory(request: AuthedRequest) -> HttpResponse:
    """The 24-hour directory of agencies, for those who work with cases. Others get 404."""
    user = request.user
    rows = response_reads.agency_directory(user=user)
    return render(request, "web/response/directory.html", {"rows": rows})
