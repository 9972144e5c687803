"""Lines redrawn in place in the subtitles' lines (publish/vtt_lines.py): a progress bar's
`\\r`, a spinner, a count, a dashboard's row cleared and drawn again with the same words.
Told as asciinema-player shows them over time (review-exports11 item 3, review-exports10
item 6): the first value from when the line appeared, then the value it settles on from
its last redraw; the values between are not told, and a redraw under `MERGE_SECONDS`
after the line appeared is its first value still (never a value before it was drawn).
The first value's cue ends when the line is first redrawn, but lasts `READ_SECONDS` (it
can be read): tqdm's `0%`, on screen 0.18 s, was the caption for the 3 s the bar
moved, up to `100%` (review-exports16 item 3).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from genact_cast.publish.vtt_cues import MERGE_SECONDS
from genact_cast.publish.vtt_marks import MAX_REDRAWS, READ_SECONDS

if TYPE_CHECKING:
    from genact_cast.publish.vtt_lines import Lines


def redrawn_in_place(
    lines: Lines, y: int, old: str, time: float, erased: bool, whole: bool
) -> None:
    """Row y's line, shown as `old`, was redrawn in place with the same words. Its first
    value is told now, from when it appeared, unless it was before (the row's `since` is
    marked: `mark`) or the line wraps over rows (`whole` false: told once, as last drawn);
    the row is then timed from this redraw. A dashboard's line a clear of the whole
    screen erased keeps its place among the rows that did not change (review-exports9
    item 7); one erased on its own (`erased`: `\\r\\e[K`, a live block's `\\e[J`) comes
    after what was written before the redraw."""
    since = lines.since[y]
    first = since not in lines.redraws and time - since >= MERGE_SECONDS
    if first and whole and not lines.muted:
        # (its first value: the cue lasts to the next, the line shown, changing)
        lines.taken.append((since, old))
        lines.places.append((lines.born[y], lines.scrolls + y))
        lines.ends[len(lines.taken) - 1] = max(time, since + READ_SECONDS)
        since = -1.0  # (its first value told)
    if since < 0 or unmark(lines, since):
        lines.since[y] = time
        mark(lines, time)
    if erased:
        lines.born[y] = lines.epoch


def mark(lines: Lines, time: float) -> None:
    """A row's line is redrawn in place since `time`, its first value told."""
    lines.redraws[time] = lines.redraws.pop(time, 0) + 1  # (rows redrawn at once)
    while len(lines.redraws) > MAX_REDRAWS:
        del lines.redraws[next(iter(lines.redraws))]


def unmark(lines: Lines, time: float) -> bool:
    """Whether a row whose line is there since `time` was redrawn in place, its first
    value told (`mark`); it is no longer."""
    count = lines.redraws.get(time, 0)
    if count > 1:
        lines.redraws[time] = count - 1
    elif count:
        del lines.redraws[time]
    return count > 0
