"""Subtitles of programs that leave the terminal oddly, against review-exports14's
findings, on sessions recorded here in a real pty by scripts/record_subtitles_mux.py
(bash, asciinema 2.4) and held against asciinema-player 3.18 in Chromium as
tests/test_vtt_mux.py holds its own: a pager on a terminal type without an alternate
screen, a full-screen program killed inside the alternate screen."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from genact_cast.publish.vtt_sessions import session_name
from tests.player_dom import Player
from tests.test_vtt import SUBTITLES, cues_of, cues_of_file, lines
from tests.test_vtt_mux import lines_told_are_shown


def test_a_pager_without_an_alternate_screen_is_one_cue() -> None:
    """Item 5: `TERM=vt220 less long.txt` (vt220's terminfo has no smcup, no smkx: less
    prints its page and waits on the last row after its prompt, erases it with the next
    key and prints on) was read out page by page, its status line and `:` with it, and
    no `[less]`. A pager waiting at its prompt on the last row is one cue, its pages
    not told."""
    told = lines(cues_of_file("less_vt220.cast", SUBTITLES))
    start = told.index("$ TERM=vt220 less long.txt")
    assert told[start + 1 : start + 4] == ["[less]", "$ echo after", "after"], told
    assert not [line for line in told if "of a long file" in line or line == ":"], told


def test_a_program_killed_inside_the_alternate_screen_leaves_the_shell_told() -> None:
    """Item 17: vim killed (timeout's SIGKILL) never leaves the alternate screen, and the
    shell's prompt comes back there: `Killed`, `ls notes`, its output and the next
    commands were swallowed into `[vim]` until `reset`. The shell is back when its
    prompt waits on that screen: what follows is told; vim's rows left there are not."""
    told = lines(cues_of_file("killed_full_screen.cast", SUBTITLES))
    start = told.index("$ timeout -s KILL 2 vim -u NONE notes/alpha.txt")
    assert told[start + 1 : start + 9] == [
        "[vim]",
        "Killed",
        "$ ls notes",
        "alpha.txt  beta.txt  delta.txt  gamma.txt",
        "$ echo typed after the kill",
        "typed after the kill",
        "$ reset",
        "$ echo after reset",
    ], told


def test_a_killed_programs_screen_scrolled_by_the_shell_is_not_told() -> None:
    """Item 17, cut from the class by hand: vim's cursor on its bottom row, so the
    shell's `\\r\\nKilled\\r\\n$ ` scrolls vim's screen up two rows: its `~` rows and
    message are still not lines; the commands after are, and `reset` gives the screen
    the program covered back, not told again."""
    keys = [(1.0 + i * 0.08, key) for i, key in enumerate("vim x")]
    found = cues_of(
        [
            (0.3, "$ echo kept\r\nkept\r\n$ "), *keys, (1.5, "\r\n"),
            (1.6, "\x1b[?1049h\x1b[H\x1b[2J~\r\n~\r\n~\x1b[6;1H\"x\" [New]"),
            (3.1, "\r\nKilled\r\n$ "), (4.1, "l"), (4.2, "s"), (4.3, "\r\nfile1  file2\r\n$ "),
            (5.3, "r"), (5.4, "e"), (5.5, "s"), (5.6, "e"), (5.7, "t"),
            (5.8, "\r\n\x1bc\x1b[?1049l"), (6.2, "$ "), (7.2, "l"), (7.3, "s"),
            (7.4, "\r\nfile1  file2\r\n$ "),
        ],
        30,
        6,
    )  # fmt: skip
    assert lines(found) == [
        "$ echo kept", "kept", "$ vim x", "[vim]", "Killed", "$ ls", "file1  file2", "$ reset",
        "$ ls", "file1  file2",
    ], found  # fmt: skip


def test_timeout_names_the_program_it_runs() -> None:
    """`timeout [options] DURATION COMMAND`: the duration is its own word, not the
    program (the killed session was `[timeout]`)."""
    assert session_name("$ timeout -s KILL 2 vim -u NONE x") == "vim"
    assert session_name("$ timeout --kill-after=5 10 less log") == "less"


@pytest.fixture(scope="module")
def player(browser: Any) -> Any:
    page = Player(browser)
    yield page
    page.close()


@pytest.mark.parametrize("name", ["less_vt220.cast", "killed_full_screen.cast"])
def test_each_line_told_is_on_the_players_screen(name: str, player: Player, tmp_path: Path) -> None:
    assert lines_told_are_shown(name, player, tmp_path) == []
