"""A controllable clock for the response tests: every test starts at a fixed moment in Oslo and
moves time with `frozen.advance(...)` / `frozen.set(...)`. Code reads time only through
varde.core.clock, which is patched here."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import pytest

from varde.core import clock
from varde.response.dates import OSLO
from varde.response.models import AgencyContact

START = dt.datetime(2026, 10, 5, 9, 0, tzinfo=OSLO)

# What the shared personas' cases hold about the people (see tests/conftest.py): none of it may
# appear in a notification text or an e-mail.
PERSONAL = [
    "Mihai",
    "Popescu",
    "Amina",
    "Yusuf",
    "Liang",
    "Wei",
    "Blessing",
    "Okafor",
    "912 34 567",
    "91234567",
    "A1234567",
    "Met during outreach",
]


@dataclass
class Frozen:
    now: dt.datetime

    def advance(self, **delta: float) -> dt.datetime:
        self.now = self.now + dt.timedelta(**delta)
        return self.now

    def set(self, when: dt.datetime) -> dt.datetime:
        self.now = when
        return self.now


@pytest.fixture(autouse=True)
def frozen(monkeypatch) -> Frozen:
    state = Frozen(START.astimezone(dt.UTC))
    monkeypatch.setattr(clock, "now", lambda: state.now)
    monkeypatch.setattr(clock, "today", lambda: state.now.astimezone(OSLO).date())
    return state


@pytest.fixture
def contacts(agencies):
    """24-hour contacts for every agency, with e-mail, so notifications are also mailed."""
    made = {}
    for name in ("police", "childwelfare", "ngo", "kom", "labour"):
        agency = getattr(agencies, name)
        made[name] = AgencyContact.objects.create(
            agency=agency,
            on_call_phone=f"+47 800 00 00{len(made)}",
            email=f"vakt@{agency.code}.example.no",
            hours="24/7",
            always_open=True,
        )
    return made


def assert_no_personal_data(text: str) -> None:
    for needle in PERSONAL:
        assert needle not in text, f"personal data {needle!r} leaked"
