"""The legal-status timeline: withdrawal of asylum, the four criteria, clocks, rights and authority."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError

from varde.response.legal_status import legal_status_current, legal_status_record, rights_and_authority
from varde.response.models import Clock, ClockState, LegalStatus
from varde.response.rules import legal_status_rules

CRITERIA = {
    "contact_ceased": True,
    "traffickers_reported": True,
    "police_investigating": True,
    "presence_needed": True,
}


def test_applying_for_reflection_withdraws_the_asylum_application(world, frozen):
    actor, case = world.personas.police, world.cases.police_adult
    asylum = legal_status_record(
        actor=actor, case=case, kind="asylum_seeker", from_date=dt.date(2026, 9, 1)
    ).entry
    change = legal_status_record(
        actor=actor, case=case, kind="reflection_applied", from_date=dt.date(2026, 10, 1)
    )
    assert change.withdrew == asylum
    assert change.entry.withdraws == asylum
    assert change.before["authority"].startswith("UDI")
    assert "asylum application" in " ".join(rights_and_authority("reflection_applied", "en")["rights"])
    assert legal_status_current(case=case, on=dt.date(2026, 9, 15)) == [asylum]
    assert legal_status_current(case=case, on=dt.date(2026, 10, 2)) == [change.entry]


def test_rights_and_authority_are_data_in_both_languages():
    for kind in legal_status_rules()["kinds"]:
        nb, en = rights_and_authority(kind, "nb"), rights_and_authority(kind, "en")
        assert nb["label"] and en["label"] and nb["label"] != en["label"]
        assert nb["rights"] and en["rights"] and nb["source"]
    granted = rights_and_authority("reflection_granted", "en")
    assert "six months" in granted["rights"][0] and "§ 8-3" in granted["source"]


def test_temporary_residence_needs_the_four_criteria_and_meets_the_reflection_clock(world, frozen):
    actor, case = world.personas.police, world.cases.police_adult
    reflection = legal_status_record(
        actor=actor, case=case, kind="reflection_granted", from_date=dt.date(2026, 9, 1)
    ).clocks_started[0]
    with pytest.raises(ValidationError):
        legal_status_record(
            actor=actor,
            case=case,
            kind="temporary_residence_cooperation",
            from_date=dt.date(2026, 10, 1),
            criteria={"contact_ceased": True},
        )
    with pytest.raises(ValidationError):
        legal_status_record(
            actor=actor, case=case, kind="dublin", from_date=dt.date(2026, 10, 1), criteria=CRITERIA
        )
    change = legal_status_record(
        actor=actor,
        case=case,
        kind="temporary_residence_cooperation",
        from_date=dt.date(2026, 10, 1),
        to_date=dt.date(2027, 9, 30),
        criteria={**CRITERIA, "presence_needed": False},
    )
    assert change.entry.criteria == {**CRITERIA, "presence_needed": False}
    assert [c.pk for c in change.clocks_met] == [reflection.pk]
    assert Clock.objects.get(pk=reflection.pk).state == ClockState.MET
    permit, renewal = change.clocks_started
    assert (permit.kind, permit.ends_on) == ("temporary_residence", dt.date(2027, 9, 30))
    assert (renewal.kind, renewal.ends_on) == ("temporary_residence_renewal", dt.date(2027, 8, 30))
    assert change.before["status"] == "reflection_granted"
    assert change.after["status"] == "temporary_residence_cooperation"


def test_the_timeline_is_never_edited_and_can_be_read_as_it_stood(world, frozen):
    actor, case = world.personas.police, world.cases.police_adult
    first = legal_status_record(
        actor=actor, case=case, kind="no_legal_residence", from_date=dt.date(2026, 9, 1)
    ).entry
    recorded_first = frozen.now
    frozen.advance(days=1)
    fix = legal_status_record(
        actor=actor, case=case, kind="eea_national", from_date=dt.date(2026, 9, 1), corrects=first
    ).entry
    assert LegalStatus.objects.filter(case=case).count() == 2
    assert legal_status_current(case=case, on=dt.date(2026, 9, 2), at=recorded_first) == [first]
    assert legal_status_current(case=case, on=dt.date(2026, 9, 2)) == [fix]
