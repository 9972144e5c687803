"""The cues of a subtitle file: lines of cast text, escaped, grouped and timed (WebVTT).

`escape_cue` is the one way text from a cast reaches a cue: `&`, `<` and `>` escaped (so
no `-->` or tag can be forged), control and format characters dropped (but for those
inside an emoji sequence), and private-use symbols (powerline, Nerd Font) too.
"""

from __future__ import annotations

from difflib import SequenceMatcher
from functools import lru_cache

from genact_cast.publish.text import plain

MERGE_SECONDS = 0.1
# How alike a row's old and new text must be (difflib's ratio) for a redraw after an erasure
# to be the same line updated (a progress bar's 3 % -> 50 %, a dashboard's numbers) rather
# than a new one written where a cleared line was.
SAME_LINE = 0.6
# difflib's ratio is quadratic in the text's length (1.6 s for two 1,000-column log lines);
# a row is judged by its first `SAME_LINE_CHARS` characters, enough to tell a redraw.
SAME_LINE_CHARS = 160


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
    old, new = old[:SAME_LINE_CHARS], new[:SAME_LINE_CHARS]
    matcher = SequenceMatcher(None, old, new, autojunk=False)
    return (
        matcher.real_quick_ratio() >= SAME_LINE
        and matcher.quick_ratio() >= SAME_LINE
        and matcher.ratio() >= SAME_LINE
    )


def cue_file(taken: list[tuple[float, tuple[int, int], str, float | None]], end_time: float) -> str:
    """WebVTT of the lines taken, (time, place, text, erased at), sorted: lines under
    `MERGE_SECONDS` apart share a cue; a cue lasts to the next, or to the erasure of all
    its lines; the last to `end_time` (at least a second)."""
    cues: list[tuple[float, list[str], list[float | None]]] = []
    for time, _, text, gone in taken:
        escaped = escape_cue(text).rstrip()
        if not escaped.strip():
            continue
        if cues and time - cues[-1][0] < MERGE_SECONDS:
            cues[-1][1].append(escaped)
            cues[-1][2].append(gone)
        else:
            cues.append((time, [escaped], [gone]))
    out = ["WEBVTT", ""]
    for index, (start, texts, ends) in enumerate(cues):
        end = cues[index + 1][0] if index + 1 < len(cues) else max(end_time, start + 1.0)
        erased = [gone for gone in ends if gone is not None]
        if len(erased) == len(ends) and start < max(erased) < end:
            end = max(erased)  # every line of the cue was erased: it ends there
        out += [f"{timestamp(start)} --> {timestamp(end)}", *texts, ""]
    return "\n".join(out)
