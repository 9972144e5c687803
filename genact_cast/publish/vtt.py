"""WebVTT subtitles of a cast: each line of output with the time it appeared.

Made to be followed by someone who cannot see the screen (a screen reader reads the
cues). A line is taken when it is done: when it scrolls off the top of the screen, when
a full-screen program covers it, or as it stands on the final screen; a line the terminal
wrapped over several rows (one the program wrote as one line) is one line here (cut at
`MAX_LINE_CHARS` with an ellipsis). A line
redrawn in place (a progress bar, a spinner, a live block) is told as the player shows it
over time: its first value from when it appeared (to its first redraw, a second at
least), then the value it settles on from its last redraw (the values between are not
told; a redraw under `MERGE_SECONDS` after it appeared is still its first value); a
line an erasure blanked (`clear`, `\\e[2J`, `\\e[J`,
`\\e[K` on the whole line, a reset) is done unless its row is then drawn again with what
reads as the same line (a progress bar or dashboard redrawn after a clear: the same text,
or one similar enough, see `same_line`); its cue ends at the erasure, not at the next cue.
characters typed one at a time join into the line they make (a typed command is its own
cue), timed from the first: after a prompt, from the first character of the command,
not from the prompt. A prompt is where the cursor waits after a space with nothing after
it but a right prompt, whatever its symbols (`$`, `❯`, `➜`, powerline's U+E0B0).
Lines that appear less than `MERGE_SECONDS` apart share one cue, but for a command typed
(also typed ahead: its first key echoed with the prompt), which starts a cue of its own,
with its output when that follows within `COMMAND_SECONDS` (pdb's one-key commands); the
echo of keys typed before the prompt was drawn, left in front of it on the row, is no part
of the command (`lsme@box:~$ ls -la` is `me@box:~$ ls -la`, vtt_drafts.py). A
prompt left with nothing typed after it (Ctrl-L, Ctrl-D, a resize) is no line; one with
output in front of it (no newline at its end) tells that output as a line, the command
without it; a command line bash or node draws again under a completion list is told once,
from its first key, then the list once; a line given up (Ctrl-U) is told as typed.

A full-screen program's session (the alternate screen: vim, less, htop) is one cue,
`[vim]`, named by the command typed before it (the last one typed when the row above it
shows output: vim back after `:!ls`; after `fg` the job line the shell printed; a shell
function or alias, `edit f.txt`, by the program its screen shows, as below; after a
shell's `exit`, the program whose session that shell came after: vim back after `:sh`), else by
the command the cast was recorded with (its header's `command`) unless that is a shell,
else by its window title or a line the program draws itself (vtt_launched.py: htop's
function bar), else `[full-screen program]` (never by a line of a file it showed: a file's
first line says nothing of the program); a multiplexer the cast was recorded with (`asciinema
rec -c tmux`, with or without `command` in the header) is told as one typed is; not its
screen dump; when it exits, the shell's lines it covered are
not repeated (but output it covered before it could be read, under `MERGE_SECONDS` after
it appeared: told then, vtt_programs.cover). So is a program that paints the primary
screen (top, less -X as git's pager runs it): one that takes the arrow keys (DECCKM), or
puts the cursor on most rows by their number (`TERM=vt220 htop`: no alternate screen, no
keypad mode), or clears the screen after a command and puts the cursor back above the
rows it drew (`TERM=ansi vim`), and redraws many rows at once while no prompt waits
(vtt_painting.py); its last screen is not told either, nor what it wrote in the screen
before it was known to paint. The command is read from the shell's screen as the switch
found it, so one echoed in the same event as the switch (pasted or scripted typing) names
it and comes before it; with no command there (the program cleared it), the last command
told names it.

A clip that starts later (--start-at) follows the cast from its beginning (the screens
before the start, `Screen.lead`) and starts as a listener needs it: what is on the screen
at the start is told there, a program's session or a page a pager left as its cue (not
its screen dump), the shell's lines as lines.

A resize moves lines (the player rewraps them and brings back its scrollback): a line
still shown, whole or rewrapped, keeps its time, one brought back is not told again;
those shown are told as they stood before it, but for the cursor's (`Lines.take_shown`).

The lines are followed in publish/vtt_lines.py (prompts and commands in vtt_prompts.py,
erasures in vtt_erasures.py, lines redrawn in place in vtt_redraws.py, scrolling in
vtt_scrolls.py, full-screen programs in vtt_programs.py, their text in vtt_text.py, a
resize's rewrap in vtt_reflow.py, the command that started a program in vtt_started.py,
one painting the primary screen in vtt_painted_by.py), the shell's screen and what the
terminal tells between screens in vtt_shell_view.py, a multiplexer's panes in vtt_mux.py;
the cues are put in order in vtt_gathered.py, made and every line escaped in
publish/vtt_cues.py (`escape_cue`).
"""

