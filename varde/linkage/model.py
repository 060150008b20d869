"""The Splink model for referrals: settings, training and scoring on DuckDB or Spark.

Comparisons work on the prepared columns of `preprocess.py`:

- name: order-free (family name first or last is the same), with term-frequency adjustment so
  that "Blessing Okafor" agreeing counts for less than a rare name agreeing;
- birth: exact date > swapped day/month or one-character slip > a 1 January default or an
  estimated age compatible with the other record > incompatible;
- sex, nationality (a mismatch is allowed some probability: nationality is often wrong);
- phone (last 8 digits, term-frequency adjusted: a phone shared by many is weak evidence);
- document (normalised; a one-character slip is its own level).

Every SQL condition is written so that DuckDB and Spark compute the same levels (no Jaro-Winkler:
the engines implement it differently). Training: the prior from deterministic rules, u from random
sampling with a fixed seed, m by EM on two blocking rules. `ModelParameters` carries the trained
values so that a model trained once scores identically on either engine.
"""

from __future__ import annotations

import copy
import json
import logging
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import splink.comparison_level_library as cll
from splink import SettingsCreator, block_on
from splink.internals.exceptions import EMTrainingException  # Splink exports it nowhere else

logger = logging.getLogger(__name__)

MODEL_VERSION = "varde-linkage-3"


def _name_comparison() -> Any:
    from splink import comparison_library as cl

    return cl.CustomComparison(
        output_column_name="name",
        comparison_levels=[
            cll.NullLevel("name_sorted"),
            cll.ExactMatchLevel("name_sorted", term_frequency_adjustments=True),
            cll.ExactMatchLevel("name_keystr", term_frequency_adjustments=True).configure(
                label_for_charts="same sound, any order"
            ),
            # The partial levels are term-frequency adjusted too (by the more common of the two
            # names): "Maria Popescu" within "Maria Ioana Popescu" is weak evidence when thousands
            # are called Maria Popescu, and must not outweigh an exact match of a common name.
            cll.ArrayIntersectLevel("name_keys", min_intersection=2).configure(
                label_for_charts="two or more parts sound alike", tf_adjustment_column="name_keystr"
            ),
            cll.LevenshteinLevel("name_sorted", 2).configure(tf_adjustment_column="name_sorted"),
            # A given or family name left out: the one remaining part sounds like a part of the other
            # name. Not the same evidence as two full names that share one part and differ in another
            # (another family name is evidence against).
            # Below "two or more parts" this is: one name has a single part, and it is among the other's
            # (cheaper than a subset test on every pair, and the same on DuckDB and Spark).
            cll.CustomLevel(
                "array_contains(name_keys_l, name_keystr_r) OR array_contains(name_keys_r, name_keystr_l)"
            ).configure(label_for_charts="a part missing, the rest alike"),
            cll.ArrayIntersectLevel("name_keys", min_intersection=1).configure(
                label_for_charts="one part sounds alike, another differs"
            ),
            cll.ElseLevel(),
        ],
        comparison_description="Name parts in any order, transliteration-normalised",
    )


_BOTH_GENUINE = "by_exact_l and by_exact_r"
_BIRTH_LEVELS: list[dict[str, Any]] = [
    {
        "sql_condition": "by_lo_l IS NULL OR by_lo_r IS NULL",
        "label_for_charts": "birth unknown",
        "is_null_level": True,
    },
    {"sql_condition": f"dob_l = dob_r AND {_BOTH_GENUINE}", "label_for_charts": "same birth date"},
    {
        "sql_condition": f"{_BOTH_GENUINE} AND (dob_l = dob_swapped_r OR levenshtein(dob_l, dob_r) <= 1)",
        "label_for_charts": "day/month swapped or one slip",
    },
    {
        "sql_condition": "NOT (by_exact_l AND by_exact_r) AND abs((by_lo_l + by_hi_l) - (by_lo_r + by_hi_r)) <= 3",
        "label_for_charts": "birth years close (estimate or default date centred within 1.5 years)",
    },
    {
        "sql_condition": "by_lo_l <= by_hi_r AND by_lo_r <= by_hi_l AND NOT (by_exact_l AND by_exact_r)",
        "label_for_charts": "estimated ages compatible",
    },
    {"sql_condition": "ELSE", "label_for_charts": "incompatible"},
]


