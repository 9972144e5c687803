"""torch 2.9.0's FSDP1 deprecation warning in the HF dialect (review-tt12 N5).

Under accelerate 1.11.0's FSDP1 every save and every resume goes through
`FSDP.state_dict_type` (Trainer.save_model -> Accelerator.get_state_dict, accelerator.py:3943;
save_fsdp_model/save_fsdp_optimizer, utils/fsdp_utils.py:119/:243; load_fsdp_model, :177),
which calls set_state_dict_type, which warns (torch/distributed/fsdp/
fully_sharded_data_parallel.py:675 in the torch-2.9.0 wheel). The default filter shows a
location once per process, so each launch's processes warn at their first switch: node 0's
terminal shows one warning per local rank, the first after the bar, before `Saving model
checkpoint to` (as fms-hf-tuning#290 and accelerate#2960 show it, with torch 2.4's :689) or
right after a resume's `Loading model from`. FSDP2 (tensor parallel, --fsdp_version=2) and
DeepSpeed never call it."""

from __future__ import annotations

import pytest

from genact_cast.generator import RecordOptions, make_plan
from genact_cast.generator.presenters.dialect_choice import facts_for
from tests.release_catalogue import cast_lines

# The wheel's warnings.warn call (fully_sharded_data_parallel.py:675-683), as
# warnings.formatwarning writes it under python:3.12's site-packages.
WARNING = (
    "/usr/local/lib/python3.12/site-packages/torch/distributed/fsdp/"
    "fully_sharded_data_parallel.py:675: FutureWarning: FSDP.state_dict_type() and "
    "FSDP.set_state_dict_type() are being deprecated. Please use APIs, get_state_dict() and "
    "set_state_dict(), which can support different parallelisms, FSDP1, FSDP2, DDP. API doc: "
    "https://pytorch.org/docs/stable/distributed.checkpoint.html"
    "#torch.distributed.checkpoint.state_dict.get_state_dict .Tutorial: "
    "https://pytorch.org/tutorials/recipes/distributed_checkpoint_recipe.html ."
)
SOURCE = "  warnings.warn("
SAVING = "Saving model checkpoint to "
LOADING = "Loading model from "
BANNER = "***** Running training *****"


def marks(options: RecordOptions) -> list[str]:
    """The cast as W (one warning, both its lines), S (a save), L (a resume's load), R (a
    launch's banner), B (the bar, a warning may follow it on its line) and other lines."""
    lines = cast_lines(options._replace(cols=1000, color=False))
    out: list[str] = []
    index = 0
    while index < len(lines):
        line = lines[index]
        if "FutureWarning" in line:
            assert line == WARNING
            assert lines[index + 1] == SOURCE
            out.append("W")
            index += 2
            continue
        if SAVING in line:
            out.append("S")
        elif LOADING in line:
            out.append("L")
        elif BANNER in line:
            out.append("R")
        elif "%|" in line and ("it/s]" in line or "s/it]" in line):
            out.append("B")
        else:
            out.append(".")
        index += 1
    return out


FSDP1 = [
    RecordOptions(seed=8400, framework="hf", method="lora", failures=1),
    RecordOptions(seed=8402, framework="hf", failures=1),
    RecordOptions(seed=8405, framework="hf", kind="sft", failures=2),
]


@pytest.mark.parametrize("options", FSDP1, ids=lambda o: str(o.seed))
def test_each_launch_warns_once_a_local_rank_at_its_first_state_dict_switch(
    options: RecordOptions,
) -> None:
    facts = facts_for(make_plan(options))
    local = facts.gpus // facts.nodes
    seen = "".join(marks(options))
    assert "S" in seen
    blocks = 0
    warned = False
    loaded = False  # a resume's load came before this launch's banner
    index = 0
    while index < len(seen):
        mark = seen[index]
        if mark == "L":  # a resume loads through load_fsdp_model: the block right after
            assert seen[index + 1 : index + 1 + local] == "W" * local, seen[index : index + 20]
            warned = loaded = True
            blocks += 1
            index += 1 + local
            continue
        if mark == "R":  # a launch's banner: new processes, unless they warned at the load
            warned, loaded = loaded, False
        if mark == "S":
            before = seen[:index]
            if not warned:
                # the first save: the block comes between the bar and the save's line
                assert before.endswith("B" + "W" * local), before[-20:]
                warned = True
                blocks += 1
            else:
                assert not before.endswith("W"), before[-20:]
        index += 1
    assert seen.count("W") == blocks * local


@pytest.mark.parametrize(
    "options",
    [
        RecordOptions(seed=8403, framework="hf", failures=1),  # FSDP2 with TP
        RecordOptions(seed=4, framework="deepspeed", kind="pretrain", gpus=16, failures=1),
    ],
    ids=lambda o: f"{o.seed}-{o.framework}",
)
def test_no_warning_where_fsdp1_is_not_used(options: RecordOptions) -> None:
    facts = facts_for(make_plan(options))
    if options.framework == "hf":
        assert facts.tp > 1
    assert "W" not in marks(options)
    assert "S" in marks(options)
