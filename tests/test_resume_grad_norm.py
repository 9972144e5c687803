"""A step trained again after a resume (review-mg13 N1): its loss differed from the first
launch's by the non-deterministic reductions' bits, but its gradient norm repeated to the last
of the Trainer's 16 digits. The resumed launch starts from the saved weights and batches, so
its first step's norm is the saved run's (KempnerInstitute/KempnerForge#114: step 9's
grad_norm 0.855 in both), and its own updates drift from there: within a few steps the norm
moves where the loss barely does (the same issue: step 10 0.930 against 0.973, the losses
equal; facebookresearch/metaseq#269: "PPL and gnorms do move a bit")."""

from __future__ import annotations

import re
import statistics

from genact_cast.generator import RecordOptions, make_plan
from genact_cast.generator.dialects.rank_logs import RANK_LOG_NODES
from genact_cast.generator.events import Restarted, Trained
from genact_cast.generator.run import GRAD_REPLAY_DRIFT, REPLAY_DRIFT_STEPS, Run
from tests.release_catalogue import cast_lines
from tests.seed_scan import seed_where

# DeepSpeed seed 40201 --failures 2: review-mg13 N1's run, resumed twice from the same save;
# it is on 16 nodes, whose ranks write to their files (rank_logs): the first from it on 2 to
# 8 nodes, whose Trainer's records pdsh tags and relays.
REVIEWED = RecordOptions(
    seed=seed_where(
        lambda plan: 1 < plan.nodes <= RANK_LOG_NODES,
        seeds=range(40201, 40401),
        framework="deepspeed",
        failures=2,
    ),
    framework="deepspeed",
    failures=2,
    cols=1000,
    color=False,
)
SEEDS = (40201, 40205, 9401, 9410)


def trained(run: Run) -> dict[int, set[int]]:
    steps: dict[int, set[int]] = {}
    for e in run.events:
        if isinstance(e, Trained):
            steps.setdefault(e.attempt, set()).update(range(e.first, e.last + 1))
    return steps


def test_a_resumed_launch_draws_its_own_gradient_norms() -> None:
    """The first step after the resume repeats the saved run's norm; from the tenth on, each
    differs from the launch before's by about GRAD_REPLAY_DRIFT, never by a visible jump."""
    checked = 0
    for seed in SEEDS:
        run = Run(make_plan(RecordOptions(seed=seed, failures=2)))
        if not any(isinstance(e, Restarted) for e in run.events):
            continue
        steps = trained(run)
        for attempt in sorted(steps)[1:]:
            again = sorted(steps[attempt - 1] & steps[attempt])
            if len(again) < 3 * REPLAY_DRIFT_STEPS:
                continue
            first = min(steps[attempt])
            assert run.step(first, attempt).grad_norm == run.step(first, attempt - 1).grad_norm
            later = [s for s in again if s >= first + REPLAY_DRIFT_STEPS]
            moved = [
                abs(run.step(s, attempt).grad_norm / run.step(s, attempt - 1).grad_norm - 1)
                for s in later
            ]
            assert all(m > 0 for m in moved), (seed, attempt)
            assert max(moved) < 10 * GRAD_REPLAY_DRIFT, (seed, attempt)
            # a normal's median absolute value is 0.67 of its standard deviation
            assert 0.3 * GRAD_REPLAY_DRIFT < statistics.median(moved) < 2 * GRAD_REPLAY_DRIFT
            checked += 1
    assert checked >= 2


TRAINER_LOG = re.compile(r"^(\S+): \{'loss': (\S+), 'grad_norm': (\S+), .*'epoch': (\S+)\}$")


def test_the_trainer_logs_a_resumed_steps_own_gradient_norm() -> None:
    """The review's run: every record logged again after a resume (the same epoch, so the
    same global step) prints a gradient norm of its own, as its loss may differ."""
    lines = cast_lines(REVIEWED)
    records: dict[str, list[str]] = {}
    host = make_plan(REVIEWED).host(0)
    for line in lines:
        m = TRAINER_LOG.match(line)
        if m and m[1] == host:
            records.setdefault(m[4], []).append(m[3])
    again = {epoch: norms for epoch, norms in records.items() if len(norms) > 1}
    assert again  # the run logs steps again after its resumes
    for epoch, norms in again.items():
        assert len(set(norms)) == len(norms), (epoch, norms)
