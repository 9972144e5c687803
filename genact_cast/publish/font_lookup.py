"""Which of the machine's fonts draws a character, as fontconfig picks it (publish/glyphs.py).

Chromium's fallback (for each character the player's fonts lack) asks fontconfig for the
best font holding it; `fc-match ':charset=XXXX'` gives that font. fontconfig sorts the
fonts by the default pattern and a font holding the character wins over one lacking it, so
the first font of `fc-match -s` (the sorted list, fonts adding nothing trimmed) whose
character set holds it is the same pick (checked against `fc-match ':charset=XXXX'` on
614 code points, tests/test_glyphs.py). One subprocess a process reads the sorted list
with each font's character set; every character after that is a lookup in memory, so a
cast of thousands of characters no font has costs no more (there was one subprocess a
character, at most 64 a process, then fonts found before were taken: ℃ from DejaVu Serif
after ⤴, where the player's from DejaVu Sans).
"""

from __future__ import annotations

import bisect
import functools
import shutil
import subprocess
from typing import NamedTuple

from genact_cast.children import run_child

FC_TIMEOUT = 10.0  # seconds for the one fontconfig call


class _Font(NamedTuple):
    path: str
    color: bool
    starts: tuple[int, ...]  # its character set as spans: their first code points
    ends: tuple[int, ...]  # and their last
    family: str = ""
    bold: bool = False  # fontconfig's weight at least bold (200)
    italic: bool = False  # its slant italic or oblique

    def holds(self, code: int) -> bool:
        at = bisect.bisect_right(self.starts, code) - 1
        return at >= 0 and code <= self.ends[at]


@functools.cache
def _sorted_fonts() -> tuple[_Font, ...]:
    """The machine's fonts in fontconfig's order for the default pattern (none without
    fontconfig)."""
    program = shutil.which("fc-match")
    if program is None:
        return ()
    try:
        # (run_child: a signal as fc-match starts does not leave it behind)
        fields = "%{file}\t%{color}\t%{weight}\t%{slant}\t%{family[0]}\t%{charset}\n"
        result = run_child([program, "-s", "-f", fields], timeout=FC_TIMEOUT)
    except (OSError, subprocess.SubprocessError):
        return ()
    fonts = []
    for line in result.stdout.splitlines():
        parts = line.split("\t")
        if len(parts) != 6 or not parts[0]:
            continue
        starts, ends = [], []
        for span in parts[5].split():
            low, _, high = span.partition("-")
            try:
                starts.append(int(low, 16))
                ends.append(int(high or low, 16))
            except ValueError:
                continue
        weight, slant = _number(parts[2]), _number(parts[3])
        fonts.append(_Font(parts[0], parts[1] == "True", tuple(starts), tuple(ends),
                           parts[4], weight >= 200, slant >= 100))  # fmt: skip
    return tuple(fonts)


@functools.lru_cache(maxsize=4096)
def font_file(
    char: str, color: bool = False, bold: bool = False, italic: bool = False
) -> str | None:
    """The file of the font fontconfig picks for `char`: with `color`, a colour font
    holding it first; None when no font holds it (or there is no fontconfig). Bold or
    italic text takes that font's family in the weight and slant asked for, where the
    machine has it, as Chromium asks fontconfig with them: bold Hebrew from DejaVu Sans
    Bold, where the regular face drawn over was lighter than the player's."""
    code = ord(char)
    holding = [font for font in _sorted_fonts() if font.holds(code)]
    if color:
        holding = [font for font in holding if font.color] or holding
    if not holding:
        return None
    first = holding[0]
    if (bold or italic) and not first.color:
        for font in holding:
            if (font.family, font.bold, font.italic) == (first.family, bold, italic):
                return font.path
    return first.path


def _number(text: str) -> float:
    """A fontconfig number (`200`, `80`); a range or nothing counts as 0."""
    try:
        return float(text)
    except ValueError:
        return 0.0
