from django.db import connection

from varde.audit import guard
from varde.audit.models import AuditEvent
from varde.audit.services import audit_record, audit_verify

# The database refuses UPDATE and DELETE of audit events (tests/security/test_audit_guard.py); these
# tests play the attacker who has got past that (e.g. the table owner), so they lift the guard.


def test_chain_verifies_and_catches_edits_and_deletions(world):
    for _ in range(3):
        audit_record(actor=world.personas.police, action="view", obj=world.cases.police_adult)
    report = audit_verify()
    assert report.ok and report.checked == AuditEvent.objects.count()

    victim = AuditEvent.objects.order_by("seq")[2]
    with guard.lifted(connection):
        AuditEvent.objects.filter(seq=victim.seq).update(action="update")
    report = audit_verify()
    assert not report.ok and report.first_broken_seq == victim.seq


def test_deleted_event_is_named(world):
    seq = AuditEvent.objects.order_by("seq")[4].seq
    with guard.lifted(connection):
        AuditEvent.objects.filter(seq=seq).delete()
    report = audit_verify()
    assert not report.ok and report.first_broken_seq == seq


def test_deleted_tail_is_caught(world):
    last = AuditEvent.objects.latest("seq").seq
    with guard.lifted(connection):
        AuditEvent.objects.filter(seq=last).delete()
    report = audit_verify()
    assert not report.ok and report.first_broken_seq == last


def test_events_hold_no_personal_data(world):
    blob = " ".join(str(e.detail) + e.object_type + e.object_id for e in AuditEvent.objects.all())
    for name in ["Blessing", "Okafor", "A1234567", "912 34 567"]:
        assert name not in blob
