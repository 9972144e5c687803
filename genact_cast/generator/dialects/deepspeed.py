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
import math
from collections.abc import Sequence
from datetime import datetime

from genact_cast.generator.dialects.base import (
    Clock,
    Incidentals,
    Line,
    Out,
    failure_lines,
    nccl_startup,
)
from genact_cast.generator.dialects.common import logging_stamp, py_float
from genact_cast.generator.dialects.facts import Facts
from genact_cast.generator.events import (
    CheckpointSaved,
    CommReady,
    DataReady,
    Evaluated,
    Exported,
    Failed,
    Launched,
    ModelReady,
    Restarted,
    RunEvent,
    StepStats,
)

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


ENGINE = "torch_checkpoint_engine.py"


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


def see_memory(allocated: float, max_allocated: float, cached: float, max_cached: float) -> str:
    """`see_memory_usage`: GB rounded to 2 places, the peak cache to whole GB, and the long
    gaps of the f-string's continued lines."""
    gap = " " * 9
    return (
        f"MA {py_float(round(allocated, 2))} GB{gap}Max_MA {py_float(round(max_allocated, 2))} GB"
        f"{gap}CA {py_float(round(cached, 2))} GB{gap}Max_CA {round(max_cached)} GB "
    )


def bucket(kind: str, size: int) -> str:
    """kind: 'Reduce' or 'Prefetch'."""
    return f"{kind} bucket size {size}"


def engine_loading(path: str) -> str:
    return f"[Torch] Loading checkpoint from {path}..."


def engine_loaded(path: str) -> str:
    return f"[Torch] Loaded checkpoint from {path}."


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


# --- the run, as a DeepSpeed training script prints it ------------------------------------

STEPS_PER_PRINT = 10
VERSION = "0.14.4"


