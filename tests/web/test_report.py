import datetime as dt

import pytest
from django.urls import reverse

from varde.accounts.models import Membership, Role
from varde.audit.models import AuditEvent
from varde.cases.models import Case, Referral
from varde.core import clock
from varde.persons.models import IdentityDocument, Person

VALID_FNR = "15076500565"  # a synthetic, check-digit-valid fødselsnummer


def form_data(**overrides):
    data = {
        "given_name": "Ana",
        "family_name": "Ionescu",
        "sex": "F",
        "date_of_birth": "",
        "estimated_age": "16",
        "estimated_age_certainty": "medium",
        "nationality": "RO",
        "language": "ro",
        "phone": "+40 712 345 678",
        "national_id": "",
        "document_type": "passport",
        "document_number": "RO998877",
        "document_country": "RO",
        "referral_date": clock.today().isoformat(),
        "municipality": "0301",
        "met_how": "outreach",
        "met_where": "Oslo S",
        "exploitation_forms": ["begging", "forced_criminality"],
        "criminality_kind": "theft",
        "description": "Seen begging with two adults.",
    }
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


def counts():
    return (
        Person.objects.count(),
        Case.objects.count(),
        Referral.objects.count(),
        IdentityDocument.objects.count(),
    )


def test_report_page_renders_with_today_and_countries_in_norwegian(login, personas):
    response = login(personas.police).get(reverse("report"))
    assert response.status_code == 200
    body = response.content.decode()
    assert f'value="{clock.today().isoformat()}"' in body
    assert '<option value="RO" data-names="romania">Romania</option>' in body
    assert 'type="hidden" name="agency"' in body  # a single agency needs no choice


def test_report_creates_a_child_case_and_redirects_to_it(login, personas, agencies):
    before = counts()
    response = login(personas.police).post(reverse("report"), form_data())
    assert counts() == tuple(n + 1 for n in before)
    case = Case.objects.latest("opened_at")
    assert response.status_code == 302 and response["Location"] == case.get_absolute_url()
    assert case.lead_agency == agencies.police and case.is_child
    person = case.person
    assert (
        person.display_name == "Ana Ionescu" and person.nationalities == ["RO"] and person.languages == ["ro"]
    )
    assert person.estimated_age == 16 and person.estimated_age_certainty == "medium"
    referral = case.referrals.get()
    assert referral.exploitation_forms == ["begging", "forced_criminality"]
    assert referral.criminality_kind == "theft" and referral.municipality == "0301"
    assert person.documents.get().number == "RO998877"
    assert AuditEvent.objects.filter(action="create", object_id=str(case.pk)).exists()
    page = login(personas.police).get(response["Location"])
    assert case.reference in page.content.decode()


def test_national_id_is_validated_and_stored_compact(login, personas):
    client = login(personas.police)
    before = counts()
    response = client.post(
        reverse("report"), form_data(national_id="15076500566", estimated_age="", estimated_age_certainty="")
    )
    assert response.status_code == 200 and counts() == before
    assert 'href="#id_national_id"' in response.content.decode()
    response = client.post(
        reverse("report"), form_data(national_id="150765 00565", estimated_age="", estimated_age_certainty="")
    )
    assert response.status_code == 302
    assert Case.objects.latest("opened_at").person.national_id == VALID_FNR


@pytest.mark.parametrize(
    "overrides, field",
    [
        ({"date_of_birth": "2009-01-01"}, "estimated_age"),  # both a birth date and an estimate
        ({"municipality": "301"}, "municipality"),
        ({"referral_date": (dt.date.today() + dt.timedelta(days=5)).isoformat()}, "referral_date"),
        ({"referral_date": ""}, "referral_date"),
        ({"document_type": ""}, "document_type"),
        ({"labour_sector": "construction"}, "labour_sector"),  # sector without forced labour
        ({"nationality": "XX"}, "nationality"),
        ({"phone": "call me maybe"}, "phone"),
    ],
)
def test_validation_errors_save_nothing_and_link_to_the_field(login, personas, overrides, field):
    before = counts()
    audit_before = AuditEvent.objects.count()
    response = login(personas.police).post(reverse("report"), form_data(**overrides))
    assert response.status_code == 200
    assert counts() == before
    assert AuditEvent.objects.count() == audit_before
    body = response.content.decode()
    assert 'class="ds-error-summary' in body
    assert f'href="#id_{field}"' in body
    assert f'id="id_{field}"' in body and 'aria-invalid="true"' in body
    assert 'value="Ionescu"' in body  # what was typed is kept


def test_user_of_several_agencies_chooses_and_cannot_pick_a_foreign_agency(login, personas, agencies):
    Membership.objects.create(user=personas.police, agency=agencies.labour, role=Role.CASEWORKER)
    client = login(personas.police)
    body = client.get(reverse("report")).content.decode()
    assert '<select name="agency"' in body and "Arbeidstilsynet" in body and "ROSA" not in body
    before = counts()
    response = client.post(reverse("report"), form_data(agency=str(agencies.ngo.pk)))
    assert response.status_code == 200 and counts() == before
    response = client.post(reverse("report"), form_data(agency=str(agencies.labour.pk)))
    assert response.status_code == 302
    assert Case.objects.latest("opened_at").lead_agency == agencies.labour


@pytest.mark.parametrize("name", ["analyst", "auditor", "agency_admin", "sysadmin"])
def test_non_case_roles_get_404(login, personas, name):
    client = login(getattr(personas, name))
    assert client.get(reverse("report")).status_code == 404
    before = counts()
    assert client.post(reverse("report"), form_data()).status_code == 404
    assert counts() == before
