"""A long run's cast shows a subset of the lines its job logs (issue 18), but never a line
without the evaluation its framework prints next to it (review-mg13 E2, review-tt13 T2/T4):

- Megatron-LM core_v0.14.0 train(): the iteration's log line (training.py:2181), then at
  `iteration % eval_interval == 0` evaluate_and_print_results (:2210-2245), then the save at
  `iteration % save_interval == 0` (:2262);
- transformers 4.57.1 `_maybe_log_save_evaluate` (trainer.py:3220-3228): the log dict, then
  `_evaluate`, then `_save_checkpoint`; the DeepSpeed dialect runs the same Trainer;
- torchtitan v0.2.0 train() (train.py:611-625): the step (its line at log_freq), the save,
  then `validator.validate` where `should_validate` (components/validate.py:31), which logs
  its line and restarts the metrics window (components/metrics.py:456-486);
- the genact log (the seed's own look) follows the same rule: the step's line, its
  `[Validation] step N` line, and the save's line when its background write ends.

So at every step whose line or save the cast shows, the evaluation the loop runs there is
shown, where the job prints it; and torchtitan's tps, counted from the last line it logged
(a step's or a validation's), follows the stamps of the lines shown, never carrying the
seconds of a validation the cast leaves out. Seeds over the four framework dialects, at 80
and 160 columns, pre-training, continued pre-training and fine-tunes, with failures."""

from __future__ import annotations

import functools
import re
import statistics
from datetime import date
from typing import NamedTuple

import pytest

from genact_cast.errors import BadOption, SeedRefused
from genact_cast.generator import RecordOptions, make_plan
from genact_cast.generator.dialects.rank_logs import RANK_LOG_NODES
from genact_cast.generator.plan import RunPlan
from genact_cast.generator.presenters.dialect_choice import dialect_for
from tests.release_catalogue import cast_lines

FRAMEWORKS = ("megatron", "torchtitan", "hf", "deepspeed", "genact")
# Neither Megatron (lineup.NO_SFT) nor torchtitan v0.2.0 fine-tunes: they continue instead.
KINDS = ("pretrain", "sft", "continue")
FIRST, CASES = 9400, 12


class Case(NamedTuple):
    framework: str
    seed: int
    kind: str
    failures: int
    cols: int


def options(case: Case) -> RecordOptions:
    return RecordOptions(
        seed=case.seed,
        framework=case.framework,
        kind=case.kind,
        failures=case.failures,
        cols=case.cols,
        color=False,
    )


@functools.cache
def cases(framework: str) -> list[Case]:
    """The first CASES seeds from FIRST whose run the dialect prints (it refuses models its
    release has no code for, in one line), their kinds, failures and widths in turn."""
    out: list[Case] = []
    seed = FIRST
    while len(out) < CASES:
        i = len(out)
        kind = KINDS[i % 3]
        if kind == "sft" and framework in ("megatron", "torchtitan"):
            kind = "continue"
        case = Case(framework, seed, kind, i % 3, 80 if i % 2 else 160)
        seed += 1
        try:
            plan = make_plan(options(case))
        except (BadOption, SeedRefused):
            continue
        if framework == "deepspeed" and plan.nodes > RANK_LOG_NODES:
            continue  # its Trainer's lines go to the ranks' files (rank_logs)
        out.append(case)
    return out


ALL = [case for framework in FRAMEWORKS for case in cases(framework)]


@functools.cache
def made(case: Case) -> tuple[RunPlan, tuple[str, ...]]:
    return make_plan(options(case)), tuple(cast_lines(options(case)))


class Mark(NamedTuple):
    kind: str  # "step" (a logged step's line), "eval", "save", "launch"
    step: int
    line: int  # the line's place in the log
    text: str


