"""Backup and restore: 10,000 cases round-trip with identical per-table checksums, and the audit
chain still verifies (SQLite: the backup API into the same database; PostgreSQL: pg_dump, then
pg_restore into a separate database)."""

from __future__ import annotations

import datetime as dt
import os
import stat
import uuid

import pytest
from django.db import connection

from varde.accounts.models import User
from varde.audit import guard
from varde.audit.services import audit_record, audit_verify
from varde.cases.models import Case, CaseParticipation, ParticipationState, Referral
from varde.core import backup, clock
from varde.persons.models import Person, PersonName

CASES = 10_000

pytestmark = pytest.mark.django_db(transaction=True)


def _ten_thousand_cases(agencies) -> None:
    now = clock.now()
    police = agencies.police
    reporter = User.objects.create_user(username="bulk", password=None)
    persons = [
        Person(id=uuid.uuid4(), sex="F", nationalities=["NG"], estimated_age=20 + i % 30)
        for i in range(CASES)
    ]
    Person.objects.bulk_create(persons, batch_size=2000)
    PersonName.objects.bulk_create(
        [PersonName(person=p, given=f"Given{i}", family=f"Family{i}") for i, p in enumerate(persons)],
        batch_size=2000,
    )
    cases = [
        Case(
            id=uuid.uuid4(),
            reference=f"B{i:07d}",
            person=p,
            lead_agency=police,
            opened_at=now,
            is_child=i % 4 == 0,
        )
        for i, p in enumerate(persons)
    ]
    Case.objects.bulk_create(cases, batch_size=2000)
    CaseParticipation.objects.bulk_create(
        [
            CaseParticipation(case=c, agency=police, state=ParticipationState.ACTIVE, is_lead=True)
            for c in cases
        ],
        batch_size=2000,
    )
    Referral.objects.bulk_create(
        [
            Referral(
                case=c,
                reporting_agency=police,
                reported_by=reporter,
                referral_date=dt.date(2026, 1, 1),
                exploitation_forms=["sexual"],
                description=f"Description {i}",
            )
            for i, c in enumerate(cases)
        ],
        batch_size=2000,
    )
    for _ in range(5):
        audit_record(actor=None, action="import", obj=("interchange.csv", ""), detail={"rows": CASES})


def test_ten_thousand_cases_round_trip(agencies, tmp_path):
    guard.install(connection)
    _ten_thousand_cases(agencies)
    assert Case.objects.count() == CASES
    before = (
        _pg_checksums(connection.settings_dict["NAME"])
        if connection.vendor == "postgresql"
        else backup.checksums()
    )
    assert before["cases_case"].startswith(f"{CASES}:")
    path = tmp_path / "varde.backup"
    backup.backup(path)
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600

    if connection.vendor == "postgresql":
        restored = _restore_into_scratch_postgres(path)
        after, report = restored
    else:
        # Damage the live database, then restore over it.
        Referral.objects.filter(case__reference__startswith="B00").delete()
        Case.objects.filter(reference="B0000001").update(status="closed")
        assert backup.checksums() != before
        backup.restore(path)
        after, report = backup.checksums(), audit_verify()
    assert after == before
    assert report.ok and report.checked >= 5
    rows = sum(int(v.split(":")[0]) for v in before.values())
    assert rows > 4 * CASES


def _pg_connect(name):
    import psycopg

    s = connection.settings_dict
    return psycopg.connect(
        dbname=name,
        user=s.get("USER") or None,
        password=s.get("PASSWORD") or None,
        host=s.get("HOST") or None,
        port=s.get("PORT") or None,
        autocommit=True,
    )


def _pg_checksums(name):
    """The same reader on both sides (Django's cursor decodes jsonb differently from plain psycopg)."""
    with _pg_connect(name) as pg, pg.cursor() as cursor:
        cursor.execute("SELECT tablename FROM pg_tables WHERE schemaname = 'public'")
        return backup.table_checksums(cursor, [row[0] for row in cursor.fetchall()], vendor="postgresql")


def _restore_into_scratch_postgres(path):
    """pg_restore into a separate database, read back with psycopg (outside Django's test guard)."""
    import json

    from varde.audit.models import AuditEvent
    from varde.audit.services import verify_events

    name = connection.settings_dict["NAME"] + "_restore"
    with connection.cursor() as cursor:
        cursor.execute(f'DROP DATABASE IF EXISTS "{name}"')
        cursor.execute(f'CREATE DATABASE "{name}"')
    settings_dict = {**connection.settings_dict, "NAME": name}
    try:
        backup.restore(path, settings_dict=settings_dict)
        after = _pg_checksums(name)
        with _pg_connect(name) as pg, pg.cursor() as cursor:
            cursor.execute("SELECT count(*) FROM pg_trigger WHERE tgname = 'varde_audit_append_only'")
            assert cursor.fetchone()[0] == 1  # the guard came back with the schema
            fields = [f.attname for f in AuditEvent._meta.concrete_fields]
            cursor.execute(f"SELECT {', '.join(fields)} FROM audit_auditevent ORDER BY seq")
            events = []
            for row in cursor.fetchall():
                values = dict(zip(fields, row, strict=True))
                if isinstance(values["detail"], str):
                    values["detail"] = json.loads(values["detail"])
                events.append(AuditEvent(**values))
            cursor.execute("SELECT last_seq FROM audit_auditchainhead WHERE id = 1")
            head = cursor.fetchone()
        report = verify_events(events, head_last_seq=head[0] if head else None)
        return after, report
    finally:
        with connection.cursor() as cursor:
            cursor.execute(f'DROP DATABASE IF EXISTS "{name}"')


def test_backup_and_restore_commands(agencies, tmp_path):
    from tests.cli.conftest import Result  # noqa: F401
    from varde.cli import main

    path = tmp_path / "cli.backup"
    assert main(["backup", str(path)]) == 0 and path.exists()
    assert main(["restore", str(path)]) == 2  # needs --yes
    assert main(["restore", str(tmp_path / "missing.backup"), "--yes"]) == 2
    if connection.vendor == "sqlite":
        assert main(["restore", str(path), "--yes"]) == 0
