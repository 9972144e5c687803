"""A Megatron worker that torchrun reports `failed (exitcode: 1)` printed why: Python exits
with 1 on an uncaught exception only after printing its traceback (review-mg14 M1: after a
hang, each restart round's worker on the lost GPU exited 1 with no output, three times a
relaunch). The GPU that stopped answering fails set_device with cudaErrorUnknown
(xids.tsv); one pending its reset with its ECC error. Past 8 nodes the console shows the
traceback behind the tee's header where the worker is local rank 0 or 7 (megatron_tee), and
only its agent's line otherwise."""

from __future__ import annotations

import re

from genact_cast.generator import RecordOptions, generate, make_plan
from genact_cast.generator.dialects.megatron_tee import TEED
from genact_cast.generator.events import Failed
from genact_cast.generator.run import Run
from tests.helpers import output_of, plain

FAILED_1 = re.compile(r"failed \(exitcode: 1\) local_rank: (\d+) \(pid: (\d+)\)")
ERROR = re.compile(r"torch\.AcceleratorError: CUDA error: (.+)$")
TEE_HEADER = re.compile(r"^\[default[07]\]:")


def test_every_worker_exit_1_follows_its_traceback() -> None:
    # 41100, 32 nodes, two failures: review-mg14's case, a hang whose GPU is then retried.
    options = RecordOptions(seed=41100, framework="megatron", failures=2, cols=1000, color=False)
    hangs = [
        e
        for e in Run(make_plan(options)).events
        if isinstance(e, Failed) and e.retried and e.ends == "hangs"
    ]
    assert hangs, "seed 41100 --failures 2 retries a GPU that stopped answering"
    teed = plain(output_of(generate(options).events)).split("\r\n")
    lines = [TEE_HEADER.sub("", line) for line in teed]
    exits = [n for n, line in enumerate(lines) if FAILED_1.search(line)]
    assert len(exits) >= sum(len(e.retried) for e in hangs)
    errors = [n for n, line in enumerate(lines) if ERROR.match(line)]
    previous = -1
    for n in exits:
        found = FAILED_1.search(lines[n])
        assert found is not None
        if int(found[1]) not in TEED:  # its traceback went to its file alone
            assert not any(previous < e < n for e in errors), lines[n]
            previous = n
            continue
        # the worker's error since the previous exit, before its agent reports it
        assert any(previous < e < n for e in errors), lines[n]
        assert TEE_HEADER.match(teed[max(e for e in errors if e < n)]), lines[n]
        previous = n
    said = {n: m[1] for n in errors if (m := ERROR.match(lines[n]))}
    assert "unknown error" in said.values()
    for n, error in said.items():
        if error == "unknown error":
            assert lines[n + 1].startswith("Search for `cudaErrorUnknown' in https://")
