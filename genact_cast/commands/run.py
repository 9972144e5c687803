"""`genact-cast run`: the simulation, played live in this terminal, genact style."""

from __future__ import annotations

import signal
import time
from types import FrameType

from genact_cast.generator import RecordOptions, make_plan, simulate
from genact_cast.player.playback import Playback, Quit
from genact_cast.player.terminal import open_terminal


def run_live(options: RecordOptions, *, forever: bool, exit_after: float | None) -> None:
    """Play runs until the last one ends, `exit_after` passes, or the viewer stops it.

    Stopping (Ctrl-C, q, or the deadline) ends the run at its next natural break with a
    short summary of what it did; a second Ctrl-C ends it at once.
    """
    make_plan(options)  # bad options fail before the terminal is touched
    with open_terminal() as terminal:
        playback = Playback(terminal, graceful_quit=True)
        if exit_after is not None:
            playback.deadline = time.monotonic() + exit_after

        def on_interrupt(signum: int, frame: FrameType | None) -> None:
            playback.request_stop()  # raises Quit the second time

        previous = signal.signal(signal.SIGINT, on_interrupt)
        try:
            seed = options.seed
            while True:
                plan = make_plan(options._replace(seed=seed))
                playback.restart(0)
                simulate(plan, playback.show, should_stop=lambda: playback.stop_requested)
                if playback.stop_requested or not forever:
                    break
                seed += 1
        except Quit:
            pass
        finally:
            signal.signal(signal.SIGINT, previous)
            playback.restore()
