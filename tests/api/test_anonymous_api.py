"""The API of anonymous notifications (issue 22): list and record (an agency's case users; coordinators
list every agency's), withdraw (its agency only). Each answer matches the schema; bad input is a 400
naming the field with nothing saved; a notification one may not see is 404, another agency's 403 to a
coordinator, one withdrawn 409; everyone who does not work with cases 403 (404 for a notification);
every read and write audited."""

from __future__ import annotations

import datetime as dt

import pytest

from tests.api.test_schema import check
from varde.audit.models import AuditEvent
from varde.core import clock
from varde.identification.anonymous import anonymous_notification_record
from varde.identification.models import AnonymousNotification

LIST = "/api/anonymous-notifications/"
WITHDRAW = "/api/anonymous-notifications/{notification_id}/withdraw/"
OBJECT = "identification.anonymousnotification"


@pytest.fixture
def schema(api, db):
    return api.get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json").json()


def body(**kw):
    return {
        "noticed_on": clock.today().isoformat(),
        "age_band": "35-44",
        "sex": "M",
        "nationality": "ro",
        "exploitation_forms": ["forced_labour"],
        "municipality": "4601",
        **kw,
    }


def recorded(actor, agency, **kw):
    return anonymous_notification_record(
        actor=actor,
        agency=agency,
        noticed_on=kw.pop("noticed_on", clock.today()),
        age_band="25-34",
        exploitation_forms=["sexual"],
        **kw,
    )


def withdraw_url(n) -> str:
    return WITHDRAW.format(notification_id=n.pk)


def test_record_and_list_match_the_schema_and_are_audited(api, schema, personas, agencies):
    response = api.as_(personas.police).post(LIST, body(), format="json")
    assert response.status_code == 201, response.content
    check(schema, response, LIST, "post")
    data = response.json()
    assert data["agency"]["id"] == str(agencies.police.pk)  # the only agency: left out, taken
    assert data["nationality"] == "RO" and data["exploitation_forms"] == ["forced_labour"]
    assert data["withdrawn"] is False and data["withdrawn_reason"] == "" and data["withdrawn_at"] is None
    assert not {"name", "phone", "note", "description"} & set(data)
    created = AuditEvent.objects.get(object_type=OBJECT, object_id=data["id"], action="create")
    assert created.detail == {"age_band": "35-44", "sex": "M", "forms": ["forced_labour"]}

    listed = api.as_(personas.police).get(LIST)
    assert listed.status_code == 200
    check(schema, listed, LIST, "get")
    assert [r["id"] for r in listed.json()["results"]] == [data["id"]]
    event = AuditEvent.objects.filter(object_type=OBJECT, action="list").latest("seq")
    assert event.actor_id == personas.police.pk and event.detail == {
        "page": "api",
        "notifications": [data["id"]],
    }


def test_lists_own_agencys_coordinators_all_newest_first(api, personas, agencies):
    old = recorded(personas.police, agencies.police, noticed_on=dt.date(2025, 1, 1))
    new = recorded(personas.police, agencies.police)
    ngo = recorded(personas.ngo, agencies.ngo, noticed_on=dt.date(2025, 6, 1))

    def ids(user):
        response = api.as_(user).get(LIST)
        assert response.status_code == 200
        return [r["id"] for r in response.json()["results"]]

    assert ids(personas.police) == [str(new.pk), str(old.pk)]
    assert ids(personas.ngo) == [str(ngo.pk)]
    assert ids(personas.coordinator) == [str(new.pk), str(ngo.pk), str(old.pk)]
    assert ids(personas.outsider) == [] and ids(personas.childwelfare) == []
    paged = api.as_(personas.coordinator).get(LIST, {"limit": 1, "offset": 1}).json()
    assert paged["count"] == 3 and [r["id"] for r in paged["results"]] == [str(ngo.pk)]


def test_everyone_who_does_not_work_with_cases_is_refused(api, schema, personas, agencies):
    n = recorded(personas.police, agencies.police)
    for user in (personas.analyst, personas.auditor, personas.sysadmin, personas.agency_admin):
        for response, path, method in (
            (api.as_(user).get(LIST), LIST, "get"),
            (api.as_(user).post(LIST, body(agency=str(agencies.police.pk)), format="json"), LIST, "post"),
        ):
            assert response.status_code == 403, (user.username, path, method)
            check(schema, response, path, method)
        # A notification is not there for them at all, as a case is not.
        response = api.as_(user).post(withdraw_url(n), {"reason": "mistake"}, format="json")
        assert response.status_code == 404
        check(schema, response, WITHDRAW, "post")
    assert AnonymousNotification.objects.count() == 1
    api.force_authenticate(user=None)
    assert api.get(LIST).status_code == 401


