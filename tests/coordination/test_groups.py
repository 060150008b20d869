"""The project and reference groups (issue 19, point 3): KOM edits a group, a member's 24-hour contact
and a meeting's minutes on pages (a stale form answers 409 and keeps the input); the API lists the
groups, shows a group with its members' readiness contacts, records a meeting with decisions and tasks
all or nothing, shows the meeting, and lets the responsible member mark a task done. Members see,
KOM records, everyone else gets 404."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from tests.api.test_schema import check
from tests.conftest import login_verified, verified
from varde.coordination import groups
from varde.coordination.models import FollowUpTask, GroupKind, GroupMember, Meeting, TaskState

pytestmark = pytest.mark.django_db


@pytest.fixture
def group_world(personas, agencies):
    kom = personas.coordinator
    group = groups.group_create(actor=kom, kind=GroupKind.PROJECT, name="Project group")
    police = groups.group_member_add(
        actor=kom, group=group, agency=agencies.police, name="Per Olsen", user=personas.police,
        readiness_phone="+47 900 00 002",
    )  # fmt: skip
    ngo = groups.group_member_add(
        actor=kom, group=group, agency=agencies.ngo, name="Sara Lind", user=personas.ngo
    )
    meeting = groups.meeting_record(actor=kom, group=group, held_on=dt.date(2026, 11, 5), agenda="Begging")
    return group, police, ngo, meeting


def test_kom_edits_the_group_a_member_and_the_minutes_and_a_stale_form_keeps_the_input(
    client, personas, group_world
):
    group, police, _ngo, meeting = group_world
    login_verified(client, personas.coordinator)
    url = reverse("coordination-group-edit", args=[group.pk])
    assert client.get(url).status_code == 200
    response = client.post(
        url,
        {"group-name": "Project group (KOM)", "group-description": "Monthly", "group-version": group.version},
    )
    assert response.status_code == 302
    group.refresh_from_db()
    assert (group.name, group.description) == ("Project group (KOM)", "Monthly")
    stale = client.post(
        url, {"group-name": "Old name", "group-description": "", "group-version": group.version - 1}
    )
    assert stale.status_code == 409 and "Old name" in stale.content.decode()
    group.refresh_from_db()
    assert group.name == "Project group (KOM)"

    url = reverse("coordination-member-edit", args=[police.pk])
    response = client.post(
        url,
        {"member-readiness_phone": "+47 900 00 099", "member-readiness_email": "vakt@politiet.no",
         "member-is_active": "on", "member-version": police.version},
    )  # fmt: skip
    assert response.status_code == 302
    police.refresh_from_db()
    assert (police.readiness_phone, police.readiness_email, police.is_active) == (
        "+47 900 00 099", "vakt@politiet.no", True,
    )  # fmt: skip
    bad = client.post(url, {"member-readiness_email": "not an address", "member-version": police.version})
    assert (
        bad.status_code == 200 and GroupMember.objects.get(pk=police.pk).readiness_email == "vakt@politiet.no"
    )

    url = reverse("coordination-meeting-edit", args=[meeting.pk])
    response = client.post(
        url,
        {"meeting-agenda": "Begging", "meeting-minutes": "Three towns report organised begging.",
         "meeting-attendees": [str(police.pk)], "meeting-version": meeting.version},
    )  # fmt: skip
    assert response.status_code == 302
    meeting.refresh_from_db()
    assert meeting.minutes == "Three towns report organised begging."
    assert list(meeting.attendees.all()) == [police]
    stale = client.post(
        url,
        {"meeting-agenda": "", "meeting-minutes": "My lost words", "meeting-version": meeting.version - 1},
    )
    assert stale.status_code == 409 and "My lost words" in stale.content.decode()


def test_members_see_but_do_not_edit_and_others_get_404(client, personas, group_world):
    group, police, _ngo, meeting = group_world
    urls = [
        reverse("coordination-group-edit", args=[group.pk]),
        reverse("coordination-member-edit", args=[police.pk]),
        reverse("coordination-meeting-edit", args=[meeting.pk]),
    ]
    login_verified(client, personas.ngo)  # a member
    assert client.get(reverse("coordination-group", args=[group.pk])).status_code == 200
    assert [client.get(u).status_code for u in urls] == [403, 403, 403]
    login_verified(client, personas.outsider)
    assert [client.get(u).status_code for u in urls] == [404, 404, 404]
    login_verified(client, personas.childwelfare)  # a caseworker, not a member
    assert [client.post(u, {}).status_code for u in urls] == [404, 404, 404]


@pytest.fixture
def api():
    return APIClient()


@pytest.fixture
def schema(api, db):
    return api.get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json").json()


def test_the_groups_api_records_a_meeting_with_decisions_and_tasks_and_the_member_marks_one_done(
    api, schema, personas, group_world
):
    group, police, ngo, _meeting = group_world

    def call(user, method, template, url, body=None):
        api.force_authenticate(user=verified(user))
        response = api.post(url, body, format="json") if method == "post" else api.get(url)
        check(schema, response, template, method)
        return response

    listed = call(personas.ngo, "get", "/api/coordination/groups/", "/api/coordination/groups/")
    assert [g["name"] for g in listed.json()["results"]] == ["Project group"]
    assert (
        call(personas.childwelfare, "get", "/api/coordination/groups/", "/api/coordination/groups/").json()[
            "results"
        ]
        == []
    )
    detail_t = "/api/coordination/groups/{group_id}/"
    detail = call(personas.ngo, "get", detail_t, f"/api/coordination/groups/{group.pk}/").json()
    assert {m["name"]: m["readiness_phone"] for m in detail["members"]} == {
        "Per Olsen": "+47 900 00 002", "Sara Lind": "",
    }  # fmt: skip
    assert (
        call(personas.outsider, "get", detail_t, f"/api/coordination/groups/{group.pk}/").status_code == 404
    )

    record_t = "/api/coordination/groups/{group_id}/meetings/"
    url = f"/api/coordination/groups/{group.pk}/meetings/"
    body = {
        "held_on": "2026-12-03",
        "place": "KOM, Oslo",
        "minutes": "Figures from the police districts are missing.",
        "attendees": [str(police.pk), str(ngo.pk)],
        "decisions": [
            {"text": "Ask the police districts for figures.",
             "tasks": [{"title": "Collect the figures", "responsible_id": str(police.pk), "due_on": "2026-12-17"}]},
            {"text": "Invite the labour inspection.",
             "tasks": [{"title": "Send the invitation", "responsible_id": str(police.pk), "due_on": None}]},
        ],
    }  # fmt: skip
    assert call(personas.ngo, "post", record_t, url, body).status_code == 403  # a member does not record
    assert call(personas.childwelfare, "post", record_t, url, body).status_code == 404
    bad = call(personas.coordinator, "post", record_t, url, body)
    assert bad.status_code == 400 and Meeting.objects.filter(group=group).count() == 1  # nothing saved
    body["decisions"][1]["tasks"][0]["due_on"] = "2026-12-20"
    body["decisions"][1]["tasks"][0]["responsible_id"] = "00000000-0000-0000-0000-000000000000"
    bad = call(personas.coordinator, "post", record_t, url, body)
    assert bad.status_code == 400 and "decisions.1.responsible" in bad.json()
    assert Meeting.objects.filter(group=group).count() == 1 and not FollowUpTask.objects.exists()
    body["decisions"][1]["tasks"][0]["responsible_id"] = str(ngo.pk)
    created = call(personas.coordinator, "post", record_t, url, body)
    assert created.status_code == 201
    meeting = created.json()
    assert [d["text"] for d in meeting["decisions"]] == [
        "Ask the police districts for figures.", "Invite the labour inspection.",
    ]  # fmt: skip
    assert sorted(meeting["attendees"]) == sorted([str(police.pk), str(ngo.pk)])
    shown = call(
        personas.police,
        "get",
        "/api/coordination/meetings/{meeting_id}/",
        f"/api/coordination/meetings/{meeting['id']}/",
    ).json()
    assert shown["minutes"] == "Figures from the police districts are missing."

    task = meeting["decisions"][0]["tasks"][0]
    done_t = "/api/coordination/tasks/{task_id}/done/"
    done_url = f"/api/coordination/tasks/{task['id']}/done/"
    assert call(personas.ngo, "post", done_t, done_url, {"version": task["version"]}).status_code == 403
    assert call(personas.outsider, "post", done_t, done_url, {"version": task["version"]}).status_code == 404
    marked = call(personas.police, "post", done_t, done_url, {"version": task["version"]})
    assert marked.status_code == 200 and marked.json()["state"] == TaskState.DONE
    again = call(personas.police, "post", done_t, done_url, {"version": task["version"]})
    assert again.status_code == 409  # the version moved on
