"""The lines of the shell's screen for the subtitles (publish/vtt.py): what each row
shows and since when, and the lines done (scrolled away, erased, covered, on the final
screen), with wrapped rows joined, typed commands kept whole and resizes followed.

This module keeps the rows' state; each screen is read in vtt_reading.py (`update`). What
happens to the rows is followed in modules of their own: prompts and commands typed in
vtt_prompts.py, erasures and rows written over in vtt_erasures.py, rows scrolled away in
vtt_scrolls.py, programs over the shell's screen and a clip's start in vtt_programs.py, a
resize in vtt_reflow.py. Their marks and limits are in vtt_marks.py."""

from __future__ import annotations

from genact_cast.publish.screens import Row, Screen, row_text
from genact_cast.publish.vtt_erasures import erase, settle
from genact_cast.publish.vtt_marks import HISTORY, TAKEN
from genact_cast.publish.vtt_programs import cover, mute, ran, restart, uncover, unmute, unsay
from genact_cast.publish.vtt_prompts import is_typed, prompt_ahead, ticking, without_head
from genact_cast.publish.vtt_reading import indented, read_screen
from genact_cast.publish.vtt_reflow import cursor_line, reflow, rewrapped_told
from genact_cast.publish.vtt_remains import unindented
from genact_cast.publish.vtt_scrolls import region_scrolled, scrolled
from genact_cast.publish.vtt_text import bare as _bare
from genact_cast.publish.vtt_text import joined, row_cells


