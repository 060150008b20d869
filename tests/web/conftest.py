"""Page tests: a logged-in client per persona, and compiled translations for the i18n tests."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.core.management import call_command

from tests.conftest import login_verified

LOCALE = Path(__file__).resolve().parents[2] / "varde" / "locale" / "nb" / "LC_MESSAGES"


@pytest.fixture(scope="session", autouse=True)
def compiled_messages():
    """*.mo files are build products (git-ignored): compile when missing or older than the .po."""
    po, mo = LOCALE / "django.po", LOCALE / "django.mo"
    if po.exists() and (not mo.exists() or mo.stat().st_mtime < po.stat().st_mtime):
        call_command("compilemessages", locale=["nb"], ignore_patterns=[".venv", "node_modules"], verbosity=0)
        from django.utils.translation import trans_real

        trans_real._translations = {}
        trans_real._default = None


@pytest.fixture
def login(client):
    def _login(user):
        return login_verified(client, user)

    return _login
