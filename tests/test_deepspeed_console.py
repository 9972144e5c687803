"""A large DeepSpeed job's console shows its training (issue 17: session 19's per-rank log
files left 56 of seeds 0-169 with a stretch of 20 s or more of cast time with no output,
`record --seed 0 --framework deepspeed` frozen from 0:10 to 2:23): past 8 nodes it runs
under srun + torchrun with each node's local rank 0 on the console (dialects/deepspeed_srun),
and every line a worker prints carries torchrun's tee prefix."""

from __future__ import annotations

import itertools
import re
from datetime import datetime

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from genact_cast.errors import SeedRefused
from genact_cast.generator import RecordOptions, make_plan
from genact_cast.generator.dialects.rank_logs import RANK_LOG_NODES
from genact_cast.generator.run_plan import RunPlan
from tests.helpers import LOGGED_STEPS, plain
from tests.helpers import console as cast
from tests.seed_scan import failure_of, seed_where

FROZEN_SECONDS = 20.0  # scripts/frozen_casts.py's default
BANNER = re.compile(r"(?m)^W\d{4} [\d:.]+ (\d+) torch/distributed/run\.py:\d+\] \*{41}\r?$")
WORKER = re.compile(r"(?m)^\[default0\]:\[[\d-]+ [\d:,]+\] \[INFO\] \[real_accelerator\.py")


@settings(max_examples=10, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.integers(0, 2**31 - 1))
def test_no_default_deepspeed_cast_is_frozen(seed: int) -> None:
    """Between the first output and the last, no stretch of more than 20 s of cast time
    without output, whatever the job's size."""
    options = RecordOptions(seed=seed, framework="deepspeed")
    try:
        make_plan(options)
    except SeedRefused:
        return
    times, _ = cast(options)
    gap = max((b - a for a, b in itertools.pairwise(times)), default=0.0)
    assert gap <= FROZEN_SECONDS, (seed, gap)


def test_a_large_jobs_console_is_rank_zeros_under_srun_and_torchrun() -> None:
    """Seed 0 (128 nodes): the command is srun + torchrun with rank 0 on the console; every
    node's torchrun warns once; each node's local rank 0 imports DeepSpeed under the tee's
    prefix (128 of them, not 1,024); the Trainer's steps are drawn (before: none)."""
    options = RecordOptions(seed=0, framework="deepspeed", cols=400)
    plan = make_plan(options)
    assert plan.nodes == 128
    _, raw = cast(options)
    text = plain(raw)
    assert "srun --nodes=128 --ntasks-per-node=1 --kill-on-bad-exit=1 torchrun --nnodes=128" in text
    assert "--log-dir=logs --tee=3 --local-ranks-filter=0 train.py" in text
    assert "deepspeed.launcher.launch" not in text
    assert "pdsh" not in text
    assert len(set(BANNER.findall(text))) == plan.nodes  # one agent a node
    assert len(WORKER.findall(text)) == plan.nodes
    steps = [int(step) for step, _ in re.findall(LOGGED_STEPS["deepspeed"], text)]
    assert len(steps) > 20


def test_a_hang_past_8_nodes_shows_each_nodes_rank_0_watchdog_and_torchruns_end() -> None:
    """A hang on a large job: each node's local rank 0 reports its watchdog (no other local
    rank: --local-ranks-filter), each torchrun ends with ChildFailedError (no restarts), and
    srun reports every task's exit and ends the step."""
    plan, text = _first_failure_past_8_nodes(same_node=True, seeds=range(300, 500))
    ranks = {int(m) for m in re.findall(r"\[default0\]:\[rank(\d+)\]:\[E", text)}
    failed = re.findall(r"failed \(exitcode: -6\) local_rank: (\d) ", text)
    exits = re.findall(r"(?m)^srun: error: \S+: task (\d+): Exited with exit code 1\r?$", text)
    assert "srun: Terminating StepId=" in text
    if "Watchdog caught" in text:
        assert ranks
        assert all(rank % 8 == 0 for rank in ranks), ranks
        assert len(failed) == len(exits) == plan.nodes
        assert text.count("torch.distributed.elastic.multiprocessing.errors.ChildFailedError") >= (
            plan.nodes
        )
    else:  # a worker that died: its node's torchrun gives up, Slurm's SIGTERM ends the rest
        assert len(failed) == 1
        assert len(exits) == plan.nodes
        assert text.count("Received 15 death signal") == plan.nodes - 1


