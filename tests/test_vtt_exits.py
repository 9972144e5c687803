"""Subtitles of programs that leave the terminal oddly, against review-exports14's
findings, on sessions recorded here in a real pty by scripts/record_subtitles_mux.py
(bash, asciinema 2.4) and held against asciinema-player 3.18 in Chromium as
tests/test_vtt_mux.py holds its own: a pager on a terminal type without an alternate
screen, a full-screen program killed inside the alternate screen."""

from __future__ import annotations

from pathlib import Path

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


def test_a_pager_without_an_alternate_screen_after_a_right_prompt_is_one_cue() -> None:
    """review-exports15 item 6: the same in zsh, whose right prompt (`[%T]`) stands after
    the command on its row: the cursor before it looked like output, no command was read
    there, and the pages were told. The last command typed names the pager."""
    told = lines(cues_of_file("zsh_less_vt220.cast", SUBTITLES))
    start = told.index("root:~# TERM=vt220 less long.txt")
    assert told[start + 1 : start + 4] == ["[less]", "root:~# echo after", "after"], told


def test_a_pager_on_a_dumb_terminal_after_its_warning_is_one_cue() -> None:
    """review-exports15 item 6: `TERM=dumb less` warns (`Press RETURN to continue`) and
    pages after RETURN: the row above the page is less's own, so no command was read
    there, and the pages were told. The last command typed names the pager.
    no_alternate_screen.cast: recorded by scripts/record_subtitles_shells.py."""
    told = lines(cues_of_file("no_alternate_screen.cast", SUBTITLES))
    start = told.index("$ TERM=dumb less long.txt")
    assert told[start + 3 : start + 5] == ["[less]", "$ echo after"], told
    assert not [line for line in told if "of a long file" in line], told


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


@pytest.mark.parametrize(
    "name",
    [
        "less_vt220.cast",
        "zsh_less_vt220.cast",
        "killed_full_screen.cast",
        "bash_recall_given_up.cast",
    ],
)
def test_each_line_told_is_on_the_players_screen(name: str, player: Player, tmp_path: Path) -> None:
    assert lines_told_are_shown(name, player, tmp_path) == []


def test_a_long_command_recalled_and_given_up_is_not_told_by_its_second_row() -> None:
    """Item 18: a command longer than the row, recalled with Up (drawn again over two
    rows after the prompt in one write) and given up with Ctrl-U (bash erases the first
    row after the prompt and the whole second row): the second row's text alone was told,
    a fragment. The rest of a command line is its head's: the recalled line, which
    repeats the command above, is not told; the next command is.
    bash_recall_given_up.cast: recorded here (bash 5.2, asciinema 2.4, 40 columns)."""
    told = lines(cues_of_file("bash_recall_given_up.cast", SUBTITLES))
    command = "$ echo a command long enough to wrap onto a second row"
    assert told[: told.index("$ echo short")] == [command, command[7:]], told
    # The same cut from the class by hand, 20 columns: readline's Ctrl-U on the line.
    keys = [(0.5 + i * 0.05, key) for i, key in enumerate("echo 0123456789abcdef")]
    found = cues_of(
        [
            (0.2, "$ "), *keys, (2.0, "\r\n0123456789abcdef\r\n$ "),
            (3.0, "echo 0123456789abcdef"),
            (4.0, "\x1b[A\r\x1b[C\x1b[C\x1b[K\r\n\r\x1b[K\x1b[A\x1b[C\x1b[C"),
            (5.0, "l"), (5.1, "s"), (5.2, "\r\nfile\r\n$ "),
        ],
        20,
        8,
    )  # fmt: skip
    assert lines(found) == ["$ echo 0123456789abcdef", "0123456789abcdef", "$ ls", "file"]


def test_a_row_of_prompt_clocks_is_no_line_but_a_time_printed_is() -> None:
    """Item 10: a prompt that draws its clock at the top right (ESC 7, `ESC[1;nH`, the
    time, ESC 8), the row rewrapped by a resize to hold two copies of it (as the player
    shows): the row was told as a line, `16:49:00 ... 16:49:00`. A row of clock and
    status words alone that does not start at its row's start is a prompt's; a time a
    command prints (`date +%T`) starts there and is told."""
    clock = "\x1b7\x1b[1;33H16:49:00\x1b8"
    keys = [(1.0 + i * 0.05, key) for i, key in enumerate("date +%T")]
    found = cues_of(
        [
            (0.3, f"{clock}\r\n$ "), *keys, (1.6, "\r\n16:49:07\r\n"),
            (1.7, "\x1b[1;1H\x1b[2K\x1b[1;5H16:49:00\x1b[1;30H16:49:00\x1b[4;1H$ "),
            (2.5, "l"), (2.6, "s"), (2.7, "\r\nfile\r\n$ "),
        ],
        40,
        8,
    )  # fmt: skip
    assert lines(found) == ["$ date +%T", "16:49:07", "$ ls", "file"], found


