"""`varde legal`, `varde cooperation` and `varde return` (issue #16): each command works as a named
user on a case named by its reference, prints ids, codes and dates (never a name, never free text),
and a refusal names the option to fix, exits 2 and saves nothing."""

from __future__ import annotations

import datetime as dt
import json

import pytest

from varde.audit.models import AuditEvent
from varde.core import clock
from varde.response import legal_cli
from varde.response.models import (
    ClockState,
    CooperationState,
    FollowUpOutcome,
    LegalStatus,
    PoliceCooperation,
    ReturnFollowUp,
    ReturnOrganisation,
    ReturnState,
    Risk,
    Situation,
    VoluntaryReturn,
)

NAMES = ["Mihai", "Popescu", "Amina", "Yusuf", "Liang", "Wei", "Blessing", "Okafor"]
COMMANDS = [
    ["legal"],
    ["legal", "record"],
    ["legal", "list"],
    ["legal", "kinds"],
    ["cooperation"],
    ["cooperation", "record"],
    ["cooperation", "list"],
    ["return"],
    ["return", "plan"],
    ["return", "change"],
    ["return", "cancel"],
    ["return", "record"],
    ["return", "follow-up"],
    ["return", "list"],
]


def today() -> str:
    return clock.today().isoformat()


def no_names(*texts: str) -> bool:
    return not any(name in text for text in texts for name in NAMES)


def refused(varde, *argv: str) -> str:
    """Run a command that must be refused (exit code 2); what it said on stderr."""
    result = varde(*argv)
    assert result.code == 2, (result.out, result.err)
    return result.err


@pytest.fixture
def ref(world):
    return world.cases.police_adult.reference


@pytest.mark.parametrize("argv", COMMANDS, ids=" ".join)
def test_every_command_has_help_with_an_example(varde, argv):
    result = varde(*argv, "--help")
    assert result.code == 0
    assert "Example:\n  varde" in result.out and "usage: varde" in result.out


def test_the_written_out_choices_are_the_models():
    assert set(legal_cli.COOPERATION_STATES) == set(CooperationState.values)
    assert set(legal_cli.ORGANISATIONS) == set(ReturnOrganisation.values)
    assert set(legal_cli.OUTCOMES) == set(FollowUpOutcome.values)
    assert set(legal_cli.SITUATIONS) == set(Situation.values)
    assert set(legal_cli.RISKS) == set(Risk.values)


# --- varde legal ------------------------------------------------------------------------------------------


def test_legal_record_and_list(varde, world, ref):
    applied = varde(
        "legal", "record", "--user", "police", "--case", ref.lower(), "--kind", "temporary_permit_applied",
        "--from", "2026-09-01", "--json",
    )  # fmt: skip
    assert applied.code == 0, applied.err
    application = json.loads(applied.out)["id"]
    rejected = varde(
        "legal", "record", "--user", "police", "--case", ref, "--kind", "temporary_permit_rejected",
        "--from", "2026-09-20", "--authority", "une", "--reason", "Investigation closed for Amina",
    )  # fmt: skip
    assert rejected.code == 0, rejected.err
    assert f"decides application {application}" in rejected.out and "help: none" in rejected.out
    assert "Investigation closed" not in rejected.out and no_names(rejected.out, rejected.err)
    entry = LegalStatus.objects.get(kind="temporary_permit_rejected")
    assert (entry.authority, entry.application_id, entry.reason) == (
        "une",
        application,
        "Investigation closed for Amina",
    )
    event = AuditEvent.objects.get(object_type="response.legalstatus", object_id=str(entry.pk))
    assert event.actor_username == "police" and event.action == "create"

    listed = varde("legal", "list", "--user", "police", "--case", ref, "--json")
    assert listed.code == 0, listed.err
    data = json.loads(listed.out)
    assert [e["kind"] for e in data["entries"]] == ["temporary_permit_applied", "temporary_permit_rejected"]
    assert data["matters"] == [
        {"state": "rejected", "application": application, "decision": entry.pk, "withdrawn_by": None}
    ]
    assert data["current"] == [entry.pk] and data["help_system"] == "none"
    lines = varde("legal", "list", "--user", "police", "--case", ref)
    assert "matter: rejected" in lines.out and "in force today: temporary_permit_rejected" in lines.out
    assert no_names(listed.out, lines.out) and "Investigation" not in lines.out


def test_legal_record_with_the_criteria_starts_the_deadline(varde, world, ref):
    result = varde(
        "legal", "record", "--user", "police", "--case", ref, "--kind", "temporary_residence_cooperation",
        "--from", today(), "--criteria",
        "contact_ceased=yes,traffickers_reported=yes,police_investigating=no,presence_needed=yes",
    )  # fmt: skip
    assert result.code == 0, result.err
    assert "deadline started: temporary_residence" in result.out
    assert LegalStatus.objects.get().criteria["police_investigating"] is False


