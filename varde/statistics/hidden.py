"""Hidden numbers: how many persons no agency met, by multiple systems estimation. Pure functions.

Varde links persons across agencies, so it knows how the agencies' lists overlap: which persons the
police met, which child welfare met, which both. From the overlap of three or more lists a log-linear
model estimates how many persons were on none of them (capture-recapture with several lists; the UK
Home Office's 2014 national estimate, Silverman 2014; UNODC's recommended method).

The method, as implemented here (the benchmark in bench/hidden/ measures it):

- Lists: the kinds of agency of rules/hidden_lists.json (police, child welfare, immigration, health,
  NGOs and shelters, others). A person is on a list when a referral by an agency of one of its kinds
  concerns them in the period. Empty lists take no part.
- Model: a Poisson GLM (statsmodels) over the 2^K - 1 observed capture histories: log E[n_w] =
  intercept + a main effect per list + the chosen two-list interactions. The persons on no list are
  estimated as exp(intercept); the total is the observed persons plus that.
- Which two-list interactions: by default every estimable one (selection "all"). Stepwise selection
  is there too (selection "aic" or "bic"): forward from main effects, as the Home Office and Chan,
  Silverman and Vincent (2021) did; at each step the candidates are ranked by their score statistic
  at the current fit, the best three are fitted, and the one with the lowest AIC (or BIC with
  log(observed persons)) among those that are estimable is added if it lowers the criterion. The
  benchmark (bench/hidden/README.md) shows why it is not the default: at KOM's sizes the interval of
  a selected model ignores the uncertainty of the selection and covered the true total in only about
  three of four simulated years, against about nine of ten for the model with every interaction.
- Estimable means: the two lists share at least one person (an interaction of lists with no person in
  common has its maximum likelihood at minus infinity), the design matrix has full rank
  (identifiability), and the maximum likelihood estimate exists for the sparse table: the linear
  programme of Fienberg and Rinaldo (2012), as used by Chan, Silverman and Vincent, finds no direction
  in which the fitted zero cells could fall to zero while every positive cell stays fitted. With
  selection "all", while these fail, the interaction of the pair sharing the fewest persons goes.
- Interval: 95 % profile likelihood for the hidden count, given the model: the values of the
  intercept whose profile deviance lies within chi2(1; 0.95) = 3.84 of the best. The model's AIC is
  stated with it.

Varde gives no number (estimate null, a warning instead) when: fewer than three lists have persons;
nobody is on two lists; every person on two or more lists is on the same pair; a list shares no person
with any other list (its hidden part is the model's assumption alone); the main-effects model has no
estimate for the table; the model cannot be fitted; or the interval has no upper end or is wider
than MAX_RELATIVE_WIDTH times the estimate.
"""

from __future__ import annotations

import json
import math
import warnings
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from functools import cache
from pathlib import Path
from typing import Any

import numpy as np
from numpy.typing import NDArray

RULES_FILE = Path(__file__).with_name("rules") / "hidden_lists.json"
SELECTIONS = ("all", "aic", "bic")  # every estimable interaction; or stepwise by AIC or BIC
DEFAULT_SELECTION = "all"
LEVEL = 0.95
MIN_LISTS = 3
# Refuse an estimate whose 95 % interval is wider than this many times the estimate itself.
MAX_RELATIVE_WIDTH = 1.5
TRY_PER_STEP = 3  # candidate interactions fitted at each step, in the order of their score statistic
_UPPER_LIMIT = 1000.0  # the profile's search for the upper end stops at this many times the observed

Array = NDArray[np.float64]


# -- the lists ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ListGroup:
    """One list of the estimate: a name, its agency kinds and its label in both languages."""

    name: str
    kinds: frozenset[str]
    nb: str
    en: str


@cache
def rules() -> dict[str, Any]:
    data: dict[str, Any] = json.loads(RULES_FILE.read_text(encoding="utf-8"))
    return data


def list_groups(data: Mapping[str, Any] | None = None) -> tuple[ListGroup, ...]:
    """The lists of the rule file (or of `data` with the same shape), in its order."""
    data = data if data is not None else rules()
    groups = tuple(
        ListGroup(name=str(g["name"]), kinds=frozenset(g["kinds"]), nb=str(g["nb"]), en=str(g["en"]))
        for g in data["lists"]
    )
    seen: set[str] = set()
    for group in groups:
        if group.kinds & seen:
            raise ValueError(f"an agency kind is on two lists ({group.name})")
        seen |= group.kinds
    return groups


