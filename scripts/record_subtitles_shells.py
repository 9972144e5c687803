"""Record tests/data/subtitles/{name}.cast: real shells and REPLs (zsh with `menu select`,
fish, bash, node, python) in a pseudo-terminal, recorded by asciinema 2.4.0 (as
scripts/record_subtitles_clear.py does), each typed with the keys listed in SESSIONS
below (one key every 0.09 s, a pause after each step) for the subtitles' tests
(tests/test_vtt_shells.py).

    python scripts/record_subtitles_shells.py [NAME ...]
    python -m scripts.record_subtitles_shells [NAME ...]
"""

from __future__ import annotations

import sys
from pathlib import Path

if not __package__:  # (run as a file: the repository's top on the path, for `scripts.`)
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from scripts.subtitle_recording import (
    CTRL_U,
    DOWN,
    ENTER,
    LEFT,
    TAB,
    UP,
    Session,
    main,
)
from scripts.subtitle_sessions_programs import PROGRAMS

# Shells and REPLs: prompts, line editors, commands typed ahead, resizes.
SHELLS: dict[str, Session] = {
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
}  # fmt: skip
SESSIONS = {**SHELLS, **PROGRAMS}

if __name__ == "__main__":
    main(SESSIONS, __doc__)