def test_a_command_typed_before_zshs_first_prompt_is_told_once_without_its_clock() -> None:
    """Items 11 and 12, cut from review-exports14's s9 (zsh 5.9, a two-line prompt,
    `RPROMPT='%*'`): `printf 'no newline'` typed while zsh started, echoed by the tty,
    then zsh drew its prompt, the command again with the clock at the right, ran it and
    drew the next prompt, all in one write. The command was told twice, the second time
    with the clock, and the prompt's first line again after `false` (only the status
    changed). Now: the command once, from its first key, after its prompt (no prompt was
    known yet: its mark names it), the first line once."""
    sp = " " * 59
    head = "\x1b[38;5;39m╭─\x1b[39m root@box ~\r\n"
    mark = f"\x1b[1m\x1b[7m#\x1b[27m\x1b[0m{sp}\r \r\r\x1b[J"

    def prompt(clock: str) -> str:
        return f"{head}╰─❯ \x1b[K\x1b[44C{clock}\x1b[52D\x1b[?2004h"

    typed = [(0.6 + i * 0.07, key) for i, key in enumerate("printf 'no newline'")]
    keys = [(2.7 + i * 0.07, key) for i, key in enumerate("false")]
    found = cues_of(
        [
            *typed, (2.0, "\r\n"),
            (2.4, mark + prompt("16:52:44") + "printf 'no newline'\x1b[?2004l\r\r\n"
             + "no newline" + mark + prompt("16:52:44")),
            *keys, (3.1, "\x1b[?2004l\r\r\n" + mark + prompt("16:52:45 ✘ 1")),
        ],
        60,
        12,
    )  # fmt: skip
    told = lines(found)
    # (root's PROMPT_SP mark `#` is not told: review-exports15 item 9)
    assert told[:4] == ["╰─❯ printf 'no newline'", "╭─ root@box ~", "no newline", "╰─❯ false"]
    assert found[0][0] == "00:00:00.600", found
    assert told.count("╭─ root@box ~") == 1, told


def test_an_inline_pickers_state_shown_under_a_tenth_of_a_second_is_not_told() -> None:
    """review-exports15 item 1, cut from its s1 (a picker that draws its list under the
    prompt without the alternate screen and redraws it with `ESC[6A ESC[J` at each key):
    the list for the query `a`, shown 92 ms before `n` came, was erased by the clear
    below the cursor, and its `date` told among the lines of `an`, an order no screen
    showed. A line a clear takes within `MERGE_SECONDS` of its drawing is a state nobody
    got to read, as one the cursor's line erasure takes."""

    def state(query: str, items: list[str], count: str) -> str:
        rows = [f"> {query}", *items, *[""] * (4 - len(items)), f"  {count}"]
        return "\x1b[6A\r\x1b[J" + "\r\r\n".join(rows)

    full = ["▶ apple", "  banana", "  cherry", "  date"]
    found = cues_of(
        [
            (0.3, "$ pick\r\n" + "\r\n" * 5), (0.5, state("", full, "4/4")),
            (1.5, state("a", ["▶ apple", "  banana", "  date"], "3/4")),
            (1.592, state("an", ["▶ banana"], "1/4")),
        ],
        40,
        10,
    )  # fmt: skip
    told = lines(found)
    assert told[told.index("&gt; an") :] == ["&gt; an", "▶ banana", "  1/4"], found


def test_a_command_whose_first_key_came_with_the_prompt_names_its_program() -> None:
    """review-exports15 item 7: the first key echoed with the prompt (in its event, or
    20 ms after it: one screen) was taken for part of the prompt, and the program named
    without it: `[im]`, `[op]`, and tmux summed up as `[mux]` with the whole session."""
    keys = [(0.3 + i * 0.08, key) for i, key in enumerate("im")]
    vim = "\x1b[?1049h\x1b[H\x1b[2J~\r\n~\x1b[H"
    found = cues_of([(0.05, "$ "), (0.07, "v"), *keys, (0.6, "\r\n"), (0.8, vim)], 30, 6)
    assert lines(found) == ["$ vim", "[vim]"], found
    keys = [(0.3 + i * 0.08, key) for i, key in enumerate("op")]
    found = cues_of([(0.05, "$ t"), *keys, (0.6, "\r\n"), (0.8, vim)], 30, 6)
    assert lines(found) == ["$ top", "[top]"], found


def test_a_program_killed_under_zshs_two_line_prompt_and_clock_leaves_the_shell_told() -> None:
    """review-exports15 item 8, cut from its s8 (zsh, a two-line prompt, `RPROMPT`
    clock, vim killed by SIGKILL on the alternate screen): zsh's prompt came back there
    with its clock after it, so it was not the prompt that started vim, and `ls dir`, its
    output and the rest were swallowed into `[vim]`; then the PROMPT_SP mark left on
    vim's text row was told alone. The prompt is known without its right prompt."""
    sp = " " * 59
    mark = f"\x1b[1m\x1b[7m#\x1b[27m\x1b[0m{sp}\r \r\r\x1b[J"
    head = "╭─ root@vm ~\r\n"

    def prompt(clock: str) -> str:
        return f"{head}╰─❯ \x1b[K\x1b[44C{clock}\x1b[52D"

    vim = [(1.0 + i * 0.08, key) for i, key in enumerate("vim k")]
    ls = [(4.0 + i * 0.08, key) for i, key in enumerate("ls")]
    found = cues_of(
        [
            (0.3, prompt("12:00:00")), *vim, (1.5, "\r\r\n"),
            (1.7, "\x1b[?1049h\x1b[H\x1b[2Jkilled soon\r\n~\r\n~\x1b[1;12H"),
            (3.0, mark + prompt("12:00:03")), *ls,
            (4.3, "\r\r\nf1.txt\r\n" + mark + prompt("12:00:04")),
        ],
        60,
        8,
    )  # fmt: skip
    assert lines(found) == ["╭─ root@vm ~", "╰─❯ vim k", "[vim]", "╰─❯ ls", "f1.txt"], found
