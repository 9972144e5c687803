"""Each node's torchrun warns about OMP_NUM_THREADS a moment after its own start (torch
2.9.0 run.py:803): when the job is run again on many nodes, srun starts the nodes' torchruns
together, but each warns at its own moment, as at the first launch. A relaunch's draws were
the same on every node, so all the nodes of seed 42314's relaunch warned at one millisecond
(08:12:43.516000, 256 lines: 64 nodes' four)."""

from __future__ import annotations

import re
from collections import Counter

from tests.helpers import events_of, output_of, plain

BANNER = re.compile(r"^W\d{4} (\d\d:\d\d:\d\d\.\d{6}) \d+ .*run\.py:\d+\] \*{41}$", re.M)


def test_every_nodes_torchrun_warns_at_its_own_moment_at_each_launch() -> None:
    events = events_of(seed=42314, framework="megatron", failures=2, kind="pretrain", cols=400)
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
