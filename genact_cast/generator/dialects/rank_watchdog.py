"""c10d's NCCL watchdog lines of the ranks a hung collective takes down, for every dialect:
`node_watchdog_lines` for the local ranks torchtitan's and the Trainer's terminal shows (the
first node, behind torchrun), `watchdog_records` for every rank of a node under its global
number (Megatron under srun and DeepSpeed under pdsh show whichever node failed), with the
framework's own process-group timeout. `rank_lines` writes one rank's lines for both."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime, timedelta
from typing import NamedTuple

from genact_cast.generator.dialects import c10d_cuda_error, c10d_frames, c10d_watchdog, torchrun
from genact_cast.generator.dialects.facts import Facts
from genact_cast.generator.events import Failed
from genact_cast.generator.rng import Rng


class Collective(NamedTuple):
    """What one rank's watchdog reports of a collective on a group of the framework's own."""

    group: str  # as c10d names it: "PG ID 5 PG GUID 37(TENSOR_MODEL_PARALLEL_GROUP)"
    rank: int  # the rank's number in the group
    op: str
    seq: int
    numel_in: int
    numel_out: int
    # the last work of the group the rank had enqueued (None: two past `seq`)
    enqueued: int | None = None


def collective_numels(facts: Facts, op: str) -> tuple[int, int]:
    """Elements in and out of the collective the watchdog caught: one transformer layer's
    parameters of this TP/PP shard, gathered or scattered over the data-parallel group, or
    the activations (micro batch × sequence × hidden) a TP all-reduce sums. Of a mixture of
    experts under EP, the dense parameters alone: the experts are an FSDP unit of their own,
    gathered over the ranks holding the same ones (moe.sharded_params), and the block's
    gather is what the step's AllGather time carries."""
    held = facts.params - facts.routed if facts.ep > 1 else facts.params
    layer = (held - 2 * facts.vocab * facts.hidden) // facts.layers // facts.tp
    shard = layer // facts.dp
    if op == "_ALLGATHER_BASE":
        return shard, shard * facts.dp
    if op == "_REDUCE_SCATTER_BASE":
        return shard * facts.dp, shard
    activations = facts.micro_batch * facts.seq_len * facts.hidden
    return activations, activations


def _group(source: torchrun.TorchSource) -> str:
    """The default process group as the watchdog names it (2.3 and 2.4: `PG 0`)."""
    return "PG 0" if source.thread_ids else "PG ID 0 PG GUID 0(default_pg)"


def _torch_lib(facts: Facts, packages: str) -> str:
    """torch's library folder: under `packages` of python 3.12 from 2.5, conda's before."""
    if torchrun.torch_site(facts.torch):
        return f"/usr/local/lib/python3.12/{packages}/torch/lib"
    return "/opt/conda/lib/python3.11/torch/lib"


def rank_lines(
    rank: int,
    moment: datetime,
    nanos: Sequence[int],
    source: torchrun.TorchSource,
    timeout: c10d_watchdog.Timeout,
    frames: c10d_watchdog.Frames,
    member: tuple[str, int] | None = None,
) -> list[str]:
    """One rank's watchdog timeout, exception, inconsistency and take-down lines, and, where
    the torch release prints them, the flight recorder's line and the DistBackendError trace
    that aborts the process; `nanos`: six sorted digits below the microsecond, one a line.
    `member`: the group the collective ran on and the rank's number in it (the default
    group's and the global rank if None)."""
    group, rank_in = member if member is not None else (_group(source), None)
    lines = [
        c10d_watchdog.watchdog_timeout(rank, moment, nanos[0], source, timeout, rank_in),
        c10d_watchdog.watchdog_exception(
            rank,
            moment,
            nanos[1],
            source,
            group=group,
            work=timeout.seq,
            enqueued=timeout.seq + timeout.ahead,
            completed=timeout.seq - 1,
            member=rank_in,
        ),
    ]
    if source.traces:
        lines.append(c10d_watchdog.flight_recorder_off(rank, moment, nanos[2], source))
    lines += [
        c10d_watchdog.watchdog_inconsistency(rank, moment, nanos[3], source, rank_in),
        c10d_watchdog.watchdog_takedown(rank, moment, nanos[4], source, rank_in),
    ]
    if source.traces:
        lines += c10d_watchdog.watchdog_trace(
            rank, moment, nanos[5], source, timeout, group=group, frames=frames, member=rank_in
        )
    return lines


def _timed_out(
    event: Failed,
    rank: int,
    sizes: tuple[int, int, int, int],
    collective: Callable[[int], Collective] | None,
) -> tuple[c10d_watchdog.Timeout, tuple[str, int] | None]:
    """The work a rank's watchdog reports, (numel in, numel out, timeout ms, ran ms) on the
    run's collective, or the rank's own in the group it ran on, and that membership."""
    numel_in, numel_out, timeout_ms, ran = sizes
    timeout = c10d_watchdog.Timeout(event.seq, event.op, numel_in, numel_out, timeout_ms, ran)
    if collective is None:
        return timeout, None
    own = collective(rank)
    ahead = timeout.ahead if own.enqueued is None else own.enqueued - own.seq
    mine = timeout._replace(
        seq=own.seq, op=own.op, numel_in=own.numel_in, numel_out=own.numel_out, ahead=ahead
    )
    return mine, (own.group, own.rank)


