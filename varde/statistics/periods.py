"""A period of national figures: a calendar year, or any span of days (`varde stats --from --to`).

Both ends are included. Spans of days in the extract (followed up, counted as a child) are closed
intervals of dates as well, so a person followed up on the period's first or last day counts in it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

Span = tuple[dt.date, dt.date]  # first and last day, both included


@dataclass(frozen=True, order=True)
class Period:
    start: dt.date
    end: dt.date

    def __post_init__(self) -> None:
        if self.end < self.start:
            raise ValueError("a period ends on or after its first day")

    @classmethod
    def of_year(cls, year: int) -> Period:
        return cls(dt.date(year, 1, 1), dt.date(year, 12, 31))

    @property
    def year(self) -> int | None:
        """The calendar year when the period is exactly one, else None."""
        if (self.start.month, self.start.day, self.end.month, self.end.day) == (1, 1, 12, 31):
            return self.start.year if self.start.year == self.end.year else None
        return None

    def __contains__(self, day: object) -> bool:
        return isinstance(day, dt.date) and self.start <= day <= self.end

    def overlaps(self, span: Span) -> bool:
        return span[0] <= self.end and span[1] >= self.start

    def clip(self, span: Span) -> Span | None:
        """The part of `span` inside the period, or None."""
        start, end = max(span[0], self.start), min(span[1], self.end)
        return (start, end) if start <= end else None

    def label(self) -> str:
        year = self.year
        return str(year) if year is not None else f"{self.start.isoformat()}/{self.end.isoformat()}"


def spans_overlap(a: Iterable[Span], b: Iterable[Span]) -> bool:
    """Whether some day lies in a span of `a` and a span of `b`."""
    bs = list(b)
    return any(x[0] <= y[1] and y[0] <= x[1] for x in a for y in bs)


def merge(spans: Iterable[Span]) -> tuple[Span, ...]:
    """Spans joined where they overlap or touch, in order."""
    out: list[Span] = []
    for start, end in sorted(spans):
        if out and (out[-1][1] == dt.date.max or start <= out[-1][1] + dt.timedelta(days=1)):
            out[-1] = (out[-1][0], max(out[-1][1], end))
        else:
            out.append((start, end))
    return tuple(out)
