"""The stages of a criminal case and the rule between them; bad input is refused naming the field,
and nothing is saved; optimistic locking."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError

from tests.prosecution.conftest import FACTS, advance, open_case, to_final
from varde.audit.models import AuditEvent
from varde.core.errors import EditConflict
from varde.prosecution import rules
from varde.prosecution.models import TRANSITIONS, CriminalCase, Offence, Stage, StageEntry
from varde.prosecution.services import (
    CriminalCaseInput,
    criminal_case_open,
    criminal_case_update,
    stage_record,
)

pytestmark = pytest.mark.django_db


def _refused(call, field: str, words: str) -> None:
    with pytest.raises(ValidationError) as info:
        call()
    assert field in info.value.message_dict, info.value.message_dict
    assert words in " ".join(info.value.message_dict[field])


def test_a_case_goes_from_investigation_to_final_judgement(personas):
    case = open_case(personas.police)
    assert case.stage == Stage.INVESTIGATION_OPENED and case.offence_section == "straffeloven 2005 § 257"
    case = to_final(personas.police, case)
    assert case.stage == Stage.FINAL_JUDGEMENT and case.outcome == "convicted_trafficking"
    assert case.trial_on == dt.date(2025, 9, 1) and case.trial_court == "Oslo tingrett"
    assert list(StageEntry.objects.filter(criminal_case=case).values_list("stage", flat=True)) == [
        "investigation_opened",
        "charged",
        "trial",
        "verdict",
        "final_judgement",
    ]
    assert (
        AuditEvent.objects.filter(object_type="prosecution.criminalcase", object_id=str(case.pk)).count() == 5
    )


def test_the_section_of_law_is_the_one_in_force_at_the_time_of_the_facts(personas):
    before = open_case(personas.police, facts_date=dt.date(2015, 9, 30), opened_on=dt.date(2016, 1, 4))
    after = open_case(personas.police, facts_date=dt.date(2015, 10, 1), opened_on=dt.date(2016, 1, 4))
    aggravated = open_case(
        personas.police,
        offence="trafficking_aggravated",
        facts_date=dt.date(2020, 1, 1),
        opened_on=dt.date(2020, 2, 1),
    )
    assert before.offence_section == "straffeloven 1902 § 224"
    assert after.offence_section == "straffeloven 2005 § 257"
    assert aggravated.offence_section == "straffeloven 2005 § 258"
    assert after.offence_rule_version == rules.rule_version()


def test_every_offence_has_a_provision_with_a_source_and_no_gaps():
    for offence in Offence.values:
        periods = rules.provisions(offence)
        assert periods, offence
        for a, b in zip(periods, periods[1:], strict=False):
            assert a.valid_to is not None and (b.valid_from - a.valid_to).days == 1, (offence, a, b)
        assert periods[-1].valid_to is None
        assert all(p.source for p in periods)
    # the 2005 code from 1 October 2015 is checked; the rest says so when it is not
    assert rules.provision_for("trafficking", dt.date(2016, 1, 1)).verified  # type: ignore[union-attr]
    assert not rules.provision_for("smuggling", dt.date(2006, 1, 1)).verified  # type: ignore[union-attr]


def test_no_provision_before_the_trafficking_section_existed(personas):
    _refused(
        lambda: open_case(personas.police, facts_date=dt.date(2002, 1, 1), opened_on=dt.date(2002, 2, 1)),
        "facts_date",
        "No provision",
    )
    assert not CriminalCase.objects.exists()


def test_a_verdict_before_a_charge_is_refused_and_nothing_is_saved(personas):
    case = open_case(personas.police)
    _refused(
        lambda: stage_record(
            actor=personas.police,
            criminal_case=case,
            stage=Stage.VERDICT,
            on=dt.date(2025, 6, 1),
            version=case.version,
            court="Oslo tingrett",
            outcome="convicted_trafficking",
        ),
        "stage",
        "before a charge",
    )
    case.refresh_from_db()
    assert case.stage == Stage.INVESTIGATION_OPENED and case.outcome == "" and case.version == 1
    assert StageEntry.objects.filter(criminal_case=case).count() == 1


def test_a_final_judgement_with_an_appeal_pending_is_refused(personas):
    case = advance(
        personas.police,
        open_case(personas.police),
        (Stage.CHARGED, dt.date(2025, 5, 1), {}),
        (Stage.TRIAL, dt.date(2025, 9, 1), {"court": "Oslo tingrett"}),
        (Stage.VERDICT, dt.date(2025, 10, 1), {"court": "Oslo tingrett", "outcome": "acquitted"}),
        (Stage.APPEAL, dt.date(2025, 10, 15), {"court": "Borgarting lagmannsrett"}),
    )
    _refused(
        lambda: stage_record(
            actor=personas.police,
            criminal_case=case,
            stage=Stage.FINAL_JUDGEMENT,
            on=dt.date(2025, 11, 1),
            version=case.version,
        ),
        "stage",
        "appeal is pending",
    )
    # the appeal is heard, decided, and then final
    case = advance(
        personas.police,
        case,
        (Stage.TRIAL, dt.date(2025, 11, 10), {"court": "Borgarting lagmannsrett"}),
        (
            Stage.VERDICT,
            dt.date(2025, 11, 20),
            {"court": "Borgarting lagmannsrett", "outcome": "convicted_other"},
        ),
        (Stage.FINAL_JUDGEMENT, dt.date(2025, 12, 20), {}),
    )
    assert case.outcome == "convicted_other"


@pytest.mark.parametrize(
    ("stage", "extra", "field", "words"),
    [
        (Stage.DROPPED, {}, "reason", "why"),
        (Stage.CHARGED, {}, "on", "before the date of the current stage"),
    ],
)
def test_stage_details_are_required(personas, stage, extra, field, words):
    case = open_case(personas.police)
    on = dt.date(2025, 3, 15) if field == "on" else dt.date(2025, 5, 1)
    _refused(
        lambda: stage_record(
            actor=personas.police, criminal_case=case, stage=stage, on=on, version=case.version, **extra
        ),
        field,
        words,
    )


def test_a_trial_names_its_court_and_a_verdict_its_outcome(personas):
    case = advance(personas.police, open_case(personas.police), (Stage.CHARGED, dt.date(2025, 5, 1), {}))
    _refused(
        lambda: stage_record(
            actor=personas.police,
            criminal_case=case,
            stage=Stage.TRIAL,
            on=dt.date(2025, 6, 1),
            version=case.version,
        ),
        "court",
        "court",
    )
    case = advance(personas.police, case, (Stage.TRIAL, dt.date(2025, 6, 1), {"court": "Oslo tingrett"}))
    _refused(
        lambda: stage_record(
            actor=personas.police,
            criminal_case=case,
            stage=Stage.VERDICT,
            on=dt.date(2025, 6, 10),
            version=case.version,
            court="Oslo tingrett",
        ),
        "outcome",
        "outcome",
    )


def test_the_transition_rule_is_complete_and_final_is_the_end():
    assert set(TRANSITIONS) == set(Stage.values)
    assert TRANSITIONS[Stage.FINAL_JUDGEMENT] == frozenset()
    for stage, following in TRANSITIONS.items():
        assert following <= set(Stage.values), stage


def test_a_stale_version_is_a_conflict_and_changes_nothing(personas):
    case = open_case(personas.police)
    stage_record(
        actor=personas.police,
        criminal_case=case,
        stage=Stage.CHARGED,
        on=dt.date(2025, 5, 1),
        version=case.version,
    )
    with pytest.raises(EditConflict):
        stage_record(
            actor=personas.police,
            criminal_case=case,
            stage=Stage.DROPPED,
            on=dt.date(2025, 5, 2),
            version=case.version,
            reason="insufficient_evidence",
        )
    case.refresh_from_db()
    assert case.stage == Stage.CHARGED
    assert StageEntry.objects.filter(criminal_case=case).count() == 2


def test_negative_proceeds_are_refused(personas):
    case = open_case(personas.police)
    _refused(
        lambda: criminal_case_update(
            actor=personas.police,
            criminal_case=case,
            version=case.version,
            police_case_number="",
            exploitation_form="sexual",
            confiscated_nok=-1,
            notes="",
        ),
        "confiscated_nok",
        "negative",
    )
    case.refresh_from_db()
    assert case.confiscated_nok == 0 and case.version == 1
    case = criminal_case_update(
        actor=personas.police,
        criminal_case=case,
        version=case.version,
        police_case_number="12345678",
        exploitation_form="forced_labour",
        confiscated_nok=250_000,
        notes="",
    )
    assert case.confiscated_nok == 250_000 and case.version == 2


def test_only_police_and_prosecution_open_criminal_cases(personas):
    from varde.core.errors import NotPermitted

    data = CriminalCaseInput(police_district="oslo", offence="trafficking", facts_date=FACTS, opened_on=FACTS)
    for user in (personas.ngo, personas.childwelfare, personas.coordinator, personas.analyst):
        with pytest.raises(NotPermitted):
            criminal_case_open(actor=user, data=data)
    assert not CriminalCase.objects.exists()


def test_an_unknown_district_and_a_duplicate_case_number_are_refused(personas):
    _refused(
        lambda: open_case(personas.police, police_district="atlantis"), "police_district", "police districts"
    )
    open_case(personas.police, police_case_number="15123456")
    _refused(
        lambda: open_case(personas.police, police_case_number="15123456"), "police_case_number", "Another"
    )
    # the same number in another district is another case
    open_case(personas.police, police_case_number="15123456", police_district="vest")
