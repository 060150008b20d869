from tests.api.conftest import _fresh_throttle_counts, api  # noqa: F401 - shared API fixtures
