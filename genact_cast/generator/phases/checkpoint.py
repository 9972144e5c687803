"""Saving a checkpoint: one shard per rank, then the optimizer state."""

from __future__ import annotations

from genact_cast.generator import style as fmt
from genact_cast.generator.console import Console
from genact_cast.generator.plan import RunPlan


def checkpoint(con: Console, plan: RunPlan, epoch: int, budget: float) -> None:
    rng, s = con.rng, con.style
    path = f"checkpoints/epoch_{epoch}_step_{con.state.step}/"
    ticks = rng.integer(5, 10)
    pace = con.pacer(budget, ticks + 2)
    con.section("[Checkpoint]", f"Saving model to {path}")
    pace()
    label = s.plain("  Saving model shards: ")
    for tick in range(1, ticks + 1):
        done = tick * plan.gpus // ticks
        count = f" {done}/{plan.gpus}"
        bar = s.block_bar(done / plan.gpus, min(20, con.width - label.width - len(count) - 2))
        con.live([label + bar + s.plain(count)])
        pace()
    con.end_live()
    con.advance(plan.checkpoint_seconds)
    con.print(s.plain("  Saving optimizer state: ") + s.value(fmt.gigabytes(plan.optimizer_bytes)))
    pace()
    con.print(s.plain("  Checkpoint saved in ") + s.value(f"{plan.checkpoint_seconds:.1f}s"))
    con.state.checkpoints.append(path)
    pace.finish()
    con.natural_break()
