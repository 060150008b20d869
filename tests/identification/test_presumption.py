"""Presumption of minority end to end: uncertain age -> treated as a child -> event emitted -> lifted with
a reason, audited; lifting without a reason is refused."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.http import Http404

from varde.audit.models import AuditEvent
from varde.cases.models import Case, CaseEvent
from varde.core import clock
from varde.events.models import Event
from varde.events.services import event_handler, event_mark_processed, events_pending
from varde.identification.errors import CatalogueNotApplicable
from varde.identification.models import AgePresumption
from varde.identification.services import (
    OUTCOME_ALREADY_PRESUMED,
    OUTCOME_NO_REASON,
    OUTCOME_STARTED,
    OUTCOME_VERIFIED_ADULT,
    OUTCOME_VERIFIED_CHILD,
    age_evidence_record,
    assessment_record,
    presumption_evaluate,
    presumption_lift,
)
from varde.response.models import Clock, ClockState


def test_presumption_flow_end_to_end(world):
    police = world.personas.police
    case = world.cases.police_adult  # reported with an (unverified) adult date of birth
    assert not case.is_child
    assert presumption_evaluate(actor=police, case=case).outcome == OUTCOME_NO_REASON

    age_evidence_record(
        actor=police,
        case=case,
        kind="own_statement",
        age_min=16,
        on=clock.today(),
        note="Said so in the interview.",
    )
    version_before = Case.objects.get(pk=case.pk).version
    decision = presumption_evaluate(actor=police, case=case)
    assert decision.outcome == OUTCOME_STARTED and decision.reasons == ["says_under_18"]

    case = Case.objects.get(pk=case.pk)
    assert case.is_child and case.version == version_before + 1
    event = Event.objects.get(kind="presumed_child", case=case)
    # Its follow-ups ran in the same transaction: the child's 24-hour clock is running already.
    assert event.case_id == case.pk and event.processed_at is not None
    assert Clock.objects.get(case=case, kind="safe_placement").state == ClockState.RUNNING
    assert event.data == {"presumption": str(decision.presumption.pk), "case": str(case.pk)}
    assert CaseEvent.objects.filter(case=case, kind="presumption_started").exists()
    assert AuditEvent.objects.filter(object_type="identification.agepresumption", action="create").exists()

    # the child catalogues now apply
    with pytest.raises(CatalogueNotApplicable):
        assessment_record(
            actor=police,
            case=case,
            catalogue_id="ilo_adult_sexual",
            indicator_ids=[],
            conclusion="inconclusive",
            reasoning="x",
        )
    assessment_record(
        actor=police,
        case=case,
        catalogue_id="ilo_child_sexual",
        indicator_ids=[],
        conclusion="inconclusive",
        reasoning="Too early to say.",
    )

    # evaluating again changes nothing
    assert presumption_evaluate(actor=police, case=case).outcome == OUTCOME_ALREADY_PRESUMED
    assert Event.objects.filter(kind="presumed_child", case=case).count() == 1

    # lifting needs a reason
    with pytest.raises(ValidationError) as exc:
        presumption_lift(actor=police, case=case, reason="   ")
    assert "reason" in exc.value.message_dict
    assert Case.objects.get(pk=case.pk).is_child

    lifted = presumption_lift(actor=police, case=case, reason="Genuine passport checked by the police.")
    assert lifted.lifted_at and lifted.lifted_by == police and lifted.lifted_reason.startswith("Genuine")
    assert not Case.objects.get(pk=case.pk).is_child
    assert AgePresumption.objects.filter(case=case).count() == 1  # history kept
    audit = AuditEvent.objects.filter(object_type="identification.agepresumption", action="update").get()
    assert audit.detail == {"case": str(case.pk), "lifted": True}
    assert Event.objects.filter(kind="presumption_lifted", case=case).exists()
    assert CaseEvent.objects.get(case=case, kind="presumption_lifted").text.startswith("Genuine")

    # the old statement was weighed by the lifting; only new evidence can start a new presumption
    assert presumption_evaluate(actor=police, case=case).outcome == OUTCOME_NO_REASON
    age_evidence_record(
        actor=police,
        case=case,
        kind="age_assessment",
        age_min=17,
        age_max=21,
        assessed_by="Dental age assessment",
        on=clock.today(),
    )
    again = presumption_evaluate(actor=police, case=case)
    assert again.outcome == OUTCOME_STARTED and again.reasons == ["age_assessment_range_under_18"]
    assert AgePresumption.objects.filter(case=case).count() == 2


def test_reported_child_with_estimated_age_is_presumed_at_report(world):
    """referral_report starts the presumption in the same transaction as the report."""
    case = world.cases.police_child
    presumption = AgePresumption.objects.get(case=case, lifted_at__isnull=True)
    assert (
        presumption.reasons == ["estimated_age_under_18"] and presumption.started_by == world.personas.police
    )
    assert Event.objects.filter(kind="presumed_child", case=case).count() == 1
    assert CaseEvent.objects.filter(case=case, kind="presumption_started").count() == 1
    decision = presumption_evaluate(actor=world.personas.police, case=case)
    assert decision.outcome == OUTCOME_ALREADY_PRESUMED
    assert Event.objects.filter(kind="presumed_child", case=case).count() == 1
    # the adults were not presumed
    assert not AgePresumption.objects.filter(case=world.cases.police_adult).exists()


def test_evidence_range_reaching_below_18_is_a_reason(world):
    case = world.cases.ngo_adult
    age_evidence_record(
        actor=world.personas.ngo, case=case, kind="age_assessment", age_min=19, age_max=23, on=clock.today()
    )
    assert presumption_evaluate(actor=world.personas.ngo, case=case).outcome == OUTCOME_NO_REASON
    # a range measured two years ago whose lower bound was 16 is 18 today: no longer a reason
    age_evidence_record(
        actor=world.personas.ngo,
        case=case,
        kind="age_assessment",
        age_min=16,
        age_max=20,
        on=clock.today() - dt.timedelta(days=2 * 366),
    )
    assert presumption_evaluate(actor=world.personas.ngo, case=case).outcome == OUTCOME_NO_REASON
    age_evidence_record(
        actor=world.personas.ngo, case=case, kind="age_assessment", age_min=17, age_max=20, on=clock.today()
    )
    assert presumption_evaluate(actor=world.personas.ngo, case=case).outcome == OUTCOME_STARTED


def test_verified_age_settles_it(world):
    ngo = world.personas.ngo
    adult, child = world.cases.ngo_adult, world.cases.ngo_child
    age_evidence_record(actor=ngo, case=adult, kind="own_statement", age_min=15, on=clock.today())
    age_evidence_record(actor=ngo, case=adult, kind="document", age_min=25, verified=True, on=clock.today())
    assert presumption_evaluate(actor=ngo, case=adult).outcome == OUTCOME_VERIFIED_ADULT
    assert not Case.objects.get(pk=adult.pk).is_child

    presumption_evaluate(actor=ngo, case=child)  # presumed from the estimate
    age_evidence_record(actor=ngo, case=child, kind="document", age_min=16, verified=True, on=clock.today())
    assert presumption_evaluate(actor=ngo, case=child).outcome == OUTCOME_VERIFIED_CHILD
    with pytest.raises(ValidationError):
        presumption_lift(actor=ngo, case=child, reason="Looks older.")


def test_age_evidence_validation_and_access(world):
    kw = dict(actor=world.personas.police, case=world.cases.police_adult, on=clock.today())
    with pytest.raises(ValidationError):
        age_evidence_record(**kw, kind="own_statement", age_min=17, age_max=15)
    with pytest.raises(ValidationError):
        age_evidence_record(**kw, kind="own_statement", age_min=17, verified=True)
    with pytest.raises(ValidationError):
        age_evidence_record(**kw, kind="palm_reading", age_min=17)
    with pytest.raises(Http404):
        age_evidence_record(
            actor=world.personas.outsider,
            case=world.cases.police_adult,
            kind="own_statement",
            age_min=16,
            on=clock.today(),
        )
    with pytest.raises(Http404):
        presumption_lift(actor=world.personas.outsider, case=world.cases.police_child, reason="x")


def test_lift_without_a_presumption_is_refused(world):
    with pytest.raises(ValidationError):
        presumption_lift(
            actor=world.personas.police, case=world.cases.police_adult, reason="Nothing to lift."
        )


def test_outbox_consumers_mark_events_processed(world, monkeypatch):
    # The presumptions' follow-ups ran in the reports' own transactions: nothing waits for a worker.
    children = {c.pk for c in world.cases.all() if c.is_child}
    presumed = Event.objects.filter(kind="presumed_child")
    assert set(presumed.values_list("case_id", flat=True)) == children and presumed.count() == 3
    assert not events_pending(kind="presumed_child").exists()
    # An event a deferred consumer waits for is marked processed exactly once.
    from varde.events import services

    monkeypatch.setattr(services, "_HANDLERS", {k: list(v) for k, v in services._HANDLERS.items()})
    event_handler("presumed_child", immediate=False)(lambda event: None)
    police, case = world.personas.police, world.cases.police_adult
    age_evidence_record(actor=police, case=case, kind="own_statement", age_min=16, on=clock.today())
    assert presumption_evaluate(actor=police, case=case).outcome == OUTCOME_STARTED
    (pending,) = events_pending(kind="presumed_child")
    assert event_mark_processed(event=pending) is True
    assert event_mark_processed(event=pending) is False
    assert not events_pending(kind="presumed_child").exists()
