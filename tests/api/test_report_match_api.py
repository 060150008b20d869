"""POST /api/cases/ answers 409 with the reporting agency's probable earlier cases of the same person,
unless `confirm_new_case` is true (issue 20, point 3); another agency's record is never named."""

from __future__ import annotations

import pytest

from tests.conftest import verified
from varde.audit.models import AuditEvent
from varde.cases.models import Case

pytestmark = pytest.mark.django_db


def _report(agency, **extra):
    return {
        "person": {
            "names": [{"given": "Esther", "family": "Igbinovia"}],
            "sex": "F",
            "date_of_birth": "1990-05-06",
            "phones": ["+47 934 56 789"],
            "documents": [{"doc_type": "passport", "number": "KL1234567", "issuing_country": "NG"}],
        },
        "referral": {"reporting_agency": str(agency.pk), "referral_date": "2026-10-05"},
        **extra,
    }


def test_the_same_person_twice_answers_409_and_saves_nothing(api, personas, agencies):
    api.force_authenticate(user=verified(personas.police))
    first = api.post("/api/cases/", _report(agencies.police), format="json")
    assert first.status_code == 201
    before = Case.objects.count()
    response = api.post("/api/cases/", _report(agencies.police), format="json")
    assert response.status_code == 409 and Case.objects.count() == before
    body = response.json()
    assert body["code"] == "possible_match"
    assert [(m["id"], m["reference"]) for m in body["matches"]] == [
        (first.json()["id"], first.json()["reference"])
    ]
    assert body["matches"][0]["matched_by"] == ["document", "name", "phone"]
    event = AuditEvent.objects.filter(action="list", actor_username="police").latest("seq")
    assert event.detail["page"] == "api" and event.detail["cases"] == [first.json()["id"]]


def test_confirm_new_case_saves_a_second_case(api, personas, agencies):
    api.force_authenticate(user=verified(personas.police))
    api.post("/api/cases/", _report(agencies.police), format="json")
    response = api.post("/api/cases/", _report(agencies.police, confirm_new_case=True), format="json")
    assert response.status_code == 201 and Case.objects.count() == 2


def test_another_agencys_record_is_never_named(api, personas, agencies):
    api.force_authenticate(user=verified(personas.police))
    api.post("/api/cases/", _report(agencies.police), format="json")
    api.force_authenticate(user=verified(personas.ngo))
    response = api.post("/api/cases/", _report(agencies.ngo), format="json")
    assert response.status_code == 201 and "matches" not in response.json()
