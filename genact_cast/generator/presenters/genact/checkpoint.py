"""The save at the end of an epoch: one shard per rank, then the optimizer state."""

from __future__ import annotations

from genact_cast.generator import style as fmt
from genact_cast.generator.events import CheckpointSaved
from genact_cast.generator.presenters.genact.show import Show
from genact_cast.generator.presenters.genact.written import log_written, save_lines


def checkpoint(show: Show, event: CheckpointSaved, budget: float) -> None:
    """A synchronous save (the last step's) shows the whole write; an async one what
    training waits for (the previous write if it is still going, then staging the shards to
    host memory) and that the write goes on in the background (REALISM.md, Checkpoints); the
    write's end is logged when it comes, among the step lines that run meanwhile, and not at
    all where a rank dies first (review-realism8 FAIL 2: the section stated the write's time
    at once, then a failure before it ended resumed from the save before)."""
    con, plan = show.con, show.plan
    rng, s = con.rng, con.style
    log_written(show, event.t - event.blocking + event.waited)
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
    if staged:  # training goes on; the write's line comes when it ends
        con.print(s.plain("  Checkpoint staged in ") + s.value(f"{staging:.1f}s"))
        con.print(
            s.plain("  Writing in the background: ") + s.value(fmt.gigabytes(event.size_bytes))
        )
        show.state.writing += save_lines(show, event)
    else:
        rate = event.size_bytes / event.seconds / 1e9
        con.print(
            s.plain("  Checkpoint saved in ")
            + s.value(f"{event.seconds:.1f}s")
            + s.plain(f" ({fmt.gigabytes(event.size_bytes)} at {rate:.1f} GB/s)")
        )
    show.state.checkpoints.append(event.path)
    pace.finish()
    con.natural_break()
