"""No lost updates under real concurrency (issue #7): 1,000 edit pairs on PostgreSQL. In each pair two
caseworkers of the lead agency change the same case's status from the same version at the same moment,
each in its own thread, on its own database connection, in its own transaction. Exactly one wins, the
other is told (409 with `edit_conflict` in the API; the service's EditConflict, which the pages show as
the conflict form), the row holds only the winner's change and its version moved on by one.

The first API_ROUNDS pairs of every case go through the API end to end (real requests through the
Django test client: authentication, the access layer's audited read, the request transaction); the
rest call the service the API view calls, on the case read through the access layer's selector,
which keeps 1,000 pairs inside the time budget on a loaded CI machine.

SQLite cannot run this meaningfully: the test database is one in-memory connection, and SQLite
serialises writers anyway. The compare-and-set itself is tested on both databases in
test_optimistic_locking.py.
"""

from __future__ import annotations

import collections
import threading
import time
from dataclasses import dataclass, field

import pytest
from django.conf import settings
from django.db import connection, transaction
from rest_framework.test import APIClient

from tests.conftest import verified
from tests.factories import make_user
from varde.access.cases import cases_visible_to
from varde.accounts.models import Role
from varde.cases.models import Case, CaseStatus, StatusChange
from varde.cases.services import case_change_status
from varde.core.errors import EditConflict

pytestmark = [
    pytest.mark.skipif(
        settings.DATABASES["default"]["ENGINE"] != "django.db.backends.postgresql",
        reason="needs PostgreSQL: concurrent transactions on separate connections cannot share SQLite's "
        "in-memory test database (run with DATABASE_URL=postgres://...)",
    ),
    pytest.mark.django_db(transaction=True),
]

LANES = 4  # cases edited at the same time, each by its own pair of caseworkers
ROUNDS = 250  # pairs per case: 4 x 250 = 1,000 pairs
API_ROUNDS = 10  # of which through HTTP: 4 x 10 = 40 pairs
SAVED, TOLD = {(200, None), ("saved", None)}, {(409, "edit_conflict"), ("conflict", "edit_conflict")}
NEXT = {
    CaseStatus.UNDER_ASSESSMENT: CaseStatus.NOT_VICTIM,
    CaseStatus.NOT_VICTIM: CaseStatus.UNDER_ASSESSMENT,
}


@dataclass
class Lane:
    case: Case
    users: tuple
    status: str = CaseStatus.UNDER_ASSESSMENT
    version: int = 0
    outcomes: list = field(default_factory=list)  # per round: {editor: (http status, code)}
    rows: list = field(default_factory=list)  # per round: (version, target, saved status, saved version)
    errors: list = field(default_factory=list)


def _service_edit(lane: Lane, me: int, target: str, reason: str, version: int) -> tuple[str, str | None]:
    """What the API view does, without HTTP: the case through the access layer, then the service."""
    user = lane.users[me]
    try:
        with transaction.atomic():
            case = cases_visible_to(user=user).get(pk=lane.case.pk)
            case_change_status(actor=user, case=case, status=target, reason=reason, version=version)
    except EditConflict as conflict:
        return ("conflict", conflict.code)
    return ("saved", None)


def _editor(lane: Lane, me: int, start: threading.Barrier, done: threading.Barrier) -> None:
    client = APIClient()
    client.force_authenticate(user=verified(lane.users[me]))
    url = f"/api/cases/{lane.case.pk}/status/"
    try:
        with connection.cursor() as cursor:
            # This thread's own connection; commits need not wait for the disk (a test database, and
            # durability is not what is tested). Locking and visibility are unchanged.
            cursor.execute("SET synchronous_commit TO off")
        for r in range(ROUNDS):
            start.wait(timeout=60)
            version, target = lane.version, NEXT[lane.status]
            reason = f"editor {me} round {r}"
            if r < API_ROUNDS:
                response = client.post(
                    url, {"status": target, "reason": reason, "version": version}, format="json"
                )
                lane.outcomes[r][me] = (response.status_code, response.json().get("code"))
            else:
                lane.outcomes[r][me] = _service_edit(lane, me, target, reason, version)
            done.wait(timeout=60)
            if me == 0:  # between rounds: read the row back and move on from what was saved
                row = Case.objects.values_list("status", "version").get(pk=lane.case.pk)
                lane.rows[r] = (version, target, *row)
                lane.status, lane.version = row
    except Exception as error:  # reported by the test, never swallowed
        lane.errors.append(repr(error))
        start.abort()
        done.abort()
    finally:
        connection.close()  # this thread's own connection


