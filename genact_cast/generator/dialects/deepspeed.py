"""DeepSpeed v0.17.5's log: the `deepspeed` launcher, each node's `deepspeed.launcher.launch`,
the engine (ZeRO-3, bf16, AdamW and WarmupCosineLR from ds_config.json), `log_dist` and
`timer.py` lines every `steps_per_print` steps, and a DeepSpeedExamples-style `train.py`.

On several nodes the launcher runs each node through pdsh, which prefixes every line of that
node with its host name (`hgx-003: `); the nodes' lines arrive interleaved. Lines every
process logs (the accelerator, `cdb=None`, the config's world size) come once per rank.
"""

from __future__ import annotations

import math
from datetime import datetime, timedelta

from genact_cast.generator.dialects import deepspeed_config as dsc
from genact_cast.generator.dialects.base import (
    Clock,
    Close,
    Incidentals,
    Line,
    Out,
    Redraw,
    ls_rows,
    nccl_startup,
)
from genact_cast.generator.dialects.deepspeed_lines import (
    ACCELERATOR,
    BUCKET_PREFETCH,
    BUCKET_REDUCE,
    COMM_CDB,
    COMM_TORCH,
    CONFIG_WORLD,
    LAUNCH_DEVICES,
    LAUNCH_ENV,
    LAUNCH_EXITS,
    LAUNCH_KILLING,
    LAUNCH_MAPPING,
    LAUNCH_NNODES,
    LAUNCH_SIZE,
    LAUNCH_SPAWNED,
    LAUNCH_SUCCESS,
    LAUNCH_WORLD,
    MEMORY_CPU,
    MEMORY_MA,
    MEMORY_MESSAGE,
    NO_HOSTFILE,
    OPTIMIZER_STATE,
    RUNNER_CMD,
    RUNNER_IP,
    TIMER,
    WORKERS,
    ZERO3_MICS,
    ZERO_LOADING,
    ZERO_READ,
    bucket,
    checkpoint_begin,
    command,
    cpu_memory,
    dist,
    dist_world_size,
    ds_info,
    encoded_world_info,
    engine_begin_load,
    engine_end_load,
    engine_initialized,
    exits,
    killing,
    line,
    loss,
    nnodes,
    rank_mapping,
    saving_model,
    see_memory,
    ssh_exited,
    stamp,
    step,
    timer,
    visible_devices,
    world_info_dict,
    zero_optimizer,
    zero_to_fp32,
)
from genact_cast.generator.dialects.deepspeed_model import (
    REDUCE_BUCKET,
    fp32_shards,
    state_dict_tensors,
    zero3_numels,
)
from genact_cast.generator.dialects.facts import Facts
from genact_cast.generator.dialects.hf_lines import bar
from genact_cast.generator.dialects.rank_watchdog import shown_ranks, watchdog_records
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
from genact_cast.generator.rng import Rng

STEPS_PER_PRINT = 10
LOADING_DESC = "Loading checkpoint shards: "
GATHERING_DESC = "Gathering sharded weights: "
SHARDS_DESC = "Saving checkpoint shards: "
LR_WARNING = "lr_schedules.py:858:get_lr"
LR_NOT_STARTED = "Attempting to get learning rate from scheduler before it has started"
PYTHON = "/usr/bin/python"
TIMEOUT_MS = 30 * 60 * 1000  # deepspeed/constants.py: default_pg_timeout
HOST_RAM_GB = 2015.56  # psutil's total of a 2 TiB HGX host, in GiB


