"""A worker that dies is not a worker that hangs (issue 17, review-realism7 FAILs 1 and 3).

A contained ECC error (Xid 94) kills the faulty process at once, with its CUDA error; its
node's launcher sees the exit at its next poll (torchrun's --monitor-interval, 0.1 s at torch
2.9.0 run.py:477-482; DeepSpeed's launch.py every second) and stops the other workers: the
SIGTERMs (or DeepSpeed's kills) follow the error within a second, and no watchdog times out.
Only where the faulty process hangs (Xid 79/74/119/120, a lost host) or is stuck after its
error (48/95, until the GPU's reset) do the peers wait in the collective until their NCCL
watchdog's timeout: its `ran for` then counts from the fault, and the faulty rank never times
itself out. Read from each framework's cast over a grid of seeds no other test pins.
"""

from __future__ import annotations

import functools
import re
from datetime import datetime, timedelta

import pytest

from genact_cast.errors import BadOption
from genact_cast.generator import RecordOptions, generate, make_plan
from genact_cast.generator.dialects import megatron_tee
from genact_cast.generator.events import Failed
from genact_cast.generator.presenters.dialect_choice import facts_for
from genact_cast.generator.run import Run
from tests.cast_text import read_run
from tests.helpers import output_of, plain, untee
from tests.realism import violations

# (seed, --failures, --gpus): a lost host, then a death on another node (9766, four nodes);
# a GPU stuck after its ECC error (Xid 48), then a death on the first node (9804, two
# nodes); one node, where every fault kills its process (9774)
GRID = [(9766, 2, None), (9804, 2, None), (9774, 1, 8)]
DIALECTS = ("torchtitan", "megatron", "deepspeed", "hf")
# Megatron does not train 9804's OLMo-2-7B (review-mg10 finding 4): the same run's failures
# on a model it trains
PINNED = {("megatron", 9804): "Llama-3.1-8B"}
# c10's and glog's stamps: [E1015 10:11:12.123456789 ...] and W1015 10:11:12.123000
C10D = re.compile(r"\[rank(\d+)\]:\[E(\d{1,2})(\d\d) (\d\d:\d\d:\d\d\.\d{6})\d* ProcessGroupNCCL")
GLOG = re.compile(
    r"^(?:\[rank\d+\]:)?W(\d\d)(\d\d) (\d\d:\d\d:\d\d\.\d{6}) .*closing signal SIGTERM"
)
KILLING = re.compile(
    r"\[(\d{4}-\d\d-\d\d \d\d:\d\d:\d\d,\d{3})\] \[INFO\] \[launch\.py:\d+:sigkill"
)
CUDA = "Process group watchdog thread terminated with exception: CUDA error"
CAUGHT = re.compile(r"Watchdog caught .*Timeout\(ms\)=(\d+)\) ran for (\d+) milliseconds")
# The process groups' timeouts each framework gives them: torchtitan's 100 s after step 1
# and the mesh groups' 10 minutes, the Trainer's ddp_timeout of 30 minutes (mesh groups 10),
# Megatron's --distributed-timeout-minutes 10, DeepSpeed's default_pg_timeout of 30.
TIMEOUTS = {
    "torchtitan": {100_000, 300_000, 600_000},
    "hf": {1_800_000, 600_000},
    "megatron": {600_000},
    "deepspeed": {1_800_000},
}


@functools.cache
def case(
    framework: str, seed: int, failures: int, gpus: int | None
) -> tuple[list[Failed], list[str]] | None:
    options = RecordOptions(
        seed=seed,
        framework=framework,
        failures=failures,
        cols=1000,
        gpus=gpus,
        model=PINNED.get((framework, seed)),
    )
    try:
        plan = make_plan(options)
    except BadOption:  # a model or kind the framework's release does not train
        return None
    events = [e for e in Run(plan).events if isinstance(e, Failed)]
    return events, plain(output_of(generate(options).events)).splitlines()


def _when(year: int, month: str, day: str, clock: str) -> datetime:
    return datetime.strptime(f"{year}-{month}-{day} {clock}", "%Y-%m-%d %H:%M:%S.%f")


def _timeouts(lines: list[str], year: int) -> list[set[int]]:
    """The ranks whose watchdog timed out, one set per failure the watchdogs ended: each
    collective began at its failure's fault, hours from another failure's."""
    clusters: list[tuple[datetime, set[int]]] = []
    for line in lines:
        caught, stamp = CAUGHT.search(line), C10D.search(line)
        if caught is None or stamp is None:
            continue
        fired = _when(year, stamp[2], stamp[3], stamp[4])
        began = fired - timedelta(milliseconds=int(caught[2]))
        if not clusters or abs((began - clusters[-1][0]).total_seconds()) > 300:
            clusters.append((began, set()))
        clusters[-1][1].add(int(stamp[1]))
    return [ranks for _, ranks in clusters]


