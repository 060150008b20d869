"""The response page after the reflection period (issue 16): the legal path (applications with their
outcome, the help system that follows), cooperation with the police, and a voluntary return with its
follow-ups. Every form: success (audited), each error shown with nothing saved, and the outsider's 404."""

from __future__ import annotations

import datetime as dt

import pytest
from django.conf import settings
from django.urls import reverse

from varde.audit.models import AuditEvent
from varde.cases.models import CaseStatus
from varde.core import clock
from varde.response import returns
from varde.response.models import (
    Clock,
    ClockState,
    LegalStatus,
    PoliceCooperation,
    ReturnFollowUp,
    ReturnState,
    VoluntaryReturn,
)


@pytest.fixture
def english(client):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


def _page(client, case) -> str:
    response = client.get(reverse("case-response", args=[case.pk]))
    assert response.status_code == 200
    return response.content.decode()


def _audited(model, pk) -> bool:
    return AuditEvent.objects.filter(object_type=model._meta.label_lower, object_id=str(pk)).exists()


def _shows_error(response, summary: str, prefix: str, field: str, message: str) -> None:
    """The page again (200) with the form's error summary, the field's own error and the message."""
    assert response.status_code == 200, (field, message)
    html = response.content.decode()
    assert f'id="{summary}-errors"' in html, (field, message)
    assert f'id="id_{prefix}-{field}_error"' in html, (field, message)
    assert message in html.replace("&#x27;", "'"), (field, message)


def _legal(client, case, **fields):
    return client.post(
        reverse("case-legal-status", args=[case.pk]), {f"legal-{k}": v for k, v in fields.items()}
    )


def _plan(client, case, **fields):
    data = {"organisation": "iom", "country": "RO", "planned_on": clock.today().isoformat(), **fields}
    return client.post(
        reverse("case-return-plan", args=[case.pk]), {f"return-{k}": v for k, v in data.items()}
    )


def _ret_post(client, case, action, ret, **fields):
    prefix = {"change": "return-change", "record": "return-record", "cancel": "return-cancel"}[action]
    data = {"voluntary_return": str(ret.pk), "version": ret.version, **fields}
    return client.post(
        reverse(f"case-return-{action}", args=[case.pk]), {f"{prefix}-{k}": v for k, v in data.items()}
    )


def _follow_up(client, case, ret, **fields):
    data = {
        "voluntary_return": str(ret.pk),
        "stage": "3",
        "on_date": clock.today().isoformat(),
        "outcome": "reached",
        "housing": "good",
        "income": "uncertain",
        "education_work": "poor",
        "health": "good",
        "re_trafficking_risk": "low",
        "note": "",
        **fields,
    }
    return client.post(
        reverse("case-return-follow-up", args=[case.pk]), {f"followup-{k}": v for k, v in data.items()}
    )


NEW_POSTS = [
    "case-police-cooperation",
    "case-return-plan",
    "case-return-change",
    "case-return-record",
    "case-return-cancel",
    "case-return-follow-up",
]


# --- access ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize("persona", ["outsider", "analyst"])
@pytest.mark.parametrize("name", [*NEW_POSTS, "case-legal-status"])
def test_outsider_gets_404_on_every_new_form(login, world, client, persona, name):
    case = world.cases.police_adult
    ret = returns.return_plan(
        actor=world.personas.police, case=case, organisation="iom", country="RO", planned_on=clock.today()
    )
    login(getattr(world.personas, persona))
    body = {
        "police-state": "reported",
        "police-on_date": clock.today().isoformat(),
        "return-organisation": "iom",
        "return-country": "RO",
        "return-planned_on": clock.today().isoformat(),
        "return-change-voluntary_return": str(ret.pk),
        "return-change-version": ret.version,
        "return-change-organisation": "iom",
        "return-change-country": "BG",
        "return-change-planned_on": clock.today().isoformat(),
        "return-cancel-voluntary_return": str(ret.pk),
        "return-cancel-version": ret.version,
        "return-cancel-reason": "Changed her mind",
        "return-record-voluntary_return": str(ret.pk),
        "return-record-version": ret.version,
        "return-record-returned_on": clock.today().isoformat(),
        "legal-kind": "temporary_permit_applied",
        "legal-from_date": clock.today().isoformat(),
    }
    assert client.post(reverse(name, args=[case.pk]), body).status_code == 404
    ret.refresh_from_db()
    assert (ret.state, ret.country, ret.version) == (ReturnState.PLANNED, "RO", 1)
    assert not PoliceCooperation.objects.exists() and not LegalStatus.objects.exists()


