"""The shell around a full-screen session, for its subtitle: the command that started it
and the name of its cue (`[vim]`), read from the shell's screen as the switch found it,
and the prompt a command is typed after (known by where the cursor waits)."""

from __future__ import annotations

import re
import shlex

from genact_cast.publish.screens import Row, Screen, row_text
from genact_cast.publish.vtt_text import joined, row_cells
from genact_cast.publish.wrappers import unwrapped

MAX_NAME = 40  # a program's name, cut
# A cast recorded with `asciinema rec -c zsh` ran a shell: its command names no session.
SHELLS = frozenset({"bash", "zsh", "fish", "sh", "dash", "ksh", "mksh", "tcsh", "csh", "nu",
                    "pwsh", "xonsh", "elvish", "tmux", "screen", "login", "su"})  # fmt: skip
PROMPTS = ("$ ", "# ", "% ", "> ", "❯ ")  # the end of a shell prompt, before a command
# Shell builtins and commands that return at once (no program to name a session after).
PASSED = frozenset({"cd", "echo", "printf", "true", "false", ":", "export", "unset", "exit",
                    "fi", "done", "esac", "}", "then", "else", "do"})  # fmt: skip
# Reserved words before a command (`if dialog --yesno Q 6 30; then ...`): the command
# after them is run (review-exports12 item 1).
KEYWORDS = frozenset({"if", "elif", "while", "until", "then", "else", "do", "!", "{"})
# Programs that draw a screen (full-screen, on the primary screen, or a dialog's box):
# named for a command line that runs one, wherever it stands in it.
SCREENS = frozenset({"whiptail", "dialog", "gdialog", "cdialog", "vim", "vi", "nvim", "view",
                     "vimdiff", "nano", "pico", "emacs", "mg", "micro", "joe", "less", "more",
                     "most", "man", "top", "htop", "btop", "atop", "iotop", "nload", "iftop",
                     "nmon", "glances", "ncdu", "mc", "ranger", "nnn", "lf", "vifm", "tig",
                     "lazygit", "fzf", "sk", "watch", "mutt", "neomutt", "alpine", "nmtui", "irssi",
                     "cfdisk", "nvtop", "nvitop", "ncmpcpp", "weechat", "k9s"})  # fmt: skip
_ASSIGNMENT = re.compile(r"[A-Za-z_][A-Za-z0-9_]*=")
# Interpreters, named by the script they run (`python3 menu.py` draws menu.py's screen:
# review-exports11 item 8), with their options that take a value; `-m` names a module.
_INTERPRETER = re.compile(r"(python|pypy|node|nodejs|deno|bun|ruby|perl|php|lua)[0-9.]*")
_INTERPRETER_VALUES = frozenset({"-X", "-W", "-Q", "-r", "--require", "-I", "-e", "-c", "-E",
                                 "--eval", "--import", "--loader", "-x"})  # fmt: skip
_INLINE = frozenset({"-c", "-e", "-E", "--eval"})  # the program is on the command line
# Shells whose `-c` runs a command string (screen's and tmux's `-c` name a file or folder)
_RUN_STRINGS = SHELLS - {"tmux", "screen", "login"}


def prompt(text: str) -> bool:
    """Whether a row ends with a shell prompt (nothing typed after it yet)."""
    return any((text.rstrip() + " ").endswith(p) for p in PROMPTS)


def session_name(
    command_line: str, typed: str = "", recorded: str | None = None, title: str | None = None
) -> str:
    """What a full-screen session is called: the program typed (what was added after the
    prompt, or what follows a `$ `-style prompt), else the program the cast was recorded
    with (`recorded`, the header's command) unless that is a shell, else the window title
    the program set (OSC 0/2: `notes.txt - VIM`), else a neutral name."""
    program = typed_program(command_line, typed)
    if not program and recorded:
        program = _program(recorded)
        program = "" if program in SHELLS else program
    title = " ".join((title or "").split())
    return program or title[:MAX_NAME] or "full-screen program"


def typed_program(command_line: str, typed: str = "") -> str:
    """The program a command typed runs ("" if none is known): the text typed on the
    row, else what follows a `$ `-style prompt on it."""
    after = _after_prompt(command_line)
    command = typed if typed.strip() else after
    if typed.strip() and len(after) > len(typed) and after.endswith(typed):
        # (its first key came with the prompt, in one screen: `$ v`, then `im` typed;
        # what follows the prompt is the command, review-exports15 item 7: `[im]`)
        command = after
    return _program(command)


