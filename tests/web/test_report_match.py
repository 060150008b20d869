"""The report's second step (issue 20, point 3): a report whose person the agency probably has already
is shown again with the earlier cases, all data kept and nothing saved, until the caseworker saves a
new case anyway; another agency's record is never named (issue 21, finding 3)."""

from __future__ import annotations

import re

from django.urls import reverse

from tests.web.test_report import counts, form_data
from varde.audit.models import AuditEvent
from varde.cases.models import Case


def _confirm_token(body: str) -> str:
    found = re.search(r'name="confirm_new_case" value="([^"]+)"', body)
    assert found, "no confirm field"
    return found.group(1)


def test_the_same_person_twice_shows_the_earlier_case_and_saves_nothing(login, personas):
    client = login(personas.police)
    first = client.post(reverse("report"), form_data())
    assert first.status_code == 302
    earlier = Case.objects.latest("opened_at")
    before = counts()
    response = client.post(reverse("report"), form_data())
    assert response.status_code == 200 and counts() == before
    body = response.content.decode()
    assert 'data-testid="possible-matches"' in body and "data-focus-on-load" in body
    assert "Virksomheten din kan allerede ha en sak om denne personen" in body  # Bokmål by default
    assert f'href="{earlier.get_absolute_url()}"' in body and earlier.reference in body
    assert "Ana Ionescu" in body
    # everything typed is kept
    for kept in (
        'value="Ana"',
        'value="Ionescu"',
        'value="RO998877"',
        'value="+40 712 345 678"',
        "Seen begging",
    ):
        assert kept in body, kept
    event = AuditEvent.objects.filter(action="list", actor_username="police").latest("seq")
    assert event.detail["page"] == "report" and event.detail["cases"] == [str(earlier.pk)]


def test_saving_anyway_makes_a_second_case(login, personas):
    client = login(personas.police)
    client.post(reverse("report"), form_data())
    shown = client.post(reverse("report"), form_data())
    before = counts()
    response = client.post(
        reverse("report"), form_data(confirm_new_case=_confirm_token(shown.content.decode()))
    )
    assert response.status_code == 302 and counts() == tuple(n + 1 for n in before)
    assert Case.objects.filter(person__phones__number="+40 712 345 678").count() == 2


def test_a_forged_or_foreign_confirmation_saves_nothing(login, personas, client):
    police = login(personas.police)
    police.post(reverse("report"), form_data())
    token = _confirm_token(police.post(reverse("report"), form_data()).content.decode())
    before = counts()
    for forged in ("yes", token[:-2] + "xx"):
        response = police.post(reverse("report"), form_data(confirm_new_case=forged))
        assert response.status_code == 200 and counts() == before


def test_a_confirmation_covers_only_the_cases_shown(login, personas):
    client = login(personas.police)
    client.post(reverse("report"), form_data())
    token = _confirm_token(client.post(reverse("report"), form_data()).content.decode())
    client.post(
        reverse("report"), form_data(phone="+47 955 55 555", document_number="XY111", confirm_new_case=token)
    )
    # the new third report matches a case the token did not name: shown again, not saved
    before = counts()
    response = client.post(reverse("report"), form_data(phone="+47 955 55 555", confirm_new_case=token))
    assert response.status_code == 200 and counts() == before
    assert 'data-testid="possible-matches"' in response.content.decode()


def test_no_match_saves_at_once(login, personas):
    before = counts()
    response = login(personas.police).post(reverse("report"), form_data())
    assert response.status_code == 302 and counts() == tuple(n + 1 for n in before)


def test_another_agencys_earlier_record_is_not_told(login, personas):
    login(personas.police).post(reverse("report"), form_data())
    before = counts()
    response = login(personas.childwelfare).post(reverse("report"), form_data(), follow=True)
    assert counts() == tuple(n + 1 for n in before)  # saved as usual: nothing to show
    body = response.content.decode()
    assert "possible-matches" not in body
    assert "annen virksomhet" not in body.lower() and "another agency" not in body.lower()


def test_the_notice_in_english(login, personas):
    client = login(personas.police)
    client.post(reverse("report"), form_data())
    body = client.post(reverse("report"), form_data(), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Your agency may already have a case for this person" in body
    assert "Save as a new case anyway" in body and "Open case" in body


def test_outsider_gets_404(login, personas):
    assert login(personas.analyst).post(reverse("report"), form_data()).status_code == 404
