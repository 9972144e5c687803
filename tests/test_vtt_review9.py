"""Subtitles (--vtt) of review-exports9's recordings (tests/data/subtitles/review9_*), each
against what asciinema-player 3.18 shows at the same moment."""

from __future__ import annotations

from tests.test_vtt import SUBTITLES, cues_of, cues_of_file, lines


def test_a_command_the_line_editor_redraws_higher_up_is_told_once() -> None:
    """review-exports9 item 2 (review9_zt: zsh with a two-line prompt and a transient one,
    `zle-line-finish` running `PROMPT='❯ '; zle .reset-prompt`: on Enter the editor goes up
    to the prompt's first row, erases down and draws `❯ cmd` there; typed `echo one`,
    `ls`, `git log --oneline -2`, each then Enter). Each command was told twice, the
    erased row and the row it moved to; the player shows it once, from its first key."""
    found = cues_of_file("review9_zt.cast", SUBTITLES)
    told = lines(found)
    for command in ("❯ echo one", "❯ ls", "❯ git log --oneline -2"):
        assert told.count(command) == 1, (command, found)
    assert ("00:00:02.859", ["❯ echo one"]) in found  # (its first key)
    assert ("00:00:03.374", ["one"]) in found


def test_a_command_redrawn_at_the_top_by_ctrl_l_is_told_once_whole() -> None:
    """review-exports9 item 8 (review9_ctrll: bash; typed `echo one` Enter, `echo tw`,
    Ctrl-L, `o` Enter, Ctrl-D): Ctrl-L clears the screen and bash draws the prompt and
    the half-typed command again on the top row; it was told half-typed (`echo tw`) and
    then whole. The player shows the one command line, finished."""
    told = lines(cues_of_file("review9_ctrll.cast", SUBTITLES))
    assert "me@box:~/demo# echo tw" not in told
    assert told.count("me@box:~/demo# echo two") == 1


def test_output_wrapped_onto_a_prompt_left_with_nothing_typed_is_told_whole() -> None:
    """review-exports9 item 9 (review9_wrapped_no_newline: bash, 80 columns; typed
    `printf 'x%.0s' {1..100} echo` Enter, then Ctrl-D): 101 x's and no newline, so the
    prompt is drawn after the 21 that wrapped onto the second row. That row was dropped
    as a prompt left with nothing typed; the player shows all 101 x's."""
    told = lines(cues_of_file("review9_wrapped_no_newline.cast", SUBTITLES))
    assert "x" * 101 in told


def test_output_in_front_of_the_last_prompt_is_told() -> None:
    """The same class unwrapped: `printf 'hello\\nworld'` at the end of a session, the
    prompt drawn after `world` and left (Ctrl-D): `world` is output the player shows."""
    found = cues_of(
        [
            (0.1, "$ "),
            (0.5, "l"),
            (0.6, "s"),
            (0.8, "\r\nfile\r\n$ "),
            (1.5, "p"),
            (1.6, "f"),
            (1.8, "\r\nhello\r\nworld$ "),
            (3.0, "\r\nexit\r\n"),
        ],
        40,
        10,
    )
    assert "world" in lines(found)
    assert "world$" not in lines(found)
