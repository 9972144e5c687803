"""accelerate 1.11.0's FSDP upcast warnings and trl 0.24.0's padding-free warning, where and
when those releases print them (review-tt11 #9 and #10).

The texts below are quoted from the releases' wheels (accelerate-1.11.0-py3-none-any.whl,
trl-0.24.0-py3-none-any.whl), with the line of each `warnings.warn(` / `logger.warning(`:
- accelerator.py:1968-1976, in prepare_model's FSDP1 branch (:1922-1976): for each distinct
  (wrapped class, the FlatParameter's FQNs) whose flat parameter is not float32 and
  requires grad, then once if any was;
- utils/fsdp_utils.py:710, fsdp2_prepare_model (:703-712): when mixed precision is on and
  model.dtype is not float32;
- trl/trainer/sft_trainer.py:715-724, SFTTrainer.__init__: padding-free (forced by the "bfd"
  packing the commands' --packing uses, :705) without a flash attention implementation.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import datetime

import pytest

from genact_cast.errors import SeedRefused
from genact_cast.generator import RecordOptions, generate, make_plan
from genact_cast.generator.dialects import hf_model
from genact_cast.generator.dialects.deepspeed_model import state_dict_tensors
from genact_cast.generator.dialects.facts import Facts
from genact_cast.generator.dialects.hf_warnings import layer_fqns, root_fqns
from genact_cast.generator.presenters.dialect_choice import facts_for
from tests.helpers import output_of, plain
from tests.release_catalogue import cast_lines
from tests.seed_scan import seed_where

SITE = "/usr/local/lib/python3.12/site-packages/accelerate"
# accelerate 1.11.0 accelerator.py:1969-1972 and :1975, fsdp_utils.py:711 (f-strings as written)
UNIT = (
    "Upcasted low precision parameters in {name_log} because mixed precision turned on in "
    "FSDP. Affects: {param_log}."
)
CHECKPOINTS = (
    "FSDP upcast of low precision parameters may affect the precision of model checkpoints."
)
FSDP2 = (
    "FSDP upcast of low precision parameters to fp32 (since mixed_precision != 'no') may "
    "affect the precision of model checkpoints."
)
# trl 0.24.0 sft_trainer.py:717 and :776: the warnings of packing under an attention that is
# not flash attention's (review-realism11 N10), which a command asking for it never sees
PADDING_FREE = "Padding-free training is enabled, but the attention implementation is not set"
PACKING = "You are using packing, but the attention implementation is not set"
# transformers 4.57.1 modeling_utils.py:2450-2454, logged through utils/logging.py:328
FLASH_DTYPE = re.compile(
    r"\[WARNING\|logging\.py:328\] \S+ \S+ >> Flash Attention 2 only supports torch\.float16 "
    r"and torch\.bfloat16 dtypes, but the current dype in (\w+) is torch\.float32\. "
)
HALF = "Using auto half precision backend"
BANNER = "***** Running training *****"


# Continued pre-training, a full SFT, LoRA (0, 29 and 7 outside N10's planned date window)
SHAPES: tuple[Callable[[Facts], bool], ...] = (
    lambda f: f.kind == "continue",
    lambda f: f.kind == "sft" and f.adapters == 0,
    lambda f: f.kind == "sft" and f.adapters > 0,
)


def facts_seed(wanted: Callable[[Facts], bool], seeds: range = range(200)) -> int:
    """The first seed of `seeds` whose Trainer run's facts are `wanted`."""
    return seed_where(lambda plan: wanted(facts_for(plan)), seeds=seeds, framework="hf")


def lines(seed: int, framework: str = "hf", failures: int = 0) -> list[str]:
    return cast_lines(
        RecordOptions(seed=seed, framework=framework, cols=1000, color=False, failures=failures)
    )


def launches(found: list[str]) -> list[list[str]]:
    """The lines of each launch of the script: from one `Using auto half precision backend`
    (Trainer.__init__) to the next."""
    cuts = [i for i, text in enumerate(found) if text.endswith(HALF)]
    return [found[a:b] for a, b in zip(cuts, [*cuts[1:], len(found)], strict=True)]


def stamp_of(text: str) -> datetime:
    """The logger's `YYYY-MM-DD HH:MM:SS,mmm` stamp of a `[LEVEL|where] stamp >> ` line."""
    found = re.search(r"\] (\S+ \S+) >> ", text)
    assert found, text
    return datetime.strptime(found[1], "%Y-%m-%d %H:%M:%S,%f")


