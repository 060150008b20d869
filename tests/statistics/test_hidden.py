"""Hidden numbers (varde.statistics.hidden): the estimator recovers a known total within its interval,
refuses the tables it cannot trust, and `varde stats hidden --json` gives the issue's shape."""

from __future__ import annotations

import datetime as dt
import json
import math

import numpy as np
import pytest

from tests.factories import esther_reported_twice, mihai_child
from varde.accounts.models import AgencyKind
from varde.statistics import hidden
from varde.statistics.hidden import CaptureTable, capture_table, estimate_hidden, list_groups, lists_of

LISTS = ("police", "child_welfare", "immigration", "ngo_shelter")
JSON_KEYS = ["observed", "estimate", "interval", "lists", "model", "warning"]


def simulated(n: int, p: list[float], *, seed: int, chain: float = 0.0) -> CaptureTable:
    """n persons, list k meets each with probability p[k]; with `chain`, child welfare hands that
    share of its persons to the police too (a two-list dependence)."""
    rng = np.random.default_rng(seed)
    caught = rng.random((n, len(p))) < np.array(p)
    if chain:
        caught[:, 0] |= caught[:, 1] & (rng.random(n) < chain)
    bits = caught.astype(np.int64) @ (1 << np.arange(len(p)))
    counts = np.bincount(bits, minlength=2 ** len(p))
    counts[0] = 0
    return CaptureTable(lists=LISTS[: len(p)], counts=tuple(int(c) for c in counts))


def table_of(lists: tuple[str, ...], cells: dict[str, int]) -> CaptureTable:
    """A table from patterns written as strings of 0/1 in the order of `lists` ("1100": 5)."""
    counts = [0] * 2 ** len(lists)
    for pattern, n in cells.items():
        counts[sum(1 << k for k, bit in enumerate(pattern) if bit == "1")] = n
    return CaptureTable(lists=lists, counts=tuple(counts))


# --- the estimate --------------------------------------------------------------------------------------


def test_recovers_a_known_total_within_its_interval():
    table = simulated(2000, [0.3, 0.2, 0.25, 0.15], seed=1)
    result = estimate_hidden(table)
    assert result.warning is None
    assert result.interval is not None and result.estimate is not None
    lo, hi = result.interval
    assert lo <= 2000 <= hi
    assert lo < result.estimate < hi
    assert abs(result.estimate / 2000 - 1) < 0.1
    assert result.observed == table.observed < lo  # some persons were hidden, and the data say so


def test_a_referral_chain_is_modelled_by_its_interaction():
    """Child welfare hands most children it meets to the police: main effects alone undercount."""
    table = simulated(3000, [0.15, 0.2, 0.25, 0.2], seed=2, chain=0.6)
    with_pairs = estimate_hidden(table)
    stepwise = estimate_hidden(table, selection="aic")
    assert with_pairs.interval is not None and with_pairs.interval[0] <= 3000 <= with_pairs.interval[1]
    assert ("police", "child_welfare") in stepwise.interactions
    assert "stepwise by AIC" in str(stepwise.model)
    assert stepwise.interval is not None and stepwise.interval[0] <= 3000 <= stepwise.interval[1]


def test_the_interval_ends_are_where_the_profile_deviance_reaches_the_cut():
    table = simulated(1500, [0.3, 0.25, 0.3], seed=3)
    t = table.without_empty_lists()
    y = np.asarray(t.counts[1:], dtype=float)
    x = hidden._design(hidden._patterns(3), [])
    best = hidden._fit(y, x)
    lo, hi = hidden._profile_interval(y, x, best, 0.95, t.observed)
    for end in (lo, hi):
        constrained = hidden._fit(y, x[:, 1:], offset=np.full(len(y), math.log(end)))
        assert 2 * (best.llf - constrained.llf) == pytest.approx(3.8415, abs=0.02)
    assert lo < math.exp(best.params[0]) < hi


def test_json_has_the_issue_shape():
    result = estimate_hidden(simulated(2000, [0.3, 0.2, 0.25, 0.15], seed=1)).as_json()
    assert list(result) == JSON_KEYS
    assert isinstance(result["estimate"], int)
    assert result["interval"][0] <= result["estimate"] <= result["interval"][1]
    assert set(result["lists"]) == set(LISTS)
    assert "profile-likelihood" in result["model"] and "AIC" in result["model"]
    assert result["warning"] is None


# --- sparse tables ------------------------------------------------------------------------------------