def lists_of(kinds: Iterable[str], groups: Sequence[ListGroup]) -> frozenset[str]:
    """The names of the lists that agencies of these kinds put a person on."""
    kinds = frozenset(kinds)
    return frozenset(g.name for g in groups if g.kinds & kinds)


# -- the capture table -------------------------------------------------------------------------------


@dataclass(frozen=True)
class CaptureTable:
    """Persons by capture history. counts[b] = persons on exactly the lists whose bits are set in b
    (bit k = lists[k]); counts[0] = 0 stands for the persons on no list, which no one saw."""

    lists: tuple[str, ...]
    counts: tuple[int, ...]

    def __post_init__(self) -> None:
        if len(self.counts) != 2 ** len(self.lists) or (self.counts and self.counts[0] != 0):
            raise ValueError("counts must have 2**K entries with counts[0] == 0")

    @property
    def observed(self) -> int:
        return sum(self.counts)

    def size(self, k: int) -> int:
        return sum(n for b, n in enumerate(self.counts) if b >> k & 1)

    def overlap(self, i: int, j: int) -> int:
        return sum(n for b, n in enumerate(self.counts) if b >> i & 1 and b >> j & 1)

    def sizes(self) -> dict[str, int]:
        return {name: self.size(k) for k, name in enumerate(self.lists)}

    def without_empty_lists(self) -> CaptureTable:
        keep = [k for k in range(len(self.lists)) if self.size(k) > 0]
        counts = [0] * 2 ** len(keep)
        for b, n in enumerate(self.counts):
            if n:
                counts[sum(1 << new for new, old in enumerate(keep) if b >> old & 1)] += n
        return CaptureTable(lists=tuple(self.lists[k] for k in keep), counts=tuple(counts))


def capture_table(histories: Iterable[Collection[str]], lists: Sequence[str]) -> CaptureTable:
    """The table from each person's lists (names); a person on none of `lists` is left out."""
    index = {name: k for k, name in enumerate(lists)}
    counts = [0] * 2 ** len(lists)
    for history in histories:
        b = sum(1 << index[name] for name in set(history) if name in index)
        if b:
            counts[b] += 1
    return CaptureTable(lists=tuple(lists), counts=tuple(counts))


# -- the estimate ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class HiddenEstimate:
    """The result. `estimate` and `interval` are None whenever `warning` says why there is no number."""

    observed: int
    lists: dict[str, int]
    estimate: float | None = None
    interval: tuple[float, float] | None = None
    model: str | None = None
    warning: str | None = None
    # a code: too_few_lists, no_overlap, one_pair, list_apart, no_mle, no_fit, wide
    refusal: str | None = None
    interactions: tuple[tuple[str, str], ...] = ()
    selection: str = DEFAULT_SELECTION
    hidden: float | None = field(default=None)  # the estimated persons on no list (unrounded)

    @property
    def refused(self) -> bool:
        return self.warning is not None

    def as_json(self) -> dict[str, Any]:
        """{"observed", "estimate", "interval": [lo, hi], "lists": {name: n}, "model", "warning"}."""
        return {
            "observed": self.observed,
            "estimate": None if self.estimate is None else int(round(self.estimate)),
            "interval": None
            if self.interval is None
            else [int(math.floor(self.interval[0])), int(math.ceil(self.interval[1]))],
            "lists": dict(self.lists),
            "model": self.model,
            "warning": self.warning,
        }


def _patterns(k: int) -> NDArray[np.int64]:
    """The 2^k - 1 observed capture histories as a 0/1 matrix, row b-1 = pattern b."""
    b = np.arange(1, 2**k)
    return ((b[:, None] >> np.arange(k)[None, :]) & 1).astype(np.int64)


def _design(patterns: NDArray[np.int64], pairs: Sequence[tuple[int, int]]) -> Array:
    columns = [np.ones(len(patterns)), *patterns.T, *(patterns[:, i] * patterns[:, j] for i, j in pairs)]
    return np.column_stack(columns).astype(np.float64)


