"""Record tests/data/subtitles/{name}.cast: real shells and REPLs (zsh with `menu select`,
fish, bash, node, python) in a pseudo-terminal, recorded by asciinema 2.4.0 (as
scripts/record_subtitles_clear.py does), each typed with the keys listed in SESSIONS
below (one key every 0.09 s, a pause after each step) for the subtitles' tests
(tests/test_vtt_shells.py).

    python scripts/record_subtitles_shells.py [NAME ...]
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path

import pexpect

OUT = Path(__file__).resolve().parent.parent / "tests" / "data" / "subtitles"
KEY_SECONDS = 0.09
TAB, ENTER, DOWN, CTRL_U, CTRL_B, CTRL_A = "\t", "\r", "\x1b[B", "\x15", "\x02", "\x01"
UP, LEFT = "\x1b[A", "\x1b[D"
ZSHRC = """PROMPT='%n:%~%# '
RPROMPT='[%T]'
autoload -U compinit; compinit -u
zstyle ':completion:*' menu select
"""
# (shell, rows, columns, steps): each step is keys typed (or `<resize ROWSxCOLUMNS>`),
# then a pause in seconds.
SESSIONS: dict[str, tuple[str, int, int, list[tuple[str, float]]]] = {
    # zsh's `menu select`: Tab lists, Tab again selects in the menu under the prompt (the
    # cursor moves into it), Down moves the selection, Enter takes it, Enter runs. At the
    # bottom of a 12-row screen (the menu scrolls it), then at the top after `clear`.
    "zsh_menu_select": (
        "zsh -i",
        12,
        60,
        [
            ("seq 8", 0.3), (ENTER, 0.8),
            ("cat notes/", 0.3), (TAB, 1.0), (TAB, 1.0), (DOWN, 1.0), (ENTER, 0.8),
            (ENTER, 1.0),
            ("clear", 0.2), (ENTER, 0.8),
            ("ls -d /usr/", 0.3), (TAB, 1.0), (TAB, 1.0), (TAB, 1.0), (ENTER, 0.8),
            (ENTER, 1.0),
            ("echo after menus", 0.2), (ENTER, 1.0),
            ("exit", 0.2), (ENTER, 0.5),
        ],
    ),
    # Output without a final newline: fish marks it with `⏎` and blanks past the right
    # edge, then erases the row they wrapped onto for its prompt; bash draws its prompt
    # after it on its row.
    "fish_no_newline": (
        "fish",
        10,
        60,
        [
            ('printf "a\\nb"', 0.3), (ENTER, 1.0),
            ("echo ok", 0.3), (ENTER, 1.0),
            ("printf no-newline", 0.3), (ENTER, 1.0),
            ("exit", 0.3), (ENTER, 0.5),
        ],
    ),
    "bash_no_newline": (
        "bash --norc --noprofile -i",
        10,
        60,
        [
            ("printf abc", 0.3), (ENTER, 1.0),
            ("echo x", 0.3), (ENTER, 1.0),
            ("exit", 0.3), (ENTER, 0.5),
        ],
    ),
    # Completion lists drawn under the line, then the line drawn again under them, and
    # lines given up (Ctrl-U) before another command is typed.
    "bash_tab_tab": (
        "bash --norc --noprofile -i",
        12,
        60,
        [
            ("ls -d /usr/l", 0.3), (TAB, 0.1), (TAB, 1.0), (TAB, 1.0), ("ib", 0.3),
            (ENTER, 1.0),
            ("cat notes/", 0.3), (TAB, 0.1), (TAB, 1.0), (CTRL_U, 1.0),
            ("echo done", 0.3), (ENTER, 1.0),
            ("exit", 0.3), (ENTER, 0.5),
        ],
    ),
    "node_tab": (
        "node",
        12,
        60,
        [
            ("1+2", 0.3), (ENTER, 1.0),
            ("Math.a", 0.3), (TAB, 0.1), (TAB, 1.5), (CTRL_U, 1.0),
            ("Math.hypo", 0.3), (TAB, 0.1), (TAB, 1.5), (CTRL_U, 1.0),
            ("[3,4].length", 0.3), (ENTER, 1.0),
            (".exit", 0.3), (ENTER, 0.5),
        ],
    ),
    "fish_abandoned": (
        "fish",
        12,
        60,
        [
            ("echo notes/alpha.txt", 0.3), (ENTER, 1.0),
            ("cat notes/", 0.3), (TAB, 1.5), (CTRL_U, 1.0),
            ("echo kept", 0.3), (ENTER, 1.0),
            ("echo no", 1.0), (CTRL_U, 1.0),
            ("exit", 0.3), (ENTER, 0.5),
        ],
    ),
    "zsh_abandoned": (
        "zsh -i",
        12,
        60,
        [
            ("ls /usr/", 0.3), (TAB, 1.0), ("bin/sh", 0.3), (TAB, 1.0), (CTRL_U, 1.0),
            ("echo x", 0.3), (ENTER, 1.0),
            ("exit", 0.3), (ENTER, 0.5),
        ],
    ),
    # Keys typed while a command runs: the terminal echoes them under it, then the shell
    # draws them again after its prompt and runs them.
    "bash_typed_ahead": (
        "bash --norc --noprofile -i",
        12,
        60,
        [
            ("sleep 4", 0.1), (ENTER, 0.2), ("echo one", 0.1), (ENTER, 0.1),
            ("echo two", 0.1), (ENTER, 3.5),
            ("exit", 0.3), (ENTER, 0.5),
        ],
    ),
    # A command's first keys typed before the prompt is drawn (review-exports13 item 5):
    # echoed by the terminal while `sleep` runs, then drawn again by bash after its
    # prompt on the same row, the rest typed after it; one runs a pager.
    "bash_typed_before_prompt": (
        "bash --norc --noprofile -i",
        12,
        60,
        [
            ("sleep 2", 0.1), (ENTER, 0.3), ("ls", 2.5), (" -a notes", 0.3), (ENTER, 1.0),
            ("sleep 2", 0.1), (ENTER, 0.3), ("les", 2.5), ("s notes/beta.txt", 0.3),
            (ENTER, 1.5), ("q", 1.0),
            ("exit", 0.3), (ENTER, 0.5),
        ],
    ),
    # Keys typed in front of text left after the cursor (review-exports13 item 10): a
    # command recalled (Up), the cursor moved left into it, the line before the cursor
    # cut (Ctrl-U), a command typed in front of the rest and given up (Ctrl-U), another
    # typed and run with the rest.
    "bash_typed_in_front": (
        "bash --norc --noprofile -i",
        12,
        60,
        [
            ("echo first-command ok", 0.3), (ENTER, 1.0),
            (UP, 0.5), (LEFT * 16, 0.5), (CTRL_U, 0.8),
            ("ls notes/ ", 0.5), (CTRL_U, 0.8),
            ("echo typed ", 0.5), (ENTER, 1.0),
            ("exit", 0.3), (ENTER, 0.5),
        ],
    ),
    # A program's questions answered (bash's `read -p`: ask.sh below).
    "bash_question": (
        "bash --norc --noprofile -i",
        12,
        60,
        [
            ("bash ask.sh", 0.3), (ENTER, 1.5), ("Ann", 0.3), (ENTER, 1.5), ("y", 0.3),
            (ENTER, 1.0),
            ("exit", 0.3), (ENTER, 0.5),
        ],
    ),
    # Python's REPL: a block ended with Enter at `... `, an error, the shell after it.
    "python_repl": (
        "bash --norc --noprofile -i",
        12,
        60,
        [
            ("python3 -q", 0.3), (ENTER, 1.5),
            ("for i in range(2):", 0.3), (ENTER, 0.5), ("    print(i * 10)", 0.3),
            (ENTER, 0.5), (ENTER, 1.0),
            ("if True:", 0.3), (ENTER, 0.5), ("print(1)", 0.3), (ENTER, 1.0),
            ("exit()", 0.3), (ENTER, 1.0),
            ("exit", 0.3), (ENTER, 0.5),
        ],
    ),
    # The window narrowed and shortened under a full screen of lines (the shell redraws
    # its prompt for the width), then widened.
    "bash_resize": (
        "bash --norc --noprofile -i",
        12,
        60,
        [
            ("printf 'row %02d: the quick brown fox jumps over it\\n' $(seq 14)", 0.3),
            (ENTER, 1.0),
            ("<resize 9x40>", 1.0),
            ("echo narrow", 0.3), (ENTER, 1.0),
            ("<resize 12x70>", 1.0),
            ("echo wide", 0.3), (ENTER, 1.0),
            ("exit", 0.3), (ENTER, 0.5),
        ],
    ),
    # top (no mouse, no alternate screen of its own to see: tmux's is the terminal's) in
    # the right pane of a tmux split, refreshing each second while a command is typed
    # in the left pane; then q, exit in both panes and in the shell.
    "tmux_top": (
        "bash --norc --noprofile -i",
        16,
        90,
        [
            ("tmux -L vttrec -f /dev/null new", 0.3), (ENTER, 1.5),
            (CTRL_B + "%", 1.0),
            ("top -d 1", 0.3), (ENTER, 3.5),
            (CTRL_B + "o", 0.8),
            ("echo left pane", 0.3), (ENTER, 2.5),
            (CTRL_B + "o", 0.8),
            ("q", 1.0),
            ("exit", 0.3), (ENTER, 1.0),
            ("exit", 0.3), (ENTER, 1.5),
            ("exit", 0.3), (ENTER, 0.5),
        ],
    ),
    # Full-screen programs in a pane (review-exports13 items 1 and 12): vim -u NONE (no
    # mouse taken, its rows written once) in the right pane of a vertical split, and htop
    # (its process tree drawn with `├─`) in the lower pane of a horizontal one, each with
    # a command typed in the other pane while it runs.
    "tmux_vim_pane": (
        "bash --norc --noprofile -i",
        16,
        90,
        [
            ("tmux -L vttrec -f /dev/null new", 0.3), (ENTER, 1.5),
            ("echo left pane", 0.3), (ENTER, 0.8),
            (CTRL_B + "%", 1.0),
            ("vim -u NONE notes/alpha.txt", 0.3), (ENTER, 1.5),
            ("A edited", 0.3), ("\x1b", 0.8),
            (CTRL_B + "o", 0.8),
            ("echo typed beside vim", 0.3), (ENTER, 1.0),
            (CTRL_B + "o", 0.8),
            (":q!", 0.3), (ENTER, 1.0),
            ("exit", 0.3), (ENTER, 1.0),
            ("exit", 0.3), (ENTER, 1.5),
            ("exit", 0.3), (ENTER, 0.5),
        ],
    ),
    "tmux_htop_below": (
        "bash --norc --noprofile -i",
        24,
        90,
        [
            ("tmux -L vttrec -f /dev/null new", 0.3), (ENTER, 1.5),
            (CTRL_B + '"', 1.0),
            ("htop -d 5", 0.3), (ENTER, 3.0),
            (CTRL_B + "o", 0.8),
            ("echo typed above htop", 0.3), (ENTER, 2.0),
            (CTRL_B + "o", 0.8),
            ("q", 1.0),
            ("exit", 0.3), (ENTER, 1.0),
            ("exit", 0.3), (ENTER, 1.5),
            ("exit", 0.3), (ENTER, 0.5),
        ],
    ),
    # A transient prompt of another shape (transient.zsh): three rows (a blank one, the
    # directory, `%# `) that zle-line-finish collapses to `> ` on Enter, the command
    # drawn again two rows up.
    "zsh_transient": (
        "env ZDOTDIR=\"$HOME/transient\" zsh -i",
        12,
        60,
        [
            ("echo first", 0.3), (ENTER, 1.0),
            ("seq 3", 0.3), (ENTER, 1.0),
            ("echo last", 0.3), (ENTER, 1.0),
            ("exit", 0.3), (ENTER, 0.5),
        ],
    ),
    # dialog leaves the alternate screen at once and draws its box on the primary one,
    # erased as it exits: a yes/no question (Enter takes Yes), then a checklist (Down,
    # Space ticks the second item, Enter).
    "dialog_boxes": (
        "bash --norc --noprofile -i",
        16,
        60,
        [
            ("echo before", 0.3), (ENTER, 1.0),
            ("dialog --yesno 'Remove the cache?' 7 40", 0.3), (ENTER, 1.5),
            (ENTER, 1.0),
            ("dialog --checklist 'Pick fruit' 11 40 3 a Apples on b Bananas off c Cherries off",
             0.3),
            (ENTER, 1.5), (DOWN, 0.5), (" ", 0.5), (ENTER, 1.0),
            ("echo after", 0.3), (ENTER, 1.0),
            ("exit", 0.3), (ENTER, 0.5),
        ],
    ),
    # review-exports10 items 1-2: the window narrowed while a command is typed after a
    # two-line prompt with a right prompt (zsh draws its PROMPT_SP row before each
    # prompt), then widened at the prompt; the same in fish; output without a final
    # newline that wraps, then a command typed after the prompt drawn on its last row.
    "zsh_two_line_resize": (
        "env ZDOTDIR=\"$HOME/twoline\" zsh -i",
        12,
        70,
        [
            ("echo typing while the window narrows under this line", 0.3),
            ("<resize 10x45>", 1.0),
            (" and more", 0.3), (ENTER, 1.0),
            ("ls notes", 0.3), (ENTER, 1.0),
            ("<resize 14x90>", 1.0),
            ("echo wide", 0.3), (ENTER, 1.0),
            ("exit", 0.3), (ENTER, 0.5),
        ],
    ),
    "fish_resize": (
        "fish",
        12,
        60,
        [
            ("echo a line typed in fish while the window narrows", 0.3),
            ("<resize 10x40>", 1.0),
            (" ok", 0.3), (ENTER, 1.0),
            ("<resize 12x80>", 1.0),
            ("echo wide", 0.3), (ENTER, 1.0),
            ("exit", 0.3), (ENTER, 0.5),
        ],
    ),
    # A narrowing that rewraps the command and the lines it printed (the player puts the
    # first rows in its scrollback), then a widening that brings them back.
    "bash_reflow": (
        "bash --norc --noprofile -i",
        10,
        70,
        [
            ("echo one line of output that is long enough to wrap when narrowed", 0.3),
            (ENTER, 1.0),
            ("printf '[%d/3] building a module with its flags -O2 -g -Wall\\n' 1 2 3", 0.3),
            (ENTER, 1.0),
            ("<resize 10x45>", 1.0),
            ("echo after", 0.3), (ENTER, 1.0),
            ("<resize 10x80>", 1.0),
            ("exit", 0.3), (ENTER, 0.5),
        ],
    ),
    # review-exports10 item 4: a dialog's answer, told from its first key: a whiptail
    # input box (on the alternate screen) answered, then a dialog checklist (Down, Space
    # ticks the second item, Enter).
    "dialog_answers": (
        "bash --norc --noprofile -i",
        16,
        80,
        [
            ("whiptail --inputbox 'Project name?' 8 40", 0.3), (ENTER, 1.5),
            ("demo", 1.0), (ENTER, 1.0),
            ("dialog --checklist 'Pick' 10 40 3 a Apple on b Banana off c Cherry off", 0.3),
            (ENTER, 1.5), (DOWN, 0.5), (" ", 1.0), (ENTER, 1.0),
            ("exit", 0.3), (ENTER, 0.5),
        ],
    ),
    "bash_wrapped_no_newline": (
        "bash --norc --noprofile -i",
        8,
        40,
        [
            ("printf 'w%.0s' {1..55}", 0.3), (ENTER, 1.0),
            ("ls notes", 0.3), (ENTER, 1.0),
            ("exit", 0.3), (ENTER, 0.5),
        ],
    ),
    # review-exports11 item 8: programs run by an interpreter that draw a screen, named
    # by their script: a curses menu in python (Down, Down, Enter), a node dashboard on the
    # alternate screen for a second and a half.
    "interpreter_screens": (
        "bash --norc --noprofile -i",
        12,
        60,
        [
            ("python3 menu.py", 0.3), (ENTER, 1.5), (DOWN, 0.5), (DOWN, 0.5), (ENTER, 1.0),
            ("node dash.js", 0.3), (ENTER, 2.5),
            ("exit", 0.3), (ENTER, 0.5),
        ],
    ),
    # review-exports11 item 7: GNU screen with a hardstatus line on the bottom row
    # (screenrc below), a second window (Ctrl-A c), switches between them (Ctrl-A n).
    "screen_hardstatus": (
        "bash --norc --noprofile -i",
        12,
        70,
        [
            ("screen -c screenrc", 0.3), (ENTER, 1.5),
            ("echo first window", 0.3), (ENTER, 1.0),
            (CTRL_A + "c", 1.5),
            ("echo second window", 0.3), (ENTER, 1.0),
            (CTRL_A + "n", 1.5), (CTRL_A + "n", 1.5),
            ("exit", 0.3), (ENTER, 1.5),
            ("exit", 0.3), (ENTER, 1.5),
            ("exit", 0.3), (ENTER, 0.5),
        ],
    ),
    # review-exports11 item 3: lines redrawn in place with `\r`, a counter each half
    # second and a pip-style bar (bar.py below) over 1.6 s.
    "bash_progress": (
        "bash --norc --noprofile -i",
        12,
        70,
        [
            ("for i in 1 2 3 4 5; do printf '\\rProgress %d/5' $i; sleep 0.5; done; echo", 0.3),
            (ENTER, 3.5),
            ("python3 bar.py", 0.3), (ENTER, 2.5),
            ("exit", 0.3), (ENTER, 0.5),
        ],
    ),
    # review-exports11 items 4-5: zsh with a two-line prompt of box characters and a right
    # prompt for the exit status (box/.zshrc below): a command that fails, a narrowing at
    # the idle prompt, a command, a command typed then the window narrowed before Enter.
    "zsh_box_prompt": (
        "env ZDOTDIR=\"$HOME/box\" zsh -i",
        12,
        70,
        [
            ("false", 0.3), (ENTER, 1.0),
            ("<resize 12x60>", 1.0),
            ("echo after the narrowing", 0.3), (ENTER, 1.0),
            ("echo typed then the window narrows", 0.5), ("<resize 12x50>", 1.0), (ENTER, 1.0),
            ("exit", 0.3), (ENTER, 0.5),
        ],
    ),
    # review-exports11 items 4-6: fish with a two-line prompt and a right prompt (box's
    # config.fish below), output without a final newline, a command narrowed after.
    "fish_box_prompt": (
        "env XDG_CONFIG_HOME=\"$HOME/box\" fish",
        12,
        70,
        [
            ("echo one two four", 0.3), (ENTER, 1.0),
            ("printf 'no newline at end of this output'", 0.3), (ENTER, 1.0),
            ("sleep 1; echo slept", 0.3), (ENTER, 2.0),
            ("<resize 12x50>", 1.0),
            ("echo narrow", 0.3), (ENTER, 1.0),
            ("exit", 0.3), (ENTER, 0.5),
        ],
    ),
    # review-exports11 item 5: bash with a two-line PS1 (`\n` in it), a command typed
    # then the window narrowed before Enter.
    "bash_two_line": (
        "bash --norc --noprofile -i",
        12,
        70,
        [
            ("PS1='+- \\u@box \\w\\n+> '", 0.3), (ENTER, 1.0),
            ("echo this command is typed then the window narrows", 0.5),
            ("<resize 12x40>", 1.0), (ENTER, 1.0),
            ("exit", 0.3), (ENTER, 0.5),
        ],
    ),
    # review-exports12 item 2: full-screen programs on terminal types without the
    # alternate screen (vt220 and vt100 have no smcup in terminfo) or keypad mode: htop
    # refreshing for three seconds, vim opening a file and quitting, less paging a long
    # file on a dumb terminal (it warns, waits for Enter, pages with Space).
    "no_alternate_screen": (
        "bash --norc --noprofile -i",
        12,
        60,
        [
            ("echo before", 0.3), (ENTER, 1.0),
            ("TERM=vt220 htop", 0.3), (ENTER, 3.0), ("q", 1.0),
            ("TERM=vt100 vim notes/alpha.txt", 0.3), (ENTER, 1.5), (":q", 0.3), (ENTER, 1.0),
            ("TERM=dumb less long.txt", 0.3), (ENTER, 1.5), (ENTER, 1.0), (" ", 1.0),
            ("q", 1.0),
            ("echo after", 0.3), (ENTER, 1.0),
            ("exit", 0.3), (ENTER, 0.5),
        ],
    ),
    # review-exports13 item 6: programs that clear the primary screen and write there as
    # they start, before painting it (vim on TERM=ansi: its message on the bottom row
    # first; top on TERM=ansi), the command's row gone from the screen before they are
    # known to paint.
    "cleared_before_painting": (
        "bash --norc --noprofile -i",
        12,
        60,
        [
            ("echo before", 0.3), (ENTER, 1.0),
            ("TERM=ansi vim -u NONE -c 'syntax on' long.txt", 0.3), (ENTER, 1.5),
            (":q", 0.3), (ENTER, 1.0),
            ("TERM=ansi top -d 1", 0.3), (ENTER, 2.5), ("q", 1.0),
            ("echo after", 0.3), (ENTER, 1.0),
            ("exit", 0.3), (ENTER, 0.5),
        ],
    ),
    # review-exports12 item 3: bash two-line prompts from its rc file (from the first
    # prompt), the first line drawn with ESC 7 / ESC 8 (written, the cursor taken back
    # to the row's start, then `\n`: saved.bashrc below) or after a leading `\n`
    # (newline.bashrc): a command, a `cd` that changes the first line, a listing, a
    # `clear` (the first line on the top row), a command.
    "bash_prompt_saved": (
        "bash --noprofile --rcfile saved.bashrc -i",
        12,
        70,
        [
            ("echo one", 0.3), (ENTER, 1.0),
            ("cd notes", 0.3), (ENTER, 1.0),
            ("ls", 0.3), (ENTER, 1.0),
            ("clear", 0.3), (ENTER, 1.0),
            ("seq 2", 0.3), (ENTER, 1.0),
            ("exit", 0.3), (ENTER, 0.5),
        ],
    ),
    "bash_prompt_newline": (
        "bash --noprofile --rcfile newline.bashrc -i",
        12,
        70,
        [
            ("echo one", 0.3), (ENTER, 1.0),
            ("cd notes", 0.3), (ENTER, 1.0),
            ("ls", 0.3), (ENTER, 1.0),
            ("clear", 0.3), (ENTER, 1.0),
            ("seq 2", 0.3), (ENTER, 1.0),
            ("exit", 0.3), (ENTER, 0.5),
        ],
    ),
    # Programs that paint the normal screen in place, redrawn from its first row, on a
    # terminal type without an alternate screen or keypad mode (`top` and `watch` on
    # TERM=ansi: `ESC[H`, each row written over and `ESC[K`), a curses clock there; and a
    # `clear` loop, whose lines are told as redrawn, not summed up.
    "painted_in_place": (
        "bash --norc --noprofile -i",
        12,
        60,
        [
            ("echo before", 0.3), (ENTER, 1.0),
            ("TERM=ansi top -d 1", 0.3), (ENTER, 3.5), ("q", 1.0),
            ("TERM=ansi watch -n 1 'date; uptime'", 0.3), (ENTER, 3.5), ("\x03", 1.0),
            ("TERM=ansi python3 clock.py", 0.3), (ENTER, 3.5),
            ("for i in 1 2 3; do clear; date; seq 3; sleep 1; done", 0.3), (ENTER, 4.0),
            ("echo after", 0.3), (ENTER, 1.0),
            ("exit", 0.3), (ENTER, 0.5),
        ],
    ),
}  # fmt: skip
CLOCK = """import curses, time


