"""A refused GPU count names the counts that work nearest to it (review-realism7 WARN 11:
`--model OLMo-2-7B --gpus 1024 --kind pretrain` was refused with "try --gpus 8 or 16 or 32
or 64" while 512 and 2,048 made runs; issue 17: a refusal names what would work)."""

from __future__ import annotations

import re

import pytest

from genact_cast.errors import BadOption
from genact_cast.generator import RecordOptions, make_plan


@pytest.mark.parametrize("gpu", ["H100", "A100", "B200"])
def test_a_refused_count_names_working_counts_at_its_scale(gpu: str) -> None:
    pins = {"seed": 9601, "model": "OLMo-2-7B", "kind": "pretrain", "gpu": gpu}
    with pytest.raises(BadOption) as refused:
        make_plan(RecordOptions(gpus=1024, **pins))  # type: ignore[arg-type]
    named = re.search(r"try --gpus ((?:\d+(?: or )?)+)", str(refused.value))
    assert named is not None
    counts = [int(n) for n in named[1].split(" or ")]
    for count in counts:  # each one runs
        assert make_plan(RecordOptions(gpus=count, **pins)).gpus == count  # type: ignore[arg-type]
    if gpu in ("H100", "A100"):  # 512 and 2,048 both run there
        assert {512, 2048} <= set(counts)
    assert max(counts) >= 128  # never only the smallest clusters
