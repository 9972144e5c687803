"""Subtitles (--vtt) of review-exports13's findings against what asciinema-player 3.18
shows. `review13_*` casts are copied from the review's recordings (asciinema 2.4.0 in a
real pty driven by /tmp/r13/drive.py with the steps of /tmp/r13/sN.py; the keys in each
test's docstring); `tmux_*` were recorded here by scripts/record_subtitles_shells.py."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from genact_cast.publish.vtt_panes import cells, layout, pane_at
from tests.test_vtt import cues_of_file, lines

SUBTITLES = Path(__file__).resolve().parent / "data" / "subtitles"


def test_a_program_painting_a_pane_is_one_cue_whatever_the_split() -> None:
    """review-exports13 item 12: htop in the lower pane of a horizontal split (Ctrl-B `"`)
    leaked its meters and its process tree (`├─ /process_api`, the tee taken for a pane
    border) into the cues, mixed with the command typed in the upper pane; the two panes
    one above the other were one pane. review13_s9.cast (84x26: `tmux -f /dev/null new`,
    Ctrl-B `"`, `htop`, resize to 100x34, Ctrl-B o, `printf '%s\\n' ✓ 🎉 漢字 'col  umns'`,
    `less long.txt`, `G`, resize to 76x22, `q`, Ctrl-B o, `q`, `exit` twice);
    tmux_htop_below.cast (`htop -d 5` below, `echo typed above htop` above). The player
    shows htop in its pane all along and the other pane's command and output."""
    told = lines(cues_of_file("review13_s9.cast", SUBTITLES))
    assert told == [
        "me@box:~$ tmux -f /dev/null new -s r13b",
        "root@vm:~# htop",
        "[htop]",
        "root@vm:~# printf '%s\\n' ✓ 🎉 漢字 'col  umns'",
        "✓",
        "🎉",
        "漢字",
        "col  umns",
        "root@vm:~# less /tmp/r13/home/long.txt",
        "[less]",
        "root@vm:~# exit",
        "root@vm:~# exit",
        "[exited]",
        "me@box:~$ exit",
        "exit",
    ], told
    told = lines(cues_of_file("tmux_htop_below.cast", SUBTITLES))
    assert told == [
        "$ tmux -L vttrec -f /dev/null new",
        "# htop -d 5",
        "[htop]",
        "# echo typed above htop",
        "typed above htop",
        "# exit",
        "# exit",
        "[exited]",
        "$ exit",
        "exit",
    ], told


def test_a_program_drawing_over_its_command_in_a_pane_is_one_cue() -> None:
    """review-exports13 item 1: vim -u NONE in a pane takes no mouse and writes its rows
    once, and its pane was read out as output (the file's lines, `~`, its message). It
    drew over the pane's command line at once with the cursor back above its last row,
    as no command's output does. review13_s3.cast (`tmux -f /dev/null new`, `echo left
    pane ✓ 中文`, Ctrl-B %, `vim -u NONE notes.txt`, `jjA — edited`, resize 90x26 to
    110x32, `:q!`, a truecolor printf, resize to 72x20, `exit` twice); tmux_vim_pane.cast
    (vim in the right pane, a command typed in the left one while it runs)."""
    told = lines(cues_of_file("review13_s3.cast", SUBTITLES))
    assert "line one" not in told, told
    assert told[told.index("[vim]") - 1] == "root@vm:~# vim -u NONE notes.txt", told
    told = lines(cues_of_file("tmux_vim_pane.cast", SUBTITLES))
    assert told == [
        "$ tmux -L vttrec -f /dev/null new",
        "# echo left pane",
        "left pane",
        "# vim -u NONE notes/alpha.txt",
        "[vim]",
        "# echo typed beside vim",
        "typed beside vim",
        "# exit",
        "# exit",
        "[exited]",
        "$ exit",
        "exit",
    ], told


def test_panes_are_the_regions_tmuxs_borders_close() -> None:
    """Borders as tmux 3.x draws them (screen-redraw.c): a vertical split's column of │
    from the top, a horizontal border ─ across a pane with a tee where it meets one. A
    box character inside a pane (htop's `├─` tree, a table's `│`) is no border."""
    screen = [
        "left        │top right   ",
        "  ├─ tree   ├────────────",
        "  ├─ tree   │bottom right",
        "a │ table   │more        ",
    ]
    grid = tuple(cells(list(row), 24) for row in screen)
    panes = layout(grid)
    assert pane_at(panes, 0, 0) == pane_at(panes, 3, 2) == pane_at(panes, 1, 6) == 0
    assert pane_at(panes, 0, 14) == 1
    assert pane_at(panes, 2, 14) == pane_at(panes, 3, 14) == 2
    assert pane_at(panes, 0, 12) == pane_at(panes, 1, 15) == -1