@dataclass(frozen=True)
class _Fit:
    params: Array
    mu: Array
    llf: float
    converged: bool
    se0: float  # the standard error of the first parameter (the intercept)


class FitError(ArithmeticError):
    """The GLM could not be fitted (IRLS diverged to invalid weights twice)."""


def _fit(y: Array, x: Array, offset: Array | None = None, start: Array | None = None) -> _Fit:
    """A Poisson GLM fitted by statsmodels (IRLS), from `start` when given (a nearby model's fit);
    if that diverges, once more from statsmodels' own start; FitError if that diverges too."""
    import statsmodels.api as sm

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        model = sm.GLM(y, x, family=sm.families.Poisson(), offset=offset)
        try:
            result = model.fit(start_params=start)
        except (ValueError, np.linalg.LinAlgError):
            try:
                result = model.fit()
            except (ValueError, np.linalg.LinAlgError) as exc:
                raise FitError("the log-linear model could not be fitted") from exc
        bse = np.asarray(result.bse, dtype=np.float64)
        params = np.asarray(result.params, dtype=np.float64)
        if not np.all(np.isfinite(params)):
            raise FitError("the log-linear model could not be fitted")
        return _Fit(
            params=params,
            mu=np.asarray(result.mu, dtype=np.float64),
            llf=float(result.llf),
            converged=bool(result.converged),
            se0=float(bse[0]) if len(bse) and math.isfinite(bse[0]) else 1.0,
        )


def identifiable(x: Array) -> bool:
    """Every parameter is identified: the design matrix has full column rank."""
    return int(np.linalg.matrix_rank(x)) == x.shape[1]


def mle_exists(y: Array, x: Array) -> bool:
    """Whether the Poisson log-linear MLE exists (Fienberg and Rinaldo 2012, as checked by Chan,
    Silverman and Vincent 2021): no direction d keeps every positive cell's linear predictor fixed
    (x_i.d = 0) while lowering some zero cell's (x_i.d < 0) and raising none."""
    zero = y == 0
    if not zero.any():
        return True
    from scipy.optimize import linprog

    xz, xp = x[zero], x[~zero]
    result = linprog(
        c=xz.sum(axis=0),
        A_ub=np.vstack([xz, -xz]),
        b_ub=np.concatenate([np.zeros(len(xz)), np.ones(len(xz))]),
        A_eq=xp if len(xp) else None,
        b_eq=np.zeros(len(xp)) if len(xp) else None,
        bounds=[(None, None)] * x.shape[1],
        method="highs",
    )
    return bool(result.status == 0 and result.fun > -1e-7)


def _criterion(fit: _Fit, n_params: int, selection: str, observed: int) -> float:
    penalty = 2.0 if selection == "aic" else math.log(max(observed, 2))
    return -2.0 * fit.llf + penalty * n_params


def _score_statistics(y: Array, x: Array, mu: Array, z: Array) -> Array:
    """Rao's score statistic for adding each column of z to the Poisson model fitted at mu."""
    u = z.T @ (y - mu)
    xw = x * mu[:, None]
    a = x.T @ xw
    b = xw.T @ z
    info = (z * z * mu[:, None]).sum(axis=0) - (b * np.linalg.solve(a, b)).sum(axis=0)
    return np.where(info > 1e-9, u * u / np.maximum(info, 1e-9), 0.0)


