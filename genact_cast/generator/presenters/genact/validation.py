"""Validation after an epoch: progress over the held-out set, then its loss and metrics."""

from __future__ import annotations

import math

from genact_cast.generator import catalog, generation_time
from genact_cast.generator.console import Pacer
from genact_cast.generator.events import Evaluated
from genact_cast.generator.presenters.genact.show import Show
from genact_cast.generator.presenters.genact.written import log_written
from genact_cast.generator.style import Text, flow


def validation(show: Show, event: Evaluated, budget: float) -> None:
    con = show.con
    rng, s = con.rng, con.style
    ticks = rng.integer(6, 12)
    generating = event.generation_seconds > 0
    pace = con.pacer(budget, 2 * ticks + 1 if generating else ticks + 1)
    log_written(show, event.began)
    held_out = show.plan.held_out_examples
    packed = f" ({held_out:,} examples packed)" if held_out else ""
    con.section(
        "[Validation]", f"Epoch {event.epoch} | Evaluating on {event.samples:,} samples{packed}..."
    )
    pace()
    _bar(show, "  Evaluating ", event.began, event.seconds, ticks, pace)
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
    for line in lines:
        con.print(line)
    scores = [s.metric(name, _metric(name, value)) for name, value in event.metrics]
    if generating:
        # ROUGE and BLEU score generated outputs: their decoding first (generation_time)
        outputs, _ = generation_time.generated(show.plan)
        cap = catalog.generation_lengths()[show.plan.dataset.name].max_new_tokens
        what = "translations" if show.plan.dataset.task == "translation" else "summaries"
        told = (
            f"  Generating {outputs:,} {what} (greedy, max_new_tokens {cap}, "
            f"batch {generation_time.EVAL_BATCH} a GPU)..."
        )
        if len(told) >= con.width:  # a narrow terminal: the count alone, never wrapped
            told = f"  Generating {outputs:,} {what}..."
        con.print(s.plain(told))
        start = event.t - event.generation_seconds
        _bar(show, "  Generating ", start, event.generation_seconds, ticks, pace)
        scores.append(s.metric("Gen time", f"{event.generation_seconds:.1f}s"))
    for line in flow(scores, con.width, sep):
        con.print(line)
    pace.finish()
    con.natural_break()


def _bar(
    show: Show, label_text: str, start: float, seconds: float, ticks: int, pace: Pacer
) -> None:
    """A progress bar over `seconds` from `start`, redrawn in place."""
    con, s = show.con, show.con.style
    for tick in range(1, ticks + 1):
        done = tick / ticks
        label = s.plain(label_text)
        bar_width = min(40, con.width - label.width - 5)
        con.live([label + s.bar(done, bar_width) + s.plain(f" {round(done * 100):3d}%")])
        con.at(start + seconds * done)
        pace()
    con.end_live()


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
