"""Every dialect's NCCL_DEBUG=INFO lines are messages of the NCCL release the dialects pin,
2.27.5 (presenters/frameworks/nccl/catalogue.tsv), behind whatever the launcher puts
before them (torchrun's `[rankN]:`, pdsh's `host: `): the casts of the four release tests."""

from __future__ import annotations

import pytest

from genact_cast.generator import RecordOptions, make_plan
from genact_cast.generator.dialects.nccl_startup import debug_info
from genact_cast.generator.presenters.framework import facts_for
from tests.release_catalogue import nccl_unmatched, release_lines
from tests.test_deepspeed_release import CASES as DEEPSPEED
from tests.test_hf_release import CASES as HF
from tests.test_megatron_release import CASES as MEGATRON
from tests.test_torchtitan_release import CASES as TORCHTITAN

CASES = [*TORCHTITAN, *HF, *MEGATRON, *DEEPSPEED]


@pytest.mark.parametrize("options", CASES, ids=lambda o: f"{o.framework}-{o.seed}")
def test_every_nccl_line_is_a_message_of_the_pinned_nccl(options: RecordOptions) -> None:
    lines = release_lines(options)
    missing, used = nccl_unmatched(lines)
    assert not missing, missing[:3]
    if options.framework in ("megatron", "deepspeed") and not debug_info(
        facts_for(make_plan(options))
    ):
        # A job on more than eight nodes leaves NCCL_DEBUG unset: no start-up lines.
        assert not any(" NCCL INFO " in line for line in lines)
        return
    assert {"version", "init_start", "coll_channels", "connected_rings"} <= used
    assert "NCCL INFO NCCL version 2.27.5+cuda12.9" in "\n".join(lines)
