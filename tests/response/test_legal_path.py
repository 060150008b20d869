"""The legal path after the reflection period (issue #16): applications and their decisions, with
date, deciding authority, outcome and reason; renewals; asylum and its appeal; the limited permit
until 18; which help system and which rights follow each status; and the bad input the issue names."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.http import Http404
from django.utils import translation

from varde.audit.models import AuditEvent
from varde.response.legal_status import (
    legal_matters,
    legal_status_record,
    police_cooperation_current,
    police_cooperation_record,
    rights_and_authority,
)
from varde.response.models import Clock, ClockState, LegalStatus, PoliceCooperation
from varde.response.rules import legal_status_rules

CRITERIA = {
    "contact_ceased": True,
    "traffickers_reported": True,
    "police_investigating": True,
    "presence_needed": True,
}
D = dt.date


@pytest.fixture(autouse=True)
def english():
    """The messages are checked in English (the default language is Norwegian Bokmål)."""
    with translation.override("en"):
        yield


def record(world, kind, day, **kw):
    return legal_status_record(
        actor=world.personas.police, case=world.cases.police_adult, kind=kind, from_date=day, **kw
    )


def _count(case):
    return LegalStatus.objects.filter(case=case).count()


def test_a_rejection_decides_the_pending_application_with_authority_and_reason(world, frozen):
    applied = record(world, "temporary_permit_applied", D(2026, 9, 1)).entry
    change = record(
        world, "temporary_permit_rejected", D(2026, 9, 20), reason="The police closed the investigation"
    )
    rejected = change.entry
    assert rejected.application == applied
    assert rejected.authority == "udi"  # the first of the rule's deciders when none is named
    assert rejected.reason == "The police closed the investigation"
    [matter] = legal_matters(list(LegalStatus.objects.filter(case=world.cases.police_adult)))
    assert (matter.application, matter.decision, matter.state) == (applied, rejected, "rejected")
    audit = AuditEvent.objects.get(object_type="response.legalstatus", object_id=str(rejected.pk))
    assert audit.detail["application"] == applied.pk and "police closed" not in str(audit.detail)
    assert change.after["help_system"] == "none" and change.before["help_system"] == "municipal"


def test_a_decision_dated_before_its_application_is_refused_naming_the_field(world, frozen):
    record(world, "temporary_permit_applied", D(2026, 9, 10))
    before = _count(world.cases.police_adult)
    with pytest.raises(ValidationError) as err:
        record(world, "temporary_residence_cooperation", D(2026, 9, 1), criteria=CRITERIA)
    assert "from_date" in err.value.message_dict and "10.09.2026" in err.value.message_dict["from_date"][0]
    assert _count(world.cases.police_adult) == before
    assert not Clock.objects.filter(case=world.cases.police_adult, kind="temporary_residence").exists()


def test_an_authority_that_does_not_decide_the_matter_is_refused(world, frozen):
    record(world, "temporary_permit_applied", D(2026, 9, 1))
    with pytest.raises(ValidationError) as err:
        record(world, "temporary_permit_rejected", D(2026, 9, 5), authority="police")
    assert "authority" in err.value.message_dict
    with pytest.raises(ValidationError) as err:
        record(world, "temporary_permit_rejected", D(2026, 9, 5), authority="mars")
    assert "authority" in err.value.message_dict
    appeal = record(world, "temporary_permit_rejected", D(2026, 9, 5), authority="une").entry
    assert appeal.authority == "une"


def test_no_outcome_on_a_withdrawn_application(world, frozen):
    asylum = record(world, "asylum_seeker", D(2026, 8, 1)).entry
    reflection = record(world, "reflection_applied", D(2026, 8, 10))
    assert reflection.withdrew == asylum
    before = _count(world.cases.police_adult)
    with pytest.raises(ValidationError) as err:
        record(world, "asylum_rejected", D(2026, 9, 1))
    assert "withdrawn" in err.value.message_dict["application"][0]
    with pytest.raises(ValidationError) as err:
        record(world, "refugee_granted", D(2026, 9, 1), application=asylum)
    assert "withdrawn" in err.value.message_dict["application"][0]
    assert _count(world.cases.police_adult) == before
    matters = legal_matters(list(LegalStatus.objects.filter(case=world.cases.police_adult)))
    assert [m.state for m in matters] == ["withdrawn", "pending"]


def test_an_application_is_decided_once_and_not_applied_for_twice_while_pending(world, frozen):
    record(world, "temporary_permit_applied", D(2026, 9, 1))
    with pytest.raises(ValidationError) as err:
        record(world, "temporary_permit_applied", D(2026, 9, 2))
    assert "01.09.2026" in err.value.message_dict["kind"][0]
    record(world, "temporary_permit_dropped", D(2026, 9, 3))
    with pytest.raises(ValidationError) as err:
        record(world, "temporary_permit_rejected", D(2026, 9, 4))
    assert "already been decided" in err.value.message_dict["application"][0]
    # A new application after the first was dropped is a new matter.
    again = record(world, "temporary_permit_applied", D(2026, 9, 5)).entry
    assert record(world, "temporary_permit_rejected", D(2026, 9, 6)).entry.application == again


def test_a_renewal_of_a_permit_never_granted_is_refused(world, frozen):
    with pytest.raises(ValidationError) as err:
        record(world, "renewal_applied", D(2026, 9, 1))
    assert "nothing to renew" in err.value.message_dict["kind"][0]
    record(world, "temporary_permit_applied", D(2026, 9, 1))
    record(world, "temporary_permit_rejected", D(2026, 9, 10))
    with pytest.raises(ValidationError):
        record(world, "renewal_applied", D(2026, 9, 20))
    assert not LegalStatus.objects.filter(kind="renewal_applied").exists()


def test_a_renewal_renews_the_granted_permit_and_moves_its_clocks(world, frozen):
    record(world, "temporary_permit_applied", D(2025, 10, 1))
    grant = record(
        world, "temporary_residence_cooperation", D(2025, 10, 20), to_date=D(2026, 10, 19), criteria=CRITERIA
    )
    old_permit, renewal_clock = grant.clocks_started
    applied = record(world, "renewal_applied", D(2026, 9, 1))
    assert applied.entry.renews == grant.entry
    assert [c.pk for c in applied.clocks_met] == [renewal_clock.pk]
    renewed = record(world, "renewal_granted", D(2026, 10, 1), to_date=D(2027, 9, 30), authority="udi")
    assert renewed.entry.application == applied.entry and renewed.entry.renews == grant.entry
    assert Clock.objects.get(pk=old_permit.pk).state == ClockState.MET
    permit, next_renewal = renewed.clocks_started
    assert (permit.kind, permit.ends_on, permit.state) == (
        "temporary_residence",
        D(2027, 9, 30),
        ClockState.RUNNING,
    )
    assert next_renewal.kind == "temporary_residence_renewal"
    # A second renewal is possible once the first is granted (of the same permit line).
    assert record(world, "renewal_applied", D(2026, 10, 2)).entry.renews == renewed.entry


def test_asylum_rejection_appeal_and_grant_by_une_change_the_help_system(world, frozen):
    applied = record(world, "asylum_seeker", D(2026, 6, 1))
    assert applied.after["help_system"] == "state_reception"
    with pytest.raises(ValidationError) as err:
        record(world, "asylum_appealed", D(2026, 6, 2))
    assert "no rejection to appeal" in err.value.message_dict["kind"][0]
    rejected = record(world, "asylum_rejected", D(2026, 7, 1)).entry
    appeal = record(world, "asylum_appealed", D(2026, 7, 15)).entry
    assert appeal.authority == "" and rejected.application == applied.entry
    with pytest.raises(ValidationError):
        record(world, "refugee_granted", D(2026, 8, 1), authority="police")
    granted = record(
        world, "refugee_granted", D(2026, 9, 1), authority="une", reason="Particular social group"
    )
    assert granted.entry.application == appeal
    assert granted.before["help_system"] == "state_reception" and granted.after["help_system"] == "municipal"
    assert granted.after["help_system_label"] != granted.before["help_system_label"]
    states = [m.state for m in legal_matters(list(LegalStatus.objects.filter(case=world.cases.police_adult)))]
    assert states == ["rejected", "granted_refugee"]


def test_the_limited_permit_until_18_is_for_a_childs_case(world, frozen):
    with pytest.raises(ValidationError) as err:
        record(world, "limited_until_18", D(2026, 9, 1))
    assert "kind" in err.value.message_dict
    child = legal_status_record(
        actor=world.personas.police,
        case=world.cases.police_child,
        kind="limited_until_18",
        from_date=D(2026, 9, 1),
    )
    assert child.after["help_system"] == "child_welfare" and child.entry.authority == "udi"


def test_every_status_names_its_role_rights_authority_help_system_and_source():
    rules = legal_status_rules()
    roles = {spec["role"] for spec in rules["kinds"].values()}
    assert roles == {"application", "decision", "status"}
    for kind, spec in rules["kinds"].items():
        for lang in ("nb", "en"):
            shown = rights_and_authority(kind, lang)
            assert shown["rights"] and shown["authority"] and shown["help_system_label"], kind
        assert spec["source"], kind
        if spec["role"] == "decision":
            assert spec["deciders"], kind
    # What could not be verified is marked in the data, not left silent.
    unverified = [k for k, s in rules["kinds"].items() if "ikke kontrollert" in s["source"]]
    assert {"humanitarian_granted", "limited_until_18", "expulsion"} <= set(unverified)
    for line in ("temporary_permit", "renewal", "testimony", "asylum", "reflection"):
        kinds = [s for s in rules["kinds"].values() if s["line"] == line]
        assert any(s["role"] == "application" for s in kinds) and any(s["role"] == "decision" for s in kinds)


def test_someone_outside_the_case_cannot_record(world, frozen):
    with pytest.raises(Http404):
        legal_status_record(
            actor=world.personas.outsider,
            case=world.cases.police_adult,
            kind="temporary_permit_applied",
            from_date=D(2026, 9, 1),
        )
    assert not LegalStatus.objects.exists()


# --- cooperation with the police ------------------------------------------------------------------------


def test_cooperation_with_the_police_is_a_fact_over_time(world, frozen):
    case = world.cases.police_adult
    first = police_cooperation_record(
        actor=world.personas.police, case=case, state="considering", on_date=D(2026, 9, 1)
    )
    police_cooperation_record(
        actor=world.personas.police, case=case, state="reported", on_date=D(2026, 9, 20)
    )
    wrong = police_cooperation_record(
        actor=world.personas.ngo, case=case, state="declined", on_date=D(2026, 10, 1)
    )
    fixed = police_cooperation_record(
        actor=world.personas.police, case=case, state="investigation", on_date=D(2026, 10, 1), corrects=wrong
    )
    entries = list(PoliceCooperation.objects.filter(case=case))
    assert police_cooperation_current(entries, D(2026, 9, 10)) == first
    assert police_cooperation_current(entries, D(2026, 10, 5)) == fixed
    assert police_cooperation_current(entries, D(2026, 8, 1)) is None
    assert wrong.recorded_by_agency == world.agencies.ngo  # a participant, not only the police
    assert AuditEvent.objects.filter(object_type="response.policecooperation").count() == 4


def test_cooperation_refuses_a_future_date_and_an_unknown_state(world, frozen):
    case = world.cases.police_adult
    with pytest.raises(ValidationError) as err:
        police_cooperation_record(
            actor=world.personas.police, case=case, state="reported", on_date=D(2026, 10, 6)
        )
    assert "on_date" in err.value.message_dict
    with pytest.raises(ValidationError) as err:
        police_cooperation_record(
            actor=world.personas.police, case=case, state="maybe", on_date=D(2026, 10, 1)
        )
    assert "state" in err.value.message_dict
    assert not PoliceCooperation.objects.exists()


def _decision_kinds() -> list[str]:
    return [k for k, s in legal_status_rules()["kinds"].items() if s["role"] == "decision"]


@pytest.mark.parametrize("kind", _decision_kinds())
def test_every_decision_decides_its_lines_application_and_says_what_follows(world, frozen, kind):
    """Each transition of the rules, recorded as a caseworker would: the application of its line
    first (and a granted permit before a renewal), then the decision, by an authority that decides it."""
    rules = legal_status_rules()["kinds"]
    spec = rules[kind]
    case = world.cases.police_child if spec.get("child_only") else world.cases.police_adult
    actor = world.personas.police

    def put(k, day, **kw):
        return legal_status_record(actor=actor, case=case, kind=k, from_date=day, **kw)

    if spec.get("requires_grant"):
        put("temporary_permit_applied", D(2026, 1, 5))
        put("temporary_residence_cooperation", D(2026, 1, 20), to_date=D(2026, 12, 31), criteria=CRITERIA)
    applications = [
        k
        for k, s in rules.items()
        if s["role"] == "application" and s["line"] == spec["line"] and not s.get("appeals")
    ]
    application = put(applications[0], D(2026, 6, 1)).entry if applications else None
    extra = {"criteria": CRITERIA} if spec.get("criteria") else {}
    change = put(kind, D(2026, 7, 1), authority=spec["deciders"][-1], reason="Grounds given", **extra)
    assert change.entry.application == application
    assert change.entry.authority == spec["deciders"][-1]
    for lang in ("nb", "en"):
        shown = rights_and_authority(change.entry, lang)
        assert shown["help_system"] == spec["help_system"] and shown["rights"] == spec["rights"][lang]
    if application is not None:
        [matter] = [
            m
            for m in legal_matters(list(LegalStatus.objects.filter(case=case)))
            if m.application == application
        ]
        assert matter.state == spec["outcome"]
