"""Subtitles (--vtt) of real shells and REPLs against what asciinema-player 3.18 shows:
line editors that draw under the command being typed (menus, lists, previews), output
without a final newline, keys typed ahead. The casts in tests/data/subtitles named here
were recorded by scripts/record_subtitles_shells.py (asciinema 2.4 in a pty, the keys
typed listed there) or, `review7_*`, by review-exports7 (asciinema 2.4 in a tmux pty,
the keys in each test's docstring)."""

from __future__ import annotations

from pathlib import Path

from tests.test_vtt import cues_of_file, lines

SUBTITLES = Path(__file__).resolve().parent / "data" / "subtitles"


def test_a_menu_the_line_editor_draws_under_the_command_is_no_full_screen_program() -> None:
    """review-exports7 item 2: zsh's `menu select` redraws its menu under the command at
    each Tab (many rows, the keys taken all along, the cursor into the menu and back), and
    the rest of the session was one `[full-screen program]` cue. The player shows the
    command completed and run, its output, and every command after it.
    zsh_menu_select.cast: at the bottom of the screen (the menu scrolls it) and at the top;
    review7_zsh2.cast (zsh 5.9, the review's .zshrc: `printf abc` Enter, `cd /usr/` Tab
    Tab Tab Enter Enter, `pwd` Enter, `exit` Enter)."""
    told = lines(cues_of_file("zsh_menu_select.cast", SUBTITLES))
    assert [t for t in told if not t.isdigit()] == [
        "root:~# seq 8",
        "root:~# cat notes/beta.txt",
        "beta line",
        "root:~# clear",
        "root:~# ls -d /usr/etc",
        "/usr/etc",
        "root:~# echo after menus",
        "after menus",
        "root:~# exit",
    ], told
    told = lines(cues_of_file("review7_zsh2.cast", SUBTITLES))
    assert told == [
        "root:~# printf abc",
        "abc#",
        "root:~# cd /usr/etc",
        "root:/usr/etc# pwd",
        "/usr/etc",
        "root:/usr/etc# exit",
    ], told


def test_output_without_a_final_newline_is_told_once_apart_from_the_next_command() -> None:
    """review-exports7 item 3: fish marks output without a final newline with `⏎` and
    blanks past the right edge, then erases the row they wrapped onto and draws its prompt
    there; the terminal keeps the first row wrapped (as avt does), and the output, the
    blanks, the prompt and the next command were one line (`b⏎ ... # echo ok`). bash draws
    its prompt after the output on its row: the output was told, then again with the
    command (`abc`, `abc$ echo x`). The player shows the output, then the prompt and
    command: each is told once. (fish_no_newline.cast, bash_no_newline.cast.)"""
    fish = cues_of_file("fish_no_newline.cast", SUBTITLES)
    assert lines(fish)[2:] == [
        'root@vm ~# printf "a\\nb"',
        "a",
        "b⏎",
        "root@vm ~# echo ok",
        "ok",
        "root@vm ~# printf no-newline",
        "no-newline⏎",
        "root@vm ~# exit",
    ], fish
    assert [cue for cue in fish if cue[1] == ["root@vm ~# echo ok"]] == [
        ("00:00:04.536", ["root@vm ~# echo ok"])  # (from its first key)
    ], fish
    bash = lines(cues_of_file("bash_no_newline.cast", SUBTITLES))
    assert bash == ["$ printf abc", "abc", "$ echo x", "x", "$ exit", "exit"], bash
