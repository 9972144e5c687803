"""A save a framework's log calls complete is one the job can resume from (issue 17,
review-realism8 FAIL 2): Megatron-LM without --async-save, as its arguments print it
(`async_save None`, core_v0.14.0), writes the whole checkpoint inside save_checkpoint and
only then prints `successfully saved checkpoint` (checkpointing.py:615, `iter_finalize_fn`
called at once when not async); the save-checkpoint timer holds the write. It blocked only
for staging, said `successfully saved`, then after a failure before the write could end
resumed from the save before it."""

from __future__ import annotations

import re

import pytest

from genact_cast.errors import BadOption
from genact_cast.generator import RecordOptions, make_plan
from tests.release_catalogue import release_lines

SAVED = re.compile(r"successfully saved checkpoint from iteration +(\d+)")
LOADING = re.compile(r"loading distributed checkpoint from \S+ at iteration (\d+)")
TIMER = re.compile(r"save-checkpoint +\.+: \(([\d.]+), ([\d.]+)\)")
FAILED = re.compile(r"Watchdog caught|CUDA error|srun: error|ChildFailedError")


@pytest.mark.parametrize("seed", range(6400, 6416))
def test_megatron_resumes_from_the_last_save_it_called_complete(seed: int) -> None:
    options = RecordOptions(seed=seed, framework="megatron", failures=2, cols=200)
    try:
        plan = make_plan(options)
    except BadOption:
        pytest.skip("the framework does not train what the seed draws")
    lines = release_lines(options)
    saved = 0  # the last iteration called saved before the failure
    failing = False
    resumes = timers = 0
    for line in lines:
        if m := SAVED.search(line):
            # (a relaunch's load block is not always drawn: the next save ends the failure)
            saved, failing = int(m[1]), False
        elif FAILED.search(line):
            failing = True
        elif (m := LOADING.search(line)) and failing:
            assert int(m[1]) == saved, (seed, line)
            failing, resumes = False, resumes + 1
        elif m := TIMER.search(line):
            # a synchronous save: its timer holds the write, size over the stated bandwidth
            written = plan.checkpoint_bytes / (plan.storage_gbps * 1e9)
            assert float(m[2]) / 1000 >= written, (seed, line, written)
            timers += 1
    assert timers