def node_watchdog_lines(
    facts: Facts,
    event: Failed,
    ranks: int,
    timeout_ms: int,
    numels: tuple[int, int] | None = None,
    collective: Callable[[int], Collective] | None = None,
) -> list[str]:
    """The watchdog lines of local ranks 0 to `ranks` - 1 of the first node, in the order the
    terminal shows them (each process writes its own); `numels` and `collective` as
    watchdog_records'."""
    source = torchrun.torch_source(facts.torch)
    numel_in, numel_out = numels or collective_numels(facts, event.op)
    draw = Rng(facts.seed * 17 + event.seq)
    # The microseconds of each process's wake-up, from a stream of their own (the other
    # draws stay where they were): eight watchdog threads wake independently, their stamps
    # differ below the millisecond too (review-tt16 T10; real dumps: BasicSR#737,
    # LlamaFactory#7396, open-r1#620)
    wakes = Rng(facts.seed * 43 + event.seq)
    blocks: list[tuple[tuple[int, int], int, list[str]]] = []
    for rank, frames in enumerate(node_frames(facts, event, ranks)):
        nanos = sorted(draw.integer(0, 999) for _ in range(6))  # below the microsecond
        # Each process's watchdog wakes every 100 ms (kWatchdogThreadSleepMillis) and finds
        # the timeout on its own wake-up: the ranks' lines lie milliseconds apart, and a rank
        # that looks later reports a longer run.
        late = draw.integer(0, 99)
        micros = wakes.integer(0, 999)
        moment = facts.moment(event.t + late / 1000 + micros / 1_000_000)
        ran = timeout_ms + (event.ran_ms - event.timeout_ms) + late
        timeout, member = _timed_out(
            event, rank, (numel_in, numel_out, timeout_ms, ran), collective
        )
        lines = rank_lines(rank, moment, nanos, source, timeout, frames, member)
        blocks.append(((late, micros), rank, lines))
    return [text for _, _, block in sorted(blocks) for text in block]


def node_frames(facts: Facts, event: Failed, ranks: int) -> list[c10d_frames.Frames]:
    """Where local ranks 0 to `ranks` - 1 of the first node have their libraries: each
    worker is its own process, its libraries where ASLR put them (from a stream of their
    own, so that the other draws stay where they were)."""
    site = _torch_lib(facts, "site-packages")  # pip's (python:3.12's image) from 2.5
    layouts = Rng(facts.seed * 41 + event.seq)
    return [c10d_frames.process_frames(site, layouts.integer(0, 2**40)) for _ in range(ranks)]


def watchdog_lines(
    facts: Facts,
    event: Failed,
    ranks: Sequence[int],
    timeout_ms: int,
    numels: tuple[int, int] | None = None,
    collective: Callable[[int], Collective] | None = None,
) -> list[str]:
    """The lines of `watchdog_records`, in the order they are written."""
    records = watchdog_records(facts, event, ranks, timeout_ms, numels, collective)
    return [text for _, text in records]


def watchdog_records(
    facts: Facts,
    event: Failed,
    ranks: Sequence[int],
    timeout_ms: int,
    numels: tuple[int, int] | None = None,
    collective: Callable[[int], Collective] | None = None,
) -> list[tuple[int, str]]:
    """(rank, line): the lines of `rank_lines` of each of `ranks`, under its global number,
    rank by rank in the order their watchdogs fire. `numels`: the framework's own (in, out)
    sizes of the collective, where it buckets them differently from one layer's shard;
    `collective(rank)`: the framework's own group, sequence number and sizes for each rank,
    where the collective ran on a group of its own."""
    source = torchrun.torch_source(facts.torch)
    base = facts.moment(event.t)
    numel_in, numel_out = numels or collective_numels(facts, event.op)
    draw = Rng(facts.seed * 23 + event.seq)
    lib = _torch_lib(facts, "dist-packages")
    # Each process's watchdog fires when its own wait passes the timeout (the collective was
    # enqueued a few ms apart on each rank): the ranks write their lines ms apart, in order.
    late = {rank: draw.integer(0, 40) for rank in ranks}
    records: list[tuple[int, str]] = []
    for rank in sorted(ranks, key=lambda r: (late[r], r)):
        # Every process its own library addresses (ASLR): libc10, libtorch_cuda, libtorch,
        # libc and libstdc++ (torch 2.9's trace shows it).
        frames = c10d_frames.process_frames(lib, draw.integer(0, 2**40))
        moment = base + timedelta(milliseconds=late[rank] + draw.integer(0, 999) / 1000)
        nanos = sorted(draw.integer(0, 999) for _ in range(6))  # below the microsecond
        ran = timeout_ms + (event.ran_ms - event.timeout_ms) + late[rank]
        timeout, member = _timed_out(
            event, rank, (numel_in, numel_out, timeout_ms, ran), collective
        )
        lines = rank_lines(rank, moment, nanos, source, timeout, frames, member)
        records += [(rank, text) for text in lines]
    return records


def faulty_rank_lines(
    facts: Facts, event: Failed, rank: int, packages: str = "dist-packages"
) -> list[str]:
    """What the process on the faulty GPU prints when the fault gives it an error
    (`event.errors`): its CUDA error at `event.t_fault`, under its global rank `rank`, with
    the C++ traces of torch's install under `packages` (site-packages: pip's, as
    node_watchdog_lines'; dist-packages: the NGC image's, as watchdog_records')."""
    source = torchrun.torch_source(facts.torch)
    nanos = Rng(facts.seed * 31 + event.seq).integer(0, 999)  # below the microsecond
    moment = facts.moment(event.t_fault)
    # The process's library addresses (ASLR), from a stream of their own so that no other
    # draw of the run moves.
    draw = Rng(facts.seed * 43 + event.seq)
    frames = c10d_frames.process_frames(_torch_lib(facts, packages), draw.integer(0, 2**40))
    return c10d_cuda_error.cuda_error(
        rank, moment, nanos, source, event.cuda_error, group=_group(source), frames=frames
    )
