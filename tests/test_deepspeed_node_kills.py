"""Which DeepSpeed nodes' launchers kill their processes after a failure (review-mg13 D2).

DeepSpeed v0.17.5's launch.py (one per node, under pdsh) polls its own children every second
and calls its sigkill_handler only when one of them has exited with a non-zero code
(launch.py:338-353): `Killing subprocess` for each child, then `exits with return code = -6`
for an abort (:319, :325). A node whose ranks aborted (their `terminate called`, after a
watchdog timeout or a CUDA error) is killed by its launcher; a node whose ranks printed
nothing (its host lost) has no child exited and no launcher left to say anything, and pdsh
reports no exit of its ssh.
"""

from __future__ import annotations

import functools
import re

import pytest

from genact_cast.generator import RecordOptions, generate
from genact_cast.generator.dialects.rank_logs import RANK_LOG_NODES
from tests.helpers import output_of, plain
from tests.seed_scan import seeds_where

HOST = re.compile(r"^([\w.-]+): ")
# --failures 2 runs of several nodes whose failures include a lost host (Xid 0): a hang,
# then a GPU stuck after its error; a death, then a lost host (twice). The review's were
# 9820, 9817 and 9824; found by their plans (the date window planned in N10 makes 9824 a
# Gemma 3 run, which the Trainer's dialects refuse).
CASES = {"hang, stuck GPU": (("host", "gpu"), 0), "death, lost host": (("app", "host"), 0)}
CASES["death, lost host, again"] = (("app", "host"), 1)


@functools.cache
def seed_of(case: str) -> int:
    kinds, index = CASES[case]
    return seeds_where(
        # (on up to 8 nodes, whose ranks' aborts reach the terminal: rank_logs)
        lambda plan: (
            1 < plan.nodes <= RANK_LOG_NODES and tuple(f.kind for f in plan.failures) == kinds
        ),
        count=index + 1,
        seeds=range(9800, 10000),
        framework="deepspeed",
        failures=2,
    )[index]


def _launches(lines: list[str]) -> list[list[str]]:
    """The cast's lines by launch (each starts at its typed `deepspeed` command)."""
    out: list[list[str]] = [[]]
    for line in lines:
        if "$ deepspeed " in line:
            out.append([])
        out[-1].append(line)
    return out


@pytest.mark.parametrize("case", CASES)
def test_a_launcher_kills_only_where_its_own_ranks_aborted(case: str) -> None:
    seed = seed_of(case)
    options = RecordOptions(seed=seed, framework="deepspeed", failures=2, cols=1000)
    lines = plain(output_of(generate(options).events)).splitlines()
    checked = 0
    for launch in _launches(lines):
        aborted, killed, ssh = set(), set(), set()
        for line in launch:
            host = HOST.match(line)
            if host is None:
                if m := re.match(r"pdsh@[\w.-]+: ([\w.-]+): ssh exited with exit code 250$", line):
                    ssh.add(m[1])
                continue
            if "terminate called after throwing" in line:
                aborted.add(host[1])
            if "sigkill_handler]" in line and "exits with return code = -6" in line:
                killed.add(host[1])
        if not killed:
            continue
        checked += 1
        assert killed == aborted, (seed, sorted(killed ^ aborted))
        assert ssh == killed, (seed, sorted(ssh ^ killed))
    assert checked
