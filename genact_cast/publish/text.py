"""The final screen of a cast as plain text, with its chapters: for search and for readers.

`plain` is the one way text from a cast reaches a plain-text document: control and
format characters (escape sequences, bidirectional overrides) are dropped; a
private-use character (a powerline or Nerd Font symbol, which only the right font can
draw) becomes one placeholder character, so the columns after it stay where they were.
"""

from __future__ import annotations

import unicodedata

from genact_cast.publish.screens import Timeline, last_screen, row_text

_DROPPED = frozenset({"Cc", "Cf", "Cs", "Cn", "Zl", "Zp"})
PLACEHOLDER = "\ufffd"  # for a private-use character


def plain(text: str) -> str:
    """`text` with control and format characters removed (tabs become spaces) and
    private-use characters replaced by `PLACEHOLDER`."""
    text = text.replace("\t", " ")
    out = []
    for char in text:
        category = unicodedata.category(char)
        if category == "Co":
            out.append(PLACEHOLDER)
        elif category not in _DROPPED:
            out.append(char)
    return "".join(out)


def clock(seconds: float) -> str:
    """0:07, 2:58, 1:02:03: a time as people read it in a chapter list."""
    whole = int(seconds)
    hours, rest = divmod(whole, 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes}:{secs:02d}"


def render_text(timeline: Timeline) -> str:
    screen = last_screen(timeline)
    # The screen as the player shows it: blank rows above the text kept (they place it),
    # the blank rows below it and each row's trailing blanks left out.
    lines = [plain(row_text(row)).rstrip() for row in screen.rows]
    while lines and not lines[-1]:
        lines.pop()
    text = "\n".join(lines) + "\n"
    if timeline.markers:
        chapters = [f"{clock(time)}  {plain(label)}" for time, label in timeline.markers]
        text += "\nChapters\n\n" + "\n".join(chapters) + "\n"
    return text
