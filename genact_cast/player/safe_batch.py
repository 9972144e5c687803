"""Whether a whole batch of a cast's output is plainly safe (the play filter's fast path).

sanitize.py's filter passes such text as it is; the question is asked of the batch's
UTF-8 bytes in a few C-level passes, with no Python per escape sequence.
"""

from __future__ import annotations

import re

PARAM_LIMIT = 64  # parameter bytes of a CSI the filter reads; a longer one is skipped whole

# The same question asked of a whole batch, encoded, at the speed of bytes methods:
# C0 controls that need a look (and DEL) become NUL; CSI parameters become "0" and the
# harmless CSI finals "F", so that with the zeros deleted every harmless CSI reads
# ESC [ F and can be counted against the ESCs. An ESC followed at once by a parameter
# character (ESC 9, ESC ;, and the harmless ESC 7 and ESC 8) is first made ESC !, so that
# deleting the zeros cannot join it to a "[F" written after it as text.
_SAFE_FINALS = b"mABCDEFGHJKSTXdefL@MPaIZ`"  # J: the scrollback (3) is looked for apart
_CHECK = bytearray(range(256))
for _byte in [*range(0x07), *range(0x0E, 0x1B), *range(0x1C, 0x20), 0x7F]:
    _CHECK[_byte] = 0
for _byte in b"0123456789;:":
    _CHECK[_byte] = ord("0")
for _byte in _SAFE_FINALS:
    _CHECK[_byte] = ord("F")
_CHECK_TABLE = bytes(_CHECK)
_LONG_CSI = b"\x1b[" + b"0" * (PARAM_LIMIT + 1)
_SHORT_ESCAPES = (b"\x1b7", b"\x1b8", b"\x1bD", b"\x1bE", b"\x1bM")
# ED (CSI J) erases the scrollback with 3 (or more): a J after a parameter 3-9, ";", ":"
# or two digits sends the batch to the slow path (text such as "13J" too, which only
# costs that). The bytes before each J are looked at: J is rare, so this is quick.
_ED_LAST = frozenset(b"3456789;:")
_ED_FIRST = frozenset(b"0123456789;:")
_C1_UTF8 = re.compile(rb"\xc2[\x80-\x9f]")


def _erases_the_screen_only(raw: bytes) -> bool:
    """No J comes after an ED parameter that reaches the scrollback (see _ED_LAST)."""
    at = raw.find(b"J", 1)
    while at > 0:
        if raw[at - 1] in _ED_LAST or (raw[at - 1] in b"012" and raw[at - 2] in _ED_FIRST):
            return False
        at = raw.find(b"J", at + 1)
    return True


def plainly_safe(raw: bytes) -> bool:
    """Whether `raw` (UTF-8) holds nothing the filter would change or track: the filter
    passes such text as it is. A few C-level passes over the bytes, no Python per ESC."""
    mapped = raw.translate(_CHECK_TABLE)
    if b"\x00" in mapped:
        return False
    escapes = raw.count(b"\x1b")
    if escapes:
        if _LONG_CSI in mapped:
            return False
        if b"\x1b0" in mapped:
            mapped = mapped.replace(b"\x1b0", b"\x1b!")
        known = mapped.translate(None, b"0").count(b"\x1b[F")
        if known != escapes:
            known += sum(raw.count(escape) for escape in _SHORT_ESCAPES)
            if known != escapes:
                return False
        if not _erases_the_screen_only(raw):
            return False
    return b"\xc2" not in raw or _C1_UTF8.search(raw) is None
