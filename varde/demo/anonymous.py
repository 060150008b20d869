"""Anonymous notifications in the demo (issue 22): adults the outreach and health services met who
declined help or registration, recorded without identity through the same service as real ones.
Illustrative: the seeds have no such figures (the UK's duty to notify, form MS1, is the model)."""

from __future__ import annotations

import datetime as dt
import random

from varde.accounts.models import Agency, User
from varde.identification.anonymous import anonymous_notification_record

# Who records them in the demo (agencies that meet people on the street and in clinics).
RECORDERS = ("pro-sentret", "rosa", "oslo-pd-stop", "kirkens-bymisjon")
AGE_BANDS = ("18-24", "18-24", "25-34", "25-34", "35-44", "unknown_adult")
PROFILES = (
    ("F", "NG", ("sexual",)),
    ("F", "NG", ("sexual",)),
    ("F", "RO", ("sexual",)),
    ("F", "TH", ("sexual", "domestic_servitude")),
    ("M", "RO", ("begging",)),
    ("M", "LT", ("forced_labour",)),
    ("M", "PL", ("forced_labour",)),
    ("F", "", ("sexual",)),
)
MUNICIPALITIES = ("0301", "0301", "0301", "4601", "5001", "")
COUNT = 24


def load_anonymous(*, workers: dict[str, User], agencies: dict[str, Agency], today: dt.date) -> int:
    """Record COUNT notifications over the last twelve months; returns how many were recorded."""
    rng = random.Random("varde-demo-anonymous")  # noqa: S311 - synthetic demo data, not security
    made = 0
    for _ in range(COUNT):
        code = rng.choice([c for c in RECORDERS if c in workers and c in agencies])
        sex, nationality, forms = rng.choice(PROFILES)
        anonymous_notification_record(
            actor=workers[code],
            agency=agencies[code],
            noticed_on=today - dt.timedelta(days=rng.randint(0, 364)),
            age_band=rng.choice(AGE_BANDS),
            exploitation_forms=forms,
            sex=sex,
            nationality=nationality,
            municipality=rng.choice(MUNICIPALITIES),
        )
        made += 1
    return made
