"""An HF resume reads its checkpoint between `Loading model from ./out/checkpoint-N.`
(trainer.py:2934 at transformers 4.57.1, in `_load_from_checkpoint`) and `***** Running
training *****` (:2519): Trainer.train runs `_load_from_checkpoint` (accelerate 1.11.0's
`load_fsdp_model`, every rank its shard of the weights) and `_load_optimizer_and_scheduler`
(trainer.py:2507-2519) between them, so the two stamps lie at least the checkpoint's bytes
over the file system's read bandwidth apart, as the run's own timeline reads a resume
(run_plan.checkpoint_seconds). review-tt16 T8: every resume stamped both lines with the
same millisecond. The log's stamps never go back in time."""

from __future__ import annotations

import functools
import re
from datetime import datetime

import pytest

from genact_cast.generator import RecordOptions, make_plan, physics
from genact_cast.generator.events import Restarted
from genact_cast.generator.run import Run
from tests.release_catalogue import release_lines
from tests.seed_scan import seeds_where

STAMP = re.compile(r"(\d{4}-\d\d-\d\d \d\d:\d\d:\d\d,\d{3})")
LOADING = re.compile(r"Loading model from \S+/checkpoint-\d+\.")
RUNNING = "***** Running training *****"


def _resumes_from_saves(seed: int) -> bool:
    """Whether the seed's Trainer run, with two failures, resumes from a save each time
    (a failure before the first save starts again from step 0: nothing to load)."""
    run = Run(make_plan(RecordOptions(seed=seed, framework="hf", failures=2)))
    restarts = [e.step for e in run.events if isinstance(e, Restarted)]
    return bool(restarts) and all(restarts)


@functools.cache
def resuming_seeds() -> list[int]:
    """HF runs with resumes, the first seven of 42100-42199 (the review's were 42100, 42102,
    42104, 42109, 42118, 42120, 42138: pre-training from scratch, continued pre-training,
    fine-tunes, LoRA too, 8B to 72B and a MoE, one node to 256; 42102's fine-tune fails
    before its first save in the date window planned in N10)."""
    hf = seeds_where(lambda plan: True, count=40, seeds=range(42100, 42200), framework="hf")
    return [seed for seed in hf if _resumes_from_saves(seed)][:7]


def moment(line: str) -> datetime | None:
    found = STAMP.search(line)
    return datetime.strptime(found[1], "%Y-%m-%d %H:%M:%S,%f") if found else None


@pytest.mark.parametrize("index", range(7))
def test_a_resume_reads_its_checkpoint_between_the_two_lines(index: int) -> None:
    seed = resuming_seeds()[index]
    options = RecordOptions(seed=seed, framework="hf", failures=2, cols=200)
    plan = make_plan(options)
    read = plan.checkpoint_bytes / (plan.storage_gbps * physics.GB)
    lines = release_lines(options)
    loads = [i for i, line in enumerate(lines) if LOADING.search(line)]
    assert loads, seed
    for i in loads:
        after = next(j for j in range(i, len(lines)) if RUNNING in lines[j])
        began, ended = moment(lines[i]), moment(lines[after])
        assert began is not None
        assert ended is not None
        gap = (ended - began).total_seconds()
        assert gap >= read, (seed, lines[i], gap, read)
    # the Trainer's log (its `[LEVEL|file.py:line] stamp >>` lines) never goes back
    stamps = [m for line in lines if " >> " in line and (m := moment(line)) is not None]
    assert stamps == sorted(stamps), seed
