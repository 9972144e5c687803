"""A resize as the subtitles follow it (publish/vtt_lines.py): the player rewraps the
lines at the new width and brings lines back from its scrollback when it grows."""

from __future__ import annotations

from bisect import bisect_right
from difflib import SequenceMatcher
from itertools import accumulate
from typing import TYPE_CHECKING

from genact_cast.publish.screens import Row, row_text
from genact_cast.publish.vtt_marks import HISTORY
from genact_cast.publish.vtt_text import piece as _piece

if TYPE_CHECKING:
    from genact_cast.publish.vtt_lines import Lines


def reflow(followed: Lines, rows: tuple[Row, ...], time: float) -> None:
    """The terminal was resized: its lines moved (the player rewraps them at the new
    width, and brings lines back from its scrollback when it grows). A line still
    shown, whole or rewrapped, keeps its time and one that came back stays taken; a
    line pushed off without scrolling is done."""
    followed._settle({})
    followed.leads, followed.rights, followed.waiting = {}, {}, None
    prompts, followed.prompts = followed.prompts, {}  # (a prompt left: no line)
    born = followed.born
    old = [*followed.history, *followed.texts]
    since = [-1.0] * len(followed.history) + followed.since
    first = [""] * len(followed.history) + followed.first
    new = [row_text(row) for row in rows]
    followed.since, followed.first = [time] * len(new), [""] * len(new)
    followed.born = [followed.epoch] * len(new)
    found: dict[int, int] = {}  # new row -> the old row it is, or where it starts
    for a, b, size in SequenceMatcher(None, old, new, autojunk=False).get_matching_blocks():
        found.update((b + i, a + i) for i in range(size))
    # A rewrapped row is a piece of the old rows joined (spaces dropped: a wrap may
    # fall on one); it is looked for after the row above it.
    pieces = [_piece(text) for text in old]
    joined = "".join(pieces)
    starts = list(accumulate((len(piece) for piece in pieces), initial=0))
    kept: set[int] = set()
    at = 0
    for y, text in enumerate(new):
        piece = _piece(text)
        if y in found:
            a = found[y]
            kept.add(a)
            at = starts[a + 1]
        elif piece and (k := joined.find(piece, at)) >= 0:
            a = bisect_right(starts, k) - 1
            end = bisect_right(starts, k + len(piece) - 1)
            kept.update(range(a, end))
            at = k + len(piece)
        else:
            continue
        followed.since[y] = since[a]
        followed.first[y] = first[a] if text == old[a] else ""
    for i in range(len(followed.history), len(old)):
        y = i - len(followed.history)
        if i not in kept and old[i].strip():  # into the scrollback, unless cut off
            followed.history.append(old[i])
            if since[i] >= 0 and not followed.muted and prompts.get(y) != old[i].rstrip():
                followed.taken.append((since[i], old[i]))
                # (where it stood: before the lines under it that appeared with it)
                followed.places.append((born[y] if y < len(born) else 0, followed.scrolls + y))
    del followed.history[: len(followed.history) - HISTORY]
    followed.texts = new
    followed.wraps = [False] * len(new)
    followed._open = None