def test_a_command_whose_first_keys_came_before_its_prompt_is_told_and_named_by_it() -> None:
    """review-exports13 item 5: keys typed before the shell drew its prompt are echoed
    on the row, then the prompt and the line drawn again after them; the echo and the
    prompt were glued into the command (`TERMme@box:~$ TERM=xterm-mono htop`) and the
    program named by them (`[ERMme@box:~$]`). The player shows the row as the terminal
    has it; a listener is told the command after the prompt, from its first key, and the
    program it ran. review13_s5.cast (`ipython`, `exit`, `TERM=xterm-mono htop` typed
    while ipython exited, `q`, ...); review13_h5b.cast (hand-made: `TERM` echoed after the
    prompt, then bash's prompt and `TERM` again); review13_h5d.cast (`ls` typed ahead, then
    ` -la`); bash_typed_before_prompt.cast (`sleep 2`, `ls` typed while it ran, ` -a
    notes` after the prompt; `sleep 2`, `les` ahead, `s notes/beta.txt`, `q`)."""
    found = cues_of_file("review13_s5.cast", SUBTITLES)
    told = lines(found)
    at = told.index("me@box:~$ TERM=xterm-mono htop")
    assert told[at + 1] == "[htop]", told
    assert ("00:00:18.131", ["me@box:~$ TERM=xterm-mono htop"]) in found  # (its first key)
    assert lines(cues_of_file("review13_h5b.cast", SUBTITLES)) == [
        "me@box:~$ TERM=xterm-mono htop",
        "[htop]",
    ]
    assert lines(cues_of_file("review13_h5d.cast", SUBTITLES))[0] == "me@box:~$ ls -la"
    found = cues_of_file("bash_typed_before_prompt.cast", SUBTITLES)
    assert found == [
        ("00:00:02.649", ["$ sleep 2"]),
        ("00:00:04.459", ["$ ls -a notes"]),
        ("00:00:08.844", [".  ..  alpha.txt  beta.txt  delta.txt  gamma.txt"]),
        ("00:00:09.987", ["$ sleep 2"]),
        ("00:00:11.540", ["$ less notes/beta.txt"]),
        ("00:00:17.071", ["[less]"]),
        ("00:00:19.858", ["$ exit"]),
        ("00:00:20.733", ["exit"]),
    ], found


def test_a_program_that_clears_the_screen_before_painting_it_is_one_cue_named() -> None:
    """review-exports13 item 6: vim on TERM=ansi (no alternate screen, no keypad mode)
    clears the screen and writes its message on the bottom row, then the file's rows:
    the command's row was gone from the shell's last screen, so the session was named
    `[full-screen program]` and the message told as output (on 24 rows; on 12, where it
    addresses no rows, the file's lines were read out). The screen erased whole after a
    command, many rows drawn, no prompt waiting and the cursor put back above them: a
    program paints it, named by the last command told; what it wrote in the screen before
    is its page. review13_s5.cast (`TERM=ansi vim -u NONE -c 'syntax on' drive.py`,
    `:q`); cleared_before_painting.cast (the same vim on 12 rows); review10_r11.cast
    (`top -d 1` after a dialog, once `[full-screen program]`)."""
    found = cues_of_file("review13_s5.cast", SUBTITLES)
    assert ("00:00:26.996", ["[vim]"]) in found, found
    assert not any("drive.py" in line and "lines" in line for line in lines(found)), found
    found = cues_of_file("cleared_before_painting.cast", SUBTITLES)
    assert found[2:4] == [
        ("00:00:05.720", ["$ TERM=ansi vim -u NONE -c 'syntax on' long.txt"]),
        ("00:00:12.473", ["[vim]"]),
    ], found
    assert "[top]" in lines(cues_of_file("review10_r11.cast", SUBTITLES))


LONG = "A long line that the terminal wraps because it is longer than the forty columns"


