"""Audit that cannot be rewritten: the database refuses UPDATE and DELETE of audit events, and a
request whose audit event cannot be written fails and shows no data."""

from __future__ import annotations

import pytest
from django.db import DatabaseError, connection, transaction

from varde.audit import guard
from varde.audit.models import AuditEvent
from varde.audit.services import audit_record, audit_verify


@pytest.fixture
def events(world):
    guard.install(connection)  # idempotent; a transactional test elsewhere may have flushed it away
    for _ in range(3):
        audit_record(actor=world.personas.police, action="view", obj=world.cases.police_adult)
    return list(AuditEvent.objects.order_by("seq"))


def test_the_guard_is_installed_by_the_migration(events):
    assert guard.is_installed(connection)


def test_update_is_refused_by_the_database(events):
    with pytest.raises(DatabaseError), transaction.atomic():
        AuditEvent.objects.filter(seq=events[1].seq).update(action="update")
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("UPDATE audit_auditevent SET detail = '{}'")
    assert AuditEvent.objects.get(seq=events[1].seq).action == events[1].action
    assert audit_verify().ok


def test_delete_is_refused_by_the_database(events):
    count = AuditEvent.objects.count()
    with pytest.raises(DatabaseError), transaction.atomic():
        AuditEvent.objects.filter(seq=events[-1].seq).delete()
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("DELETE FROM audit_auditevent")
    assert AuditEvent.objects.count() == count and audit_verify().ok


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL only: roles and privileges")
def test_postgres_refuses_even_a_superuser_session_and_names_the_reason(events):
    with pytest.raises(DatabaseError) as caught, transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("UPDATE audit_auditevent SET action = 'view' WHERE seq = %s", [events[0].seq])
    assert guard.MESSAGE in str(caught.value)
    with connection.cursor() as cursor:
        cursor.execute("SELECT current_user")
        role = cursor.fetchone()[0]
    assert role  # whatever role the app uses, the trigger applies


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL only: roles and privileges")
def test_postgres_app_role_without_update_delete_privileges(events):
    """The documented REVOKE for a separate application role works alongside the trigger."""
    with connection.cursor() as cursor:
        cursor.execute("DROP ROLE IF EXISTS varde_app_test")
        cursor.execute("CREATE ROLE varde_app_test")
        cursor.execute(
            "GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO varde_app_test"
        )
        cursor.execute("REVOKE UPDATE, DELETE, TRUNCATE ON audit_auditevent FROM varde_app_test")
        cursor.execute("SET ROLE varde_app_test")
        try:
            with pytest.raises(DatabaseError) as caught, transaction.atomic():
                cursor.execute("DELETE FROM audit_auditevent")
            assert "permission denied" in str(caught.value)
        finally:
            cursor.execute("RESET ROLE")
            cursor.execute("REVOKE ALL ON ALL TABLES IN SCHEMA public FROM varde_app_test")
            cursor.execute("DROP ROLE varde_app_test")


def test_api_request_fails_and_shows_no_data_when_the_audit_write_fails(api, world, monkeypatch):
    from varde.audit import services as audit_services
    from varde.cases.models import CaseEvent

    def broken(event):
        raise RuntimeError("disk full")

    case = world.cases.police_adult
    client = api.as_(world.personas.police)
    client.raise_request_exception = False
    notes_before = CaseEvent.objects.filter(case=case).count()
    monkeypatch.setattr(audit_services, "_write", broken)
    for response in (
        client.get(f"/api/cases/{case.pk}/"),
        client.get("/api/cases/"),
        client.get(f"/api/persons/{case.person_id}/"),
        client.post(f"/api/cases/{case.pk}/notes/", {"text": "secret note"}, format="json"),
    ):
        assert response.status_code == 500
        body = response.content.decode()
        for marker in ("Blessing", "Okafor", "A1234567", case.reference, "disk full", "secret note"):
            assert marker not in body
    monkeypatch.undo()
    assert CaseEvent.objects.filter(case=case).count() == notes_before  # the write was rolled back too
