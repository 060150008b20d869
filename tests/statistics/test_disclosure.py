"""Property tests of disclosure control: published cells are never below k, and no suppressed cell can
be worked out from the published cells and totals (checked by brute force on small tables).

Attacker model: knows every published cell, the total (one-way) or every row, column and grand total
(two-way), and that a suppressed cell holds at least 1 (zeros are published as 0)."""

from __future__ import annotations

import contextlib
import itertools

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from varde.statistics.disclosure import (
    DisclosureError,
    check_k,
    default_k,
    suppress_one_way,
    suppress_two_way,
    two_way_determined,
)

K = st.sampled_from([3, 5, 10, 11])


def feasible_one_way(published: dict[str, int | None], total: int) -> dict[str, set[int]]:
    """Every value each suppressed cell can take: brute force over cells >= 1 adding up to the total
    (the last suppressed cell takes what the others leave)."""
    hidden = [key for key, v in published.items() if v is None]
    rest = total - sum(v for v in published.values() if v is not None)
    options: dict[str, set[int]] = {key: set() for key in hidden}
    if not hidden:
        return options
    for combo in itertools.product(range(1, rest + 1), repeat=max(0, len(hidden) - 1)):
        last = rest - sum(combo)
        if last >= 1:
            for key, v in zip(hidden, [*combo, last], strict=True):
                options[key].add(v)
    return options


@settings(max_examples=300, deadline=None)
@given(cells=st.dictionaries(st.sampled_from("ABCDEFG"), st.integers(0, 25), min_size=1, max_size=6), k=K)
def test_one_way_published_cells_are_at_least_k_and_suppressed_cells_cannot_be_derived(cells, k):
    result = suppress_one_way(cells, k)
    published = result.cells
    assert set(published) == set(cells)
    for key, v in published.items():
        assert v is None or v == 0 or v >= k  # zeros are published; every other published cell is >= k
        assert v is None or v == cells[key]  # nothing published is changed
    if result.withheld:
        assert all(v is None for v in published.values())
        return
    hidden = [key for key, v in published.items() if v is None]
    rest = sum(cells[key] for key in hidden)
    if rest ** max(0, len(hidden) - 1) > 50_000:  # too many for brute force: the module's formula
        assert len(hidden) >= 2 and rest >= len(hidden) + 1
        return
    total = sum(cells.values())
    for key, values in feasible_one_way(published, total).items():
        assert cells[key] in values
        assert len(values) >= 2, f"{key} can be derived from the total"


@given(cells=st.dictionaries(st.sampled_from("ABCDEFG"), st.integers(0, 25), min_size=1, max_size=6), k=K)
def test_one_way_without_total_needs_primary_suppression_only(cells, k):
    published = suppress_one_way(cells, k, has_total=False).cells
    for key, v in published.items():
        assert (v is None) == (0 < cells[key] < k)


def test_one_way_examples():
    assert suppress_one_way({"NG": 121, "RO": 4, "TH": 40}, 10).cells == {"NG": 121, "RO": None, "TH": None}
    assert suppress_one_way({"F": 20, "M": 0}, 10).cells == {"F": 20, "M": 0}
    assert suppress_one_way({"A": 1, "B": 1, "C": 1}, 10).withheld


def feasible_two_way(
    values: list[list[int]], published: list[list[int | None]]
) -> dict[tuple[int, int], set[int]]:
    """Brute force: every table with suppressed cells >= 1 matching every row and column total."""
    rows, cols = len(values), len(values[0])
    row_totals = [sum(r) for r in values]
    col_totals = [sum(values[i][j] for i in range(rows)) for j in range(cols)]
    hidden = [(i, j) for i in range(rows) for j in range(cols) if published[i][j] is None]
    options: dict[tuple[int, int], set[int]] = {c: set() for c in hidden}
    row_rest = [row_totals[i] - sum(v for v in published[i] if v is not None) for i in range(rows)]
    col_rest = [col_totals[j] - sum(published[i][j] or 0 for i in range(rows)) for j in range(cols)]

    # How many hidden cells each row and column still has to fill after position pos (for pruning).
    later_in_row = [sum(1 for c in hidden[pos + 1 :] if c[0] == hidden[pos][0]) for pos in range(len(hidden))]
    later_in_col = [sum(1 for c in hidden[pos + 1 :] if c[1] == hidden[pos][1]) for pos in range(len(hidden))]

    class Enough(Exception):
        pass

    def fill(pos: int, chosen: list[int], row_left: list[int], col_left: list[int]) -> None:
        if pos == len(hidden):
            if all(v == 0 for v in row_left) and all(v == 0 for v in col_left):
                for cell, v in zip(hidden, chosen, strict=True):
                    options[cell].add(v)
                if all(len(o) >= 2 for o in options.values()):
                    raise Enough  # every hidden cell already has two feasible values
            return
        i, j = hidden[pos]
        high = min(row_left[i] - later_in_row[pos], col_left[j] - later_in_col[pos])
        low = 1 if later_in_row[pos] else row_left[i]  # the row's last hidden cell takes what is left
        for v in range(low, high + 1):
            row_left[i] -= v
            col_left[j] -= v
            fill(pos + 1, [*chosen, v], row_left, col_left)
            row_left[i] += v
            col_left[j] += v

    with contextlib.suppress(Enough):
        fill(0, [], row_rest, col_rest)
    return options


tables = st.integers(1, 4).flatmap(
    lambda rows: st.integers(1, 4).flatmap(
        lambda cols: st.lists(
            st.lists(st.integers(0, 12), min_size=cols, max_size=cols), min_size=rows, max_size=rows
        )
    )
)


@settings(max_examples=300, deadline=None)
@given(values=tables, k=st.sampled_from([3, 5, 10]))
def test_two_way_published_cells_are_at_least_k_and_suppressed_cells_cannot_be_derived(values, k):
    result = suppress_two_way(values, k)
    published = result.cells
    if result.withheld:
        assert all(v is None for row in published for v in row)
        return
    for i, row in enumerate(published):
        for j, v in enumerate(row):
            assert v is None or v == 0 or v >= k
            assert v is None or v == values[i][j]
    for cell, options in feasible_two_way(values, published).items():  # stops once each has two values
        assert len(options) >= 2, f"cell {cell} can be derived from the margins"


@settings(max_examples=200, deadline=None)
@given(values=tables)
def test_the_exact_check_agrees_with_brute_force(values):
    rows, cols = len(values), len(values[0])
    suppressed = {(i, j) for i in range(rows) for j in range(cols) if values[i][j] > 0 and (i + j) % 2 == 0}
    published = [[None if (i, j) in suppressed else values[i][j] for j in range(cols)] for i in range(rows)]
    brute = {c for c, options in feasible_two_way(values, published).items() if len(options) < 2}
    assert two_way_determined(values, suppressed) == brute


def test_two_way_classic_example():
    # A single small cell in a 3x3 table: its row and column each get a partner, and the four form a cycle.
    values = [[20, 2, 30], [25, 40, 35], [12, 15, 50]]
    published = suppress_two_way(values, 10).cells
    hidden = {(i, j) for i in range(3) for j in range(3) if published[i][j] is None}
    assert (0, 1) in hidden and len(hidden) == 4
    assert not two_way_determined(values, hidden)


def test_thresholds_come_from_the_rule_file():
    assert default_k() == 10 and check_k(None) == 10
    assert [check_k(k) for k in (3, 5, 11)] == [3, 5, 11]
    with pytest.raises(DisclosureError):
        check_k(7)
