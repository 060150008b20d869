"""Yearly status reports on measures: the responsible ministry (or KOM) writes, submits, and a second
person approves before it is final; every step audited and kept as a revision."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from varde.audit.models import AuditEvent
from varde.coordination import measures as svc
from varde.coordination.models import Measure, MeasureStatus, Ministry, ReportState, StatusReportRevision
from varde.core.errors import EditConflict, NotPermitted, TransitionNotAllowed

pytestmark = pytest.mark.django_db


@pytest.fixture
def m33():
    """2006-2009 measure 33 (the MFA's, seed 004)."""
    return Measure.objects.get(plan__code="2006-2009", number=33)


def _ud():
    return Ministry.objects.get(code="ud")


def _write(user, measure, **kw):
    return svc.status_report_save(
        actor=user,
        measure=measure,
        ministry=_ud(),
        year=2007,
        status=kw.pop("status", MeasureStatus.ONGOING),
        done=kw.pop("done", "Supported IOM in Kenya and COMMIT in the Mekong region."),
        spending_nok=kw.pop("spending_nok", 12_500_000),
        **kw,
    )


def test_a_ministry_user_writes_submits_and_a_second_person_approves(ministry_users, m33):
    report = _write(ministry_users.ud, m33)
    assert report.state == ReportState.DRAFT and report.revision == 1
    report = svc.status_report_submit(actor=ministry_users.ud, report=report, version=report.version)
    assert report.state == ReportState.SUBMITTED
    with pytest.raises(NotPermitted):  # four eyes: not the one who wrote and submitted it
        svc.status_report_approve(actor=ministry_users.ud, report=report, version=report.version)
    report = svc.status_report_approve(actor=ministry_users.ud_second, report=report, version=report.version)
    assert report.is_final and report.approved_by == ministry_users.ud_second
    steps = list(StatusReportRevision.objects.filter(report=report).values_list("step", "by__username"))
    assert steps == [("saved", "ud.writer"), ("submitted", "ud.writer"), ("approved", "ud.approver")]
    actions = set(AuditEvent.objects.filter(object_id=str(report.pk)).values_list("action", flat=True))
    assert {"create", "update", "approve"} <= actions
    with pytest.raises(TransitionNotAllowed):  # final
        _write(ministry_users.ud, m33, version=report.version)


def test_the_coordinator_approves_a_ministry_report_and_may_write_one(ministry_users, personas, m33):
    report = _write(ministry_users.ud, m33)
    report = svc.status_report_submit(actor=ministry_users.ud, report=report, version=report.version)
    assert svc.status_report_approve(
        actor=personas.coordinator, report=report, version=report.version
    ).is_final
    other = Measure.objects.get(plan__code="2006-2009", number=34)
    assert _write(personas.coordinator, other).written_by == personas.coordinator


def test_another_ministry_and_case_workers_may_not_report(ministry_users, personas, m33):
    with pytest.raises(NotPermitted):
        _write(ministry_users.jd, m33)  # measure 33 is the MFA's; the JD writes only for the JD
    with pytest.raises(NotPermitted):
        _write(personas.police, m33)
    # 2011-2014 measure 4 is the Ministry of Defence's alone: not the MFA's to report on.
    with pytest.raises(NotPermitted):
        _write(ministry_users.ud, Measure.objects.get(plan__code="2011-2014", number=4))


def test_a_measure_whose_ministries_the_sources_leave_open_may_be_reported_by_any_ministry(ministry_users):
    open_measure = Measure.objects.get(plan__code="2006-2009", number=5)
    assert not open_measure.ministries_verified
    assert _write(ministry_users.ud, open_measure, status=MeasureStatus.NOT_STARTED, done="").pk


def test_a_returned_report_goes_back_to_draft_with_the_reason_and_a_new_revision(ministry_users, m33):
    report = _write(ministry_users.ud, m33)
    report = svc.status_report_submit(actor=ministry_users.ud, report=report, version=report.version)
    with pytest.raises(TransitionNotAllowed):  # waiting for approval: not edited meanwhile
        _write(ministry_users.ud, m33, version=report.version)
    with pytest.raises(ValidationError):
        svc.status_report_return(
            actor=ministry_users.ud_second, report=report, version=report.version, reason=" "
        )
    report = svc.status_report_return(
        actor=ministry_users.ud_second,
        report=report,
        version=report.version,
        reason="Add the spending on Kenya.",
    )
    assert report.state == ReportState.DRAFT and report.returned_reason == "Add the spending on Kenya."
    report = _write(ministry_users.ud, m33, spending_nok=13_000_000, version=report.version)
    assert report.revision == 2 and report.spending_nok == 13_000_000


def test_a_stale_version_is_a_conflict_and_bad_input_is_refused_by_field(ministry_users, m33):
    report = _write(ministry_users.ud, m33)
    with pytest.raises(EditConflict):
        _write(ministry_users.ud, m33, version=report.version + 5)
    with pytest.raises(EditConflict):  # created meanwhile by someone else
        _write(ministry_users.ud, m33)
    with pytest.raises(ValidationError) as info:
        svc.status_report_save(
            actor=ministry_users.ud, measure=m33, ministry=_ud(), year=2012, status="ongoing", done=""
        )
    assert set(info.value.message_dict) == {"year", "done"}


def _approved(ministry_users, m33):
    report = _write(ministry_users.ud, m33)
    report = svc.status_report_submit(actor=ministry_users.ud, report=report, version=report.version)
    return svc.status_report_approve(actor=ministry_users.ud_second, report=report, version=report.version)


def test_an_approved_report_is_reopened_with_a_reason_audited_and_approved_again_by_a_second_person(
    ministry_users, m33
):
    report = _approved(ministry_users, m33)
    with pytest.raises(ValidationError) as error:  # never without a reason
        svc.status_report_reopen(actor=ministry_users.ud, report=report, version=report.version, reason=" ")
    assert "reason" in error.value.message_dict
    with pytest.raises(NotPermitted):  # another ministry may read the final report, not reopen it
        svc.status_report_reopen(
            actor=ministry_users.jd, report=report, version=report.version, reason="Wrong figure."
        )
    with pytest.raises(EditConflict):
        svc.status_report_reopen(
            actor=ministry_users.ud, report=report, version=report.version - 1, reason="Wrong figure."
        )
    reopened = svc.status_report_reopen(
        actor=ministry_users.ud,
        report=report,
        version=report.version,
        reason="The spending was NOK 12.0 million.",
    )
    assert reopened.state == ReportState.DRAFT and not reopened.is_final
    assert (reopened.approved_by, reopened.approved_at, reopened.submitted_by) == (None, None, None)
    assert reopened.returned_reason == "The spending was NOK 12.0 million."
    last = StatusReportRevision.objects.filter(report=report).last()
    assert (last.step, last.by, last.reason) == (
        "reopened",
        ministry_users.ud,
        "The spending was NOK 12.0 million.",
    )
    event = AuditEvent.objects.filter(object_id=str(report.pk)).order_by("-seq").first()
    assert event.actor_id == ministry_users.ud.pk and event.detail["step"] == "reopened"
    assert event.detail["approved_by"] == str(ministry_users.ud_second.pk)
    with pytest.raises(TransitionNotAllowed):  # only a final report is reopened
        svc.status_report_reopen(
            actor=ministry_users.ud, report=reopened, version=reopened.version, reason="Again."
        )
    # The writer corrects it; final again only when a second person approves it anew.
    fixed = _write(ministry_users.ud, m33, spending_nok=12_000_000, version=reopened.version)
    fixed = svc.status_report_submit(actor=ministry_users.ud, report=fixed, version=fixed.version)
    with pytest.raises(NotPermitted):
        svc.status_report_approve(actor=ministry_users.ud, report=fixed, version=fixed.version)
    final = svc.status_report_approve(actor=ministry_users.ud_second, report=fixed, version=fixed.version)
    assert final.is_final and final.spending_nok == 12_000_000 and final.revision == 2


def test_the_coordinator_may_reopen_and_case_workers_may_not(ministry_users, personas, m33):
    report = _approved(ministry_users, m33)
    with pytest.raises(NotPermitted):
        svc.status_report_reopen(actor=personas.police, report=report, version=report.version, reason="No.")
    reopened = svc.status_report_reopen(
        actor=personas.coordinator, report=report, version=report.version, reason="Asked by the MFA."
    )
    assert reopened.state == ReportState.DRAFT
