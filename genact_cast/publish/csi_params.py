"""A CSI sequence's parameter bytes as avt reads them, in a bounded form.

avt 0.16 (asciinema-player 3.18's terminal; the same code at v0.18.0) keeps 32
parameters of at most 6 colon parts each, as u16 (src/parser.rs `PARAMS_LEN`, `param`,
`Param::add_part`, `Param::add_digit`): a `;` after the 32nd parameter is ignored, so
the digits of every later parameter run on into the 32nd (`ESC[0;…;0;31m` with 40
parameters is red); a `:` after the 6th part is ignored likewise; and a number is
`(10 * n + digit) as u16`, so it wraps modulo 65,536 rather than saturating.

`fold` writes any parameter string as the shortest string avt reads the same way, with
the same state for whatever comes after it: the parser can carry an unfinished sequence of
any length between events in a few hundred characters.
"""

from __future__ import annotations

PARAMS = 32  # avt's PARAMS_LEN
PARTS = 6  # avt's Param::parts
WRAP = 65_536  # avt's parameters are u16: `as u16` truncates

# Longer than any folded string (32 parameters of 6 five-digit parts and separators):
# a string longer than this is folded before it is kept or read.
FOLDED_MAX = PARAMS * PARTS * 6


def fold(body: str) -> str:
    """`body` (digits, `;` and `:`) as avt's parser leaves it, written out again."""
    params: list[list[int]] = [[0]]
    for char in body:
        if char == ";":
            if len(params) < PARAMS:
                params.append([0])
        elif char == ":":
            if len(params[-1]) < PARTS:
                params[-1].append(0)
        else:
            parts = params[-1]
            parts[-1] = (10 * parts[-1] + ord(char) - 48) % WRAP
    return ";".join(":".join(map(str, parts)) for parts in params)


def number(text: str) -> int:
    """A parameter's first part as avt reads it (wrapped, not saturated)."""
    digits = text.split(":", 1)[0]
    if not digits:
        return 0
    if len(digits) > 9:  # (int() of thousands of digits is refused, and slow)
        return int(fold(digits))
    return int(digits) % WRAP
