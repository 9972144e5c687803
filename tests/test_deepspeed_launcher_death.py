"""review-mg11 D1: DeepSpeed v0.17.5's launcher polls its processes every second and, on the
first non-zero return code, kills every process it spawned and exits with that code
(deepspeed/launcher/launch.py:317-355). So on several nodes, when a worker dies of its CUDA
error (Xid 94's `terminate called`, an abort: -6), its own node's launcher kills the other
seven within a second or two and pdsh reports that node's ssh then; only the other nodes'
ranks are left in the collective to wait out the 30-minute watchdog. Read from the cast."""

from __future__ import annotations

import re
from datetime import datetime

import pytest

from genact_cast.generator import RecordOptions, generate, make_plan
from genact_cast.generator.events import Failed
from genact_cast.generator.run import Run
from tests.helpers import output_of, plain

STAMP = re.compile(r"\[(\d{4}-\d\d-\d\d \d\d:\d\d:\d\d,\d{3})\] \[\w+\] \[launch\.py")
C10 = re.compile(r"\[rank(\d+)\]:\[E(\d{1,2})(\d\d) (\d\d:\d\d:\d\d\.\d{6})")


def c10_moment(found: re.Match[str], year: int) -> datetime:
    month, day, clock = int(found[2]), int(found[3]), found[4]
    return datetime.strptime(f"{year}-{month:02d}-{day:02d} {clock}", "%Y-%m-%d %H:%M:%S.%f")


@pytest.mark.parametrize(
    "options",
    [
        RecordOptions(seed=8300, framework="deepspeed", failures=1),
        RecordOptions(seed=8301, framework="deepspeed", failures=1),
        RecordOptions(seed=4, framework="deepspeed", kind="pretrain", gpus=16, failures=1),
    ],
)
def test_the_dead_workers_launcher_kills_its_node_at_once(options: RecordOptions) -> None:
    plan = make_plan(options)
    failure = next(e for e in Run(plan).events if isinstance(e, Failed))
    assert plan.nodes > 1
    assert failure.ends == "dies"
    text = plain(output_of(generate(options._replace(cols=1000, color=False)).events))
    rows = text.split("\r\n")
    dead = failure.host
    mine = [row[len(dead) + 2 :] for row in rows if row.startswith(f"{dead}: ")]
    # its CUDA error and abort
    error = next(i for i, row in enumerate(mine) if "CUDA error:" in row and "watchdog" in row)
    # after c10's hints and the c10_cuda_check trace (torch 2.9.0)
    block = mine[error : error + 20]
    abort = block.index("terminate called after throwing an instance of 'c10::DistBackendError'")
    assert any("raised from c10_cuda_check_implementation" in row for row in block[:abort])
    found = C10.search(mine[error])
    assert found is not None
    year = int(next(m[1] for row in mine if (m := STAMP.search(row)))[:4])
    died = c10_moment(found, year)
    kills = [row for row in mine[error:] if "Killing subprocess" in row]
    assert len(kills) == 8
    first = STAMP.search(kills[0])
    assert first is not None
    killed = datetime.strptime(first[1], "%Y-%m-%d %H:%M:%S,%f")
    assert 0 <= (killed - died).total_seconds() <= 2.0
    # no rank of the dead node waits for its watchdog
    assert not any("Watchdog caught collective operation timeout" in row for row in mine)
    # pdsh reports the dead node's ssh before any other node's watchdog fires
    ssh = next(i for i, row in enumerate(rows) if f": {dead}: ssh exited with exit code 250" in row)
    timeouts = [
        i for i, row in enumerate(rows) if "Watchdog caught collective operation timeout" in row
    ]
    assert timeouts
    assert ssh < min(timeouts)
    others = {plan.host(node) for node in range(plan.nodes)} - {dead}
    waited = {
        row.split(": ", 1)[0]
        for row in rows
        if "Watchdog caught collective operation timeout" in row and ": " in row
    }
    assert waited == others
