"""Every duration a line states is the time its stamps show (issue 17): loads, saves,
evaluations, GC, in each dialect, over seeds and failures no other test uses."""

from __future__ import annotations

from typing import Any

import pytest

from genact_cast.generator import RecordOptions
from tests.cast_text import replay
from tests.helpers import arch_of, events_of, output_of
from tests.stated_durations import mismatches, trainer_runtime_mismatches

# (framework, seeds): as many as a few seconds buy; a failure in every other cast for the
# reloads. DeepSpeed's own timers are rates, and each node prints the Trainer's metrics
# (PrinterCallback on each local process zero): its runs are read for train_runtime alone.
# torchtitan's over more seeds: it refuses the runs its release does not train (about 4 in 5).
SWEEPS = [("genact", range(300, 320)), ("torchtitan", range(300, 350)),
          ("megatron", range(300, 306)), ("hf", range(300, 306))]  # fmt: skip


def lines_of(**options: Any) -> list[str]:
    return replay(output_of(events_of(color=False, cols=1000, **options))).lines


@pytest.mark.parametrize(("framework", "seeds"), SWEEPS, ids=[f for f, _ in SWEEPS])
def test_stated_durations_match_the_stamps(framework: str, seeds: range) -> None:
    failing = []
    checked = 0
    for seed in seeds:
        if not arch_of(RecordOptions(seed=seed, framework=framework, failures=seed % 2)):
            continue  # a run the framework refuses (review-tt8 fault 5)
        checked += 1
        found = mismatches(lines_of(seed=seed, framework=framework, failures=seed % 2))
        if found:
            failing.append(f"seed {seed}: {found[0]}" + (f" (+{len(found) - 1})" * bool(found[1:])))
    assert not failing, "\n".join(failing)
    assert checked >= 5


def test_the_rule_catches_a_load_that_took_another_time() -> None:
    log = [
        "[2026-01-30 14:23:15] Building model: X-8B (Llama-3-8B architecture)",
        "[2026-01-30 14:23:15] Loading model: X-8B from /checkpoints/base/X (16.1 GB bf16) in 7.5s",
    ]
    assert mismatches(log)
    log[1] = log[1].replace("14:23:15", "14:23:22")
    assert not mismatches(log)


def test_the_rule_catches_an_unstamped_duration_with_no_room() -> None:
    log = [
        "[2026-01-30 14:23:15] step  100 | loss 2.1",
        "  Val Loss: 2.1 | Val PPL: 8.17 | Eval time: 105.2s",
        "  Checkpoint saved in 8.0s (16.1 GB at 2.0 GB/s)",
        "[2026-01-30 14:24:15] step  110 | loss 2.0",
    ]
    assert mismatches(log)
    log[3] = log[3].replace("14:24:15", "14:25:15")
    assert not mismatches(log)


def test_torchtitan_stamps_with_milliseconds() -> None:
    head = "[rank0]:[titan] 2026-01-30 14:23:"
    log = [
        f"{head}10,000 - root - INFO - Loading the checkpoint from ./outputs/checkpoint/step-500.",
        f"{head}15,480 - root - INFO - Finished loading the checkpoint in 5.48 seconds.",
    ]
    assert not mismatches(log)
    log[1] = log[1].replace("5.48 seconds", "5.20 seconds")
    assert mismatches(log)


def test_megatron_elapsed_time_per_iteration_is_the_interval_less_its_saves() -> None:
    """training_log's `elapsed time per iteration (ms)` is the interval timer over the log
    interval, and the timer stops for a save (training.py:1655 at core_v0.14.0)."""
    head = " [2026-01-30 14:2"
    tail = " | elapsed time per iteration (ms): {} | throughput per GPU (TFLOP/s/GPU): 300.0 |"
    log = [
        f"{head}3:00] iteration      100/   1000 | consumed samples: 1" + tail.format("3000.0"),
        "saving checkpoint at iteration     100 to /checkpoints/x in torch_dist format",
        "(min, max) time across ranks (ms):",
        "    save-checkpoint ................................: (9800.00, 10000.00)",
        f"{head}3:40] iteration      110/   1000 | consumed samples: 2" + tail.format("3000.0"),
    ]
    assert not mismatches(log)
    log[4] = log[4].replace("3000.0", "4000.0")  # the save counted as training time
    assert mismatches(log)


TRAINER_END = [
    "[INFO|trainer.py:2519] 2026-02-19 14:20:31,184 >> ***** Running training *****",
    "[INFO|trainer.py:2810] 2026-03-07 06:38:59,600 >> ",
    "Training completed. Do not forget to share your model on huggingface.co/models =)",
    "{'train_runtime': 1354708.4154, 'train_samples_per_second': 466.32, "
    "'train_steps_per_second': 0.455, 'train_loss': 0.9297, 'epoch': 1.0}",
    "***** train metrics *****",
    "  train_runtime            = 15 days, 16:18:28.41",
]


def test_the_rule_reads_the_trainers_train_runtime_against_its_stamps() -> None:
    """transformers 4.57.1: train_runtime runs from `Running training` (trainer.py:2519) to
    `Training completed` (trainer.py:2810), and log_metrics shows it as a timedelta."""
    assert not mismatches(TRAINER_END)
    late = [TRAINER_END[0], TRAINER_END[1].replace("06:38:59", "07:38:59"), *TRAINER_END[2:]]
    assert mismatches(late)  # an hour more passed than the metrics say
    shown = [*TRAINER_END[:-1], TRAINER_END[-1].replace("16:18:28", "15:18:28")]
    assert mismatches(shown)  # the metrics block disagrees with the dict


@pytest.mark.parametrize("seed", [300, 301])
def test_deepspeed_runs_state_the_trainers_train_runtime_as_stamped(seed: int) -> None:
    found = trainer_runtime_mismatches(
        lines_of(seed=seed, framework="deepspeed", failures=seed % 2)
    )
    assert not found, found[:3]
