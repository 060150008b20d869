"""Retention and criminal cases (varde.prosecution.retention, registered in varde.retention's
ANONYMISERS): when a victim's case is anonymised, a concluded criminal case whose every victim's case is
then anonymised loses its free text and identifiers; perpetrators and networks lose their names once
every criminal case they are in is due; the figures do not change; each criminal case is audited."""

from __future__ import annotations

import datetime as dt

from tests.prosecution.conftest import open_case, to_final
from varde.audit.models import AuditEvent
from varde.cases.models import CaseStatus, StatusChange
from varde.cases.services import case_change_status
from varde.core import clock
from varde.prosecution import services as s
from varde.prosecution.figures import prosecution_figures
from varde.prosecution.models import Cooperation, CriminalCase, Network, Perpetrator, PerpetratorLink
from varde.prosecution.retention import prosecution_anonymise
from varde.prosecution.selectors import figure_rows
from varde.retention.services import ANONYMISERS, retention_run

NOTES = "Informant lives in Grønland"
ALONE, SHARED = "Ardent Quillsby", "Sorrel Vantongeren"


def _close_long_ago(personas, case):
    case.refresh_from_db()
    case = case_change_status(
        actor=personas.coordinator,
        case=case,
        status=CaseStatus.CLOSED,
        reason="Returned home",
        version=case.version,
        closure_reason="returned",
    )
    StatusChange.objects.filter(case=case, to_status=CaseStatus.CLOSED).update(
        at=clock.now() - dt.timedelta(days=6 * 365)
    )


def _figures():
    cases, persons = figure_rows()
    return prosecution_figures(cases, persons, 2024, 2026)


def test_a_concluded_criminal_case_is_anonymised_with_its_last_victims_case(personas, cases):
    police = personas.police
    assert prosecution_anonymise in ANONYMISERS
    judged = open_case(police, police_case_number="12345678", notes=NOTES)
    s.victim_link_add(actor=police, criminal_case=judged, case=cases.police_adult, role="aggrieved_party")
    network = s.network_add(actor=police, criminal_case=judged, name="Harbour ring", countries=["RO"])
    alone = s.perpetrator_add(actor=police, criminal_case=judged, name=ALONE, role="leader", network=network)
    shared = s.perpetrator_add(actor=police, criminal_case=judged, name=SHARED, role="recruiter")
    s.cooperation_record(
        actor=police, criminal_case=judged, kind="foreign_police", country="RO", started_on=dt.date(2025, 4, 2),
        note="Contact: inspector Vukovic",
    )  # fmt: skip
    judged = to_final(police, judged)
    for link in (alone, shared):
        link.refresh_from_db()
        s.perpetrator_outcome_record(
            actor=police, link=link, outcome="convicted_trafficking", version=link.version,
            sentence_months=24, sentence_text="Two years",
        )  # fmt: skip
    # The shared perpetrator is also in a case still under investigation.
    ongoing = open_case(police, notes=NOTES)
    s.perpetrator_link(actor=police, criminal_case=ongoing, perpetrator=shared.perpetrator)
    # A concluded case with two victims: only one of them is due.
    half = to_final(police, open_case(police, notes=NOTES))
    for victim in (cases.police_adult, cases.police_child):
        s.victim_link_add(actor=police, criminal_case=half, case=victim, role="witness")
    before = _figures()

    _close_long_ago(personas, cases.police_adult)
    result = retention_run(days=5 * 365)
    assert result.anonymised == 1

    judged.refresh_from_db()
    assert (judged.police_case_number, judged.notes) == ("", "")
    assert (judged.stage, judged.outcome, judged.offence_section) == (
        "final_judgement",
        "convicted_trafficking",
        "straffeloven 2005 § 257",
    )
    assert Cooperation.objects.get(criminal_case=judged).note == ""
    assert Cooperation.objects.get(criminal_case=judged).country == "RO"
    assert Perpetrator.objects.get(pk=alone.perpetrator_id).name == ""
    assert PerpetratorLink.objects.get(pk=alone.pk).sentence_text == ""
    assert PerpetratorLink.objects.get(pk=alone.pk).sentence_months == 24
    assert Network.objects.get(pk=network.pk).name == ""
    # Still in an open criminal case: the shared perpetrator keeps the name and the sentence's text.
    assert Perpetrator.objects.get(pk=shared.perpetrator_id).name == SHARED
    assert PerpetratorLink.objects.get(pk=shared.pk).sentence_text == "Two years"
    assert CriminalCase.objects.get(pk=ongoing.pk).notes == NOTES
    assert CriminalCase.objects.get(pk=half.pk).notes == NOTES  # its other victim's case is not due
    # The figures are counted from what stays.
    assert _figures() == before
    event = AuditEvent.objects.get(action="anonymise", object_type="prosecution.criminalcase")
    assert event.object_id == str(judged.pk) and event.detail == {"case": str(cases.police_adult.pk)}
    # Running again changes nothing.
    assert retention_run(days=5 * 365).anonymised == 0
    assert AuditEvent.objects.filter(action="anonymise", object_type="prosecution.criminalcase").count() == 1
