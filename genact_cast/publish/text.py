"""The final screen of a cast as plain text, with its chapters: for search and for readers.

`plain` is the one way text from a cast reaches a plain-text document: control and
format characters (escape sequences, bidirectional overrides) are dropped; a
private-use character (a powerline or Nerd Font symbol, which only the right font can
draw) becomes a space, as in asciinema-player's text layer (it draws those symbols as
SVG pictures over a blank cell), so the columns after it stay where they were and no
U+FFFD reads as broken encoding (subtitles drop it: a screen reader cannot say it).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence

from genact_cast.publish.screens import Screen, Timeline, last_screen, row_text

_DROPPED = frozenset({"Cc", "Cf", "Cs", "Zl", "Zp"})
# Format characters Unicode 14 and 15 added: Python 3.10's table (Unicode 13) has them
# unassigned, so they are named here for the same text on Python 3.10-3.13. A code point
# unassigned in the interpreter's table is kept: the player shows it (an emoji newer than
# the table, 🩷 U+1FA77 on Python 3.11, is a character on screen, not a control).
_NEWER_FORMATS = frozenset([0x0890, 0x0891, *range(0x13439, 0x13440)])
PLACEHOLDER = " "  # for a private-use character: one cell, blank as in the player's text
ZWJ = "\u200d"
_TAGS = range(0xE0020, 0xE0080)  # the tag characters of a subdivision flag (🏴 + tags)
_FLAG = "\U0001f3f4"


_LINE_BREAKS = re.compile("[\r\n\v\f\x1c-\x1e\x85\u2028\u2029]+")


def plain(text: str, private: str = PLACEHOLDER) -> str:
    """`text` with control and format characters removed (tabs become spaces) and
    private-use characters replaced by `private` (with "", a symbol between spaces goes
    with one of them: `~/proj \ue0b0 ls` reads `~/proj ls`).

    The format characters that make an emoji sequence one picture are kept inside one: a
    zero-width joiner between two characters (👨‍👩‍👧 is "family", not "man, woman,
    girl"; 🏳️‍🌈 a rainbow flag) and the tags after a black flag (🏴󠁧󠁢󠁳󠁣󠁴󠁿, Scotland)."""
    text = text.replace("\t", " ")
    out: list[str] = []
    spaced = False  # a private-use character was dropped after a space (or at the start)
    for index, char in enumerate(text):
        category = unicodedata.category(char)
        if category == "Co":
            if private:
                out.append(private)
            else:
                spaced = not out or out[-1] == " "
            continue
        if spaced and char == " ":
            spaced = False
            continue
        spaced = False
        if (category not in _DROPPED and ord(char) not in _NEWER_FORMATS) or _joins(
            text, index, out
        ):
            out.append(char)
    return "".join(out)


def _emoji(char: str, then: str = "") -> bool:
    """A character an emoji ZWJ sequence joins: a symbol, a skin tone, VS16, or any
    character VS16 (`then`) asks to be drawn as emoji (↔️ in 🙂‍↔️, "head shaking":
    U+2194 is a math symbol, Sm)."""
    return char == "\ufe0f" or then == "\ufe0f" or unicodedata.category(char) in ("So", "Sk")


def _joins(text: str, index: int, out: list[str]) -> bool:
    """Whether the format character at `index` belongs to an emoji sequence."""
    char = text[index]
    if char == ZWJ:  # between two emoji (one may end in VS16 or a skin tone)
        after, then = text[index + 1 : index + 2], text[index + 2 : index + 3]
        return bool(out and after) and _emoji(out[-1]) and _emoji(after, then)
    if ord(char) in _TAGS:
        return bool(out) and (out[-1] == _FLAG or ord(out[-1]) in _TAGS)
    return char == "\U000e007f" and bool(out) and ord(out[-1]) in _TAGS  # (cancel tag)


def clock(seconds: float) -> str:
    """0:07, 2:58, 1:02:03: a time as people read it in a chapter list."""
    whole = int(seconds)
    hours, rest = divmod(whole, 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes}:{secs:02d}"


def render_text(timeline: Timeline) -> str:
    screen = last_screen(timeline)
    return screen_text(screen, timeline.markers)


def screen_text(screen: Screen, markers: Sequence[tuple[float, str]]) -> str:
    """A final screen as text, and the cast's markers as chapters after it."""
    # The screen as the player shows it: blank rows above the text kept (they place it),
    # the blank rows below it and each row's trailing blanks left out. A shell's mark for
    # output without a final newline is kept: the player shows it (zsh's `%`, fish's `⏎`;
    # review-exports20 WARN 6), though the subtitles leave it out (eol_marks.py).
    lines = [plain(row_text(row)).rstrip() for row in screen.rows]
    while lines and not lines[-1]:
        lines.pop()
    text = "\n".join(lines) + "\n"
    if markers:
        # A line break in a label is a space, not dropped (words would run together). An
        # unnamed marker is `Marker N` (its place among the markers): the player's tooltip
        # gives it its time alone (asciinema-player 3.18's markerText), which a chapter
        # list already has in its first column.
        chapters = [
            f"{clock(time)}  {plain(_LINE_BREAKS.sub(' ', label)).strip() or f'Marker {n}'}"
            for n, (time, label) in enumerate(markers, 1)
        ]
        text += "\nChapters\n\n" + "\n".join(chapters) + "\n"
    return text
