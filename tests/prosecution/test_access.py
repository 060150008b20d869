"""Who sees what of a criminal case (varde.access.prosecution), on the pages and through the selectors:
the police taking part see everything; a KOM coordinator the stages, counts and links but no details
and no names; the victim's caseworker the role, the stage and the trial date, never the suspects;
everyone else 404. Reads are audited."""

from __future__ import annotations

import datetime as dt

import pytest
from django.http import Http404
from django.urls import reverse

from tests.conftest import login_verified
from tests.prosecution.conftest import advance, open_case
from varde.access import prosecution as reads
from varde.audit.models import AuditEvent
from varde.prosecution import services as s
from varde.prosecution.models import Stage

pytestmark = pytest.mark.django_db

SUSPECT = "Zoltan Quarrington"
NOTE = "Informant met at the harbour"
NUMBER = "15998877"


@pytest.fixture
def charged(personas, cases):
    """A criminal case of Oslo's police: the police's adult case (shared with ROSA) as aggrieved party,
    a named suspect, a note and a police case number; charged, with the trial set."""
    case = open_case(personas.police, notes=NOTE, police_case_number=NUMBER)
    s.victim_link_add(
        actor=personas.police, criminal_case=case, case=cases.police_adult, role="aggrieved_party"
    )
    s.perpetrator_add(
        actor=personas.police, criminal_case=case, name=SUSPECT, role="leader", nationality="RO"
    )
    s.network_add(actor=personas.police, criminal_case=case, name="Harbour network", countries=["RO"])
    case = advance(personas.police, case, (Stage.CHARGED, dt.date(2025, 6, 2), {}))
    return s.trial_schedule(
        actor=personas.police,
        criminal_case=case,
        on=dt.date(2027, 2, 15),
        court="Oslo tingrett",
        version=case.version,
    )


def _get(client, user, url):
    login_verified(client, user)
    return client.get(url)


def test_the_police_taking_part_see_everything(client, personas, charged):
    response = _get(client, personas.police, reverse("criminal-case-detail", args=[charged.pk]))
    body = response.content.decode()
    assert response.status_code == 200
    assert SUSPECT in body and NOTE in body and NUMBER in body and "Harbour network" in body


def test_a_coordinator_sees_stages_counts_and_links_but_no_details(client, personas, cases, charged):
    response = _get(client, personas.coordinator, reverse("criminal-case-detail", args=[charged.pk]))
    body = response.content.decode()
    assert response.status_code == 200
    assert charged.reference in body and cases.police_adult.reference in body
    for secret in (SUSPECT, NOTE, NUMBER, "Harbour network"):
        assert secret not in body, secret
    view = reads.criminal_case_get_for_user(user=personas.coordinator, criminal_case_id=charged.pk)
    assert not view.details and view.perpetrator_links == [] and view.counts["perpetrators"] == 1
    assert view.case.notes == "" and view.case.police_case_number == ""
    # ... and may not act in it
    post = client.post(reverse("criminal-case-stage", args=[charged.pk]), {"stage-stage": "dropped"})
    assert post.status_code == 403


def test_the_victims_caseworker_sees_the_trial_date_and_never_the_suspect(client, personas, cases, charged):
    url = reverse("case-criminal-proceedings", args=[cases.police_adult.pk])
    response = _get(client, personas.ngo, url)  # ROSA takes part in the police's adult case
    body = response.content.decode()
    assert response.status_code == 200
    assert 'datetime="2027-02-15"' in body and "Oslo tingrett" in body and charged.reference in body
    assert str(Stage.CHARGED.label) in body or "Siktet" in body or "Charged" in body
    for secret in (SUSPECT, NOTE, NUMBER, "Harbour network"):
        assert secret not in body, secret
    # the aggrieved party's rights lead on to the case's legal status (the legal path, issue 16)
    legal = reverse("case-response", args=[cases.police_adult.pk]) + "#legal-heading"
    assert f'data-testid="legal-status-link" href="{legal}"' in body
    # the criminal case itself stays closed to the victim's caseworker
    assert client.get(reverse("criminal-case-detail", args=[charged.pk])).status_code == 404
    assert client.get(reverse("criminal-cases")).status_code == 404
    rows = reads.criminal_proceedings_for_case(user=personas.ngo, case=cases.police_adult)
    assert [(r.role, r.stage, r.trial_on) for r in rows] == [
        ("aggrieved_party", "charged", dt.date(2027, 2, 15))
    ]
    assert AuditEvent.objects.filter(
        object_type="prosecution.proceedings", object_id=str(cases.police_adult.pk)
    ).exists()