def test_a_return_of_another_case_is_not_reachable_through_this_one(login, world, client):
    """The form names the return; one of a case the user cannot see (or of another case) is refused."""
    hidden = returns.return_plan(
        actor=world.personas.childwelfare,
        case=world.cases.childwelfare_adult,
        organisation="iom",
        country="RO",
        planned_on=clock.today(),
    )
    login(world.personas.police)
    case = world.cases.police_adult
    response = _ret_post(client, case, "cancel", hidden, reason="Not mine")
    assert response.status_code == 200
    hidden.refresh_from_db()
    assert hidden.state == ReturnState.PLANNED and hidden.version == 1


# --- the legal path -------------------------------------------------------------------------------------


def test_temporary_permit_application_and_rejection_show_the_legal_path(login, world, client, english):
    case = world.cases.police_adult
    login(world.personas.police)
    assert _legal(client, case, kind="reflection_applied", from_date="2026-03-01").status_code == 302
    assert (
        _legal(client, case, kind="reflection_granted", from_date="2026-03-03", authority="udi").status_code
        == 302
    )
    assert _legal(client, case, kind="temporary_permit_applied", from_date="2026-08-20").status_code == 302
    application = LegalStatus.objects.get(case=case, kind="temporary_permit_applied")
    html = _page(client, case)
    # The pending application is offered to the decision that decides it.
    assert f'<option value="{application.pk}">' in html
    assert "Pending" in html

    response = _legal(
        client,
        case,
        kind="temporary_permit_rejected",
        from_date="2026-09-15",
        authority="udi",
        reason="The police are not investigating.",
        application=application.pk,
    )
    assert response.status_code == 302
    decision = LegalStatus.objects.get(case=case, kind="temporary_permit_rejected")
    assert (decision.application, decision.authority, decision.reason) == (
        application,
        "udi",
        "The police are not investigating.",
    )
    assert _audited(LegalStatus, decision.pk)
    html = _page(client, case)
    assert "Temporary permit applied for" in html and "Rejected" in html
    assert "UDI (Directorate of Immigration)" in html and "The police are not investigating." in html
    # The rights, the responsible authority, the help system and the legal source of the current status.
    assert "Now: Temporary permit rejected" in html
    assert "A voluntary return with IOM can be offered" in html
    assert "No set arrangement: agree who helps" in html
    assert "forvaltningsloven § 28 og § 29" in html
    # The rejection moved the person out of the municipality's help: the page warns.
    assert 'data-testid="help-system-change"' in html
    assert "Help moves to another system" in html
    # Nothing pending any more: the form no longer asks which application a decision decides.
    assert 'name="legal-application"' not in html


def test_no_warning_while_the_help_system_stays_the_same(login, world, client, english):
    case = world.cases.police_adult
    login(world.personas.police)
    _legal(client, case, kind="reflection_applied", from_date="2026-03-01")
    _legal(client, case, kind="reflection_granted", from_date="2026-03-03")
    html = _page(client, case)
    assert "Now: Reflection period granted" in html
    assert "The municipality and NAV" in html
    assert 'data-testid="help-system-change"' not in html