def _after_prompt(command_line: str) -> str:
    """What follows the row's prompt: after the last prompt end whose rest closes its
    quotes, as a command typed there does. A `> ` or `$ ` inside a quoted argument is not
    the prompt (review-exports20: `sh -c 'echo $$ > /tmp/w/pid; exec vim f.txt'` was named
    `[pid;]`, the rest after the quoted redirection)."""
    ends = sorted(
        at + len(p)
        for p in PROMPTS
        for at in range(len(command_line))
        if command_line.startswith(p, at)
    )
    for end in reversed(ends):
        if _closes_quotes(command_line[end:]):
            return command_line[end:]
    return command_line[ends[-1] :] if ends else ""


def _closes_quotes(command: str) -> bool:
    lexer = shlex.shlex(command, posix=True, punctuation_chars=";&|")
    lexer.whitespace_split = True
    try:
        list(lexer)
    except ValueError:  # (no closing quotation)
        return False
    return True


def resumed(command_line: str, last: str) -> tuple[str, str]:
    """The command line a full-screen program that no command on the shell's row names
    was started by: the last command typed (`last`; vim coming back after `:!ls`, or run
    after output, `git log | head -3 && vim notes.txt`), or, after `fg`, the job's command
    line the shell printed on the row (`vim long.txt`). As (command line, typed)."""
    program = typed_program(last)
    if program == "fg" or program.startswith("%"):
        return "", command_line
    return last, ""


def _program(command: str) -> str:
    """The program a command line runs: the first command of a `&&`, `||` or `;` chain or
    a pipeline that is a known screen program (`SCREENS`: `dialog --menu ...; clear` and
    `top | cat` draw dialog's and top's screen, review-exports11 item 2), else the last
    (`cd src && vim main.c` runs vim, `ls | fzf` fzf, as the terminal's program: the last
    of a pipeline reads the keys), `cd` and an empty one passed over, the prefixes that
    run the command after them (`sudo`, `time`, `nice -n 5`, `ssh box`, `docker exec -it
    web`, ...: publish/data/wrappers.tsv) and
    assignments before it, and the parentheses of a command substitution around it
    (fish's `set x (ls | fzf)`). Commands that print or set something and return at once
    (`PASSED`: `whiptail --yesno Q 8 40 && echo yes || echo no` runs whiptail,
    review-exports9 item 4) are passed over as `cd` is."""
    names = [_name(words) for words in _commands(command)]
    known = [name for name in names if name in SCREENS]
    if known:
        return known[0]
    for name in reversed(names):
        if name is not None:
            return name
    return ""


def _name(words: list[str]) -> str | None:
    """The program one command runs (None: none, or one passed over; "" if its name is
    not printable ASCII)."""
    words = list(words)
    while words and words[0] in KEYWORDS:
        words.pop(0)
    assignment = _ASSIGNMENT.match(words[0]) if words else None
    if assignment and words[0][assignment.end() :].startswith(("$(", "`")):
        # `x=$(whiptail --inputbox Q 8 40 3>&1 1>&2 2>&3)`: the substitution runs it
        words[0] = words[0][assignment.end() :].lstrip("$(`")
    while words:  # (assignments and wrappers before it: `sudo -u bob`, `ssh box`)
        if _ASSIGNMENT.match(words[0]):
            words.pop(0)
            continue
        inner, wrapper, string = unwrapped(words)
        if wrapper is not None:
            return wrapper  # (`ssh box`: a remote shell, no program named)
        if inner is words:
            break
        if string and inner:  # (its words joined, a shell runs them: ssh's remote one)
            return _program(" ".join(inner)) or None
        words = inner
    if not words or words[0] in PASSED:
        return None
    program = words[0].lstrip("$(`").rstrip(")`").rsplit("/", 1)[-1]
    # A call typed at a REPL (`help(len)` in python3 opens its pager): the function's
    # name, not a piece of the expression (`[help(len]`, review-exports14 item 9).
    program = program.split("(", 1)[0] or program
    if _INTERPRETER.fullmatch(program):
        program = _script(words[1:]) or program
    elif program in _RUN_STRINGS and "-c" in words[1:-1]:
        # `sh -c 'echo $$ > pid; exec vim f.txt'`: the shell runs the command string's
        # program (review-exports20 WARN 7: named `[sh]`)
        program = _program(words[words.index("-c", 1) + 1]) or program
    if program.isprintable() and program.isascii():
        return program[:MAX_NAME]
    return ""


