"""The worker's heartbeat: `/health/`, `varde health --json` and the coordinators' red banner turn red
when no worker has beaten for five minutes (a controllable clock)."""

from __future__ import annotations

import json

from django.urls import reverse

from tests.conftest import login_verified
from varde.cli import main
from varde.response.models import WorkerHeartbeat
from varde.response.worker import run_worker


def _varde(capsys, *argv):
    capsys.readouterr()
    code = main(list(argv))
    return code, capsys.readouterr().out


def test_the_health_endpoint_turns_red_when_the_heartbeat_is_stale(client, db, frozen):
    response = client.get(reverse("health"))  # anonymous: for load balancers and monitoring
    assert response.status_code == 503
    assert response.json() == {"database": "ok", "worker": {"ok": False, "last_beat": None}}

    run_worker(once=True)  # a pass beats
    beat = frozen.now
    response = client.get(reverse("health"))
    assert response.status_code == 200
    assert response.json() == {"database": "ok", "worker": {"ok": True, "last_beat": beat.isoformat()}}

    frozen.advance(minutes=5)
    assert client.get(reverse("health")).status_code == 200
    frozen.advance(seconds=1)
    response = client.get(reverse("health"))
    assert response.status_code == 503 and response.json()["worker"] == {
        "ok": False,
        "last_beat": beat.isoformat(),
    }


def test_each_pass_beats_and_old_workers_rows_go(db, frozen):
    run_worker(once=True, worker_id="w1")
    run_worker(once=True, worker_id="w1")
    w1 = WorkerHeartbeat.objects.get(worker_id="w1")
    assert w1.passes == 2 and w1.beat_at == frozen.now
    frozen.advance(days=2)
    run_worker(once=True, worker_id="w2")
    assert list(WorkerHeartbeat.objects.values_list("worker_id", flat=True)) == ["w2"]


def test_varde_health_json(db, frozen, capsys):
    code, out = _varde(capsys, "health", "--json")
    assert code == 1 and json.loads(out) == {"database": "ok", "worker": {"ok": False, "last_beat": None}}
    run_worker(once=True)
    code, out = _varde(capsys, "health", "--json")
    assert code == 0 and json.loads(out)["worker"] == {"ok": True, "last_beat": frozen.now.isoformat()}
    frozen.advance(minutes=6)
    code, out = _varde(capsys, "health")
    assert code == 1 and "worker: NOT RUNNING" in out


def test_coordinator_pages_show_a_red_banner_when_the_worker_is_down(client, world, frozen):
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"  # the banner's English text (pages default to Bokmål)
    login_verified(client, world.personas.coordinator)
    html = client.get(reverse("response-clocks")).content.decode()
    assert 'data-testid="worker-down"' in html and "never reported" in html
    run_worker(once=True)
    assert 'data-testid="worker-down"' not in client.get(reverse("response-clocks")).content.decode()
    frozen.advance(minutes=5, seconds=1)
    html = client.get(reverse("dashboard")).content.decode()
    assert 'data-testid="worker-down"' in html and "has not reported since" in html
    # A caseworker's pages do not carry it.
    login_verified(client, world.personas.police)
    assert 'data-testid="worker-down"' not in client.get(reverse("dashboard")).content.decode()
