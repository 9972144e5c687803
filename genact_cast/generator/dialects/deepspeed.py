"""DeepSpeed's log: `[stamp] [LEVEL] [file.py:line:function] message` from the launcher and the
engine, `log_dist` and `timer.py` lines every `steps_per_print` steps, the engine's
configuration dump, and the training script's own loss line (loguru, as DeepSpeedExamples).

Source lines are those of the DeepSpeed 0.14-0.15 releases of 2024, as their logs show them.
On several nodes the `deepspeed` launcher runs each node through pdsh, which tags every line
with the node's host name (`host: `).
"""

from __future__ import annotations

import base64
import json
from collections.abc import Sequence
from datetime import datetime

from genact_cast.generator.dialects.common import logging_stamp, py_float

LOG_DIST = "logging.py:96:log_dist"
TIMER = "timer.py:260:stop"
CONFIG_PRINT = "config.py:1003:print"
CONFIG_HEADER = "config.py:999:print"
ENGINE_SAVE = "torch_checkpoint_engine.py:21:save"
ENGINE_SAVED = "torch_checkpoint_engine.py:23:save"
ENGINE_COMMIT = "torch_checkpoint_engine.py:33:commit"
ZERO_SAVED = "engine.py:3536:_save_zero_checkpoint"


def line(moment: datetime, where: str, message: str, *, level: str = "INFO") -> str:
    return f"[{logging_stamp(moment)}] [{level}] [{where}] {message}"


def dist(moment: datetime, message: str, *, rank: int = 0) -> str:
    """A `log_dist` line: printed by the ranks asked for, tagged with the rank."""
    return line(moment, LOG_DIST, f"[Rank {rank}] {message}")


def step(step: int, skipped: int, lrs: Sequence[float], betas: tuple[float, float]) -> str:
    """`step=600, skipped=0, lr=[...], mom=[(0.9, 0.95)]`: one entry per parameter group."""
    lr = ", ".join(py_float(value) for value in lrs)
    mom = ", ".join(f"({py_float(betas[0])}, {py_float(betas[1])})" for _ in lrs)
    return f"step={step}, skipped={skipped}, lr=[{lr}], mom=[{mom}]"


def timer(
    *,
    epoch: int,
    micro_step: int,
    global_step: int,
    running_avg: float,
    current: float,
    mem_allocated_gb: float,
    max_mem_allocated_gb: float,
) -> str:
    """The throughput timer: samples/s as raw floats, memory in GB rounded to 2 places."""
    return (
        f"epoch={epoch}/micro_step={micro_step}/global_step={global_step}, "
        f"RunningAvgSamplesPerSec={py_float(running_avg)}, CurrSamplesPerSec={py_float(current)}, "
        f"MemAllocated={py_float(round(mem_allocated_gb, 2))}GB, "
        f"MaxMemAllocated={py_float(round(max_mem_allocated_gb, 2))}GB"
    )


def checkpoint_about(tag: str) -> str:
    return f"[Torch] Checkpoint {tag} is about to be saved!"


def saving_model(path: str) -> str:
    return f"Saving model checkpoint: {path}"


def engine_saving(path: str) -> str:
    return f"[Torch] Saving {path}..."


def engine_saved(path: str) -> str:
    return f"[Torch] Saved {path}."


def zero_saved(path: str, bf16: bool) -> str:
    return f"{'bf16_zero' if bf16 else 'zero'} checkpoint saved {path}"


def checkpoint_ready(tag: str) -> str:
    return f"[Torch] Checkpoint {tag} is ready now!"


def loss(moment: datetime, rank: int, value: float) -> str:
    """The training script's loss line (loguru's default format, as in DeepSpeedExamples)."""
    stamp = f"{moment:%Y-%m-%d %H:%M:%S}.{moment.microsecond // 1000:03d}"
    return f"{stamp} | INFO     | __main__:log_dist:53 - [Rank {rank}] Loss: {value:.4f}"


def overflow(scale: float) -> str:
    return (
        f"Overflow detected. Skipping step. Attempted loss scale: {py_float(scale)}, "
        f"reducing to {py_float(scale / 2)}"
    )


def ds_info(version: str) -> str:
    return f"DeepSpeed info: version={version}, git-hash=unknown, git-branch=unknown"


def zero_optimizer(dtype: str, stage: int) -> str:
    return f"Creating {dtype} ZeRO stage {stage} optimizer"


def config_row(name: str, value: str) -> str:
    """One row of `DeepSpeedEngine configuration:`; names of 29 or more characters lose the dots."""
    dots = "." * (29 - len(name))
    if len(name) >= 29:
        return f"  {name}  {value}"
    return f"  {name} {dots} {value}"


def world_info(hosts: Sequence[str], gpus_per_node: int) -> dict[str, list[int]]:
    return {host: list(range(gpus_per_node)) for host in hosts}


def encoded_world_info(hosts: Sequence[str], gpus_per_node: int) -> str:
    """`--world_info=`: the host-to-GPU map as JSON, base64-encoded, as the runner passes it."""
    text = json.dumps(world_info(hosts, gpus_per_node))
    return base64.urlsafe_b64encode(text.encode()).decode()


def world_info_dict(hosts: Sequence[str], gpus_per_node: int) -> str:
    return f"WORLD INFO DICT: {_py_dict(world_info(hosts, gpus_per_node))}"


def _py_dict(mapping: dict[str, list[int]]) -> str:
    items = ", ".join(
        f"'{key}': [{', '.join(str(v) for v in values)}]" for key, values in mapping.items()
    )
    return "{" + items + "}"


def nnodes(nodes: int, local_procs: int, node_rank: int) -> str:
    return f"nnodes={nodes}, num_local_procs={local_procs}, node_rank={node_rank}"


def rank_mapping(hosts: Sequence[str], gpus_per_node: int) -> str:
    mapping = {
        host: list(range(index * gpus_per_node, (index + 1) * gpus_per_node))
        for index, host in enumerate(hosts)
    }
    return f"global_rank_mapping=defaultdict(<class 'list'>, {_py_dict(mapping)})"


def dist_world_size(size: int) -> str:
    return f"dist_world_size={size}"


def visible_devices(gpus_per_node: int) -> str:
    return "Setting CUDA_VISIBLE_DEVICES=" + ",".join(str(index) for index in range(gpus_per_node))


def workers(hosts: Sequence[str]) -> str:
    return "Running on the following workers: " + ",".join(hosts)


def command(
    *, nodes: int, hostfile: str, script: str, args: Sequence[str], config: str
) -> list[str]:
    """`deepspeed --num_nodes=N --num_gpus=8 [--hostfile=...] train.py ... --deepspeed_config`."""
    launcher = ["deepspeed", f"--num_nodes={nodes}", "--num_gpus=8"]
    if nodes > 1:
        launcher.append(f"--hostfile={hostfile}")
    return [*launcher, script, *args, "--deepspeed", "--deepspeed_config", config]
