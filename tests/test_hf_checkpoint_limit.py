"""review-dialects17 W1 and W3: a pre-training or continued run under the Trainer (hf, and
DeepSpeed's train.py) asks for what a run_clm recipe asks for (mesolitica/malaya
pretrained-model/mistral/run-191M.sh: `--block_size 4096 --save_steps 200 --save_total_limit
2`): the sequence its numbers count, and its last two checkpoints kept. transformers 4.57.1
then deletes the oldest after each save past the limit (`_rotate_checkpoints`,
trainer.py:4396-4419, its line at :4418), so a relaunch resumes from a checkpoint on disk."""

from __future__ import annotations

import re
import shlex

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from genact_cast.generator import RecordOptions, make_plan
from genact_cast.generator.presenters.dialect_choice import dialect_for
from tests.release_catalogue import cast_lines

SAVED = re.compile(r"Saving model checkpoint to \./out/checkpoint-(\d+)$")
DELETED = re.compile(
    r"\[INFO\|trainer\.py:4418\] [\d-]+ [\d:,]+ >> Deleting older checkpoint "
    r"\[out/checkpoint-(\d+)\] due to args\.save_total_limit$"
)
RESUMED = re.compile(r"Continuing training from global step (\d+)$")


def typed(options: RecordOptions) -> list[str]:
    return shlex.split(" ".join(dialect_for(make_plan(options)).launch_words()))


def checkpoints(lines: list[str]) -> tuple[int, int, list[int]]:
    """(saves, deletions, checkpoints left) as the log tells them, checking on the way that
    each deletion removes the oldest checkpoint on disk, that each save's rotation leaves two,
    and that each resume reads a checkpoint still there."""
    on_disk: list[int] = []
    saves = deletions = 0
    for line in lines:
        if saved := SAVED.search(line):
            if on_disk and len(on_disk) > 2:
                raise AssertionError(f"{on_disk} after a save's rotation")
            on_disk.append(int(saved[1]))
            saves += 1
        elif deleted := DELETED.search(line):
            assert on_disk, deleted[0]
            assert int(deleted[1]) == on_disk[0], (deleted[0], on_disk)
            on_disk.pop(0)
            deletions += 1
        elif resumed := RESUMED.search(line):
            assert int(resumed[1]) in on_disk, (resumed[0], on_disk)
    return saves, deletions, on_disk


@settings(
    max_examples=12, deadline=None, suppress_health_check=[HealthCheck.too_slow], derandomize=True
)
@given(
    seed=st.integers(0, 2**32 - 1),
    framework=st.sampled_from(["hf", "deepspeed"]),
    kind=st.sampled_from(["pretrain", "continue"]),
    failures=st.integers(0, 2),
)
def test_a_pre_training_run_keeps_its_last_two_checkpoints(
    seed: int, framework: str, kind: str, failures: int
) -> None:
    options = RecordOptions(
        seed=seed, framework=framework, kind=kind, failures=failures, gpus=16, duration=30.0
    )
    plan = make_plan(options)
    words = typed(options)
    assert "--save_total_limit=2" in words
    assert f"--block_size={plan.seq_len}" in words
    saves, deletions, left = checkpoints(cast_lines(options._replace(cols=1000, color=False)))
    assert saves >= 1
    assert deletions == max(0, saves - 2)
    assert len(left) == min(saves, 2)


@pytest.mark.parametrize("framework", ["hf", "deepspeed"])
def test_a_fine_tune_keeps_every_checkpoint_and_packs_to_max_length(framework: str) -> None:
    """A fine-tune's command is trl's SFT: --max_length, not run_clm's --block_size, and the
    Trainer's default save_total_limit (None)."""
    options = RecordOptions(seed=3, framework=framework, kind="sft", duration=30.0)
    words = typed(options)
    assert f"--max_length={make_plan(options).seq_len}" in words
    assert not any(w.startswith(("--block_size", "--save_total_limit")) for w in words)
    lines = cast_lines(options._replace(cols=1000, color=False))
    assert not any(DELETED.search(line) for line in lines)


def test_a_pre_training_log_rotates_hundreds_of_checkpoints() -> None:
    """review-dialects17's repro: seed 42446's 616 saves kept 616 checkpoints of the model."""
    options = RecordOptions(
        seed=42446, framework="hf", kind="pretrain", gpus=16, failures=0, cols=1000, color=False
    )
    saves, deletions, left = checkpoints(cast_lines(options))
    assert saves > 100
    assert deletions == saves - 2
    assert len(left) == 2