def test_mle_existence_by_linear_programme():
    """Three lists with every two-list interaction is saturated: a zero cell sends a parameter to
    minus infinity, so the MLE does not exist; with every cell positive it does."""
    x = hidden._design(hidden._patterns(3), [(0, 1), (0, 2), (1, 2)])
    assert hidden.mle_exists(np.array([5.0, 4, 3, 6, 2, 2, 1]), x)
    assert not hidden.mle_exists(np.array([5.0, 4, 3, 6, 2, 2, 0]), x)
    assert hidden.identifiable(x)


def test_interactions_that_cannot_be_estimated_are_left_out():
    """No one is on both immigration and NGO lists (a zero in their 2x2 table): no interaction for
    that pair; and with three lists, the pair sharing the fewest persons goes until the MLE exists."""
    cells = {
        "1000": 60, "0100": 40, "0010": 50, "0001": 45, "1100": 20, "1010": 12,
        "1001": 10, "0110": 6, "0101": 5, "1110": 3, "1101": 2,
    }  # fmt: skip
    result = estimate_hidden(table_of(LISTS, cells), max_relative_width=math.inf)
    assert result.warning is None and len(result.interactions) == 5
    assert ("immigration", "ngo_shelter") not in result.interactions
    cells3 = {"100": 50, "010": 40, "001": 45, "110": 12, "101": 9, "011": 3}
    three = estimate_hidden(table_of(LISTS[:3], cells3), max_relative_width=math.inf)
    assert three.warning is None  # n_111 = 0: the saturated model has no MLE, one interaction goes
    assert len(three.interactions) == 2 and ("child_welfare", "immigration") not in three.interactions


# --- refusals -----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("lists", "cells", "refusal"),
    [
        (LISTS, {"1000": 40, "0100": 30, "1100": 10}, "too_few_lists"),
        (LISTS, {"1000": 40, "0100": 30, "0010": 20, "0001": 10}, "no_overlap"),
        (LISTS, {"1000": 40, "0100": 30, "0010": 20, "0001": 10, "1100": 15}, "one_pair"),
        (LISTS, {"1000": 40, "0100": 30, "0010": 20, "0001": 10, "1100": 15, "1010": 5}, "list_apart"),
        (LISTS[:3], {"100": 30, "010": 30, "001": 30, "110": 1, "101": 1, "011": 1}, "wide"),
    ],
    ids=["two lists", "no overlap", "all overlap in one pair", "a list apart", "huge interval"],
)
def test_refuses_what_it_cannot_estimate(lists, cells, refusal):
    result = estimate_hidden(table_of(lists, cells))
    assert result.refusal == refusal
    assert result.warning
    data = result.as_json()
    assert data["estimate"] is None and data["interval"] is None
    assert data["observed"] == sum(cells.values())


def test_a_model_that_cannot_be_fitted_is_refused(monkeypatch):
    def diverges(*args, **kwargs):
        raise hidden.FitError("the log-linear model could not be fitted")

    monkeypatch.setattr(hidden, "_fit", diverges)
    result = estimate_hidden(simulated(2000, [0.3, 0.2, 0.25, 0.15], seed=1))
    assert result.refusal == "no_fit" and result.estimate is None


def test_unknown_selection_is_an_error():
    with pytest.raises(ValueError, match="selection"):
        estimate_hidden(simulated(500, [0.3, 0.3, 0.3], seed=4), selection="cp")


# --- the lists ----------------------------------------------------------------------------------------


def test_every_agency_kind_is_on_exactly_one_list():
    groups = list_groups()
    for kind in AgencyKind:
        assert len(lists_of([kind.value], groups)) == 1, kind
    assert len(groups) >= 3


def test_capture_table_counts_persons_by_their_lists():
    table = capture_table([{"police"}, {"police", "ngo_shelter"}, {"police", "ngo_shelter"}, set()], LISTS)
    assert table.observed == 3
    assert table.sizes() == {"police": 3, "child_welfare": 0, "immigration": 0, "ngo_shelter": 2}
    assert table.without_empty_lists().lists == ("police", "ngo_shelter")


def test_lists_with_overlapping_kinds_are_refused():
    data = {"lists": [{"name": "a", "nb": "a", "en": "a", "kinds": ["ngo"]}] * 2}
    with pytest.raises(ValueError, match="two lists"):
        list_groups(data)


# --- from the database ---------------------------------------------------------------------------------