def _stops(lines: list[str], year: int) -> list[tuple[int, datetime]]:
    """(line index, time) of every launcher's stop: torchrun's SIGTERMs, DeepSpeed's kills."""
    found = []
    for index, line in enumerate(lines):
        if m := GLOG.search(line):
            found.append((index, _when(year, m[1], m[2], m[3])))
        elif m := KILLING.search(line):
            found.append((index, datetime.strptime(m[1], "%Y-%m-%d %H:%M:%S,%f")))
    return found


@pytest.mark.parametrize("framework", DIALECTS)
def test_a_worker_that_dies_is_stopped_by_its_launcher_not_a_watchdog(framework: str) -> None:
    kinds: set[str] = set()
    for seed, failures, gpus in GRID:
        found = case(framework, seed, failures, gpus)
        if found is None:
            continue
        events, lines = found
        year = int(next(m[1] for line in lines if (m := re.search(r"\b(20\d\d)-\d\d-\d\d", line))))
        # c10d's lines (the terminate handler's `what():` repeats their text)
        errors = [i for i, line in enumerate(lines) if CUDA in line and C10D.search(line)]
        stops = _stops(lines, year)
        caught = [i for i, line in enumerate(lines) if CAUGHT.search(line)]
        shown = iter(errors)
        timeouts = iter(_timeouts(lines, year))
        for event in events:
            kinds.add(event.ends if not event.watchdog else "watchdog")
            # A faulty rank that reported its error never times itself out, nor do the ranks
            # of a host that was lost.
            gone = {event.rank} if event.errors else set()
            if not event.same_node:
                gone = set(range(event.rank - event.local_rank, event.rank - event.local_rank + 8))
            # (under srun Slurm ends the step of a lost host before any watchdog fires)
            slurm = framework == "megatron" and not event.same_node
            timed = next(timeouts) if event.watchdog and not slurm else set()
            assert not timed & gone, (seed, failures, event.rank)
            # The terminal shows torchtitan's rank 0 alone (--local-ranks-filter 0), the
            # Trainer's first node; srun and pdsh pass on every rank's output.
            shows = {"torchtitan": 1, "hf": 8}.get(framework, 1 << 30)
            if not event.errors or event.rank >= shows:
                continue
            at = next(shown)
            error = C10D.search(lines[at])
            assert error is not None
            assert int(error[1]) == event.rank
            died = _when(year, error[2], error[3], error[4])
            if event.watchdog:  # stuck after its error: the peers time out from the fault
                after = [i for i in caught if i > at]
                assert after, (seed, failures)
                m = CAUGHT.search(lines[after[0]])
                stamp = C10D.search(lines[after[0]])
                assert m is not None
                assert stamp is not None
                fired = _when(year, stamp[2], stamp[3], stamp[4])
                began = fired - timedelta(milliseconds=int(m[2]))
                assert abs((began - died).total_seconds()) < 2, (seed, failures, began, died)
                continue
            # Died: the launcher's stop within a second, and no watchdog before it.
            index, stopped = next((i, t) for i, t in stops if i > at)
            # at the launcher's next poll after the exit: torchrun's 0.1 s monitor interval,
            # DeepSpeed's launch.py sleeps a second between its polls
            poll = 1.0 if framework == "deepspeed" else 0.1
            late = timedelta(seconds=poll + 0.9)
            assert timedelta(0) <= stopped - died <= late, (seed, failures, died, stopped)
            assert not [i for i in caught if at < i < index], (seed, failures)
    # the grid holds both: processes that die, and faults the peers' watchdogs end
    assert {"dies", "watchdog"} <= kinds, kinds


@pytest.mark.parametrize("framework", DIALECTS)
def test_the_watchdogs_fire_at_the_frameworks_timeout(framework: str) -> None:
    fired = 0
    for seed, failures, gpus in GRID:
        found = case(framework, seed, failures, gpus)
        if found is None:
            continue
        events, lines = found
        for line in lines:
            if m := CAUGHT.search(line):
                fired += 1
                assert int(m[1]) in TIMEOUTS[framework], line
                assert int(m[2]) >= int(m[1]), line
        if all(not e.watchdog for e in events):
            assert not [line for line in lines if CAUGHT.search(line)], (seed, failures)
    assert fired