def test_ctrl_c_past_8_nodes_is_srun_s() -> None:
    """Ctrl-C at a large job reaches srun, not pdsh and the DeepSpeed runner: its two
    Ctrl-C, every node's torchrun closing its eight workers, slurmstepd's cancellation."""
    from tests.test_launcher_interrupts import lines_of, stopped

    _, after = stopped("deepspeed", 0)
    lines = lines_of(after)
    assert lines[0] == "^Csrun: interrupt (one more within 1 sec to abort)"
    assert lines[1].endswith("tasks 0-127: running")
    deaths = [line for line in lines if "Received 2 death signal, shutting down workers" in line]
    closing = [line for line in lines if line.endswith("closing signal SIGINT")]
    assert (len(deaths), len(closing)) == (128, 8 * 128)
    assert "DUE to SIGNAL Killed" in lines[-2]
    assert not any("pdsh" in line for line in lines)


def test_a_lost_node_past_8_nodes_is_slurms_to_end() -> None:
    """A host that goes down: Slurm finds it before any watchdog's 30 minutes, srun reports
    the node failure and every other node's torchrun takes Slurm's SIGTERM."""
    plan, text = _first_failure_past_8_nodes(same_node=False, seeds=range(300, 700))
    # (after the bar's partial line, where srun's stderr meets it)
    assert re.search(r"(?m)srun: error: Node failure on \S+\r?$", text)
    assert "DUE TO NODE FAILURE" in text
    assert "Watchdog caught" not in text
    assert text.count("Received 15 death signal") == plan.nodes - 1


def test_a_stuck_process_past_8_nodes_leaves_its_torchrun_to_slurm() -> None:
    """A process stuck after its CUDA error does not end on its agent's SIGTERM: the other
    torchruns give up first and srun ends the step (--kill-on-bad-exit), whose SIGTERM ends
    the stuck node's torchrun (no `failed` line of its own)."""
    seed = seed_where(
        lambda plan: (
            plan.nodes > RANK_LOG_NODES
            and plan.failures[0].same_node
            and plan.failures[0].ends == "stuck"
        ),
        seeds=range(300, 900),
        framework="deepspeed",
        failures=1,
    )
    options = RecordOptions(seed=seed, framework="deepspeed", failures=1, cols=400)
    plan = make_plan(options)
    text = plain(cast(options)[1])
    failed = re.findall(r"failed \(exitcode: -6\) local_rank: (\d) ", text)
    exits = re.findall(r"(?m)srun: error: \S+: task (\d+): Exited with exit code 1\r?$", text)
    assert len(failed) == plan.nodes - 1
    assert sorted(map(int, exits)) == list(range(plan.nodes))
    assert text.count("Received 15 death signal") == 1
    assert text.index("srun: Terminating StepId=") < text.index("Received 15 death signal")


GLOG = re.compile(r"(?m)^([WE])(\d{4}) (\d\d:\d\d:\d\d\.\d{6}) \d+ (\S+)")


def _stamp(match: re.Match[str]) -> datetime:
    """A glog line's moment (its year does not matter to a difference of minutes)."""
    return datetime.strptime(f"2000{match[2]} {match[3]}", "%Y%m%d %H:%M:%S.%f")


def test_a_death_past_8_nodes_ends_the_step_at_once_and_loses_no_watchdog_wait() -> None:
    """A worker that dies past 8 nodes: its node's torchrun (--max_restarts 0) exits 1 and
    srun's --kill-on-bad-exit=1 ends the step at once, so no peer waits for its watchdog.
    The timeline ends the launch at the death's poll and counts the by-hand relaunch only,
    and the console's clock agrees: from the dead worker's `failed` line to the relaunch's
    first torchrun banner is the timeline's relaunch wait. (Before, seed 3 on 16 nodes:
    the launch ended 600.4 s after the fault, 3,095.9 s lost, and the console jumped
    2,527 s from the death to the relaunch for a relaunch of 667 s.)"""
    from genact_cast.generator.plan_failures import BY_HAND_SECONDS

    options, failed, restart = failure_of(
        lambda plan: plan.nodes > RANK_LOG_NODES and plan.failures[0].ends == "dies",
        framework="deepspeed",
    )
    assert not failed.watchdog
    # its exit (0.05-0.4 s) and the torchrun's next poll (--monitor-interval 0.1 s)
    assert failed.t - failed.t_fault <= 0.5 + 1e-9
    wait = restart.t - failed.t
    assert BY_HAND_SECONDS[0] <= wait <= BY_HAND_SECONDS[1], wait
    text = plain(cast(options)[1])
    ended = text.index("srun: Terminating StepId=")
    died = next(
        m for m in GLOG.finditer(text) if "failed (exitcode: -6)" in text[m.end() : m.end() + 120]
    )
    banner = next(
        m for m in GLOG.finditer(text, ended) if m[4].startswith("torch/distributed/run.py")
    )
    assert died.start() < ended
    assert abs((_stamp(banner) - _stamp(died)).total_seconds() - wait) < 5.0


