"""Subtitles against review-exports17's medium and low findings (its casts copied to
tests/data/subtitles as review17_*.cast: recorded by the reviewer with asciinema 2.4 in a
real pty, /tmp/r17/casts; `review17_zsh_bar` is zsh.cast's first 7 s). What a listener is
told is held to what asciinema-player 3.18.0 shows in Chromium at those times."""

from __future__ import annotations

from tests.test_vtt import SUBTITLES, cues_of_file, lines


def test_a_progress_bars_final_value_is_told_though_the_cursor_waits_after_a_space() -> None:
    """Item 5: zsh runs `printf '\\rdownloading %3d%% '` 30 times, then `echo`. The player
    shows `downloading 100%` from 4.845 s on; the subtitles told only `downloading   6%`:
    the bar's last value, the cursor after its trailing space, was taken for a prompt left
    with nothing typed (`100% ` ends like zsh's `% `)."""
    found = cues_of_file("review17_zsh_bar.cast", SUBTITLES)
    assert ("00:00:04.845", ["downloading 100%"]) in found, found


def test_a_wordless_bar_in_a_repl_is_told_and_the_next_prompt_is_not_glued_to_it() -> None:
    """Item 1: python's `for` loop prints `\\r[####    ] 45%` 21 times, no newline, then
    `>>> ` comes in an event of its own and `print('x'*150)` is typed after it. The player
    shows the bar from 5.76 s on its own row, `100%` from 7.79 s, then `>>> print(...)`.
    The subtitles told no value while it ran (a line with no words was another line at
    each redraw) and `[####################] 100%&gt;&gt;&gt; print('x'*150)` glued."""
    found = cues_of_file("review17_py.cast", SUBTITLES)
    told = lines(found)
    assert "[                    ] 0%" in told, found
    assert "[####################] 100%" in told, found
    assert "&gt;&gt;&gt; print('x'*150)" in told, found
    assert not any("100%&gt;" in line for line in told), found


def test_a_command_the_program_clears_at_once_is_told_from_its_echo_and_names_it() -> None:
    """Items 16 and 12: `TERM=vt100 vim -u NONE colors.txt` echoed at 1.710 s, vim's
    `ESC[H ESC[J` 6 ms later (one screen): the command's cue ran from the prompt (0.047 s)
    to the moment it was typed, and the session was `[full-screen program]` (the erased
    row was read as the bare prompt the last screen showed). The player shows the
    command from 1.71 s, then vim's page (review17_vt100_vim is odd.cast's first 5.8 s)."""
    found = cues_of_file("review17_vt100_vim.cast", SUBTITLES)
    command = "r17:/tmp/r17 ❯ TERM=vt100 vim -u NONE /tmp/r17/colors.txt"
    assert found[0] == ("00:00:01.710", [command, "[vim]"]), found


def test_a_command_a_pager_scrolls_away_at_once_is_told_from_its_echo() -> None:
    """Item 12: `cd home/repo && git log --stat` arrives at 1.580 s and git's pager
    (`less -X` on the primary screen) scrolls it away 10 ms later: the cue with the
    command ran 0.067 -> 1.580 s, shown only before it existed (review17_git_pager is
    git.cast's first 6.5 s)."""
    found = cues_of_file("review17_git_pager.cast", SUBTITLES)
    command = "r17:/tmp/r17 ❯ cd home/repo &amp;&amp; git log --stat"
    assert found[0] == ("00:00:01.580", [command, "[git]"]), found


def test_a_command_that_resets_the_screen_is_not_told_before_it_is_typed() -> None:
    """Item 8: `reset` typed and run at 8.265 s (`ESC c` 4 ms later) was in the cue of
    the command before it, from 7.263 s."""
    found = cues_of_file("review17_kill.cast", SUBTITLES)
    before = ("00:00:07.263", ["r17:/tmp/r17 ❯ echo typed-after-bs", "typed-after-bs"])
    assert before in found, found
    assert ("00:00:08.265", ["r17:/tmp/r17 ❯ reset"]) in found, found


def test_an_empty_two_line_prompt_and_its_clock_pushed_by_a_resize_are_no_line() -> None:
    """Item 13: zsh (`PROMPT=$'┌─[%n@%m]─[%~]\\n└─▶ '`, a `%D{%H:%M:%S}` RPROMPT) runs
    `print -l` at 10.48 s in a 90-column window; its output and the new prompt come in
    one event; the window is narrowed to 41 columns at 12.98 s. The waiting `└─▶` and its
    clock `02:15:41`, pushed into the scrollback by the rewrap, were told with 78 blanks,
    before the output they follow on screen (the player at 11 s: the output, then the
    prompt's two rows)."""
    found = cues_of_file("review17_ztype.cast", SUBTITLES)
    output = "中文字符测试" * 6
    assert ("00:00:10.480", [output]) in found, found
    assert not any("02:15:41" in line for line in lines(found)), found