@pytest.mark.parametrize(
    ("fields", "field", "message"),
    [
        ({"kind": "", "from_date": "2026-09-15"}, "kind", "This field is required."),
        ({"kind": "temporary_permit_rejected"}, "from_date", "This field is required."),
        (
            {"kind": "temporary_permit_rejected", "from_date": "2026-08-01"},
            "from_date",
            "The decision cannot be dated before its application (20.08.2026).",
        ),
        (
            {"kind": "temporary_permit_rejected", "from_date": "2026-09-15", "authority": "court"},
            "authority",
            "This authority does not decide this kind of matter.",
        ),
        (
            {"kind": "renewal_applied", "from_date": "2026-09-15"},
            "kind",
            "No temporary permit has been granted in this case by that date: there is nothing to renew.",
        ),
        (
            {"kind": "temporary_permit_applied", "from_date": "2026-09-15"},
            "kind",
            "An application of this kind is already waiting for a decision (20.08.2026).",
        ),
        (
            {"kind": "temporary_permit_rejected", "from_date": "2026-09-15", "application": "999999"},
            "application",
            "Select a valid choice.",
        ),
    ],
)
def test_legal_status_errors_are_shown_and_nothing_is_saved(
    login, world, client, english, fields, field, message
):
    case = world.cases.police_adult
    login(world.personas.police)
    _legal(client, case, kind="temporary_permit_applied", from_date="2026-08-20")
    before = LegalStatus.objects.count()
    _shows_error(_legal(client, case, **fields), "legal", "legal", field, message)
    assert LegalStatus.objects.count() == before


def test_an_outcome_on_a_withdrawn_application_is_refused(login, world, client, english):
    """Applying for a reflection period withdrew the asylum application: it is no longer offered, and
    an asylum decision has no open application to decide."""
    case = world.cases.police_adult
    login(world.personas.police)
    _legal(client, case, kind="asylum_seeker", from_date="2026-02-01")
    _legal(client, case, kind="reflection_applied", from_date="2026-02-10")
    asylum = LegalStatus.objects.get(case=case, kind="asylum_seeker")
    html = _page(client, case)
    assert "Withdrawn" in html
    assert f'<option value="{asylum.pk}">' not in html
    response = _legal(client, case, kind="asylum_rejected", from_date="2026-03-01", authority="udi")
    assert response.status_code == 200
    assert "The application was withdrawn: it has no outcome." in response.content.decode()
    assert not LegalStatus.objects.filter(kind="asylum_rejected").exists()


def test_criteria_of_a_temporary_permit_are_recorded_and_shown(login, world, client, english):
    case = world.cases.police_adult
    login(world.personas.police)
    _legal(client, case, kind="temporary_permit_applied", from_date="2026-08-20")
    response = client.post(
        reverse("case-legal-status", args=[case.pk]),
        {
            "legal-kind": "temporary_residence_cooperation",
            "legal-from_date": "2026-09-01",
            "legal-criteria": ["contact_ceased", "traffickers_reported"],
        },
    )
    assert response.status_code == 302
    granted = LegalStatus.objects.get(case=case, kind="temporary_residence_cooperation")
    assert granted.criteria == {
        "contact_ceased": True,
        "traffickers_reported": True,
        "police_investigating": False,
        "presence_needed": False,
    }
    assert granted.authority == "udi"  # the rules' first decider when none is given
    html = _page(client, case)
    assert "Granted" in html and "The police are investigating: not met" in html


# --- cooperation with the police ------------------------------------------------------------------------