class Log:
    """The `deepspeed` launcher over pdsh, the engine and `train.py`: `log_dist` and timer lines
    every `steps_per_print` steps with the script's loss, `global_stepN` checkpoints, the NCCL
    watchdog on every rank of the failed node, and the launcher's and pdsh's exit lines."""

    logs_first_step = False
    has_bar = False
    relaunched = True

    def __init__(
        self, facts: Facts, *, color: bool, cols: int = 100, interval: int = STEPS_PER_PRINT
    ) -> None:
        del color  # DeepSpeed's logger prints no colour, and knows nothing of the terminal
        self.cols = cols  # tqdm, in zero_to_fp32.py, does
        self.facts = facts
        self.interval = interval
        self.incidentals = Incidentals(facts, 0)
        self.clock = Clock()
        self.save = "checkpoints"
        self.resume_step = 0
        self.attempt = 0
        self._timer_from = 0.0  # when this process's training loop began
        self._untimed = 0.0  # seconds since then outside the timed steps (evaluations, saves)
        self._timer_base = 0  # the engine's step when this process's timer started at 0
        self.config = dsc.ds_config(facts, interval)
        self._tags = [f"{host}: " if facts.nodes > 1 else "" for host in facts.hosts]
        # Without a hostfile the launcher runs on `localhost`, and names it so.
        self.hosts = list(facts.hosts) if facts.nodes > 1 else ["localhost"]

    # --- who prints: pdsh's prefixes and the nodes' interleaving ---------------------------

    def _tag(self, node: int) -> str:
        return self._tags[node]

    def _at(self, t: float) -> datetime:
        return self.facts.moment(self.clock.at(t))

    def _merge(
        self,
        t: float,
        per_node: list[list[tuple[str, str]]],
        salt: int,
        level: str | None = None,
    ) -> list[Out]:
        """Every node's (where, message) records from `t` on, each node's in its own order,
        merged as pdsh delivers them: by the time each was written, a few ms apart."""
        rng = Rng(self.facts.seed * 1009 + salt * 31 + self.attempt)
        start = self.clock.at(t)
        # Whole milliseconds after `start`, which is stamped once: the thousands of records
        # of a large launch cost a datetime each otherwise.
        base = self.facts.moment(start)
        base_ms = base.microsecond // 1000
        # Each node starts a little apart and writes a record every 0.5-4 ms (a cycle of 16
        # drawn gaps: a launch on many nodes is tens of thousands of records).
        gaps = [rng.uniform(0.5, 4.0) for _ in range(16)]
        # One int a record, (ms after start, node, index) packed to sort as the tuple would:
        # sorting tens of thousands of ints is several times faster than of tuples.
        keyed: list[int] = []
        for node, records in enumerate(per_node):
            when = rng.uniform(0.0, 50.0) * (node > 0)
            shift = rng.integer(0, 15)
            for index in range(len(records)):
                when += gaps[(index + shift) & 15]
                keyed.append((int(when) << 40) | (node << 20) | index)
        keyed.sort()
        # Per second, the stamp's text; per record, pdsh's tag and what follows the
        # milliseconds (the records of a node repeat across nodes: one string each).
        seconds: dict[int, str] = {}
        tails: dict[tuple[str, str], str] = {}
        shown_level = level
        millis = [f",{ms:03d}" for ms in range(1000)]
        out: list[str] = []
        append = out.append
        tags = self._tags
        low = (1 << 20) - 1
        for key in keyed:
            node = (key >> 20) & low
            record = per_node[node][key & low]
            where = record[0]
            if not where:
                append(tags[node] + record[1])
                continue
            total = base_ms + (key >> 40)
            second = total // 1000
            head = seconds.get(second)
            if head is None:
                head = seconds[second] = "[" + stamp(base + timedelta(seconds=second))[:-4]
            tail = tails.get(record)
            if tail is None:
                shown = shown_level or ("WARNING" if where == LR_WARNING else "INFO")
                tail = tails[record] = f"] [{shown}] [{where}] {record[1]}"
            append(tags[node] + head + millis[total % 1000] + tail)
        if keyed:
            self.clock.at(start + (keyed[-1] >> 40) / 1000)
        # One write for the burst: the terminal sees the same lines, the tape one item (a
        # launch on many nodes is tens of thousands of lines).
        return [Line("\r\n".join(out))] if out else []

    def _per_rank(self, where: str, message: str) -> list[list[tuple[str, str]]]:
        """A record every process logs: eight per node."""
        return [[(where, message)] * 8 for _ in range(self.facts.nodes)]

    # --- the command ---------------------------------------------------------------------------

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

    def _script(self, local_rank: int | None = None) -> list[str]:
        rank = [] if local_rank is None else [f"--local_rank={local_rank}"]
        return [
            "train.py",
            *rank,
            *self._args(),
            "--deepspeed",
            "--deepspeed_config",
            "ds_config.json",
        ]

    def launch_words(self) -> list[str]:
        return command(
            nodes=self.facts.nodes,
            hostfile="hostfile",
            script="train.py",
            args=self._args(),
            config="ds_config.json",
        )

    # --- events ----------------------------------------------------------------------------

    def present(self, event: RunEvent) -> list[Out]:
        if isinstance(event, Launched):
            return self._launched(event)
        if isinstance(event, CommReady):
            return self._comm(event)
        if isinstance(event, ModelReady):
            return self._engine(event)
        if isinstance(event, DataReady):  # the throughput timer starts with training
            self._timer_base = self.resume_step
            self._timer_from, self._untimed = event.t, 0.0
            return []
        if isinstance(event, Evaluated):
            self._untimed += event.seconds
        if isinstance(event, CheckpointSaved):
            self._untimed += event.blocking
        if isinstance(event, CheckpointSaved):
            return self._checkpoint(event)
        if isinstance(event, Evaluated):
            moment = self._at(event.t)
            text = (
                f"{moment:%Y-%m-%d %H:%M:%S}.{moment.microsecond // 1000:03d} | INFO     | "
                f"__main__:evaluate:88 - [Rank 0] Validation loss: {event.loss:.4f}, "
                f"perplexity: {math.exp(event.loss):.4f}"
            )
            return [Line(self._tag(0) + text)]
        if isinstance(event, Failed):
            return self._failed(event)
        if isinstance(event, Restarted):
            self.resume_step = event.step
            return []
        if isinstance(event, Exported):
            return self._export(event)
        return []

    def _export(self, event: Exported) -> list[Out]:
        """zero_to_fp32.py (v0.17.5): importing deepspeed logs as every process does, then
        the script's prints between its three tqdm bars: the optimizer files it loads
        (:151), the parameters it gathers (:465) and the safetensors shards it writes."""
        f = self.facts
        # A new process, started by hand after the launcher's last line: typing the command
        # and importing torch and deepspeed take it seconds.
        typed = max(event.t - event.seconds, self.clock.last)
        begun = typed + Rng(f.seed * 211).uniform(6.0, 12.0)
        moment = self._at(begun)
        out: list[Out] = [
            Line(line(moment, ACCELERATOR, "Setting ds_accelerator to cuda (auto detect)")),
            Line(dist(moment, engine_initialized(False), rank=-1)),
        ]
        folder = f"{self.save}/global_step{f.total_steps}"
        tensors = state_dict_tensors(f)
        version = f.version("deepspeed")
        processing, detected, parsing, reconstructed = zero_to_fp32(
            folder, f.dp, version, tensors, f.params
        )
        shards = len(fp32_shards(f))
        # Reading every rank's optimizer file is most of it, gathering the weights a little,
        # writing the fp32 shards the rest.
        phases = [
            (f.dp, event.seconds * 0.55, LOADING_DESC),
            (tensors, event.seconds * 0.1, GATHERING_DESC),
            (shards, event.seconds * 0.35, SHARDS_DESC),
        ]
        texts = [[processing], [detected, parsing], [reconstructed]]
        for before, (total, seconds, desc) in zip(texts, phases, strict=True):
            out += [Line(text) for text in before]
            # A few redraws a bar: tqdm draws at most ten a second, the cast needs fewer.
            marks = sorted({0, total, *(total * k // 4 for k in range(1, 4))})
            for done in marks:
                elapsed = seconds * done / total
                rate = done / elapsed if done else None
                out.append(Redraw(bar(done, total, elapsed, rate, self.cols, desc)))
            out.append(Close())
        return out

    def export_listing(self, event: Exported) -> list[str]:
        """`ls -lh` of zero_to_fp32.py's output: fp32 shards of at most max_shard_size and
        their index (model.safetensors alone when one shard holds it); no config.json."""
        f = self.facts
        shards = fp32_shards(f)
        files = [
            (f"model-{i:05d}-of-{len(shards):05d}.safetensors", size)
            for i, size in enumerate(shards, 1)
        ]
        if len(shards) == 1:
            files = [("model.safetensors", shards[0])]
        else:
            files.append(("model.safetensors.index.json", 23.9e3 + 0.2e3 * f.layers))
        return ls_rows(f, event.t, files, folder=event.path)

    def finish_training(self, t: float) -> list[Out]:
        """The training script's own last word, then every node's launcher sees its eight
        processes exit (the runner says nothing on success)."""
        moment = self._at(t)
        stamp = f"{moment:%Y-%m-%d %H:%M:%S}.{moment.microsecond // 1000:03d}"
        text = (
            f"{stamp} | INFO     | __main__:main:142 - [Rank 0] Training finished after "
            f"{self.facts.total_steps} steps"
        )
        done = [
            [(LAUNCH_SUCCESS, f"Process {pid} exits successfully.") for pid in self._pids(node)]
            for node in range(self.facts.nodes)
        ]
        return [Line(self._tag(0) + text), *self._merge(t + 1.0, done, 7)]

    def stopped(self, t: float) -> list[Out]:
        """Ctrl-C: each node's launcher kills its processes and exits (no return code yet)."""
        per_node = [
            [
                *((LAUNCH_KILLING, killing(pid)) for pid in self._pids(node)),
                (
                    "launch.py:328:sigkill_handler",
                    "Main process received SIGINT, exiting",
                ),
            ]
            for node in range(self.facts.nodes)
        ]
        return self._merge(t, per_node, 8)

    def export_words(self, event: Exported) -> list[str]:
        return [
            "python",
            f"{self.save}/zero_to_fp32.py",
            self.save,
            event.path,
            "--safe_serialization",
        ]

    def step(self, stats: StepStats) -> list[Out]:
        """The engine's step line and the throughput timer of this process: its counters start
        at 0 when the process does (epoch 0 throughout), and it times steps from its third."""
        f = self.facts
        moment = self._at(stats.t)
        own = stats.step - self._timer_base  # the timer's global_step_count
        current = f.global_batch / stats.seconds
        # avg_samples_per_sec (timer.py:288-293): the batch over the mean time of every step
        # this process timed (its third on), which the drawn steps only sample: the loop's
        # time since it began, less evaluations and saves, over the steps it ran.
        elapsed = stats.t - self._timer_from - self._untimed
        running = f.global_batch * own / elapsed if own > 0 and elapsed > 0 else current
        lr = dsc.learning_rate(self.config, stats.step)
        lines = [dist(moment, step(stats.step, 0, [lr, lr], (0.9, 0.95)))]
        # The timer reports when its own count, restarted with the process, is a multiple of
        # steps_per_print (timer.py:249-263), the engine when the restored step is.
        if own % self.interval == 0:
            lines.append(
                line(
                    moment,
                    TIMER,
                    timer(
                        epoch=0,
                        micro_step=own * f.grad_accum,
                        global_step=own,
                        running_avg=running,
                        current=current,
                        # DeepSpeed divides by 1024**3 and calls it GB.
                        mem_allocated_gb=f.state_gib,
                        max_mem_allocated_gb=stats.memory_gib,
                    ),
                )
            )
        lines.append(loss(moment, 0, stats.loss))
        return [Line(self._tag(0) + text) for text in lines]

    # --- launch --------------------------------------------------------------------------------

    def _pids(self, node: int) -> list[int]:
        """The eight training processes of a node: node 0's are the incidentals' draws, the
        others' their own."""
        if node == 0:
            return list(self.incidentals.worker_pids)
        rng = Rng(self.facts.seed * 7919 + node * 131 + self.attempt)
        base = rng.integer(20_000, 3_000_000)
        return [base + local for local in range(8)]

    def _launched(self, event: Launched) -> list[Out]:
        f = self.facts
        self.attempt = event.attempt
        self.incidentals = (
            self.incidentals.relaunched(f, event.attempt, same_agent=False)
            if event.attempt
            else Incidentals(f, 0)
        )
        self.clock.at(event.t)
        world = encoded_world_info(self.hosts, 8)
        script = " ".join(self._script())
        workdir = f"/home/{f.user}/llm-train"
        # The launcher on the machine typed on: importing deepspeed logs the accelerator and
        # the default checkpoint engine (before torch.distributed: rank -1).
        # Importing torch and deepspeed takes the runner a second or two; its lines follow a
        # few ms apart.
        draw = Rng(f.seed * 389 + event.attempt)
        clock = [event.t + draw.uniform(1.0, 2.5)]

        def next_moment() -> datetime:
            clock[0] += draw.uniform(0.0005, 0.006)
            return self.facts.moment(clock[0])

        head = [
            line(next_moment(), ACCELERATOR, "Setting ds_accelerator to cuda (auto detect)"),
            dist(next_moment(), engine_initialized(False), rank=-1),
        ]
        if f.nodes > 1:
            address = self.incidentals.address(0)
            head += [
                line(
                    next_moment(), RUNNER_IP, f"Using IP address of {address} for node {f.master}"
                ),
                line(
                    next_moment(),
                    WORKERS,
                    "Running on the following workers: " + ",".join(self.hosts),
                ),
                line(
                    next_moment(),
                    RUNNER_CMD,
                    f"cmd = pdsh -S -f 1024 -w {','.join(self.hosts)} export NCCL_DEBUG=INFO; "
                    f"export PYTHONPATH={workdir};  cd {workdir}; {PYTHON} -u -m "
                    f"deepspeed.launcher.launch --world_info={world} --node_rank=%n "
                    f"--master_addr={address} --master_port={f.port} {script}",
                ),
            ]
        else:
            head += [
                line(
                    next_moment(),
                    NO_HOSTFILE,
                    "Unable to find hostfile, will proceed with training with local resources "
                    "only.",
                    level="WARNING",
                ),
                line(
                    next_moment(),
                    RUNNER_CMD,
                    f"cmd = {PYTHON} -u -m deepspeed.launcher.launch --world_info={world} "
                    f"--master_addr=127.0.0.1 --master_port={f.port} --enable_each_rank_log=None "
                    f"{script}",
                ),
            ]
        per_node: list[list[tuple[str, str]]] = []
        world_dict, mapping = world_info_dict(self.hosts, 8), rank_mapping(self.hosts, 8)
        # launch.py's command list for a local rank: the same but for --local_rank.
        ranked = self._script(0)
        before = ", ".join(f"'{w}'" for w in [PYTHON, "-u", ranked[0]])
        after = ", ".join(f"'{w}'" for w in ranked[2:])
        for node in range(f.nodes):
            records: list[tuple[str, str]] = [
                (ACCELERATOR, "Setting ds_accelerator to cuda (auto detect)"),
                ("logging.py:107:log_dist", f"[Rank -1] {engine_initialized(False)}"),
                (LAUNCH_ENV, f"{node} NCCL_DEBUG=INFO"),
                (LAUNCH_WORLD, world_dict),
                (LAUNCH_NNODES, nnodes(f.nodes, 8, node)),
                (LAUNCH_MAPPING, mapping),
                (LAUNCH_SIZE, dist_world_size(f.gpus)),
                (LAUNCH_DEVICES, visible_devices(8)),
            ]
            for local, pid in enumerate(self._pids(node)):
                words = f"{before}, '--local_rank={local}', {after}"
                records.append((LAUNCH_SPAWNED, f"process {pid} spawned with command: [{words}]"))
            # Each training process imports deepspeed in turn.
            for _ in range(8):
                records += [
                    (ACCELERATOR, "Setting ds_accelerator to cuda (auto detect)"),
                    ("logging.py:107:log_dist", f"[Rank -1] {engine_initialized(False)}"),
                ]
            per_node.append(records)
        # The launcher runs on the machine typed on; pdsh tags only the nodes' own output.
        return [Line(text) for text in head] + self._merge(clock[0] + 1.4, per_node, 1)

    def _comm(self, event: CommReady) -> list[Out]:
        f = self.facts
        out = self._merge(event.t, self._per_rank(COMM_CDB, "cdb=None"), 2)
        moment = self._at(event.t)
        out.append(
            Line(
                self._tag(0)
                + line(
                    moment, COMM_TORCH, "Initializing TorchBackend in DeepSpeed with backend nccl"
                )
            )
        )
        out += [Line(text) for text in nccl_startup(f, self.incidentals, tag=self._tag(0))]
        return out

    # --- the engine ----------------------------------------------------------------------------

    def _memory(self, moment: datetime, message: str, gib: float, rng: Rng) -> list[str]:
        """`see_memory_usage(message, force=True)`: rank 0's allocator and the host's RAM."""
        cached = gib * 1.02 + 0.06
        used = 96.0 + rng.uniform(0.0, 40.0)
        return [
            line(moment, MEMORY_MESSAGE, message),
            line(moment, MEMORY_MA, see_memory(gib, gib, cached, math.ceil(cached))),
            line(moment, MEMORY_CPU, cpu_memory(used, round(used / HOST_RAM_GB * 100, 1))),
        ]

    def _engine(self, event: ModelReady) -> list[Out]:
        f = self.facts
        start = event.t - event.seconds
        moment = self._at(start)
        rng = Rng(f.seed * 613 + self.attempt)
        # initialize() before load_checkpoint() reads the resumed state (_load)
        loads = event.loaded_from is not None and self.resume_step > 0
        span = event.seconds - (event.reading if loads else 0.0)

        def at(share: float) -> datetime:
            """The moment `share` of the way through initialize(): ZeRO-3 partitions the
            weights and builds fp32 copies and Adam's state, which take most of it."""
            return self.facts.moment(start + span * share + rng.uniform(0.0, 0.004))

        state = f.state_gib  # bf16 partition 2, fp32 master 4, Adam 8, gradients 2 bytes
        texts = [
            dist(moment, ds_info(f.version("deepspeed"))),
        ]
        out: list[Out] = [Line(self._tag(0) + text) for text in texts]
        out += self._merge(
            start, self._per_rank(CONFIG_WORLD, f"Config mesh_device None world_size = {f.dp}"), 3
        )
        address = 0x7F00_0000_0000 + rng.integer(0, 2**36) * 16
        texts = [
            dist(at(0.02), engine_initialized(True)),
            dist(at(0.021), "DeepSpeed Flops Profiler Enabled: False"),
            dist(at(0.03), "Using DeepSpeed Optimizer param name adamw as basic optimizer"),
            dist(at(0.031), "Removing param_group that has no 'params' in the basic Optimizer"),
            dist(at(0.035), "DeepSpeed Basic Optimizer = FusedAdam"),
            dist(at(0.036), ZERO3_MICS),
            dist(at(0.037), zero_optimizer("torch.bfloat16", 3)),
            *self._memory(at(0.04), "Stage 3 initialize beginning", state * 2 / 16, rng),
            line(at(0.05), BUCKET_REDUCE, bucket("Reduce", REDUCE_BUCKET)),
            line(at(0.051), BUCKET_PREFETCH, bucket("Prefetch", 50000000)),
            *self._memory(at(0.06), "DeepSpeedZeRoOffload initialize [begin]", state * 2 / 16, rng),
            *self._memory(at(0.2), "DeepSpeedZeRoOffload initialize [end]", state * 2 / 16, rng),
            *self._memory(at(0.21), "Before creating fp16 partitions", state * 2 / 16, rng),
            *self._memory(at(0.35), "After creating fp16 partitions: 1", state * 2 / 16, rng),
            *self._memory(at(0.36), "Before creating fp32 partitions", state * 2 / 16, rng),
            *self._memory(at(0.5), "After creating fp32 partitions", state * 6 / 16, rng),
            *self._memory(at(0.51), "Before initializing optimizer states", state * 6 / 16, rng),
            *self._memory(at(0.8), "After initializing optimizer states", state * 14 / 16, rng),
            line(at(0.81), OPTIMIZER_STATE, "optimizer state initialized"),
            *self._memory(at(0.83), "After initializing ZeRO optimizer", state, rng),
            dist(at(0.84), "DeepSpeed Final Optimizer = DeepSpeedZeroOptimizer_Stage3"),
        ]
        out += [Line(self._tag(0) + text) for text in texts]
        # WarmupCosineLR's constructor asks itself for a rate before its first step, on
        # every rank, and sets it on the first parameter group only (zip with [0.0]).
        out += self._merge(
            start + event.seconds * 0.85, self._per_rank(LR_WARNING, LR_NOT_STARTED), 9
        )
        peak = f.peak_lr
        texts = [
            dist(at(0.9), "DeepSpeed using configured LR scheduler = WarmupCosineLR"),
            dist(
                at(0.901),
                "DeepSpeed LR Scheduler = <deepspeed.runtime.lr_schedules.WarmupCosineLR "
                f"object at {address + 0x1F40:#x}>",
            ),
            dist(at(0.902), step(0, 0, [0.0, peak], (0.9, 0.95))),
        ]
        out += [Line(self._tag(0) + text) for text in texts]
        moment = at(0.91)  # the configuration dump: one logger call a row, within a ms or two
        for where, message in dsc.engine_configuration(self.config, f.dp, address):
            first, *rest = message.split("\n")
            out.append(Line(self._tag(0) + line(moment, where, first)))
            out += [Line(self._tag(0) + more) for more in rest]
        if event.loaded_from is not None and self.resume_step:
            out += self._load(event)
        return out

    def _load(self, event: ModelReady) -> list[Out]:
        """`load_checkpoint`: rank 0's model states, then every rank reads its ZeRO partition
        (the optimizer states are most of the read)."""
        f = self.facts
        tag = f"global_step{self.resume_step}"
        begun, model_read = event.t - event.reading, event.reading * 0.12
        model = f"{self.save}/{tag}/zero_pp_rank_0_mp_rank_00_model_states.pt"
        optim = f"{self.save}/{tag}/bf16_zero_pp_rank_0_mp_rank_00_optim_states.pt"
        out: list[Out] = [
            Line(self._tag(0) + dist(self._at(begun), engine_begin_load(model))),
            Line(self._tag(0) + dist(self._at(begun + model_read), engine_end_load(model))),
        ]
        out += [
            Line(self._tag(0) + dist(self._at(begun + model_read), engine_begin_load(optim))),
            Line(self._tag(0) + dist(self._at(event.t), engine_end_load(optim))),
        ]
        # Every rank reads its own partition and counts the data-parallel world's.
        for where, words in (
            (ZERO_READ, "successfully read {} ZeRO state_dicts for rank {}"),
            (ZERO_LOADING, "loading {} zero partition checkpoints for rank {}"),
        ):
            per_node = [
                [(where, words.format(f.dp, node * 8 + local)) for local in range(8)]
                for node in range(f.nodes)
            ]
            out += self._merge(event.t, per_node, 4)
        return out

    def _checkpoint(self, event: CheckpointSaved) -> list[Out]:
        """`save_checkpoint`: the engine's create() and rank 0's model states; the ZeRO
        partitions are written without a word at this tag."""
        tag = f"global_step{event.step}"
        start = self._at(event.t - event.blocking)
        model = f"{self.save}/{tag}/zero_pp_rank_0_mp_rank_00_model_states.pt"
        texts = [dist(start, checkpoint_begin(tag)), dist(start, saving_model(model))]
        self.clock.at(event.t)
        return [Line(self._tag(0) + text) for text in texts]

    # --- failure -------------------------------------------------------------------------------

    def _failed(self, event: Failed) -> list[Out]:
        """Every rank was in the hung collective: each one's NCCL watchdog gives up and aborts
        its process, a few ms apart; every node's launcher kills the rest of its processes and
        exits with the code, and pdsh reports each node's ssh. The deepspeed launcher does not
        restart: the operator runs it again."""
        f = self.facts
        # init_distributed's default_pg_timeout: DEEPSPEED_TIMEOUT, 30 minutes unless set.
        records = watchdog_records(
            f, event, shown_ranks(f.gpus), TIMEOUT_MS, zero3_numels(f, event.op)
        )
        watchdog: list[list[tuple[str, str]]] = [[] for _ in range(f.nodes)]
        for rank, text in records:
            watchdog[rank // 8].append(("", text))
        out = self._merge(event.t, watchdog, 5)
        words = [PYTHON, "-u", *self._script(0)]
        later = [
            [(LAUNCH_KILLING, killing(pid)) for pid in self._pids(node)] for node in range(f.nodes)
        ]
        out += self._merge(event.t + 2.0, later, 6)
        ends = [[(LAUNCH_EXITS, exits(words, -6))] for _ in range(f.nodes)]
        out += self._merge(event.t + 2.1, ends, 7, level="ERROR")
        if f.nodes > 1:
            # sys.exit(-6) leaves each shell an exit status of 250.
            draw = Rng(f.seed * 577 + event.seq)
            keys = {host: draw.random() for host in f.hosts}  # as each ssh ends
            order = sorted(f.hosts, key=keys.__getitem__)
            out.append(Line("\r\n".join(ssh_exited(f.master, host, 250) for host in order)))
        return out