MEGATRON = (
    ("step", re.compile(r" \[[^]]+\] iteration +(\d+)/")),
    ("eval", re.compile(r" validation loss at iteration (\d+) \| lm loss")),
    ("save", re.compile(r"saving checkpoint at iteration +(\d+) ")),
)
TITAN_STEP = re.compile(
    r"\[titan\] (\S+ \S+) - root - INFO - step: +(\d+) .* tps: [\d,]+ +tflops: ([\d.]+) "
)
TITAN_VALIDATE = re.compile(r"\[titan\] (\S+ \S+) - root - INFO - validate step: +(\d+) ")
TITAN_LAUNCH = re.compile(r"Training starts at step (\d+)")
GENACT = (
    ("step", re.compile(r"\] step +(\d+) \| loss ")),
    ("eval", re.compile(r"\] \[Validation\] step ([\d,]+) \| Val Loss")),
    ("save", re.compile(r"\] \[Checkpoint\] Saved step (\d+) to ")),
    ("launch", re.compile(r"Resuming from .*\(step ([\d,]+)\)")),
)
TRAINER_LOG = re.compile(r"\{'loss': .*'epoch': ([\d.e-]+)\}")
TRAINER_EVAL = re.compile(r"\{'eval_loss': .*'epoch': ([\d.e-]+)\}")
TRAINER_SAVE = re.compile(r"Saving model checkpoint to \S+/checkpoint-(\d+)$")
HOST = re.compile(r"([\w.-]+): ")
BAR_COUNT = re.compile(r"\| *(\d+)/(\d+) \[")