def _profile_interval(y: Array, x: Array, best: _Fit, level: float, observed: int) -> tuple[float, float]:
    """The profile-likelihood interval of the hidden count exp(intercept), given the model: the
    intercepts c whose profile deviance D(c) = 2 (llf(best) - max llf with the intercept fixed at c)
    stays within the chi-squared cut. Each end is found on the signed root sqrt(D(c)), nearly linear in
    c: secant steps from the Wald end, then Brent's method on a bracket if they do not settle."""
    from scipy.optimize import brentq
    from scipy.stats import chi2

    cut = float(chi2.ppf(level, 1))
    root = math.sqrt(cut)
    rest = x[:, 1:]
    c_hat = float(best.params[0])
    ones = np.ones(len(y))
    start = best.params[1:]

    def signed_root(c: float) -> float:
        fit = _fit(y, rest, offset=c * ones, start=start)
        return math.sqrt(max(2.0 * (best.llf - fit.llf), 0.0))

    se = max(min(best.se0, 2.0), 0.02)
    ends: list[float] = []
    for direction, limit in ((-1.0, math.log(1e-3)), (1.0, math.log(_UPPER_LIMIT * max(observed, 1)))):
        prev_c, prev_r = c_hat, 0.0
        inside, outside = c_hat, None  # the deviance is below the cut at `inside`, above at `outside`
        c = c_hat + direction * root * se  # the Wald end
        end: float | None = None
        for _ in range(12):
            c = max(c, limit) if direction < 0 else min(c, limit)
            r = signed_root(c)
            if abs(r - root) < 2e-3:
                end = c
                break
            if r < root:
                if c == limit:
                    end = direction * math.inf
                    break
                inside = c
            else:
                outside = c
            slope = (r - prev_r) / (c - prev_c) if c != prev_c else 0.0  # secant towards the cut
            if direction * slope > 1e-9:
                guess = c + (root - r) / slope
            else:
                guess = c + direction * (abs(c - c_hat) + se)
            if outside is not None and not min(inside, outside) < guess < max(inside, outside):
                guess = (inside + outside) / 2.0
            prev_c, prev_r, c = c, r, guess
        if end is None:  # fall back on a bracket
            if outside is None:
                end = direction * math.inf
            else:
                end = brentq(
                    lambda v: signed_root(v) - root, min(inside, outside), max(inside, outside), xtol=1e-3
                )
        ends.append(end)
    return math.exp(ends[0]), math.exp(ends[1])


def _all_estimable(
    t: CaptureTable, y: Array, patterns: NDArray[np.int64], candidates: Sequence[tuple[int, int]]
) -> tuple[list[tuple[int, int]], Array]:
    """Every two-list interaction whose lists share a person; while the MLE does not exist or a
    parameter is not identified, the interaction of the pair sharing the fewest persons goes."""
    pairs = list(candidates)
    x = _design(patterns, pairs)
    while pairs and not (identifiable(x) and mle_exists(y, x)):
        weakest = min(reversed(pairs), key=lambda p: t.overlap(*p))
        pairs.remove(weakest)
        x = _design(patterns, pairs)
    return pairs, x


def _stepwise(
    y: Array,
    patterns: NDArray[np.int64],
    candidates: Sequence[tuple[int, int]],
    selection: str,
    observed: int,
) -> tuple[list[tuple[int, int]], Array, _Fit]:
    """Forward stepwise from main effects by AIC or BIC (see the module's docstring)."""
    pairs: list[tuple[int, int]] = []
    x = _design(patterns, pairs)
    fit = _fit(y, x)
    score = _criterion(fit, x.shape[1], selection, observed)
    while True:
        left = [p for p in candidates if p not in pairs]
        if not left:
            break
        z = np.column_stack([patterns[:, i] * patterns[:, j] for i, j in left]).astype(np.float64)
        ranked = np.argsort(-_score_statistics(y, x, fit.mu, z), kind="stable")
        fitted: list[tuple[float, tuple[int, int], Array, _Fit]] = []
        for idx in ranked[:TRY_PER_STEP]:
            x_new = np.column_stack([x, z[:, idx]])
            if not identifiable(x_new):
                continue
            try:
                fit_new = _fit(y, x_new, start=np.append(fit.params, 0.0))
            except FitError:
                continue
            if fit_new.converged:
                value = _criterion(fit_new, x_new.shape[1], selection, observed)
                fitted.append((value, left[int(idx)], x_new, fit_new))
        # the best that lowers the criterion and whose MLE exists (checked last: the LP is the slow part)
        chosen = next(
            (f for f in sorted(fitted, key=lambda f: f[0]) if f[0] < score - 1e-9 and mle_exists(y, f[2])),
            None,
        )
        if chosen is None:
            break
        score, pair, x, fit = chosen
        pairs.append(pair)
    return pairs, x, fit


def _refuse(table: CaptureTable, lists: dict[str, int], code: str, text: str) -> HiddenEstimate:
    return HiddenEstimate(observed=table.observed, lists=lists, warning=text, refusal=code)