def _first_failure_past_8_nodes(*, same_node: bool, seeds: range) -> tuple[RunPlan, str]:
    """The first DeepSpeed run past 8 nodes in `seeds` whose one failure stays on its node
    (a hang or a death) or takes the node down, and its cast's text at 400 columns."""
    seed = seed_where(
        lambda plan: plan.nodes > RANK_LOG_NODES and plan.failures[0].same_node == same_node,
        seeds=seeds,
        framework="deepspeed",
        failures=1,
    )
    options = RecordOptions(seed=seed, framework="deepspeed", failures=1, cols=400)
    return make_plan(options), plain(cast(options)[1])


C10D = re.compile(r"\[rank(\d+)\]:\[E(\d{4}) (\d\d:\d\d:\d\d\.\d{6})\d* ProcessGroupNCCL")


def _c10d_stamp(match: re.Match[str]) -> datetime:
    return datetime.strptime(f"{match[2]} {match[3]}", "%m%d %H:%M:%S.%f")


def test_a_watchdog_under_pdsh_fires_when_the_run_counts_it() -> None:
    """The peers of a GPU stuck after its error wait DeepSpeed's own 30 minutes
    (deepspeed/constants.py:19 at v0.17.5), and the run counts those 30 minutes, not torch's
    ten: the console's first `Watchdog caught` comes the timeline's wait after the faulty
    rank's CUDA error, and the relaunch the timeline's time after the fault, torch's dump
    minute included. (Before, seed 46101 `--kind continue --gpus 64 --failures 2` showed
    1,800 s there and counted 600 s: 2,532 s from the fault to the relaunch on the console,
    1,270 s in the timeline.)"""
    options, failed, restart = failure_of(
        lambda plan: 1 < plan.nodes <= RANK_LOG_NODES and plan.failures[0].ends == "stuck",
        seeds=range(47400, 47500),
        framework="deepspeed",
    )
    assert failed.watchdog
    assert failed.timeout_ms == 1_800_000
    text = plain(cast(options)[1])
    error = next(m for m in C10D.finditer(text) if int(m[1]) == failed.rank)
    caught = next(
        m for m in C10D.finditer(text) if "Watchdog caught" in text[m.end() : m.end() + 120]
    )
    assert f"Timeout(ms)={failed.timeout_ms})" in text[caught.end() : caught.end() + 300]
    shown = (_c10d_stamp(caught) - _c10d_stamp(error)).total_seconds()
    assert abs(shown - (failed.t - failed.t_fault)) < 2.0, (shown, failed.t - failed.t_fault)
    # and the relaunch typed again: torch's dump minute and the operator's wait, counted too
    # (the console's first runner line after the error: the relaunch's, with its full date)
    runner = re.compile(r"\[(\d{4})-(\d\d)-(\d\d) (\d\d:\d\d:\d\d),\d+\] \[INFO\] \[runner\.py")
    relaunch = runner.search(text, error.end())
    assert relaunch is not None
    again = datetime.strptime(" ".join(relaunch.groups()), "%Y %m %d %H:%M:%S")
    fault = _c10d_stamp(error).replace(year=again.year)
    shown = (again - fault).total_seconds()
    assert abs(shown - (restart.t - failed.t_fault)) < 2.0, (shown, restart.t - failed.t_fault)


def test_a_host_lost_under_srun_ends_the_launch_when_slurm_finds_it() -> None:
    """A host lost past 8 nodes (srun + torchrun): slurmctld finds it down after its
    SlurmdTimeout and ends the step, before any watchdog; the timeline ends the launch there
    and the console's relaunch comes the timeline's wait after srun's `CANCELLED ... DUE TO
    NODE FAILURE`. (Before, seed 320 `--failures 1`: the timeline ended the launch at the
    600 s watchdog, and the console went 1,981 s from the cancellation to the relaunch
    for a relaunch of 380 s.)"""
    from genact_cast.generator.events import Failed, Restarted
    from genact_cast.generator.plan_failures import SLURMD_TIMEOUT
    from genact_cast.generator.run import Run

    plan, text = _first_failure_past_8_nodes(same_node=False, seeds=range(300, 700))
    events = Run(plan).events
    failed = next(e for e in events if isinstance(e, Failed))
    restart = next(e for e in events if isinstance(e, Restarted))
    assert not failed.watchdog
    assert SLURMD_TIMEOUT * 2 / 3 <= failed.t - failed.t_fault <= SLURMD_TIMEOUT
    cancelled = re.search(r"CANCELLED AT (\S+) DUE TO NODE FAILURE", text)
    assert cancelled is not None
    at = datetime.fromisoformat(cancelled[1])
    banner = next(
        m for m in GLOG.finditer(text, cancelled.end()) if "torch/distributed/run.py" in m[4]
    )
    relaunched = _stamp(banner).replace(year=at.year)
    shown = (relaunched - at).total_seconds()
    assert abs(shown - (restart.t - failed.t)) < 2.0, (shown, restart.t - failed.t)