@pytest.fixture
def small_world(personas, agencies):
    """Esther, reported by the police and by ROSA (linked: one person on two lists); Mihai, a boy,
    by child welfare; and a referral of another year."""
    from varde.linkage.services import linkage_run

    esther_reported_twice(personas, agencies)
    mihai_child(personas.childwelfare, agencies.childwelfare)
    mihai_child(personas.police, agencies.police, referral_date=dt.date(2025, 3, 1))
    linkage_run(actor=personas.coordinator)


@pytest.mark.django_db
def test_capture_histories_come_from_linked_persons(small_world):
    from varde.statistics.extract import agency_kinds_in_period

    histories = agency_kinds_in_period(start=dt.date(2026, 1, 1), end=dt.date(2026, 12, 31))
    assert sorted(sorted(h) for h in histories) == [
        ["child_welfare_state"],
        ["ngo", "police_district"],
    ]


@pytest.mark.django_db
def test_cli_json_shape_and_refusal(small_world, capsys):
    from varde.audit.models import AuditEvent
    from varde.cli import main

    assert main(["stats", "hidden", "--from", "2026-01-01", "--to", "2026-12-31", "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert list(data) == JSON_KEYS
    assert data["observed"] == 2
    assert data["lists"]["police"] == 1 and data["lists"]["child_welfare"] == 1
    assert data["estimate"] is None and data["interval"] is None and data["warning"]
    event = AuditEvent.objects.filter(object_type="statistics.hidden").get()
    assert event.object_id == "2026-01-01/2026-12-31"


@pytest.mark.django_db
def test_cli_prints_an_estimate_when_the_lists_allow_one(monkeypatch, capsys):
    from varde.cli import main
    from varde.statistics import selectors

    table = simulated(2000, [0.3, 0.2, 0.25, 0.15], seed=1)
    kinds = {"police": "police_district", "child_welfare": "child_welfare_state", "immigration": "udi"}
    kinds["ngo_shelter"] = "ngo"
    persons = [
        frozenset(kinds[name] for k, name in enumerate(LISTS) if b >> k & 1)
        for b, n in enumerate(table.counts)
        for _ in range(n)
    ]
    monkeypatch.setattr(selectors, "agency_kinds_in_period", lambda **_: persons)
    assert main(["stats", "hidden", "--from", "2026-01-01", "--to", "2026-12-31", "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["warning"] is None and data["observed"] == table.observed
    assert data["interval"][0] <= 2000 <= data["interval"][1]
    assert main(["stats", "hidden", "--from", "2026-01-01", "--to", "2026-12-31"]) == 0
    text = capsys.readouterr().out
    assert str(data["estimate"]) in text and "profile-likelihood" in text


def test_cli_rejects_a_period_that_ends_before_it_starts(capsys):
    from varde.cli import main

    assert main(["stats", "hidden", "--from", "2026-12-31", "--to", "2026-01-01", "--json"]) == 2
    assert "--to" in capsys.readouterr().err


# --- the annual report's box ---------------------------------------------------------------------------


def test_the_report_box_only_for_an_estimate_that_passed_its_checks():
    from django.template.loader import render_to_string
    from django.utils import translation

    from varde.statistics.report import hidden_box

    good = estimate_hidden(simulated(2000, [0.3, 0.2, 0.25, 0.15], seed=1))
    box = hidden_box(good, k=10)
    assert box is not None and box.low <= box.estimate <= box.high and box.lists == 4
    refused = estimate_hidden(table_of(LISTS, {"1000": 40, "0100": 30, "0010": 20, "1100": 15}))
    assert hidden_box(refused, k=10) is None
    assert hidden_box(None, k=10) is None

    class Report:
        year = 2026
        hidden = box

    with translation.override("en"):
        html = render_to_string("web/statistics/_hidden.html", {"report": Report()})
    assert f"An estimated {box.estimate} persons" in html and "How this is estimated" in html
    with translation.override("nb"):
        html = render_to_string("web/statistics/_hidden.html", {"report": Report()})
    assert f"Anslagsvis {box.estimate} personer" in html
    Report.hidden = None
    assert render_to_string("web/statistics/_hidden.html", {"report": Report()}).strip() == ""


def test_cli_help_has_an_example(capsys):
    from varde.cli import main

    assert main(["stats", "hidden", "--help"]) == 0
    out = capsys.readouterr().out
    assert "usage: varde stats hidden" in out and "Example:\n  varde stats hidden --from" in out
