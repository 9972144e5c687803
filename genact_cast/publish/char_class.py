"""A set of characters as a regular expression's class, written as ranges of code points.

The SVG's runs are told by classes of about a thousand characters (svg_runs.py,
player_layout.py) compiled at every start: listed one by one, each took the regular
expression compiler about a millisecond.
"""

from __future__ import annotations

import re
from collections.abc import Iterable


def char_class(chars: Iterable[str]) -> str:
    """`[...]` matching exactly one of `chars` (single code points)."""
    codes = sorted({ord(char) for char in chars})
    if not codes:
        return "[^\\s\\S]"  # (nothing)
    parts = []
    start = end = codes[0]
    for code in [*codes[1:], -1]:
        if code == end + 1:
            end = code
            continue
        first, last = re.escape(chr(start)), re.escape(chr(end))
        parts.append(first if start == end else f"{first}-{last}")
        start = end = code
    return "[" + "".join(parts) + "]"
