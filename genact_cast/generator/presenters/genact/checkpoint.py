"""The save at the end of an epoch: one shard per rank, then the optimizer state."""

from __future__ import annotations

from genact_cast.generator import style as fmt
from genact_cast.generator.events import CheckpointSaved
from genact_cast.generator.presenters.genact.show import Show


def checkpoint(show: Show, event: CheckpointSaved, budget: float) -> None:
    con, plan = show.con, show.plan
    rng, s = con.rng, con.style
    ticks = rng.integer(5, 10)
    pace = con.pacer(budget, ticks + 2)
    con.section("[Checkpoint]", f"Saving model to {event.path}/")
    pace()
    label = s.plain("  Saving model shards: ")
    start = event.t - event.seconds
    for tick in range(1, ticks + 1):
        done = tick * plan.gpus // ticks
        count = f" {done}/{plan.gpus}"
        bar = s.block_bar(done / plan.gpus, min(20, con.width - label.width - len(count) - 2))
        con.live([label + bar + s.plain(count)])
        con.at(start + event.seconds * tick / ticks)
        pace()
    con.end_live()
    con.print(s.plain("  Saving optimizer state: ") + s.value(fmt.gigabytes(plan.optimizer_bytes)))
    pace()
    rate = event.size_bytes / event.seconds / 1e9
    con.print(
        s.plain("  Checkpoint saved in ")
        + s.value(f"{event.seconds:.1f}s")
        + s.plain(f" ({fmt.gigabytes(event.size_bytes)} at {rate:.1f} GB/s)")
    )
    show.state.checkpoints.append(event.path)
    pace.finish()
    con.natural_break()
