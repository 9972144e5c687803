"""The subtitles' cues in order (vtt.py): the lines, the sessions' cues after the lines
that appeared with them, a clip's opening cues first, the multiplexers' panes' lines.
"""

from __future__ import annotations

from genact_cast.publish.vtt_cues import cue_file
from genact_cast.publish.vtt_dialogs import answered
from genact_cast.publish.vtt_lines import Lines

AFTER = 2**62  # the place of a session's cue: after the lines that appeared with it


def gathered(
    lines: Lines,
    sessions: list[tuple[float, str]],
    opening: list[tuple[float, str]],
    panes: list[tuple[float, tuple[int, int], str]],
    end: float,
    cut: bool,
) -> str:
    """The cue file of the lines told (`Lines.finish` done), with the cues of the
    sessions, of a clip's opening and of the panes' lines."""
    taken = [
        told
        for i, ((time, text), place) in enumerate(zip(lines.taken, lines.places, strict=True))
        for told in answered(time, place, text, lines.ends.get(i), i in lines.commands, lines)
    ]
    taken += [(time, (AFTER, 0), text, None, False) for time, text in sessions]
    taken += [(time, (-1, 0), text, None, False) for time, text in opening]
    taken += [(time, (AFTER - 1, y * 1000 + x), text, None, False) for time, (y, x), text in panes]
    taken.sort(key=lambda item: item[:2])  # lines of one moment in the order they stand
    return cue_file(_once(taken), end, cut=cut)


def _once(
    taken: list[tuple[float, tuple[int, int], str, float | None, bool]],
) -> list[tuple[float, tuple[int, int], str, float | None, bool]]:
    """The lines without a session's cue right after the same one, nothing told between:
    a program that leaves the alternate screen and asks for it again at once (a script's
    next screen, curses started anew) is one session, as the player shows it, not two
    `[bash-rosary.sh]` in a row (review-exports22 #7)."""
    kept: list[tuple[float, tuple[int, int], str, float | None, bool]] = []
    for item in taken:
        again = kept and kept[-1][1] == item[1] == (AFTER, 0) and kept[-1][2] == item[2]
        if not again:
            kept.append(item)
    return kept