@pytest.mark.parametrize(
    ("change", "field", "message"),
    [
        ({"noticed_on": "2999-01-01"}, "noticed_on", "The date cannot be in the future."),
        ({"noticed_on": "1999-12-31"}, "noticed_on", "The date cannot be before 1 January 2000."),
        ({"noticed_on": "yesterday"}, "noticed_on", None),
        ({"exploitation_forms": []}, "exploitation_forms", "Choose at least one form of exploitation."),
        ({"exploitation_forms": ["smuggling"]}, "exploitation_forms", None),
        ({"nationality": "QQ"}, "nationality", "Choose a country from the list (an ISO 3166 code, e.g. NG)."),
        ({"nationality": "NGA"}, "nationality", None),
        (
            {"municipality": "0000"},
            "municipality",
            "A municipality number has four digits, e.g. 0301 for Oslo",
        ),
        ({"age_band": "12-17"}, "age_band", None),
        ({"sex": "female"}, "sex", None),
        ({"name": "Ana"}, None, None),  # an unknown field is ignored, never stored
    ],
)
def test_bad_input_names_the_field_and_saves_nothing(api, schema, personas, change, field, message):
    response = api.as_(personas.police).post(LIST, body(**change), format="json", HTTP_ACCEPT_LANGUAGE="en")
    if field is None:
        assert response.status_code == 201
        assert "Ana" not in str(AnonymousNotification.objects.values())
        return
    assert response.status_code == 400, response.content
    check(schema, response, LIST, "post")
    errors = response.json()
    assert set(errors) == {field}
    if message:
        assert errors[field] == [message]
    assert not AnonymousNotification.objects.exists()
    assert not AuditEvent.objects.filter(object_type=OBJECT).exists()


def test_messages_in_bokmal_when_asked(api, personas):
    response = api.as_(personas.police).post(
        LIST, body(noticed_on="1999-01-01"), format="json", HTTP_ACCEPT_LANGUAGE="nb"
    )
    assert response.json() == {"noticed_on": ["Datoen kan ikke være før 1. januar 2000."]}


def test_agency_one_does_not_work_for_is_403_and_several_agencies_must_choose(
    api, schema, personas, agencies
):
    response = api.as_(personas.police).post(LIST, body(agency=str(agencies.ngo.pk)), format="json")
    assert response.status_code == 403
    check(schema, response, LIST, "post")
    # A coordinator records for KOM, never for another agency.
    assert (
        api.as_(personas.coordinator)
        .post(LIST, body(agency=str(agencies.police.pk)), format="json")
        .status_code
        == 403
    )
    assert api.as_(personas.coordinator).post(LIST, body(), format="json").status_code == 201
    # Someone working with cases in two agencies names one.
    from varde.accounts.models import Membership, Role

    Membership.objects.create(user=personas.ngo, agency=agencies.labour, role=Role.CASEWORKER)
    ngo = type(personas.ngo).objects.get(pk=personas.ngo.pk)
    response = api.as_(ngo).post(LIST, body(), format="json", HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 400
    assert response.json() == {"agency": ["Choose the agency the notification is recorded for."]}
    response = api.as_(ngo).post(LIST, body(agency=str(agencies.labour.pk)), format="json")
    assert response.status_code == 201 and response.json()["agency"]["code"] == agencies.labour.code


def test_withdraw_its_agency_only_then_409(api, schema, personas, agencies):
    n = recorded(personas.police, agencies.police)
    url = withdraw_url(n)
    for user in (personas.ngo, personas.outsider, personas.childwelfare):
        response = api.as_(user).post(url, {"reason": "mistake"}, format="json")
        assert response.status_code == 404
        check(schema, response, WITHDRAW, "post")
    response = api.as_(personas.coordinator).post(url, {"reason": "mistake"}, format="json")
    assert response.status_code == 403
    check(schema, response, WITHDRAW, "post")
    response = api.as_(personas.police).post(url, {"reason": "because"}, format="json")
    assert response.status_code == 400 and set(response.json()) == {"reason"}
    check(schema, response, WITHDRAW, "post")
    n.refresh_from_db()
    assert not n.is_withdrawn

    response = api.as_(personas.police).post(url, {"reason": "wrong_details"}, format="json")
    assert response.status_code == 200, response.content
    check(schema, response, WITHDRAW, "post")
    data = response.json()
    assert data["withdrawn"] is True and data["withdrawn_reason"] == "wrong_details" and data["withdrawn_at"]
    event = AuditEvent.objects.filter(object_type=OBJECT, object_id=str(n.pk), action="update").get()
    assert event.detail == {"withdrawn": True, "reason": "wrong_details"}
    again = api.as_(personas.police).post(url, {"reason": "mistake"}, format="json")
    assert again.status_code == 409
    check(schema, again, WITHDRAW, "post")
    # Still listed, marked; the malformed id is the same 404 as one not seen.
    listed = api.as_(personas.police).get(LIST).json()["results"]
    assert listed[0]["withdrawn"] is True
    assert (
        api.as_(personas.police)
        .post(WITHDRAW.format(notification_id="x"), {"reason": "mistake"}, format="json")
        .status_code
        == 404
    )
