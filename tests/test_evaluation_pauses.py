"""An evaluation inside an epoch, and a save's blocking part, lie between two steps, in
neither's own time.

The loops time a step without the evaluation or save after it (Megatron core_v0.14.0
training.py stops its 'interval-time' timer around evaluate_and_print_results and in
save_checkpoint_and_time; torchtitan v0.2.0 metrics.py:486 restarts its window after a
validation, while its dialect counts a save in the next logged window by the clock), so the
step after one shows the run's steady throughput. Before: seed 8 at --duration 3600 showed
`MFU: 27.5%` at steps 201, 401, 601 ... (36.6 % at step 200), the 5.5 s evaluation counted
in that step."""

from __future__ import annotations

from genact_cast.generator import RecordOptions, make_plan
from genact_cast.generator.events import Evaluated
from genact_cast.generator.run import Run
from tests.seed_scan import seeds_where


def _evaluates_in_its_epochs(plan: object) -> bool:
    from genact_cast.generator.plan import RunPlan

    assert isinstance(plan, RunPlan)
    return plan.kind != "sft" and plan.eval_every < plan.steps_per_epoch


def test_the_step_after_an_evaluation_trains_at_the_runs_pace() -> None:
    for seed in seeds_where(_evaluates_in_its_epochs, count=6, seeds=range(60)):
        run = Run(make_plan(RecordOptions(seed=seed)))
        evaluated = [e for e in run.events if isinstance(e, Evaluated) and e.seconds > 0]
        assert evaluated, seed
        for event in evaluated[:5]:
            before, after = run.step(event.step), run.step(event.step + 1)
            if after.epoch != before.epoch:
                continue
            # Jitter is ±1 % of a step; an evaluation is a third of one or more (seed 0's
            # step 1001 took 29 % longer than step 1000 for the save's staging there).
            assert abs(after.seconds / before.seconds - 1) < 0.05, (seed, event.step)
            assert after.seconds < before.seconds + 0.5 * event.seconds, (seed, event.step)
            # Its stamp still comes after the evaluation ended.
            assert after.t >= event.t + 0.9 * run.plan.step_seconds, (seed, event.step)