def test_1000_concurrent_edit_pairs_leave_one_winner_each(world, agencies):
    cases = world.cases
    leads = {
        cases.police_adult.pk: (world.personas.police, agencies.police),
        cases.police_child.pk: (world.personas.police, agencies.police),
        cases.childwelfare_adult.pk: (world.personas.childwelfare, agencies.childwelfare),
        cases.ngo_adult.pk: (world.personas.ngo, agencies.ngo),
    }
    lanes = []
    for i, (case_id, (user, agency)) in enumerate(leads.items()):
        case = Case.objects.get(pk=case_id)
        colleague = make_user(f"colleague{i}", agency, Role.CASEWORKER)
        case = case_change_status(
            actor=user, case=case, status=CaseStatus.UNDER_ASSESSMENT, reason="Start", version=case.version
        )
        lanes.append(
            Lane(
                case=case,
                users=(user, colleague),
                version=case.version,
                outcomes=[{} for _ in range(ROUNDS)],
                rows=[None] * ROUNDS,
            )
        )
    first_versions = {lane.case.pk: lane.version for lane in lanes}
    threads = []
    for lane in lanes:
        start, done = threading.Barrier(2), threading.Barrier(2)
        threads += [threading.Thread(target=_editor, args=(lane, me, start, done)) for me in (0, 1)]
    started = time.monotonic()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=600)
    elapsed = time.monotonic() - started
    assert not any(thread.is_alive() for thread in threads)
    assert [error for lane in lanes for error in lane.errors] == []

    tally: collections.Counter[str] = collections.Counter()
    for lane in lanes:
        for r, outcome in enumerate(lane.outcomes):
            # Exactly one winner per pair; the loser is told with the project's conflict code.
            assert len(outcome) == 2, (lane.case.pk, r, outcome)
            winners = [me for me, answer in outcome.items() if answer in SAVED]
            losers = [me for me, answer in outcome.items() if answer in TOLD]
            assert len(winners) == 1 and len(losers) == 1, (lane.case.pk, r, outcome)
            assert r >= API_ROUNDS or {a[0] for a in outcome.values()} == {200, 409}, outcome
            winner = winners[0]
            tally["winners"] += 1
            tally["losers"] += 1
            tally["over HTTP"] += r < API_ROUNDS
            version, target, status, saved_version = lane.rows[r]
            # The row holds the winner's change, and its version moved on by exactly one.
            assert (status, saved_version) == (target, version + 1), (lane.case.pk, r)
            changes = StatusChange.objects.filter(case=lane.case, reason__endswith=f" round {r}")
            assert list(changes.values_list("reason", flat=True)) == [f"editor {winner} round {r}"]
        case = Case.objects.get(pk=lane.case.pk)
        assert case.version == first_versions[case.pk] + ROUNDS
        assert StatusChange.objects.filter(case=case, reason__startswith="editor ").count() == ROUNDS
    pairs = LANES * ROUNDS
    print(
        f"\nlost updates: {pairs} pairs ({tally['over HTTP']} over HTTP), {tally['winners']} winners, "
        f"{tally['losers']} losers, {elapsed:.1f} s"
    )
    assert tally == {"winners": pairs, "losers": pairs, "over HTTP": LANES * API_ROUNDS} and pairs >= 1000