def test_police_cooperation_is_recorded_and_shown_over_time(login, world, client, english):
    case = world.cases.police_adult
    login(world.personas.ngo)  # a partner hears it first: any participant records it
    url = reverse("case-police-cooperation", args=[case.pk])
    assert (
        client.post(url, {"police-state": "considering", "police-on_date": "2026-05-01"}).status_code == 302
    )
    response = client.post(
        url, {"police-state": "reported", "police-on_date": "2026-06-01", "police-note": "Statement at STOP"}
    )
    assert response.status_code == 302 and response["Location"].endswith("#police-heading")
    entries = list(PoliceCooperation.objects.filter(case=case))
    assert [e.state for e in entries] == ["considering", "reported"]
    assert all(_audited(PoliceCooperation, e.pk) for e in entries)
    html = _page(client, case)
    assert "Now: Reported the traffickers" in html
    assert "Considering" in html and "Statement at STOP" in html and "ROSA" in html


@pytest.mark.parametrize(
    ("fields", "field", "message"),
    [
        ({"police-on_date": "2026-06-01"}, "state", "This field is required."),
        ({"police-state": "nonsense", "police-on_date": "2026-06-01"}, "state", "Select a valid choice."),
        ({"police-state": "reported"}, "on_date", "This field is required."),
        ("future", "on_date", "The date cannot be in the future."),
    ],
)
def test_police_cooperation_errors_save_nothing(login, world, client, english, fields, field, message):
    case = world.cases.police_adult
    login(world.personas.police)
    if fields == "future":
        fields = {
            "police-state": "reported",
            "police-on_date": (clock.today() + dt.timedelta(days=2)).isoformat(),
        }
    response = client.post(reverse("case-police-cooperation", args=[case.pk]), fields)
    _shows_error(response, "police", "police", field, message)
    assert not PoliceCooperation.objects.exists()


# --- voluntary return -----------------------------------------------------------------------------------


def test_return_planned_changed_recorded_and_followed_up(login, world, client, english):
    case = world.cases.police_adult
    login(world.personas.police)
    today = clock.today()
    response = _plan(client, case, escort="on", reception="Met by IOM Bucharest; a shelter in Iasi")
    assert response.status_code == 302 and response["Location"].endswith("#return-heading")
    ret = VoluntaryReturn.objects.get(case=case)
    assert (ret.organisation, ret.country, ret.escort, ret.state) == ("iom", "RO", True, ReturnState.PLANNED)
    assert ret.guardian_consulted is None  # an adult's case: the child checks are not asked
    assert _audited(VoluntaryReturn, ret.pk)
    html = _page(client, case)
    assert "Return to Romania" in html and "Met by IOM Bucharest" in html
    assert 'name="return-change-guardian_consulted"' not in html
    # One plan at a time: the form to plan another is gone while this one is open.
    assert f'action="{reverse("case-return-plan", args=[case.pk])}"' not in html

    response = _ret_post(
        client,
        case,
        "change",
        ret,
        organisation="other",
        organisation_name="Caritas Romania",
        country="RO",
        planned_on=today.isoformat(),
    )
    assert response.status_code == 302
    ret.refresh_from_db()
    assert (ret.organisation, ret.organisation_name, ret.escort, ret.version) == (
        "other",
        "Caritas Romania",
        False,
        2,
    )

    assert _ret_post(client, case, "record", ret, returned_on=today.isoformat()).status_code == 302
    ret.refresh_from_db()
    assert ret.state == ReturnState.RETURNED and ret.returned_on == today
    html = _page(client, case)
    assert 'data-testid="follow-ups"' in html
    assert "3 months after the return" in html and "12 months after the return" in html
    due = Clock.objects.get(case=case, kind="return_followup", stage=3).due_at
    assert clock.localtime(due).date().isoformat() in html
    # The plan's forms are gone once the person has returned; the follow-up form is there.
    assert 'name="return-record-returned_on"' not in html
    assert 'name="followup-outcome"' in html

    response = _follow_up(client, case, ret, note="Living with her sister")
    assert response.status_code == 302
    follow_up = ReturnFollowUp.objects.get(voluntary_return=ret)
    assert (follow_up.stage, follow_up.outcome, follow_up.education_work) == (3, "reached", "poor")
    assert _audited(ReturnFollowUp, follow_up.pk)
    assert Clock.objects.get(case=case, kind="return_followup", stage=3).state == ClockState.MET
    html = _page(client, case)
    assert "Reached" in html and "Living with her sister" in html
    assert "Not yet recorded" in html  # 6 and 12 months


