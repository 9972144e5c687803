"""The DeepSpeed config a DeepSpeed cast trains with, and the engine's dump of it, as
DeepSpeed v0.17.5 prints them.

`DeepSpeedConfig.print` (deepspeed/runtime/config.py) logs `DeepSpeedEngine configuration:`,
one row per attribute, sorted, dotted out to column 29, then the user's JSON through
`ScientificNotationEncoder` (deepspeed/runtime/config_utils.py). The attributes this config
leaves at their defaults are presenters/frameworks/deepspeed/engine_config.tsv (written by
scripts/deepspeed_engine_config.py, which runs the tag's own `DeepSpeedConfig`); the rest
follow from the run here.
"""

from __future__ import annotations

import functools
import math
import re
from collections.abc import Mapping, Sequence
from typing import Any

from genact_cast.generator import physics, tables
from genact_cast.generator.dialects.common import py_float
from genact_cast.generator.dialects.facts import Facts

CATALOGUE_DIR = "presenters/frameworks/deepspeed"
CONFIG_HEADER = "config.py:954:print"
CONFIG_ROW = "config.py:958:print"
CONFIG_JSON = "config.py:944:print_user_config"


def ds_config(facts: Facts) -> dict[str, Any]:
    """ds_config.json as DeepSpeed receives it from the Trainer. The user's file is the Hugging
    Face docs' ZeRO-3 one: "auto" for the batch sizes, clipping, bf16 and AdamW's
    hyperparameters, no scheduler (the Trainer's own runs), the 16-bit weights gathered on
    save. HfTrainerDeepSpeedConfig.trainer_config_process fills the "auto"s from
    TrainingArguments (integrations/deepspeed.py:133-197 at 4.57.1: AdamW's betas and
    weight decay from train.py's --adam_beta2 and --weight_decay, :161-167), and
    accelerate's DeepSpeedPlugin appends steps_per_print = inf (utils/dataclasses.py:1289)
    and fp16 off (set_mixed_precision, :1405-1407).

    A run with tensor parallelism trains it with AutoTP, which v0.17.5 allows with ZeRO stage
    1 or 2 only (engine.py:458-459): stage 2 and `"tensor_parallel": {"autotp_size": N}`
    after it, as DeepSpeedExamples' training/tensor_parallel/hf_integration/configs/
    ds_config.json and the tag's blogs/huggingface-tp/README.md write them. The Trainer's
    "auto" batch is still world size × micro batch × accumulation (trainer_config_process
    does not divide by TP), which DeepSpeedConfig, given no mpu, checks against the whole
    world (config.py:680, 882)."""
    f = facts
    zero: dict[str, Any] = {
        "stage": 3,
        "overlap_comm": True,
        "contiguous_gradients": True,
        "stage3_gather_16bit_weights_on_model_save": True,
    }
    if f.tp > 1:
        zero = {
            "stage": 2,
            "overlap_comm": True,
            "contiguous_gradients": True,
            "gather_16bit_weights_on_model_save": True,
        }
    config: dict[str, Any] = {
        "train_batch_size": f.micro_batch * f.grad_accum * f.gpus,
        "train_micro_batch_size_per_gpu": f.micro_batch,
        "gradient_accumulation_steps": f.grad_accum,
        "optimizer": {
            "type": "AdamW",
            "params": {
                "lr": f.peak_lr,
                "betas": list(physics.ADAM_BETAS),
                "eps": 1e-08,
                "weight_decay": physics.WEIGHT_DECAY,
            },
        },
        "gradient_clipping": 1.0,
        "bf16": {"enabled": True},
        "zero_optimization": zero,
    }
    if f.tp > 1:
        config["tensor_parallel"] = {"autotp_size": f.tp}
    config["steps_per_print"] = math.inf
    config["fp16"] = {"enabled": False}
    return config


def scientific(value: Any, level: int = 0) -> str:
    """`ScientificNotationEncoder().iterencode` with indent 4: numbers above 1e3 as `%e`,
    mappings one key a line (", " ending every line but the last), lists inline."""
    indent = 4
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        if value > 1e3:
            return f"{value:e}"
        return py_float(value) if isinstance(value, float) else str(value)
    if isinstance(value, Mapping):
        inner = " " * (level + 1) * indent
        items = [f'\n{inner}"{key}": {scientific(item, level + 1)}' for key, item in value.items()]
        return "{" + ", ".join(items) + "\n" + " " * level * indent + "}"
    if isinstance(value, Sequence) and not isinstance(value, str):
        return "[" + ", ".join(scientific(item) for item in value) + "]"
    return f'"{value}"'


def _python(value: Any) -> str:
    """`str()` of the parsed JSON value, as the engine's attributes print."""
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, float):
        return py_float(value) if math.isfinite(value) else str(value)
    if isinstance(value, Mapping):
        return "{" + ", ".join(f"'{k}': {_python(v)}" for k, v in value.items()) + "}"
    if isinstance(value, list):
        return "[" + ", ".join(_python(v) for v in value) + "]"
    if isinstance(value, str):
        return f"'{value}'"
    return str(value)


# The tag's defaults for the ZeRO-3 config, and for ZeRO-2 with AutoTP (its zero_config,
# stage and tensor_parallel_config rows differ).
TABLES = {False: "engine_config.tsv", True: "engine_config_autotp.tsv"}


@functools.lru_cache(maxsize=2)
def defaults(autotp: bool = False) -> dict[str, str]:
    table = tables.mapping(tables.GENERATOR / CATALOGUE_DIR / TABLES[autotp])
    return {name: value.replace("\\n", "\n") for name, value in table.items()}


def attributes(config: Mapping[str, Any], world: int, comms_address: int) -> dict[str, str]:
    """Every attribute `DeepSpeedConfig.print` lists, as `str()` prints it."""
    optimizer = config["optimizer"]
    values = dict(defaults("tensor_parallel" in config))
    if "tensor_parallel" in config:
        # TPTrainingConfig's str() (runtime/tensor_parallel/config.py:45 at v0.17.5) shows the
        # json's autotp_size: the table's row was made with 8 (review-mg10 finding 3).
        size = config["tensor_parallel"]["autotp_size"]
        values["tensor_parallel_config"] = re.sub(
            r"\bautotp_size=\d+", f"autotp_size={size}", values["tensor_parallel_config"], count=1
        )
    values.update(
        comms_config=f"<deepspeed.comm.config.DeepSpeedCommsConfig object at {comms_address:#x}>",
        global_rank="0",
        gradient_accumulation_steps=str(config["gradient_accumulation_steps"]),
        optimizer_name=optimizer["type"].lower(),
        optimizer_params=_python(optimizer["params"]),
        scheduler_name="None",
        scheduler_params="None",
        steps_per_print=_python(config["steps_per_print"]),
        train_batch_size=str(config["train_batch_size"]),
        train_micro_batch_size_per_gpu=str(config["train_micro_batch_size_per_gpu"]),
        world_size=str(world),
    )
    return values


def engine_configuration(
    config: Mapping[str, Any], world: int, comms_address: int
) -> list[tuple[str, str]]:
    """(file:line:function, message) of each record `print("DeepSpeedEngine configuration")`
    logs; a message may run over several lines."""
    rows: list[tuple[str, str]] = [(CONFIG_HEADER, "DeepSpeedEngine configuration:")]
    for name, value in sorted(attributes(config, world, comms_address).items()):
        dots = "." * (29 - len(name))
        rows.append((CONFIG_ROW, f"  {name} {dots} {value}"))
    rows.append((CONFIG_JSON, "  json = " + scientific(config)))
    return rows
