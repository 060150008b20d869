"""`varde serve` runs the web server and a worker under one command: Ctrl+C stops both, a worker that
dies is started again (the supervisor, with stand-in processes), and the worker's heartbeat shows on
`/health/` (the real command, end to end)."""

from __future__ import annotations

import json
import os
import signal
import socket
import sqlite3
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest
from django.db import connection

from varde.cli.app import Supervisor

REPO = Path(__file__).resolve().parents[2]
PY = sys.executable


def _wait(condition, timeout: float, step: float = 0.2):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(step)
    return condition()


def test_the_supervisor_starts_a_dead_worker_again_and_stops_both():
    sup = Supervisor(
        {
            "web server": [PY, "-c", "import time; time.sleep(60)"],
            "worker": [PY, "-c", "import sys; sys.exit(3)"],
        },
        restart=frozenset({"worker"}),
        poll=0.05,
        grace=5,
        log=lambda message: None,
    )
    result: list[int] = []
    thread = threading.Thread(target=lambda: result.append(sup.run()))
    thread.start()
    assert _wait(lambda: sup.restarts["worker"] >= 1, 15)
    web = sup.children["web server"]
    assert web.poll() is None  # the web server runs on while the worker is restarted
    sup.stop()
    thread.join(15)
    assert result == [0] and web.poll() is not None and sup.children["worker"].poll() is not None


def test_the_supervisor_ends_when_the_web_server_ends():
    sup = Supervisor(
        {
            "web server": [PY, "-c", "import sys; sys.exit(4)"],
            "worker": [PY, "-c", "import time; time.sleep(60)"],
        },
        restart=frozenset({"worker"}),
        poll=0.05,
        grace=5,
        log=lambda message: None,
    )
    assert sup.run() == 4
    assert sup.children["worker"].poll() is not None  # not left behind


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _health(port: int) -> tuple[int, dict] | None:
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/health/", timeout=5) as response:  # noqa: S310
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read())
    except OSError:
        return None


def _beats(db: Path) -> list[tuple[int, str]]:
    with sqlite3.connect(db) as conn:
        return conn.execute("SELECT pid, beat_at FROM response_workerheartbeat ORDER BY beat_at").fetchall()


@pytest.mark.skipif(
    connection.vendor != "sqlite", reason="the served copy of the test database is a SQLite file"
)
def test_varde_serve_starts_a_worker_and_ctrl_c_stops_both(transactional_db, tmp_path):
    # The served database: a copy of the (migrated, empty) test database in a file (copied outside
    # a transaction: SQLite cannot back up a database its own connection is writing).
    path = tmp_path / "served.sqlite3"
    connection.ensure_connection()
    target = sqlite3.connect(path)
    connection.connection.backup(target)
    target.close()
    port = _free_port()
    env = {**os.environ, "VARDE_ENV": "test", "SQLITE_PATH": str(path), "VARDE_VAR_DIR": str(tmp_path)}
    env.pop("DATABASE_URL", None)
    serve = subprocess.Popen(  # noqa: S603
        [PY, "-m", "varde.cli", "serve", "--port", str(port), "--workers", "1", "--worker-interval", "1"],
        cwd=REPO,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        answer = _wait(lambda: (h := _health(port)) and h[1]["worker"]["ok"] and h, 90, 0.5)
        assert answer, _health(port)
        status, body = answer
        assert status == 200 and body["database"] == "ok" and body["worker"]["last_beat"]
        ((worker_pid, _beat),) = _beats(path)  # one worker, beating
        assert _alive(worker_pid)

        serve.send_signal(signal.SIGINT)  # Ctrl+C
        assert serve.wait(timeout=30) == 0
        assert _health(port) is None  # the web server is gone
        assert _wait(lambda: not _alive(worker_pid), 10)  # and so is the worker
    finally:
        if serve.poll() is None:
            serve.kill()


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    try:  # a zombie child of a process already gone counts as gone
        return Path(f"/proc/{pid}/status").read_text().find("State:\tZ") < 0
    except OSError:
        return False
