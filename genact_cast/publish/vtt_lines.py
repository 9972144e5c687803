"""The lines of the shell's screen for the subtitles (publish/vtt.py): what each row
shows and since when, and the lines done (scrolled away, erased, covered, on the final
screen), with wrapped rows joined, typed commands kept whole and resizes followed."""

from __future__ import annotations

import re

from genact_cast.publish.screens import Row, Screen, row_text
from genact_cast.publish.vtt_cues import MERGE_SECONDS, same_line
from genact_cast.publish.vtt_drafts import redrawn
from genact_cast.publish.vtt_reflow import reflow
from genact_cast.publish.vtt_sessions import (
    prompt,
    waiting_prompt,
    without_right_prompt,
)
from genact_cast.publish.vtt_text import GAP, joined, rewritten, written
from genact_cast.publish.vtt_text import bare as _bare
from genact_cast.publish.vtt_text import piece as _piece
from genact_cast.publish.vtt_text import shift as _shift

REDRAW_SECONDS = 0.5  # how long a row blanked by an erasure may stay blank and be redrawn
HISTORY = 1000  # lines that scrolled away a resize may bring back (the player keeps 1000)
# A row's `since` when its line was taken before (or is not told); LEFT for a row a program
# that painted the primary screen left there (its page: not the shell's lines).
TAKEN = -1.0
MAX_PROMPTS = 16  # prompts remembered (the oldest forgotten first)
LEFT = -2.0


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
        self.scrolls = 0
        self.epoch = 0
        self.born: list[int] = []  # each row's line: the epoch it appeared in
        # rows an erasure blanked since the last screen: (since, text, wrapped, when, born,
        # typed), born below 0 (-1 - epoch) for a line no screen showed
        self.erased: dict[int, tuple[float, str, bool, float, int, bool]] = {}
        self.covered: list[str] = []  # the rows when a full-screen program covered them
        self.left: list[bool] = []  # which of them a painting program had left (`LEFT`)
        self.covering = False  # a full-screen program covers them now
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
        # A command row typed after a prompt that scrolled away since the last screen:
        # its taken line, text and prompt (a draft, if the next screen draws it again).
        self.scrolled_typed: tuple[int, str, str] | None = None
        # Rows where a shell's prompt (`prompt`: `$ `, `# `, `>>> `) waited and nothing was
        # typed after it, with their text: left so (Ctrl-D, Ctrl-L, `clear`, Enter) they
        # are no line of output; only the prompt waiting at the end is told.
        self.prompts: dict[int, str] = {}
        self.known_prompts: dict[str, None] = {}  # prompts commands were typed after
        self.edited: dict[int, str] = {}  # erased command rows (their prompt): see `erase`
        self.wiped: dict[int, int] = {}  # rows erased while muted: `updates` then
        self.updates = 0  # screens read

    def _take(
        self, since: float, text: str, wrapped: bool, y: int, born: int, typed: bool = False
    ) -> None:
        """A done row: a line of its own, or the rest of the one wrapped onto it."""
        if self.muted:
            self._open = None
            return
        if self._open is not None:
            start, before = self.taken[self._open]
            self.taken[self._open] = (start, joined(before, text))
        else:
            self.taken.append((since, text))
            self.places.append((born, self.scrolls + y))
            if typed:
                self.commands.add(len(self.taken) - 1)
        self._open = len(self.taken) - 1 if wrapped else None
        self._rest = wrapped

    def _output_before(self, y: int, lead: str) -> None:
        """A command is typed on row y after `lead`: if that is a prompt seen before with
        output not ended by a newline in front of it (`printf "no newline"` in bash: the
        prompt drawn after it, `no newline$ `), that output is told as its own line, from
        when it appeared (the command, from its first key, is the row as it reads). Not
        output that ends on a blank: the prompt may have grown there (`(venv) $ `)."""
        lead = _bare(lead)
        for known in self.known_prompts:
            head = lead[: len(lead) - len(known)]
            if lead.endswith(known) and head.strip() and not head[-1].isspace():
                if self.since[y] >= 0 and not self.muted:
                    self.taken.append((self.since[y], head))
                    self.places.append((self.born[y], self.scrolls + y))
                return
        self.known_prompts[lead] = None
        while len(self.known_prompts) > MAX_PROMPTS:
            del self.known_prompts[next(iter(self.known_prompts))]

    def _menu(self, cursor: tuple[int, int] | None, time: float) -> None:
        """Rows drawn under a command being typed, the cursor back on its row (zsh's
        completion list and menu, prompt_toolkit's), are the line editor's, not output:
        not told (the command is, then what it prints, below it after Enter). Not the rows
        the command itself wrapped onto."""
        if cursor is None or cursor[1] not in self.leads:
            return
        y = cursor[1]
        while y < len(self.wraps) - 1 and self.wraps[y]:
            y += 1  # (the command's own rows)
        for below in range(y + 1, len(self.texts)):
            if self.since[below] == time and self.texts[below].strip():
                self.since[below] = TAKEN

    def _typed(self, y: int, text: str) -> bool:
        """Whether row y, now `text`, is a command typed: one typed after a prompt the
        cursor waited at (`leads`), or a row that grew after it appeared (the keys echoed
        one by one; typed ahead, the first arrives with the prompt, which never waits)."""
        if y in self.leads:
            return True
        first = self.first[y] if 0 <= y < len(self.first) else ""
        return bool(first.strip()) and _bare(text) != _bare(first) and text.startswith(first)

    def _text(self, row: Row, wrapped: bool) -> str:
        """A row's text; a wrapped one with its cells up to the right edge (a space it
        ended on kept: the row keeps no trailing blank cell, so each missing cell is one).
        A wide character's right half is no character, so a row of them is half as many
        characters as cells; one that did not fit in the last cell went to the next row,
        leaving that cell empty: no space there (avt, like xterm, wraps it whole)."""
        if not wrapped:
            return row_text(row)
        gap = self.cols - len(row)
        text = "".join(char for char, _ in row)
        if gap == 1:  # a space written there, or the cell a wide character did not fit in
            return text + ("" if row and row[-1][0] == "" else GAP)  # (wide: the latter)
        return text + " " * max(gap, 0)

    def erase(self, y: int, row: Row, time: float, line_erased: bool = False) -> None:
        """Row y, showing `row`, was blanked: decided when the row is next seen (`_settle`).
        Its text is the row's as erased when that is more of the line shown (typing that
        went on after the last screen), else the line shown; a line written since the last
        screen and erased before the next is told as a line that scrolled away unseen is
        (`seq 20; clear` in one read of a 10-row terminal: all twenty), unless the
        erasure was of the cursor's line (`line_erased`: EL, ECH): a line drawn and drawn
        over in place before any screen showed it (fish's `⏎` mark for output without a
        newline, a spinner's frame). A command line typed after a prompt and erased at the
        cursor, then drawn again after the same prompt, is that command line edited (a
        shell's grey suggestion taken away, a completion): it goes on, not told apart."""
        left = self.prompts.pop(y, None)
        if y < len(self.texts) and left == _bare(row_text(row)) == _bare(self.texts[y]):
            self.since[y] = TAKEN  # (a prompt left with nothing typed: no line)
        if self.muted:
            self.wiped[y] = self.updates
        if y >= len(self.texts) or y in self.erased:
            self.leads.pop(y, None)  # (a prompt drawn here next is a new one)
            self.rights.pop(y, None)
            return
        shown = self.texts[y]
        wrapped = y < len(self.wraps) and self.wraps[y]
        typed = self._typed(y, shown)
        lead, right = self.leads.get(y, ""), self.rights.get(y, "")
        if not (line_erased and lead and typed):
            self.leads.pop(y, None)
            self.rights.pop(y, None)
        text = without_right_prompt(self._text(row, wrapped), lead, right)
        if shown.strip() and self.since[y] >= 0:  # (since below 0: taken before)
            text = text if text.startswith(_bare(shown)) else shown
            self.erased[y] = (self.since[y], text, wrapped, time, self.born[y], typed)
            if y in self.leads:
                self.edited[y] = lead
        elif not shown.strip() and row_text(row).strip():
            if line_erased:
                return  # (never shown)
            unseen = (time, row_text(row), False, time, -1 - self.epoch, False)
            self.erased[y] = unseen
        else:
            return
        self.epoch += 1  # what is written next comes after the erased line

    def _settle(self, news: dict[int, str], now: float | None = None) -> None:
        """Erased rows as they are drawn now: one redrawn with the same line goes on as
        that line; any other erased line is done, ending at its erasure. At `now` (a
        screen, not the end), a line whose row is still blank waits up to `REDRAW_SECONDS`
        for the redraw: a dashboard's redraw may reach two screens."""
        gone: list[tuple[int, float, str, bool, float, int, bool]] = []
        waiting = {}
        used: set[int] = set()
        for y in sorted(self.erased):
            since, old, wrapped, time, born, typed = self.erased[y]
            lead = self.edited.get(y)
            if lead is not None and news.get(y, "").startswith(lead):
                continue  # the command line edited (see `erase`): it goes on
            above = self.erased.get(y - 1)
            if above is not None and above[2]:  # the rest of a wrapped line: as its start
                if y - 1 in waiting:
                    waiting[y] = self.erased[y]
                elif gone and gone[-1][0] == y - 1:
                    gone.append((y, since, old, wrapped, time, max(born, -1 - born), False))
                continue
            if born < 0:  # never shown: one of a bar's redraws between two screens, say
                born = -1 - born
                if any(same_line(old, new) for new in news.values()):
                    continue
            else:
                # The same line may be drawn lower: a live block or a progress bar moves
                # down under lines printed above it. Each row of the new screen is one line.
                again = next(
                    (
                        b
                        for b in sorted(news)
                        if b >= y and b not in used and same_line(old, news[b])
                    ),
                    None,
                )
                if again is not None:
                    used.add(again)
                    continue
            if now is not None and now - time < REDRAW_SECONDS and not news.get(y, "").strip():
                waiting[y] = self.erased[y]
                continue
            gone.append((y, since, old, wrapped, time, born, typed))
        for y, _, old, *_ in gone:
            if 0 <= y < len(self.texts) and old.startswith(_bare(self.texts[y])):
                self.texts[y] = ""  # (unless a line was written there since)
        self.erased = waiting
        for y in [y for y in self.edited if y not in waiting]:
            if not news.get(y, "").startswith(self.edited.pop(y)):
                self.leads.pop(y, None)  # (not that command line: a prompt here is new)
                self.rights.pop(y, None)
        if self.muted:
            gone = []
        going = -1  # the taken line a wrapped erased row goes on in
        for index, (y, since, old, wrapped, time, born, typed) in enumerate(gone):
            if going >= 0 and gone[index - 1][0] == y - 1:
                start, before = self.taken[going]
                self.taken[going] = (start, joined(before, old))
            else:
                self.taken.append((since, old))
                self.places.append((born, self.scrolls + y))
                going = len(self.taken) - 1
                self.ends[going] = time
                if typed:
                    self.commands.add(going)
            if not wrapped:
                going = -1

    def scrolled(self, row: Row, time: float | None, wrapped: bool = False) -> None:
        wrapped = wrapped and not _missing_newline_mark(row, self.cols)
        text = self._text(row, wrapped)
        typed = bool(self.texts) and self._typed(0, text)
        left = self.prompts.get(0) == _bare(text)  # (a prompt left with nothing typed)
        # The row's line was shown, then written over in the event that scrolled it away
        # (not erased: that is told as erased; not a prompt left, nor part of a wrapped line).
        plain = 0 not in self.erased and 0 not in self.prompts and self._open is None
        plain = plain and not (self.wraps[:1] and self.wraps[0])
        self.prompts = {y - 1: line for y, line in self.prompts.items() if y > 0}
        if 0 in self.leads:
            text = without_right_prompt(text, self.leads[0], self.rights.get(0, ""))
        if not self.texts:  # before the first screen (a cast's output at 0 s): still told
            if time is not None and text.strip():
                self._take(time, text, wrapped, 0, self.epoch)
                self.history.append(text)
                self.scrolls += 1
            return
        if self.erased:  # (one scrolled away is still looked for on the next screen)
            self.erased = {y - 1: entry for y, entry in self.erased.items()}
            self.edited = {y - 1: lead for y, lead in self.edited.items() if y > 0}
        self.wiped = {y - 1: when for y, when in self.wiped.items() if y > 0}
        old, since, born = self.texts.pop(0), self.since.pop(0), self.born.pop(0)
        self.texts.append("")
        self.since.append(0.0)
        self.born.append(self.epoch)
        self.wraps = [*self.wraps[1:], False]
        self.first = [*self.first[1:], ""]
        same = bool(old) and text.startswith(old)
        row_text_ = text
        if not same and since >= 0 and plain and time is not None and not self.muted:
            if _another(old, text):  # told as it was shown, then what was written over it
                self.taken.append((since, old))
                self.places.append((born, self.scrolls))
                self.ends[len(self.taken) - 1] = time
                text = written(old, text)
        elif not same and since < 0:
            text = written(old, text)  # (written over in the event that scrolled it)
        # (since below 0: taken before, unless written over since: in the event that scrolled)
        if time is not None and text.strip() and (since >= 0 or not same) and not left:
            first = since if same else time
            count = len(self.taken)
            self._take(first, text, wrapped, 0, born if same else self.epoch, typed)
            if len(self.taken) > count and self.leads.get(0):
                self.scrolled_typed = (count, _bare(text), self.leads[0])
        else:
            self._open = None
        self.history.append(row_text_)
        del self.history[: len(self.history) - HISTORY]
        self.scrolls += 1
        if self.covering:
            # The screen restored scrolled before it was shown (tmux's `[exited]` printed
            # on the bottom row in the event that left): the covered rows moved up with it.
            self.covered = [*self.covered[1:], ""]
            self.left = [*self.left[1:], False]
        self.leads = {y - 1: lead for y, lead in self.leads.items() if y > 0}
        self.rights = {y - 1: right for y, right in self.rights.items() if y > 0}
        self.waiting = None

    def region_scrolled(
        self, row: Row, time: float | None, wrapped: bool, top: int, bottom: int
    ) -> None:
        """A row scrolled out of a region whose top margin is below the first row: told as
        a row scrolled off the screen is; the rows of the region move up, the others stay
        (the player keeps no scrollback of it)."""
        if not 0 < top <= bottom < len(self.texts):
            return
        text = self._text(row, wrapped)
        old, since, born = self.texts[top], self.since[top], self.born[top]
        outer, self._open = self._open, self._region_open  # (a line wrapped in the region)
        same = bool(old) and text.startswith(_bare(old))
        # The line shown there was written over before it scrolled (one event drew into
        # the region and scrolled it): the player showed it, so it is told, whole (the
        # rows it wrapped onto are done with it).
        shown = old
        over = time is not None and old.strip() and not same and _another(old, text)
        if over and since >= 0 and time is not None:
            y = top
            while y < bottom and self.wraps[y]:
                y += 1
                old, self.texts[y] = joined(old, self.texts[y]), ""
            self.taken.append((since, old))
            self.places.append((born, self.scrolls + top))
            self.ends[len(self.taken) - 1] = time
        if over or (not same and since < 0):
            text = written(shown, text)  # (what was written over it, never shown)
        if time is not None and text.strip() and (since >= 0 or not same):  # (as in scrolled)
            self._take(since if same else time, text, wrapped, top, born if same else self.epoch)
        else:
            self._open = None
        self._region_open, self._open = self._open, outer
        _shift(self.texts, top, bottom, "")
        _shift(self.first, top, bottom, "")
        _shift(self.since, top, bottom, time if time is not None else 0.0)
        _shift(self.born, top, bottom, self.epoch)
        _shift(self.wraps, top, bottom, False)

        def moved(y: int) -> int:
            return y - 1 if top < y <= bottom else y

        self.erased = {moved(y): e for y, e in self.erased.items() if y != top}
        self.prompts = {moved(y): v for y, v in self.prompts.items() if y != top}
        self.edited = {moved(y): e for y, e in self.edited.items() if y != top}
        self.leads = {moved(y): v for y, v in self.leads.items() if y != top}
        self.rights = {moved(y): v for y, v in self.rights.items() if y != top}
        self.waiting = None

    def cover(self, time: float) -> None:
        """A full-screen program covers the screen: every line on it is done."""
        self._settle({})
        self._take_rows()
        self.covered = list(self.texts)
        self.left = [since == LEFT for since in self.since]
        self.covering = True
        self.since = [-1.0] * len(self.texts)  # taken: not again if the cast ends covered

    def mute(self) -> None:
        """A program paints the primary screen (top, less -X: no alternate screen): the
        lines it found are done, as under a full-screen program; nothing it draws is told."""
        self.cover(0.0)
        self.muted, self.wiped = True, {}

    def unsay(self, mark: int, time: float) -> None:
        """The lines taken after the first `mark` that appeared at `time` are not told
        (a program's page, scrolled away as it was drawn, before it was known to be one)."""
        kept = [i for i in range(mark, len(self.taken)) if self.taken[i][0] < time]
        if len(kept) == len(self.taken) - mark:
            return
        ends = {i: end for i, end in self.ends.items() if i < mark}
        ends.update((mark + n, self.ends[i]) for n, i in enumerate(kept) if i in self.ends)
        commands = {i for i in self.commands if i < mark}
        self.commands = commands | {mark + n for n, i in enumerate(kept) if i in self.commands}
        self.taken[mark:] = [self.taken[i] for i in kept]
        self.places[mark:] = [self.places[i] for i in kept]
        self.ends, self._open, self._region_open = ends, None, None

    def ran(self, y: int, time: float, text: str) -> None:
        """A command typed at the prompt on row y (above the screen when below 0) and run
        in the screen a program then painted over: told as typed, not as the bare prompt
        the last screen showed."""
        if 0 <= y < len(self.since):
            self.since[y] = -1.0
        self.commands.add(len(self.taken))
        self.taken.append((time, text))
        self.places.append((self.epoch, self.scrolls + y))

    def unmute(
        self,
        cursor: tuple[int, int] | None,
        changed: frozenset[int] = frozenset(),
        blank: frozenset[int] = frozenset(),
    ) -> None:
        """The program is gone: the rows it left above the cursor are its last screen
        (not told, then or later), but for those written (`changed`) in the screen it left
        in that its last screen showed `blank` or that it erased for it (what it printed
        on leaving, on the rows it cleared: fzf's choice); the cursor's row on is the
        shell's again."""
        self._settle({})  # (erasures while it ran: its own)
        self.muted = self.covering = False
        below = min(cursor[1] if cursor is not None else len(self.texts), len(self.since))
        for y in range(below):
            now = y in changed and (y in blank or self.wiped.get(y) == self.updates - 1)
            if not (now and self.since[y] >= 0 and self.texts[y].strip()):
                self.since[y] = LEFT
        self.wiped = {}

    def restart(self, shell: bool) -> tuple[bool, int]:
        """The clip starts (--start-at): the lines done before are not told; of the shell's
        lines on the screen, the last command typed and what followed it are (from the
        start), the lines above it are not (their count is returned: a cue says how many),
        and a page a program left there is not (True if one is: its cue stands for it).
        `shell`: the shell's screen is shown (no program covers or paints it), else its
        rows are left as they stand."""
        self.taken, self.places, self.ends = [], [], {}
        self.commands = set()
        self.erased.clear()
        self.edited.clear()
        self._open = self._region_open = None
        if not shell:
            return False, 0
        self.since = [since if since >= 0 or since == LEFT else 0.0 for since in self.since]
        left = any(
            since == LEFT and text.strip()
            for since, text in zip(self.since, self.texts, strict=True)
        )
        rows = [*self.leads, *([self.waiting[0]] if self.waiting is not None else [])]
        command = max((y for y in rows if 0 <= y < len(self.texts)), default=0)
        earlier = 0
        for y in range(command):
            if self.since[y] >= 0 and self.texts[y].strip():
                if not (y > 0 and y - 1 < len(self.wraps) and self.wraps[y - 1]):
                    earlier += 1  # (a wrapped line's rest is the same line)
                self.since[y] = TAKEN
        return left, earlier

    def _overwritten(self, y: int, old: str, text: str, time: float, wraps: list[bool]) -> None:
        """Row y, shown with `old`, is written over in place with another line (`\\e[6H`
        then text, a make-style status rewritten after `\\e[2A`): the line shown is told,
        whole (with the rows it wrapped onto, as `wraps` had them), ending now. A redraw of
        the same line (a progress bar, a dashboard's numbers) is not: one whose words are
        the same (`rewritten`), nor one shown for less than `MERGE_SECONDS` (bash's
        reverse search redrawn at each key: a state a person does not get to read)."""
        start = not (0 < y <= len(wraps) and wraps[y - 1])  # (not the rest of a line)
        if not (start and old.strip() and self.since[y] >= 0 and not self.muted):
            return
        if time - self.since[y] < MERGE_SECONDS:
            return
        if y in self.leads or not rewritten(old, text):
            return  # (a prompt and its command: told as typed)
        rest = y
        while rest < min(len(wraps), len(self.texts) - 1) and wraps[rest]:
            rest += 1
            old = joined(old, self.texts[rest])
            self.since[rest] = -1.0  # (told with it)
        self.taken.append((self.since[y], old))
        self.places.append((self.born[y], self.scrolls + y))
        self.ends[len(self.taken) - 1] = time

    def _take_rows(self, waiting: int | None = None) -> None:
        """The rows' lines not taken before are taken, but for prompts left with nothing
        typed (only the one `waiting`, at the end, is told)."""
        wraps = self.wraps + [False] * (len(self.texts) - len(self.wraps))
        rows = zip(self.since, self.texts, wraps, self.born, strict=True)
        for y, (since, text, wrapped, born) in enumerate(rows):
            if y != waiting and self.prompts.get(y) == _bare(text):
                self._open = None
            elif text.strip() and since >= 0:  # (below 0: taken before)
                self._take(since, text, wrapped, y, born, self._typed(y, text))
            else:
                self._open = None
        self._open = None

    def uncover(self, screen: Screen) -> None:
        """Back from the program: the rows it restored were taken (not repeated later).
        After a resize inside the program the restored rows are the old lines rewrapped,
        some back from the scrollback: a row above the cursor that is a piece of the lines
        shown or scrolled away before, in their order, was taken too."""
        self.erased.clear()  # (erasures are told only on the shell's screen)
        self.edited.clear()
        self.covering = False
        leads, rights = self.leads, self.rights  # (covered rows were kept without these)
        self.leads, self.rights, self.waiting, self.prompts = {}, {}, None, {}
        rows, time, cols, cursor = screen.rows, screen.time, screen.cols, screen.cursor
        self.texts = [row_text(row) for row in rows]
        self.first = list(self.texts)  # a prompt written on its way back: typed after
        self.wraps = [False] * len(rows)
        self.born = [self.epoch] * len(rows)
        self._open = None
        self.since = [
            (LEFT if self.left[y] else TAKEN)
            if y < len(self.covered)
            and without_right_prompt(text, leads.get(y, ""), rights.get(y, "")).rstrip()
            == _bare(self.covered[y])  # (a wrapped row was kept with its blanks)
            else time
            for y, text in enumerate(self.texts)
        ]
        if cursor is None or (cols, len(rows)) == (self.cols, len(self.covered)):
            return  # (no resize: the rows are where they were)
        self.cols, self.wraps = cols, [y in screen.wrapped for y in range(len(rows))]
        self.texts = [self._text(row, w) for row, w in zip(rows, self.wraps, strict=True)]
        pieces = [_piece(text) for text in [*self.history, *self.covered]]
        seen = "".join(pieces)
        at = 0
        top: int | None = None  # where the first row restored starts in what was seen
        for y, text in enumerate(self.texts[: cursor[1]]):
            piece = _piece(text)
            found = seen.find(piece, at) if piece else -1
            if found >= 0:
                self.since[y] = -1.0
                at = found + len(piece)
                top = found if top is None else top
        # The covered lines above the first row restored went to the scrollback as the
        # program's screen shrank: a later resize that brings them back brings no new line.
        start = sum(map(len, pieces[: len(self.history)]))
        for text, piece in zip(self.covered, pieces[len(self.history) :], strict=True):
            if top is None or start + len(piece) > top:
                break
            if piece:
                self.history.append(text)
            start += len(piece)
        del self.history[: len(self.history) - HISTORY]

    def reflow(self, rows: tuple[Row, ...], time: float) -> None:
        """The terminal was resized: its lines moved (see `vtt_reflow.reflow`)."""
        reflow(self, rows, time)

    def finish(self) -> None:
        """The lines on the final screen that were not taken before are taken."""
        self._settle(dict(enumerate(self.texts)))
        self._take_rows(self.waiting[0] if self.waiting is not None else None)

    def last_command(self, y: int) -> str:
        """The last command typed: on the lowest row at or above row y typed after a prompt
        (any row for y below 0), else the last told."""
        below = y if y >= 0 else len(self.texts)
        rows = [row for row in self.leads if row <= below and row < len(self.texts)]
        if rows:
            return self.texts[max(rows)]
        return self.taken[max(self.commands)][1] if self.commands else ""

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
    ) -> None:
        self.cols = cols
        self.updates += 1
        self._region_open = None
        wrapped = frozenset(y for y in wrapped if not _missing_newline_mark(rows[y], cols))
        news = [self._text(row, y in wrapped) for y, row in enumerate(rows)]
        blanked = set(self.erased)  # (rows an erasure reached: its lines are told there)
        if self.erased:
            self._settle(dict(enumerate(news)), time)
        while len(self.texts) < len(rows):
            self.texts.append("")
            self.since.append(time)
            self.born.append(self.epoch)
        del self.texts[len(rows) :], self.since[len(rows) :], self.born[len(rows) :]
        self.first = (self.first + [""] * len(rows))[: len(rows)]
        shown, self.wraps = self.wraps, [y in wrapped for y in range(len(rows))]
        for y, text in enumerate(news):
            old = self.texts[y]
            here = self.waiting is not None and self.waiting[0] == y
            waited, right = self.waiting[1:] if self.waiting is not None and here else ("", "")
            lead = self.leads.get(y, waited)
            right = self.rights.get(y, right)
            if right and (y in self.leads or (here and text != old)):
                text = news[y] = without_right_prompt(text, lead, right)
            if _bare(text) == _bare(old):
                pass  # (the same, wrapped now or no longer: a resize's rows met again)
            elif text != old and lead and old.startswith(lead) and text.startswith(lead):
                # The first key typed; after a prompt taken before (one a full-screen
                # program covered, restored as it exits) what is written is a new line.
                if y not in self.leads:
                    self._output_before(y, lead)
                    self.since[y] = time
                    self.born[y] = self.epoch
                self.leads[y] = self.first[y] = lead
                self.rights[y] = right
            elif self.since[y] >= 0 and (tail := _right_kept(old, text, self.cols)):
                # Typed on a row whose prompt never waited (typed ahead), left of a right
                # prompt kept at the row's end: the same line growing, without the prompt.
                self.leads.setdefault(y, "")
                self.rights[y] = tail
                text = news[y] = without_right_prompt(text, "", tail)
            elif text != old and not (old and text.startswith(old) and self.since[y] >= 0):
                if y not in blanked:
                    self._overwritten(y, old, text, time, shown)
                self.leads.pop(y, None)
                self.rights.pop(y, None)
                self.since[y] = time  # a new line here, not more of the same one
                self.born[y] = self.epoch
                redrawn(self, y, text, time)  # (a command redrawn under a completion list)
                if y == 0 and not self._rest:
                    self._open = None  # not the rest of a line that scrolled away
                if not (self.first[y] and text.startswith(self.first[y])):
                    self.first[y] = text  # (a prompt line edited keeps its prompt)
            elif text != old and old == self.first[y] and prompt(old) and self.since[y] >= 0:
                self.since[y] = time  # the first character typed after a prompt
                self.born[y] = self.epoch
            self.texts[y] = text
        self._rest = False
        self.scrolled_typed = None
        self._menu(cursor, time)
        # (a row typed on since it appeared is no prompt: a space typed in a command)
        fresh = {y for y, text in enumerate(news) if _bare(text) == _bare(self.first[y])}
        self.waiting = waiting_prompt(rows, cursor, fresh - set(self.leads))
        self.prompts = {
            y: line for y, line in self.prompts.items() if y < len(news) and _bare(news[y]) == line
        }
        if self.waiting is not None and prompt(self.waiting[1] + " "):
            self.prompts[self.waiting[0]] = _bare(news[self.waiting[0]])


