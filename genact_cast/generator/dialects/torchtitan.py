"""torchtitan's log: Python logging with the `[titan]` format, tagged `[rankN]:` by torchrun's
`--local-ranks-filter 0 --role rank --tee 3`, and metrics in colour.

The layout follows the torch release the run names (torchtitan tracks torch closely):
`Layout.V1` is early 2025 (no `[titan]` tag, no tflops), `V2` mid 2025 (tflops), `V3` from
torch 2.8 (grad_norm in the step line).
"""

from __future__ import annotations

import enum
from datetime import datetime

from genact_cast.generator.dialects.base import (
    MAX_RESTARTS,
    Clock,
    Incidentals,
    Line,
    Out,
    banner,
    failure_lines,
    interrupted_lines,
    nccl_startup,
)
from genact_cast.generator.dialects.common import logging_stamp
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
    Notice,
    Restarted,
    RunEvent,
    StepStats,
)


class Layout(enum.Enum):
    V1 = 1
    V2 = 2
    V3 = 3


# --job.dump_folder ./outputs, --checkpoint.folder checkpoint: saves go to step-N below it.
FOLDER = "./outputs/checkpoint"


def layout_for(torch_version: str) -> Layout:
    major, minor = (int(part) for part in torch_version.split("+")[0].split(".")[:2])
    if (major, minor) >= (2, 8):
        return Layout.V3
    if (major, minor) >= (2, 7):
        return Layout.V2
    return Layout.V1


class Colors:
    """torchtitan's `utils.Color` (or `NoColor` with --metrics.disable_color_printing)."""

    def __init__(self, *, enabled: bool) -> None:
        on = enabled
        self.red = "\x1b[31m" if on else ""
        self.green = "\x1b[32m" if on else ""
        self.yellow = "\x1b[33m" if on else ""
        self.blue = "\x1b[34m" if on else ""
        self.magenta = "\x1b[35m" if on else ""
        self.cyan = "\x1b[36m" if on else ""
        self.reset = "\x1b[39m" if on else ""
        self.orange = "\x1b[38;2;180;60;0m" if on else ""
        self.turquoise = "\x1b[38;2;54;234;195m" if on else ""


PLAIN = Colors(enabled=False)


def line(
    layout: Layout, moment: datetime, message: str, *, level: str = "INFO", rank: int | None = 0
) -> str:
    """One logged line; `rank=None` for a run without torchrun's rank tag."""
    tag = "" if rank is None else f"[rank{rank}]:"
    titan = "" if layout is Layout.V1 else "[titan] "
    return f"{tag}{titan}{logging_stamp(moment)} - root - {level} - {message}"


def step(
    layout: Layout,
    *,
    step: int,
    loss: float,
    grad_norm: float,
    memory_gib: float,
    memory_pct: float,
    tps: float,
    tflops: float,
    mfu_pct: float,
    colors: Colors = PLAIN,
) -> str:
    """The metrics line, logged at step 1 and every `metrics.log_freq` steps."""
    c = colors
    head = f"{c.red}step: {step:2}  {c.green}loss: {loss:7.4f}  "
    if layout is Layout.V3:
        head += f"{c.orange}grad_norm: {grad_norm:7.4f}  "
    memory_color = c.turquoise if layout is Layout.V3 else c.yellow
    memory = f"{memory_color}memory: {memory_gib:5.2f}GiB({memory_pct:.2f}%)  "
    throughput = f"{c.blue}tps: {round(tps):,}  "
    flops = "" if layout is Layout.V1 else f"{c.cyan}tflops: {tflops:,.2f}  "
    return f"{head}{memory}{throughput}{flops}{c.magenta}mfu: {mfu_pct:.2f}%{c.reset}"


def validate(
    *,
    step: int,
    loss: float,
    memory_gib: float,
    memory_pct: float,
    tps: float,
    colors: Colors = PLAIN,
) -> str:
    c = colors
    return (
        f"{c.yellow}validate step: {step:2}  {c.green}loss: {loss:7.4f}  "
        f"{c.turquoise}memory: {memory_gib:5.2f}GiB({memory_pct:.2f}%)  "
        f"{c.blue}tps: {round(tps):,}{c.reset}"
    )


