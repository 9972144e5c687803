"""Every rank of a node reporting a hung collective: c10d's NCCL watchdog lines of each
process, with the framework's own process-group timeout and each rank's global number
(base.failure_lines shows local ranks 0-7 of the first node; Megatron under srun and
DeepSpeed under pdsh show whichever node failed)."""

from __future__ import annotations

from collections.abc import Sequence

from genact_cast.generator.dialects import torchrun
from genact_cast.generator.dialects.base import collective_numels, torch_site
from genact_cast.generator.dialects.facts import Facts
from genact_cast.generator.events import Failed
from genact_cast.generator.rng import Rng


def watchdog_lines(
    facts: Facts,
    event: Failed,
    ranks: Sequence[int],
    timeout_ms: int,
    numels: tuple[int, int] | None = None,
) -> list[str]:
    """Each rank's watchdog timeout, exception, inconsistency and take-down lines (and, where
    the torch release prints it, the DistBackendError that aborts the process), rank by
    rank. `numels`: the framework's own (in, out) sizes of the collective, where it buckets
    them differently from one layer's shard."""
    source = torchrun.torch_source(facts.torch)
    site = torch_site(facts.torch)
    moment = facts.moment(event.t)
    numel_in, numel_out = numels or collective_numels(facts, event.op)
    group = "PG 0" if source.thread_ids else "PG ID 0 PG GUID 0(default_pg)"
    draw = Rng(facts.seed * 23 + event.seq)
    # Where mmap puts shared libraries on x86-64 Linux: just below 0x7fxxxxxxxxxx.
    libc10, libtorch_cuda, libtorch, libc = (
        0x7E00_0000_0000 + draw.integer(0, 2**28) * 4096 for _ in range(4)
    )
    frames = torchrun.Frames(
        f"{'/usr/local/lib/python3.12/dist-packages' if site else '/opt/conda/lib/python3.11'}"
        "/torch/lib",
        libc10,
        libtorch_cuda,
        libtorch,
        libc,
        # libstdc++ (torch 2.9's trace shows it) from a stream of its own, so that the other
        # draws stay where they were.
        0x7E00_0000_0000 + Rng(facts.seed * 47 + event.seq).integer(0, 2**28) * 4096,
    )
    lines: list[str] = []
    for rank in ranks:
        nanos = sorted(draw.integer(0, 999) for _ in range(6))  # below the microsecond
        ran = timeout_ms + (event.ran_ms - event.timeout_ms) + draw.integer(0, 40)
        timeout = torchrun.Timeout(event.seq, event.op, numel_in, numel_out, timeout_ms, ran)
        lines += [
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
    return lines