from __future__ import annotations

from collections.abc import Iterator

from genact_cast.publish.screens import Screen, Timeline, row_text
from genact_cast.publish.vtt_cues import escape_cue, same_line, timestamp
from genact_cast.publish.vtt_dialogs import Answers
from genact_cast.publish.vtt_gathered import gathered
from genact_cast.publish.vtt_killed import (
    died_writing,
    drawn_over,
    leave_covered,
    restore,
    writing_at,
)
from genact_cast.publish.vtt_killed import shell_back as shell_back_on
from genact_cast.publish.vtt_launched import (
    GENERIC,
    SIGNATURE_SCREENS,
    Unnamed,
    recorded_multiplexer,
    shown_name,
)
from genact_cast.publish.vtt_lines import Lines
from genact_cast.publish.vtt_marks import TAKEN
from genact_cast.publish.vtt_mux import MULTIPLEXERS, Multiplexed, attach
from genact_cast.publish.vtt_painted_by import painted_by
from genact_cast.publish.vtt_painting import (
    addressing,
    back_up,
    homed,
    paging,
    painted,
    rewritten,
    shell_back,
)
from genact_cast.publish.vtt_sessions import session_name, typed_program
from genact_cast.publish.vtt_shell_view import ShellView
from genact_cast.publish.vtt_started import started_by
from genact_cast.publish.vtt_text import CUT, MAX_LINE_CHARS

__all__ = [
    "CUT",
    "MAX_LINE_CHARS",
    "escape_cue",
    "render_vtt",
    "same_line",
    "session_name",
    "timestamp",
]

# Programs whose screen is what they say (a question and its buttons): told after their
# name, not summed up by it alone (review-exports8 item 13).
DIALOGS = frozenset({"whiptail", "dialog", "gdialog", "cdialog"})


