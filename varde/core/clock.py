"""The one place that asks what time it is, so tests can control it."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone


def now() -> dt.datetime:
    return timezone.now()


def today() -> dt.date:
    return timezone.localdate()


def localtime(value: dt.datetime) -> dt.datetime:
    return timezone.localtime(value)


def localdate(value: dt.datetime) -> dt.date:
    return timezone.localtime(value).date()