def _another(old: str, text: str) -> bool:
    """Whether `text`, written over a row that showed `old`, is another line (not a
    redraw of it: a progress bar, a dashboard's numbers)."""
    return bool(old.strip()) and (rewritten(old, text) or not same_line(old, text))


def _missing_newline_mark(row: Row, cols: int) -> bool:
    """Whether a row the terminal wrapped is zsh's mark for a line not ended by a newline
    (PROMPT_SP: `%` or `#`, then blanks past the right edge, then `\\r \\r` and the
    prompt drawn over the row they wrapped onto): the line ends at the mark, the prompt
    and the command typed after it are a line of their own (s3.cast of review-exports6,
    zsh 5.9: `cd /tmp` typed ahead, then the prompt)."""
    text = row_text(row)
    return cols - len(row) >= 2 and text.endswith(("%", "#")) and len(text) == len(row)


_RIGHT = re.compile(r"(.*\S) {2,}(\S.*)")  # a row's text, a gap, and what ends the row


def _right_kept(old: str, new: str, cols: int) -> str:
    """The right prompt (zsh's RPROMPT) both texts of a row end with at its right edge, if
    the text left of it grew (a command typed there), else ""."""
    a, b = _RIGHT.fullmatch(old.rstrip()), _RIGHT.fullmatch(new.rstrip())
    if a is None or b is None or len(old.rstrip()) != len(new.rstrip()):
        return ""
    if len(new.rstrip()) < cols - 2 or a[2] != b[2] or a[1] == b[1]:
        return ""
    return b[2] if b[1].startswith(a[1]) else ""
