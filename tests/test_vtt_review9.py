"""Subtitles (--vtt) of review-exports9's recordings (tests/data/subtitles/review9_*), each
against what asciinema-player 3.18 shows at the same moment."""

from __future__ import annotations

from genact_cast.publish.vtt import session_name
from tests.test_vtt import SCREENS, SUBTITLES, cues_of, cues_of_file, lines


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


def test_a_dialog_run_before_echo_in_a_chain_is_named_and_read() -> None:
    """review-exports9 item 4 (review9_prompts: bash with a two-line prompt; typed
    `whiptail --yesno 'Install the update now?' 8 40 && echo yes || echo no`, Enter,
    Tab, Enter): the session was named after the chain's last command, `[echo]`, and
    the question never read. The player shows whiptail's question and buttons."""
    found = cues_of_file("review9_prompts.cast", SUBTITLES)
    told = lines(found)
    assert "[echo]" not in told
    at = told.index("[whiptail]")
    assert told[at + 1 : at + 3] == ["Install the update now?", "&lt;Yes&gt; &lt;No&gt;"]
    # The class: a program followed by commands that only print or set something.
    for line, program in (
        ("$ dialog --msgbox hi 6 20; echo done", "dialog"),
        ("$ cd src && vim main.c && printf 'saved\\n'", "vim"),
        ("$ htop || true", "htop"),
        ("$ less notes.txt; export SEEN=1", "less"),
    ):
        assert session_name(line) == program, line


def test_a_dialog_drawn_on_the_primary_screen_is_its_cue_and_question() -> None:
    """review-exports9 item 3 (review9_dialog_inputbox: bash; typed `dialog --inputbox
    'Your name?' 8 40 2>/tmp/r9/ans` Enter, `Ann`, Right, `Lee`, Enter, then `clear`):
    dialog leaves the alternate screen at once and draws its box on the primary one,
    and restores the cursor above the box as it exits, so the box left below it was
    told as box-drawing rows, and the answer as `│ │Ann Lee`. The player shows the box:
    a listener gets `[dialog]`, its question, the field, the buttons. Also in a
    recording made here (dialog_boxes, scripts/record_subtitles_shells.py: `dialog
    --yesno 'Remove the cache?' 7 40`, Enter)."""
    told = lines(cues_of_file("review9_dialog_inputbox.cast", SUBTITLES))
    assert not [line for line in told if "│" in line or "┌" in line or "└" in line]
    at = told.index("[dialog]")
    # (the answer from its first key: review-exports10 item 4)
    assert told[at + 1 : at + 4] == ["Your name?", "&lt; OK &gt; &lt;Cancel&gt;", "Ann Lee"]
    told = lines(cues_of_file("dialog_boxes.cast", SUBTITLES))
    at = told.index("[dialog]")
    assert told[at + 1 : at + 3] == ["Remove the cache?", "&lt; Yes &gt; &lt; No &gt;"]
    assert told[at - 1] == "$ dialog --yesno 'Remove the cache?' 7 40"


def test_a_command_wrapped_in_a_screen_narrowed_under_vim_is_not_told_again() -> None:
    """review-exports9 item 6 (review9_vim_resized: bash; typed `vim -u NONE -N -c 'set
    number' ../long.txt` Enter, the terminal resized to 100x30 and to 50x12 inside vim,
    `:q` Enter, resized back to 80x24, `echo hi` Enter, Ctrl-D). At 50 columns vim gave
    back a screen with the command's last row alone (its head in the scrollback); the
    resize to 80 brought the whole command back and it was told again. The player shows
    the same command line, back on one row."""
    found = cues_of_file("review9_vim_resized.cast", SUBTITLES)
    told = lines(found)
    assert told.count("me@box:~/demo# vim -u NONE -N -c 'set number' ../long.txt") == 1
    assert told.index("[vim]") + 1 == told.index("me@box:~/demo# echo hi")


def test_an_answer_is_told_when_it_is_typed_not_with_its_question() -> None:
    """review-exports9 item 5: an answer was told with the question, from when it was
    asked, before it was typed. review9_git_add_p (bash; `git add -p` Enter, `y` at
    4.498 s Enter, `git status --short` Enter, Ctrl-D) and review9_python_input (bash;
    `python3 -q` Enter, `x = input('Name? ')` Enter, `Bob` from 7.155 s Enter, `1/0`
    Enter, `exit()` Enter, `read -s -p 'Password: ' pw` Enter, a password, Ctrl-D).
    The player shows the question, then the answer as it is typed."""
    found = cues_of_file("review9_git_add_p.cast", SUBTITLES)
    assert lines(found).count("(1/1) Stage this hunk [y,n,q,a,d,e,?]?") == 1
    assert ("00:00:04.498", ["y"]) in found
    found = cues_of_file("review9_python_input.cast", SUBTITLES)
    assert ("00:00:06.148", ["Name?"]) in found
    assert ("00:00:07.155", ["Bob"]) in found