def main(screen):
    for tick in range(6):
        screen.erase()
        screen.addstr(0, 0, "Clock " + time.strftime("%H:%M:%S"))
        screen.addstr(2, 2, f"tick {tick} of 6")
        screen.addstr(3, 2, "load " + open("/proc/loadavg").read().split()[0])
        screen.addstr(4, 2, "status " + ("ok" if tick % 2 else "busy"))
        screen.refresh()
        time.sleep(0.5)


curses.wrapper(main)
print("clock done")
"""
TWO_LINE_ZSHRC = """PROMPT=$'%~ on box\\n%# '
RPROMPT='[%T]'
"""
TRANSIENT_ZSHRC = """precmd() { PROMPT=$'\\n%~\\n%# ' }
_collapse() { PROMPT='> '; zle .reset-prompt; zle -R }
zle -N zle-line-finish _collapse
"""
MENU = """import curses


def main(screen):
    curses.curs_set(0)
    items = ["Network", "Storage", "Users", "Quit"]
    chosen = 0
    while True:
        screen.erase()
        screen.addstr(0, 2, "Setup menu", curses.A_BOLD)
        for i, item in enumerate(items):
            screen.addstr(2 + i, 4, item, curses.A_REVERSE if i == chosen else 0)
        screen.refresh()
        key = screen.getch()
        if key == curses.KEY_DOWN:
            chosen = (chosen + 1) % len(items)
        elif key in (10, 13):
            return items[chosen]