def _birth_comparison() -> dict[str, Any]:
    return {
        "output_column_name": "birth",
        "comparison_levels": copy.deepcopy(_BIRTH_LEVELS),
        "comparison_description": "Birth date, 1 January defaults, swapped day/month, estimated ages",
    }


def _exact_comparison(column: str, *, tf: bool = False, near: int | None = None) -> Any:
    from splink import comparison_library as cl

    levels: list[Any] = [cll.NullLevel(column), cll.ExactMatchLevel(column, term_frequency_adjustments=tf)]
    if near is not None:
        levels.append(cll.LevenshteinLevel(column, near))
    levels.append(cll.ElseLevel())
    return cl.CustomComparison(output_column_name=column, comparison_levels=levels)


# A person's referrals cluster in time: they pass through police, shelter and child welfare within
# months of each other, not years apart. Day numbers (preprocess.referral_day) keep this plain
# arithmetic on both engines.
_REFERRAL_LEVELS: list[dict[str, Any]] = [
    {
        "sql_condition": "ref_day_l IS NULL OR ref_day_r IS NULL",
        "label_for_charts": "referral date unknown",
        "is_null_level": True,
    },
    {"sql_condition": "abs(ref_day_l - ref_day_r) <= 183", "label_for_charts": "referred within six months"},
    {
        "sql_condition": "abs(ref_day_l - ref_day_r) <= 548",
        "label_for_charts": "referred within eighteen months",
    },
    {"sql_condition": "ELSE", "label_for_charts": "referred further apart"},
]


def _referral_comparison() -> dict[str, Any]:
    return {
        "output_column_name": "referral",
        "comparison_levels": copy.deepcopy(_REFERRAL_LEVELS),
        "comparison_description": "How close in time the two referrals were made",
    }


# --- privacy-preserving linkage (varde/linkage/pprl.py) ----------------------------------------------
#
# Only when some records arrived encoded (`pprl` below: 64-bit words per compared filter, by column
# prefix); otherwise the settings are exactly the plaintext ones. An encoded record has no plaintext
# name or birth features, so the name and birth comparisons above give it their null level; the two
# comparisons below score every pair with an encoded side on the Dice coefficient of the keyed
# filters (the plaintext side encoded by Varde with the same key), and give every other pair their
# null level (no evidence counted twice). Phone and document hold digests of their filters for every
# record in such a run: equality is equality of the numbers, and a one-character slip in a document
# is its filters' Dice. The SQL is DuckDB's; Splink translates it for Spark (list indexes included).

PprlWords = dict[str, int]
_ENCODED_PAIR = "(enc_l OR enc_r)"


def _common_sql(prefix: str, words: int) -> str:
    """Set bits the two filters share, over `words` 64-bit words."""
    return " + ".join(
        f"CAST(bit_count({prefix}_w_l[{i}] & {prefix}_w_r[{i}]) AS INTEGER)" for i in range(1, words + 1)
    )


def _dice_sql(prefix: str, words: int, threshold: float) -> str:
    """Dice(l, r) >= threshold, without a division: 2|l & r| >= t(|l| + |r|)."""
    return f"2 * ({_common_sql(prefix, words)}) >= {threshold} * ({prefix}_n_l + {prefix}_n_r)"


def _overlap_sql(prefix: str, words: int, threshold: float) -> str:
    """Overlap coefficient |l & r| / min(|l|, |r|) >= threshold: the smaller set (a written year and its
    neighbours) lies within the larger (an estimated age's range)."""
    return f"({_common_sql(prefix, words)}) >= {threshold} * least({prefix}_n_l, {prefix}_n_r)"


def _level(sql: str, label: str) -> Any:
    return cll.CustomLevel(sql, base_dialect_str="duckdb").configure(label_for_charts=label)


# Dice thresholds of the encoded name levels (below the exact match of the filters).
PPRL_NAME_DICE = (0.85, 0.7, 0.55)


