"""What a viewer sees: every phase, in order, in colour, never wrapped, numbers agreeing."""

from __future__ import annotations

import itertools
import math
import re

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from genact_cast.generator import RecordOptions, make_plan
from tests.helpers import events_of, output_of, plain, render

PHASE_TEXTS = [
    "torchrun",
    "OMP_NUM_THREADS",
    "Initializing distributed training environment",
    "Rendezvous complete: ",
    "Setting up NCCL backend (",
    "Master: ",
    "NCCL INFO",
    "Init COMPLETE",
    "Building model: ",
    "Model size: ",
    "Parallelism: DP ",
    "Memory per GPU: ",
    "Loading tokenizer: AutoTokenizer (vocab_size=",
    "Dataset: ",
    "Global batch: ",
    "Checkpoints: every ",
    "Training: ",
    "Epoch 1/",
    "Step ",
    "Loss: ",
    "LR: ",
    "GPU Mem: ",
    "tokens/s",
    "samples/s",
    "ETA: ",
    "[GPU 0-7: ",
    "[NCCL] AllGather: ",
    "ReduceScatter: ",
    "Exposed: ",
    "[Validation] Epoch 1 | Evaluating on ",
    "Val Loss: ",
    "Val PPL: ",
    "[Checkpoint] Saving model to checkpoints/",
    "Saving model shards: [",
    "Saving optimizer state: ",
    "Checkpoint saved in ",
    "[Export] Training complete! Exporting final model...",
    "Converting to SafeTensors format...",
    "Exporting: [",
    "-of-",
    "model.safetensors.index.json",
    "Model saved to: ./models/",
    "Total training time: ",
    "Final metrics: Loss=",
    "Training summary",
    "Loss curve",
]


# (the phases that are NCCL's INFO lines: printed only where the job sets NCCL_DEBUG)
NCCL_INFO_TEXTS = ("NCCL INFO", "Init COMPLETE")


@pytest.fixture(scope="module")
def seed7_text() -> str:
    return plain(output_of(events_of(seed=7, color=False)))


@pytest.fixture(scope="module")
def seed7_debug_text() -> str:
    """Seed 7 with NCCL_DEBUG=INFO set (--nccl-debug on): its NCCL INFO lines among the phases."""
    return plain(output_of(events_of(seed=7, color=False, nccl_debug=True)))


def test_every_phase_appears_in_order(seed7_debug_text: str, seed7_text: str) -> None:
    assert "NCCL_DEBUG=INFO torchrun " in seed7_debug_text
    position = 0
    for text in PHASE_TEXTS:
        found = seed7_debug_text.find(text, position)
        assert found >= 0, f"{text!r} missing after position {position}"
        position = max(position, found)
    # Seed 7 as drawn leaves NCCL_DEBUG unset (RunPlan.nccl_debug): the same phases, and no
    # NCCL INFO line, as NCCL 2.27.5 prints none then (src/debug.cc:49-50 at v2.27.5-1)
    assert not make_plan(RecordOptions(seed=7)).nccl_debug
    assert "NCCL INFO" not in seed7_text
    assert "NCCL_DEBUG" not in seed7_text
    position = 0
    for text in (text for text in PHASE_TEXTS if text not in NCCL_INFO_TEXTS):
        found = seed7_text.find(text, position)
        assert found >= 0, f"{text!r} missing after position {position}"
        position = max(position, found)


def test_markers_label_every_phase_and_epoch_in_order() -> None:
    plan = make_plan(RecordOptions(seed=7))
    labels = [e.data for e in events_of(seed=7) if e.code == "m"]
    expected = ["Initialization"]
    for epoch in range(1, plan.epochs + 1):
        # Every epoch ends with a save: the last step is saved too.
        expected += [f"Epoch {epoch}/{plan.epochs}", f"Validation {epoch}", f"Checkpoint {epoch}"]
    expected.append("Export")
    assert labels == expected


def test_final_screen_shows_the_summary_and_a_fresh_prompt() -> None:
    events = events_of(seed=7)
    screen = render(events, 100, 30)
    lines = [line.rstrip() for line in screen.display]
    text = "\n".join(lines)
    assert "Training summary" in text
    assert "Final loss" in text
    assert "Loss curve" in text
    assert lines[-1].endswith("$") or "$" in [ln for ln in lines if ln][-1]


@pytest.mark.parametrize("cols", [60, 61, 67, 80, 99, 100, 133, 181, 250])
def test_no_line_ever_reaches_the_last_column(cols: int) -> None:
    for seed in (1, 7, 42):
        events = events_of(seed=seed, cols=cols, rows=24, duration=40.0)
        screen = render(events, cols, 24)
        assert screen.last_column_writes == 0, f"seed {seed} wrote into column {cols}"


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.integers(0, 2**32), st.integers(60, 250), st.integers(20, 60))
def test_no_wrap_for_any_width_and_seed(seed: int, cols: int, rows: int) -> None:
    screen = render(events_of(seed=seed, cols=cols, rows=rows, duration=20.0), cols, rows)
    assert screen.last_column_writes == 0


