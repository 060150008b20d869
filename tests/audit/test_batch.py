"""audit_batch (issue 21, finding 4): the audit events of a long transaction are chained at its end,
so the chain head's row lock is held for the chaining and the commit only, not for the whole work."""

from __future__ import annotations

import io
import threading

import pytest
from django.conf import settings
from django.db import connection, transaction

from varde.audit.models import AuditEvent
from varde.audit.services import audit_batch, audit_record, audit_verify
from varde.interchange import services as interchange

HEADER = (
    "record_id,reporting_agency,referral_date,given_name,family_name,sex,date_of_birth,"
    "estimated_age,nationality,phone,id_document_number,municipality"
)


def _view(world, case):
    return audit_record(actor=world.personas.police, action="view", obj=case)


def test_events_of_a_batch_are_chained_at_its_end_in_their_order(world):
    before = AuditEvent.objects.count()
    first, second = world.cases.police_adult, world.cases.police_child
    with transaction.atomic(), audit_batch():
        _view(world, first)
        _view(world, second)
        with audit_batch():  # a nested block leaves the chaining to the outermost
            _view(world, first)
        assert AuditEvent.objects.count() == before  # nothing written, no lock taken yet
    assert AuditEvent.objects.count() == before + 3
    last = list(AuditEvent.objects.order_by("-seq")[:3])[::-1]
    assert [e.object_id for e in last] == [str(first.pk), str(second.pk), str(first.pk)]
    assert [e.seq for e in last] == list(range(last[0].seq, last[0].seq + 3))
    assert audit_verify().ok
    _view(world, second)  # an event after the batch chains on
    assert audit_verify().ok and audit_verify().checked == before + 4


def test_a_batch_that_fails_writes_none_of_its_events(world):
    before = AuditEvent.objects.count()
    with pytest.raises(ZeroDivisionError), transaction.atomic(), audit_batch():
        _view(world, world.cases.police_adult)
        1 / 0  # noqa: B018 - the work fails after recording
    assert AuditEvent.objects.count() == before
    _view(world, world.cases.police_adult)
    assert audit_verify().ok


def test_a_batch_outside_the_transaction_it_records_is_refused(transactional_db):
    with pytest.raises(RuntimeError, match="inside the transaction"), audit_batch():
        pass


def _rows(n: int) -> list[interchange.ValidRow]:
    text = "\n".join([HEADER, *(f"B-{i},oslo-pd-stop,2024-03-01,,,,,,NG,,," for i in range(n))]) + "\n"
    header, raw = interchange.parse_rows(io.StringIO(text))
    valid, problems = interchange.validate_rows(header, raw)
    assert not problems
    return valid


def test_an_import_chains_every_rows_events_and_its_own(world):
    before = AuditEvent.objects.count()
    result = interchange.import_rows(actor=world.personas.police, rows=_rows(3))
    assert result.imported == 3
    assert AuditEvent.objects.filter(action="import").count() == 1
    assert AuditEvent.objects.count() > before + 3
    assert audit_verify().ok


@pytest.mark.skipif(
    settings.DATABASES["default"]["ENGINE"] != "django.db.backends.postgresql",
    reason="needs PostgreSQL: a second connection writing while the import's transaction is open "
    "(SQLite's in-memory test database is one connection's)",
)
def test_an_audited_write_elsewhere_does_not_wait_for_an_import(world, transactional_db):
    """While an import's transaction is open (its first rows reported and audited), another request
    records an audit event at once instead of waiting for the import to commit."""
    outcome: dict[str, object] = {}

    def other_request() -> None:
        try:
            with connection.cursor() as cursor:
                cursor.execute("SET lock_timeout = '2s'")
            audit_record(actor=world.personas.coordinator, action="view", obj=world.cases.police_adult)
            outcome["ok"] = True
        except Exception as exc:  # noqa: BLE001 - the test reports what happened
            outcome["error"] = type(exc).__name__
        finally:
            connection.close()

    def progress(_: int) -> None:
        if "ok" in outcome or "error" in outcome:
            return
        thread = threading.Thread(target=other_request)
        thread.start()
        thread.join(timeout=30)

    result = interchange.import_rows(actor=world.personas.police, rows=_rows(2), progress=progress)
    assert result.imported == 2
    assert outcome == {"ok": True}
    assert audit_verify().ok
