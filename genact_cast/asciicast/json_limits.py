"""JSON as the cast reader decodes it: Python's json with limits on what a cast may hold.

No NaN or Infinity, no integer of more than MAX_INT_DIGITS digits, no key given twice in
one object; lone surrogates replaced; nesting measured before decoding (the limit is
genact_cast.limits.MAX_JSON_DEPTH). Split from reader.py, which reads lines and events.
"""

from __future__ import annotations

import json
import re
from typing import Any

from genact_cast.escape import terminal_text


def _reject_constant(name: str) -> Any:
    raise ValueError(f"{name} is not a number a cast may hold")


MAX_INT_DIGITS = 400  # far past any time or size; below Python's own 4,300-digit limit


def _bounded_int(digits: str) -> int:
    # Python's own error names sys.set_int_max_str_digits(): one line about the cast instead.
    if len(digits) > MAX_INT_DIGITS:
        raise ValueError(f"a number with more than {MAX_INT_DIGITS} digits")
    return int(digits)


class DuplicateKey(ValueError):
    """A JSON object naming one key twice: Python's json keeps the last value, other readers
    may keep the first or refuse it, so which one a player would use is not the cast's."""

    def __init__(self, key: str) -> None:
        super().__init__(f"the key {terminal_text(repr(key))} appears twice in one object")


def _unique_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    result = dict(pairs)
    if len(result) != len(pairs):
        seen: set[str] = set()
        for key, _ in pairs:
            if key in seen:
                raise DuplicateKey(key)
            seen.add(key)
    return result


DECODER = json.JSONDecoder(
    parse_constant=_reject_constant, parse_int=_bounded_int, object_pairs_hook=_unique_keys
)

# A JSON document read over several lines (v1, or a pretty-printed header): strings
# cannot span lines, so each line can be checked and its nesting counted on its own.
STRING = re.compile(r'"(?:[^"\\]|\\.)*"')
JSON_REST = re.compile(r"[\s{}\[\],:0-9eE+.\-truefalsn]*")
_SURROGATE = re.compile("[\ud800-\udfff]")
SURROGATE_ESCAPE = re.compile(rb"\\u[dD][89a-fA-F]")  # a lone surrogate's JSON escape, maybe


def no_surrogates(value: Any) -> Any:
    """`value` with lone surrogates in its strings replaced by U+FFFD (depth is bounded)."""
    if isinstance(value, str):
        return _SURROGATE.sub("\ufffd", value)
    if isinstance(value, list):
        return [no_surrogates(item) for item in value]
    if isinstance(value, dict):
        return {no_surrogates(k): no_surrogates(v) for k, v in value.items()}
    return value


def depth(text: str) -> int:
    """How deeply arrays and objects nest in the JSON `text` (strings ignored)."""
    rest = STRING.sub("", text)
    depth = deepest = 0
    for match in re.finditer(r"[\[{\]}]", rest):
        depth += 1 if match.group() in "[{" else -1
        deepest = max(deepest, depth)
    return deepest