def test_the_genact_log_stops_a_dead_workers_peers_at_once() -> None:
    """The realism checker reads the genact casts of the grid: a worker that died (Xid 94)
    is followed within a second by its agent's SIGTERMs and no watchdog; a hang by a peer's
    watchdog at the 600 s timeout."""
    kinds = set()
    for seed, failures, gpus in GRID:
        options = RecordOptions(seed=seed, failures=failures, gpus=gpus)
        events = [e for e in Run(make_plan(options)).events if isinstance(e, Failed)]
        kinds |= {e.ends for e in events}
        found = violations(read_run(output_of(generate(options).events)))
        failing = {k: v for k, v in found.items() if k.startswith("failures") or k == "parse"}
        assert not failing, (seed, failures, failing)
    assert {"dies", "hangs"} <= kinds


# torchrun's agent: a closing signal, and 30 s later the kill of a worker that did not end on it
# (elastic/multiprocessing/api.py:908 and :927 at torch 2.9.0)
CLOSING = re.compile(
    r"^W(\d\d)(\d\d) (\d\d:\d\d:\d\d\.\d{6}) (\d+) .*Sending process (\d+) closing"
)
UNABLE = re.compile(
    r"^W(\d\d)(\d\d) (\d\d:\d\d:\d\d\.\d{6}) (\d+) .*Unable to shutdown process (\d+) via 15, "
    r"forcefully exiting via 9$"
)
FAILED = re.compile(r"^E(\d\d)(\d\d) (\d\d:\d\d:\d\d\.\d{6}) (\d+) .*\] failed \(exitcode")


def test_a_stuck_rank_does_not_end_on_its_agents_sigterm() -> None:
    """The real Xid 48 log (plan_failures.ENDS): the faulty rank prints its CUDA error but its
    process does not exit, so its peers time out 600 s later; then its agent's SIGTERM goes
    unanswered and SIGKILL follows 30 s after, before the agent reports the failure. Megatron
    (srun relays every node's agent) shows it for Xid 48 (9804) and 95 (6932; 6870 was a
    fine-tune, which the megatron dialect does not type: lineup.NO_SFT), and
    a death (Xid 94) never has such a kill; the genact log says the same in its words."""
    runs = [case("megatron", 9804, 2, None)]
    options = RecordOptions(seed=6932, framework="megatron", kind="continue", failures=1, cols=1000)
    events = [e for e in Run(make_plan(options)).events if isinstance(e, Failed)]
    runs.append((events, plain(output_of(generate(options).events)).splitlines()))
    xids = set()
    for found in runs:
        assert found is not None
        events, lines = found
        year = int(next(m[1] for line in lines if (m := re.search(r"\b(20\d\d)-\d\d-\d\d", line))))
        unable = [(i, m) for i, line in enumerate(lines) if (m := UNABLE.search(line))]
        stuck = [e for e in events if e.ends == "stuck"]
        assert len(unable) == len(stuck), [e.xid for e in events]
        for event, (index, m) in zip(stuck, unable, strict=True):
            xids.add(event.xid)
            killed = _when(year, m[1], m[2], m[3])
            # the faulty rank's own SIGTERM, 30 s before, from the same agent
            sent = [
                (_when(year, c[1], c[2], c[3]), c[4])
                for line in lines[:index]
                if (c := CLOSING.search(line)) and c[5] == m[5]
            ]
            assert sent, m[0]
            assert sent[-1][1] == m[4]
            assert killed - sent[-1][0] == timedelta(seconds=30), (sent[-1][0], killed)
            # the agent reports the failure only after the kill
            reported = next(
                f for line in lines[index:] if (f := FAILED.search(line)) and f[4] == m[4]
            )
            assert _when(year, reported[1], reported[2], reported[3]) > killed
    assert xids == {48, 95}

    # (the genact log: 9805, a GPU stuck after its error then a death; 9801's two-node run
    # became another once summarization fine-tunes made 1-3 passes, review-realism13 N5)
    genact = RecordOptions(seed=9805, failures=2, cols=1000)
    events = [e for e in Run(make_plan(genact)).events if isinstance(e, Failed)]
    lines = plain(output_of(generate(genact).events)).splitlines()
    kills = [i for i, line in enumerate(lines) if "s after SIGTERM; sent SIGKILL" in line]
    stuck = [e for e in events if e.ends == "stuck"]
    assert stuck
    assert len(kills) == len(stuck)
    for event, index in zip(stuck, kills, strict=True):
        assert f"{event.host}: local rank {event.local_rank} did not exit 30 s" in lines[index]
        # after the peers' watchdog, before the first restart
        assert "To avoid data inconsistency" in lines[index - 1]
        assert "restart 1 of 3" in lines[index + 1]