def warned(found: list[str]) -> list[str]:
    return [m[1] for text in found if (m := re.match(rf"{SITE}/\S+: UserWarning: (.*)", text))]


@pytest.mark.parametrize("failures", [0, 1])
def test_a_model_built_in_bf16_under_fsdp1_warns_for_its_root_and_its_layer_every_launch(
    failures: int,
) -> None:
    # a Llama from scratch (from_config in its config's bfloat16), FSDP1: the first of 0-199
    # (13's Llama-3.2-1B on main; the warnings name Llama's classes, so the scan asks for one)
    seed = facts_seed(
        lambda f: (
            (f.kind, f.tp, f.adapters) == ("pretrain", 1, 0)
            and (hf_model.config_of(f) or {}).get("architectures") == ["LlamaForCausalLM"]
        )
    )
    f = facts_for(make_plan(RecordOptions(seed=seed, framework="hf")))
    assert (f.kind, f.tp, f.adapters) == ("pretrain", 1, 0)
    config = hf_model.config_of(f)
    assert config is not None
    found = lines(seed, failures=failures)
    runs = launches(found)
    assert len(runs) == 1 + failures
    for run in runs:
        head = run[: next(i for i, text in enumerate(run) if text.endswith(BANNER))]
        assert warned(head) == [
            UNIT.format(name_log="LlamaForCausalLM", param_log=", ".join(root_fqns(config))),
            UNIT.format(name_log="LlamaDecoderLayer", param_log=", ".join(layer_fqns(config))),
            CHECKPOINTS,
        ]
        at = [i for i, text in enumerate(head) if text.startswith(f"{SITE}/")]
        assert [head[i].split(": UserWarning")[0] for i in at] == [
            f"{SITE}/accelerator.py:1968",
            f"{SITE}/accelerator.py:1968",
            f"{SITE}/accelerator.py:1974",
        ]
        assert all(head[i + 1] == "  warnings.warn(" for i in at)
    # Llama 3.2's tied embedding is the root's one shared tensor: no lm_head.weight
    assert root_fqns(config) == ["model.embed_tokens.weight", "model.norm.weight"]


def test_fsdp2_warns_once_and_a_float32_load_is_not_upcast() -> None:
    scratch = facts_seed(lambda f: (f.kind, f.tp > 1) == ("pretrain", True))  # was 19
    tp = facts_for(make_plan(RecordOptions(seed=scratch, framework="hf")))
    assert (tp.kind, tp.tp > 1) == ("pretrain", True)  # from scratch, FSDP2 + TP
    assert warned(lines(scratch)) == [FSDP2]
    # from_pretrained with no dtype (continued pre-training, a full SFT, LoRA) loads float32
    for seed in [facts_seed(shape) for shape in SHAPES]:
        f = facts_for(make_plan(RecordOptions(seed=seed, framework="hf")))
        assert f.kind in ("continue", "sft")
        assert warned(lines(seed)) == [], seed


def test_every_tabled_models_unit_fqns_are_its_state_dicts_tensors() -> None:
    """The root's and the layers' FQNs together name every tensor of the state dict, as
    zero.Init's num_params counts them (deepspeed_model.state_dict_tensors), for every
    model the Trainer's dialect trains over seeds 0-120."""
    checked = set()
    for seed in range(121):
        try:
            f = facts_for(make_plan(RecordOptions(seed=seed, framework="hf")))
        except SeedRefused:
            continue
        config = hf_model.config_of(f)
        assert config is not None, f.arch
        names = root_fqns(config) + layer_fqns(config)
        assert len(set(names)) == len(names)
        total = len(root_fqns(config)) + int(config["num_hidden_layers"]) * len(layer_fqns(config))
        assert total + hf_model.extra_tensors(f) == state_dict_tensors(f), f.arch
        checked.add(str(config["model_type"]))
    assert len(checked) >= 4, checked


