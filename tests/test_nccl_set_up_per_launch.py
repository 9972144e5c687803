"""A relaunch brings NCCL up anew, with its own set-up times: each launch's processes draw
their `Init timings` (src/init.cc:1475-1481 at v2.27.5-1) and their communicators' from a
stream of that launch (Incidentals.launch_key). torchrun restarting its workers keeps its
own pid, and a draw keyed on it gave every restart the same times to the hundredth
(closing-s17: Megatron seed 12 with --failures 2, 64 of 64 ranks' pairs repeated)."""

from __future__ import annotations

import re
from collections import defaultdict

import pytest

from genact_cast.generator import generate
from tests.helpers import output_of
from tests.seed_scan import runnable_from

INIT_TOTAL = re.compile(r"Init timings - \S+ rank (\d+) nranks (\d+) total ([0-9.]+)")


@pytest.mark.parametrize("framework", ["megatron", "torchtitan"])
def test_each_launch_draws_its_own_nccl_set_up_times(framework: str) -> None:
    # seed 12's run, or the next whose every node's NCCL start-up is shown (--nccl-debug
    # refuses a run past 8 nodes): Megatron's seed 12 moved to 16 nodes with its MoE layouts
    options = runnable_from(12, framework=framework, failures=2, nccl_debug=True, cols=400)
    text = output_of(generate(options).events)
    totals: dict[tuple[str, str], list[str]] = defaultdict(list)
    for rank, nranks, total in INIT_TOTAL.findall(text):
        totals[rank, nranks].append(total)
    launches = {len(seen) for seen in totals.values()}
    assert max(launches) >= 3, launches  # the first launch and two restarts
    repeated = [
        key
        for key, seen in totals.items()
        for earlier in range(len(seen))
        for later in range(earlier + 1, len(seen))
        if seen[earlier] == seen[later] and seen[earlier + 1 : earlier + 2] == seen[later + 1 :][:1]
    ]
    # two-decimal totals of the same range do meet by chance now and then, never as a rule
    assert len(repeated) <= len(totals) // 10, repeated[:5]