@pytest.mark.parametrize("persona", ["outsider", "childwelfare", "ngo", "analyst", "auditor", "agency_admin"])
def test_everyone_else_gets_404(client, personas, charged, persona):
    user = getattr(personas, persona)
    assert _get(client, user, reverse("criminal-case-detail", args=[charged.pk])).status_code == 404
    with pytest.raises(Http404):
        reads.criminal_case_get_for_user(user=user, criminal_case_id=charged.pk)


def test_the_outsider_gets_404_on_the_victims_proceedings_too(client, personas, cases, charged):
    url = reverse("case-criminal-proceedings", args=[cases.police_adult.pk])
    assert _get(client, personas.outsider, url).status_code == 404


def test_reads_of_a_criminal_case_are_audited(personas, charged):
    before = AuditEvent.objects.filter(object_id=str(charged.pk), action="view").count()
    reads.criminal_case_get_for_user(user=personas.police, criminal_case_id=charged.pk)
    reads.criminal_case_get_for_user(user=personas.coordinator, criminal_case_id=charged.pk)
    events = AuditEvent.objects.filter(object_id=str(charged.pk), action="view").order_by("seq")
    assert events.count() == before + 2
    assert [e.detail["details"] for e in events][-2:] == [True, False]


def test_lists(client, personas, others, charged):
    vest_case = open_case(others.vest_user, police_district="vest")
    assert set(reads.criminal_cases_listed_for(user=personas.police)) == {charged}
    assert set(reads.criminal_cases_listed_for(user=personas.coordinator)) == {charged, vest_case}
    assert set(reads.criminal_cases_listed_for(user=personas.ngo)) == set()
    body = _get(client, personas.coordinator, reverse("criminal-cases")).content.decode()
    assert charged.reference in body and vest_case.reference in body


def test_the_investigator_opens_a_case_on_the_page(client, personas):
    login_verified(client, personas.police)
    assert client.get(reverse("criminal-case-new")).status_code == 200
    response = client.post(
        reverse("criminal-case-new"),
        {
            "police_district": "oslo",
            "offence": "trafficking",
            "facts_date": "2014-05-01",
            "first_stage": "reported",
            "opened_on": "2014-06-01",
            "exploitation_form": "forced_labour",
        },
    )
    assert response.status_code == 302
    detail = client.get(response["Location"]).content.decode()
    assert "straffeloven 1902 § 224" in detail
    # a stage out of order comes back on the form, naming the problem
    case_id = response["Location"].rstrip("/").split("/")[-1]
    bad = client.post(
        reverse("criminal-case-stage", args=[case_id]),
        {
            "stage-stage": "verdict",
            "stage-on": "2014-07-01",
            "stage-court": "Oslo tingrett",
            "stage-outcome": "acquitted",
            "stage-version": "1",
        },
    )
    assert bad.status_code == 200 and "before a charge" in bad.content.decode()
    stale = client.post(
        reverse("criminal-case-stage", args=[case_id]),
        {"stage-stage": "investigation_opened", "stage-on": "2014-07-01", "stage-version": "7"},
    )
    assert stale.status_code == 409


def test_non_police_cannot_open_criminal_cases(client, personas):
    for user in (personas.coordinator, personas.ngo, personas.outsider):
        assert _get(client, user, reverse("criminal-case-new")).status_code == 404
