"""Validation after an epoch: evaluation progress, then loss, perplexity and quality scores."""

from __future__ import annotations

import math

from genact_cast.generator.console import Console
from genact_cast.generator.plan import RunPlan
from genact_cast.generator.style import flow


def validation(con: Console, plan: RunPlan, epoch: int, budget: float) -> None:
    rng, s = con.rng, con.style
    samples = rng.pick((2_000, 5_000)) if plan.finetune else rng.pick((10_000, 20_000, 50_000))
    ticks = rng.integer(6, 12)
    pace = con.pacer(budget, ticks + 1)
    con.section("[Validation]", f"Epoch {epoch} | Evaluating on {samples:,} samples...")
    pace()
    eval_seconds = samples * plan.seq_len / (plan.tokens_per_second() * 3)  # forward only
    for tick in range(1, ticks + 1):
        done = tick / ticks
        label = s.plain("  Evaluating ")
        bar_width = min(40, con.width - label.width - 5)
        con.live([label + s.bar(done, bar_width) + s.plain(f" {round(done * 100):3d}%")])
        con.advance(eval_seconds / ticks)
        pace()
    con.end_live()

    # Scored on the smooth curve: held-out data does not share the batch noise.
    val_loss = plan.loss.after(con.state.step) + rng.uniform(-0.03, 0.04)
    shown = float(f"{val_loss:.4f}")
    quality = quality_scores(shown)
    sep = s.plain(" | ")
    for line in flow(
        [
            s.metric("Val Loss", f"{shown:.4f}"),
            s.metric("Val PPL", f"{math.exp(shown):.2f}"),
            s.metric("Val Acc", f"{quality['acc']:.3f}"),
        ],
        con.width,
        sep,
    ) + flow(
        [
            s.metric("BLEU", f"{quality['bleu']:.1f}"),
            s.metric("ROUGE-L", f"{quality['rouge']:.3f}"),
            s.metric("F1", f"{quality['f1']:.3f}"),
        ],
        con.width,
        sep,
    ):
        con.print(line)
    pace.finish()
    con.natural_break()


def quality_scores(loss: float) -> dict[str, float]:
    """Token accuracy and overlap scores: smooth and falling as the loss rises."""
    accuracy = min(0.95, max(0.02, 1.02 - 0.23 * loss))
    return {
        "acc": accuracy,
        "bleu": min(60.0, 60.0 * math.exp(-0.55 * max(0.0, loss - 0.8))),
        "rouge": min(0.75, 0.75 * math.exp(-0.4 * max(0.0, loss - 0.8))),
        "f1": accuracy * 0.95,
    }
