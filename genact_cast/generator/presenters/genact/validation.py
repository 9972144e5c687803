"""Validation after an epoch: progress over the held-out set, then its loss and metrics."""

from __future__ import annotations

import math

from genact_cast.generator.events import Evaluated
from genact_cast.generator.presenters.genact.show import Show
from genact_cast.generator.presenters.genact.written import log_written
from genact_cast.generator.style import Text, flow


def validation(show: Show, event: Evaluated, budget: float) -> None:
    con = show.con
    rng, s = con.rng, con.style
    ticks = rng.integer(6, 12)
    pace = con.pacer(budget, ticks + 1)
    log_written(show, event.t - event.seconds)
    held_out = show.plan.held_out_examples
    packed = f" ({held_out:,} examples packed)" if held_out else ""
    con.section(
        "[Validation]", f"Epoch {event.epoch} | Evaluating on {event.samples:,} samples{packed}..."
    )
    pace()
    start = event.t - event.seconds
    for tick in range(1, ticks + 1):
        done = tick / ticks
        label = s.plain("  Evaluating ")
        bar_width = min(40, con.width - label.width - 5)
        con.live([label + s.bar(done, bar_width) + s.plain(f" {round(done * 100):3d}%")])
        con.at(start + event.seconds * done)
        pace()
    con.end_live()
    sep = s.plain(" | ")
    lines = flow(
        [
            s.metric("Val Loss", f"{event.loss:.4f}"),
            s.metric("Val PPL", f"{math.exp(event.loss):.2f}"),
            s.metric("Eval time", f"{event.seconds:.1f}s"),
        ],
        con.width,
        sep,
    )
    lines += flow(
        [s.metric(name, _metric(name, value)) for name, value in event.metrics], con.width, sep
    )
    for line in lines:
        con.print(line)
    pace.finish()
    con.natural_break()


def _metric(name: str, value: float) -> str:
    return f"{value:.1f}" if name == "BLEU" else f"{value:.3f}"


def in_loop_lines(show: Show, event: Evaluated) -> list[Text]:
    """An evaluation inside the epoch, every `eval_every` steps: one log line, as the
    frameworks log theirs (Megatron's `validation loss at iteration N`, torchtitan's
    `validate step: N`)."""
    return show.con.log_lines(
        f"[Validation] step {event.step:,} | Val Loss: {event.loss:.4f} | "
        f"Val PPL: {math.exp(event.loss):.2f} | Eval time: {event.seconds:.1f}s"
    )
