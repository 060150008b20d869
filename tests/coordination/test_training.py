"""Training beside reports (issue 19, point 5): per agency, its caseworkers trained in the last two years
next to the possible victims it reported in those years, on the training page (KOM) and in the yearly
report to the commission, where an agency's small number of reports is suppressed."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from tests.conftest import login_verified
from tests.factories import report
from varde.coordination import training
from varde.statistics.disclosure import default_k

pytestmark = pytest.mark.django_db

AS_OF = dt.date(2026, 12, 1)


@pytest.fixture
def trained_police(personas, agencies):
    """A session in 2026 that the police investigator attended; one in 2023 (outside the window) that
    child welfare's caseworker attended; the police reported three possible victims in the window and
    one before it, ROSA one in the window."""
    kom = personas.coordinator
    course = training.course_create(actor=kom, topic="Indicators of trafficking", audience="Police")
    recent = training.session_create(actor=kom, course=course, held_on=dt.date(2026, 3, 10), place="Oslo")
    old = training.session_create(actor=kom, course=course, held_on=dt.date(2023, 3, 10), place="Oslo")
    training.participant_add(actor=kom, session=recent, agency=agencies.police, user=personas.police)
    training.participant_add(actor=kom, session=old, agency=agencies.childwelfare, user=personas.childwelfare)
    for n, day in enumerate(
        [dt.date(2026, 1, 5), dt.date(2026, 6, 1), dt.date(2025, 2, 1), dt.date(2024, 1, 1)]
    ):
        report(
            personas.police, agencies.police, given=f"Ana{n}", family="Popa", child=False, referral_date=day
        )
    report(
        personas.ngo,
        agencies.ngo,
        given="Joy",
        family="Okafor",
        child=False,
        referral_date=dt.date(2026, 2, 2),
    )


def test_each_agency_s_trained_share_stands_beside_its_reports_in_the_same_two_years(
    trained_police, agencies
):
    shares = {s.agency.code: s for s in training.trained_shares(as_of=AS_OF)}
    police, childwelfare, ngo = (
        shares[agencies.police.code],
        shares[agencies.childwelfare.code],
        shares[agencies.ngo.code],
    )
    assert (police.reports, police.caseworkers, police.trained, police.share) == (3, 1, 1, 100)
    assert (childwelfare.reports, childwelfare.trained, childwelfare.share) == (0, 0, 0)  # trained in 2023
    assert (ngo.reports, ngo.trained) == (1, 0)
    # Two years later the 2026 session and reports have left the window.
    later = {s.agency.code: s for s in training.trained_shares(as_of=dt.date(2028, 12, 1))}
    assert later[agencies.police.code].trained == 0 and later.get(agencies.police.code).reports == 0


def test_a_report_leaving_kom_suppresses_an_agency_s_small_number_of_reports(trained_police, agencies):
    k = default_k()
    assert k > 3  # the police's 3 and ROSA's 1 are below the threshold
    published = {
        s.agency.code: s for s in training.published_shares(training.trained_shares(as_of=AS_OF), k=k)
    }
    assert published[agencies.police.code].reports is None and published[agencies.ngo.code].reports is None
    assert published[agencies.childwelfare.code].reports == 0  # zero is not suppressed
    assert published[agencies.police.code].share == 100  # the training figures stay


def test_the_training_page_and_the_commission_report_show_them_side_by_side(client, personas, trained_police):
    login_verified(client, personas.coordinator)
    page = client.get(reverse("coordination-training")).content.decode()
    table = page[page.index('data-testid="trained-shares"') :]
    assert "Reports of possible victims" in table or "Meldinger om mulige ofre" in table
    police_row = table[table.index('data-agency="oslo-pd-stop"') :].split("</tr>")[0]
    assert [cell.split(">")[-1] for cell in police_row.split("</td>")[:-1]] == ["3", "1", "1", "100"]
    report_page = client.get(reverse("coordination-commission-report", args=[2026])).content.decode()
    police_row = report_page[report_page.index('data-agency="oslo-pd-stop"') :].split("</tr>")[0]
    assert [cell.split(">")[-1] for cell in police_row.split("</td>")[:-1]] == ["–", "1", "1", "100"]
    login_verified(client, personas.police)
    assert client.get(reverse("coordination-training")).status_code == 404
