"""Each node's torchrun warns about OMP_NUM_THREADS a moment after its own start (torch
2.9.0 run.py:803): when the job is run again on many nodes, srun starts the nodes' torchruns
together, but each warns at its own moment, as at the first launch. A relaunch's draws were
the same on every node, so all the nodes of seed 42314's relaunch warned at one millisecond
(08:12:43.516000, 256 lines: 64 nodes' four)."""

from __future__ import annotations

import re
from collections import Counter
from typing import Any

from genact_cast.generator.events import Restarted
from genact_cast.generator.run import Run
from genact_cast.generator.run_plan import RunPlan
from tests.helpers import events_of, output_of, plain
from tests.seed_scan import seed_where

BANNER = re.compile(r"^W\d{4} (\d\d:\d\d:\d\d\.\d{6}) \d+ .*run\.py:\d+\] \*{41}$", re.M)


def _relaunched_on_16_nodes(plan: RunPlan) -> bool:
    return plan.nodes >= 16 and any(
        isinstance(e, Restarted) and e.requeued for e in Run(plan).events
    )


def test_every_nodes_torchrun_warns_at_its_own_moment_at_each_launch() -> None:
    # the first such run from 42314 (in the date window of N10 42314's is on 8 nodes)
    pinned: dict[str, Any] = {"framework": "megatron", "failures": 2, "kind": "pretrain"}
    seed = seed_where(_relaunched_on_16_nodes, seeds=range(42314, 42514), **pinned)
    events = events_of(seed=seed, cols=400, **pinned)
    text = plain(output_of(events)).replace("\r\n", "\n")
    nodes = int(re.findall(r"srun --nodes=(\d+)", text)[-1])
    assert nodes >= 16
    stamps = BANNER.findall(text)  # two rule lines a node a launch
    launches = len(stamps) // (2 * nodes)
    assert launches >= 2  # the command run again at least once
    # a launch's banners lie within a second: a millisecond is shared by few nodes
    for launch in range(launches):
        ours = stamps[launch * 2 * nodes : (launch + 1) * 2 * nodes]
        most = Counter(ours).most_common(1)[0][1]
        assert most <= 2 * 4, (launch, Counter(ours).most_common(3))
