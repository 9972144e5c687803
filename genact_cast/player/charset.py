"""The terminal's character set: what `play` and `run` encode their output in.

The filter (sanitize.py) drops every C1 control as a code point (U+0080-U+009F). But a
terminal in an 8-bit locale (ISO 8859-x, KOI8, Shift_JIS, ...) that honours 8-bit C1
controls (ECMA-48 5.3: 0x9B is CSI, 0x9D is OSC, 0x90 is DCS) reads bytes, so writing
UTF-8 there would let U+201B (e2 80 9b) act as CSI. So output is encoded in the
terminal's charset (PYTHONIOENCODING when set, else the locale's LC_CTYPE codeset, as
`nl_langinfo(CODESET)` reports it whatever Python's UTF-8 mode), and outside UTF-8 a
character that the charset lacks, or whose bytes hold 0x80-0x9F or a control, is
written as `?`. A charset that does not keep ASCII as ASCII (UTF-16) is refused.
"""

from __future__ import annotations

import codecs
import functools
import locale
import os
import re

from genact_cast.errors import GenactCastError

UTF8 = "utf-8"
_UNSAFE = re.compile(rb"[\x00-\x1f\x7f-\x9f]")  # in a non-ASCII character's bytes
_C1 = re.compile(rb"[\x80-\x9f]")
_SHIFTS = (b"\x1b", b"\x0e", b"\x0f")  # ISO 2022 designations and locking shifts
_PROBE = "\x1b[0m\x07\r\n ~"


class Charset:
    """Encodes text for the terminal; UTF-8 as it is, any other charset with `?`."""

    def __init__(self, name: str) -> None:
        try:
            self.name = codecs.lookup(name).name
        except LookupError:  # a codeset Python has no codec for: ASCII is always safe
            self.name = "ascii"
        self.utf8 = self.name == UTF8
        if _PROBE.encode(self.name, "replace") != _PROBE.encode("ascii"):
            raise GenactCastError(
                f"the terminal's character set {self.name} (PYTHONIOENCODING or the locale) "
                "does not keep ASCII as ASCII: use a UTF-8 locale"
            )

    def encode(self, text: str) -> bytes:
        if self.utf8:
            return text.encode(UTF8, "replace")  # `replace`: --unsafe's lone surrogates
        data = text.encode(self.name, "replace")
        # The whole text at once when nothing in it needs a `?` (plain Latin-1 and ASCII).
        if not _C1.search(data) and all(data.count(s) == text.count(chr(s[0])) for s in _SHIFTS):
            return data
        return b"".join(_character(self.name, char) for char in text)


@functools.lru_cache(maxsize=4096)
def _character(name: str, char: str) -> bytes:
    if char.isascii():
        return char.encode("ascii")
    data = char.encode(name, "replace")
    return b"?" if _UNSAFE.search(data) else data


def terminal_charset() -> Charset:
    """The charset the terminal on standard output is taken to use."""
    name = os.environ.get("PYTHONIOENCODING", "").partition(":")[0].strip()
    if not name:
        name = locale.nl_langinfo(locale.CODESET) or "ascii"
    return Charset(name)
