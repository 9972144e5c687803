"""DeepSpeed v0.17.5's line shapes: `[stamp] [LEVEL] [file.py:line:function] message`, with
the file:line:function of each logger call at that tag (deepspeed/utils/logging.py's
formatter), and the messages' format strings. presenters/frameworks/deepspeed/catalogue.tsv
lists them with their source."""

from __future__ import annotations

import base64
import json
from collections.abc import Sequence
from datetime import datetime

from genact_cast.generator.dialects.common import logging_stamp, py_float

# Where each record is logged from at v0.17.5.
LOG_DIST = "logging.py:107:log_dist"  # every log_dist line, whoever calls it
ACCELERATOR = "real_accelerator.py:260:get_accelerator"
NO_HOSTFILE = "runner.py:220:fetch_hostfile"
RUNNER_IP = "runner.py:499:main"
RUNNER_CMD = "runner.py:610:main"
WORKERS = "multinode_runner.py:85:get_cmd"
LAUNCH_ENV = "launch.py:139:main"
LAUNCH_WORLD = "launch.py:146:main"
LAUNCH_NNODES = "launch.py:152:main"
LAUNCH_MAPPING = "launch.py:163:main"
LAUNCH_SIZE = "launch.py:164:main"
LAUNCH_DEVICES = "launch.py:168:main"
LAUNCH_SPAWNED = "launch.py:256:main"
LAUNCH_KILLING = "launch.py:319:sigkill_handler"
LAUNCH_EXITS = "launch.py:325:sigkill_handler"
LAUNCH_SUCCESS = "launch.py:351:main"
COMM_CDB = "comm.py:821:init_distributed"
COMM_TORCH = "comm.py:852:init_distributed"
CONFIG_WORLD = "config.py:684:__init__"
MEMORY_MESSAGE = "utils.py:781:see_memory_usage"
MEMORY_MA = "utils.py:782:see_memory_usage"
MEMORY_CPU = "utils.py:789:see_memory_usage"
BUCKET_REDUCE = "stage3.py:186:__init__"
BUCKET_PREFETCH = "stage3.py:187:__init__"
OPTIMIZER_STATE = "stage3.py:554:_setup_for_real_optimizer"
ZERO_LOADING = "engine.py:3286:_load_zero_checkpoint"
ZERO_READ = "engine.py:3336:_get_all_zero_checkpoint_state_dicts"
ZERO3_INIT_DONE = "partition_parameters.py:366:__exit__"  # zero.Init, rank 0
# DeepSpeedZeroOptimizer (ZeRO stage 1 and 2), on world rank 0
TP_DATA_CHECK = "engine.py:510:check_dataloader_inputs_same_across_ranks"
TP_DATA_CHECKED = ":The Dataloader has passed the TP group consistency check."
MESH_DEVICE = "comm.py:767:initialize_mesh_device"  # AutoTP's (dp, tp) mesh
ZERO2_REDUCE_BUCKET = "stage_1_and_2.py:178:__init__"
ZERO2_ALLGATHER_BUCKET = "stage_1_and_2.py:179:__init__"
ZERO2_OFFLOAD = "stage_1_and_2.py:180:__init__"
ZERO2_ROUND_ROBIN = "stage_1_and_2.py:181:__init__"
ZERO2_STATE = "stage_1_and_2.py:605:__init__"


def line(moment: datetime, where: str, message: str, *, level: str = "INFO") -> str:
    return f"[{stamp(moment)}] [{level}] [{where}] {message}"


def stamp(m: datetime) -> str:
    """logging's `%(asctime)s`: the launch prints thousands of these."""
    return logging_stamp(m)


def dist(moment: datetime, message: str, *, rank: int = 0) -> str:
    """A `log_dist` line: printed by the ranks asked for, tagged with the rank (-1 before
    torch.distributed is up, when every process prints it)."""
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


def checkpoint_begin(tag: str) -> str:
    """TorchCheckpointEngine.create (torch_checkpoint_engine.py:27)."""
    return f"[Torch] Checkpoint {tag} is begin to save!"


def model_states(tp: int) -> str:
    """Rank 0's model states file of a checkpoint (engine.py:2970-2993 at v0.17.5): ZeRO-3
    partitions the weights and names the data-parallel rank; ZeRO-2 under AutoTP saves one
    file per TP rank (mp_rank from the TP group), written by data-parallel rank 0."""
    return "zero_pp_rank_0_mp_rank_00_model_states.pt" if tp == 1 else "mp_rank_00_model_states.pt"