def starting_job(description: str) -> str:
    return f"Starting job: {description}"


def device_mesh(names: list[str], sizes: list[int]) -> str:
    quoted = ", ".join(f"'{name}'" for name in names)
    return f"Building {len(names)}-D device mesh with [{quoted}], {sizes}"


def cuda_capacity(device_name: str, capacity_gib: float) -> str:
    return f"CUDA capacity: {device_name} with {capacity_gib:.2f}GiB memory"


def peak_flops(flops: float) -> str:
    return f"Peak FLOPS used for computing MFU: {flops:.3e}"


def preparing_dataset(name: str, path: str) -> str:
    return f"Preparing {name} dataset from {path}"


def model_size(flavor: str, params: int, colors: Colors = PLAIN) -> str:
    return f"Model {flavor} {colors.red}size: {params:,} total parameters{colors.reset}"


APPLIED_AC = "Applied selective activation checkpointing to the model"
APPLIED_FULL_AC = "Applied full activation checkpointing to the model"
APPLIED_FSDP = "Applied FSDP to the model"


def model_memory(gib: float, pct: float) -> str:
    return f"CUDA memory usage for model: {gib:.2f}GiB({pct:.2f}%)"


def trainer_initialized(
    layout: Layout,
    *,
    local_batch: int,
    global_batch: int,
    grad_accum: int,
    seq_len: int,
    steps: int,
    warmup: int,
) -> str:
    """V2 and V3 announce the batch here; V1 says it in `training_starts`."""
    return (
        f"Trainer is initialized with local batch size {local_batch}, global batch size "
        f"{global_batch}, gradient accumulation steps {grad_accum}, sequence length {seq_len}, "
        f"total steps {steps} (warmup {warmup})" + ("" if layout is Layout.V3 else ".")
    )


def training_starts(
    layout: Layout,
    step: int,
    *,
    local_batch: int = 0,
    global_batch: int = 0,
    seq_len: int = 0,
    steps: int = 0,
    warmup: int = 0,
) -> str:
    if layout is Layout.V1:
        return (
            f"Training starts at step {step}, with local batch size {local_batch}, global batch "
            f"size {global_batch}, sequence length {seq_len}, total steps {steps} (warmup {warmup})"
        )
    return f"Training starts at step {step}" + ("" if layout is Layout.V3 else ".")


def checkpointing_active(folder: str) -> str:
    return f"Checkpointing active. Checkpoints will be loaded from and saved to {folder}"


def loading_checkpoint(path: str) -> str:
    return f"Loading the checkpoint from {path}."


def loaded_checkpoint(seconds: float) -> str:
    return f"Finished loading the checkpoint in {seconds:.2f} seconds."


SAVING = "Saving the checkpoint (or staging if async is enabled)."


def saved(seconds: float) -> str:
    # The missing space before "in" is torchtitan's own.
    return (
        f"Finished saving the checkpoint (or staging if async is enabled)in {seconds:.2f} seconds."
    )


def saving_last(step: int) -> str:
    return f"Saving a full checkpoint at last step, step {step}."


TRAIN_TIMEOUT_SECONDS = 100  # comm.train_timeout_seconds' default
GC_FREQ = 50  # training.gc_freq's default: a generation-1 collection every 50 steps


def gc_periodic(seconds: float) -> str:
    # "Peforming" is torchtitan's spelling in the releases of 2025.
    return f"[GC] Peforming periodical GC collection. {seconds:.2f} seconds."


def gc_checkpointer(seconds: float) -> str:
    return f"[GC] GC collection invoked by checkpointer. {seconds:.2f} seconds."


def sync_timeout(timeout: str) -> str:
    return f"Synchronizing and adjusting timeout for all ProcessGroups to {timeout}"


SLEEPING = "Sleeping 2 seconds for other ranks to complete"
TRAINING_COMPLETED = "Training completed"
PROCESS_GROUP_DESTROYED = "Process group destroyed"


