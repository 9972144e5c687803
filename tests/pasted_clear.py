"""The player's side of the pasted-clear tests (a long command sent in one write that runs
`clear` at once: tests/test_vtt_pasted_clear.py under bash, test_vtt_fish_pasted_clear.py
under fish), held to asciinema-player 3.18 in Chromium (tests/player_dom.py)."""

from __future__ import annotations

import json
from pathlib import Path

from tests.player_dom import Player

LOOP_OUTPUT = ("tic ", "tick-number-")  # (the lines the loops print after each clear)


def shown_by_player(
    cast: Path,
    player: Player,
    found: list[tuple[float, float, list[str]]],
    line: str,
    cols: int,
    at: int,
) -> None:
    """Where the player shows the command (echoed by the cast's event `at`, apart from the
    clear), its rows read together are the line told; each line of the loop's output told
    is on the player's screen at a moment of its cue (its middle or its end)."""
    player.load(cast.read_text("utf-8"))
    events = [json.loads(row) for row in cast.read_text("utf-8").splitlines()[1:]]
    if "\x1b[2J" not in events[at][2]:  # (shown before the clear: the player's rows joined)
        # (between the echo and the next event, which may follow within a millisecond)
        rows = player.at((events[at][0] + events[at + 1][0]) / 2).text()
        assert line in "".join(row.ljust(cols) for row in rows), rows
    for start, end, texts in found:
        for text in (text for text in texts if text.startswith(LOOP_OUTPUT)):
            moments = ((start + end) / 2, end - 0.005)
            shown = [player.at(moment).text() for moment in moments]
            assert any(text in rows for rows in shown), (text, start, end, shown)
