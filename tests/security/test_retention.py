"""Retention: closed cases past VARDE_RETENTION_DAYS are anonymised by `varde retention run`, each
one audited; the statistical skeleton stays."""

from __future__ import annotations

import datetime as dt

from tests.cli.conftest import varde  # noqa: F401 - the in-process `varde` command
from varde.audit.models import AnonymisedCase, AuditEvent
from varde.audit.services import audit_verify
from varde.cases.models import CaseEvent, CaseStatus, StatusChange
from varde.cases.services import case_add_note, case_change_status
from varde.core import clock


def _close(world, case, *, years_ago: float):
    p = world.personas
    case_add_note(
        actor=p.police if case.lead_agency == world.agencies.police else p.ngo,
        case=case,
        text="Lives at Storgata 1 with her aunt.",
    )
    case.refresh_from_db()
    case = case_change_status(
        actor=p.coordinator,
        case=case,
        status=CaseStatus.CLOSED,
        reason="Moved home to Lagos",
        version=case.version,
        closure_reason="returned",
    )
    StatusChange.objects.filter(case=case, to_status=CaseStatus.CLOSED).update(
        at=clock.now() - dt.timedelta(days=int(365 * years_ago))
    )
    return case


def test_old_closed_cases_are_anonymised_and_audited(world, varde, settings):  # noqa: F811
    settings.VARDE_RETENTION_DAYS = 5 * 365
    c = world.cases
    old = _close(world, c.police_adult, years_ago=6)
    recent = _close(world, c.ngo_child, years_ago=1)
    person = old.person
    forms_before = list(old.referrals.values_list("exploitation_forms", flat=True))
    nat_before, sex_before = person.nationalities, person.sex

    dry = varde("retention", "run", "--dry-run")
    assert dry.code == 0 and "would anonymise 1 closed case" in dry.out
    assert person.names.exists()

    result = varde("retention", "run")
    assert result.code == 0 and "anonymised 1 closed case" in result.out
    person.refresh_from_db()
    assert not person.names.exists() and not person.documents.exists() and not person.phones.exists()
    assert person.date_of_birth is None and person.national_id == ""
    assert person.estimated_age == 25  # born 1995, opened 2026: the 25-34 band
    assert person.nationalities == nat_before and person.sex == sex_before
    referral = old.referrals.get()
    assert referral.description == "" and referral.met_where == ""
    assert list(old.referrals.values_list("exploitation_forms", flat=True)) == forms_before
    assert not CaseEvent.objects.filter(case=old).exclude(text="").exists()
    assert not StatusChange.objects.filter(case=old).exclude(reason="").exists()
    old.refresh_from_db()
    assert old.status == CaseStatus.CLOSED and old.reference  # the skeleton stays
    # The recent one is untouched.
    assert recent.person.names.exists()
    assert CaseEvent.objects.filter(case=recent).exclude(text="").exists()
    # Audited, one event per case, without personal data.
    event = AuditEvent.objects.filter(action="anonymise").get()
    assert event.object_id == str(old.pk) and event.detail["retention_days"] == 5 * 365
    assert "Blessing" not in str(event.detail)
    assert audit_verify().ok
    # A second run changes nothing.
    assert "anonymised 0 closed case" in varde("retention", "run").out
    assert AnonymisedCase.objects.count() == 1


def test_the_period_is_configurable(world, varde, settings):  # noqa: F811
    _close(world, world.cases.police_adult, years_ago=2)
    settings.VARDE_RETENTION_DAYS = 5 * 365
    assert "anonymised 0" in varde("retention", "run").out
    settings.VARDE_RETENTION_DAYS = 365
    assert "anonymised 1" in varde("retention", "run").out


def test_open_and_reopened_cases_are_kept(world, varde, settings):  # noqa: F811
    settings.VARDE_RETENTION_DAYS = 365
    case = _close(world, world.cases.police_adult, years_ago=3)
    case_change_status(
        actor=world.personas.police,
        case=case,
        status=CaseStatus.UNDER_ASSESSMENT,
        reason="New information",
        version=case.version,
    )
    assert "anonymised 0" in varde("retention", "run").out
    assert world.cases.police_child.person.names.exists()


def test_identification_and_response_free_text_is_removed(world, varde, settings):  # noqa: F811
    """The words written in the identification and response modules go too; their structure stays."""
    from varde.identification.models import AgeEvidence, Assessment
    from varde.identification.services import age_evidence_record, assessment_record
    from varde.response.models import Placement, PlanGoal, Task
    from varde.response.placements import placement_record
    from varde.response.plans import plan_create, plan_goal_add, task_add

    settings.VARDE_RETENTION_DAYS = 365
    police, case = world.personas.police, world.cases.police_adult
    secret = "Storgata 1 hos tante"
    assessment_record(
        actor=police,
        case=case,
        catalogue_id="national_general",
        indicator_ids=[],
        conclusion="inconclusive",
        reasoning=f"Met her at {secret}",
    )
    age_evidence_record(
        actor=police, case=case, kind="own_statement", age_min=30, on=clock.today(), note=secret
    )
    placement_record(
        actor=police,
        case=case,
        kind="shelter",
        from_at=clock.now() - dt.timedelta(hours=1),
        description=secret,
    )
    plan = plan_create(actor=police, case=case)
    plan_goal_add(actor=police, plan=plan, text=secret)
    task_add(
        actor=police,
        case=case,
        title=secret,
        responsible_agency=world.agencies.police,
        due_date=clock.today() + dt.timedelta(days=7),
    )
    from varde.linkage.models import ReviewDecision
    from varde.linkage.services import review_decide_pair

    review_decide_pair(
        actor=world.personas.coordinator,
        record_a=case.referrals.get(),
        record_b=world.cases.ngo_adult.referrals.get(),
        decision="not_same",
        reason=secret,
    )
    case.refresh_from_db()
    _close(world, case, years_ago=2)

    assert "anonymised 1" in varde("retention", "run").out
    assert Assessment.objects.get(case=case).reasoning == "[removed]"
    evidence = AgeEvidence.objects.get(case=case)
    assert evidence.note == "" and evidence.age_min == 30  # the words go, the finding stays
    placement = Placement.objects.get(case=case)
    assert placement.description == "" and placement.kind == "shelter"
    assert PlanGoal.objects.get(plan__case=case).text == "[removed]"
    assert Task.objects.get(case=case).title == "[removed]"
    decision = ReviewDecision.objects.get()
    assert decision.reason == "" and decision.decision == "not_same"  # the decision still binds
    # Nothing else on the case still holds the words.
    assert secret not in str(list(Assessment.objects.filter(case=case).values()))
