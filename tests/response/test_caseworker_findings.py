"""What a Norwegian caseworker found wrong (issue 15, point 7): each fixed, each checked."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError

from varde.accounts.models import Agency, AgencyKind
from varde.demo import data as demo
from varde.identification.explain import child_provision, rule_text
from varde.identification.models import Catalogue
from varde.identification.selectors import catalogue_source
from varde.response.agencies import police_agencies
from varde.response.disappearances import missing_episode_close, missing_episode_record
from varde.response.legal_status import legal_status_record, rights_and_authority
from varde.response.models import Clock, MissingStatus
from varde.response.rules import clock_source, clock_state_label


def test_the_penal_provision_in_force_at_the_time_of_the_facts():
    assert "224" in child_provision(dt.date(2015, 9, 30))
    assert "257" in child_provision(dt.date(2015, 10, 1)) and "258" in child_provision(dt.date(2015, 10, 1))
    assert "257" in child_provision(None)  # no date: the law in force now
    assert "224" not in rule_text(rule="ilo", population="child", facts_on=dt.date(2026, 1, 1))


def test_sources_in_norwegian_on_norwegian_pages(db):
    assert clock_source("safe_placement", "nb").startswith("KOMs plan") and "24 timene" in clock_source(
        "safe_placement", "nb"
    )
    assert "24 hours" in clock_source("safe_placement", "en")
    catalogue = Catalogue.objects.get(key="ilo_adult_sexual", version=1)
    assert catalogue_source(catalogue, "nb").startswith("ILO og Europakommisjonen")
    assert catalogue_source(catalogue, "en") == catalogue.source
    for shipped in Catalogue.objects.all():  # every shipped catalogue has its source in Norwegian
        assert catalogue_source(shipped, "nb") != shipped.source, shipped.key
    english = ("Save the Children", "Church City Mission", "Labour Inspection Authority")
    assert not [a.name for a in demo.AGENCIES if any(word in a.name for word in english)]


def test_a_reflection_period_is_granted_not_met():
    assert clock_state_label("reflection_period", "running", "nb") == "Innvilget"
    assert clock_state_label("reflection_period", "running", "en") == "Granted"
    assert clock_state_label("reflection_period", "met", "en") != "Met"
    assert clock_state_label("safe_placement", "met", "en") == ""  # a deadline is met


def test_the_reflection_period_shows_as_granted_on_the_case_page(world, client, frozen):
    from django.urls import reverse

    from tests.conftest import login_verified

    case = world.cases.police_adult
    legal_status_record(
        actor=world.personas.police, case=case, kind="reflection_granted", from_date=frozen.now.date()
    )
    assert Clock.objects.get(case=case, kind="reflection_period").state == "running"
    login_verified(client, world.personas.police)
    html = client.get(reverse("case-response", args=[case.pk]), HTTP_ACCEPT_LANGUAGE="nb").content.decode()
    assert ">Innvilget<" in html and "Utlendingsforskriften § 8-3" in html


def test_kripos_is_not_a_police_district_and_hordaland_is_vest(db):
    kinds = {a.code: a.kind for a in demo.AGENCIES}
    assert kinds["kripos"] == AgencyKind.POLICE_NATIONAL
    assert "hordaland-pd-exit" not in kinds and kinds["vest-pd-exit"] == AgencyKind.POLICE_DISTRICT
    assert not [a.name for a in demo.AGENCIES if "Hordaland" in a.name]


def test_a_disappearance_is_not_told_to_kripos_as_if_it_were_a_district(world):
    Agency.objects.create(code="kripos", name="Kripos", kind=AgencyKind.POLICE_NATIONAL)
    told = police_agencies(world.cases.ngo_child)
    assert [a.code for a in told] == ["oslo-pd-stop"]


def test_located_abroad_records_the_country(world, frozen):
    case = world.cases.police_adult
    episode = missing_episode_record(
        actor=world.personas.police, case=case, missing_from="shelter", last_seen_at=frozen.now
    )
    frozen.advance(days=3)
    with pytest.raises(ValidationError) as refused:
        missing_episode_close(
            actor=world.personas.police,
            episode=episode,
            status=MissingStatus.LOCATED_ABROAD,
            at=frozen.now,
            version=episode.version,
        )
    assert "country" in refused.value.message_dict
    closed = missing_episode_close(
        actor=world.personas.police,
        episode=episode,
        status=MissingStatus.LOCATED_ABROAD,
        at=frozen.now,
        version=episode.version,
        country="ro",
    )
    assert closed.located_country == "RO"


def test_an_adult_asylum_seeker_is_not_promised_counsel_at_first_instance():
    for lang in ("nb", "en"):
        rights = " ".join(rights_and_authority("asylum_seeker", lang)["rights"])
        assert ("klage" in rights) if lang == "nb" else ("appeal" in rights)
    assert "A lawyer in the asylum case" not in rights_and_authority("asylum_seeker", "en")["rights"]