@pytest.mark.parametrize(
    ("fields", "field", "message"),
    [
        ({"country": ""}, "country", "This field is required."),
        ({"country": "XX"}, "country", "Select a valid choice."),
        ({"organisation": "other"}, "organisation_name", "Name the organisation that assists the return."),
        ({"planned_on": ""}, "planned_on", "This field is required."),
        ({"planned_on": "2020-01-01"}, "planned_on", "The return cannot be before the case opened"),
    ],
)
def test_return_plan_errors_save_nothing(login, world, client, english, fields, field, message):
    case = world.cases.police_adult
    login(world.personas.police)
    _shows_error(_plan(client, case, **fields), "return", "return", field, message)
    assert not VoluntaryReturn.objects.exists()


def test_return_record_and_cancel_errors_save_nothing(login, world, client, english):
    case = world.cases.police_adult
    login(world.personas.police)
    _plan(client, case)
    ret = VoluntaryReturn.objects.get(case=case)
    future = (clock.today() + dt.timedelta(days=3)).isoformat()
    response = _ret_post(client, case, "record", ret, returned_on=future)
    assert response.status_code == 200
    html = response.content.decode()
    assert 'id="return-record-errors"' in html
    assert "The return cannot be in the future: record it when it has happened." in html
    response = _ret_post(client, case, "record", ret, returned_on="2020-01-01")
    assert "The return cannot be before the case opened" in response.content.decode()
    response = _ret_post(client, case, "cancel", ret, reason="")
    assert response.status_code == 200 and 'id="id_return-cancel-reason_error"' in response.content.decode()
    ret.refresh_from_db()
    assert (ret.state, ret.version) == (ReturnState.PLANNED, 1)
    assert not Clock.objects.filter(case=case, kind="return_followup").exists()

    response = _ret_post(client, case, "cancel", ret, reason="She wants to stay and testify")
    assert response.status_code == 302
    ret.refresh_from_db()
    assert ret.state == ReturnState.CANCELLED and "testify" in ret.note
    # Cancelled: a new return can be planned.
    assert 'name="return-planned_on"' in _page(client, case)


def test_a_stale_return_form_is_a_conflict_that_keeps_the_input(login, world, client, english):
    case = world.cases.police_adult
    login(world.personas.police)
    _plan(client, case)
    ret = VoluntaryReturn.objects.get(case=case)
    stale = VoluntaryReturn.objects.get(pk=ret.pk)
    # Someone else changes the plan meanwhile.
    returns.return_plan_change(actor=world.personas.ngo, ret=ret, version=1, country="BG")
    response = _ret_post(
        client, case, "change", stale, organisation="iom", country="MD", planned_on=clock.today().isoformat()
    )
    assert response.status_code == 409
    html = response.content.decode()
    assert "Someone else changed this return while you were working" in html
    assert "Return to Bulgaria" in html  # the plan as it is now
    assert '<option value="MD" selected data-names="moldova">' in html  # the user's input, kept
    assert 'name="return-change-version" value="2"' in html
    ret.refresh_from_db()
    assert (ret.country, ret.version) == ("BG", 2)
    response = _ret_post(client, case, "record", stale, returned_on=clock.today().isoformat())
    assert response.status_code == 409
    ret.refresh_from_db()
    assert ret.state == ReturnState.PLANNED