def command(*, nodes: int, endpoint: str, config: str, max_restarts: int = 0) -> list[str]:
    """`run_train.sh`'s torchrun line: a c10d rendezvous at `endpoint` (host:port), only rank
    0's output, each line tagged with its rank."""
    words = ["torchrun", "--nproc_per_node=8"]
    if nodes > 1:
        words.append(f"--nnodes={nodes}")
    words += ["--rdzv_backend", "c10d", f"--rdzv_endpoint={endpoint}"]
    if max_restarts:
        words.append(f"--max_restarts={max_restarts}")
    words += ["--local-ranks-filter", "0", "--role", "rank", "--tee", "3"]
    return [*words, "-m", "torchtitan.train", "--job.config_file", config]


# --- the run, as torchtitan prints it -----------------------------------------------------

LOG_FREQ = 10


def config_path(layout: Layout, family: str, flavor: str) -> str:
    name = f"{family}_{flavor.lower()}.toml"
    if layout is Layout.V1:
        return f"./train_configs/{name}"
    return f"./torchtitan/models/{family}/train_configs/{name}"


def ffn_width(dim: int, multiple_of: int, multiplier: float | None) -> int:
    """torchtitan's FeedForward width: 2/3 of 4·dim, times the multiplier, rounded up."""
    hidden = int(2 * 4 * dim / 3)
    if multiplier is not None:
        hidden = int(multiplier * hidden)
    return multiple_of * ((hidden + multiple_of - 1) // multiple_of)


def ffn_args(dim: int, ffn: int) -> tuple[int, float | None]:
    """(multiple_of, ffn_dim_multiplier) that give the model's FFN width, as the flavors
    set them (Llama 3 8B: 1024 and 1.3; 70B: 4096 and 1.3; 405B: 4096 and 1.2)."""
    for multiplier in (None, 1.3, 1.2, 1.5):
        for multiple_of in (4096, 1024, 256):
            if ffn_width(dim, multiple_of, multiplier) == ffn:
                return multiple_of, multiplier
    return 256, round(ffn / int(8 * dim / 3), 4)


def rope_theta(facts: Facts) -> int:
    """RoPE's base as each family released it: Llama 3 500k, Qwen2 1M, Llama 2 and
    Mistral-7B (v0.1) 10k."""
    name = facts.model_name
    return 500_000 if "Llama-3" in name else 1_000_000 if "Qwen2" in name else 10_000


def model_args(facts: Facts, layout: Layout) -> str:
    """The model's `ModelArgs` repr, as `Building llama3 8B with ...` prints it."""
    name = "ModelArgs" if layout is Layout.V1 else "TransformerModelArgs"
    kv = "None" if facts.kv_heads == facts.heads else str(facts.kv_heads)
    multiple_of, multiplier = ffn_args(facts.hidden, facts.ffn)
    return (
        f"{name}(dim={facts.hidden}, n_layers={facts.layers}, n_heads={facts.heads}, "
        f"n_kv_heads={kv}, vocab_size={facts.vocab}, multiple_of={multiple_of}, "
        f"ffn_dim_multiplier={multiplier}, norm_eps=1e-05, rope_theta={rope_theta(facts)}, "
        f"max_seq_len={facts.seq_len}, depth_init=True, norm_type='rmsnorm')"
    )


class Log:
    """torchtitan's output for one run: start-up, metrics every LOG_FREQ steps, checkpoints,
    validation, the NCCL watchdog and torchrun when a GPU fails, and the end."""

    logs_first_step = True
    has_bar = False
    relaunched = False

    def __init__(
        self, facts: Facts, *, color: bool, cols: int = 100, interval: int = LOG_FREQ
    ) -> None:
        del cols  # torchtitan's logger knows nothing of the terminal
        self.facts = facts
        self.interval = interval
        self.layout = layout_for(facts.torch)
        self.colors = Colors(enabled=color)
        self.incidentals = Incidentals(facts, 0)
        self.failures = 0
        self.resume_step = 0
        self.memory_gib = 0.0
        self.clock = Clock()

    def launch_words(self) -> list[str]:
        f = self.facts
        words = command(
            nodes=f.nodes,
            endpoint=f"{f.master}:{f.port}",
            config=config_path(self.layout, f.family, f.flavor),
            max_restarts=3,
        )
        if self.interval != LOG_FREQ:
            words.append(f"--metrics.log_freq={self.interval}")
        return ["NCCL_DEBUG=INFO", *words]

    def _log(self, t: float, message: str, level: str = "INFO") -> Line:
        moment = self.facts.moment(self.clock.at(t))
        return Line(line(self.layout, moment, message, level=level))

    def present(self, event: RunEvent) -> list[Out]:
        if isinstance(event, Launched):
            return self._launched(event)
        if isinstance(event, CommReady):
            return [
                Line(text) for text in nccl_startup(self.facts, self.incidentals, tag="[rank0]:")
            ]
        if isinstance(event, ModelReady):
            return self._model(event)
        if isinstance(event, DataReady):
            return self._data(event)
        if isinstance(event, Notice):
            if event.kind == "gc":
                seconds = float(dict(event.fields)["pause"])
                return [self._log(event.t, gc_periodic(seconds))]
            return []
        if isinstance(event, CheckpointSaved):
            return self._checkpoint(event)
        if isinstance(event, Evaluated):
            return self._validate(event)
        if isinstance(event, Failed):
            return self._failure(event)
        if isinstance(event, Restarted):
            self.resume_step = event.step
            return []
        return []

    def finish_training(self, t: float) -> list[Out]:
        lines: list[Out] = [self._log(t, SLEEPING), self._log(t + 2.0, TRAINING_COMPLETED)]
        if self.layout is Layout.V3:
            lines.append(self._log(t + 2.2, PROCESS_GROUP_DESTROYED))
        return lines

    def stopped(self, t: float) -> list[Out]:
        return interrupted_lines(self.facts, self.incidentals, t)

    def export_words(self, event: Exported) -> list[str]:
        f = self.facts
        return [
            "python",
            "scripts/checkpoint_conversion/convert_to_hf.py",
            f"{FOLDER}/step-{f.total_steps}",
            event.path,
            "--model_name",
            f.family,
            "--model_flavor",
            f.flavor,
        ]

    def step(self, stats: StepStats) -> list[Out]:
        f = self.facts
        self.memory_gib = stats.memory_gib
        text = step(
            self.layout,
            step=stats.step,
            loss=stats.loss,
            grad_norm=stats.grad_norm,
            memory_gib=stats.memory_gib,
            memory_pct=100 * stats.memory_gib / f.capacity_gib,
            tps=stats.tokens_per_second / f.gpus,
            tflops=stats.tflops_per_gpu,
            mfu_pct=100 * stats.mfu,
            colors=self.colors,
        )
        out: list[Out] = [self._log(stats.t, text)]
        if stats.step > 1 and stats.step % GC_FREQ == 0:
            # The GC handler runs as the step starts; its few hundredths of a second vary
            # from one collection to the next (here with the step's loss digits).
            seconds = 0.02 + int(stats.loss * 1e4) % 6 / 100
            out.insert(0, self._log(stats.t - stats.seconds, gc_periodic(seconds)))
        return out

    def _launched(self, event: Launched) -> list[Out]:
        f = self.facts
        self.incidentals = (
            self.incidentals.relaunched(f, event.attempt, same_agent=True)
            if event.attempt
            else Incidentals(f, 0)
        )
        out: list[Out] = []
        if event.attempt == 0:
            out += [Line(text) for text in banner(f, f.moment(event.t), self.incidentals)]
        t = event.t + 4.0
        out.append(self._log(t, starting_job(f"{f.model_name} training")))
        if self.layout is not Layout.V1:
            out.append(
                self._log(
                    t + 1.2,
                    "ENV[TORCH_NCCL_ASYNC_ERROR_HANDLING] = 1 will be overridden to 3 "
                    "based on job config",
                    "WARNING",
                )
            )
        names, sizes = ["dp_shard"], [f.dp]
        if f.pp > 1:
            names, sizes = ["pp", *names], [f.pp, *sizes]
        if f.tp > 1:
            names, sizes = [*names, "tp"], [*sizes, f.tp]
        out.append(self._log(t + 1.21, device_mesh(names, sizes)))
        if self.layout is Layout.V3:
            out.append(self._log(t + 1.22, "[GC] Initial GC collection took 0.00 seconds"))
        return out

    def _model(self, event: ModelReady) -> list[Out]:
        f = self.facts
        t = event.t - event.seconds
        start = t - 1.2
        state_gib = 4 * f.params / f.gpus / 2**30  # fp32 parameters, FSDP-sharded
        out: list[Out] = [
            self._log(start, "Loading tokenizer from tokenizer.json"),
            self._log(start + 0.01, preparing_dataset(f.dataset.lower(), f"datasets/{f.dataset}")),
            self._log(
                start + 0.3, f"Building {f.family} {f.flavor} with {model_args(f, self.layout)}"
            ),
            self._log(start + 0.31, cuda_capacity(f.device_name, f.capacity_gib)),
            self._log(start + 0.32, peak_flops(f.peak_tflops * 1e12)),
            self._log(start + 0.5, model_size(f"{f.family} {f.flavor}", f.params, self.colors)),
        ]
        if f.recompute != "off":  # --activation_checkpoint.mode none logs nothing
            applied = APPLIED_FULL_AC if f.recompute == "full" else APPLIED_AC
            out.append(self._log(start + 0.51, applied))
        if f.tp > 1:
            out.append(self._log(start + 0.55, "Applied Tensor Parallelism to the model"))
        out += [
            self._log(start + 0.59, APPLIED_FSDP),
            self._log(start + 0.8, model_memory(state_gib, 100 * state_gib / f.capacity_gib)),
            self._log(start + 0.81, checkpointing_active(FOLDER)),
        ]
        if event.loaded_from is not None:
            # A resume loads torchtitan's own `step-N` folder; a first launch the base weights.
            source = f"{FOLDER}/step-{self.resume_step}" if self.resume_step else event.loaded_from
            out += [
                self._log(t, loading_checkpoint(source)),
                self._log(event.t, loaded_checkpoint(event.seconds)),
            ]
        return out

    def _data(self, event: DataReady) -> list[Out]:
        f = self.facts
        first = self.resume_step + 1
        local = f.micro_batch
        if self.layout is Layout.V1:
            return [
                self._log(
                    event.t,
                    training_starts(
                        self.layout,
                        first,
                        local_batch=local,
                        global_batch=f.global_batch,
                        seq_len=f.seq_len,
                        steps=f.total_steps,
                        warmup=f.warmup,
                    ),
                )
            ]
        return [
            self._log(
                event.t,
                trainer_initialized(
                    self.layout,
                    local_batch=local,
                    global_batch=f.global_batch,
                    grad_accum=f.grad_accum,
                    seq_len=f.seq_len,
                    steps=f.total_steps,
                    warmup=f.warmup,
                ),
            ),
            self._log(event.t + 0.001, training_starts(self.layout, first)),
        ]

    def _checkpoint(self, event: CheckpointSaved) -> list[Out]:
        t = event.t - event.blocking
        head = saving_last(event.step) if event.step == self.facts.total_steps else SAVING
        return [
            self._log(t, head),
            self._log(t + 0.001, gc_checkpointer(0.0)),
            self._log(event.t, saved(event.blocking)),
        ]

    def _validate(self, event: Evaluated) -> list[Out]:
        f = self.facts
        tps = event.samples * f.seq_len / max(event.seconds, 1e-9) / f.gpus
        text = validate(
            step=event.step,
            loss=event.loss,
            memory_gib=self.memory_gib,
            memory_pct=100 * self.memory_gib / f.capacity_gib,
            tps=tps,
            colors=self.colors,
        )
        return [self._log(event.t, text)]

    def _failure(self, event: Failed) -> list[Out]:
        left = MAX_RESTARTS - self.failures
        self.failures += 1
        # `--local-ranks-filter 0`: rank 0 alone, every line of its stream tagged by the tee;
        # the process groups run with `train_timeout_seconds` (100 s) from the first step on.
        lines = failure_lines(
            self.facts,
            self.incidentals,
            event,
            restarts_left=left,
            timeout_ms=TRAIN_TIMEOUT_SECONDS * 1000,
        )
        return [
            Line(
                out.text if out.text.startswith(("[rank", "W", "E", "I")) else f"[rank0]:{out.text}"
            )
            if isinstance(out, Line)
            else out
            for out in lines
        ]