def test_a_two_line_prompts_first_line_is_told_once() -> None:
    """review-exports9 item 8 (review-exports8 item 11; review9_prompts: bash with a
    two-line prompt, `┌─[root]─[~]` over `└─▶ `, no blank row above it, drawn on the top
    row as the shell starts; commands typed after it, Ctrl-D at the end): `┌─[root]─[~]` was told
    as the first cue and again after every command's output. Not told again; and
    review9_zt's `~/demo on main` not again over the prompt left at the end.
    review-exports13 item 14: told the first time, on the top row as the shell starts (it
    says who and where the session is; review-exports11 item 5 had it never told)."""
    told = lines(cues_of_file("review9_prompts.cast", SUBTITLES))
    assert told.count("┌─[root]─[~]") == 1, told
    assert told[:2] == ["┌─[root]─[~]", "└─▶ python3 spin.py"], told
    assert lines(cues_of_file("review9_zt.cast", SUBTITLES)).count("~/demo on main") == 1


def test_a_prompt_ctrl_r_writes_over_is_no_line() -> None:
    """review-exports9 item 8 (review9_reverse_search: bash; typed `echo alpha beta`
    Enter, then Ctrl-R `alp` Enter, `cat f.txt` Enter, and more): the bare prompt left
    for Ctrl-R was told at the end of the output's cue (`alpha beta` / `me@box:~/demo#`).
    The player shows the prompt, then the search written over it: no line."""
    found = cues_of_file("review9_reverse_search.cast", SUBTITLES)
    assert ("00:00:03.461", ["alpha beta"]) in found
    assert "me@box:~/demo#" not in lines(found)


def test_the_same_command_typed_in_panes_of_one_column_is_told_each_time() -> None:
    """review-exports9 item 8 (review9_tmux_panes: bash, `tmux -L inner -f /dev/null new
    -s w`, `echo left pane`, Ctrl-b %, `seq 3`, Ctrl-b ", `date +%Y`, then `exit` in the
    bottom-right pane at 14.64 s, the top-right one at 15.91 s and the left one at
    17.23 s, then `echo back` in the shell): the second `exit` was typed on a row of the
    same column of panes as the first, so it read as a line shown before. The player
    shows each one typed; and each told from its first key."""
    found = cues_of_file("review9_tmux_panes.cast", SUBTITLES)
    exits = [time for time, texts in found for line in texts if line.endswith("# exit")]
    assert exits == ["00:00:14.637", "00:00:15.912", "00:00:17.226"], found
    told = lines(cues_of_file("review8_tm1.cast", SUBTITLES))  # (exit typed four times)
    assert len([line for line in told if line.endswith("# exit")]) == 4


def test_a_screen_redrawn_after_clear_is_told_top_first() -> None:
    """review-exports9 item 7 (review9_dashboard_clear: bash; typed `bash ../dash.sh`
    Enter, a script that clears the screen (`\\e[H\\e[2J`) and prints a header and
    three status lines six times, 0.6 s apart, then `all finished`; then `echo ok`,
    Ctrl-D): the lines whose
    numbers changed at each redraw were timed from the last one, so the header and
    the api line came 3 s late, after the lines under them. The player shows the header
    first, from 3.34 s: each line told from when it appeared, in its place, as last
    drawn. The same for a `watch`-like loop's two lines (subtitles_clear.cast), its first
    value from when it appeared, its last from when it was drawn (review-exports11
    item 3)."""
    found = cues_of_file("review9_dashboard_clear.cast", SUBTITLES)
    at = next(texts for time, texts in found if time == "00:00:03.336")
    assert [line.split()[0] for line in at] == ["Build", "api", "web", "worker"], found
    found = cues_of_file("subtitles_clear.cast", SCREENS)
    clear = [texts for _, texts in found].index(["Every 0.3s: date", "count 1"])
    assert found[clear + 1][1] == ["count 4"], found


def test_a_program_run_by_a_shells_command_string_is_named_by_it() -> None:
    """review-exports20 FAIL 4 and WARN 7: `sh -c 'echo $$ > /tmp/w/pid; exec vim f.txt'`
    was named `[pid;]` (the row read from the quoted `> `, taken for a prompt's end) and a
    program under `bash -c` was `[bash]`. The prompt ends where the rest of the row closes
    its quotes; a shell's `-c` string names the program it runs."""
    for line, program in (
        ("$ sleep 9 & sh -c 'echo $$ > /tmp/w/pid; exec vim f.txt'", "vim"),
        ("root@vm:~# bash -c 'htop'", "htop"),
        ('root@vm:~# zsh -c "less notes.txt" && echo done', "less"),
        ("~ > $ vim f", "vim"),
        ("root@vm:~# bash script.sh", "bash"),
        ("$ screen -c screenrc", "screen"),  # (screen's -c names its configuration file)
    ):
        assert session_name(line) == program, line
