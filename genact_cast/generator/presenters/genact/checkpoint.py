"""The save at the end of an epoch: one shard per rank, then the optimizer state."""

from __future__ import annotations

from genact_cast.generator import style as fmt
from genact_cast.generator.events import CheckpointSaved
from genact_cast.generator.presenters.genact.show import Show


def checkpoint(show: Show, event: CheckpointSaved, budget: float) -> None:
    """A synchronous save (the last step's) shows the whole write; an async one what
    training waits for (the previous write if it is still going, then staging the shards to
    host memory) and the write that goes on in the background (REALISM.md, Checkpoints)."""
    con, plan = show.con, show.plan
    rng, s = con.rng, con.style
    ticks = rng.integer(5, 10)
    pace = con.pacer(budget, ticks + 2)
    con.section("[Checkpoint]", f"Saving model to {event.path}/")
    pace()
    staging = event.blocking - event.waited
    staged = staging < event.seconds
    if event.waited > 0:
        con.print(
            s.plain("  Waiting for the previous checkpoint's write: ")
            + s.value(f"{event.waited:.1f}s")
        )
    label = s.plain("  Staging model shards: " if staged else "  Saving model shards: ")
    shown = staging if staged else event.seconds
    start = event.t - shown
    for tick in range(1, ticks + 1):
        done = tick * plan.gpus // ticks
        count = f" {done}/{plan.gpus}"
        bar = s.block_bar(done / plan.gpus, min(20, con.width - label.width - len(count) - 2))
        con.live([label + bar + s.plain(count)])
        con.at(start + shown * tick / ticks)
        pace()
    con.end_live()
    con.print(s.plain("  Saving optimizer state: ") + s.value(fmt.gigabytes(plan.optimizer_bytes)))
    pace()
    rate = event.size_bytes / event.seconds / 1e9
    written = s.value(f"{event.seconds:.1f}s") + s.plain(
        f" ({fmt.gigabytes(event.size_bytes)} at {rate:.1f} GB/s)"
    )
    if staged:  # training goes on; the section sums up the write that follows
        con.print(s.plain("  Checkpoint staged in ") + s.value(f"{staging:.1f}s"))
        con.print(s.plain("  Background write: ") + written)
    else:
        con.print(s.plain("  Checkpoint saved in ") + written)
    show.state.checkpoints.append(event.path)
    pace.finish()
    con.natural_break()
