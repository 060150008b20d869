"""Root conftest: select the test profile before Django reads its settings."""

import os

os.environ.setdefault("VARDE_ENV", "test")
