"""The database refuses to change or remove audit events: a trigger on audit_auditevent raises on
UPDATE and DELETE, on PostgreSQL and on SQLite, whatever role the application connects as.

On PostgreSQL a separate, weaker application role should also lose the privilege itself (see
docs/THREAT_MODEL.md, "Audit that cannot be rewritten"):

    REVOKE UPDATE, DELETE, TRUNCATE ON audit_auditevent FROM varde_app;

TRUNCATE fires no row trigger; the REVOKE (and owning the tables with a different role than the one
the application uses) covers it.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

TABLE = "audit_auditevent"
MESSAGE = "audit events are append-only"

POSTGRES_INSTALL = [
    f"""
    CREATE OR REPLACE FUNCTION varde_audit_append_only() RETURNS trigger AS $$
    BEGIN
        RAISE EXCEPTION '{MESSAGE}' USING ERRCODE = 'insufficient_privilege';
    END;
    $$ LANGUAGE plpgsql
    """,
    f"DROP TRIGGER IF EXISTS varde_audit_append_only ON {TABLE}",
    f"""
    CREATE TRIGGER varde_audit_append_only BEFORE UPDATE OR DELETE ON {TABLE}
    FOR EACH ROW EXECUTE FUNCTION varde_audit_append_only()
    """,
]
POSTGRES_REMOVE = [
    f"DROP TRIGGER IF EXISTS varde_audit_append_only ON {TABLE}",
    "DROP FUNCTION IF EXISTS varde_audit_append_only()",
]
SQLITE_INSTALL = [
    f"""
    CREATE TRIGGER IF NOT EXISTS varde_audit_no_update BEFORE UPDATE ON {TABLE}
    BEGIN SELECT RAISE(ABORT, '{MESSAGE}'); END
    """,
    f"""
    CREATE TRIGGER IF NOT EXISTS varde_audit_no_delete BEFORE DELETE ON {TABLE}
    BEGIN SELECT RAISE(ABORT, '{MESSAGE}'); END
    """,
]
SQLITE_REMOVE = [
    "DROP TRIGGER IF EXISTS varde_audit_no_update",
    "DROP TRIGGER IF EXISTS varde_audit_no_delete",
]


def _statements(vendor: str, install: bool) -> list[str]:
    if vendor == "postgresql":
        return POSTGRES_INSTALL if install else POSTGRES_REMOVE
    if vendor == "sqlite":
        return SQLITE_INSTALL if install else SQLITE_REMOVE
    return []


def install(connection: Any) -> None:
    with connection.cursor() as cursor:
        for sql in _statements(connection.vendor, True):
            cursor.execute(sql)


def remove(connection: Any) -> None:
    with connection.cursor() as cursor:
        for sql in _statements(connection.vendor, False):
            cursor.execute(sql)


def is_installed(connection: Any) -> bool:
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "SELECT count(*) FROM pg_trigger WHERE tgname = 'varde_audit_append_only' AND NOT tgisinternal"
            )
            return bool(cursor.fetchone()[0])
        if connection.vendor == "sqlite":
            cursor.execute(
                "SELECT count(*) FROM sqlite_master WHERE type = 'trigger' AND name LIKE 'varde_audit_no_%'"
            )
            return cursor.fetchone()[0] == 2
    return False


@contextmanager
def lifted(connection: Any) -> Iterator[None]:
    """Remove the guard for the duration (tests that tamper on purpose; restores from backup).
    Needs the table owner's rights on PostgreSQL."""
    remove(connection)
    try:
        yield
    finally:
        install(connection)
