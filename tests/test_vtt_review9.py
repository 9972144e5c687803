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


def test_a_command_redrawn_after_another_prompt_higher_up_is_told_once() -> None:
    """The same class in another shape (zsh_transient, recorded here by
    scripts/record_subtitles_shells.py: a three-row prompt, a blank row, the directory and
    `%# `, that zle-line-finish collapses to `> `, the command drawn two rows up after
    another prompt; the keys in its SESSIONS). Each command was told twice, after `# `
    and after `> `, and the last `exit`'s redraw read as a program painting the screen."""
    found = cues_of_file("zsh_transient.cast", SUBTITLES)
    told = lines(found)
    for command in ("echo first", "seq 3", "echo last", "exit"):
        ends = [line for line in told if line.endswith(command)]  # (`>` escaped as `&gt;`)
        assert ends == [f"&gt; {command}"], found
    assert not [line for line in told if line.startswith("[")]
    assert told[told.index("&gt; seq 3") + 1 :][:3] == ["1", "2", "3"]


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


def test_a_program_painting_a_tmux_pane_is_one_cue_and_commands_are_timed_by_their_keys() -> None:
    """review-exports9 item 1 (review9_tmux_htop: bash, `tmux -L inner2 -f /dev/null new -s
    w2`, Ctrl-b %, `htop` in the right pane, the terminal resized to 100x28, Ctrl-b o,
    `ls -la /tmp/r9/home` in the left pane, resized to 70x20, Ctrl-b o, q, `exit`,
    `exit`). htop's rows were read as screen dumps, two panes' rows run together, and
    the left pane's command was read from when its prompt appeared (4.778 s), before
    `htop`, typed first. The player shows htop in its pane and the prompt bare until
    `ls` is typed (about 12.5 s)."""
    found = cues_of_file("review9_tmux_htop.cast", SUBTITLES)
    told = lines(found)
    assert told.count("[htop]") == 1
    assert not [line for line in told if "PID USER" in line or "Load average" in line]
    at = {line: time for time, texts in found for line in texts}
    assert at["root@vm:~/demo# htop"] < at["[htop]"] < at["root@vm:~/demo# ls -la /tmp/r9/home"]
    assert at["root@vm:~/demo# ls -la /tmp/r9/home"] >= "00:00:12.5"


def test_top_painting_a_tmux_pane_without_the_mouse_is_one_cue() -> None:
    """The same class without the mouse (tmux_top, recorded here by
    scripts/record_subtitles_shells.py: `top -d 1` in the right pane of a tmux split,
    refreshing in place each second, a command typed in the left pane meanwhile, then q,
    exit in both panes; the keys in its SESSIONS). top leaves its last screen in the pane:
    not told either. The player shows top's screen in its pane, refreshed."""
    found = cues_of_file("tmux_top.cast", SUBTITLES)
    told = lines(found)
    assert told.count("[top]") == 1
    assert not [line for line in told if "Tasks:" in line or "PID" in line or "root  " in line]
    assert told.count("# exit") == 2
    assert told.index("# top -d 1") < told.index("[top]") < told.index("# echo left pane")
    assert "left pane" in told