def marks(framework: str, plan: RunPlan, lines: tuple[str, ...]) -> list[Mark]:
    """The log's step lines, evaluations and saves, each with its step, in log order."""
    out: list[Mark] = []
    spe = plan.steps_per_epoch
    hosts = {plan.host(i) for i in range(plan.gpus // 8 + 1)}
    for index, line in enumerate(lines):
        if framework == "megatron":
            for kind, pattern in MEGATRON:
                if m := pattern.search(line):
                    out.append(Mark(kind, int(m[1]), index, line))
        elif framework == "genact":
            for kind, pattern in GENACT:
                if m := pattern.search(line):
                    out.append(Mark(kind, int(m[1].replace(",", "")), index, line))
        elif framework == "torchtitan":
            if m := TITAN_STEP.search(line):
                out.append(Mark("step", int(m[2]), index, line))
            elif m := TITAN_VALIDATE.search(line):
                out.append(Mark("eval", int(m[2]), index, line))
            elif m := TITAN_LAUNCH.search(line):
                out.append(Mark("launch", int(m[1]) - 1, index, line))
        else:
            # DeepSpeed's pdsh writes every node's record, its host first: one is enough.
            host = HOST.match(line)
            if host is not None and host[1] in hosts and host[1] != plan.host(0):
                continue
            if m := TRAINER_SAVE.search(line):
                out.append(Mark("save", int(m[1]), index, line))
            elif (m := TRAINER_LOG.search(line)) or (e := TRAINER_EVAL.search(line)):
                found = m or e
                assert found is not None
                epoch = float(found[1])
                # The Trainer's epoch is global_step / steps per epoch: its repr under
                # DeepSpeed's PrinterCallback, rounded to 2 places under tqdm's
                # ProgressCallback, whose bar then says the step.
                step = round(epoch * spe)
                bar = next((b for b in lines[index + 1 : index + 4] if BAR_COUNT.search(b)), None)
                if bar is not None:
                    count = BAR_COUNT.search(bar)
                    assert count is not None
                    step = int(count[1])
                elif len(found[1].partition(".")[2]) <= 2:
                    continue  # rounded, and no bar to say the step
                out.append(Mark("step" if m else "eval", step, index, line))
    return out


def in_loop(plan: RunPlan, step: int) -> bool:
    """Whether the training loop evaluates after `step` (an epoch's end evaluates on its own,
    as a phase the cast always shows)."""
    return step % plan.eval_every == 0 and step % plan.steps_per_epoch != 0


@pytest.mark.parametrize("case", ALL, ids=lambda c: f"{c.framework}-{c.seed}-{c.kind}")
def test_a_shown_step_or_save_shows_the_evaluation_the_loop_runs_there(case: Case) -> None:
    """Each step line or save of a step the loop evaluates after is followed by that
    evaluation before the next step's line: before the save (Megatron, the Trainer) or
    after it (torchtitan)."""
    plan, lines = made(case)
    ms = marks(case.framework, plan, lines)
    assert any(m.kind == "step" for m in ms)
    checked = 0
    for i, mark in enumerate(ms):
        if mark.kind not in ("step", "save") or not in_loop(plan, mark.step):
            continue
        if mark.step >= plan.total_steps:
            continue
        # what the log prints after this line, up to the next step's line or a relaunch
        after = []
        for later in ms[i + 1 :]:
            if later.kind == "launch" or (later.kind == "step" and later.step != mark.step):
                break
            after.append(later)
        if not after and mark.line >= len(lines) - 3:
            continue  # the cast ends here (stopped, or a failure right after the line)
        evaluations = [m for m in after if m.kind == "eval" and m.step == mark.step]
        if case.framework == "genact" and mark.kind == "save":
            # logged when its background write ends, maybe after later steps' lines
            earlier = [m for m in ms[:i] if m.kind == "eval" and m.step == mark.step]
            assert earlier, (case, mark.text)
        elif case.framework != "torchtitan" and mark.kind == "save":
            # the loop evaluated before it saved: the evaluation is just above the save
            before = [m for m in ms[:i] if m.kind != "save"]
            assert before, (case, mark.text)
            assert (before[-1].kind, before[-1].step) == ("eval", mark.step), (case, mark.text)
        elif case.framework == "torchtitan" or mark.kind == "step":
            assert evaluations, (case, mark.text, [m.text[:60] for m in after])
            if case.framework != "torchtitan":
                saves = [m.line for m in after if m.kind == "save" and m.step == mark.step]
                assert all(evaluations[0].line < s for s in saves), (case, mark.text)
        checked += 1
    if plan.kind != "sft" and plan.total_steps >= 2 * plan.eval_every:
        assert checked, (case, "no shown step of an evaluation")


def titan_seconds(stamp: str) -> float:
    day, clock = stamp.split(" ")
    h, m, s = clock.replace(",", ".").split(":")
    days = date.fromisoformat(day).toordinal()
    return days * 86400 + int(h) * 3600 + int(m) * 60 + float(s)


@pytest.mark.parametrize("case", cases("torchtitan"), ids=lambda c: f"{c.seed}-{c.kind}")
def test_torchtitan_tps_follows_the_stamps_of_the_lines_it_counts_from(case: Case) -> None:
    """metrics.py's tps is the tokens since the last line logged (a step's, or a
    validation's, which restarts the window: :456-486) over the seconds since it. Between
    two consecutive logged steps that the cast both shows, that is the stamps' difference,
    the same tokens a step everywhere: a validation the cast hid there would add its
    seconds to the stamps (review-tt13 T2: 2,059 printed where the stamps gave 2,034)."""
    plan, lines = made(case)
    freq = dialect_for(plan).interval
    per_step: list[tuple[float, float, str]] = []
    last: tuple[int, float] | None = None  # (step, stamp) of the last line logged
    for line in lines:
        if TITAN_LAUNCH.search(line):
            last = None
        elif m := TITAN_VALIDATE.search(line):
            last = (int(m[2]), titan_seconds(m[1]))
        elif m := TITAN_STEP.search(line):
            step, t, tflops = int(m[2]), titan_seconds(m[1]), float(m[3])
            if last is not None and step - last[0] == freq and last[0] > 1:
                per_step.append((tflops * (t - last[1]) / freq, tflops, line))
            last = (step, t)
    # (a cast shows groups of three consecutive lines at the dialects' one cadence, pacing.cadence)
    assert len(per_step) >= 6, case
    median = statistics.median(k for k, _, _ in per_step)
    for k, tflops, line in per_step:
        # tflops (metrics.py:408, the window's tps times the FLOPs a token: the same window,
        # printed to 2 decimals where tps is rounded to the token); stamps to the millisecond
        assert abs(k / median - 1) <= 0.01 / tflops + 1e-3, (case, line, k, median)
