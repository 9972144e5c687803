"""The cues of a subtitle file: lines of cast text, escaped, grouped and timed (WebVTT).

`escape_cue` is the one way text from a cast reaches a cue: `&`, `<` and `>` escaped (so
no `-->` or tag can be forged), control and format characters dropped (but for those
inside an emoji sequence), and private-use symbols (powerline, Nerd Font) too.
"""

from __future__ import annotations

from collections import Counter
from functools import lru_cache

from genact_cast.publish.text import plain

MERGE_SECONDS = 0.1
# A command cue shorter than this (one key, Enter, the output) is told with its output: a
# caption that flashes for a tenth of a second is cut off before it is read.
COMMAND_SECONDS = 0.25
# How alike a row's old and new text must be for a redraw after an erasure to be the same
# line updated (a progress bar's 3 % -> 50 %, a dashboard's numbers, `ETA: 1h 00m` ->
# `ETA: 59m`) rather than a new one written where a cleared line was: the mean of the
# Dice coefficients of their characters and of their character pairs (q-grams, counted),
# linear in the length, so a 1,000-column log line is judged whole (difflib's ratio, used
# before, is quadratic and was cut at 160 characters).
SAME_LINE = 0.55


def escape_cue(text: str) -> str:
    return plain(text, private="").replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def timestamp(seconds: float) -> str:
    millis = round(seconds * 1000)
    hours, rest = divmod(millis, 3_600_000)
    minutes, rest = divmod(rest, 60_000)
    secs, millis = divmod(rest, 1000)
    return f"{hours:02d}:{minutes:02d}:{secs:02d}.{millis:03d}"


@lru_cache(maxsize=8192)  # a waiting line is held against each screen's rows again
def same_line(old: str, new: str) -> bool:
    """Whether `new`, drawn where an erasure blanked `old`, is that line again: the same
    text, more of it, or a redraw alike enough (a progress bar, a dashboard's row); not
    its start alone (a prompt redrawn without the command typed after it)."""
    old, new = old.strip(), new.strip()
    if not new:
        return False
    if new.startswith(old):
        return True
    if old.startswith(new):
        return False
    return _likeness(old, new) >= SAME_LINE


def _likeness(old: str, new: str) -> float:
    """Dice's coefficient of the two texts' characters and of their adjacent pairs, averaged:
    1.0 for the same text, 0.0 for texts that share no character."""
    if 2 * min(len(old), len(new)) < SAME_LINE * (len(old) + len(new)):
        return 0.0  # (neither coefficient can be above 2 x the shorter's length / both's)
    total = 0.0
    for size in (1, 2):
        a, b = _grams(old, size), _grams(new, size)
        count = a.total() + b.total()
        total += 2 * (a & b).total() / count if count else 1.0
    return total / 2


@lru_cache(maxsize=4096)  # a row is held against several lines, a line against many rows
def _grams(text: str, size: int) -> Counter[str]:
    return Counter(text[i : i + size] for i in range(len(text) - size + 1))


def cue_file(
    taken: list[tuple[float, tuple[int, int], str, float | None, bool]],
    end_time: float,
    cut: bool = False,
) -> str:
    """WebVTT of the lines taken, (time, place, text, erased at, typed), sorted: lines
    under `MERGE_SECONDS` apart share a cue, but a command typed starts a cue of its own
    (one typed ahead shows within a moment of the output before it) unless the lines
    appeared at the same moment (one screen: a clip's start, scripted typing), and takes
    the output that follows within `COMMAND_SECONDS`; a cue lasts to the next, or to the
    erasure of all its lines; the last to `end_time` (at least a second, but for a clip
    `cut` there by --end-at: no cue past its end, review-exports14 item 8)."""
    cues: list[tuple[float, list[str], list[float | None]]] = []
    command = False  # the last cue holds a command typed
    for time, _, text, gone, typed in taken:
        escaped = escape_cue(text).rstrip()
        if not escaped.strip():
            continue
        # (a command's output less than `COMMAND_SECONDS` after its first key joins its
        # cue: pdb's `n`, a cue flashed for 90 ms and cut off, review-exports8 item 12)
        apart = typed and time > cues[-1][0] if cues else False
        merge = COMMAND_SECONDS if command else MERGE_SECONDS
        if cues and time - cues[-1][0] < merge and not apart:
            cues[-1][1].append(escaped)
            cues[-1][2].append(gone)
            command = command or typed
        else:
            cues.append((time, [escaped], [gone]))
            command = typed
    out = ["WEBVTT", ""]
    for index, (start, texts, ends) in enumerate(cues):
        last = max(end_time, start + 0.001) if cut else max(end_time, start + 1.0)
        end = cues[index + 1][0] if index + 1 < len(cues) else last
        erased = [gone for gone in ends if gone is not None]
        if len(erased) == len(ends) and start < max(erased) < end:
            end = max(erased)  # every line of the cue was erased: it ends there
        out += [f"{timestamp(start)} --> {timestamp(end)}", *texts, ""]
    return "\n".join(out)