def _script(words: list[str]) -> str:
    """The script (or `-m` module) an interpreter's arguments run ("" for none: a REPL, a
    program given with `-c`/`-e`)."""
    while words and words[0].startswith("-"):
        option = words.pop(0)
        if option in _INLINE:
            return ""
        if option == "-m" and words:
            return words[0].rstrip(")")
        if option in _INTERPRETER_VALUES and words:
            words.pop(0)
    return words[0].rstrip(")").rsplit("/", 1)[-1] if words else ""


def _commands(command: str) -> list[list[str]]:
    """A command line's words split at `&&`, `||`, `;` and `&`, as the shell reads them
    (an operator inside quotes is a word's text); split at blanks alone if the quotes do
    not close (a line cut short)."""
    lexer = shlex.shlex(command, posix=True, punctuation_chars=";&|")
    lexer.whitespace_split = True
    try:
        tokens = list(lexer)
    except ValueError:
        return [command.split()]
    commands: list[list[str]] = [[]]
    for at, token in enumerate(tokens):
        before = tokens[at - 1] if at > 0 else ""
        after = tokens[at + 1] if at + 1 < len(tokens) else ""
        if token == "&" and (before.endswith((">", "<")) or after.startswith(">")):
            # a redirection (`3>&1`, `2>&3`, `&>/dev/null`), not a background job
            commands[-1].append(token)
        elif token in ("&&", "||", ";", "&", ";;", "|", "|&"):
            commands.append([])
        else:
            commands[-1].append(token)
    return commands


def command_row(screen: Screen) -> int:
    """The row with the command that started a session: the last one written at or above
    the cursor, or the first of a command continued with `\\` (-1 for none)."""
    y = screen.cursor[1] if screen.cursor is not None else len(screen.rows) - 1
    if (
        screen.cursor is not None
        and len(row_text(screen.rows[min(y, len(screen.rows) - 1)])) > screen.cursor[0]
    ):
        return -1  # the cursor is back inside old output (a screen restored): nothing typed
    for row in range(min(y, len(screen.rows) - 1), -1, -1):
        if row_text(screen.rows[row]).strip():
            while row > 0 and row_text(screen.rows[row - 1]).endswith("\\"):
                row -= 1  # a command continued over lines: its first line names it
            while row > 0 and row - 1 in screen.wrapped:
                row -= 1  # (a command the terminal wrapped: from its first row)
            return row
    return -1


def command_text(screen: Screen, row: int) -> str:
    """The command line that starts on `row`, with the rows the terminal wrapped it onto
    (`... | dialo` / `g --gauge ...` runs dialog: review-exports10 item 8), joined by
    cells as the subtitle's lines are (`row_cells`: padding a row's characters to the
    width split a name after wide characters, `...; v` / `im file` named `[v]`,
    review-exports18 item 3)."""

    def cells(y: int) -> str:
        going_on = y in screen.wrapped and y + 1 < len(screen.rows)
        return row_cells(screen.rows[y], screen.cols) if going_on else row_text(screen.rows[y])

    text = cells(row)
    while row in screen.wrapped and row + 1 < len(screen.rows):
        row += 1
        text = joined(text, cells(row))
    return text


def waiting_prompt(
    rows: tuple[Row, ...], cursor: tuple[int, int] | None, fresh: set[int]
) -> tuple[int, str, str] | None:
    """The cursor's row, the text left of it and the right prompt (stripped, "" for none),
    if the cursor waits after a prompt: after a space that follows text, on a row nothing
    has been typed on (`fresh`: as it was drawn; the rest of the row blank, or a right
    prompt after a gap: zsh's RPROMPT, written at the right edge with `CSI n C` or
    `CSI n G` and the cursor moved back with `CSI n D`)."""
    if cursor is None or cursor[1] not in fresh or not 0 <= cursor[1] < len(rows):
        return None
    x, y = cursor
    # (cells between a row's last text and the cursor are blank: a row is kept without
    # trailing blanks, fish's `root@vm ~ [SIGKILL]# ` after htop was cut at its `#`)
    left = "".join(char for char, _ in rows[y][:x]).ljust(x)
    right = "".join(char for char, _ in rows[y][x:])
    if not left.strip() or not left.endswith(" ") or right[:1].strip():
        return None
    return y, left.rstrip(), right.strip()  # (a row's text is kept without its trailing blanks)


def without_right_prompt(text: str, lead: str, right: str) -> str:
    """A command row's text without the right prompt the shell keeps at the row's end:
    the cue tells the command typed, not the prompt's clock or exit status. Kept when
    the command reached it (the shell then takes the right prompt away itself)."""
    end = text.rstrip()
    if not right or not end.endswith(right):
        return text
    head = end[: len(end) - len(right)]
    if len(head) <= len(lead) or not head.endswith(" "):
        return text
    return head.rstrip()