@pytest.mark.parametrize(
    ("extra", "option"),
    [
        (["--kind", "temporary_permit_rejected", "--from", "2026-09-01"], "--from"),  # before its application
        (
            ["--kind", "temporary_permit_rejected", "--from", "2026-09-20", "--authority", "police"],
            "--authority",
        ),
        (
            ["--kind", "temporary_permit_rejected", "--from", "2026-09-20", "--application", "999999"],
            "--application",
        ),
        (["--kind", "renewal_applied", "--from", "2026-09-20"], "--kind"),
        (["--kind", "temporary_residence_cooperation", "--from", "2026-09-20"], "--criteria"),
        (["--kind", "asylum_seeker", "--from", "2026-09-20", "--to", "2026-09-01"], "--to"),
    ],
)
def test_legal_record_refusals_name_the_option_and_save_nothing(varde, world, ref, extra, option):
    varde(
        "legal", "record", "--user", "police", "--case", ref, "--kind", "temporary_permit_applied",
        "--from", "2026-09-10",
    )  # fmt: skip
    before = LegalStatus.objects.count()
    result = varde("legal", "record", "--user", "police", "--case", ref, *extra)
    assert result.code == 2, result.out
    assert result.err.startswith(f"varde legal: {option}"), result.err
    assert LegalStatus.objects.count() == before


def test_bad_arguments_and_unseen_cases_are_refused(varde, world, ref):
    record = ("legal", "record", "--case", ref, "--kind", "asylum_seeker")
    outsider = refused(varde, *record, "--user", "outsider", "--from", "2026-09-01")
    assert "--case: no case" in outsider
    refused(varde, "legal", "list", "--user", "nobody", "--case", ref)
    assert "YYYY-MM-DD" in refused(varde, *record, "--user", "police", "--from", "1.9.2026")
    criteria = refused(
        varde, *record, "--user", "police", "--from", "2026-09-01", "--criteria", "contact_ceased"
    )
    assert "name=yes" in criteria
    assert not LegalStatus.objects.exists()


def test_legal_kinds(varde):
    result = varde("legal", "kinds", "--json")
    assert result.code == 0
    kinds = {k["kind"]: k for k in json.loads(result.out)["kinds"]}
    assert kinds["temporary_permit_rejected"]["deciders"] == ["udi", "une"]
    assert kinds["temporary_residence_cooperation"]["criteria"] == [
        "contact_ceased",
        "traffickers_reported",
        "police_investigating",
        "presence_needed",
    ]


# --- varde cooperation ------------------------------------------------------------------------------------


def test_cooperation_record_and_list(varde, world, ref):
    first = varde(
        "cooperation", "record", "--user", "ngo", "--case", ref, "--state", "considering",
        "--on", "2026-10-01",
    )  # fmt: skip
    assert first.code == 0, first.err
    later = varde(
        "cooperation", "record", "--user", "police", "--case", ref, "--state", "reported", "--on", "today"
    )
    assert later.code == 0 and "reported as of" in later.out
    entry = PoliceCooperation.objects.get(state="reported")
    assert AuditEvent.objects.filter(
        object_type="response.policecooperation", object_id=str(entry.pk)
    ).exists()
    listed = json.loads(varde("cooperation", "list", "--user", "police", "--case", ref, "--json").out)
    assert listed["current"] == "reported" and [e["state"] for e in listed["entries"]] == [
        "considering",
        "reported",
    ]


def test_cooperation_refusals(varde, world, ref):
    record = ("cooperation", "record", "--user", "police", "--case", ref)
    future = (clock.today() + dt.timedelta(days=2)).isoformat()
    assert refused(varde, *record, "--state", "declined", "--on", future).startswith(
        "varde cooperation: --on:"
    )
    assert "--state" in refused(varde, *record, "--state", "maybe", "--on", "today")
    assert "--corrects" in refused(
        varde, *record, "--state", "declined", "--on", "today", "--corrects", "4242"
    )
    assert not PoliceCooperation.objects.exists()


# --- varde return -----------------------------------------------------------------------------------------


def test_plan_change_record_follow_up_and_list(varde, world, ref):
    plan = varde(
        "return", "plan", "--user", "police", "--case", ref, "--country", "ro", "--planned-on", today(),
        "--escort", "--reception", "Met by Amina's aunt",
    )  # fmt: skip
    assert plan.code == 0, plan.err
    assert "planned: iom to RO" in plan.out and no_names(plan.out) and "aunt" not in plan.out
    ret = VoluntaryReturn.objects.get()
    stale = varde("return", "change", "--user", "police", "--case", ref, "--country", "BG", "--version", "7")
    assert stale.code == 2 and stale.err.startswith("varde return: --version:"), stale.err
    changed = varde("return", "change", "--user", "police", "--case", ref, "--no-escort", "--version", "1")
    assert changed.code == 0 and "changed: escort" in changed.out and "(version 2)" in changed.out
    recorded = varde("return", "record", "--user", "police", "--case", ref, "--returned-on", "today")
    assert recorded.code == 0, recorded.err
    assert "follow-up at 3 months due" in recorded.out and "follow-up at 12 months due" in recorded.out
    follow_up = varde(
        "return", "follow-up", "--user", "police", "--case", ref, "--stage", "3", "--on", "today",
        "--outcome", "reached", "--housing", "good", "--education-work", "poor", "--risk", "low",
    )  # fmt: skip
    assert follow_up.code == 0, follow_up.err
    saved = ReturnFollowUp.objects.get()
    assert (saved.housing, saved.education_work, saved.re_trafficking_risk) == ("good", "poor", "low")
    assert saved.clock is not None and saved.clock.state == ClockState.MET
    ret.refresh_from_db()
    assert (ret.state, ret.escort, ret.version) == (ReturnState.RETURNED, False, 3)
    actions = AuditEvent.objects.filter(object_type="response.voluntaryreturn", object_id=str(ret.pk))
    assert [e.action for e in actions] == ["create", "update", "update"]

    listed = varde("return", "list", "--user", "police", "--case", ref, "--json")
    [row] = json.loads(listed.out)["returns"]
    assert row["state"] == "returned" and [s["stage"] for s in row["follow_ups"]] == [3, 6, 12]
    assert row["follow_ups"][0]["outcome"] == "reached" and row["follow_ups"][1]["clock_state"] == "running"
    lines = varde("return", "list", "--user", "police", "--case", ref)
    assert "returned" in lines.out and no_names(lines.out, listed.out)