# Multi-node Megatron runs under srun whose one failure is a death (Xid 94) on another node
# than the first: 4 nodes (rank 22, 24; rank 8, local rank 0) and 8 nodes (rank 36). (Runs
# continue pre-training, and 6897 in 6890's place, since the megatron dialect types no
# fine-tune: lineup.NO_SFT; 7327, Qwen3-8B on 4 nodes, in 6867's place, which continues
# OLMo-2-7B since continued pre-training takes only released bases, review-realism13 N4, and
# Megatron refuses OLMo 2.)
MEGATRON_DEATHS = [(6863, "continue"), (6874, "continue"), (7327, "continue"), (6897, "continue")]


def test_a_death_on_any_node_is_stopped_by_its_own_agent_and_the_others_follow() -> None:
    """review-mg10 fault 3 (seed 6763) was an Xid 48, a process stuck after its error; a
    death (Xid 94) on any node of a multi-node Megatron launch is seen by its own node's
    agent at its next poll: SIGTERM to its 7 other workers, `failed (exitcode: -6)` for the
    dead local rank, and every other agent stops its 8 workers for the next round, with no
    watchdog (agent/server/api.py:898-928 at torch 2.9.0). srun relays the lines as they come:
    the dead rank's agent's `failed` line after another agent's earlier SIGTERMs."""
    checked = 0
    for seed, kind in MEGATRON_DEATHS:
        options = RecordOptions(seed=seed, framework="megatron", kind=kind, failures=1, cols=1000)
        plan = make_plan(options)
        (event,) = [e for e in Run(plan).events if isinstance(e, Failed)]
        assert (event.ends, event.watchdog, event.rank >= 8) == ("dies", False, True), seed
        lines = untee(plain(output_of(generate(options).events)).splitlines())
        if not megatron_tee.tee(facts_for(plan)).shown(event.rank):
            # 6863 and 6897 now run on 256 nodes, where a dead local rank 1-6 writes its
            # error to its file alone (megatron_tee): the console shows the agents' lines
            assert not any(CUDA in line for line in lines), seed
            continue
        checked += 1
        year = int(next(m[1] for line in lines if (m := re.search(r"\b(20\d\d)-\d\d-\d\d", line))))
        at = next(i for i, line in enumerate(lines) if CUDA in line)
        error = C10D.search(lines[at])
        assert error is not None
        assert int(error[1]) == event.rank
        died = _when(year, error[2], error[3], error[4])
        after = lines[at:]
        assert not [line for line in after if CAUGHT.search(line)], seed
        closing = [c for line in after if (c := CLOSING.search(line))]
        agents = {c[4] for c in closing}
        assert len(agents) == plan.nodes, seed
        failed = [(f, line) for line in after if (f := FAILED.search(line))]
        own, text = next((f, t) for f, t in failed if f"local_rank: {event.local_rank} " in t)
        sent = [c for c in closing if c[4] == own[4]]
        assert len(sent) == 7, seed
        first = _when(year, sent[0][1], sent[0][2], sent[0][3])
        assert timedelta(0) <= first - died <= timedelta(seconds=1), (seed, died, first)
        assert "failed (exitcode: -6)" in text
        # srun relays the agents' lines as they come: their stamps never go backwards
        taken = [m for line in after if (m := CLOSING.search(line) or FAILED.search(line))]
        stamps = [_when(year, m[1], m[2], m[3]) for m in taken[: 8 * plan.nodes]]
        assert stamps == sorted(stamps), seed
        for agent_pid in agents - {own[4]}:
            theirs = [c for c in closing if c[4] == agent_pid][:8]
            assert len(theirs) == 8, seed
            stopped = _when(year, theirs[0][1], theirs[0][2], theirs[0][3])
            assert timedelta(0) <= stopped - died <= timedelta(seconds=5), (seed, stopped)
    assert checked >= 2


@pytest.mark.parametrize("framework", ["torchtitan", "hf"])
def test_one_death_has_one_exit_code_in_the_genact_log_and_the_dialects(framework: str) -> None:
    """A death (Xid 74 or 94) aborts its process from c10d's watchdog thread (SIGABRT), so
    its agent records -6 wherever the run is shown: xid74's finding, seed 19 --failures 2,
    where the genact log said `exitcode: 1` and the dialects `-6`."""
    codes: dict[str, set[str]] = {}
    for shown in ("genact", framework):
        options = RecordOptions(seed=19, framework=shown, failures=2, cols=1000, duration=60.0)
        deaths = [e for e in Run(make_plan(options)).events if isinstance(e, Failed)]
        assert any(e.ends == "dies" and not e.watchdog for e in deaths), shown
        text = plain(output_of(generate(options).events))
        first = re.search(r"failed \(exitcode: (-?\d+)\)", text)
        assert first is not None, shown
        codes[shown] = {first[1]}
    assert codes["genact"] == codes[framework] == {"-6"}
