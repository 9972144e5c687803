"""The `log` layout in a framework's dialect: torchtitan, Megatron-LM, DeepSpeed or the
Hugging Face Trainer, printing the run as that framework prints it.

The dialect modules (`generator.dialects`) say what each event looks like; this module
paces them onto the tape: the launch command typed at the prompt, the steps drawn at the
dialect's fixed logging interval, lines fitted to the terminal, tqdm's bar redrawn in place.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import cast

from genact_cast.generator.console import Pacer
from genact_cast.generator.dialects.base import (
    UNSTAMPED,
    Above,
    Close,
    Line,
    Out,
    Redraw,
    SubBar,
    listing,
)
from genact_cast.generator.events import (
    CheckpointSaved,
    Evaluated,
    Exported,
    Failed,
    Notice,
    Restarted,
    RunEvent,
    Trained,
)
from genact_cast.generator.pacing import BURST, NICE, cadence, multiples, tick_steps
from genact_cast.generator.presenters import shown_steps
from genact_cast.generator.presenters.dialect_choice import dialect_for, facts_for
from genact_cast.generator.presenters.dialect_pacing import on_interval
from genact_cast.generator.presenters.genact.launch import launch, prompt, relaunch
from genact_cast.generator.presenters.genact.show import Show
from genact_cast.generator.presenters.log_clock import LogClock
from genact_cast.generator.rng import Rng

RELAUNCH_SECONDS = 4.0  # typing the launch command again (DeepSpeed does not restart itself)
# Lines the log stamps this far apart or more are drawn apart, in order (review-tt16 T8).
LOG_GAP = 1.0


class FrameworkLog:
    """The `Presenter` of a framework dialect in the `log` layout."""

    def __init__(self, show: Show, typing: Rng) -> None:
        self.show = show
        self.plan = show.plan
        self.facts = facts_for(show.plan)
        self.dialect = dialect_for(show.plan)
        self._typing = typing
        self._bar: str | None = None  # tqdm's line, while its process has one
        self._shown = False  # whether the bar is on the cursor's line (no log line since)
        self._sub: str | None = None  # a second tqdm bar on the line below it
        # the width each bar last drew (tqdm's last_len: the next draw pads over the rest)
        self._bar_len = self._sub_len = 0
        self._logged = False
        self._launched: str | None = None  # the last command typed: bash's history
        # The log's clock, read from its lines' stamps, and the phase's pacer, from which a
        # pause is borrowed where the clock moves on between two lines drawn at one moment.
        self._clock = LogClock(LOG_GAP)
        self._last_line = ""  # the last logger line written (a Ctrl-C's answer reads it)
        self._pace: Pacer | None = None

    # Output

    def _emit(self, outs: Sequence[Out]) -> None:
        tape, cols, clock = self.show.con.tape, self.plan.options.cols, self._clock
        for out in outs:
            # The five kinds have no subclasses: `type(out) is` says what isinstance would.
            if type(out) is Line:
                # A logger's line goes out whole, straight to the terminal: where tqdm left
                # the cursor after its bar, right after it (a real Trainer log's
                # `…s/it][INFO|trainer.py:4643] …`), and the bar stays in the scrollback.
                # No logger knows the terminal's width: it wraps at its last column.
                text, at = out
                if at is None:
                    self._timed(text)
                else:  # its stamp's time handed on with it (Line.at): all its lines print it
                    if at != UNSTAMPED and clock.moved_on_at(at):
                        self._borrow()
                    tape.write(text + "\r\n")
                    # (the line a Ctrl-C finds last on the screen, as _timed keeps it)
                    self._last_line = text.rpartition("\r\n")[2]
                self._shown = False
                continue
            if type(out) is Redraw:
                # tqdm's print_status (std.py:457-460 at 4.67.1): a carriage return, the bar,
                # and spaces over what the last one drew past it; no erase. The bar fills the
                # terminal's width (TIOCGWINSZ), ending in its last column, where the cursor
                # waits to wrap: an erase there (xterm's EL) would take the bar's last cell.
                # (tqdm keeps a bar cell or more: a very narrow terminal is cut to its width.)
                text = out.text[:cols]
                tape.write("\r" + text + " " * (self._bar_len - len(text)))
                self._bar, self._shown, self._bar_len = text, True, len(text)
                continue
            if isinstance(out, Close):
                self._close_bar(leave=out.leave)
                continue
            if isinstance(out, SubBar):
                # tqdm's moveto(1), the bar, moveto(-1): a line down and back up; the bar as
                # print_status draws it (above), or, empty, the line cleared
                text = out.text[:cols]
                drawn = text + " " * (self._sub_len - len(text)) if text else "\x1b[K"
                tape.write("\n\r" + drawn + "\x1b[A")
                self._sub, self._sub_len = text or None, len(text)
                continue
            # tqdm.write (external_write_mode): every bar cleared, the line, the bars redrawn.
            if self._sub is not None:
                tape.write("\n\r\x1b[K\x1b[A")
            if self._bar is not None:
                tape.write("\r\x1b[K")
            text, at = cast(Above, out)  # the kinds above went on: `type(out) is` narrows none
            if at is None:
                if clock.moved_on(text):
                    self._borrow()
            elif at != UNSTAMPED and clock.moved_on_at(at):
                self._borrow()
            tape.line(text)
            if self._bar is not None:
                tape.write(self._bar)
                self._shown = True
            if self._sub is not None:
                tape.write("\n\r" + self._sub + "\x1b[A")

    def _timed(self, text: str) -> None:
        """A logger's lines (one Line may hold several), each written once the log's clock
        has reached its stamp: a pause before a line stamped a second or more past the
        latest line drawn."""
        tape, clock = self.show.con.tape, self._clock
        lines = text.split("\r\n")
        # The lines between two pauses go to the tape in one write: the same event, as the
        # tape joins what is written between two sleeps (a failure on 2,048 GPUs hands over
        # hundreds of thousands of the ranks' dump lines, each a call to write).
        start = 0
        for index, line in enumerate(lines):
            if clock.moved_on(line):
                if index > start:
                    tape.write("\r\n".join(lines[start:index]) + "\r\n")
                    start = index
                self._borrow()
        tape.write("\r\n".join(lines[start:]) + "\r\n")
        self._last_line = lines[-1]

    def _borrow(self) -> None:
        if self._pace is not None:
            self._pace.borrow()

    def _pacer(self, budget: float, pauses: int) -> Pacer:
        """The phase's pacer, with a share beyond its pauses that only a borrowed pause and
        its finish spend: lines drawn after the phase's last pause (saves held to an epoch's
        end) are drawn apart too."""
        self._pace = self.show.con.pacer(budget, pauses + 1)
        return self._pace

    def _close_bar(self, *, leave: bool | None = None) -> None:
        """tqdm's close: the bar drawn once more where the log has moved past it (`leave`),
        output going on below it. None: the process ended without a close of its own (a
        command typed next, the run's end): a bar on the cursor's line is left as it is."""
        if self._sub is not None:
            self.show.con.tape.write("\n\r\x1b[K\x1b[A")
            self._sub, self._sub_len = None, 0
        if self._bar is not None:
            if leave and not self._shown:
                self.show.con.tape.write("\r" + self._bar)
            if leave or (leave is None and self._shown):
                self.show.con.tape.write("\r\n")
            self._bar, self._shown, self._bar_len = None, False, 0

    def _type(self, words: list[str], budget: float) -> None:
        self._close_bar()
        # One line for the terminal to wrap at its last column: a break the typist chose would
        # fall where this width puts it, between a flag and its value (issue 18).
        launch(self.show.con, self.plan, budget, self._typing, words=words, fold=False)

    def _relaunch(self, budget: float) -> None:
        """The job run again after a crash: a pause at the prompt, then the launch command,
        from the shell's history where it extends the last one typed."""
        self._close_bar()
        words = self.dialect.launch_words()
        relaunch(self.show.con, self.plan, budget, self._typing, words, self._launched)
        self._launched = " ".join(words)

    # The phases

    def launch(self, budget: float) -> None:
        words = self.dialect.launch_words()
        self._type(words, budget)
        self._launched = " ".join(words)

    def initialization(self, events: Sequence[RunEvent], budget: float) -> None:
        con = self.show.con
        groups = [self.dialect.present(event) for event in events]
        pace = self._pacer(budget, sum(1 for group in groups if group))
        for event, group in zip(events, groups, strict=True):
            con.at(event.t)
            if group:
                self._emit(group)
                pace()
        pace.finish()

    def epoch(self, epoch: int, events: Sequence[RunEvent], budget: float) -> None:
        con, run = self.show.con, self.show.run
        spans = [e for e in events if isinstance(e, Trained)]
        freq = self.dialect.interval
        # The steps every dialect shows (pacing.cadence: as many as the genact dialect's live
        # block redraws), each moved to the job's own logging interval: every line shown is
        # one the job prints, a subset of its log (issue 18: no dialect prints several times
        # what another does for the same run).
        shown_at = cadence(self.plan, epoch, events, budget, self.show.state.log_every)
        self.show.state.log_every = shown_at.log_every
        every = on_interval(shown_at.log_every, freq)
        tick = on_interval(shown_at.interval, freq)
        # Each group: a multiple of `every` and the job's next lines after it, `freq` apart.
        # (Spans end at saves and failures: a group's later lines may fall in the next span.)
        groups = [
            (span.attempt, s + k * freq)
            for span in spans
            for s in multiples(every, span.first - (BURST - 1) * freq, span.last)
            for k in range(BURST if every > freq else 1)
            if span.first <= s + k * freq <= span.last
        ]
        # A span's end (a save, a notice) on the logging interval is drawn by every dialect:
        # the Trainer's bar reaches it, and a step it draws on the interval is a logged one.
        # An evaluation the cast does not show (a subset of a long run's: Facts) is no
        # reason to draw its step, nor to pace it.
        skipped = shown_steps.skipped(self.facts, events)
        undrawn = skipped.difference(
            e.step for e in events if isinstance(e, CheckpointSaved | Notice | Failed | Restarted)
        )
        groups += [
            (span.attempt, span.last)
            for span in spans
            if span.last % freq == 0 and span.last not in undrawn
        ]
        # A launch's first logged line is drawn: it times the iterations since the launch's
        # training began (Megatron's interval timer), which a later line shown in a subset
        # could not say (training.py:1405, 1509-1510 at core_v0.14.0).
        starts = {(e.attempt, e.step + 1) for e in events if isinstance(e, Restarted)}
        groups += [
            (span.attempt, -(-span.first // freq) * freq)
            for span in spans
            if span.first == 1 or (span.attempt, span.first) in starts
        ]
        extra = self._extra_ticks(events, undrawn, every, budget)
        ticks = tick_steps(spans, tick, [*extra, *groups])
        # The noise of every step drawn, a launch's at once: where a run saves every few
        # steps its spans are a step or two long, and a batch a span (Noise.many) cost
        # more than the hashes it saved.
        for attempt in sorted({span.attempt for span in spans}):
            pairs = zip(spans, ticks, strict=True)
            run.prefetch(
                [s for span, steps in pairs if span.attempt == attempt for s in steps], attempt
            )
        shown = shown_steps.evaluations(self.facts, events, skipped, ticks)
        self.dialect.shown_evaluations.update(shown)  # the dialect prints these
        relaunches = sum(
            isinstance(e, Restarted) and (self._relaunches or e.requeued) for e in events
        )
        drawn = sum(len(t) for t in ticks)
        failures = sum(isinstance(e, Failed | Restarted) for e in events)
        # Retyping the command takes at most a quarter of the epoch, however many relaunches.
        retype = min(RELAUNCH_SECONDS, budget / 4 / max(1, relaunches))
        typing = retype * relaunches
        pace = self._pacer(budget - typing, drawn + failures + len(shown))
        span_index = 0
        # A save at a logged step follows that step's line, as in the real log. Every save
        # between two logged steps keeps its lines too (the framework logs each one), held
        # until the next logged step so that they go out in the order the log has them.
        held: list[RunEvent] = []
        last_drawn = -1
        state, emit, dialect_step = self.show.state, self._emit, self.dialect.step
        for event in events:
            if isinstance(event, Trained):
                steps = ticks[span_index]
                for step in steps:
                    if held:
                        self._emit_held(held)
                        held = []
                    stats = run.step(step, event.attempt)
                    con.at(stats.t)
                    state.step, state.last_loss = step, stats.loss
                    state.losses.append(stats.loss)
                    emit(dialect_step(stats))
                    last_drawn = step
                    pace()
                span_index += 1
                continue
            con.at(event.t)
            if isinstance(event, CheckpointSaved):
                self.show.state.checkpoints.append(event.path)
                if event.step == last_drawn:
                    self._emit(self.dialect.present(event))
                else:
                    held.append(event)
                continue
            self._emit_held(held)
            held = []
            if isinstance(event, Restarted):
                self.show.state.failures += 1
                self.show.state.lost_seconds += event.lost_seconds
            self._emit(self.dialect.present(event))
            # A launcher that does not restart itself, or a torchrun past its --max_restarts
            # (Failed.exits): the job is run again, the command typed anew.
            if isinstance(event, Restarted) and (self._relaunches or event.requeued):
                self._relaunch(retype)
            if isinstance(event, Failed | Restarted) or (
                isinstance(event, Evaluated) and event.step in shown
            ):
                pace()
        self._emit_held(held)
        pace.finish()

    def _emit_held(self, held: Sequence[RunEvent]) -> None:
        for event in held:
            self._emit(self.dialect.present(event))

    @property
    def _relaunches(self) -> bool:
        return self.dialect.relaunched

    def _extra_ticks(
        self, events: Sequence[RunEvent], undrawn: set[int], groups: int, budget: float
    ) -> list[tuple[int, int]]:
        """Steps drawn besides the logged ones: torchtitan logs step 1 (train.py's
        `step == 1`, so in a relaunch that found no checkpoint too); the Trainer's bar moves
        at every step, so it is redrawn between its log lines too, and at a span's end
        (`undrawn`: not where the span ends at an evaluation the cast does not show, which
        drawn would be a logged step whose evaluation the log must then print)."""
        extra: list[tuple[int, int]] = []
        spans = [e for e in events if isinstance(e, Trained)]
        if self.dialect.logs_first_step:  # every launch that trains from step 1 logs it
            extra += [(span.attempt, 1) for span in spans if span.first == 1]
        if self.dialect.has_bar:
            covered = sum(span.last - span.first + 1 for span in spans)
            # About 40 redraws an epoch, and one every BAR_SECONDS of a long cast's epoch at
            # least: a one-hour cast of 5.5 s steps logged every 10 held its bar still 20-65 s
            # between log lines (review-realism20 WARN 12), where tqdm redraws at every step.
            redraws = max(40.0, budget / BAR_SECONDS)
            between = min(groups, _nice_below(covered / redraws))
            # Off the logging interval, so that a redraw of the bar is not a logged step
            # (the log shows groups of lines, the bar moves between them).
            shift = self.dialect.interval // 2 if between >= self.dialect.interval else 0
            for span in spans:
                start = -(-span.first // between) * between + shift
                extra += [(span.attempt, s) for s in range(start, span.last + 1, between)]
                if span.last not in undrawn:  # the bar reaches a span's end
                    extra.append((span.attempt, span.last))
        return extra

    def validation(self, event: Evaluated, budget: float) -> None:
        self.dialect.shown_evaluations.add(event.step)  # an epoch's end: a phase of its own
        self._phase([event], budget)

    def checkpoint(self, event: CheckpointSaved, budget: float) -> None:
        self.show.state.checkpoints.append(event.path)
        self._phase([event], budget)

    def _phase(self, events: Sequence[RunEvent], budget: float) -> None:
        con = self.show.con
        pace = self._pacer(budget, len(events))
        for event in events:
            con.at(event.t)
            self._emit(self.dialect.present(event))
            pace()
        pace.finish()

    def export(self, event: Exported, budget: float) -> None:
        con = self.show.con
        start = event.t - event.seconds
        con.at(start)
        ending = self.dialect.finish_training(start)
        if ending:
            # The training's last lines, stamped apart where the job waits (torchtitan's
            # `Sleeping 2 seconds for other ranks to complete`): a share of the phase.
            share = budget / 6
            pace = self._pacer(share, 0)
            self._emit(ending)
            pace.finish()
            budget -= share
        self._close_bar()
        words = self.dialect.export_words(event)
        if words is None:
            self._phase([event], budget)
            return
        prompt_budget = budget / 3
        self._type(words, prompt_budget)
        con.at(event.t)
        self._emit(self.dialect.present(event))  # the export command's own output
        con.tape.sleep(prompt_budget)
        self._type(["ls", "-lh", event.path], prompt_budget / 2)
        # A dialect whose export writes other files than the plan's lists them itself.
        own = getattr(self.dialect, "export_listing", None)
        rows = own(event) if own else listing(self.facts, event.t, event.path, event.shards)
        self._emit([Line(row) for row in rows])
        con.natural_break()
        con.tape.sleep(prompt_budget / 2)

    def summary(self, *, complete: bool) -> None:
        """The framework's own last lines are the end: no summary block of genact's."""
        del complete
        self._close_bar()

    def stopped(self) -> None:
        con = self.show.con
        self._close_bar()
        con.tape.write("^C")
        self.dialect.last_shown = self._last_line
        # The viewer's key comes a moment after the last line the terminal showed, not at
        # the run's last event to the microsecond: a launch's start is a whole second of the
        # log's clock, and every line of the launcher's answer to a Ctrl-C at start-up
        # was stamped `.000000` (review-mg16).
        self._emit(self.dialect.stopped(con.state.elapsed + con.rng.uniform(0.05, 0.6)))
        self._close_bar()

    def finish(self) -> None:
        options = self.plan.options
        self._close_bar()
        if options.prompt:
            self.show.con.tape.write(prompt(self.plan, color=options.color).ansi)


# The longest a long cast's epoch leaves a bar that tqdm redraws at every step unredrawn (a
# default cast's epoch, at most about 200 s, redraws about 40 times: these are the same).
BAR_SECONDS = 5.0


def _nice_below(value: float) -> int:
    """The largest round interval (1, 2, 5, 10, ...) at most `value`, and at least 1."""
    fitting = [n for n in NICE if n <= max(1.0, value)]
    return max(fitting) if fitting else 1
