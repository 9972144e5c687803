"""Record tests/data/subtitles/{name}.cast: multiplexers (tmux, GNU screen) with windows,
their own screens and pagers in panes, recorded as scripts/record_subtitles_shells.py
records shells (scripts/subtitle_recording.py: asciinema 2.4.0 in a pseudo-terminal, the
same home folder, one key every 0.09 s, a pause after each step), for tests/test_vtt_mux.py
and tests/test_vtt_exits.py.

    python -m scripts.record_subtitles_mux [NAME ...]    (from the repository's top)
"""

from __future__ import annotations

import sys
from pathlib import Path

if not __package__:  # (run as a file: the repository's top on the path, for `scripts.`)
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from scripts.subtitle_recording import CTRL_A, CTRL_B, CTRL_U, ENTER, UP, Session, main

TMUX = "tmux -L vttrec -f /dev/null new"
# (shell, rows, columns, steps), as in scripts/subtitle_recording.py.
MUX: dict[str, Session] = {
    # review-exports14 item 7: vim in window 0, a command in a new window (Ctrl-B c),
    # back to vim (Ctrl-B p), a motion, the other window again (Ctrl-B n) and a command
    # there, back to vim, which quits; then a command in vim's window.
    "tmux_windows": (
        "bash --norc --noprofile -i",
        16,
        80,
        [
            (TMUX, 0.3), (ENTER, 1.5),
            ("vim -u NONE long.txt", 0.3), (ENTER, 1.5),
            (CTRL_B + "c", 1.0),
            ("echo in-window-two", 0.3), (ENTER, 1.0),
            (CTRL_B + "p", 1.0),
            ("5j", 0.5),
            (CTRL_B + "n", 1.0),
            ("ls -d /tmp", 0.3), (ENTER, 1.0),
            (CTRL_B + "p", 1.0),
            (":q!", 0.3), (ENTER, 1.0),
            ("echo vim-gone", 0.3), (ENTER, 1.0),
            ("exit", 0.3), (ENTER, 1.0),
            ("exit", 0.3), (ENTER, 1.5),
            ("exit", 0.3), (ENTER, 0.5),
        ],
    ),
    # review-exports14 item 7: tmux's own screens drawn over a window after a command's
    # output: the key list (Ctrl-B ?) and the window chooser (Ctrl-B w), each closed with q.
    "tmux_overlays": (
        "bash --norc --noprofile -i",
        16,
        80,
        [
            (TMUX, 0.3), (ENTER, 1.5),
            ("echo before", 0.3), (ENTER, 1.0),
            (CTRL_B + "?", 1.5), ("q", 1.0),
            (CTRL_B + "w", 1.5), ("q", 1.0),
            ("echo after", 0.3), (ENTER, 1.0),
            ("exit", 0.3), (ENTER, 1.5),
            ("exit", 0.3), (ENTER, 0.5),
        ],
    ),
    # review-exports15 item 2: vim in a second window, back to the first (Ctrl-B p),
    # `exit` there: tmux shows vim's window again, as it was; vim quits, a command after.
    "tmux_window_closed": (
        "bash --norc --noprofile -i",
        16,
        80,
        [
            (TMUX, 0.3), (ENTER, 1.5),
            ("echo first window", 0.3), (ENTER, 1.0),
            (CTRL_B + "c", 1.0),
            ("vim -u NONE long.txt", 0.3), (ENTER, 1.5),
            (CTRL_B + "p", 1.0),
            ("exit", 0.3), (ENTER, 1.5),
            ("3j", 0.5), (":q!", 0.3), (ENTER, 1.0),
            ("echo after vim", 0.3), (ENTER, 1.0),
            ("exit", 0.3), (ENTER, 1.5),
            ("exit", 0.3), (ENTER, 0.5),
        ],
    ),
    # review-exports14 items 1 and 5: pagers and watch in the right pane of a split:
    # less (alternate screen: tmux's, so only its pane redrawn), less -FRX as git runs
    # it (no alternate screen), man, watch; then zoom and unzoom (Ctrl-B z twice) and
    # copy mode (Ctrl-B [, q), which redraw the pane with nothing new.
    "tmux_pagers": (
        "bash --norc --noprofile -i",
        16,
        90,
        [
            (TMUX, 0.3), (ENTER, 1.5),
            ("echo left pane", 0.3), (ENTER, 0.8),
            (CTRL_B + "%", 1.0),
            ("less long.txt", 0.3), (ENTER, 1.5), (" ", 1.0), ("q", 1.0),
            ("less -FRX long.txt", 0.3), (ENTER, 1.5), (" ", 1.0), ("q", 1.0),
            ("man ls", 0.3), (ENTER, 2.0), (" ", 1.0), ("q", 1.0),
            ("watch -n 0.5 date +%T.%N", 0.3), (ENTER, 2.5), ("\x03", 1.0),
            ("echo after pagers", 0.3), (ENTER, 1.0),
            (CTRL_B + "z", 1.0), (CTRL_B + "z", 1.0),
            (CTRL_B + "[", 1.0), ("q", 1.0),
            ("exit", 0.3), (ENTER, 1.0),
            ("exit", 0.3), (ENTER, 1.5),
            ("exit", 0.3), (ENTER, 0.5),
        ],
    ),
    # review-exports14 item 1: less in the lower region of GNU screen split in two
    # (Ctrl-A S, Ctrl-A Tab, a new window there with Ctrl-A c), paging once.
    "screen_pager": (
        "bash --norc --noprofile -i",
        16,
        80,
        [
            ("screen -c screenrc", 0.3), (ENTER, 1.5),
            ("echo top region", 0.3), (ENTER, 0.8),
            (CTRL_A + "S", 1.0), (CTRL_A + "\t", 1.0), (CTRL_A + "c", 1.5),
            ("less long.txt", 0.3), (ENTER, 1.5), (" ", 1.0), ("q", 1.0),
            ("echo after less", 0.3), (ENTER, 1.0),
            ("exit", 0.3), (ENTER, 1.5),
            (CTRL_A + "\t", 1.0),
            ("exit", 0.3), (ENTER, 1.5),
            ("exit", 0.3), (ENTER, 0.5),
        ],
    ),
    # review-exports14 item 17: vim killed (timeout's SIGKILL) inside the alternate
    # screen, so nothing leaves it: the shell's prompt comes back there, commands are
    # typed and run there, then `reset` gives the primary screen back.
    "killed_full_screen": (
        "bash --norc --noprofile -i",
        12,
        60,
        [
            ("echo before", 0.3), (ENTER, 1.0),
            ("timeout -s KILL 2 vim -u NONE notes/alpha.txt", 0.3), (ENTER, 3.0),
            ("ls notes", 0.3), (ENTER, 1.0),
            ("echo typed after the kill", 0.3), (ENTER, 1.0),
            ("reset", 0.3), (ENTER, 2.0),
            ("echo after reset", 0.3), (ENTER, 1.0),
            ("exit", 0.3), (ENTER, 0.5),
        ],
    ),
    # review-exports14 item 5: less on a terminal type without an alternate screen
    # (vt220 has no smcup in terminfo), paging once, then a command.
    "less_vt220": (
        "bash --norc --noprofile -i",
        12,
        60,
        [
            ("echo before", 0.3), (ENTER, 1.0),
            ("TERM=vt220 less long.txt", 0.3), (ENTER, 1.5), (" ", 1.0), (" ", 1.0),
            ("q", 1.0),
            ("echo after", 0.3), (ENTER, 1.0),
            ("exit", 0.3), (ENTER, 0.5),
        ],
    ),
    # review-exports15 item 6: the same in zsh, whose right prompt (`[%T]`) follows the
    # command typed on its row.
    "zsh_less_vt220": (
        "zsh -i",
        12,
        60,
        [
            ("echo before", 0.3), (ENTER, 1.0),
            ("TERM=vt220 less long.txt", 0.3), (ENTER, 1.5), (" ", 1.0), ("q", 1.0),
            ("echo after", 0.3), (ENTER, 1.0),
            ("exit", 0.3), (ENTER, 0.5),
        ],
    ),
    # review-exports14 item 18: a command longer than the row, run, recalled with Up
    # (drawn again over two rows in one write) and given up with Ctrl-U.
    "bash_recall_given_up": (
        "bash --norc --noprofile -i",
        10,
        40,
        [
            ("echo a command long enough to wrap onto a second row", 0.3), (ENTER, 1.0),
            (UP, 1.0), (CTRL_U, 1.0),
            ("echo short", 0.3), (ENTER, 1.0),
            ("exit", 0.3), (ENTER, 0.5),
        ],
    ),
}  # fmt: skip


if __name__ == "__main__":
    main(MUX, __doc__)
