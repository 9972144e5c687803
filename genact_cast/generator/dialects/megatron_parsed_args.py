"""Megatron-LM's parsed arguments and their `arguments` dump, as core_v0.14.0 prints them.

Every attribute of the parsed arguments after `validate_args` (megatron/training/arguments.py,
`_print_args`): the tag's defaults come from presenters/frameworks/megatron/arguments.tsv
(written by scripts/megatron_arguments.py, which runs the tag's own argparse definitions and
`validate_args`) and optional_arguments.tsv; the command's flags (megatron_args.flags) and
what `validate_args` derives from them are set here.
"""

from __future__ import annotations

import functools

from genact_cast.generator import tables
from genact_cast.generator.dialects.common import py_float
from genact_cast.generator.dialects.megatron_args import CATALOGUE_DIR

# Flags whose argparse destination is not the flag's own name.
_DESTINATIONS = {
    "disable-bias-linear": ("add_bias_linear", "False"),
    "no-gradient-accumulation-fusion": ("gradient_accumulation_fusion", "False"),
    "no-rope-fusion": ("apply_rope_fusion", "False"),
}


@functools.cache
def _optional() -> dict[str, str]:
    """The argparse defaults of the flags a command may leave out (optional_arguments.tsv)."""
    return tables.mapping(tables.GENERATOR / CATALOGUE_DIR / "optional_arguments.tsv")


@functools.lru_cache(maxsize=1)
def defaults() -> dict[str, str]:
    """The tag's arguments as `_print_args` prints them for a run without these flags."""
    return tables.mapping(tables.GENERATOR / CATALOGUE_DIR / "arguments.tsv")


def _pattern(typed: str) -> list[int]:
    """A --moe-layer-freq pattern as the tag's _eval_pattern reads it: `[a]*n` terms joined
    by `+` (the recipes' form, "[0]*3+[1]*58")."""
    out: list[int] = []
    for term in typed.split("+"):
        value, _, times = term.partition("*")
        out += [int(value.strip("[]"))] * int(times or 1)
    return out


def pairs_of(words: list[str]) -> list[tuple[str, str | None]]:
    """`pretrain_gpt.py`'s words back as (flag, value or None for a switch)."""
    out: list[tuple[str, str | None]] = []
    for word in words:
        if word.startswith("--"):
            out.append((word[2:], None))
        else:
            out[-1] = (out[-1][0], word)
    return out


def parsed(
    pairs: list[tuple[str, str | None]], world: int, *, blackwell: bool = False
) -> dict[str, str]:
    """Every argument after `validate_args` for these flags on `world` GPUs (`blackwell`:
    get_device_arch_version() >= 10), printed as `str(value)`."""
    given = dict(pairs)
    tp = int(given.get("tensor-model-parallel-size") or 1)
    pp = int(given.get("pipeline-model-parallel-size") or 1)
    args = dict(defaults())
    args.update(_optional())
    for flag, value in pairs:
        if flag in _DESTINATIONS:
            name, printed = _DESTINATIONS[flag]
            args[name] = printed
            continue
        name = flag.replace("-", "_")
        if value is None:
            args[name] = "True"
        elif flag == "data-path":
            args[name] = f"['{value}']"  # nargs='*'
        elif flag in ("lr", "min-lr", "moe-aux-loss-coeff", "norm-epsilon", "rope-scaling-factor",
                      "moe-router-bias-update-rate", "rotary-scaling-factor", "mscale",
                      "mscale-all-dim", "moe-router-topk-scaling-factor"):  # fmt: skip
            args[name] = py_float(float(value))
        elif flag == "moe-layer-freq":
            args[name] = str(_pattern(value))  # moe_freq_type evaluates it (arguments.py:308-333)
        else:
            args[name] = value
    # What validate_args derives from them (megatron/training/arguments.py at the tag).
    if "num-experts" in given and "moe-ffn-hidden-size" not in given:
        args["moe_ffn_hidden_size"] = str(given["ffn-hidden-size"])  # arguments.py:942-943
    if "use-torch-fsdp2" in given:
        args["high_priority_stream_groups"] = "['dp_cp']"  # `A or B and C` binds as A or (B and C)
    if "use-megatron-fsdp" in given:
        args["use_custom_fsdp"] = "True"  # arguments.py:623, kept for the deprecated name
        if blackwell:  # arguments.py:880: Megatron-FSDP's stream priority from sm100 on
            args["high_priority_stream_groups"] = "['dp_cp']"
    args.update(
        world_size=str(world),
        data_parallel_size=str(world // (tp * pp)),
        transformer_pipeline_model_parallel_size=str(pp),
        expert_tensor_parallel_size=str(tp),
        encoder_num_layers=str(given["num-layers"]),
        encoder_seq_length=str(given["seq-length"]),
    )
    return args


def dump(args: dict[str, str]) -> list[str]:
    """`_print_args('arguments', args)`: dots to column 48, sorted case-blind on the row."""
    rows = []
    for name, value in args.items():
        dots = "." * (48 - len(name))
        rows.append(f"  {name} {dots} {value}")
    rows.sort(key=str.lower)
    return [
        "------------------------ arguments ------------------------",
        *rows,
        "-------------------- end of arguments ---------------------",
    ]