def test_a_childs_return_needs_the_guardian_and_the_best_interests_assessment(login, world, client, english):
    case = world.cases.childwelfare_child
    login(world.personas.childwelfare)
    html = _page(client, case)
    assert 'name="return-guardian_consulted"' in html and 'name="return-best_interests_assessed"' in html
    assert _plan(client, case).status_code == 302
    ret = VoluntaryReturn.objects.get(case=case)
    assert (ret.guardian_consulted, ret.best_interests_assessed, ret.was_child) == (False, False, True)
    response = _ret_post(client, case, "record", ret, returned_on=clock.today().isoformat())
    assert response.status_code == 200
    assert "A child&#x27;s return needs the guardian consulted first." in response.content.decode()
    ret.refresh_from_db()
    assert ret.state == ReturnState.PLANNED

    response = _ret_post(
        client,
        case,
        "change",
        ret,
        organisation="iom",
        country="RO",
        planned_on=clock.today().isoformat(),
        guardian_consulted="on",
        best_interests_assessed="on",
    )
    assert response.status_code == 302
    ret.refresh_from_db()
    assert _ret_post(client, case, "record", ret, returned_on=clock.today().isoformat()).status_code == 302
    ret.refresh_from_db()
    assert ret.state == ReturnState.RETURNED


def test_follow_up_errors_save_nothing(login, world, client, english):
    case = world.cases.police_adult
    login(world.personas.police)
    ret = returns.voluntary_return_record(
        actor=world.personas.police, case=case, returned_on=clock.today(), country="RO"
    )
    checks = [
        ({"outcome": ""}, "outcome", "This field is required."),
        ({"stage": "4"}, "stage", "Select a valid choice."),
        ({"on_date": (clock.today() - dt.timedelta(days=1)).isoformat()}, "on_date", "before the return"),
        (
            {"on_date": (clock.today() + dt.timedelta(days=1)).isoformat()},
            "on_date",
            "cannot be in the future",
        ),
        ({"housing": "splendid"}, "housing", "Select a valid choice."),
    ]
    for fields, field, message in checks:
        _shows_error(_follow_up(client, case, ret, **fields), "follow-up", "followup", field, message)
    assert not ReturnFollowUp.objects.exists()
    assert _follow_up(client, case, ret).status_code == 302
    response = _follow_up(client, case, ret)
    assert "This follow-up is already recorded." in response.content.decode()
    assert ReturnFollowUp.objects.count() == 1


# --- closing a case as returned home --------------------------------------------------------------------


def test_closing_as_returned_home_without_a_return_links_to_the_return_section(login, world, client, english):
    case = world.cases.police_adult
    login(world.personas.police)

    def close_as_returned_home():
        return client.post(
            reverse("case-status", args=[case.pk]),
            {
                "status-status": "closed",
                "status-closure_reason": "returned_home",
                "status-reason": "She went home",
                "status-version": case.version,
            },
        )

    response = close_as_returned_home()
    assert response.status_code == 200
    html = response.content.decode()
    assert 'id="id_status-closure_reason_error"' in html
    assert "Record the voluntary return first" in html
    assert f'href="{reverse("case-response", args=[case.pk])}#return-heading"' in html
    case.refresh_from_db()
    assert case.status == CaseStatus.REPORTED

    returns.voluntary_return_record(
        actor=world.personas.police, case=case, returned_on=clock.today(), country="RO"
    )
    case.refresh_from_db()
    response = close_as_returned_home()
    assert response.status_code == 302
    case.refresh_from_db()
    assert case.status == CaseStatus.CLOSED


def test_response_page_query_budget_with_returns(login, world, client, django_assert_max_num_queries):
    """The new sections read in a fixed number of queries, however many follow-ups."""
    case = world.cases.police_adult
    police = world.personas.police
    ret = returns.voluntary_return_record(actor=police, case=case, returned_on=clock.today(), country="RO")
    for stage in (3, 6):
        returns.follow_up_record(actor=police, ret=ret, stage=stage, on_date=clock.today(), outcome="reached")
    login(police)
    with django_assert_max_num_queries(80):
        assert client.get(reverse("case-response", args=[case.pk])).status_code == 200
