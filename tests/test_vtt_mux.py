"""Subtitles of multiplexers (tmux, GNU screen) against review-exports14's findings, on
sessions recorded here in a real pty by scripts/record_subtitles_mux.py, and held
against asciinema-player 3.18 in Chromium: every line told is on the player's screen
while its cue is shown (a command is timed from its first key: whole by Enter), the
terminal model equal to the player at the moment it is seen."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest

from genact_cast.asciicast import MICROS
from genact_cast.publish.screens import Clip, Timeline
from genact_cast.publish.vtt import render_vtt
from genact_cast.sources import open_cast
from tests.player_dom import Player
from tests.test_player_parity import check_moment, load
from tests.test_vtt import SUBTITLES, cues, cues_of_file, lines

RECORDED = [
    "tmux_windows.cast",
    "tmux_overlays.cast",
    "tmux_pagers.cast",
    "screen_pager.cast",
    "tmux_window_closed.cast",
    "tmux_resized.cast",
]
MAX_MOMENTS = 60  # moments read in one cue
SESSION_CUE = re.compile(r"\[[^\]]+\]")  # `[vim]`: a program's session, not on the screen


def test_a_window_switched_back_to_keeps_its_program_and_the_other_windows_output() -> None:
    """Item 7: vim in tmux's window 0, a command in window 1, back to vim and again to
    window 1 and back: window 1's outputs were taken for vim's screen (never told), and
    vim's window coming back was a program painting it, named after window 1's last
    command (`[full-screen program]` after `echo`, `[ls]`). Back in a window, its panes
    are as they were: vim is still the one session told, the outputs are told."""
    told = lines(cues_of_file("tmux_windows.cast", SUBTITLES))
    assert told[told.index("# echo in-window-two") + 1] == "in-window-two", told
    assert told[told.index("# ls -d /tmp") + 1] == "/tmp", told
    assert [line for line in told if SESSION_CUE.fullmatch(line)] == ["[vim]", "[exited]"]
    assert told[told.index("# echo vim-gone") + 1] == "vim-gone", told


def test_a_window_shown_again_as_another_closes_keeps_its_program() -> None:
    """review-exports15 item 2: vim in window 1, `exit` in window 0: tmux shows vim's
    window again (no Ctrl-B n/p: the other window closed), and the keys typed into vim
    were told as lines (`:q!`; in the review, each key of `echo out-of-tmux` typed into
    vim's insert mode). A window shown as the cursor's shell leaves is that window back."""
    told = lines(cues_of_file("tmux_window_closed.cast", SUBTITLES))
    start = told.index("# vim -u NONE long.txt")
    assert told[start : start + 5] == [
        "# vim -u NONE long.txt", "[vim]", "# exit", "# echo after vim", "after vim"
    ], told  # fmt: skip


def test_the_multiplexers_own_screens_keep_the_output_before_them() -> None:
    """Item 7: tmux's key list (Ctrl-B ?) drawn over the window after `echo before`: the
    output was taken for the list's screen and the list named after `echo` (`[full-screen
    program]`). A screen drawn over a shell waiting at its prompt is tmux's own."""
    told = lines(cues_of_file("tmux_overlays.cast", SUBTITLES))
    assert told[told.index("# echo before") + 1 : told.index("# echo before") + 3] == [
        "before",
        "[tmux]",
    ], told
    assert "[full-screen program]" not in told
    assert told[told.index("# echo after") + 1] == "after", told


def test_a_pager_or_watch_in_a_pane_is_one_cue_and_a_redraw_tells_nothing() -> None:
    """Item 1: less (its alternate screen is tmux's: only its pane redrawn), less -FRX as
    git runs it (no alternate screen), man and watch in the right pane of a split were
    read out page by page, refresh by refresh (the rule for a pane's program wanted its
    rows written over twice, or the cursor above its last row: a pager's prompt is on
    it); then zoom, unzoom and copy mode told the pane's lines again, the last with
    tmux's `[0/20]` position. Each is one cue named by its command, as outside tmux."""
    told = lines(cues_of_file("tmux_pagers.cast", SUBTITLES))
    start = told.index("# less long.txt")
    assert told[start : start + 10] == [
        "# less long.txt", "[less]",
        "# less -FRX long.txt", "[less]",
        "# man ls", "[man]",
        "# watch -n 0.5 date +%T.%N", "[watch]",
        "# echo after pagers", "after pagers",
    ], told  # fmt: skip
    assert told[start + 10] == "# exit", told  # (zoom, unzoom, copy mode: nothing new)


def test_a_pager_in_a_gnu_screen_region_is_one_cue() -> None:
    """Item 1: less in the lower region of GNU screen split in two (regions apart by
    their caption bar, not a border) was read out as the file's lines."""
    told = lines(cues_of_file("screen_pager.cast", SUBTITLES))
    start = told.index("$ less long.txt")
    assert told[start : start + 4] == [
        "$ less long.txt",
        "[less]",
        "$ echo after less",
        "after less",
    ]
    assert not [line for line in told if "of a long file" in line], told


def seconds(stamp: str) -> float:
    hours, minutes, rest = stamp.split(":")
    return int(hours) * 3600 + int(minutes) * 60 + float(rest)


def timed_cues(path: Path) -> list[tuple[float, float, list[str]]]:
    with open_cast(str(path)) as reader:
        vtt = render_vtt(Timeline(reader.header, reader.events()))
    blocks = [block.splitlines() for block in vtt.split("\n\n")[1:] if block.strip()]
    return [
        (seconds(block[0].split(" --> ")[0]), seconds(block[0].split(" --> ")[1]), block[1:])
        for block in blocks
    ]


@pytest.mark.parametrize("name", RECORDED)
def test_each_line_told_is_on_the_players_screen_as_its_cue_is_shown(
    name: str, player: Player, tmp_path: Path
) -> None:
    problems = lines_told_are_shown(name, player, tmp_path)
    assert problems == [], "\n".join(problems[:6])


def lines_told_are_shown(name: str, player: Player, tmp_path: Path) -> list[str]:
    """Where a line told is not on the player's screen while its cue is shown, or the
    terminal model differs from the player where it is seen."""
    path = SUBTITLES / name
    header, events = load(path)
    local = tmp_path / name
    shutil.copy(path, local)
    player.load(path.read_text("utf-8"))
    problems: list[str] = []
    for start, end, texts in timed_cues(path):
        # (as it ends, then the moments the cast wrote in the cue, each just after its
        # event, until each line is seen: `$ reset` is whole only before its Enter)
        left = [text for text in texts if not SESSION_CUE.fullmatch(text)]
        written = [event.time_us / MICROS + 0.01 for event in events]
        moments = [t for t in written if start - 0.0006 <= t < end][:MAX_MOMENTS]
        for t in [max(start, end - 0.05), *moments]:  # (most lines still shown as it ends)
            screen = player.at(t)
            rows = ["".join(cell[0] for cell in row) for row in screen.cells]
            whole = "".join(rows)  # (a line the terminal wrapped goes on in the next row)
            left = [text for text in left if text not in whole]
            if not left:
                problems += check_moment(local, header, events, t, screen)
                break
        problems += [f"{start:.3f}-{end:.3f}: {text!r} never shown" for text in left]
    return problems


@pytest.mark.parametrize("name", RECORDED)
def test_a_clip_starting_anywhere_in_a_multiplexer_is_told_without_an_error(name: str) -> None:
    """review-exports15 item 10: `--vtt --start-at` inside a tmux session after a split
    ended in an IndexError: the panes' lines typed on, wrapped and painted still pointed
    into what was told before the clip. Every whole second of each recorded session."""
    with open_cast(str(SUBTITLES / name)) as reader:
        end = int(max(event.time_us for event in reader.events()) / MICROS)
    for start in range(1, end):
        with open_cast(str(SUBTITLES / name)) as reader:
            clip = Clip(start_at=str(start))
            assert render_vtt(Timeline(reader.header, reader.events(), clip)).startswith("WEBVTT")


# Recorded sessions inside a multiplexer with a program in a pane or a resize: top beside a
# shell (tmux_top), vim in a pane, windows, GNU screen's regions, panes re-laid out by two
# resizes of the outer terminal (tmux_resized).
CLIPPED = [
    "tmux_top.cast",
    "tmux_vim_pane.cast",
    "tmux_windows.cast",
    "tmux_window_closed.cast",
    "screen_pager.cast",
    "tmux_resized.cast",
]


@pytest.mark.parametrize("name", CLIPPED)
def test_a_clip_inside_a_multiplexer_starts_with_its_session_and_tells_only_what_comes(
    name: str,
) -> None:
    """review-exports19 #22: a `--start-at` clip of a tmux cast starting mid-session told
    the screen before its start as new output: top's rows, read out each second (the
    screens before the start, all at the clip's time 0, held the panes' rewrap window open,
    so no pane was found painted), a command typed across the start twice (`echo after-gr`,
    then `echo after-grow`: tmux_resized at 6.5 s), and the session's cue after lines of
    its first moment. Each half second: the clip's first cue opens with the session's
    cue, and each line it tells is one the whole cast tells in a cue still shown then."""
    path = SUBTITLES / name
    whole = timed_cues(path)
    with open_cast(str(path)) as reader:
        end = max(event.time_us for event in reader.events()) / MICROS
    problems = []
    for half in range(1, int(end * 2)):
        start = half / 2
        with open_cast(str(path)) as reader:
            clip = Clip(start_at=f"{start:g}")
            found = cues(render_vtt(Timeline(reader.header, reader.events(), clip)))
        first = found[0][1] if found else []
        opens = [bool(SESSION_CUE.fullmatch(text)) for text in first]
        if any(opens) and not opens[0]:
            problems.append(f"{start}: the session's cue after {first[0]!r}")
        later = {text for _, until, texts in whole if until > start for text in texts}
        problems += [
            f"{start}: {text!r} told, not in the whole cast's cues from then"
            for text in lines(found)
            if not SESSION_CUE.fullmatch(text) and text not in later
        ]
    assert problems == [], "\n".join(problems[:8])
