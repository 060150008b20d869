from __future__ import annotations

import pytest
from django.core.cache import cache
from rest_framework.test import APIClient

from tests.conftest import verified


@pytest.fixture(autouse=True)
def _fresh_throttle_counts():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def api():
    """An API client; `api.as_(user)` signs in as after password and one-time code (force_authenticate skips only the credential check)."""

    class Client(APIClient):
        def as_(self, user):
            self.force_authenticate(user=verified(user))
            return self

    return Client()
