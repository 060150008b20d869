"""The pages of anonymous notifications (issue 22): the list (own agency's, coordinators every agency's,
newest first, 50 a page, audited), the form (accessible, Bokmål and English, no field that could
identify anyone, each error shown and linked with nothing saved), withdrawal by the agency only, and
everyone who does not work with cases refused (404)."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.conf import settings
from django.urls import reverse

from tests.conftest import login_verified
from varde.audit.models import AuditEvent
from varde.core import clock
from varde.identification.anonymous import anonymous_notification_record, anonymous_notification_withdraw
from varde.identification.models import AnonymousNotification

OBJECT = "identification.anonymousnotification"
LIST = reverse("anonymous-notifications")
NEW = reverse("anonymous-notification-new")


@pytest.fixture
def english(client):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


def recorded(actor, agency, **kw):
    return anonymous_notification_record(
        actor=actor,
        agency=agency,
        noticed_on=kw.pop("noticed_on", clock.today()),
        age_band=kw.pop("age_band", "25-34"),
        exploitation_forms=kw.pop("exploitation_forms", ["sexual"]),
        **kw,
    )


def form_data(**kw):
    return {
        "noticed_on": clock.today().isoformat(),
        "age_band": "18-24",
        "sex": "F",
        "nationality": "NG",
        "exploitation_forms": ["sexual", "begging"],
        "municipality": "0301",
        **kw,
    }


def withdraw_url(n) -> str:
    return reverse("anonymous-notification-withdraw", args=[n.pk])


def rows(html: str) -> list[str]:
    table = html.split('data-testid="anonymous-list"', 1)[1].split("</table>", 1)[0]
    return re.findall(r"<tr>.*?</tr>", table.split("<tbody>", 1)[1], re.S)


def test_the_form_and_the_list_are_in_bokmal_by_default(client, personas):
    login_verified(client, personas.police)
    html = client.get(NEW).content.decode()
    assert '<html lang="nb"' in html and "Registrer en anonym melding" in html
    assert "Ikke skriv noe som kan identifisere personen" in html
    assert "Anonyme meldinger" in client.get(LIST).content.decode()


def test_the_form_in_english_is_accessible(english, personas):
    login_verified(english, personas.police)
    html = english.get(NEW).content.decode()
    assert '<html lang="en"' in html and "Record an anonymous notification" in html
    assert "Do not write anything that could identify the person" in html
    assert "If the person may be under 18" in html and reverse("report") in html
    # Every field has a label; the groups are fieldsets with a legend.
    for name in ("noticed_on", "municipality", "nationality"):
        assert f'<label class="ds-label" for="id_{name}">' in html, name
    for legend in ("Age", "Sex", "Suspected forms of exploitation"):
        assert f'<legend class="ds-label">{legend}</legend>' in html, legend
    # Nothing that could identify anyone: no free text box, no name, phone or note field.
    form = html.split('aria-labelledby="anonymous-heading"', 1)[1].split("</form>", 1)[0]
    fields = set(re.findall(r'name="([a-z_]+)"', form)) - {"csrfmiddlewaretoken"}
    assert fields == {
        "agency",
        "noticed_on",
        "age_band",
        "sex",
        "nationality",
        "exploitation_forms",
        "municipality",
    }
    assert "<textarea" not in html
    # The person's only agency is taken without asking.
    assert 'type="hidden" name="agency"' in html


def test_recording_saves_audits_and_shows_it_in_the_list(english, personas, agencies):
    login_verified(english, personas.police)
    response = english.post(NEW, form_data())
    assert response.status_code == 302 and response["Location"] == LIST
    n = AnonymousNotification.objects.get()
    assert n.agency == agencies.police and n.exploitation_forms == ["sexual", "begging"]
    assert AuditEvent.objects.filter(object_type=OBJECT, object_id=str(n.pk), action="create").exists()
    html = english.get(LIST).content.decode()
    assert "The anonymous notification is recorded." in html
    (row,) = rows(html)
    assert "18–24 years" in row and "Female" in row and "Nigeria" in row and "0301" in row
    assert "Sexual exploitation, Forced begging" in row and withdraw_url(n) in row
    event = AuditEvent.objects.filter(object_type=OBJECT, action="list").latest("seq")
    assert event.detail == {"page": "web", "notifications": [str(n.pk)]}


@pytest.mark.parametrize(
    ("change", "field", "message"),
    [
        ({"exploitation_forms": []}, "exploitation_forms", "Choose at least one form of exploitation."),
        ({"noticed_on": "2999-01-01"}, "noticed_on", "The date cannot be in the future."),
        ({"noticed_on": "1999-01-01"}, "noticed_on", "The date cannot be before 1 January 2000."),
        ({"noticed_on": ""}, "noticed_on", "This field is required."),
        (
            {"municipality": "30a1"},
            "municipality",
            "A municipality number has four digits, e.g. 0301 for Oslo",
        ),
        ({"nationality": "QQ"}, "nationality", "Select a valid choice."),
        ({"age_band": "12-17"}, "age_band", "Select a valid choice."),
    ],
)
def test_each_error_is_shown_linked_and_nothing_is_saved(english, personas, change, field, message):
    login_verified(english, personas.police)
    response = english.post(NEW, form_data(**change))
    assert response.status_code == 200
    html = response.content.decode().replace("&#x27;", "'")
    assert 'id="anonymous-errors"' in html
    assert f'id="id_{field}_error"' in html and message in html
    assert f'aria-describedby="id_{field}_error"' in html or f"id_{field}_helptext id_{field}_error" in html
    assert f'href="#id_{field}' in html  # the summary links to the field
    assert not AnonymousNotification.objects.exists()
    assert not AuditEvent.objects.filter(object_type=OBJECT).exists()


def test_the_list_shows_only_the_own_agencys(client, personas, agencies):
    police = recorded(personas.police, agencies.police, municipality="0301")
    recorded(personas.ngo, agencies.ngo, municipality="4601")
    login_verified(client, personas.police)
    html = client.get(LIST).content.decode()
    (row,) = rows(html)
    assert "0301" in row and withdraw_url(police) in row
    assert "4601" not in html and "ROSA" not in html
    login_verified(client, personas.outsider)  # a caseworker of an agency with no notification
    html = client.get(LIST).content.decode()
    assert 'data-testid="anonymous-list"' not in html and "0301" not in html


def test_a_coordinator_sees_every_agencys_and_withdraws_only_their_own(client, personas, agencies):
    police = recorded(personas.police, agencies.police, municipality="0301")
    ngo = recorded(personas.ngo, agencies.ngo, municipality="4601", noticed_on=dt.date(2026, 1, 5))
    kom = recorded(personas.coordinator, agencies.kom, municipality="5001", noticed_on=dt.date(2025, 5, 5))
    login_verified(client, personas.coordinator)
    html = client.get(LIST).content.decode()
    found = rows(html)
    assert [("0301" in r, "4601" in r, "5001" in r) for r in found] == [
        (True, False, False),
        (False, True, False),
        (False, False, True),
    ]  # newest first
    assert agencies.police.name in found[0] and agencies.ngo.name in found[1]
    assert withdraw_url(police) not in html and withdraw_url(ngo) not in html and withdraw_url(kom) in html
    assert client.get(withdraw_url(police)).status_code == 403
    assert client.post(withdraw_url(police), {"reason": "mistake"}).status_code == 403
    police.refresh_from_db()
    assert not police.is_withdrawn
    assert client.get(withdraw_url(kom)).status_code == 200


@pytest.mark.parametrize("persona", ["analyst", "auditor", "sysadmin", "agency_admin"])
def test_who_does_not_work_with_cases_gets_404(client, personas, agencies, persona):
    n = recorded(personas.police, agencies.police)
    login_verified(client, getattr(personas, persona))
    assert client.get(LIST).status_code == 404
    assert client.get(NEW).status_code == 404
    assert client.post(NEW, form_data(agency=str(agencies.police.pk))).status_code == 404
    assert client.post(withdraw_url(n), {"reason": "mistake"}).status_code == 404
    assert AnonymousNotification.objects.count() == 1


def test_the_outsider_gets_404_for_another_agencys_notification(client, personas, agencies):
    n = recorded(personas.police, agencies.police)
    login_verified(client, personas.outsider)
    assert client.get(withdraw_url(n)).status_code == 404
    assert client.post(withdraw_url(n), {"reason": "mistake"}).status_code == 404
    n.refresh_from_db()
    assert not n.is_withdrawn
    client.logout()
    assert client.get(LIST).status_code == 302  # to the sign-in


def test_withdraw_by_the_agency(english, personas, agencies):
    n = recorded(personas.police, agencies.police)
    login_verified(english, personas.police)
    page = english.get(withdraw_url(n)).content.decode()
    assert "Withdraw an anonymous notification" in page and "no longer counted" in page
    assert '<legend class="ds-label">Why the notification is withdrawn</legend>' in page
    response = english.post(withdraw_url(n), {})
    assert (
        response.status_code == 200
        and "Choose why the notification is withdrawn." in response.content.decode()
    )
    response = english.post(withdraw_url(n), {"reason": "duplicate"})
    assert response.status_code == 302 and response["Location"] == LIST
    n.refresh_from_db()
    assert n.is_withdrawn and n.withdrawn_reason == "duplicate" and n.withdrawn_by == personas.police
    html = english.get(LIST).content.decode()
    (row,) = rows(html)
    assert "Withdrawn" in row and "Recorded twice" in row and withdraw_url(n) not in row
    # Again: a conflict (409), nothing changes.
    again = english.post(withdraw_url(n), {"reason": "mistake"})
    assert again.status_code == 409 and "already withdrawn" in again.content.decode()
    n.refresh_from_db()
    assert n.withdrawn_reason == "duplicate"


def test_fifty_a_page_newest_first_in_a_few_queries(
    client, personas, agencies, django_assert_max_num_queries
):
    start = dt.date(2026, 1, 1)
    for i in range(51):
        recorded(personas.police, agencies.police, noticed_on=start + dt.timedelta(days=i))
    withdrawn = recorded(personas.police, agencies.police, noticed_on=dt.date(2025, 1, 1))
    anonymous_notification_withdraw(actor=personas.police, notification=withdrawn, reason="mistake")
    login_verified(client, personas.police)
    with django_assert_max_num_queries(25):
        html = client.get(LIST).content.decode()
    first = rows(html)
    assert len(first) == 50
    assert (start + dt.timedelta(days=50)).strftime("%d.%m.%Y") in first[0]
    assert "?page=2" in html
    second = rows(client.get(LIST, {"page": 2}).content.decode())
    assert len(second) == 2 and "01.01.2025" in second[1]


def test_the_menu_and_the_dashboard_link_to_it(client, personas):
    login_verified(client, personas.police)
    html = client.get(reverse("dashboard")).content.decode()
    assert f'href="{LIST}"' in html and f'href="{NEW}"' in html
    login_verified(client, personas.analyst)
    html = client.get(reverse("dashboard")).content.decode()
    assert f'href="{LIST}"' not in html
