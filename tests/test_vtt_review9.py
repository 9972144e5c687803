"""Subtitles (--vtt) of review-exports9's recordings (tests/data/subtitles/review9_*), each
against what asciinema-player 3.18 shows at the same moment."""

from __future__ import annotations

from tests.test_vtt import SUBTITLES, cues_of_file, lines


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