@pytest.mark.parametrize(
    ("seed", "framework"), [(29, "hf"), (26, "hf"), (29, "deepspeed"), (39, "deepspeed")]
)
def test_every_sft_launch_packs_under_flash_attention(seed: int, framework: str) -> None:
    """trl packs padding-free ("bfd"), which keeps a row's examples apart only under flash
    attention (trl 0.24.0 sft_trainer.py:703-724, :774-782; its docs' "Packing"): the
    command asks for flash_attention_2, trl warns of neither, and every process's model
    __init__ warns of the float32 it loads in without a dtype (FSDP's and ZeRO's fp32 master
    weights; mixed precision computes in bf16), after `Detected DeepSpeed ZeRO-3` under
    DeepSpeed and before the __init__'s generation config, in every launch."""
    # the seed, or the next full fine-tune the framework runs (39 was a Qwen2.5-14B on one
    # node under ZeRO-3; in the date window of N10 a Llama-3-70B on two nodes with AutoTP,
    # which takes ZeRO-2)
    seed = seed_where(
        lambda plan: plan.kind == "sft" and plan.lora is None,
        seeds=range(seed, seed + 200),
        framework=framework,
    )
    plan = make_plan(RecordOptions(seed=seed, framework=framework))
    assert plan.kind == "sft"
    assert plan.lora is None or plan.lora.method == "lora"  # QLoRA loads in its --dtype
    found = lines(seed, framework, failures=1)
    options = RecordOptions(seed=seed, framework=framework, cols=1000, failures=1)
    typed = plain(output_of(generate(options).events)).splitlines()[0]  # the command
    assert "--packing" in typed
    assert "--attn_implementation=flash_attention_2" in typed
    assert not [text for text in found if PADDING_FREE in text or PACKING in text]
    runs = [i for i, text in enumerate(found) if text.endswith(HALF)]
    warned = [i for i, text in enumerate(found) if FLASH_DTYPE.search(text)]
    assert len(runs) == 2
    # the ZeRO stage the engine prints (after the model is built: the same config each launch)
    stage = re.search(r"zero_optimization_stage \.+ (\d)", "\n".join(found))
    for start, end in zip([0, runs[0]], runs, strict=True):
        mine = [i for i in warned if start <= i < end]
        # each process of the terminal's node once; under DeepSpeed every node's (pdsh
        # relays them all), under accelerate the terminal's node's eight alone
        shown = plan.nodes if framework == "deepspeed" else 1
        assert len(mine) == 8 * shown, (len(mine), plan.nodes)
        loading = max(i for i in range(start, mine[0]) if "loading weights file" in found[i])
        # the main process's own, in its __init__ before its generation config
        assert found[mine[0] + 1].split(">> ")[-1].startswith("Generate config")
        assert loading < mine[0]
        # the other processes' after it, each at the moment it reached its own __init__
        # (review-tt15 T7: not all at the main process's millisecond)
        stamps = [stamp_of(found[i]) for i in mine]
        assert stamps[0] == stamp_of(found[loading])
        assert stamps[1:] == sorted(stamps[1:])
        assert min(stamps[1:]) > stamps[0]
        assert len(set(stamps)) >= len(stamps) // 2, stamps
        if framework == "deepspeed" and (stage is None or stage[1] != "3"):
            # transformers 4.57.1 from_pretrained logs it and enters zero.Init only where
            # is_deepspeed_zero3_enabled() (modeling_utils.py, get_init_context): AutoTP
            # trains under ZeRO stage 1 or 2 (DeepSpeed 0.17.5 engine.py:458-459)
            assert stage is not None
            assert not any("Detected DeepSpeed ZeRO-3" in t for t in found[start:end])
        elif framework == "deepspeed":
            # get_init_context's line, then zero.Init's own DeepSpeedConfig in the main
            # process (partition_parameters.py:1005 at v0.17.5; test_deepspeed_who_prints)
            assert "[config.py:684:__init__] Config mesh_device None" in found[mine[0] - 1]
            assert "Detected DeepSpeed ZeRO-3" in found[mine[0] - 2]
            # zero.Init's exit partitions with every process: all have warned by then
            exit_at = next(i for i in range(mine[0], end) if "finished initializing" in found[i])
            assert mine[-1] < exit_at
        if framework == "deepspeed" and plan.nodes > 1:
            # each node's processes at their own moments, not a copy of node 0's
            by_node: dict[str, list[datetime]] = {}
            for i in mine:
                by_node.setdefault(found[i].split(": [")[0], []).append(stamp_of(found[i]))
            assert len(by_node) == plan.nodes
            assert len({tuple(sorted(v)) for v in by_node.values()}) == plan.nodes


def test_a_pretraining_run_neither_packs_nor_warns_of_its_attention() -> None:
    found = lines(13)
    assert not any(PADDING_FREE in text or FLASH_DTYPE.search(text) for text in found)
    assert not any("--attn_implementation" in text for text in found)
