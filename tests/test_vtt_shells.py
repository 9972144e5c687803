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
