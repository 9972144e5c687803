"""Every rank of a node reporting a hung collective: c10d's NCCL watchdog lines of each
process, with the framework's own process-group timeout and each rank's global number
(base.failure_lines shows local ranks 0-7 of the first node; Megatron under srun and
DeepSpeed under pdsh show whichever node failed)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import timedelta

from genact_cast.generator.dialects import torchrun
from genact_cast.generator.dialects.base import collective_numels, torch_site
from genact_cast.generator.dialects.facts import Facts
from genact_cast.generator.events import Failed
from genact_cast.generator.rng import Rng

# Ranks whose watchdog lines a cast shows: a real log has every rank's (with torch 2.9's
# traces some forty lines each, 80,000 lines on 256 nodes), a cast the first four nodes' and
# every node's launcher lines, so a failure on a large run costs hundreds of KB, not tens of MB.
SHOWN_RANKS = 32


def shown_ranks(world: int) -> range:
    return range(min(world, SHOWN_RANKS))


def watchdog_lines(
    facts: Facts,
    event: Failed,
    ranks: Sequence[int],
    timeout_ms: int,
    numels: tuple[int, int] | None = None,
) -> list[str]:
    """The lines of `watchdog_records`, in the order they are written."""
    return [text for _, text in watchdog_records(facts, event, ranks, timeout_ms, numels)]


def watchdog_records(
    facts: Facts,
    event: Failed,
    ranks: Sequence[int],
    timeout_ms: int,
    numels: tuple[int, int] | None = None,
) -> list[tuple[int, str]]:
    """(rank, line): each rank's watchdog timeout, exception, inconsistency and take-down
    lines (and, where the torch release prints it, the DistBackendError that aborts the
    process), rank by rank in the order their watchdogs fire. `numels`: the framework's own
    (in, out) sizes of the collective, where it buckets them differently from one layer's
    shard."""
    source = torchrun.torch_source(facts.torch)
    site = torch_site(facts.torch)
    base = facts.moment(event.t)
    numel_in, numel_out = numels or collective_numels(facts, event.op)
    group = "PG 0" if source.thread_ids else "PG ID 0 PG GUID 0(default_pg)"
    draw = Rng(facts.seed * 23 + event.seq)
    lib = (
        f"{'/usr/local/lib/python3.12/dist-packages' if site else '/opt/conda/lib/python3.11'}"
        "/torch/lib"
    )
    # Each process's watchdog fires when its own wait passes the timeout (the collective was
    # enqueued a few ms apart on each rank): the ranks write their lines ms apart, in order.
    late = {rank: draw.integer(0, 40) for rank in ranks}
    records: list[tuple[int, str]] = []
    for rank in sorted(ranks, key=lambda r: (late[r], r)):
        # Where mmap put this process's shared libraries (ASLR: every process its own), just
        # below 0x7fxxxxxxxxxx on x86-64 Linux.
        # libc10, libtorch_cuda, libtorch, libc and libstdc++ (torch 2.9's trace shows it).
        frames = torchrun.Frames(
            lib, *(0x7E00_0000_0000 + draw.integer(0, 2**28) * 4096 for _ in range(5))
        )
        moment = base + timedelta(milliseconds=late[rank] + draw.integer(0, 999) / 1000)
        nanos = sorted(draw.integer(0, 999) for _ in range(6))  # below the microsecond
        ran = timeout_ms + (event.ran_ms - event.timeout_ms) + late[rank]
        timeout = torchrun.Timeout(event.seq, event.op, numel_in, numel_out, timeout_ms, ran)
        lines = [
            torchrun.watchdog_timeout(rank, moment, nanos[0], source, timeout),
            torchrun.watchdog_exception(
                rank,
                moment,
                nanos[1],
                source,
                group=group,
                work=event.seq,
                enqueued=event.seq + 2,
                completed=event.seq - 1,
            ),
        ]
        if source.traces:
            lines.append(torchrun.flight_recorder_off(rank, moment, nanos[2], source))
        lines += [
            torchrun.watchdog_inconsistency(rank, moment, nanos[3], source),
            torchrun.watchdog_takedown(rank, moment, nanos[4], source),
        ]
        if source.traces:
            lines += torchrun.watchdog_trace(
                rank, moment, nanos[5], source, timeout, group=group, frames=frames
            )
        records += [(rank, text) for text in lines]
    return records
