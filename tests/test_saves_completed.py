"""A save a framework's log calls complete is one the job can resume from (issue 17,
review-realism8 FAIL 2): Megatron-LM without --async-save, as its arguments print it
(`async_save None`, core_v0.14.0), writes the whole checkpoint inside save_checkpoint and
only then prints `successfully saved checkpoint` (checkpointing.py:615, `iter_finalize_fn`
called at once when not async); the save-checkpoint timer holds the write. It blocked only
for staging, said `successfully saved`, then after a failure before the write could end
resumed from the save before it.

Every relaunch after a failure prints _load_base_checkpoint's line before it trains again
(checkpointing.py:1076-1083 at core_v0.14.0): ` loading distributed checkpoint from DIR at
iteration N` for a torch_dist checkpoint, ` loading checkpoint from ... at iteration N` for
Megatron-FSDP's fsdp_dtensor one (`dist_infix` is "distributed " for torch_dist only:
_get_checkpoint_format finds no metadata.json in a torch.distributed.checkpoint directory and
names it fsdp_dtensor under --use-megatron-fsdp), or, with no save yet, the tracker file's
warning (checkpointing.py:1062-1063) or a fine-tune's released model again."""

from __future__ import annotations

import re

import pytest

from genact_cast.errors import BadOption
from genact_cast.generator import RecordOptions, make_plan
from tests.helpers import untee
from tests.release_catalogue import release_lines

SAVING = re.compile(r"saving checkpoint at iteration +\d+ to \S+ in (\w+) format")
SAVED = re.compile(r"successfully saved checkpoint from iteration +(\d+)")
LOADING = re.compile(r"^ loading (distributed )?checkpoint from \S+ at iteration (\d+)$")
# with no save yet: from random (a pre-training), or the released model again (a fine-tune's
# --pretrained-checkpoint, checkpointing.py:1357 and 1080)
NO_SAVE_YET = re.compile(
    r"^    will not load any checkpoints and will start from random$"
    r"|^ loading release (?:distributed )?checkpoint from "
)
ITERATION = re.compile(r"^ \[[\d-]+ [\d:]+\] iteration +\d+/")
TIMER = re.compile(r"save-checkpoint +\.+: \(([\d.]+), ([\d.]+)\)")
# (a torchrun's own `failed (exitcode: ...)`: past 8 nodes all the console shows of a death
# of local ranks 1-6, whose error goes to their files, megatron_tee)
FAILED = re.compile(r"Watchdog caught|CUDA error|srun: error|ChildFailedError|failed \(exitcode: ")


@pytest.mark.parametrize("seed", range(6400, 6440))
def test_megatron_resumes_from_the_last_save_it_called_complete(seed: int) -> None:
    options = RecordOptions(seed=seed, framework="megatron", failures=2, cols=200)
    try:
        plan = make_plan(options)
    except BadOption:
        pytest.skip("the framework does not train what the seed draws")
    lines = untee(release_lines(options))
    saved = 0  # the last iteration called saved before the failure
    fmt = ""  # the format the run saves in, as its `saving checkpoint` line names it
    failing = False
    failures = resumes = timers = 0
    for line in lines:
        if m := SAVING.search(line):
            assert not failing, (seed, "a save before the relaunch loaded", line)
            fmt = m[1]
        elif m := SAVED.search(line):
            assert not failing, (seed, "a save before the relaunch loaded", line)
            saved = int(m[1])
        elif FAILED.search(line):
            failures += not failing
            failing = True
        elif (m := LOADING.search(line)) and failing:
            assert int(m[2]) == saved, (seed, line)
            # the infix follows the format the checkpoint was written in
            assert bool(m[1]) == (fmt == "torch_dist"), (seed, fmt, line)
            failing, resumes = False, resumes + 1
        elif NO_SAVE_YET.search(line) and failing:
            assert saved == 0, (seed, "a save was called complete", line)
            failing, resumes = False, resumes + 1
        elif ITERATION.search(line):
            assert not failing, (seed, "trains again without loading", line)
        elif m := TIMER.search(line):
            # a synchronous save: its timer holds the write, size over the stated bandwidth
            written = plan.checkpoint_bytes / (plan.storage_gbps * 1e9)
            assert float(m[2]) / 1000 >= written, (seed, line, written)
            timers += 1
    assert timers
    # every failure the log shows is followed by a relaunch that names what it loads (or the
    # run's end: a failure past torchrun's restarts with nothing after it)
    assert resumes, (seed, failures)
    assert resumes >= failures - int(failing), (seed, failures, resumes)