def test_colours_follow_the_seed_notes_table() -> None:
    text = output_of(events_of(seed=7))
    assert "\x1b[35m[20" in text  # timestamps magenta
    assert "\x1b[1;36m[Validation]" in text  # phase headers bold cyan
    assert "\x1b[1;36mEpoch 1/" in text
    assert "\x1b[32m━" in text  # progress bars green
    assert "\x1b[34mLoss:" in text  # metric labels blue
    assert re.search(r"\x1b\[1;37m\d+\.\d{4}", text)  # values bold white
    assert "\x1b[33m[WARN]" in text or "\x1b[33m" in output_of(events_of(seed=8))  # warnings
    assert "\x1b[36m[GPU 0-7:" in text  # GPU status cyan
    assert "\x1b[38;5;8m[NCCL] AllGather" in text  # NCCL grey (256-colour 8)


def test_no_color_gives_plain_text() -> None:
    text = output_of(events_of(seed=7, color=False))
    assert not re.search(r"\x1b\[[0-9;]*m", text)
    assert "Val PPL" in text


def test_numbers_on_screen_agree_with_each_other(seed7_text: str) -> None:
    plan = make_plan(RecordOptions(seed=7))
    speeds = re.findall(r"Speed: ([\d,]+) tokens/s \| ([\d,]+) samples/s", seed7_text)
    assert speeds
    for tokens, samples in speeds:
        per_seq = plan.tokens_per_sequence
        assert abs(int(samples.replace(",", "")) - int(tokens.replace(",", "")) / per_seq) <= 1
    for loss, ppl in re.findall(r"Val Loss: (\d+\.\d{4}) \| Val PPL: (\d+\.\d{2})", seed7_text):
        assert ppl == f"{math.exp(float(loss)):.2f}"
    for loss, ppl in re.findall(r"Loss=(\d+\.\d{4}), PPL=(\d+\.\d{2})", seed7_text):
        assert ppl == f"{math.exp(float(loss)):.2f}"
    memory = re.findall(r"GPU Mem: (\d+\.\d)GiB/(\d+\.\d)GiB", seed7_text)
    assert memory
    for used, total in memory:
        # the capacity torch reports (gpus.tsv), to the one decimal the line shows
        assert float(used) <= float(total) == round(plan.gpu.memory_gib, 1)
    for step, lr in re.findall(r"Step (\d+)/\d+ \| Loss: [\d.]+ \| LR: (\d\.\de-\d\d)", seed7_text):
        assert lr == f"{plan.learning_rate(int(step)):.1e}"
    stamps = re.findall(r"\[(\d{4}-\d\d-\d\d \d\d:\d\d:\d\d)\]", seed7_text)
    assert stamps == sorted(stamps)
    assert stamps[-1][:10] != stamps[0][:10] or plan.total_steps * plan.step_seconds < 86400


def test_step_one_is_slow_and_reports_the_untrained_loss() -> None:
    plan = make_plan(RecordOptions(seed=7, kind="pretrain"))
    text = plain(output_of(events_of(seed=7, kind="pretrain", color=False)))
    first = re.search(r"step +1 \| loss (\d+\.\d+) \| ([\d,]+) tok/s/GPU \| mfu ([\d.]+)%", text)
    assert first
    assert float(first.group(1)) >= math.log(plan.arch.vocab) - 0.1
    assert 5 <= float(first.group(3)) <= 15


@settings(max_examples=20, deadline=None)
@given(st.integers(0, 2**32), st.floats(5, 900), st.sampled_from([0.5, 1.0, 2.0, 7.5]))
def test_duration_is_met_within_five_percent_and_every_phase_appears(
    seed: int, duration: float, speed: float
) -> None:
    events = events_of(seed=seed, duration=duration, speed=speed)
    length = events[-1].time
    assert abs(length - duration / speed) <= 0.05 * duration / speed
    labels = {e.data.split(" ")[0] for e in events if e.code == "m"}
    assert labels == {"Initialization", "Epoch", "Validation", "Checkpoint", "Export"}
    times = [e.time_us for e in events]
    assert times == sorted(times)


def test_pauses_are_never_constant() -> None:
    times = [e.time_us for e in events_of(seed=3) if e.code == "o"]
    gaps = [b - a for a, b in itertools.pairwise(times) if b > a]
    assert len(set(gaps)) > 0.9 * len(gaps)


def test_default_length_is_a_few_minutes_of_cast() -> None:
    for seed in range(5):
        assert 90 <= events_of(seed=seed)[-1].time <= 400
