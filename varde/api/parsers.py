"""The API's one request parser: JSON, nested at most MAX_DEPTH levels deep.

Python's json module recurses once per level, so a body of 100,000 opening brackets raised
RecursionError, a 500 on every JSON endpoint including the anonymous token endpoint (issue 21). The
depth is measured before the body is decoded, in one pass over its brackets (strings skipped), and a
body nested too deep is a 400 like any other malformed JSON. Varde's own bodies nest 3 levels.
"""

from __future__ import annotations

import codecs
import re
from collections.abc import Mapping
from typing import IO, Any

from django.conf import settings
from rest_framework.exceptions import ParseError
from rest_framework.parsers import JSONParser
from rest_framework.utils import json

MAX_DEPTH = 32

# A string runs to its closing quote, or to the end of an unterminated text: a match that cannot fail
# once started keeps the scan linear (a pattern that fails on `"\"\"\"...` would try again from every
# quote: quadratic).
_STRING = re.compile(r'"[^"\\]*(?:\\.[^"\\]*)*(?:"|\\?\Z)', re.DOTALL)
_NOT_BRACKET = re.compile(r"[^\[\]{}]+")


def json_depth_exceeds(text: str, limit: int = MAX_DEPTH) -> bool:
    """True when `text` opens more than `limit` arrays / objects inside each other (brackets inside
    strings do not count). Malformed text is left to the decoder."""
    depth = 0
    for bracket in _NOT_BRACKET.sub("", _STRING.sub("", text)):
        if bracket in "[{":
            depth += 1
            if depth > limit:
                return True
        else:
            depth -= 1
    return False


class DepthLimitedJSONParser(JSONParser):
    """DRF's JSONParser with a limit on nesting (registered in REST_FRAMEWORK's DEFAULT_PARSER_CLASSES)."""

    def parse(
        self,
        stream: IO[bytes],
        media_type: str | None = None,
        parser_context: Mapping[str, Any] | None = None,
    ) -> Any:
        encoding = (parser_context or {}).get("encoding", settings.DEFAULT_CHARSET)
        try:
            text = codecs.getreader(encoding)(stream).read()
        except (LookupError, UnicodeError) as error:
            raise ParseError(f"JSON parse error - {error}") from None
        if json_depth_exceeds(text):
            raise ParseError(f"JSON parse error - nested deeper than {MAX_DEPTH} levels")
        parse_constant = json.strict_constant if self.strict else None
        try:
            return json.loads(text, parse_constant=parse_constant)
        except ValueError as error:
            raise ParseError(f"JSON parse error - {error}") from None
        except RecursionError:  # a belt to the braces above
            raise ParseError(f"JSON parse error - nested deeper than {MAX_DEPTH} levels") from None