class Lines:
    """What each row of the screen shows and since when; done lines in `taken`."""

    def __init__(self) -> None:
        self.texts: list[str] = []
        self.since: list[float] = []
        self.taken: list[tuple[float, str]] = []
        self.ends: dict[int, float] = {}  # taken line -> when an erasure removed it
        self.commands: set[int] = set()  # taken lines that are commands typed (own cues)
        # Each taken line's place in the output, so that lines that appeared at one moment
        # are told in the order they were written: the erasures before it (`epoch`, when
        # it appeared: what is written after a clear comes after what the clear removed),
        # then the rows scrolled away before it plus its row.
        self.places: list[tuple[int, int]] = []
        self.fresh = 0  # the lines taken before the last screen read (`taken[fresh:]`: since)
        self.scrolls = 0
        self.epoch = 0
        self.born: list[int] = []  # each row's line: the epoch it appeared in
        # rows an erasure blanked since the last screen: (since, text, wrapped, when, born,
        # typed), born below 0 (-1 - epoch) for a line no screen showed
        self.erased: dict[int, tuple[float, str, bool, float, int, bool]] = {}
        self.covered: list[str] = []  # the rows when a full-screen program covered them
        self.left: list[bool] = []  # which of them a painting program had left (`LEFT`)
        self.covering = False  # a full-screen program covers them now
        self.unread: set[int] = set()  # rows it covered before they could be read
        self.first: list[str] = []  # each row's text when it appeared (a prompt, say)
        self.history: list[str] = []  # lines taken as they scrolled away, latest last
        self.wraps: list[bool] = []  # rows the terminal wrapped onto the next one
        self.cols = 0
        self._open: int | None = None  # the taken line that goes on in the top row
        # The top row's line went on from a row that scrolled away since the last screen:
        # what the next screen shows there is its rest, however new it looks.
        self._rest = False
        self._region_open: int | None = None  # the same, in a region below the first row
        self.muted = False  # a program paints the primary screen: nothing on it is told
        # A prompt is known by the cursor, not by its characters (powerline and Nerd Font
        # symbols, `❯`, `➜`, a right prompt after it): the row and its text left of the
        # cursor when the cursor waited after a space there with nothing typed after it
        # (`waiting`), and the rows a command is being typed on, with their prompt (`leads`).
        self.waiting: tuple[int, str, str] | None = None
        self.leads: dict[int, str] = {}
        self.rights: dict[int, str] = {}  # a command row's right prompt (zsh's RPROMPT)
        self.menus: dict[int, tuple[str, int]] = {}  # rows menu() took: (text, scrolls then)
        # A command row typed after a prompt that scrolled away since the last screen:
        # its taken line, text and prompt (a draft, if the next screen draws it again).
        self.scrolled_typed: tuple[int, str, str] | None = None
        # Rows where a shell's prompt (`prompt`: `$ `, `# `, `>>> `) waited and nothing was
        # typed after it, with their text: left so (Ctrl-D, Ctrl-L, `clear`, Enter) they
        # are no line of output; only the prompt waiting at the end is told.
        self.prompts: dict[int, str] = {}
        self.known_prompts: dict[str, None] = {}  # prompts commands were typed after
        # The cursor's row, if a command is typed on it, and its text left of the cursor:
        # what was typed (a shell's grey suggestion is right of it).
        self.left_of_cursor: dict[int, str] = {}
        # The longest of those since the command's first key (`since`, text): one taken
        # away a key at a time (Backspace, Ctrl-W) is given up as typed, not as its last
        # remnant (`$ e` for `ehco typo`, review-exports16 item 11).
        self.drafts: dict[int, tuple[float, str]] = {}
        self.listed: tuple[str, tuple[str, ...]] = ("", ())  # the last draft and its list
        self.ahead: dict[float, None] = {}  # commands typed ahead (`typed_ahead`), by time
        # Rows edited after a prompt drawn with text after the cursor (a line recalled,
        # then cut before the cursor with Ctrl-U): the text left after it (`edited_after`)
        self.tails: dict[int, str] = {}
        self.prompt_heads: dict[str, None] = {}  # first lines of two-line prompts
        # the row above the last prompt typed after, not known as its head, and the row
        # above it (the output it was drawn under)
        self.head_candidate: tuple[str, str] = ("", "")
        self.heads: dict[float, str] = {}  # output before a prompt, by its command's time
        self.pasting = False  # the shell's line editor brackets pastes (`Screen.paste`)
        self.edited: dict[int, str] = {}  # erased command rows (their prompt): see `erase`
        # rows a command line erased below was drawn again on: (since, born, prompt)
        self.raised: dict[int, tuple[float, int, str]] = {}
        self.cleared: set[int] = set()  # rows an erasure reached since the last screen
        self.screen_erased: set[int] = set()  # of those, rows erased whole (`clear`)
        self.whole_erased: set[int] = set()  # rows in `erased` a `clear` erased (not EL)
        # A question a program asked (`read -p`, `input()`), by when it was asked: the
        # question and when its answer's first key was typed.
        self.answers: dict[float, tuple[str, float]] = {}
        self.wiped: dict[int, int] = {}  # rows erased while muted: `updates` then
        # The times rows' lines were last redrawn in place after their first value was
        # told (vtt_redraws), with how many rows: a row's `since` found here is such a line's.
        self.redraws: dict[float, int] = {}
        self.updates = 0  # screens read
        # What a program left on rows (`LEFT`: a dialog's box on the primary screen), by
        # row: characters still shown where it left them are its, not a line written
        # there later (`unleft`, review-exports12 item 5).
        self.remains: dict[int, tuple[str, ...]] = {}
        # Lines erased (since, text) whose leading blanks were cells a program left
        # (`vtt_remains.unindented`): told without them when settled.
        self.unindent: dict[tuple[float, str], None] = {}
        self.cursor: tuple[int, int] | None = None  # the cursor of the last screen read
        # The line editor kept the keys since the screen before (bracketed paste on in both,
        # asked for no more times): no command ran between them (`vtt_prompts.menu`).
        self.kept_keys = False

    def _take(
        self, since: float, text: str, wrapped: bool, y: int, born: int, typed: bool = False,
        left: tuple[str, ...] | None = None,
    ) -> None:  # fmt: skip
        """A done row: a line of its own, or the rest of the one wrapped onto it; `left`,
        what a program left in its cells, when `remains` no longer holds it by row y (it
        scrolled away: the rows' remains moved up before it is taken)."""
        if self.muted:
            self._open = None
            return
        if self._open is None and text[:1] == " " and (ticking(text) or text.strip() in "%#"):
            # (a prompt's clock drawn at the right, alone on its row, or twice after a
            # resize rewrapped it: no line, review-exports14 item 10; output starts at
            # its row's start; so is zsh's PROMPT_SP mark left alone on a row whose text
            # was a killed program's, review-exports15 item 8)
            self._rest = False
            return
        if self._open is not None:
            start, before = self.taken[self._open]
            self.taken[self._open] = (start, joined(before, text))
        else:
            left = self.remains.get(y, ()) if left is None else left
            text = unindented(text, left)  # (not the program's cells)
            self.taken.append((since, without_head(self, since, text) if typed else text))
            self.places.append((born, self.scrolls + y))
            if typed:
                self.commands.add(len(self.taken) - 1)
        self._open = len(self.taken) - 1 if wrapped else None
        self._rest = wrapped

    def _text(self, row: Row, wrapped: bool) -> str:
        """A row's text; a wrapped one with its cells up to the right edge (`row_cells`)."""
        return row_cells(row, self.cols) if wrapped else row_text(row)

    # What happens to the rows, each followed in the module named for it.

    def erase(
        self, y: int, row: Row, time: float, line_erased: bool = False, wrapped: bool | None = None
    ) -> None:
        """Row y, showing `row`, was blanked (vtt_erasures.erase)."""
        erase(self, y, row, time, line_erased, wrapped)

    def _settle(self, news: dict[int, str], now: float | None = None) -> None:
        settle(self, news, now)

    def scrolled(
        self, row: Row, time: float | None, wrapped: bool = False, bottom: int | None = None
    ) -> None:
        """The top row scrolled off the screen (vtt_scrolls.scrolled)."""
        scrolled(self, row, time, wrapped, bottom)

    def saved(self, row: Row, wrapped: bool) -> None:
        """A clear (ED 2) sent the row to the scrollback: its line, told or not as its
        erasure decides, is known there when a growth in rows brings it back."""
        self.history.append(self._text(row, wrapped))
        del self.history[: len(self.history) - HISTORY]

    def region_scrolled(
        self, rows: list[tuple[Row, bool]], time: float | None, top: int, bottom: int, how: str
    ) -> None:
        """Rows left rows moving together, but not to the scrollback (vtt_scrolls)."""
        region_scrolled(self, rows, time, top, bottom, how)

    def settle_now(self, rows: tuple[Row, ...], wrapped: frozenset[int]) -> None:
        """The rows erased since the last screen, decided against the rows as they stand
        in the middle of an event, before they move (a region scroll after a clear in one
        event: review-exports13 finding 8, the erased rows were still keyed by the rows
        they had left, and two lines were glued together)."""
        settle(self, {y: self._text(row, y in wrapped) for y, row in enumerate(rows)})

    def cover(self, time: float | None) -> None:
        """A full-screen program covers the screen (vtt_programs.cover)."""
        cover(self, time)

    def mute(self) -> None:
        """A program paints the primary screen (vtt_programs.mute)."""
        mute(self)

    def unsay(self, mark: int, time: float) -> None:
        """Lines taken after `mark` that appeared at `time` are not told (vtt_programs)."""
        unsay(self, mark, time)

    def ran(self, y: int, time: float, text: str) -> None:
        """A command run into a program's screen, told as typed (vtt_programs.ran)."""
        ran(self, y, time, text)

    def unmute(
        self,
        cursor: tuple[int, int] | None,
        changed: frozenset[int] = frozenset(),
        blank: frozenset[int] = frozenset(),
        rows: tuple[Row, ...] = (),
    ) -> None:
        """The program that painted the primary screen is gone (vtt_programs.unmute)."""
        unmute(self, cursor, changed, blank, rows)

    def restart(self, shell: bool) -> tuple[bool, int]:
        """The clip starts (--start-at) (vtt_programs.restart)."""
        return restart(self, shell)

    def uncover(self, screen: Screen) -> None:
        """Back from a full-screen program (vtt_programs.uncover)."""
        uncover(self, screen)

    def _take_rows(self, going_on: frozenset[int] = frozenset()) -> None:
        """The rows' lines not taken before are taken, but for prompts left with nothing
        typed (`left_prompt`) and the rows `going_on` (a line still being written)."""
        wraps = self.wraps + [False] * (len(self.texts) - len(self.wraps))
        for y, text in enumerate(self.texts):  # (a two-line prompt's head over one left)
            head = _bare(self.texts[y - 1]) if y > 0 else ""
            if head in self.prompt_heads and self.left_prompt(y, text):
                self.since[y - 1] = TAKEN
        rows = zip(self.since, self.texts, wraps, self.born, strict=True)
        for y, (since, text, wrapped, born) in enumerate(rows):
            if y in going_on:
                self._open = None
            elif self.left_prompt(y, text):
                # Output the prompt was drawn after (no newline at its end) is told; the
                # prompt left with nothing typed is not (the rest of `printf 'x%.0s'
                # {1..100}` wrapped onto the prompt's row: review-exports9 item 9).
                head = prompt_ahead(self, text)
                if head and since >= 0:
                    self._take(since, head, False, y, born)
                self._open = None
            elif text.strip() and since >= 0:  # (below 0: taken before)
                typed = is_typed(self, y, text)
                if typed and indented(self.leads.get(y, "")):
                    text = text.lstrip()  # (a command's next line: told without its indent)
                self._take(since, text, wrapped, y, born, typed)
            else:
                self._open = None
        self._open = None

    def reflow(
        self,
        rows: tuple[Row, ...],
        time: float,
        wrapped: frozenset[int] = frozenset(),
        rewrapped: tuple[Row, ...] = (),
        cursor: tuple[int, int] | None = None,
    ) -> None:
        """The terminal was resized: its lines moved (see `vtt_reflow.reflow`)."""
        reflow(self, rows, time, wrapped)
        rewrapped_told(self, rows, wrapped, rewrapped, cursor)

    def take_shown(self) -> None:
        """Before a resize: every line the screen shows is told as it shows it now, but
        the one the cursor is on (a command being typed, output still being written, a
        prompt waiting), which goes on. What the resize then does to these rows (the
        player rewraps them, a shell redraws its right prompt's clock after them) is no
        part of cues a listener was already given (review-exports16 item 1: a zsh
        command read later as its RPROMPT clock, a space put in a CJK line where the
        narrower screen could not fit a wide character)."""
        settle(self, {})
        wrapped = frozenset(y for y, on in enumerate(self.wraps) if on)
        going_on = cursor_line(self.cursor, wrapped, len(self.texts))
        top = min(going_on, default=0)
        waits = self.waiting is not None and self.waiting[0] in going_on and top > 0
        if waits and _bare(self.texts[top - 1]) in self.prompt_heads:  # (the prompt's head)
            self.since[top - 1] = TAKEN
        self._take_rows(going_on)
        for y in range(len(self.since)):
            if y not in going_on and self.since[y] >= 0:
                self.since[y] = TAKEN

    def finish(self) -> None:
        """The lines on the final screen that were not taken before are taken."""
        settle(self, dict(enumerate(self.texts)))
        self._take_rows()

    def left_prompt(self, y: int, text: str) -> bool:
        """Whether row y, showing `text`, is a prompt with nothing typed after it: one
        the cursor waited at (`prompts`), or one commands were typed after (a REPL's
        `>>> ` drawn twice, its `... ` left with Enter). No line: a bare `$`, `>>>` or
        `...` says nothing a listener needs, at the end of the cast too."""
        line = _bare(text)
        if self.prompts.get(y) == line or line in self.known_prompts:
            return True
        # (python's `... ` left with Enter in the event that typed the command above it:
        # the cursor never waited there, review-exports17 item 1)
        if line != "..." or not 0 < y <= len(self.texts):
            return False
        top = y - 1  # (the command's first row: it may wrap)
        while top > 0 and top - 1 < len(self.wraps) and self.wraps[top - 1]:
            top -= 1
        return self.texts[top].startswith((">>> ", "... "))

    def last_command(self, y: int) -> str:
        """The last command typed: on the lowest row at or above row y typed after a prompt
        (any row for y below 0), else the last told."""
        below = y if y >= 0 else len(self.texts)
        rows = [row for row in self.leads if row <= below and row < len(self.texts)]
        if rows:
            return self.texts[max(rows)]
        settle(self, {})  # (an erased one is done: the program's clear)
        return self.taken[max(self.commands)][1] if self.commands else ""

    def last_told(self) -> str:
        """The last command told (a row typed on that the screen no longer shows: one a
        program cleared as it started)."""
        settle(self, {})  # (an erased one is done: the program's clear)
        return self.taken[max(self.commands)][1] if self.commands else ""

    def unshown(self, time: float) -> None:
        """The rows written from `time` on that no command was typed on are a program's
        (one found painting the screen after them): not told."""
        for y, since in enumerate(self.since):
            if since >= time and y not in self.leads:
                self.since[y] = TAKEN

    def typed(self, y: int) -> str:
        """What was added to row y after it appeared: a command typed after a prompt."""
        if not 0 <= y < min(len(self.texts), len(self.first)):
            return ""
        text, first = self.texts[y], self.first[y]
        return text[len(first) :] if first and text.startswith(first) else ""

    def update(
        self,
        rows: tuple[Row, ...],
        time: float,
        cols: int,
        wrapped: frozenset[int],
        cursor: tuple[int, int] | None = None,
        paste: bool = False,
        wrote: tuple[tuple[int, int, int], ...] = (),
    ) -> None:
        """A screen read (vtt_reading.read_screen)."""
        read_screen(self, rows, time, cols, wrapped, cursor, paste, wrote)
        self.fresh = len(self.taken)
