"""Subtitles (--vtt) of real shells and REPLs against what asciinema-player 3.18 shows:
line editors that draw under the command being typed (menus, lists, previews), output
without a final newline, keys typed ahead. The casts in tests/data/subtitles named here
were recorded by scripts/record_subtitles_shells.py (asciinema 2.4 in a pty, the keys
typed listed there) or, `review7_*`, by review-exports7 (asciinema 2.4 in a tmux pty,
the keys in each test's docstring)."""

from __future__ import annotations

import itertools
from pathlib import Path

import pytest

from genact_cast.publish.screens import Timeline
from genact_cast.publish.text import render_text
from genact_cast.publish.vtt import session_name
from genact_cast.publish.vtt_sessions import typed_program
from genact_cast.sources import open_cast
from tests.test_vtt import cues_of_file, lines

SUBTITLES = Path(__file__).resolve().parent / "data" / "subtitles"


def test_a_menu_the_line_editor_draws_under_the_command_is_no_full_screen_program() -> None:
    """review-exports7 item 2: zsh's `menu select` redraws its menu under the command at
    each Tab (many rows, the keys taken all along, the cursor into the menu and back), and
    the rest of the session was one `[full-screen program]` cue. The player shows the
    command completed and run, its output, and every command after it.
    zsh_menu_select.cast: at the bottom of the screen (the menu scrolls it) and at the top;
    review7_zsh2.cast (zsh 5.9, the review's .zshrc: `printf abc` Enter, `cd /usr/` Tab
    Tab Tab Enter Enter, `pwd` Enter, `exit` Enter). zsh's PROMPT_SP mark after `abc`
    (root's `#`) is not told: it is no text the program wrote (review-exports15 item 9)."""
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
        "abc",
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
    command: each is told once, fish's mark not (review-exports15 item 12: no text the
    program wrote). (fish_no_newline.cast, bash_no_newline.cast.)"""
    fish = cues_of_file("fish_no_newline.cast", SUBTITLES)
    assert lines(fish)[2:] == [
        'root@vm ~# printf "a\\nb"',
        "a",
        "b",
        "root@vm ~# echo ok",
        "ok",
        "root@vm ~# printf no-newline",
        "no-newline",
        "root@vm ~# exit",
    ], fish
    assert [cue for cue in fish if cue[1] == ["root@vm ~# echo ok"]] == [
        ("00:00:04.536", ["root@vm ~# echo ok"])  # (from its first key)
    ], fish
    bash = lines(cues_of_file("bash_no_newline.cast", SUBTITLES))
    assert bash == ["$ printf abc", "abc", "$ echo x", "x", "$ exit", "exit"], bash


def test_a_line_drawn_again_under_a_completion_list_is_told_once_from_its_first_key() -> None:
    """review-exports7 items 4 and 7: bash's Tab Tab prints the candidates under the line
    being typed and draws the prompt and the line again under them; node's REPL the same,
    with a blank row and its grey preview. The list was told, then the list again with the
    line (bash, Tab Tab Tab), or the line twice with the preview (node, `> Math.max`,
    `Math.max`, `> Math.max`, `[Function: max]`), and the command had no cue until the
    list. The player shows the line typed, the list, the line again: the command is told
    once, from its first key, then the list once (bash_tab_tab.cast, node_tab.cast)."""
    bash = cues_of_file("bash_tab_tab.cast", SUBTITLES)
    assert bash[:3] == [
        ("00:00:00.841", ["$ ls -d /usr/lib"]),
        ("00:00:03.071", ["lib/     lib64/   libexec/ local/"]),
        ("00:00:05.952", ["/usr/lib"]),
    ], bash
    node = lines(cues_of_file("node_tab.cast", SUBTITLES))
    assert node[2:] == [
        "&gt; 1+2",
        "3",
        "&gt; Math.a",
        "Math.abs    Math.acos   Math.acosh  Math.asin   Math.asinh",
        "Math.atan   Math.atan2  Math.atanh",
        "&gt; Math.hypot",
        "Math.hypot",
        "&gt; [3,4].length",
        "2",
        "&gt; .exit",
    ], node


def test_a_line_given_up_is_told_as_typed_and_the_next_command_from_its_first_key() -> None:
    """review-exports7 item 10: a line cleared with Ctrl-U and another command typed after
    the same prompt were one cue, the later command's, from the first key of the line given
    up (fish: `less long.txt` from when `ls /usr/s` was typed; zsh: `echo x` while
    `ls /usr/` and its lists were on screen). The player shows the first line, then the
    second typed: the first is told as it was typed (not a grey suggestion after the
    cursor), the second from its first key (fish_abandoned.cast, zsh_abandoned.cast,
    bash_tab_tab.cast)."""
    fish = cues_of_file("fish_abandoned.cast", SUBTITLES)
    assert fish[3:] == [
        ("00:00:04.996", ["root@vm ~# cat notes/"]),
        ("00:00:09.500", ["root@vm ~# echo kept"]),
        ("00:00:11.087", ["kept"]),
        ("00:00:12.234", ["root@vm ~# echo no"]),
        ("00:00:15.372", ["root@vm ~# exit"]),
    ], fish
    zsh = cues_of_file("zsh_abandoned.cast", SUBTITLES)
    assert zsh[:2] == [
        ("00:00:02.775", ["root:~# ls /usr/bin/sh"]),
        ("00:00:08.823", ["root:~# echo x"]),
    ], zsh
    bash = cues_of_file("bash_tab_tab.cast", SUBTITLES)
    assert bash[3:6] == [
        ("00:00:07.104", ["$ cat notes/"]),
        ("00:00:09.098", ["alpha.txt  beta.txt   delta.txt  gamma.txt"]),
        ("00:00:11.391", ["$ echo done"]),
    ], bash


def test_a_command_typed_ahead_is_told_once_from_its_first_key() -> None:
    """review-exports7 item 6: keys typed while `sleep` runs are echoed by the terminal
    under it, then bash draws them again after its prompt and runs them; the echo was told
    as output of `sleep`, then the command again (`echo ahead`, `$ echo ahead`). The
    player shows both rows; a listener needs the command once, from its first key, then
    its output (bash_typed_ahead.cast: two commands typed during `sleep 4`)."""
    found = cues_of_file("bash_typed_ahead.cast", SUBTITLES)
    assert found[:4] == [
        ("00:00:02.911", ["$ sleep 4"]),
        ("00:00:04.366", ["$ echo one"]),
        ("00:00:05.845", ["$ echo two"]),
        ("00:00:08.024", ["one", "two"]),
    ], found


def test_a_question_a_program_asks_is_told_when_it_is_asked() -> None:
    """review-exports7 item 8: `read -p "Your name? "` waits on screen; the question was
    taken for a prompt, so the line was timed from the answer's first key (a second after
    it was asked, until Enter 0.27 s later), and the command above it lasted until then.
    The player shows the question from when it is asked: told then, and the answer when
    it is typed (review-exports9 item 5: it was told with the question, before it was
    typed) (bash_question.cast: a question, then a `[y/N] ` one)."""
    found = cues_of_file("bash_question.cast", SUBTITLES)
    assert found[:6] == [
        ("00:00:02.739", ["$ bash ask.sh"]),
        ("00:00:04.592", ["Your name?"]),
        ("00:00:06.231", ["Ann"]),
        ("00:00:06.956", ["hello Ann", "Continue? [y/N]"]),
        ("00:00:08.601", ["y"]),
        ("00:00:09.041", ["answered y"]),
    ], found


def test_a_bare_prompt_is_no_line_at_the_end_nor_in_a_repl() -> None:
    """review-exports7 item 9: bare prompts were told: the one waiting at the end of a
    cast (`$`), Python's `... ` left with Enter to end a block, its `>>> ` drawn twice
    after an error. The player shows them; a listener hears nothing from them
    (python_repl.cast, and every recording here: no cue line is a prompt alone)."""
    told = lines(cues_of_file("python_repl.cast", SUBTITLES))
    assert told == [
        "$ python3 -q",
        "&gt;&gt;&gt; for i in range(2):",
        "...     print(i * 10)",
        "0",
        "10",
        "&gt;&gt;&gt; if True:",
        "... print(1)",
        '  File "&lt;stdin&gt;", line 2',
        "    print(1)",
        "    ^",
        "IndentationError: expected an indented block after 'if' statement on line 1",
        "&gt;&gt;&gt; exit()",
        "$ exit",
        "exit",
    ], told
    bare = {"$", "%", "#", "&gt;", "&gt;&gt;&gt;", "...", "root:~#", "root@vm ~#"}
    for cast in sorted(SUBTITLES.glob("*.cast")):
        assert not bare & set(lines(cues_of_file(cast.name, SUBTITLES))), cast.name


def test_narrowing_a_full_screen_repeats_no_line() -> None:
    """review-exports7 item 5: bash redraws its prompt after a resize (`\\r\\e[K\\r$ `), an
    erasure of a row of the new size, held against the lines of the old size before the
    next screen rewrapped them: the line the old row held was told again as erased (rs1:
    `cupshelpers` at the resize), out of order. The player rewraps the rows and shows
    nothing new (bash_resize.cast: 14 lines of 49 characters at 60x12, then 40x9)."""
    found = cues_of_file("bash_resize.cast", SUBTITLES)
    assert found[1] == (
        "00:00:12.329",
        [f"row {n:02d}: the quick brown fox jumps over it" for n in range(1, 15)],
    ), found
    assert [texts for _, texts in found[2:]] == [
        ["$ echo narrow"],
        ["narrow"],
        ["$ echo wide"],
        ["wide"],
        ["$ exit"],
        ["exit"],
    ], found


def test_a_repls_status_bar_under_its_waiting_prompt_is_not_output() -> None:
    """review-exports7 item 9: ptpython (prompt_toolkit) redraws its status bar on the
    bottom row with each prompt, the cursor back at `>>> `; the bar was told at the end
    of the cast (`[F4] Emacs 1/1 [F3] History ...`), read nowhere else. The player shows
    it under the prompt, the line editor's, like a menu (review7_ptp1.cast: ptpython on
    CPython 3.11.7; the keys as the cast echoes them: `import os`, `os.getcwd`, `6*7`,
    its exit question answered no, `xit`)."""
    told = lines(cues_of_file("review7_ptp1.cast", SUBTITLES))
    assert not [line for line in told if "[F4]" in line], told
    assert told[-3:] == [
        "Traceback (most recent call last):",
        '  File "&lt;stdin&gt;", line 1, in &lt;module&gt;',
        "NameError: name 'xit' is not defined",
    ], told


def test_a_panes_output_is_told_though_another_pane_showed_the_same_lines() -> None:
    """review-exports8 item 17: inside tmux, `seq 30` in the bottom-right pane, which tmux
    redraws with absolute moves, was never read: `21` ... `30` had been shown by `seq 40`
    in the left pane, and a line shown before anywhere was taken for one that moved up as
    its pane scrolled. The player shows them in the bottom pane: each pane's lines are
    its own (review8_tm1.cast, review-exports8's recording: `tmux -L inner -f /dev/null
    new-session`, `seq 40`, Ctrl-b %, `ls /usr`, Ctrl-b ", `echo bottom pane`, `seq 30`,
    then exit four times)."""
    told = lines(cues_of_file("review8_tm1.cast", SUBTITLES))
    at = told.index("root@vm:/tmp/r8/home# seq 30")
    assert told[at + 1 : at + 11] == [str(n) for n in range(21, 31)], told
    assert [n for n in told if n == "40"] == ["40"]  # (the left pane's, once)


def test_a_status_line_below_a_region_from_the_first_row_is_told_once() -> None:
    """review-exports8 item 16: apt keeps its progress line on the bottom row, below a
    scroll region from the first row (`ESC7 ESC[0;23r ESC8`), the lines scrolling above
    it, and erases it at the end. The subtitles moved every row up at each scroll, the
    progress line with them, and told it twice (again as it was erased, at 17.494 s).
    The player shows it on the bottom row until it is erased: told once, the lines above
    it each once (review8_apt2.cast, review-exports8's recording: bash 80x24, `seq 30`,
    `apt install --reinstall -y whiptail dialog`, `echo installed`, `exit`)."""
    told = lines(cues_of_file("review8_apt2.cast", SUBTITLES))
    assert [t for t in told if t.startswith("Progress")] == [  # (its first value, its last)
        "Progress: [ 11%] [######....................................................]",
        "Progress: [ 89%] [###################################################.......]",
    ], told
    assert told.count("Processing triggers for man-db (2.11.2-2) ...") == 1


def test_a_one_key_command_is_told_with_its_output() -> None:
    """review-exports8 item 12: pdb's one-letter commands (`n`, `s`, `l`) were cues of their
    own for 82-104 ms, from the key to the output; a caption that short flashes and a
    screen reader cuts it off. A command whose output comes within `COMMAND_SECONDS` of
    its first key is told with it (review8_pdb1.cast, review-exports8's recording:
    `python3 -m pdb prog.py`, `n`, `n`, `s`, `l`, `p v`, `c`, `q`); `(Pdb) ` is a prompt,
    not a question (the command from its key)."""
    found = cues_of_file("review8_pdb1.cast", SUBTITLES)
    short = [
        (start, texts)
        for (start, texts), (end, _) in itertools.pairwise(found)
        if float(end.split(":")[2]) - float(start.split(":")[2]) < 0.2
    ]
    assert short == [], found
    assert ("00:00:05.699", ["(Pdb) n", "&gt; /tmp/r8/home/prog.py(5)&lt;module&gt;()",
                             "-&gt; y = double(x)"]) in found  # fmt: skip


def test_a_clock_rewritten_on_a_command_row_is_not_the_command() -> None:
    """review-exports8 item 9: a prompt command writes a clock at the first row's right
    end at each prompt (`\\e[s\\e[1;71H[%s]\\e[u`); the first command, typed on that row,
    was told with the clock written 11 s later (`... echo one ... [23:43:44]`, where the
    player showed `[23:43:32]` then). The clock is the row's right prompt, as a nested
    shell's is: the command is told without it (review8_s2.cast, review-exports8's
    recording: bash with PROMPT_COMMAND's clock, `echo one`, `ls /usr`, a nested bash with
    a right-aligned clock prompt, `echo two`, `pwd`, exit, exit)."""
    found = cues_of_file("review8_s2.cast", SUBTITLES)
    assert found[0] == ("00:00:01.336", ["me@box:/tmp/r8/home# echo one"]), found
    assert not [t for t in lines(found) if t.endswith("]") and "#" in t], found


def test_a_command_a_pane_wraps_is_one_line() -> None:
    """review-exports8 item 18: in a 39-column tmux pane, a command typed past the pane's
    edge is wrapped by tmux itself (the pane scrolled, the rest on the row below: no
    terminal wrap), and was told twice and cut (`... ls /usr/share |`, then `... | h` /
    `ead -25`). The player shows it on two rows of the pane: one line, once, as a wrapped
    line is (review8_tm2.cast, review-exports8's recording: tmux, Ctrl-b %, in the right
    pane `seq 30`, `echo after-seq`, `ls /usr/share | head -25`)."""
    told = lines(cues_of_file("review8_tm2.cast", SUBTITLES))
    assert [t for t in told if "/usr/share" in t] == [
        "root@vm:/tmp/r8/home# ls /usr/share | head -25"
    ], told
    assert "ead -25" not in told


def test_a_history_entry_browsed_past_is_not_told() -> None:
    """review-exports8 item 10: in IPython, Up recalls `g(1, 2)`, Up again the `def g`
    block, Down twice back to an empty line, then `3` is typed and run. The cue
    `In [3]: 3` began at 16.29 s, when `g(1, 2)` was recalled; a line given up is now
    told as typed (review-exports7 item 10), but an entry recalled from the history,
    a command run before, says nothing new (nor the recalled block's lines the line editor
    drew under it, `   ...:     s = a + b`): the command run is told from its key,
    18.14 s (review8_ip2.cast, review-exports8's recording: a 3-line `def g`, `g(1, 2)`,
    Up, Up, Down, Down, `3`, Enter)."""
    found = cues_of_file("review8_ip2.cast", SUBTITLES)
    assert [t for t in lines(found) if t.startswith("In [3]")] == ["In [3]: 3"], found
    assert ("00:00:18.144", ["In [3]: 3"]) in found
    # (the recalled block's body, drawn 0.6 s under the prompt: the def's, told once)
    assert lines(found).count("   ...:     s = a + b") == 1, found


def test_a_two_line_prompts_first_line_is_told_once() -> None:
    """review-exports8 item 11: bash with `PS1='\\n\\w on  main took 2s\\n❯ '` draws a blank
    row, an information line and `❯ ` at each prompt; the information line was told after
    every command's output (`hi` / `... took 2s`, `bye` / `... took 2s`). It is the
    prompt's, drawn with it under a blank row: told the first time only
    (review8_ip2.cast, the same recording as item 10)."""
    told = lines(cues_of_file("review8_ip2.cast", SUBTITLES))
    assert told.count("/tmp/r8/home on  main took 2s") == 1, told
    assert told[:4] == [
        "/tmp/r8/home on  main took 2s",
        "❯ echo hi",
        "hi",
        "❯ ipython --no-banner --colors=Linux",
    ]


def test_a_line_read_then_rewritten_with_other_words_is_told_as_it_was() -> None:
    """review-exports8 item 14: three task lines printed `pending`, each rewritten in place
    (cursor up, `\\e[2K`) as `done (n.2s)` a second apart, as docker compose and buildkit
    do; the `pending` lines, on screen for a second or more (the list of what will run),
    were never read: a redraw of the same line was told as last drawn. A line read that
    long and then written over with other words is told as it was, then as it is
    (review8_tk1.cast, review-exports8's recording: `python3 tasks.py`, then gdb)."""
    told = lines(cues_of_file("review8_tk1.cast", SUBTITLES))
    at = told.index(" ⠋ pull image           pending")
    assert told[at : at + 7] == [
        " ⠋ pull image           pending",
        " ⠋ build layer          pending",
        " ⠋ start container      pending",
        " ✔ pull image           done (1.2s)",
        " ✔ build layer          done (2.2s)",
        " ✔ start container      done (3.2s)",
        "All tasks finished",
    ], told


def test_a_line_redrawn_with_the_same_words_is_told_from_when_it_appeared() -> None:
    """review-exports8 item 15: a braille spinner `⠋ Thinking...` rewritten with `\\r` for
    1.5 s was told for 0.1 s, from its last frame (4.683 s), and a countdown or a bar from
    its last state's time. The player shows the line from its first frame: a line redrawn
    in place with the same words (a spinner's frame, a count) is told from when it
    appeared (review8_st1.cast, review-exports8's recording: `python3 stream.py`, a
    spinner, a streamed answer, a `\\r` countdown). review-exports11 item 3: it was told
    with its last value from then (`Starting in 1...` while the player showed 3): its
    first value is told from when it appeared, then the value it settles on from its last
    redraw, as the player shows them."""
    found = cues_of_file("review8_st1.cast", SUBTITLES)
    assert ("00:00:03.252", ["⠋ Thinking..."]) in found, found
    assert ("00:00:04.683", ["⠼ Thinking..."]) in found, found
    assert ("00:00:08.059", ["Starting in 3..."]) in found, found
    assert ("00:00:09.459", ["Starting in 1..."]) in found, found


def test_a_line_redrawn_in_place_is_told_as_the_player_shows_it_over_time() -> None:
    """review-exports11 item 3: a `\\r` counter (`Progress 1/5` .. `5/5`, 0.5 s apart) and a
    pip-style truecolour bar (`0/64 kB` .. `64/64 kB`, 0.2 s apart) were told with their
    last value from when they first appeared; the player shows `Progress 1/5` from 13.69 s
    and `5/5` from 15.70 s, the bar at `0/64` from 20.05 s and `64/64` from 21.66 s
    (bash_progress.cast, recorded by scripts/record_subtitles_shells.py). The values
    between are not told."""
    found = cues_of_file("bash_progress.cast", SUBTITLES)
    told = [(time, texts) for time, texts in found if texts[0].startswith(("Progress", " "))]
    assert told == [
        ("00:00:13.689", ["Progress 1/5"]),
        ("00:00:15.704", ["Progress 5/5"]),
        ("00:00:20.054", ["   " + "━" * 32 + " 0/64 kB 1.2 MB/s"]),
        ("00:00:21.657", ["   " + "━" * 32 + " 64/64 kB 1.2 MB/s"]),
    ], found


def test_a_dialogs_question_and_buttons_are_told_with_its_name() -> None:
    """review-exports8 item 13: `whiptail --yesno "Delete all files?" 8 40` was told as
    `[whiptail]` alone; the question and its buttons, which the player shows the whole
    time, were never read. A dialog's screen is what it says: told after its name, without
    its frame (review8_wt1.cast, review-exports8's recording: watch, top, then whiptail,
    Tab, Enter)."""
    told = lines(cues_of_file("review8_wt1.cast", SUBTITLES))
    at = told.index("[whiptail]")
    assert told[at + 1 : at + 3] == ["Delete all files?", "&lt;Yes&gt; &lt;No&gt;"], told


LONG = "echo a long command typed while the window gets narrower right now ok"


def test_a_resize_while_typing_after_a_two_line_prompt_is_no_program() -> None:
    """review-exports10 item 1: zsh with a two-line prompt (and its PROMPT_SP row before
    each prompt) redraws the prompt and the command after a narrowing resize; the rows
    the player rewrapped were taken for a program painting the screen, and the rest of
    the cast was one `[full-screen program]` cue. The rewrapped rows were moved, not
    painted: the command is told once, with what was typed after the resize, from its
    first key, then its output and the next commands. zsh_two_line_resize.cast
    (`PROMPT=$'%~ on box\\n%# '`, `RPROMPT='[%T]'`, 70 columns narrowed to 45 while
    typing, widened to 90 at the prompt); review10_r26.cast (review-exports10's r26:
    zsh with `PROMPT=$'%F{blue}╭─%n@box %F{cyan}%~%f\\n%F{blue}╰─❯%f '` and
    `RPROMPT='%F{242}%*%f'`, asciinema 2.4 in a tmux pty; keys: `{LONG}` typed, the
    window resized 80x24 -> 60x20 after 0.3 s, ` and more`, Enter, `ls ~/proj`, Enter,
    `exit`, Enter)."""
    found = cues_of_file("zsh_two_line_resize.cast", SUBTITLES)
    told = lines(found)
    assert "[full-screen program]" not in told, found
    command = "# echo typing while the window narrows under this line and more"
    assert told.count(command) == 1, found
    assert ("00:00:02.638", [command]) in found, found
    # (the prompt's first line, drawn again after the widening, told the first time only)
    assert [texts for _, texts in found[-5:]] == [
        ["# ls notes"],
        ["alpha.txt  beta.txt  delta.txt  gamma.txt"],
        ["# echo wide"],
        ["wide"],
        ["# exit"],
    ], found
    found = cues_of_file("review10_r26.cast", SUBTITLES)  # (its prompt's first line: once)
    assert [texts for _, texts in found] == [
        ["╭─root@box ~"],
        [f"╰─❯ {LONG} and more"],
        [f"{LONG[5:]} and more"],
        ["╰─❯ ls ~/proj"],
        ["f.txt"],
        ["╰─❯ exit"],
    ], found


def test_a_command_line_rewrapped_by_a_resize_is_told_once_from_its_first_key() -> None:
    """review-exports10 item 2: a resize rewraps the command being typed (or the prompt
    waiting, its right prompt drawn again at the new edge); the player shows the same
    line. It was told twice (a widening: review10_r28.cast), or the next command from
    the resize with the clock's rest (review10_r29.cast), and fish's prompt redrawn
    after a widening made the command and its output told again (review10_r31.cast).
    Recorded by review-exports10 (asciinema 2.4 in a tmux pty), zsh as in
    review10_r26.cast; r28: `{LONG}` typed, resized 80x24 -> 100x30, ` and more`, Enter,
    `ls ~/proj`, Enter, `exit`, Enter; r29: `ls ~/proj`, Enter, resized to 60x20,
    `echo hi`, Enter, resized to 100x30, `echo there`, Enter, `exit`, Enter; r31: fish
    with a two-line prompt (`╭─root@box (prompt_pwd)` / `╰─❯ `, a right prompt
    `date +%H:%M:%S`), `{LONG}` typed, resized to 60x20, ` and more`, Enter,
    `ls ~/proj`, Enter, resized to 100x30, `echo there`, Enter, `exit`, Enter."""
    found = cues_of_file("review10_r28.cast", SUBTITLES)
    assert found[1] == ("00:00:02.023", [f"╰─❯ {LONG} and more"]), found
    assert lines(found).count(f"╰─❯ {LONG}") == 0, found
    found = cues_of_file("review10_r29.cast", SUBTITLES)
    assert found == [
        ("00:00:00.000", ["╭─root@box ~"]),
        ("00:00:02.017", ["╰─❯ ls ~/proj"]),
        ("00:00:02.640", ["f.txt"]),
        ("00:00:05.151", ["╰─❯ echo hi"]),
        ("00:00:05.626", ["hi"]),
        ("00:00:08.200", ["╰─❯ echo there"]),
        ("00:00:08.937", ["there"]),
        ("00:00:09.939", ["╰─❯ exit"]),
    ], found
    found = cues_of_file("review10_r31.cast", SUBTITLES)
    told = lines(found)
    assert told.count(f"╰─❯ {LONG} and more") == 1, found
    assert told.count(f"{LONG[5:]} and more") == 1, found
    assert told.count("╰─❯ ls ~/proj") == 1, found
    assert told.count("╭─root@box /t/r/home") == 1, found
    assert found[-3:] == [
        ("00:00:14.055", ["╰─❯ echo there"]),
        ("00:00:14.785", ["there"]),
        ("00:00:15.794", ["╰─❯ exit"]),
    ], found


def test_a_narrowing_that_rewraps_recent_lines_tells_each_once() -> None:
    """review-exports10 item 2: a narrowing resize rewraps the command and the lines it
    printed, and the player puts the first rows in its scrollback. A rewrapped row was
    matched to the same words in the command above it (`echo` of a line), so the
    command was never told and its output twice; the top row, the end of a line whose
    start went to the scrollback (`-Wall`), was told for that line. Each line is told
    once, whole, from when it appeared. bash_reflow.cast (70 columns narrowed to 45,
    then widened to 80); review10_h_reflow3.cast and review10_h_reflow5.cast
    (review-exports10's hand-made casts: an `echo` of 63 characters typed at 80
    columns, narrowed to 60; eight 63-character compiler lines 0.5 s apart, narrowed to
    60 after the fourth); review10_r38.cast (bash in a tmux pty, asciinema 2.4: the
    same `echo` sent at once, Enter, resized 80x24 -> 60x20, then -> 100x30,
    `echo there`, Enter, `exit`, Enter)."""
    output = "a long line of output that is just under eighty columns wide ok"
    found = cues_of_file("bash_reflow.cast", SUBTITLES)
    assert [texts for _, texts in found] == [
        ["$ echo one line of output that is long enough to wrap when narrowed"],
        ["one line of output that is long enough to wrap when narrowed"],
        ["$ printf '[%d/3] building a module with its flags -O2 -g -Wall\\n' 1 2 3"],
        [f"[{n}/3] building a module with its flags -O2 -g -Wall" for n in (1, 2, 3)],
        ["$ echo after"],
        ["after"],
        ["$ exit"],
        ["exit"],
    ], found
    found = cues_of_file("review10_h_reflow3.cast", SUBTITLES)
    assert found[:2] == [
        ("00:00:00.300", [f"$ echo {output}"]),
        ("00:00:01.500", [output]),
    ], found
    found = cues_of_file("review10_h_reflow5.cast", SUBTITLES)
    assert found[1:9] == [
        (f"00:00:0{i // 2 + 1}.{5 * (i % 2)}00", [line])
        for i, line in enumerate(
            f"[{n}/8] compiling module_0{n}.c with optimisation flags -O2 -g -Wall"
            for n in range(1, 9)
        )
    ], found
    found = cues_of_file("review10_r38.cast", SUBTITLES)
    assert found[0] == ("00:00:02.332", [f"me@box:~$ echo {output}", output]), found
    assert lines(found).count(output) == 1, found


def test_wrapped_output_without_a_newline_is_one_line_and_the_command_its_own() -> None:
    """review-exports10 item 3: output with no final newline that wraps (bash draws its
    prompt after its last row): its rest was told twice and the next command inside the
    output's cue, before it was typed. The output is one line, the command its own cue
    from its first key. bash_wrapped_no_newline.cast (`printf 'w%.0s' {1..55}` at 40
    columns, then `ls notes`); review10_h_wrap1.cast (review-exports10's hand-made
    cast: 50 `z` and `$ ` at 40 columns, `ls` typed at 3.0 s)."""
    found = cues_of_file("bash_wrapped_no_newline.cast", SUBTITLES)
    assert [texts for _, texts in found[1:3]] == [["w" * 55], ["$ ls notes"]], found
    assert found[2][0] == "00:00:07.305", found  # (its first key)
    found = cues_of_file("review10_h_wrap1.cast", SUBTITLES)
    assert found == [
        ("00:00:00.500", ["$ cmd"]),
        ("00:00:01.000", ["z" * 50]),
        ("00:00:03.000", ["$ ls"]),
        ("00:00:04.000", ["f.txt"]),
    ], found


def test_a_dialogs_answer_is_told_from_its_first_key() -> None:
    """review-exports10 item 4: a whiptail input box or a dialog checklist was told with
    its last screen from when it opened: the answer typed (`demo`), the box ticked
    (`[*] b Banana`), seconds before they were given; the player shows an empty field
    and `[ ] b Banana` until then. The box is told as it opened, what the answer
    changed from its first key. dialog_answers.cast (`whiptail --inputbox 'Project
    name?' 8 40`, `demo`, Enter); review10_r7.cast (review-exports10's r7, bash in a tmux
    pty, asciinema 2.4: `whiptail --inputbox 'Project name?' 8 40 && echo saved`, Enter,
    `demo` 2 s later, Enter; `dialog --checklist 'Pick' 10 40 3 a Apple on b Banana off
    c Cherry off`, Enter, Down and Space 2 s later, Enter)."""
    field = "_" * 36
    found = cues_of_file("dialog_answers.cast", SUBTITLES)
    assert found[1:3] == [
        ("00:00:08.920", ["[whiptail]", "Project name?", field, "&lt;Ok&gt; &lt;Cancel&gt;"]),
        ("00:00:10.557", ["demo" + field[4:]]),
    ], found
    found = cues_of_file("review10_r7.cast", SUBTITLES)
    at = next(i for i, (_, texts) in enumerate(found) if texts[:1] == ["[whiptail]"])
    assert found[at] == (
        "00:00:05.729",
        ["[whiptail]", "Project name?", field, "&lt;Ok&gt; &lt;Cancel&gt;"],
    ), found
    assert found[at + 1] == ("00:00:07.732", ["demo" + field[4:]]), found
    at = next(i for i, (_, texts) in enumerate(found) if texts[:1] == ["[dialog]"])
    assert found[at][0] == "00:00:14.101", found
    assert "[ ] b Banana" in found[at][1], found
    assert found[at + 1] == ("00:00:16.103", ["[*] b Banana"]), found


def test_a_program_whose_command_the_terminal_wrapped_is_named_by_it() -> None:
    """review-exports10 item 8: `(for p in 10 40 70 100; do echo $p; sleep 0.7; done) |
    dialog --gauge 'Copying files' 7 50 0` typed at 70 columns wraps inside `dialog`;
    the session was named from the row it wrapped onto, `[--gauge]`, and its title never
    told. It is named from the whole command, its box told (review10_r11.cast:
    review-exports10's r11, bash in a tmux pty, asciinema 2.4; that command typed,
    Enter)."""
    found = cues_of_file("review10_r11.cast", SUBTITLES)
    assert ("00:00:15.127", ["[dialog]", "Copying files", "10%"]) in found, found
    assert not [line for line in lines(found) if line.startswith("[-")], found


def test_a_screen_program_in_a_compound_command_is_named_and_its_box_told() -> None:
    """review-exports11 item 2: a dialog or a full-screen program that is not the last
    command of its line was named after the last (`[clear]`, `[wc]`, `[cat]`) or after a
    prefix (`[time]`, `[nice]`), and a dialog's box never told. review11_dlg.cast
    (review-exports11's dlg, bash in a real pty driven by tmux send-keys, asciinema 2.4:
    `dialog --menu 'Choose a mirror' 12 40 4 1 Europe 2 America 3 Asia 4 Oceania; clear`,
    Down, Down, Enter; `whiptail --passwordbox 'Enter passphrase' 8 40 3>&1 1>&2 2>&3 |
    wc -c`, `hunter2`, Enter; `dialog --inputbox 'Hostname?' 8 40 web01 2>/tmp/r11/h.out;
    cat /tmp/r11/h.out; echo`, two BSpace, `99`, Enter); review11_h_* are its hand-made
    casts (`$ `, the command typed, then a screen on 1049 for 2 s)."""
    found = cues_of_file("review11_dlg.cast", SUBTITLES)
    menu = ["Choose a mirror", "1 Europe", "2 America", "3 Asia", "4 Oceania"]
    assert ("00:00:07.595", ["[dialog]", *menu, "&lt; OK &gt; &lt;Cancel&gt;"]) in found, found
    field = "_" * 36
    box = ["[whiptail]", "Enter passphrase", field, "&lt;Ok&gt; &lt;Cancel&gt;"]
    assert ("00:00:15.885", box) in found, found
    assert ("00:00:17.391", ["*" * 7 + field[7:]]) in found, found  # (from its first key)
    box = ["[dialog]", "Hostname?", "web01", "&lt; OK &gt; &lt;Cancel&gt;"]
    assert ("00:00:24.955", box) in found, found
    assert not {"[clear]", "[wc]", "[cat]"} & set(lines(found)), found
    for name, program in (("n4", "vim"), ("n6", "top"), ("n22", "vim"), ("n24", "top")):
        told = lines(cues_of_file(f"review11_h_{name}.cast", SUBTITLES))
        assert f"[{program}]" in told, (name, told)


def test_a_dialog_in_a_substitution_an_if_or_under_a_box_left_is_named_and_its_box_told() -> None:
    """review-exports12 item 1: `x=$(whiptail --inputbox ... 3>&1 1>&2 2>&3)` was `[3]`
    (the assignment's word taken whole, the redirections' `&` read as a background job),
    `if dialog --yesno ...; then ...; fi` was `[fi]`, and `whiptail --msgbox ... && echo
    ok`, typed where the dialog before had left its box on the primary screen (the
    cursor's row holds old text), `[full-screen program]`; no box was told.
    review12_dlg2.cast (review-exports12's dlg2: `x=$(whiptail --inputbox 'Your name?' 8
    40 3>&1 1>&2 2>&3); echo "hi $x"`, Enter, `Ann`, Enter; `if dialog --yesno 'Deploy
    now?' 6 30; then echo yes; else echo no; fi`, Enter, Enter; `whiptail --msgbox 'All
    done' 8 30 && echo ok`, Enter, Enter; `exit`)."""
    found = cues_of_file("review12_dlg2.cast", SUBTITLES)
    field = "_" * 36
    box = ["[whiptail]", "Your name?", field, "&lt;Ok&gt; &lt;Cancel&gt;"]
    assert ("00:00:07.868", box) in found, found
    assert ("00:00:16.506", ["[dialog]", "Deploy now?", "&lt; Yes &gt; &lt; No &gt;"]) in found
    assert ("00:00:22.624", ["[whiptail]", "All done", "&lt;Ok&gt;"]) in found, found
    told = lines(found)
    assert not {"[3]", "[fi]", "[full-screen program]"} & set(told), told


@pytest.mark.parametrize(
    ("command", "program"),
    [
        ("x=$(whiptail --inputbox 'Q' 8 40 3>&1 1>&2 2>&3); echo \"$x\"", "whiptail"),
        ("x=`dialog --menu m 10 30 2 a A b B 2>&1 >/dev/tty`", "dialog"),
        ("if dialog --yesno 'Go?' 6 30; then echo yes; else echo no; fi", "dialog"),
        ("while true; do htop; done", "htop"),
        ("! vim notes.txt", "vim"),
        ("vim notes.txt &>/dev/null", "vim"),
        ("sleep 5 & top", "top"),
    ],
)
def test_the_program_of_a_compound_command(command: str, program: str) -> None:
    """review-exports12 item 1: reserved words, an assignment of a command substitution
    and redirections to a descriptor (`3>&1`, `&>`) do not hide the program run."""
    assert typed_program("$ " + command) == program


def test_commands_after_a_dialog_on_the_primary_screen_are_told_each_from_its_first_key() -> None:
    """review-exports11 item 1: dialog drawing its box on the normal screen ended in the
    screen where zsh drew its prompt and took the keys again, so the program was thought
    to run on: the commands typed after it were one cue, read before they were typed, the
    prompt's frame characters dropped and the right prompt (`✘ 1`) read. The shell's
    bracketed paste on again ends it. review11_z3.cast (review-exports11's z3, zsh in a
    real pty driven by tmux send-keys, asciinema 2.4, with
    `PROMPT=$'%F{green}┌[%n@box]─[%~]%f\\n%F{green}└╼%f $ '` and
    `RPROMPT='%(?..%F{red}✘ %?%f)'`: `false`, a resize to 60x24, a long echo, a resize
    to 60x14, `printf '%.0s-' {1..70}`, `dialog --yesno 'Continue?' 6 30`, Tab, Enter;
    `echo rc=$?`, `exit`)."""
    found = cues_of_file("review11_z3.cast", SUBTITLES)
    at = next(i for i, (_, texts) in enumerate(found) if texts[:1] == ["[dialog]"])
    assert found[at] == ("00:00:17.005", ["[dialog]", "Continue?", "&lt; Yes &gt; &lt; No &gt;"])
    assert found[at + 1 :] == [
        ("00:00:19.965", ["└╼ $ echo rc=$?"]),
        ("00:00:20.822", ["rc=1"]),
        ("00:00:21.825", ["└╼ $ exit"]),
    ], found


def test_a_screen_drawn_by_an_interpreter_is_named_by_its_script() -> None:
    """review-exports11 item 8: a curses menu run with `python3 menu.py` and a node
    dashboard on the alternate screen (`node dash.js`) were `[python3]` and `[node]`; the
    script says which program it is (interpreter_screens.cast, recorded by
    scripts/record_subtitles_shells.py). A REPL or `-c` keeps the interpreter's name."""
    told = lines(cues_of_file("interpreter_screens.cast", SUBTITLES))
    assert told == [
        "$ python3 menu.py",
        "[menu.py]",
        "chose Network",
        "$ node dash.js",
        "[dash.js]",
        "dashboard closed",
        "$ exit",
        "exit",
    ], told
    assert [session_name("", typed) for typed in SCRIPTS] == list(SCRIPTS.values())


SCRIPTS = {
    "python3 -u ./tools/menu.py --fast": "menu.py",
    "python3 -m rich.progress": "rich.progress",
    "sudo python3.11 -X dev app.py": "app.py",
    "perl -w top.pl": "top.pl",
    "ruby tui.rb": "tui.rb",
    "python3 -q": "python3",
    "python3 -c 'import curses'": "python3",
    "node": "node",
}


def test_a_multiplexers_status_line_is_never_told() -> None:
    """review-exports11 item 7: GNU screen's `hardstatus alwayslastline` was read as a cue
    at each window switch (`[ vm ][ 0 sh  1*sh ][ 12-06  8:10 ]`), where tmux's status
    bar never was: one rule for both, the bottom row drawn with the session's first
    screen while the cursor is elsewhere (screen_hardstatus.cast, recorded by
    scripts/record_subtitles_shells.py: two windows, Ctrl-A c, Ctrl-A n twice)."""
    told = lines(cues_of_file("screen_hardstatus.cast", SUBTITLES))
    assert told == [
        "$ screen -c screenrc",
        "$ echo first window",
        "first window",
        "$ echo second window",
        "second window",
        "$ exit",
        "$ exit",
        "[screen is terminating]",
        "$ exit",
        "exit",
    ], told


def test_a_two_line_prompts_first_line_is_told_as_the_shell_starts_not_after_output() -> None:
    """review-exports11 item 5: the first line of a two-line prompt was read as a cue
    after every command's output (fish's `~`). review-exports13 item 14: it says who and
    where the session is, so it is told once as the shell starts (zsh `┌[root@box]─[~]`,
    bash `╭─ root@box ~`, on the top row; review-exports11 had it never told), not again
    while it stays the same. zsh_box_prompt.cast, fish_box_prompt.cast, bash_two_line.cast
    (scripts/record_subtitles_shells.py: zsh and fish with the configs there; bash with
    `PS1` set to two lines, its first line under that command's echo told once, not after
    the next output); review11_b3.cast (review-exports11's b3: bash with `PS1='╭─
    \\u@box \\w\\n╰─λ '` from its rc file; keys in /tmp/r11/s_b3.steps: `cargo new ... &&
    cargo build`, a rich `track` bar, a long echo narrowed to 56x24, `exit`)."""
    zsh = lines(cues_of_file("zsh_box_prompt.cast", SUBTITLES))
    assert [t for t in zsh if "root@box" in t] == ["┌[root@box]─[~]"], zsh
    assert zsh[:2] == ["┌[root@box]─[~]", "└╼ $ false"], zsh
    fish = lines(cues_of_file("fish_box_prompt.cast", SUBTITLES))
    assert fish.count("~") == 1, fish  # (under the greeting: not known yet as a prompt's)
    assert "~" not in fish[fish.index("one two four") :], fish
    bash = lines(cues_of_file("bash_two_line.cast", SUBTITLES))
    assert bash.count("+- root@box ~") == 1, bash
    assert bash[-3:] == ["this command is typed then the window narrows", "+&gt; exit", "exit"]
    b3 = lines(cues_of_file("review11_b3.cast", SUBTITLES))
    assert [t for t in b3 if "╭─" in t] == ["╭─ root@box ~"], b3
    assert b3.index("╭─ root@box ~") == 0, b3


def test_fish_output_without_a_newline_is_apart_from_the_next_command() -> None:
    """review-exports11 item 6: fish marks output without a final newline with `⏎` and
    blanks past the right edge, then draws its prompt over the row they wrapped onto; with
    a prompt of its own (`~ ❯`) the output, the blanks and the next command were one cue,
    from 1-3 s before the command was typed. The mark ends the line, as zsh's `%` does:
    the output is told, then the command from its first key (review11_f2.cast,
    review-exports11's f2: fish 3.6; keys: `git stat` Ctrl-C, `echo second try`, `printf
    'no newline at end of this output'`, `sleep 1; echo slept`, a narrowing to 60x24,
    `exit`)."""
    found = cues_of_file("review11_f2.cast", SUBTITLES)
    # (the mark itself is not told: review-exports15 item 12)
    at = [texts for _, texts in found].index(["no newline at end of this output"])
    assert found[at][0] == "00:00:10.337", found
    time, texts = found[at + 1]
    # (the blanks the narrowing rewrapped in front of it are the player's too)
    assert (time, [t.strip() for t in texts]) == ("00:00:11.348", ["~ ❯ sleep 1; echo slept"])


def test_a_narrowing_at_an_idle_prompt_tells_no_line_again() -> None:
    """review-exports11 item 4: zsh with a two-line prompt, narrowed at the idle prompt
    after `false`: zsh draws its prompt again and the player's top row becomes the
    command; `└╼ $ false` was told twice (the row after it, the next prompt's first line,
    was taken for the shell's redraw of the old one above it). zsh_box_prompt.cast (70 ->
    60 columns at 5.0 s) and review11_z3.cast (review-exports11's z3: 80 -> 60 at 3.17 s)."""
    for name in ("zsh_box_prompt.cast", "review11_z3.cast"):
        told = lines(cues_of_file(name, SUBTITLES))
        assert told.count("└╼ $ false") == 1, told


def test_a_command_narrowed_before_enter_is_told_once() -> None:
    """review-exports11 item 4: a command typed at full width, the window narrowed before
    Enter: the player rewraps it and bash draws it again from the row the rewrap put the
    cursor on, so its start stays above, cut at the new width; it was told cut, then
    whole. Told once, whole, from its first key. bash_two_line.cast (70 -> 40 columns)
    and review11_b2.cast (review-exports11's b2: 80 -> 50 columns at 33.22 s; keys in
    /tmp/r11/s_b2.steps)."""
    bash = cues_of_file("bash_two_line.cast", SUBTITLES)
    command = "+&gt; echo this command is typed then the window narrows"
    assert [cue for cue in bash if "typed then" in cue[1][0]][:1] == [("00:00:07.681", [command])]
    assert lines(bash).count(command) == 1, bash
    b2 = cues_of_file("review11_b2.cast", SUBTITLES)
    told = [cue for cue in b2 if cue[1][0].startswith("me@box:~# echo this command")]
    assert told == [
        (
            "00:00:27.509",
            ["me@box:~# echo this command is typed then the window narrows mid-way through it"],
        )
    ], b2


def test_a_prompts_first_line_drawn_with_a_saved_cursor_or_after_a_newline_is_no_output() -> None:
    """review-exports12 item 3: bash two-line prompts from the rc file, the first line
    drawn with ESC 7 / ESC 8 (`PS1='\\[\\e7\\]+- \\u@box \\w\\[\\e8\\]\\n+> '`) or after a
    leading `\\n` (`PS1='\\n+- \\u@box \\w\\n+> '`): after `cd notes` the first line
    (`+- root@box ~/notes`) was told as output, under the `cd` and again under `ls`'s
    output. It is the prompt's: told as the shell starts (on the top row or under the blank
    row of the `\\n`) and, as review-exports13 item 14 asks (the directory is news to a
    listener), again once its directory changed, before the next command, as its own cue,
    never as output nor again after `clear`. bash_prompt_saved.cast,
    bash_prompt_newline.cast (scripts/record_subtitles_shells.py). Not when only a clock
    in it moved (review12_dlg2.cast: `~ on  main 🐍 ... ⏱ 09:24:05`)."""
    commands = ["+- root@box ~", "+&gt; echo one", "one", "+&gt; cd notes"]
    listing = ["+- root@box ~/notes", "+&gt; ls", "alpha.txt  beta.txt  delta.txt  gamma.txt"]
    rest = [*commands, *listing, "+&gt; clear", "+&gt; seq 2", "1", "2", "+&gt; exit", "exit"]
    saved = cues_of_file("bash_prompt_saved.cast", SUBTITLES)
    assert lines(saved) == rest, saved
    assert ("00:00:06.779", ["+- root@box ~/notes"]) in saved, saved  # (drawn after `cd`)
    newline = cues_of_file("bash_prompt_newline.cast", SUBTITLES)
    assert lines(newline) == rest, newline
    assert ("00:00:06.833", ["+- root@box ~/notes"]) in newline, newline
    dlg2 = lines(cues_of_file("review12_dlg2.cast", SUBTITLES))
    assert not [t for t in dlg2 if t.startswith("~ on ") and t.endswith("⏱ 09:24:05")], dlg2


def test_a_full_screen_program_without_the_alternate_screen_or_keypad_mode_is_one_cue() -> None:
    """review-exports12 item 2: `TERM=vt220 htop` (vt220's terminfo has no alternate
    screen and htop asks for no keypad mode) was told as screen dumps, each refresh's rows
    a cue. It draws as a full-screen program does, putting the cursor on most rows by
    their number (`\\e[2;5H`...; a shell moves it by relative moves): one cue, `[htop]`,
    named by the command typed, until the shell's prompt waits again; its last screen,
    left on the primary one, is not told. `TERM=vt100 vim` (keypad mode on) stays
    `[vim]`. no_alternate_screen.cast (scripts/record_subtitles_shells.py)."""
    found = cues_of_file("no_alternate_screen.cast", SUBTITLES)
    told = lines(found)
    assert told[:6] == [
        "$ echo before",
        "before",
        "$ TERM=vt220 htop",
        "[htop]",
        "$ TERM=vt100 vim notes/alpha.txt",
        "[vim]",
    ], told
    assert ("00:00:08.538", ["[htop]"]) in found, found
    assert not [t for t in told if "Load average" in t or "F1Help" in t], told
    assert told[-4:] == ["$ echo after", "after", "$ exit", "exit"], told


def test_fishs_missing_newline_mark_erased_at_once_is_no_cue() -> None:
    """review-exports12 item 6: fish draws `⏎` and blanks to the right edge after every
    command, then `\\r⏎ \\r\\e[K` erases them when the output ended with a newline. When the
    pty hands the two writes over apart (a loaded machine: a screen shows the mark for 60
    ms), `⏎` was a cue of its own. A line erased at the cursor under `MERGE_SECONDS`
    after it was shown is nobody's to read: no cue, as one never shown; the output without
    a newline (`b`, `no-newline`) is told, without the mark the player keeps after it
    (review-exports15 item 12: the mark is no text the program wrote).
    hand12_fish_mark.cast: fish_no_newline.cast (fish 3.6, asciinema 2.4) with each
    mark's erasure handed over 60 ms after the mark; bash_reverse_search.cast's spinner
    frame shown for 74 ms before its erasure is no cue either."""
    found = cues_of_file("hand12_fish_mark.cast", SUBTITLES)
    told = lines(found)
    assert "⏎" not in told, found
    assert not [t for t in told if "⏎" in t], found
    assert {"b", "no-newline"} <= set(told), found
    assert told == lines(cues_of_file("fish_no_newline.cast", SUBTITLES)), found
    spinner = lines(cues_of_file("bash_reverse_search.cast", SUBTITLES))
    assert [t for t in spinner if "Resolving" in t] == ["⠙ Resolving dependencies..."], spinner


def test_a_dialogs_box_left_on_the_screen_is_not_told_with_later_lines() -> None:
    """review-exports12 item 5: dialog draws its box on the primary screen and leaves it
    there; lines written later on those rows were told with the box's pieces (`$ echo
    after         [ ] b  Bananas           │ │`, `exit     │ └───…┘ │`), and a prompt's
    first line written over a box's bottom (`~ on  main 🐍   └───…┘   ⏱ 09:24:19`) was
    output. The player shows both, but only what the cursor wrote is new: a character
    still where the program left it (the same, in its cell) is no part of a later line;
    --text keeps them (the player's screen). dialog_boxes.cast, dialog_answers.cast
    (scripts/record_subtitles_shells.py), review12_dlg2.cast (review-exports12's dlg2)."""
    boxes = lines(cues_of_file("dialog_boxes.cast", SUBTITLES))
    told = boxes[boxes.index("$ echo after") :]
    assert told == ["$ echo after", "after", "$ exit", "exit"], boxes
    assert [t for t in boxes if t.startswith("$ dialog --checklist")] == [
        "$ dialog --checklist 'Pick fruit' 11 40 3 a Apples on b Bananas off c Cherries off"
    ], boxes
    answers = lines(cues_of_file("dialog_answers.cast", SUBTITLES))
    assert answers[-2:] == ["$ exit", "exit"], answers
    dlg2 = cues_of_file("review12_dlg2.cast", SUBTITLES)
    assert dlg2[-3:] == [
        ("00:00:24.128", ["ok"]),
        ("00:00:25.331", ["❯ exit"]),
        ("00:00:25.604", ["exit"]),
    ], dlg2
    with open_cast(str(SUBTITLES / "dialog_boxes.cast")) as reader:
        text = render_text(Timeline(reader.header, reader.events()))
    assert "$ echo after         [ ] b  Bananas           │ │" in text.splitlines()


def test_a_fish_command_narrowed_before_enter_is_told_once_whole() -> None:
    """review-exports12 item 1: fish narrowed before Enter redraws the command from the
    row it had drawn it from as it believes (`\\e[A` for the one row it went up), but
    the player rewrapped it at the new width, so the redraw starts inside it: the cut
    start stays above, the command whole under it, on one line of the terminal; the
    widening after it joins them in a row, and the command was told as its last piece
    (`arrows`). Told once, whole, from its first key. hand12_fish_narrowed.cast:
    fish_resize.cast (fish 3.6, asciinema 2.4) narrowed to 25 columns, not 40, its
    redraw's cursor move for that width, and Enter pressed without the ` ok` typed."""
    found = cues_of_file("hand12_fish_narrowed.cast", SUBTITLES)
    command = "root@vm ~# echo a line typed in fish while the window narrows"
    assert found[1:3] == [
        ("00:00:02.710", [command]),
        ("00:00:11.986", ["a line typed in fish while the window narrows"]),
    ], found
    assert lines(found).count(command) == 1, found


def test_a_regions_caption_under_a_split_is_no_line() -> None:
    """review-exports12 item 4: GNU screen with `caption always` draws each region's
    caption under it (in standout, `  0 sh` and blanks to the region's right edge:
    display.c's RefreshLine at v.4.9.1), mid-screen once the window is split (Ctrl-A S);
    only the bottom row was known as a status line, so each caption (`0 sh`, `--`,
    `1 sh`) was told as output when drawn. A bar across the screen on a background not
    the terminal's is a status line wherever it stands. hand12_screen_split.cast:
    screen_hardstatus.cast's start (GNU screen 4.9, asciinema 2.4), then a caption, a
    split, a window in the region below, written as RefreshLine draws them."""
    told = lines(cues_of_file("hand12_screen_split.cast", SUBTITLES))
    assert told == [
        "$ screen -c screenrc",
        "$ echo first window",
        "first window",
        "$ echo second window",
        "second window",
        "$ exit",
        "$ exit",
        "[screen is terminating]",
        "$ exit",
        "exit",
    ], told


def test_lines_a_narrowing_pushes_into_the_scrollback_are_each_told_once() -> None:
    """review-exports12 item 1, with a full screen: the narrowing rewraps the lines and
    pushes the first into the player's scrollback, then fish's redraw scrolls the screen
    in the same read; that scroll was held against the old size's rows, its row (the
    rewrapped screen's top, `greeting line 5`) against the old top (`greeting line 1`):
    `greeting line 1` was never told, `greeting line 5` told twice. A scroll after a
    resize before the next screen is left to that screen's rewrap, as an erasure is.
    The welcome line, its first row scrolled away by the command's output and its rest
    on the top row, was told as its first row (`Welcome to fish, the frie`): the rest
    joins it before a rewrap, which brings the start back from the scrollback.
    hand12_fish_narrowed_full.cast: hand12_fish_narrowed.cast with seven greeting lines
    printed before fish's (its first event), so the prompt is on the bottom rows."""
    told = lines(cues_of_file("hand12_fish_narrowed_full.cast", SUBTITLES))
    greeting = [t for t in told if t.startswith("greeting line")]
    assert greeting == [f"greeting line {n}" for n in range(1, 8)], told
    command = "root@vm ~# echo a line typed in fish while the window narrows"
    assert told.count(command) == 1, told
    assert [t for t in told if t.startswith("Welcome")] == [
        "Welcome to fish, the friendly interactive shell"
    ], told