print("chose", curses.wrapper(main))
"""
DASH = """process.stdout.write("\\x1b[?1049h\\x1b[H\\x1b[2J");
process.stdout.write("Build dashboard\\r\\n\\r\\njobs: 3 running\\r\\n");
setTimeout(() => {
  process.stdout.write("\\x1b[?1049l");
  console.log("dashboard closed");
}, 1500);
"""
SCREENRC = """startup_message off
hardstatus alwayslastline
hardstatus string '%{= kG}[ %H ][%= %{= kw}%-w%{+b r}%n*%t%{-b r}%{w}%+w %=%{g}][ %m-%d %c ]'
"""
BAR = """import sys, time

for done in range(0, 65, 8):
    bar = "\\x1b[38;2;249;38;114m" + "\\u2501" * (done // 2)
    bar += "\\x1b[38;5;237m" + "\\u2501" * (32 - done // 2)
    sys.stdout.write(f"\\r   {bar}\\x1b[0m {done}/64 kB 1.2 MB/s")
    sys.stdout.flush()
    time.sleep(0.2)
print()
print("Successfully installed demo-1.0")
"""
BOX_ZSHRC = """PROMPT=$'%F{green}\\u250c[%n@box]\\u2500[%~]%f\\n%F{green}\\u2514\\u257c%f $ '
RPROMPT='%(?..%F{red}\\u2718 %?%f)'
"""
BOX_FISH = """function fish_prompt
    echo (prompt_pwd)
    echo -n '\\u279c '
end
function fish_right_prompt
    echo -n '[main] 12:00:00'
end
"""
SAVED_BASHRC = r"""PS1='\[\e7\]+- \u@box \w\[\e8\]\n+> '
"""
NEWLINE_BASHRC = r"""PS1='\n+- \u@box \w\n+> '
"""
ASK = """read -p "Your name? " name
echo "hello $name"
read -p "Continue? [y/N] " answer
echo "answered $answer"
"""


def record(folder: Path, name: str) -> Path:
    shell, rows, cols, steps = SESSIONS[name]
    home = folder / "home"
    notes = home / "notes"
    notes.mkdir(parents=True)
    for file in ("alpha.txt", "beta.txt", "gamma.txt", "delta.txt"):
        (notes / file).write_text(f"{file.split('.')[0]} line\n")
    (home / ".zshrc").write_text(ZSHRC)
    (home / "ask.sh").write_text(ASK)
    (home / "transient").mkdir()
    (home / "transient" / ".zshrc").write_text(TRANSIENT_ZSHRC)
    (home / "twoline").mkdir()
    (home / "twoline" / ".zshrc").write_text(TWO_LINE_ZSHRC)
    (home / "box" / "fish").mkdir(parents=True)
    (home / "box" / ".zshrc").write_text(BOX_ZSHRC)
    (home / "box" / "fish" / "config.fish").write_text(BOX_FISH)
    (home / "menu.py").write_text(MENU)
    (home / "dash.js").write_text(DASH)
    (home / "bar.py").write_text(BAR)
    (home / "clock.py").write_text(CLOCK)
    (home / "screenrc").write_text(SCREENRC)
    (home / "saved.bashrc").write_text(SAVED_BASHRC)
    (home / "newline.bashrc").write_text(NEWLINE_BASHRC)
    (home / "long.txt").write_text("".join(f"line {n} of a long file\n" for n in range(1, 41)))
    # (fish generates completions from man pages in the background on its first start,
    # holding the terminal open after `exit`: the folder says it was done)
    (home / ".local" / "share" / "fish" / "generated_completions").mkdir(parents=True)
    cast = folder / "session" / f"{name}.cast"
    cast.parent.mkdir()
    env = {
        "PATH": os.environ.get("PATH", ""), "HOME": str(home), "TERM": "xterm-256color",
        "LANG": "C.UTF-8", "USER": "user", "SHELL": "/bin/sh", "PS1": "$ ",
    }  # fmt: skip
    argv = ["-m", "asciinema", "rec", "--overwrite", "-q", "-c", shell, str(cast)]
    child = pexpect.spawn(sys.executable, argv, env=env, cwd=str(home), dimensions=(rows, cols),
                          encoding="utf-8", timeout=30)  # fmt: skip
    time.sleep(3.0)  # (zsh's compinit, fish's first start)
    for keys, pause in steps:
        if keys.startswith("<resize "):  # the window resized: `<resize ROWSxCOLUMNS>`
            rows, cols = map(int, keys[len("<resize ") : -1].split("x"))
            child.setwinsize(rows, cols)
            time.sleep(pause)
            continue
        for key in [keys] if keys.startswith("\x1b") else keys:
            child.send(key)
            time.sleep(KEY_SECONDS)
        time.sleep(pause)
    child.expect(pexpect.EOF)
    child.close()
    return cast


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("names", nargs="*", metavar="NAME", help=", ".join(SESSIONS))
    names = parser.parse_args().names or list(SESSIONS)
    if unknown := [name for name in names if name not in SESSIONS]:
        parser.error(f"no session named {unknown[0]!r}")
    for name in names:
        folder = Path(tempfile.mkdtemp())
        try:
            shutil.copy(record(folder, name), OUT / f"{name}.cast")
        finally:
            shutil.rmtree(folder)
        print(f"wrote {OUT / name}.cast")


if __name__ == "__main__":
    main()