@pytest.mark.parametrize(
    ("cols", "rows", "narrow"),
    [(40, 10, "20x8"), (40, 10, "10x8"), (30, 12, "15x6"), (25, 9, "5x9")],
)
def test_a_resize_that_puts_a_wrapped_lines_first_rows_in_the_scrollback_keeps_it_whole(
    tmp_path: Path, cols: int, rows: int, narrow: str
) -> None:
    """review-exports13 item 7: a line wrapped over rows, three short lines under it, then
    a narrowing: the player's rewrap puts the line's first rows in its scrollback, the top
    row starting exactly where an old row did (`use it is longer tha`), and the line was
    told cut there (`... wraps beca` / `use it is ...`). review13_h6f.cast is the review's
    (40x10 to 20x8); the others narrow other ways (the scrollback taking one row or two)."""
    line = LONG + " of this screen, yes."
    events = [
        [0.5, "o", line + "\r\n"],
        [1.9, "o", "line 1\r\n"],
        [2.6, "o", "line 2\r\n"],
        [3.3, "o", "line 3\r\n"],
        [5.0, "r", narrow],
        [6.0, "o", "$ "],
    ]
    cast = tmp_path / "narrowed.cast"
    header = json.dumps({"version": 2, "width": cols, "height": rows})
    cast.write_text("\n".join([header, *(json.dumps(event) for event in events)]) + "\n")
    found = cues_of_file(cast.name, tmp_path)
    assert found[0] == ("00:00:00.500", [line]), found
    assert lines(found)[1:] == ["line 1", "line 2", "line 3"], found
    if (cols, rows, narrow) == (40, 10, "20x8"):
        assert cues_of_file("review13_h6f.cast", SUBTITLES) == found


def test_keys_typed_in_front_of_text_left_after_the_cursor_make_one_command() -> None:
    """review-exports13 item 10: a line recalled and cut before the cursor (Ctrl-U in
    mid-line) leaves its rest after the cursor; bash redraws from the cursor at each key
    typed in front of it, and each burst of keys was a cue of its own (ten between 4.2 s
    and 12.9 s). A command typed there is one line from its first key; cut again to the
    text left (Ctrl-U), it is told once as typed. review13_s7.cast (`echo first-command
    ok`, Ctrl-R `first`, Right, Ctrl-U, `ls /usr/sh` Tab `are/ter` Tab Tab, Ctrl-U, `read -s
    -p 'Password: ' pw; echo; echo "got ${#pw} chars"` Enter); bash_typed_in_front.cast
    (Up, Left x16, Ctrl-U, `ls notes/ ` Ctrl-U, `echo typed ` Enter)."""
    found = cues_of_file("review13_s7.cast", SUBTITLES)
    typed = [cue for cue in found if cue[1][0].startswith("me@box:~$ ") and "irst-" in cue[1][0]]
    typed = [cue for cue in typed if "first-" not in cue[1][0]]
    read = "read -s -p 'Password: ' pw; echo; echo \"got ${#pw} chars\""
    assert typed == [
        ("00:00:04.807", ["me@box:~$ ls /usr/share/are/terirst-command ok"]),
        ("00:00:07.614", [f"me@box:~$ {read}irst-command ok"]),
    ], found
    found = cues_of_file("bash_typed_in_front.cast", SUBTITLES)
    assert found[2:5] == [
        ("00:00:09.414", ["$ ls notes/ first-command ok"]),
        ("00:00:12.335", ["$ echo typed first-command ok"]),
        ("00:00:14.537", ["typed first-command ok"]),
    ], found


def test_a_program_back_after_a_shell_it_started_is_named_as_before() -> None:
    """review-exports13 item 11: `vim -u NONE`, `:sh`, `echo inside vim shell`, `exit`,
    `:q` (review13_s7.cast, 19.6-26.5 s): vim's screen back after the shell's `exit` was
    `[full-screen program]`, named by the last command typed, the subshell's `exit`. A
    shell left gives the screen back to the program whose session it came after. The
    subshell's `exit` line, 3.7 ms on screen before vim's covers it (24.6455 s, 24.6492 s),
    is told when vim leaves and the player shows it again (25.717 s)."""
    told = lines(cues_of_file("review13_s7.cast", SUBTITLES))
    at = told.index("root@vm:~# exit")
    assert told[at - 3 : at + 3] == [
        "[vim]",
        "root@vm:~# echo inside vim shell",
        "inside vim shell",
        "root@vm:~# exit",
        "[vim]",
        "exit",
    ], told
