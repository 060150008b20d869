"""Backup and restore of the whole database, and per-table checksums to prove a round trip.

PostgreSQL: pg_dump / pg_restore (custom format) from the machine's client binaries; the password
travels in the environment (PGPASSWORD), never on a command line. SQLite: the SQLite backup API,
which copies a consistent snapshot page by page (also while Varde runs).

The backup file holds every piece of personal data in Varde: it is created readable by its owner only.
Restoring replaces the target database's contents. Audit events are restored as they were (the
append-only trigger is part of the schema and fires on row changes only, not on a restore).
"""

from __future__ import annotations

import hashlib
import os
import shutil
import sqlite3
import subprocess
from pathlib import Path
from typing import Any

from django.db import connections

from .errors import VardeError


class BackupError(VardeError):
    code = "backup_failed"


def _pg_env(settings_dict: dict[str, Any]) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("PG")}
    mapping = {
        "PGHOST": "HOST",
        "PGPORT": "PORT",
        "PGUSER": "USER",
        "PGPASSWORD": "PASSWORD",
        "PGDATABASE": "NAME",
    }
    for var, key in mapping.items():
        value = settings_dict.get(key)
        if value:
            env[var] = str(value)
    return env


def _binary(name: str) -> str:
    found = shutil.which(name)
    if found is None:
        raise BackupError(f"{name} is not installed (PostgreSQL client tools are needed)")
    return found


def _owner_only(path: Path) -> None:
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    os.fchmod(fd, 0o600)
    os.close(fd)


def backup(path: Path, *, alias: str = "default") -> None:
    connection = connections[alias]
    path = Path(path)
    _owner_only(path)
    if connection.vendor == "postgresql":
        result = subprocess.run(  # noqa: S603 - fixed argv, no shell; paths from the operator
            [_binary("pg_dump"), "--format=custom", "--no-owner", "--no-privileges", f"--file={path}"],
            env=_pg_env(connection.settings_dict),
            capture_output=True,
            text=True,
            check=False,
        )
        if result.returncode != 0:
            path.unlink(missing_ok=True)
            raise BackupError("pg_dump failed: " + (result.stderr.strip().splitlines() or [""])[-1])
    elif connection.vendor == "sqlite":
        connection.ensure_connection()
        target = sqlite3.connect(path)
        try:
            connection.connection.backup(target)
        finally:
            target.close()
    else:  # pragma: no cover
        raise BackupError(f"no backup for {connection.vendor}")


def restore(path: Path, *, alias: str = "default", settings_dict: dict[str, Any] | None = None) -> None:
    """Replace the database's contents with the backup. `settings_dict` restores into another
    PostgreSQL database than the alias's own (e.g. a scratch database to check a backup)."""
    path = Path(path)
    if not path.is_file():
        raise BackupError(f"no such backup file: {path.name}")
    connection = connections[alias]
    if connection.vendor == "postgresql":
        result = subprocess.run(  # noqa: S603 - fixed argv, no shell; paths from the operator
            [
                _binary("pg_restore"),
                "--clean",
                "--if-exists",
                "--no-owner",
                "--no-privileges",
                "--single-transaction",
                "--exit-on-error",
                f"--dbname={(settings_dict or connection.settings_dict)['NAME']}",
                str(path),
            ],
            env=_pg_env(settings_dict or connection.settings_dict),
            capture_output=True,
            text=True,
            check=False,
        )
        if result.returncode != 0:
            raise BackupError("pg_restore failed: " + (result.stderr.strip().splitlines() or [""])[-1])
    elif connection.vendor == "sqlite":
        with open(path, "rb") as header:
            if header.read(16) != b"SQLite format 3\x00":
                raise BackupError(f"{path.name} is not a SQLite backup")
        connection.ensure_connection()
        source = sqlite3.connect(path)
        try:
            source.backup(connection.connection)
        finally:
            source.close()
    else:  # pragma: no cover
        raise BackupError(f"no restore for {connection.vendor}")


def table_checksums(cursor: Any, tables: list[str], *, vendor: str) -> dict[str, str]:
    """sha256 over each table's rows in primary-key (first column) order."""
    quote = '"{}"'.format
    sums: dict[str, str] = {}
    for table in sorted(tables):
        digest = hashlib.sha256()
        cursor.execute(f"SELECT * FROM {quote(table)} ORDER BY 1")  # noqa: S608 - names from introspection
        rows = 0
        for row in cursor.fetchall():
            digest.update(repr(tuple(str(v) for v in row)).encode())
            rows += 1
        sums[table] = f"{rows}:{digest.hexdigest()}"
    return sums


def checksums(alias: str = "default") -> dict[str, str]:
    connection = connections[alias]
    with connection.cursor() as cursor:
        tables = connection.introspection.table_names(cursor)
        return table_checksums(cursor, tables, vendor=connection.vendor)