def test_return_refusals_name_the_option_and_save_nothing(varde, world, ref):
    def follow_up(stage: str):
        return varde(
            "return", "follow-up", "--user", "police", "--case", ref, "--stage", stage, "--on", "today",
            "--outcome", "reached",
        )  # fmt: skip

    bad = varde(
        "return", "plan", "--user", "police", "--case", ref, "--country", "XX", "--planned-on", today()
    )
    assert bad.code == 2 and bad.err.startswith("varde return: --country:"), bad.err
    early = varde(
        "return", "plan", "--user", "police", "--case", ref, "--country", "RO", "--planned-on", "2026-01-01"
    )
    assert early.code == 2 and "--planned-on:" in early.err
    other = varde(
        "return", "plan", "--user", "police", "--case", ref, "--country", "RO", "--planned-on", today(),
        "--organisation", "other",
    )  # fmt: skip
    assert other.code == 2 and "--organisation-name:" in other.err
    nothing = varde("return", "record", "--user", "police", "--case", ref, "--returned-on", "today")
    assert nothing.code == 2 and "--country" in nothing.err
    assert not VoluntaryReturn.objects.exists()
    no_return = follow_up("3")
    assert no_return.code == 2 and "--return" in no_return.err

    varde("return", "plan", "--user", "police", "--case", ref, "--country", "RO", "--planned-on", today())
    future = (clock.today() + dt.timedelta(days=1)).isoformat()
    ahead = varde("return", "record", "--user", "police", "--case", ref, "--returned-on", future)
    assert ahead.code == 2 and "--returned-on:" in ahead.err
    assert VoluntaryReturn.objects.get().state == ReturnState.PLANNED
    unknown = varde(
        "return", "cancel", "--user", "police", "--case", ref, "--reason", "x", "--return", "not-an-id"
    )
    assert unknown.code == 2 and "--return" in unknown.err
    varde("return", "record", "--user", "police", "--case", ref, "--returned-on", "today")
    stage = follow_up("4")
    assert stage.code == 2 and "--stage:" in stage.err
    assert not ReturnFollowUp.objects.exists()


def test_record_at_once_without_a_plan(varde, world, ref):
    result = varde(
        "return", "record", "--user", "police", "--case", ref, "--returned-on", "today", "--country", "NG",
        "--escort",
    )  # fmt: skip
    assert result.code == 0, result.err
    ret = VoluntaryReturn.objects.get()
    assert (ret.state, ret.country, ret.escort, ret.organisation) == (ReturnState.RETURNED, "NG", True, "iom")


def test_cancel(varde, world, ref):
    varde("return", "plan", "--user", "police", "--case", ref, "--country", "RO", "--planned-on", today())
    done = varde("return", "cancel", "--user", "police", "--case", ref, "--reason", "She chose to stay")
    assert done.code == 0 and "cancelled" in done.out
    assert VoluntaryReturn.objects.get().state == ReturnState.CANCELLED
    again = varde("return", "cancel", "--user", "police", "--case", ref, "--reason", "Again")
    assert again.code == 2 and "no return is planned" in again.err


def test_a_childs_return_needs_the_two_checks(varde, world):
    ref = world.cases.childwelfare_child.reference
    varde(
        "return", "plan", "--user", "childwelfare", "--case", ref, "--country", "RO", "--planned-on", today()
    )
    refused = varde("return", "record", "--user", "childwelfare", "--case", ref, "--returned-on", "today")
    assert refused.code == 2 and refused.err.startswith("varde return: --guardian-consulted:"), refused.err
    changed = varde(
        "return", "change", "--user", "childwelfare", "--case", ref, "--guardian-consulted", "yes",
        "--best-interests-assessed", "yes",
    )  # fmt: skip
    assert changed.code == 0, changed.err
    done = varde("return", "record", "--user", "childwelfare", "--case", ref, "--returned-on", "today")
    assert done.code == 0, done.err
    assert VoluntaryReturn.objects.get().was_child is True
