"""Input hygiene: the one rule for free text that people type or import (names, notes, descriptions),
applied the same way by the pages' forms, the API's serializers and the CSV import (issue 21).

- No control characters (NUL, escape, bell, ...) except tab, line feed and carriage return in text
  that may span lines. A NUL would also be refused by PostgreSQL with an error nobody catches.
- No bidirectional embedding, override or isolate controls (U+202A-U+202E, U+2066-U+2069): they make
  "Eve\u202elyn" display as something else than it is (the "Trojan Source" trick, CVE-2021-42574).
  The plain direction marks (U+200E, U+200F, U+061C), which right-to-left writing needs, are allowed.
- A name has at least one visible character: a letter, digit, punctuation mark or symbol. Zero-width
  characters alone (U+200B, U+200D, U+FEFF, ...) or fillers that draw nothing (U+3164) are no name.
  Inside a name they stay allowed: a zero-width non-joiner is spelling in Persian, a joiner in Indic
  scripts.

`text_problem` and `name_problem` return what is wrong (a `Problem`) or None. The Django validators
`validate_text` and `validate_name` raise a translated ValidationError; the import words the same
problems in its own English, per column, without the value.
"""

from __future__ import annotations

import enum
import unicodedata

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

BIDI_CONTROLS = frozenset("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")
LINE_CONTROLS = frozenset("\t\n\r")
# Letters (Unicode category Lo / So) that draw nothing.
BLANK_LETTERS = frozenset("\u115f\u1160\u3164\uffa0\u2800")
_VISIBLE_CATEGORIES = frozenset("LNPS")  # letters, numbers, punctuation, symbols (not marks alone)


class Problem(enum.StrEnum):
    CONTROL = "control_character"
    BIDI = "bidi_control"
    INVISIBLE = "no_visible_character"


MESSAGES = {
    Problem.CONTROL: _("Remove the control character (such as NUL) from the text."),
    Problem.BIDI: _("Remove the character that changes the writing direction (such as U+202E)."),
    Problem.INVISIBLE: _("A name needs at least one visible letter, digit or sign."),
}

# The import's wording, after the column name ("given_name contains ...").
IMPORT_REASONS = {
    Problem.CONTROL: "contains a control character (such as NUL)",
    Problem.BIDI: "contains a bidirectional control character (such as U+202E)",
    Problem.INVISIBLE: "has no visible character",
}


def _is_control(char: str, *, multiline: bool) -> bool:
    if multiline and char in LINE_CONTROLS:
        return False
    return unicodedata.category(char) == "Cc"


def text_problem(value: str, *, multiline: bool = True) -> Problem | None:
    """What is wrong with free text (a note, a reason, a description), or None."""
    for char in value:
        if _is_control(char, multiline=multiline):
            return Problem.CONTROL
        if char in BIDI_CONTROLS:
            return Problem.BIDI
    return None


def _visible(char: str) -> bool:
    return unicodedata.category(char)[0] in _VISIBLE_CATEGORIES and char not in BLANK_LETTERS


def name_problem(value: str) -> Problem | None:
    """What is wrong with a name (or one part of it), or None. An empty value is no problem here:
    whether a name may be empty is each form's own rule."""
    problem = text_problem(value)
    if problem is not None:
        return problem
    if value and not any(_visible(char) for char in value):
        return Problem.INVISIBLE
    return None


def validate_text(value: str) -> None:
    problem = text_problem(value)
    if problem is not None:
        raise ValidationError(MESSAGES[problem], code=problem.value)


def validate_name(value: str) -> None:
    problem = name_problem(value)
    if problem is not None:
        raise ValidationError(MESSAGES[problem], code=problem.value)