def _describe(
    names: Sequence[str], pairs: Sequence[tuple[int, int]], selection: str, aic: float, level: float
) -> str:
    terms = ", ".join(f"{names[i]}×{names[j]}" for i, j in pairs)
    how = (
        "every estimable two-list interaction, no selection"
        if selection == "all"
        else f"two-list interactions chosen stepwise by {selection.upper()}"
    )
    return (
        f"log-linear Poisson model over {len(names)} lists: main effects"
        + (f" + {terms}" if terms else "")
        + f" ({how}); AIC {aic:.1f}; {round(level * 100)} % profile-likelihood interval"
    )


def estimate_hidden(
    table: CaptureTable,
    *,
    selection: str = DEFAULT_SELECTION,
    level: float = LEVEL,
    max_relative_width: float = MAX_RELATIVE_WIDTH,
) -> HiddenEstimate:
    """The total population (observed + hidden) with its interval, or a warning and no number."""
    if selection not in SELECTIONS:
        raise ValueError(f"selection must be one of {', '.join(SELECTIONS)}")
    all_sizes = table.sizes()
    t = table.without_empty_lists()
    k = len(t.lists)
    if k < MIN_LISTS:
        return _refuse(
            table,
            all_sizes,
            "too_few_lists",
            f"only {k} of the lists have persons in the period; an estimate needs at least {MIN_LISTS}",
        )
    multi = [b for b, n in enumerate(t.counts) if n and bin(b).count("1") >= 2]
    if not multi:
        return _refuse(table, all_sizes, "no_overlap", "no person is on two lists: the lists do not overlap")
    if len(multi) == 1 and bin(multi[0]).count("1") == 2:
        i, j = (m for m in range(k) if multi[0] >> m & 1)
        return _refuse(
            table,
            all_sizes,
            "one_pair",
            f"every person on two lists is on the same pair ({t.lists[i]} and {t.lists[j]}): "
            "the other lists share no one, so the overlap cannot be modelled",
        )
    apart = [t.lists[m] for m in range(k) if all(t.overlap(m, o) == 0 for o in range(k) if o != m)]
    if apart:
        return _refuse(
            table,
            all_sizes,
            "list_apart",
            f"{', '.join(apart)} share{'s' if len(apart) == 1 else ''} no person with any other list: "
            "how many such persons were missed would be the model's assumption alone "
            "(merge the list with another in rules/hidden_lists.json or widen the period)",
        )

    patterns = _patterns(k)
    y = np.asarray(t.counts[1:], dtype=np.float64)
    observed = t.observed
    pairs: list[tuple[int, int]] = []
    x = _design(patterns, pairs)
    if not (identifiable(x) and mle_exists(y, x)):
        return _refuse(
            table,
            all_sizes,
            "no_mle",
            "the table is too sparse: the main-effects model has no maximum likelihood estimate",
        )
    candidates = [(i, j) for i in range(k) for j in range(i + 1, k) if t.overlap(i, j) > 0]
    try:
        if selection == "all":
            pairs, x = _all_estimable(t, y, patterns, candidates)
            fit = _fit(y, x)
        else:
            pairs, x, fit = _stepwise(y, patterns, candidates, selection, observed)
        lo_hidden, hi_hidden = _profile_interval(y, x, fit, level, observed)
    except FitError:
        return _refuse(table, all_sizes, "no_fit", "the log-linear model could not be fitted to the table")
    aic = -2.0 * fit.llf + 2.0 * x.shape[1]

    names = t.lists
    model = _describe(names, pairs, selection, aic, level)
    interactions = tuple((names[i], names[j]) for i, j in pairs)
    hidden = float(math.exp(fit.params[0]))
    estimate = observed + hidden
    fitted = HiddenEstimate(
        observed=observed,
        lists=all_sizes,
        model=model,
        interactions=interactions,
        selection=selection,
        hidden=hidden,
    )
    if not math.isfinite(hi_hidden):
        return replace(
            fitted,
            refusal="wide",
            warning="the data set no upper limit on the number of persons no agency met",
        )
    interval = (observed + lo_hidden, observed + hi_hidden)
    if interval[1] - interval[0] > max_relative_width * estimate:
        return replace(
            fitted,
            refusal="wide",
            warning=f"the {round(level * 100)} % interval "
            f"({math.floor(interval[0])}-{math.ceil(interval[1])}) is wider than "
            f"{max_relative_width:g} times the estimate: too uncertain to publish",
        )
    return replace(fitted, estimate=estimate, interval=interval)
