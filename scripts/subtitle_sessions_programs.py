"""Subtitle recording sessions of programs over a shell (scripts/record_subtitles_shells.py):
top, vim and htop in tmux panes, dialog boxes, interpreters' screens, GNU screen's
hardstatus, progress bars, programs that paint the primary screen."""

from __future__ import annotations

from scripts.subtitle_recording import CTRL_A, CTRL_B, DOWN, ENTER, Session

PROGRAMS: dict[str, Session] = {
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
