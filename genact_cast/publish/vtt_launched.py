"""A full-screen session that no command typed names (publish/vtt.py): most often the
program the cast was recorded with (`asciinema rec -c tmux`, `-c htop`), which asciinema
2.4 does not write in the header (no `command` field: review-exports18 items 4 and 9).

- A multiplexer given as the recorded command (`tmux`, `screen -q`, `tmux new -A`,
  `byobu`, zellij) is followed as one typed at a shell is (vtt_mux.py): its panes' commands,
  their output, the programs in them (`recorded_multiplexer`).
- With no command to go by, the session is followed as a multiplexer's until it is known
  (`Unnamed`): a shell in it runs a command typed there, or tmux's status line shows, and
  its panes are told; else it is one cue, named by the window title the program set (OSC
  0/2), else by a line the program draws itself on its first screens (htop's function
  bar, top's summary, nano's title bar: publish/data/screen_names.json, each with its
  source), else `[full-screen program]`. A file's text never names it.
"""

from __future__ import annotations

import json
import re
from functools import cache

from genact_cast.publish.data_files import DATA
from genact_cast.publish.screens import Screen, row_text
from genact_cast.publish.vtt_mux import MULTIPLEXERS, Multiplexed
from genact_cast.publish.vtt_sessions import SCREENS, prompt, typed_program

GENERIC = "full-screen program"
MULTIPLEXER = "terminal multiplexer"  # one that shows no name of its own (GNU screen)
SIGNATURE_SCREENS = 8  # the session's first screens with text, read for a program's lines
# tmux's default status line: status-left `[#{session_name}] `, then the window list,
# each `#I:#W#F` (tmux 3.3 options-table.c), on the bottom row.
TMUX_STATUS = re.compile(r"\[[^\]]{1,64}\] \d+:\S")


def recorded_multiplexer(recorded: str | None) -> str:
    """The multiplexer the cast was recorded with (the header's `command`: asciinema 3
    writes it), "" if it was another program or none."""
    program = typed_program("", recorded or "")
    return program if program in MULTIPLEXERS else ""


@cache
def _signatures() -> tuple[tuple[str, re.Pattern[str]], ...]:
    text = (DATA / "screen_names.json").read_text("utf-8")
    return tuple(
        (entry["program"], re.compile(entry["pattern"])) for entry in json.loads(text)["programs"]
    )


def drawn_name(screens: list[tuple[str, ...]]) -> str:
    """The program whose own line one of these screens shows ("" for none)."""
    for rows in screens:
        for text in rows:
            line = text.strip()
            for program, pattern in _signatures():
                if line and pattern.search(line):
                    return program
    return ""


def shown_name(named: str, typed: str, screens: list[tuple[str, ...]]) -> str:
    """A session's name (`named`) as its screen shows it: a command typed that runs no
    program known to draw a screen (`typed`: a shell function or alias, `edit f.txt`
    running nano, review-exports19 #17) is named by the program whose own line its first
    screens show, as a session no command names is; else `named`."""
    if not typed or typed in SCREENS:
        return named
    return drawn_name(screens) or named


class Unnamed(Multiplexed):
    """A session no command names, followed as a multiplexer's until it is known to be
    one (`shell`: a prompt, a command typed after it and run, then a prompt waiting
    again in that pane; or tmux's status line), its first screens kept to name it
    by otherwise (`drawn_name`)."""

    def __init__(self) -> None:
        super().__init__(MULTIPLEXER)
        self.shell = False
        self.firsts: list[tuple[str, ...]] = []
        # A command typed in the cursor's pane was run (a release of bracketed paste,
        # which tmux and GNU screen pass on from the pane's shell): its pane and command
        self._ran: tuple[int, int] | None = None

    @classmethod
    def again(cls, detached: Multiplexed) -> Unnamed:
        """A session nothing names that follows a multiplexer's detached one: that one
        attached again, most likely (`tmux attach` typed, its echo never drawn: tmux
        reads the keys before the shell echoes them, review-exports17's tmux.cast at
        16.3 s), so what its panes showed is known (`resume`) and is not told again; still
        one cue, if nothing shows it to be a multiplexer's."""
        probe = cls()
        own = {"shell": False, "firsts": [], "_ran": None}  # (this session's, not its)
        vars(probe).update({**vars(detached), **own})
        probe.resume()
        return probe

    def name_of(self, titled: str | None) -> str:
        """The session's name as one cue: the window title the program set, else the
        program whose own line its first screens show, else the generic one."""
        title = " ".join((titled or "").split())
        return title or drawn_name(self.firsts) or GENERIC

    def update(self, screen: Screen, run: bool = False) -> None:
        if not run and len(self.firsts) < SIGNATURE_SCREENS:
            texts = tuple(row_text(row) for row in screen.rows)
            if any(text.strip() for text in texts):
                self.firsts.append(texts)
        super().update(screen, run)
        status = row_text(screen.rows[-1]).strip() if self.status_row else ""
        if TMUX_STATUS.match(status):
            self.name, self.shell = "tmux", True
        if self.shell:
            return
        pane = self.cursor_pane
        command = self.commands.get(pane)
        if run and command is not None and screen.cursor is not None:
            line = self.told[command][2]
            y = screen.cursor[1]
            # (bash has written the newline after it: the command is on the row above)
            rows = [self.texts.get((row, pane), "") for row in (y - 1, y)]
            if any(text and not prompt(text) and line.endswith(text) for text in rows):
                self._ran = (pane, command)
        elif not run and self._ran is not None and self._ran[0] == pane and self.waits:
            self.shell = True  # (the shell's prompt back in the pane after its command)