def render_vtt(timeline: Timeline) -> str:
    lines = Lines()
    # Rows can scroll away before the first screen is shown (one event of many lines):
    # a wrapped row's trailing spaces are counted against the width, known from the header.
    lines.cols = timeline.header.cols
    view = ShellView(lines, timeline)  # (its calls held back after a resize)
    sessions: list[tuple[float, str]] = []
    shown = view.shown  # (the shell's screen: vtt_shell_view.py)

    def entering(screen: Screen) -> None:
        """The terminal enters the alternate screen: the shell's screen as it leaves it;
        after a killed program, the primary screen came back within the event (mc's first
        write, `?1049h…?1049l…?1049h`): what the killed one covered is back, its shell's
        lines there done, as at a screen that shows it (`restore`)."""
        if killed:
            restore(lines, screen, killed.pop())
            timeline.alternate_erasures = False
        shown(screen)

    timeline.on_alternate = entering

    def resizing(screen: Screen) -> None:
        """The shell's screen as a resize finds it: its lines told as shown there."""
        view.rewrapped.clear()
        if not screen.alternate and session is None and painting is None:
            shown(screen)
            lines.take_shown()
            view.rewrapped.append(())  # (the rows the resize leaves: `resize`)

    timeline.on_resizing = resizing
    session: tuple[float, str, str] | None = None
    left_session: tuple[str, str] | None = None  # (command line, typed) of the last one

    def name(session: tuple[float, str, str]) -> str:
        title = view.title()
        if isinstance(mux, Unnamed) and not mux.shell:  # (no command names it: vtt_launched)
            return f"[{mux.name_of(title)}]"
        if mux is not None and not typed_program(*session[1:]):
            return f"[{mux.name}]"  # (the multiplexer the cast was recorded with)
        named = session_name(*session[1:], recorded, title)
        return f"[{shown_name(named, typed_program(*session[1:]), firsts)}]"

    def summed(mux: Multiplexed | None) -> bool:
        """Whether the session is one cue: not a multiplexer's (its panes told)."""
        return mux is None or (isinstance(mux, Unnamed) and not mux.shell)

    recorded = timeline.header.command  # `asciinema rec -c 'vim f'`: what was run
    painting: tuple[float, str, str] | None = None  # a program on the primary screen
    pasted = [False]  # the shell's bracketed paste was on as it started (no end then)
    keyed = [True]  # it took the arrow keys as it started (their release ends it)
    mux: Multiplexed | None = None  # the session is a multiplexer's (tmux)
    detached: list[Multiplexed] = []  # the last one left (Ctrl-B d), for its `attach`
    panes: list[tuple[float, tuple[int, int], str]] = []  # the lines its panes showed
    left = ""  # the cue of the last program that painted the primary screen
    opening: list[tuple[float, str]] = []  # the cue of a page it left where a clip starts
    dialog: list[Screen] = []  # the full-screen program's last screen with text
    earlier: list[Screen] = []  # and the one before it
    firsts: list[tuple[str, ...]] = []  # its first screens with text (their rows' text)
    answers = Answers()  # a dialog's box as it opened, and its answer's first key
    program = ""  # the name of the program of the session or painting
    takes = [0]  # the times bracketed paste was asked for when the session started
    # What a program killed on the alternate screen covered, while its shell is there
    killed: list[tuple[list[str], list[bool]]] = []
    entries = [0]  # the alternate screen asked for so far, when the shell came back there
    reentered: list[tuple[list[str], list[bool]]] = []  # (what the killed one covered)
    # The keys (or the mouse) a killed program asked for stay asked after it, through the
    # sessions of programs run after it on its screen (man after a killed htop leaves the
    # mouse on: review-exports22 item 1), until a screen shows them released: no program
    # paints the shell's screen for them.
    stale_keys = [False]
    # The command typed on the shell's screen a killed program left, as the terminal left
    # that screen for the primary one, until the shell prompts there (its bracketed paste)
    unprompted: list[tuple[str, str]] = []
    timeline.on_alternate_scroll = lambda *row: view.scrolled(*row) if killed else None

    def again(screen: Screen) -> None:
        """A program asks for the alternate screen the shell is on after a killed one: the
        shell's screen as it found it (the command typed, never yielded when it came with
        the program's first screen or before a clip's start)."""
        if killed:
            shown(writing_at(screen))
            view.shell = drawn_over(lines, view.shell)
            # (the command typed there started it: mc, leaving the alternate screen in
            # its first write and coming back, shows the primary screen, whose command
            # is the killed program's, before its session starts: review-exports23 #2)
            unprompted[:] = [started_by(view.shell, lines, left_session)]

    timeline.on_alternate_again = again

    def run(screen: Screen, releasing: bool) -> None:
        """A shell ran a command: its line as it stood then, though the program's first
        screen covers it before the next screen (review-exports17 item 3: `htop` in a
        tmux pane was never on a screen, its pane read out as text; item 9: a job's `[1]
        20024` under the command as the switch found it, htop named `[man]`)."""
        if mux is not None and screen.alternate:
            mux.update(screen, run=True)
        elif not screen.alternate and releasing:
            ran[:] = [screen]  # (the shell's: what a switch before the next screen ran)

    timeline.on_run = run
    ran: list[Screen] = []  # the shell's screen as it ran a command, since the last screen

    def start() -> None:
        """The clip starts (--start-at): what the screen went through before is not told;
        what it shows is, as the player shows it there: a program's session (`[vim]`, one
        painting the primary screen, a multiplexer's panes: `[tmux]`, then what they
        show next) or a page such a program left as its cue, not its screen dump; the
        shell's lines as lines."""
        del sessions[:], panes[:]
        if mux is not None and session is not None:
            mux.restart()
            if not summed(mux):  # (one not known yet is told as one cue at its end)
                # (first: it stands for the screen at the start, before what comes)
                opening.append((0.0, name(session)))
        page, earlier = lines.restart(session is None and painting is None)
        if page:
            opening.append((0.0, left))  # (above the shell's lines under it)
        if earlier:
            opening.append((0.0, f"[{earlier} earlier line{'s' if earlier > 1 else ''}]"))

    if timeline.clip.start_at is not None:
        timeline.on_start = start
    mark = [0]  # the lines taken when the last screen was read: those after, since then

    def screens() -> Iterator[Screen]:
        for screen in timeline:
            yield screen
            mark[0] = len(lines.taken)
            ran.clear()

    # The screen was erased whole (not line by line) after a command was typed, since a
    # prompt last waited: a
    # program that clears it and writes its rows in order (vim and top on TERM=ansi: no
    # keypad mode, no rows addressed, review-exports13 item 6) paints it if it draws many
    # rows, no prompt waits (`clear` leaves one waiting) and it puts the cursor back
    # above them.
    wiped = [False]
    # The screens before those written over in place from their first row (`homed`), in
    # a row: twice is a program refreshing its screen (top on TERM=ansi), once may be a
    # long command echoed over a prompt on the top row.
    # With each, the lines taken when it was read, and the screen before it.
    homes: list[tuple[float, int, Screen]] = []
    home = over = False

    def scrolled_by() -> int:
        return lines.scrolls - view.scrolls  # (rows scrolled since the last shell screen)

    def twice_homed(screen: Screen, before: Screen) -> bool:
        if homed(screen, before, lines.scrolls - view.scrolls, lines.cleared):
            homes.append((before.time, mark[0], before))
        else:
            homes.clear()
        return len(homes) >= 2

    for screen in screens():
        over = False  # (set where it is read below: for this screen alone)
        stale_keys[0] = stale_keys[0] and screen.keys
        if screen.paste and not screen.alternate:
            unprompted.clear()
        if killed and screen.alternate:
            screen = writing_at(screen)  # (the shell's prompt waits there, hidden or not)
        # (a command typed: on the screen, told, or in the rows just erased)
        entered = bool(lines.leads or lines.commands) or any(
            entry[5] for entry in lines.erased.values()
        )
        wiped[0] = (wiped[0] or bool(lines.screen_erased and entered)) and (lines.waiting is None)
        before = view.shell
        # (the shell back at its prompt, bracketed paste on again, also ends it: zsh takes
        # the keys again in the screen dialog gave them back in, review-exports11 item 1)
        back = screen.paste and not pasted[0]
        # (one that took no keys, drawing by addressing rows, is done when the shell is
        # back: its bracketed paste, or a prompt waiting at the shown cursor)
        done = not screen.keys if keyed[0] else shell_back(screen)
        if painting is not None and (screen.alternate or done or back):
            left = name(painting)
            sessions.append((painting[0], left))
            if left[1:-1] in DIALOGS and before is not None:  # (its last screen: its box)
                sessions += answers.told(painting[0], before)
            painting = None
            if not screen.alternate:
                moved = lines.scrolls - view.scrolls  # (rows scrolled since `before`)
                shown(screen)  # (the program's last screen is `before`)
                rows = before.rows if before is not None else ()
                blank = frozenset(y - moved for y, row in enumerate(rows) if not row_text(row))
                lines.unmute(screen.cursor, screen.changed, blank, screen.rows)
                continue
            lines.unmute(None)
        last = dialog[0] if dialog else None  # (the program's last screen)
        retaken = screen.takes > takes[0]  # (bracketed paste asked for since it started)
        if retaken and earlier and last and died_writing(earlier[0], last):
            last = earlier[0]  # (the screen before what it wrote as it died: vtt_killed.py)
        if (
            screen.alternate
            and mux is None
            and session
            and shell_back_on(screen, session[1], last, retaken)
        ):
            # The program was killed, the shell back on its screen (vtt_killed.py)
            sessions.append((session[0], name(session)))
            left_session, session = session[1:], None
            killed[:] = [leave_covered(lines, screen, last)]
            stale_keys[0] = screen.keys
            entries[0] = screen.entries
            timeline.alternate_erasures = True  # (`clear` there: the shell's lines)
            dialog.clear()
            earlier.clear()
            shown(writing_at(screen))
            continue
        if killed and screen.alternate and screen.entries > entries[0]:
            # A program asked for the alternate screen the shell was left on (`less`
            # after a killed vim): no switch, it draws over what was there; its session
            # starts, and what the killed one covered is back when it leaves.
            reentered[:] = [killed.pop()]
            timeline.alternate_erasures = False
        if killed and not screen.alternate:  # (reset: the primary screen back)
            restore(lines, screen, killed.pop())
            timeline.alternate_erasures = False
            shown(screen)
            continue
        if screen.alternate and not killed:
            if session is None:
                command, typed = started_by(before, lines, left_session, *ran[:1])
                if unprompted and typed_program(*unprompted[0]):
                    command, typed = unprompted[0]
                unprompted.clear()
                session = (screen.time, command, typed)
                firsts.clear()
                takes[0] = screen.takes
                lines.cover(screen.time)  # what the program covers is done
                if reentered:  # (the shell's lines on the alternate screen are done too)
                    lines.covered, lines.left = reentered.pop()
                    lines.remains = {}  # (what the killed one left there is drawn over)
                program = session_name(command, session[2], recorded)
                launched = "" if typed_program(command, typed) else recorded_multiplexer(recorded)
                if program in MULTIPLEXERS:  # its panes hold shells: told, not summed up
                    mux = attach(detached, program, command)
                elif launched:  # (`asciinema rec -c tmux`: review-exports18 item 4)
                    mux = attach(detached, launched, recorded or "")
                elif program == GENERIC:  # (nothing names it: a multiplexer, or named so)
                    mux = Unnamed.again(detached.pop()) if detached else Unnamed()
            if mux is not None:
                mux.update(screen)
            elif any(row_text(row).strip() for row in screen.rows) and not (retaken and dialog):
                # (a dialog's last screen: its question, its buttons; not one a shell
                # that took the keys again wrote in, its prompt still to come: fish's
                # `fish: Job 1, 'vim' terminated by signal SIGKILL` a screen before it)
                earlier[:] = dialog[:1]
                dialog[:] = [screen]
                if len(firsts) < SIGNATURE_SCREENS:
                    firsts.append(tuple(row_text(row) for row in screen.rows))
                if program in DIALOGS:
                    answers.watch(screen)
            continue
        if session is not None:
            left_session = session[1:]
            if summed(mux):
                sessions.append((session[0], name(session)))
                if name(session)[1:-1] in DIALOGS and dialog:
                    sessions += answers.told(session[0], dialog[0])
                dialog.clear()
            elif mux is not None:
                panes += mux.said()
                detached[:] = [mux]
            session, mux = None, None
            lines.uncover(screen)  # the shell's lines, already taken
            # (a program that takes the keys may paint the primary screen in the event
            # that left the alternate one: a script's dialog(1) menu drawn there was read
            # out as 21 lines of box drawing, review-exports22 #7)
            left_now = screen.keys and not stale_keys[0]
        else:
            left_now = False
        if (
            (session is None or left_now)
            and painting is None
            and before is not None
            and not killed  # (the keys a killed program asked for stay asked: no program)
            and (
                (screen.keys and not stale_keys[0])
                or addressing(screen)
                or (wiped[0] and back_up(screen))
                or (over := wiped[0] and rewritten(screen, before, scrolled_by(), lines.cleared))
                or (home := twice_homed(screen, before))
                or paging(screen, before, lambda: lines.last_command(-1))
            )
            and painted(screen, before, lines.scrolls - view.scrolls, lines.leads, home)
        ):
            first = homes[0] if home else None
            if left_now:  # (the rows new as the alternate screen left are the program's)
                lines.since = [TAKEN if s == screen.time else s for s in lines.since]
            painting = painted_by(lines, screen, before, mark[0], view.scrolls, over, first)
            homes.clear()
            pasted[0], keyed[0] = screen.paste, screen.keys
            program = session_name(*painting[1:], recorded)
            firsts.clear()
            lines.mute()
        if painting is not None and program in DIALOGS:
            answers.watch(screen)
        if painting is not None and len(firsts) < SIGNATURE_SCREENS:
            firsts.append(tuple(row_text(row) for row in screen.rows))
        shown(screen)
    if not summed(mux) and mux is not None:
        panes += mux.said()
    elif session is not None:
        sessions.append((session[0], name(session)))
        if name(session)[1:-1] in DIALOGS and dialog:
            sessions += answers.told(session[0], dialog[0])
    if painting is not None:
        sessions.append((painting[0], name(painting)))
    lines.finish()
    return gathered(lines, sessions, opening, panes, timeline.end, timeline.clip.end_at is not None)