class Log:
    """The `deepspeed` launcher, the engine (ZeRO-3, bf16) and a DeepSpeedExamples-style
    `train.py`: `log_dist` and timer lines every `steps_per_print` steps with the script's loss,
    `global_stepN` checkpoints, and the NCCL watchdog when a GPU fails."""

    logs_first_step = False
    has_bar = False
    relaunched = True

    def __init__(
        self, facts: Facts, *, color: bool, cols: int = 100, interval: int = STEPS_PER_PRINT
    ) -> None:
        del color, cols  # DeepSpeed's logger prints no colour, and knows nothing of the terminal
        self.facts = facts
        self.interval = interval
        self.incidentals = Incidentals(facts, 0)
        self._timer_start: tuple[int, float] | None = None
        self.clock = Clock()
        self.save = "checkpoints"
        self.resume_step = 0
        # pdsh tags every line of every node with its host; one node runs without pdsh.
        self.tag = f"{facts.master}: " if facts.nodes > 1 else ""

    def _at(self, t: float) -> datetime:
        return self.facts.moment(self.clock.at(t))

    def _lines(self, texts: list[str]) -> list[Out]:
        return [Line(f"{self.tag}{text}") for text in texts]

    def _args(self) -> list[str]:
        f = self.facts
        return [
            "--model_name_or_path",
            f.model_name,
            "--dataset",
            f.dataset,
            f"--max_seq_len={f.seq_len}",
            f"--per_device_train_batch_size={f.micro_batch}",
            f"--gradient_accumulation_steps={f.grad_accum}",
            f"--num_train_epochs={f.epochs}",
            f"--output_dir={self.save}",
        ]

    def launch_words(self) -> list[str]:
        f = self.facts
        return command(
            nodes=f.nodes,
            hostfile="hostfile",
            script="train.py",
            args=self._args(),
            config="ds_config.json",
        )

    def present(self, event: RunEvent) -> list[Out]:
        if isinstance(event, Launched):
            return self._launched(event)
        if isinstance(event, CommReady):
            moment = self._at(event.t)
            return self._lines(
                [
                    line(moment, "comm.py:594:init_distributed", "cdb=None"),
                    line(
                        moment,
                        "comm.py:625:init_distributed",
                        "Initializing TorchBackend in DeepSpeed with backend nccl",
                    ),
                    *nccl_startup(self.facts, self.incidentals),
                ]
            )
        if isinstance(event, ModelReady):
            return self._engine(event)
        if isinstance(event, DataReady):  # the throughput timer starts with training
            self._timer_start = (self.resume_step, event.t)
            return []
        if isinstance(event, CheckpointSaved):
            return self._checkpoint(event)
        if isinstance(event, Evaluated):
            moment = self._at(event.t)
            text = (
                f"{moment:%Y-%m-%d %H:%M:%S}.{moment.microsecond // 1000:03d} | INFO     | "
                f"__main__:evaluate:88 - [Rank 0] Validation loss: {event.loss:.4f}, "
                f"perplexity: {math.exp(event.loss):.4f}"
            )
            return self._lines([text])
        if isinstance(event, Failed):
            return self._lines(self._failed(event))
        if isinstance(event, Restarted):
            self.resume_step = event.step
            return []
        return []

    def finish_training(self, t: float) -> list[Out]:
        """The training script's own last word (the launcher says nothing on success)."""
        moment = self._at(t)
        stamp = f"{moment:%Y-%m-%d %H:%M:%S}.{moment.microsecond // 1000:03d}"
        text = (
            f"{stamp} | INFO     | __main__:main:142 - [Rank 0] Training finished after "
            f"{self.facts.total_steps} steps"
        )
        return self._lines([text])

    def stopped(self, t: float) -> list[Out]:
        moment = self._at(t)
        texts = [
            line(moment, "launch.py:319:sigkill_handler", killing(pid))
            for pid in self.incidentals.worker_pids
        ]
        words = [
            "/usr/bin/python",
            "-u",
            "train.py",
            "--local_rank=0",
            *self._args(),
            "--deepspeed",
            "--deepspeed_config",
            "ds_config.json",
        ]
        texts.append(line(moment, "launch.py:325:sigkill_handler", exits(words, -2), level="ERROR"))
        return [Line(text) for text in texts]

    def export_words(self, event: Exported) -> list[str]:
        return [
            "python",
            f"{self.save}/zero_to_fp32.py",
            self.save,
            event.path,
            "--safe_serialization",
        ]

    def step(self, stats: StepStats) -> list[Out]:
        f = self.facts
        moment = self._at(stats.t)
        samples = f.global_batch / stats.seconds  # the timer counts the whole train batch
        # The running average is over this process's steps so far, its slow first included.
        done, since = self._timer_start or (stats.step - 1, stats.t - stats.seconds)
        running = f.global_batch * (stats.step - done) / (stats.t - since)
        return self._lines(
            [
                dist(moment, step(stats.step, 0, [stats.lr, stats.lr], (0.9, 0.95))),
                line(
                    moment,
                    TIMER,
                    timer(
                        epoch=stats.epoch - 1,
                        micro_step=stats.step * f.grad_accum,
                        global_step=stats.step,
                        running_avg=running,
                        current=samples,
                        # DeepSpeed divides by 1024**3 and calls it GB.
                        mem_allocated_gb=f.state_gib,
                        max_mem_allocated_gb=stats.memory_gib,
                    ),
                ),
                loss(moment, 0, stats.loss),
            ]
        )

    def _launched(self, event: Launched) -> list[Out]:
        f = self.facts
        self._timer_start = None
        self.incidentals = (
            self.incidentals.relaunched(f, event.attempt, same_agent=False)
            if event.attempt
            else Incidentals(f, 0)
        )
        moment = self._at(event.t)
        # Without a hostfile the launcher runs on `localhost`, and names it so.
        hosts = list(f.hosts) if f.nodes > 1 else ["localhost"]
        world = encoded_world_info(hosts, 8)
        script = " ".join(
            ["train.py", *self._args(), "--deepspeed", "--deepspeed_config", "ds_config.json"]
        )
        python = "/usr/bin/python"
        workdir = f"/home/{f.user}/llm-train"
        head: list[str] = [
            line(
                moment,
                "real_accelerator.py:203:get_accelerator",
                "Setting ds_accelerator to cuda (auto detect)",
            )
        ]
        if f.nodes > 1:
            head += [
                line(
                    moment,
                    "runner.py:463:main",
                    f"Using IP address of {self.incidentals.address(0)} for node {f.master}",
                ),
                line(moment, "multinode_runner.py:72:get_cmd", workers(hosts)),
                line(
                    moment,
                    "runner.py:570:main",
                    f"cmd = pdsh -S -f 1024 -w {','.join(hosts)} "
                    f"export PYTHONPATH={workdir};  cd {workdir}; {python} -u -m "
                    f"deepspeed.launcher.launch --world_info={world} --node_rank=%n "
                    f"--master_addr={self.incidentals.address(0)} --master_port={f.port} {script}",
                ),
            ]
        else:
            head.append(
                line(
                    moment,
                    "runner.py:585:main",
                    f"cmd = {python} -u -m deepspeed.launcher.launch --world_info={world} "
                    f"--master_addr=127.0.0.1 --master_port={f.port} --enable_each_rank_log=None "
                    f"{script}",
                )
            )
        later = self._at(event.t + 1.4)
        node = [
            line(later, "launch.py:146:main", world_info_dict(hosts, 8)),
            line(later, "launch.py:152:main", nnodes(f.nodes, 8, 0)),
            line(later, "launch.py:163:main", rank_mapping(hosts, 8)),
            line(later, "launch.py:164:main", dist_world_size(f.gpus)),
            line(later, "launch.py:168:main", visible_devices(8)),
        ]
        for local, pid in enumerate(self.incidentals.worker_pids):
            words = ", ".join(
                f"'{word}'"
                for word in [
                    python,
                    "-u",
                    "train.py",
                    f"--local_rank={local}",
                    *self._args(),
                    "--deepspeed",
                    "--deepspeed_config",
                    "ds_config.json",
                ]
            )
            node.append(
                line(later, "launch.py:256:main", f"process {pid} spawned with command: [{words}]")
            )
        # The launcher runs on the machine typed on; pdsh tags only the nodes' own output.
        return [Line(text) for text in head] + self._lines(node)

    def _engine(self, event: ModelReady) -> list[Out]:
        f = self.facts
        moment = self._at(event.t - event.seconds)
        state_gb = f.state_gib  # see_memory_usage also prints GiB as "GB"
        texts = [
            dist(moment, ds_info(VERSION), rank=0),
            dist(moment, "DeepSpeed Flops Profiler Enabled: False"),
            dist(moment, "Using client Optimizer as basic optimizer"),
            dist(moment, "DeepSpeed Basic Optimizer = FusedAdam"),
            dist(moment, ZERO3_MICS),
            dist(moment, zero_optimizer("torch.bfloat16", 3)),
            line(moment, "utils.py:800:see_memory_usage", "Stage 3 initialize beginning"),
            line(moment, "utils.py:801:see_memory_usage", see_memory(0.99, 0.99, 1.66, 2)),
            line(moment, "stage3.py:134:__init__", bucket("Reduce", 500000000)),
            line(moment, "stage3.py:135:__init__", bucket("Prefetch", 50000000)),
            line(moment, "utils.py:800:see_memory_usage", "After initializing ZeRO optimizer"),
            line(
                moment,
                "utils.py:801:see_memory_usage",
                see_memory(state_gb, state_gb * 1.08, state_gb * 1.12, state_gb * 1.12),
            ),
            dist(moment, "DeepSpeed Final Optimizer = DeepSpeedZeroOptimizer_Stage3"),
            dist(moment, "DeepSpeed using configured LR scheduler = WarmupCosineLR"),
            line(moment, CONFIG_HEADER, "DeepSpeedEngine configuration:"),
            *[
                line(moment, CONFIG_PRINT, config_row(name, value))
                for name, value in self._config()
            ],
        ]
        if event.loaded_from is not None:
            tag = f"global_step{self.resume_step}"
            # The model states are small; the optimizer states are most of the read.
            begun, model_read = event.t - event.reading, event.reading * 0.12
            for path, start, end in (
                (
                    f"{self.save}/{tag}/zero_pp_rank_0_mp_rank_00_model_states.pt",
                    begun,
                    begun + model_read,
                ),
                (
                    f"{self.save}/{tag}/bf16_zero_pp_rank_0_mp_rank_00_optim_states.pt",
                    begun + model_read,
                    event.t,
                ),
            ):
                texts += [
                    line(
                        self._at(start), "torch_checkpoint_engine.py:27:load", engine_loading(path)
                    ),
                    line(self._at(end), "torch_checkpoint_engine.py:29:load", engine_loaded(path)),
                ]
        return self._lines(texts)

    def _config(self) -> list[tuple[str, str]]:
        f = self.facts
        return [
            ("bfloat16_enabled", "True"),
            ("fp16_enabled", "False"),
            ("gradient_accumulation_steps", str(f.grad_accum)),
            ("gradient_clipping", "1.0"),
            ("steps_per_print", str(self.interval)),
            ("train_batch_size", str(f.global_batch)),
            ("train_micro_batch_size_per_gpu", str(f.micro_batch)),
            ("wall_clock_breakdown", "False"),
            ("world_size", str(f.dp)),
            ("zero_enabled", "True"),
            ("zero_optimization_stage", "3"),
        ]

    def _checkpoint(self, event: CheckpointSaved) -> list[Out]:
        tag = f"global_step{event.step}"
        start = self._at(event.t - event.blocking)
        model = f"{self.save}/{tag}/zero_pp_rank_0_mp_rank_00_model_states.pt"
        optim = f"{self.save}/{tag}/bf16_zero_pp_rank_0_mp_rank_00_optim_states.pt"
        done = self._at(event.t)
        return self._lines(
            [
                dist(start, checkpoint_about(tag)),
                dist(start, saving_model(model)),
                line(start, ENGINE_SAVE, engine_saving(model)),
                line(start, ENGINE_SAVED, engine_saved(model)),
                line(start, ENGINE_SAVE, engine_saving(optim)),
                line(done, ENGINE_SAVED, engine_saved(optim)),
                line(done, ZERO_SAVED, zero_saved(optim, bf16=True)),
                line(done, ENGINE_COMMIT, checkpoint_ready(tag)),
            ]
        )

    def _failed(self, event: Failed) -> list[str]:
        """Rank 0's watchdog takes its process down; the launcher kills the node's other ranks
        and exits with the failed rank's code. The deepspeed launcher does not restart."""
        watchdog = failure_lines(self.facts, self.incidentals, event)[:4]
        out = [item.text for item in watchdog if isinstance(item, Line)]
        moment = self._at(event.t + 2.0)
        texts = [
            line(moment, "launch.py:319:sigkill_handler", killing(pid))
            for pid in self.incidentals.worker_pids
        ]
        words = [
            "/usr/bin/python",
            "-u",
            "train.py",
            "--local_rank=0",
            *self._args(),
            "--deepspeed",
            "--deepspeed_config",
            "ds_config.json",
        ]
        texts.append(line(moment, "launch.py:325:sigkill_handler", exits(words, -6), level="ERROR"))
        return out + texts
