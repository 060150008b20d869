import os
import subprocess
import sys
from pathlib import Path

import pytest

from varde.audit.models import AuditEvent
from varde.cli import app

SUBCOMMANDS = [
    ["serve"],
    ["demo"],
    ["demo-code"],
    ["import"],
    ["export"],
    ["export-request"],
    ["export-approve"],
    ["backup"],
    ["restore"],
    ["retention"],
    ["retention", "run"],
    ["audit"],
    ["audit", "verify"],
]


@pytest.mark.parametrize("argv", [[], *SUBCOMMANDS], ids=lambda a: " ".join(a) or "varde")
def test_every_command_has_help_with_an_example(varde, argv):
    result = varde(*argv, "--help")
    assert result.code == 0
    assert "Example:\n  varde" in result.out
    assert "usage: varde" in result.out


def test_installed_console_script_shows_help():
    script = Path(sys.executable).with_name("varde")
    env = {**os.environ, "VARDE_ENV": "test"}
    done = subprocess.run([str(script), "--help"], capture_output=True, text=True, env=env, timeout=60)
    assert done.returncode == 0, done.stderr
    for word in ("serve", "demo", "import", "export", "audit", "Example"):
        assert word in done.stdout


def test_unknown_command_is_a_usage_error(varde):
    result = varde("frobnicate")
    assert result.code == 2 and "invalid choice" in result.err


def test_audit_verify_reports_intact_then_names_the_tampered_event(varde, world):
    result = varde("audit", "verify")
    assert result.code == 0
    assert result.out.strip() == f"audit chain intact: {AuditEvent.objects.count()} events"

    victim = AuditEvent.objects.order_by("seq")[3]
    from django.db import connection

    from varde.audit import guard

    with guard.lifted(connection):  # the database refuses this; play an attacker who got past it
        AuditEvent.objects.filter(seq=victim.seq).update(detail={"tampered": True})
    broken = varde("audit", "verify")
    assert broken.code == 1
    assert f"BROKEN at event {victim.seq}" in broken.out
    assert "content does not match its hash" in broken.out


def test_audit_verify_on_an_empty_trail(varde, db):
    result = varde("audit", "verify")
    assert result.code == 0 and "audit chain intact: 0 events" in result.out


def _supervised(calls):
    """Stand-in for Supervisor.run: records the commands it would start (gunicorn and the worker)."""

    def run(self):
        calls.append(self.commands)
        return 0

    return run


def test_serve_migrates_then_runs_gunicorn_and_a_worker(varde, db, monkeypatch):
    calls = []
    monkeypatch.setattr(app, "migrate_if_needed", lambda quiet=False: calls.append("migrate"))
    monkeypatch.setattr(app.Supervisor, "run", _supervised(calls))
    result = varde("serve", "--host", "0.0.0.0", "--port", "8123")
    assert result.code == 0
    assert calls[0] == "migrate"
    argv = calls[1]["web server"]
    assert argv[:4] == [sys.executable, "-m", "gunicorn", "config.wsgi:application"]
    assert argv[argv.index("--bind") + 1] == "0.0.0.0:8123"
    assert calls[1]["worker"][:4] == [sys.executable, "-m", "varde.cli", "worker"]


def test_serve_defaults_to_localhost_8000(varde, db, monkeypatch):
    seen = []
    monkeypatch.setattr(app, "migrate_if_needed", lambda quiet=False: None)
    monkeypatch.setattr(app.Supervisor, "run", _supervised(seen))
    varde("serve")
    web = seen[0]["web server"]
    assert web[web.index("--bind") + 1] == "127.0.0.1:8000"


def test_unexpected_errors_print_no_traceback_or_message(varde, world, monkeypatch):
    def boom(**kwargs):
        raise RuntimeError("Blessing Okafor, +47 912 34 567")

    monkeypatch.setattr("varde.audit.services.audit_verify", boom)
    monkeypatch.delenv("VARDE_TRACEBACK", raising=False)
    result = varde("audit", "verify")
    assert result.code == 1
    assert "failed (RuntimeError)" in result.err
    assert "Blessing" not in result.err and "Traceback" not in result.err