def saving_model(path: str) -> str:
    return f"Saving model checkpoint: {path}"


def engine_begin_load(path: str) -> str:
    return f"[Torch] Begin Load checkpoint from {path}..."


def engine_end_load(path: str) -> str:
    return f"[Torch] End Load checkpoint from {path}..."


def engine_initialized(serialization: bool) -> str:
    return f"[TorchCheckpointEngine] Initialized with serialization = {serialization}"


def overflow(scale: float) -> str:
    return (
        f"Overflow detected. Skipping step. Attempted loss scale: {py_float(scale)}, "
        f"reducing to {py_float(scale / 2)}"
    )


def killing(pid: int) -> str:
    return f"Killing subprocess {pid}"


def exits(words: Sequence[str], code: int) -> str:
    """The launcher's last word on a failed rank: its command as a Python list, and the code."""
    listed = ", ".join(f"'{word}'" for word in words)
    return f"[{listed}] exits with return code = {code}"


def ds_info(version: str) -> str:
    return f"DeepSpeed info: version={version}, git-hash=unknown, git-branch=unknown"


def zero_optimizer(dtype: str, stage: int) -> str:
    return f"Creating {dtype} ZeRO stage {stage} optimizer"


# ZeRO-3 announces itself twice; the first line says fp16 whatever the dtype.
ZERO3_MICS = (
    "Creating fp16 ZeRO stage 3 optimizer, MiCS is enabled False, Hierarchical params gather False"
)


def autotp(layers: Sequence[tuple[str, Sequence[str]]]) -> str:
    """`print("AutoTP: ", parser_dict)` (runtime/tensor_parallel/tp_manager.py:23), on every
    process: AutoTP.tp_parser's (layer class, layers to all-reduce) pairs, one per class, the
    names in the order that process's `list(set(...))` gave them."""
    pairs = ", ".join(
        f"(<class '{cls}'>, [{', '.join(repr(name) for name in names)}])" for cls, names in layers
    )
    return f"AutoTP:  [{pairs}]"


def mesh_device(dp: int, tp: int) -> str:
    """comm.py:767-768: a backslash-continued f-string keeps the next line's indent; the
    backend is DeepSpeed's TorchBackend, whose name is 'torch' (comm/torch.py:107)."""
    gap = " " * 16
    return (
        f"Initializing mesh device with backend torch {gap}with shape ({dp}, {tp}) "
        "and dim names ('data_parallel', 'tensor_parallel')"
    )


def see_memory(allocated: float, max_allocated: float, cached: float, max_cached: float) -> str:
    """`see_memory_usage`: GB rounded to 2 places, the peak cache to whole GB, and the long
    gaps of the f-string's continued lines."""
    gap = " " * 9
    return (
        f"MA {py_float(round(allocated, 2))} GB{gap}Max_MA {py_float(round(max_allocated, 2))} GB"
        f"{gap}CA {py_float(round(cached, 2))} GB{gap}Max_CA {round(max_cached)} GB "
    )


def cpu_memory(used_gb: float, percent: float) -> str:
    return f"CPU Virtual Memory:  used = {py_float(round(used_gb, 2))} GB, percent = {percent}%"


def bucket(kind: str, size: int) -> str:
    """kind: 'Reduce' or 'Prefetch'."""
    return f"{kind} bucket size {size}"


def config_row(name: str, value: str) -> str:
    """One row of `DeepSpeedEngine configuration:`; names of 29 or more characters lose the dots."""
    dots = "." * (29 - len(name))
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


def ssh_exited(local: str, host: str, code: int) -> str:
    """pdsh's word on a remote command that failed (`pdsh@<here>: <host>: ...`)."""
    return f"pdsh@{local}: {host}: ssh exited with exit code {code}"


def command(*, nodes: int, hostfile: str, script: str, args: Sequence[str]) -> list[str]:
    """`deepspeed --num_nodes=N --num_gpus=8 [--hostfile=...] train.py ...`, the script's
    arguments naming the DeepSpeed config themselves (`--deepspeed ds_config.json`)."""
    launcher = ["deepspeed", f"--num_nodes={nodes}", "--num_gpus=8"]
    if nodes > 1:
        launcher.append(f"--hostfile={hostfile}")
    return [*launcher, script, *args]
