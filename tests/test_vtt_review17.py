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
