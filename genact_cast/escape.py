"""Escaping for text from outside (a cast, a server, a file name) shown on a terminal."""

from __future__ import annotations

import re

# C0 and C1 controls, DEL, and lone surrogates (from JSON escapes or undecodable bytes).
_UNSAFE = re.compile("[\x00-\x1f\x7f-\x9f\ud800-\udfff]")


def _visible(match: re.Match[str]) -> str:
    code = ord(match.group())
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def terminal_text(text: str) -> str:
    """`text` with every control character and lone surrogate written as a visible escape.

    >>> terminal_text("a\\x1b]52;c;x\\x07b\\ud800")
    'a\\\\x1b]52;c;x\\\\x07b\\\\ud800'
    """
    return _UNSAFE.sub(_visible, text)
