"""Links: victims' cases <-> criminal case, perpetrators <-> criminal case (and the police-district
rule), criminal case <-> network, participants and cross-border cooperation."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.http import Http404

from tests.prosecution.conftest import open_case
from varde.core.errors import EditConflict, NotPermitted
from varde.prosecution import services as s
from varde.prosecution.models import Cooperation, Perpetrator, PerpetratorLink, VictimLink

pytestmark = pytest.mark.django_db


def _field(call) -> dict[str, list[str]]:
    with pytest.raises(ValidationError) as info:
        call()
    return info.value.message_dict


def test_the_investigator_links_two_victims_cases(personas, cases):
    case = open_case(personas.police)
    a = s.victim_link_add(
        actor=personas.police, criminal_case=case, case=cases.police_adult, role="aggrieved_party"
    )
    b = s.victim_link_add(actor=personas.police, criminal_case=case, case=cases.police_child, role="witness")
    assert {link.case_id for link in VictimLink.objects.filter(criminal_case=case)} == {
        cases.police_adult.pk,
        cases.police_child.pk,
    }
    errors = _field(
        lambda: s.victim_link_add(
            actor=personas.police, criminal_case=case, case=cases.police_adult, role="witness"
        )
    )
    assert "already linked" in errors["case"][0]
    b = s.victim_link_change(actor=personas.police, link=b, role="aggrieved_party", version=b.version)
    assert b.role == "aggrieved_party" and b.version == 2
    with pytest.raises(EditConflict):
        s.victim_link_change(actor=personas.police, link=a, role="witness", version=a.version + 5)


def test_a_victims_case_the_investigator_may_not_see_cannot_be_linked(personas, cases):
    case = open_case(personas.police)
    errors = _field(
        lambda: s.victim_link_add(
            actor=personas.police, criminal_case=case, case=cases.childwelfare_adult, role="aggrieved_party"
        )
    )
    assert "may not see" in errors["case"][0]
    assert not VictimLink.objects.exists()


def test_only_participants_act_coordinators_403_others_404(personas, cases):
    case = open_case(personas.police)
    with pytest.raises(NotPermitted):
        s.victim_link_add(
            actor=personas.coordinator, criminal_case=case, case=cases.police_adult, role="witness"
        )
    for user in (personas.ngo, personas.outsider, personas.analyst):
        with pytest.raises(Http404):
            s.perpetrator_add(actor=user, criminal_case=case, name="X", role="leader")
    assert not Perpetrator.objects.exists()


def test_a_perpetrator_of_another_district_needs_that_district_taking_part(personas, others):
    oslo_case = open_case(personas.police)
    errors = _field(
        lambda: s.perpetrator_add(
            actor=personas.police,
            criminal_case=oslo_case,
            name="Suspect A",
            role="recruiter",
            police_district="vest",
        )
    )
    assert "does not take part" in errors["police_district"][0]
    assert not Perpetrator.objects.exists()
    # a perpetrator the Vest district registered in its own case cannot be linked to Oslo's case ...
    vest_case = open_case(others.vest_user, police_district="vest")
    vest_person = s.perpetrator_add(
        actor=others.vest_user, criminal_case=vest_case, name="Suspect B", role="leader", nationality="ee"
    ).perpetrator
    assert vest_person.police_district == "vest" and vest_person.nationality == "EE"
    s.participant_add(
        actor=others.vest_user,
        criminal_case=vest_case,
        agency=personas.police.primary_agency,
        role="assisting",
    )
    errors = _field(
        lambda: s.perpetrator_link(actor=personas.police, criminal_case=oslo_case, perpetrator=vest_person)
    )
    assert "does not take part" in errors["perpetrator"][0]
    assert not PerpetratorLink.objects.filter(criminal_case=oslo_case).exists()
    # ... until Vest takes part in it
    s.participant_add(actor=personas.police, criminal_case=oslo_case, agency=others.vest, role="assisting")
    link = s.perpetrator_link(actor=personas.police, criminal_case=oslo_case, perpetrator=vest_person)
    assert link.criminal_case_id == oslo_case.pk


def test_a_perpetrator_the_actor_cannot_see_cannot_be_linked(personas, others):
    oslo_case = open_case(personas.police)
    vest_case = open_case(others.vest_user, police_district="vest")
    hidden = s.perpetrator_add(
        actor=others.vest_user, criminal_case=vest_case, name="Suspect C", role="leader"
    )
    errors = _field(
        lambda: s.perpetrator_link(
            actor=personas.police, criminal_case=oslo_case, perpetrator=hidden.perpetrator
        )
    )
    assert "may not see" in errors["perpetrator"][0]


def test_network_outcome_and_sentence(personas):
    case = open_case(personas.police)
    network = s.network_add(
        actor=personas.police, criminal_case=case, name="Network K", countries=["ee", "NO", "ee"]
    )
    assert network.countries == ["EE", "NO"]
    assert "countries" in _field(
        lambda: s.network_add(actor=personas.police, criminal_case=case, name="N", countries=["XX"])
    )
    link = s.perpetrator_add(
        actor=personas.police, criminal_case=case, name="Suspect D", role="money", network=network
    )
    errors = _field(
        lambda: s.perpetrator_outcome_record(
            actor=personas.police, link=link, outcome="convicted_trafficking", version=link.version
        )
    )
    assert "after a verdict" in errors["outcome"][0]
    from tests.prosecution.conftest import to_final

    to_final(personas.police, case)
    link = s.perpetrator_outcome_record(
        actor=personas.police,
        link=link,
        outcome="convicted_trafficking",
        version=link.version,
        sentence_months=54,
        sentence_text="4 years 6 months",
    )
    assert link.sentence_months == 54
    errors = _field(
        lambda: s.perpetrator_outcome_record(
            actor=personas.police, link=link, outcome="acquitted", version=link.version, sentence_months=3
        )
    )
    assert "no sentence" in errors["sentence_months"][0]


def test_cross_border_cooperation(personas):
    case = open_case(personas.police)
    s.cooperation_record(
        actor=personas.police, criminal_case=case, kind="jit", started_on=dt.date(2025, 5, 1), country="se"
    )
    assert "country" in _field(
        lambda: s.cooperation_record(
            actor=personas.police, criminal_case=case, kind="foreign_police", started_on=dt.date(2025, 5, 1)
        )
    )
    assert Cooperation.objects.get().country == "SE"


def test_only_police_and_prosecution_agencies_take_part(personas, agencies, others):
    case = open_case(personas.police)
    assert "agency" in _field(
        lambda: s.participant_add(
            actor=personas.police, criminal_case=case, agency=agencies.ngo, role="assisting"
        )
    )
    s.participant_add(
        actor=personas.police, criminal_case=case, agency=others.prosecution, role="prosecuting"
    )
    assert (
        "already"
        in _field(
            lambda: s.participant_add(
                actor=personas.police, criminal_case=case, agency=others.prosecution, role="prosecuting"
            )
        )["agency"][0]
    )


def test_hostile_text_is_refused_by_the_input_hygiene_rule(personas):
    case = open_case(personas.police)
    errors = _field(
        lambda: s.perpetrator_add(
            actor=personas.police, criminal_case=case, name="\u200b\u200d", role="leader"
        )
    )
    assert "visible" in errors["name"][0]
    errors = _field(
        lambda: s.cooperation_record(
            actor=personas.police,
            criminal_case=case,
            kind="jit",
            started_on=dt.date(2025, 5, 1),
            note="Eve\u202elyn",
        )
    )
    assert "writing direction" in errors["note"][0]
    assert not Perpetrator.objects.exists() and not Cooperation.objects.exists()