def _pprl_name_comparison(words: PprlWords) -> Any:
    from splink import comparison_library as cl

    w = words["name"]
    return cl.CustomComparison(
        output_column_name="name_pprl",
        comparison_levels=[
            cll.CustomLevel(
                f"NOT {_ENCODED_PAIR} OR name_n_l IS NULL OR name_n_r IS NULL", base_dialect_str="duckdb"
            ).configure(is_null_level=True, label_for_charts="no encoded side, or a name missing"),
            _level("name_tok_l = name_tok_r", "same name encoding").configure(
                tf_adjustment_column="name_tok", tf_adjustment_weight=1.0
            ),
            _level(_dice_sql("name", w, PPRL_NAME_DICE[0]), f"name Dice >= {PPRL_NAME_DICE[0]}"),
            _level(_dice_sql("name", w, PPRL_NAME_DICE[1]), f"name Dice >= {PPRL_NAME_DICE[1]}"),
            # A given or family name left out: the shorter name's filter lies (almost) within the longer
            # one's. Not the same evidence as two names that share one part and differ in another.
            _level(_overlap_sql("name", w, 0.85), "a part missing, the rest alike (overlap >= 0.85)"),
            _level(_dice_sql("name", w, PPRL_NAME_DICE[2]), f"name Dice >= {PPRL_NAME_DICE[2]}"),
            cll.ElseLevel(),
        ],
        comparison_description="Keyed Bloom filters of the name parts (bigrams and sound keys), Dice",
    )


_BOTH_DATED = "(bdate_n_l > 0 AND bdate_n_r > 0)"


def _pprl_birth_comparison(words: PprlWords) -> Any:
    from splink import comparison_library as cl

    d, y = words["bdate"], words["byear"]
    return cl.CustomComparison(
        output_column_name="birth_pprl",
        comparison_levels=[
            cll.CustomLevel(
                f"NOT {_ENCODED_PAIR} OR byear_n_l IS NULL OR byear_n_r IS NULL", base_dialect_str="duckdb"
            ).configure(is_null_level=True, label_for_charts="no encoded side, or birth unknown"),
            _level(f"{_BOTH_DATED} AND {_dice_sql('bdate', d, 0.99)}", "same birth date"),
            _level(f"{_BOTH_DATED} AND {_dice_sql('bdate', d, 0.45)}", "day/month swapped or one slip"),
            _level(f"NOT {_BOTH_DATED} AND {_overlap_sql('byear', y, 0.85)}", "birth years close"),
            _level(f"NOT {_BOTH_DATED} AND {_overlap_sql('byear', y, 0.3)}", "birth years overlap"),
            cll.ElseLevel(),
        ],
        comparison_description="Keyed Bloom filters of the birth date and of the years it allows, Dice",
    )


def _document_comparison(pprl: PprlWords | None) -> Any:
    if pprl is None:
        return _exact_comparison("document", near=1)
    from splink import comparison_library as cl

    slip = cll.Or(
        cll.LevenshteinLevel("document", 1),
        cll.CustomLevel(
            f"doc_n_l > 0 AND doc_n_r > 0 AND {_dice_sql('doc', pprl['doc'], 0.6)}", base_dialect_str="duckdb"
        ),
    ).configure(label_for_charts="one slip (document filters' Dice >= 0.6)")
    return cl.CustomComparison(
        output_column_name="document",
        comparison_levels=[cll.NullLevel("document"), cll.ExactMatchLevel("document"), slip, cll.ElseLevel()],
    )


def comparisons(pprl: PprlWords | None = None) -> list[Any]:
    out = [
        _name_comparison(),
        _birth_comparison(),
        _exact_comparison("sex"),
        _exact_comparison("nationality"),
        _exact_comparison("phone", tf=True),
        _document_comparison(pprl),
        _referral_comparison(),
    ]
    if pprl is not None:
        out += [_pprl_name_comparison(pprl), _pprl_birth_comparison(pprl)]
    return out


def blocking_rules(pprl: bool = False) -> list[Any]:
    """Pairs worth scoring: records sharing a blocking key (`preprocess.blocking_columns`): a phone, a
    document, a name part with the exact birth date, or a name signature / pair of name-part
    prefixes (of the same sex) / rare name part - narrowed to a birth-year window when the name is common.

    With encoded records (`pprl`) the keys of `pprl.prepare_batch` ("p:...": the name filter, its
    MinHash bands, a band with the birth date) join only pairs with an encoded side: plaintext pairs
    are blocked exactly as without them."""
    if pprl:
        from splink.blocking_rule_library import CustomRule

        return [
            CustomRule(
                "l.blk = r.blk AND (substr(l.blk, 1, 2) <> 'p:' OR l.enc OR r.enc)",
                sql_dialect="duckdb",
                arrays_to_explode=["blk"],
            )
        ]
    return [block_on("blk", arrays_to_explode=["blk"])]


