"""The grammar of the escape sequences the safe filter (player/sanitize.py) reads: where it
must look, how a CSI, OSC, DCS-like string and ESC sequence are delimited, and their limits,
as avt's parser (asciinema-player 3.18) and xterm delimit them."""

from __future__ import annotations

import re

from genact_cast.player.safe_batch import PARAM_LIMIT

STRING_LIMIT = 4096  # longest OSC/DCS body kept waiting for its terminator; past it, skipped
MAX_REPEAT = 65535  # CSI n b (repeat the last character) beyond this is dropped

# Where the filter must look: C0 controls but BEL BS HT LF VT FF CR, DEL, C1 controls,
# lone surrogates, and every ESC that does not start a sequence known to be harmless
# (SGR, cursor movement, erasing but the scrollback). Between two such places, text passes
# as it is: one C-level search skips over most of any cast, colours included.
LOOK = re.compile(
    "[\x00-\x06\x0e-\x1a\x1c-\x1f\x7f-\x9f\ud800-\udfff]"
    r"|\x1b(?!\[[0-9;:]{0,64}[mABCDEFGHKSTXdefL@MPaIZ`]|\[[012]?J|[78DEM])"
)


def keeps_scrollback(params: str) -> bool:
    """ED (CSI J) with 0, 1 or 2: the screen. 3 (xterm's "erase saved lines") erases the
    user's scrollback, beyond the cast: dropped, however written (03, 3;0, ...)."""
    return all(
        (NUMBER.fullmatch(param) is not None and int(param) < 3) if param else True
        for param in params.split(";")
    )


PARAMS = f"[0-?]{{0,{PARAM_LIMIT}}}"
CSI = re.compile(rf"(?:\x1b\[|\x9b)({PARAMS})([ -/]{{0,8}})([@-~])")
CSI_PREFIX = re.compile(rf"(?:\x1b\[|\x9b){PARAMS}[ -/]{{0,8}}")
# A CSI whose parameters or intermediates run past their limits (or a parameter after an
# intermediate): skipped whole up to its final byte, however far, as xterm and the
# DEC parser's CSI-ignore state do; its parameters were written as text before.
CSI_OVERLONG = re.compile(rf"(?:\x1b\[|\x9b){PARAMS}[ -/]{{0,8}}[0-?\x20-/]")
CSI_END = re.compile(r"[^0-?\x20-/]")  # a final byte ends it; anything else cuts it short
# A string ends at ST (BEL too for an OSC) and is cut short by CAN, SUB, ESC or any other C1
# control (U+0080-U+009F as a code point), as avt's parser reads it: its "anywhere"
# transitions on 0x80-0x9f (src/parser.rs:503-592 at v0.18.0, :263-380 at v0.16.0) leave
# the OSC, DCS and SOS/PM/APC string states too. The cut-short string is abandoned and the
# C1 read as usual (dropped, or the start of the next sequence).
OSC = re.compile(
    rf"(?:\x1b\]|\x9d)([^\x07\x18\x1a\x1b\x80-\x9f]{{0,{STRING_LIMIT}}})(\x07|\x1b\\|\x9c)?"
)
DCS_LIKE = re.compile(
    rf"(?:\x1b[P_^X]|[\x90\x98\x9e\x9f])([^\x18\x1a\x1b\x80-\x9f]{{0,{STRING_LIMIT}}})"
    r"(\x1b\\|\x9c)?"
)
# Where a skipped (over-long) string ends: as OSC's and DCS_LIKE's terminators.
OSC_END = re.compile("[\x07\x18\x1a\x1b\x80-\x9f]")
DCS_END = re.compile("[\x18\x1a\x1b\x80-\x9f]")
ESC = re.compile(r"\x1b([ -/]{0,4})([0-~])")
ESC_PREFIX = re.compile(r"\x1b[ -/]{0,4}")
NUMBER = re.compile(r"[0-9]{1,32}")
SURROGATE = re.compile("[\ud800-\udfff]")

# Not 'g' (clear tab stops) nor ESC H (set one): tab stops outlive the cast.
PLAIN_CSI_FINALS = frozenset("ABCDEFGHIJKLMPSTXZ@`adefm")
TITLE_OSCS = frozenset({"0", "1", "2"})
KEPT_C0 = frozenset("\x07\x08\t\n\x0b\x0c\r")
STRING_C1 = frozenset("\x90\x98\x9d\x9e\x9f")
