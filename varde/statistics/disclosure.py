"""Disclosure control for published tables: primary suppression below k, and secondary suppression so
that no suppressed value can be worked out from the published totals. Pure functions, no database.

The attacker this protects against knows every published cell and every row, column and grand total,
and knows that a suppressed cell is at least LOWER_BOUND (zeros are published as 0, so a suppressed
cell is known to hold at least one person). A suppressed cell is safe when the published figures
allow at least two values for it. For tables whose cells add up to a published total this is exact:

- one-way: the suppressed cells add up to S = total - published cells. Each of n suppressed cells can
  take every value in [1, S - (n - 1)], so each has two or more feasible values iff n >= 2 and
  S >= n + 1 (`one_way_safe`).
- two-way (all margins published): the feasible tables form a transportation polytope. A suppressed
  cell can change iff an alternating cycle of suppressed cells runs through it along which one can add
  and subtract 1 without going below the lower bound (`two_way_determined` checks this exactly with a
  reachability search; the integer and real feasible sets agree because the constraint matrix is
  totally unimodular).

Tables whose cells do not add up to anything published (one person may have several forms of
exploitation, several reporting agencies) need primary suppression only: no equation links the cells.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

LOWER_BOUND = 1  # zeros are published, so a suppressed cell is known to be at least 1
RULES_FILE = Path(__file__).with_name("rules") / "disclosure.json"


class DisclosureError(ValueError):
    """A threshold outside the rule file's allowed values."""


@cache
def rules() -> dict[str, Any]:
    data: dict[str, Any] = json.loads(RULES_FILE.read_text(encoding="utf-8"))
    return data


def default_k() -> int:
    return int(rules()["default_k"])


def check_k(k: int | None) -> int:
    """The threshold to use: the rule file's default, or one of its allowed values."""
    if k is None:
        return default_k()
    allowed = [int(v) for v in rules()["allowed_k"]]
    if k not in allowed:
        raise DisclosureError(f"k must be one of {', '.join(str(v) for v in allowed)}")
    return k


def primary(value: int, k: int) -> bool:
    """A cell below the threshold (and not zero) is suppressed."""
    return 0 < value < k


# --- one-way tables -----------------------------------------------------------------------------------


def one_way_safe(values: Sequence[int], lower: int = LOWER_BOUND) -> bool:
    """Every one of these suppressed cells has two or more values consistent with their known sum."""
    return not values or (len(values) >= 2 and sum(values) >= lower * len(values) + 1)


@dataclass(frozen=True)
class OneWayResult:
    cells: dict[str, int | None]  # None = suppressed
    withheld: bool  # the table could not be protected: publish none of it


def suppress_one_way(cells: Mapping[str, int], k: int, *, has_total: bool = True) -> OneWayResult:
    """Suppress cells below k; when the cells add up to a published total, add the next smallest cells
    until the suppressed ones are safe (`one_way_safe`). If even suppressing every nonzero cell leaves
    them derivable (every cell is 1), the whole table is withheld."""
    suppressed = {key for key, v in cells.items() if primary(v, k)}
    if has_total:
        order = sorted((v, key) for key, v in cells.items() if v > 0 and key not in suppressed)
        while suppressed and not one_way_safe([cells[key] for key in suppressed]):
            if not order:
                return OneWayResult({key: None for key in cells}, withheld=True)
            suppressed.add(order.pop(0)[1])
    return OneWayResult({key: (None if key in suppressed else v) for key, v in cells.items()}, withheld=False)


# --- two-way tables -----------------------------------------------------------------------------------

Cell = tuple[int, int]


def _reaches(
    start_row: int,
    target_col: int,
    cells: set[Cell],
    values: Sequence[Sequence[int]],
    *,
    increase_first: bool,
    lower: int,
) -> bool:
    """Is there an alternating path of suppressed cells from a row to a column? Along it the first cell
    is changed one way, the next the other way, and so on; a cell that goes down must stay >= lower."""
    can_drop = {c for c in cells if values[c[0]][c[1]] >= lower + 1}
    # increase_first: row -> col edges are increases (any cell), col -> row edges are decreases.
    row_to_col = cells if increase_first else can_drop
    col_to_row = can_drop if increase_first else cells
    by_row: dict[int, list[int]] = {}
    for r, c in row_to_col:
        by_row.setdefault(r, []).append(c)
    by_col: dict[int, list[int]] = {}
    for r, c in col_to_row:
        by_col.setdefault(c, []).append(r)
    seen_rows, seen_cols = {start_row}, set()
    stack = [start_row]
    while stack:
        r = stack.pop()
        for c in by_row.get(r, []):
            if c == target_col:
                return True
            if c not in seen_cols:
                seen_cols.add(c)
                for r2 in by_col.get(c, []):
                    if r2 not in seen_rows:
                        seen_rows.add(r2)
                        stack.append(r2)
    return False


def two_way_determined(
    values: Sequence[Sequence[int]], suppressed: set[Cell], lower: int = LOWER_BOUND
) -> set[Cell]:
    """The suppressed cells whose value follows exactly from the published cells and all margins."""
    determined: set[Cell] = set()
    for cell in suppressed:
        i, j = cell
        others = suppressed - {cell}
        # x_ij + 1: row i needs a decrease elsewhere, ..., column j needs a decrease elsewhere.
        up = _reaches(i, j, others, values, increase_first=False, lower=lower)
        # x_ij - 1 (needs x_ij >= lower + 1): row i needs an increase elsewhere, ..., column j too.
        down = values[i][j] >= lower + 1 and _reaches(i, j, others, values, increase_first=True, lower=lower)
        if not (up or down):
            determined.add(cell)
    return determined


@dataclass(frozen=True)
class TwoWayResult:
    cells: list[list[int | None]]
    withheld: bool


def suppress_two_way(values: Sequence[Sequence[int]], k: int) -> TwoWayResult:
    """Suppress cells below k, then, to a fixpoint: every row and column with a suppressed cell gets a
    second one (the smallest nonzero cell left), and any cell still derivable from the margins gets a
    partner in its row (else its column, else anywhere). Row, column and grand totals stay published."""
    rows, cols = len(values), len(values[0]) if values else 0
    suppressed: set[Cell] = {(i, j) for i in range(rows) for j in range(cols) if primary(values[i][j], k)}

    def smallest(candidates: list[Cell]) -> Cell | None:
        free = [c for c in candidates if c not in suppressed and values[c[0]][c[1]] > 0]
        return min(free, key=lambda c: (values[c[0]][c[1]], c)) if free else None

    while True:
        changed = False
        for i in range(rows):
            line = [(i, j) for j in range(cols)]
            if sum(c in suppressed for c in line) == 1 and (extra := smallest(line)) is not None:
                suppressed.add(extra)
                changed = True
        for j in range(cols):
            line = [(i, j) for i in range(rows)]
            if sum(c in suppressed for c in line) == 1 and (extra := smallest(line)) is not None:
                suppressed.add(extra)
                changed = True
        if changed:
            continue
        determined = two_way_determined(values, suppressed)
        if not determined:
            break
        i, j = min(determined)
        everywhere = [(r, c) for r in range(rows) for c in range(cols)]
        extra = (
            smallest([(i, c) for c in range(cols)])
            or smallest([(r, j) for r in range(rows)])
            or smallest(everywhere)
        )
        if extra is None:
            return TwoWayResult([[None] * cols for _ in range(rows)], withheld=True)
        suppressed.add(extra)
    return TwoWayResult(
        [[None if (i, j) in suppressed else values[i][j] for j in range(cols)] for i in range(rows)],
        withheld=False,
    )