def settings(*, prior: float = 1e-4, pprl: PprlWords | None = None) -> SettingsCreator:
    return SettingsCreator(
        link_type="dedupe_only",
        unique_id_column_name="uid",
        probability_two_random_records_match=prior,
        comparisons=comparisons(pprl),
        blocking_rules_to_generate_predictions=blocking_rules(pprl is not None),
        retain_intermediate_calculation_columns=False,
        retain_matching_columns=False,
        additional_columns_to_retain=[],
    )


@dataclass
class ModelParameters:
    """Trained values: the prior and, per comparison, the (m, u) of each non-null level in order."""

    prior: float
    levels: dict[str, list[tuple[float | None, float | None]]]
    version: str = MODEL_VERSION

    def to_json(self) -> dict[str, Any]:
        return {
            "version": self.version,
            "prior": self.prior,
            "levels": {k: [list(v) for v in vs] for k, vs in self.levels.items()},
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> ModelParameters:
        return cls(
            prior=float(data["prior"]),
            version=str(data.get("version", MODEL_VERSION)),
            levels={k: [(m, u) for m, u in vs] for k, vs in data["levels"].items()},
        )

    def dumps(self) -> str:
        return json.dumps(self.to_json(), sort_keys=True)


def parameters_of(linker: Any) -> ModelParameters:
    model = linker.misc.save_model_to_json(out_path=None)
    levels: dict[str, list[tuple[float | None, float | None]]] = {}
    for comparison in model["comparisons"]:
        values = []
        for level in comparison["comparison_levels"]:
            if level.get("is_null_level"):
                continue
            values.append((level.get("m_probability"), level.get("u_probability")))
        levels[comparison["output_column_name"]] = values
    return ModelParameters(prior=float(model["probability_two_random_records_match"]), levels=levels)


# EM on small data can drive a level's m or u to 0; a floor keeps every level finite in weight.
PROBABILITY_FLOOR = 1e-6


def settings_with_parameters(
    dialect: str, params: ModelParameters, pprl: PprlWords | None = None
) -> dict[str, Any]:
    """A complete settings dict for `dialect` with the trained values filled in (for the encoded
    comparisons, when `params` has none - the shipped parameters are plaintext-only -, `PPRL_DEFAULTS`)."""
    data = settings(prior=params.prior, pprl=pprl).get_settings(dialect).as_dict()
    data["probability_two_random_records_match"] = params.prior
    for comparison in data["comparisons"]:
        name = comparison["output_column_name"]
        trained = iter(params.levels.get(name) or PPRL_DEFAULTS.get(name, []))
        for level in comparison["comparison_levels"]:
            if level.get("is_null_level"):
                continue
            m, u = next(trained, (None, None))
            if isinstance(m, int | float):
                level["m_probability"] = min(max(float(m), PROBABILITY_FLOOR), 1.0)
            if isinstance(u, int | float):
                level["u_probability"] = min(max(float(u), PROBABILITY_FLOOR), 1.0)
    return data


# --- training --------------------------------------------------------------------------------------

DETERMINISTIC_RULES = [
    "l.document = r.document",
    "l.name_sorted = r.name_sorted AND l.dob = r.dob AND l.by_exact AND r.by_exact",
    "l.phone = r.phone AND l.name_keystr = r.name_keystr",
]
# The deterministic rules above find roughly this share of true pairs in referral data.
DETERMINISTIC_RECALL = 0.55
# Two EM sessions: blocked on the phone, every comparison but the phone is estimated; blocked on the
# document, every comparison but the document. (A third, on name and birth date, estimated nothing the
# two had not, and cost 0.7 s of a 100k run; without it F1 was the same or better on every seed.)
EM_RULES = [block_on("phone"), block_on("document")]


def train(
    linker: Any, *, seed: int = 42, u_max_pairs: float = 2e5, step: Callable[[str], None] | None = None
) -> ModelParameters:
    """Estimate prior (deterministic rules), u (random sampling, seeded) and m (EM, u fixed)."""
    say = step or (lambda _msg: None)
    say("prior")
    linker.training.estimate_probability_two_random_records_match(
        DETERMINISTIC_RULES, recall=DETERMINISTIC_RECALL
    )
    say("u")
    # One pass over the random pairs: Splink's chunked estimate stops early once every level has 100
    # observations, which the rare agreement levels (same birth date, same document) never reach
    # among strangers, so its probe ran all chunks and restarted (1.8 s of a 100k run, against 0.5 s).
    linker.training.estimate_u_using_random_sampling(max_pairs=u_max_pairs, seed=seed, num_chunks=1)
    skipped = 0
    for number, rule in enumerate(EM_RULES):
        say("m")
        try:
            linker.training.estimate_parameters_using_expectation_maximisation(
                rule, estimate_without_term_frequencies=True, max_pairs=2e6
            )
        except (ValueError, EMTrainingException):
            # Splink refuses a level whose m collapses to 0 (tiny or degenerate samples), and a
            # blocking rule that gives no pair at all (no two records share a phone); the other
            # sessions and the starting values still give every comparison its parameters.
            logger.warning("EM session %d skipped: degenerate sample", number)
            skipped += 1
    if skipped == len(EM_RULES):
        # Nothing trained m: the starting values are guesses, the shipped parameters are not.
        logger.warning("no EM session could train: using the shipped parameters")
        return default_parameters()
    return parameters_of(linker)


# Used only to give EM a start that points the right way (Splink's defaults are generic).
STARTING_M: dict[str, list[float]] = {
    "name": [0.55, 0.15, 0.1, 0.05, 0.06, 0.04, 0.05],
    "birth": [0.4, 0.05, 0.3, 0.2, 0.05],
    "sex": [0.97, 0.03],
    "nationality": [0.85, 0.15],
    "phone": [0.6, 0.4],
    "document": [0.8, 0.1, 0.1],
    "referral": [0.6, 0.3, 0.1],
    "name_pprl": [0.6, 0.15, 0.1, 0.05, 0.05, 0.05],
    "birth_pprl": [0.4, 0.05, 0.35, 0.15, 0.05],
}
# m and u of the encoded comparisons' levels where a run has not trained them (the shipped
# parameters are plaintext-only, and small files use them): trained on the ~4k benchmark set, seed 7,
# with every record encoded (`bench/linkage/pprl.py --all --show-parameters`), 3 significant digits.
PPRL_DEFAULTS: dict[str, list[tuple[float | None, float | None]]] = {
    "name_pprl": [
        (0.582, 0.000285),
        (0.128, 0.000133),
        (0.168, 0.00164),
        (0.0726, 0.000753),
        (0.0138, 0.0113),
        (0.0351, 0.986),
    ],
    "birth_pprl": [(0.256, 0.000182), (0.0174, 0.00181), (0.637, 0.143), (0.0878, 0.116), (0.00116, 0.739)],
}


def initial_settings(dialect: str, pprl: PprlWords | None = None) -> dict[str, Any]:
    """Settings to train from: starting m values that point EM the right way, so that a level EM
    never observes keeps a sensible value instead of Splink's generic default."""
    data = settings(pprl=pprl).get_settings(dialect).as_dict()
    for comparison in data["comparisons"]:
        start = iter(STARTING_M.get(comparison["output_column_name"], []))
        for level in comparison["comparison_levels"]:
            if level.get("is_null_level"):
                continue
            m = next(start, None)
            if m is not None:
                level["m_probability"] = m
    return data


DEFAULT_PARAMETERS_FILE = Path(__file__).with_name("default_parameters.json")
# Below this many records the model is not trained (EM on a few hundred records is not reliable, and
# on a handful Splink cannot train at all): the shipped parameters are used instead.
MIN_RECORDS_TO_TRAIN = 2000


@lru_cache(maxsize=1)
def default_parameters() -> ModelParameters:
    """Parameters trained on synthetic referrals (bench/linkage/train_defaults.py): used until a run on
    enough real referrals has trained its own (EM on a few hundred records is not reliable)."""
    return ModelParameters.from_json(json.loads(DEFAULT_PARAMETERS_FILE.read_text(encoding="utf-8")))
