"""DeepSpeed v0.17.5's engine as `deepspeed.initialize` logs it: the communication
backend, ZeRO-3's partitioning with `see_memory_usage` reports, the optimizer and LR
the Trainer's scheduler, the configuration dump, and `load_checkpoint` (the Trainer's
`deepspeed_load_checkpoint`). The communicators it splits off as NCCL_DEBUG=INFO prints
them are deepspeed_splits'.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from genact_cast.generator.dialects import deepspeed_config as dsc
from genact_cast.generator.dialects.base import Line, Out
from genact_cast.generator.dialects.common import clock_second
from genact_cast.generator.dialects.deepspeed_lines import (
    BUCKET_PREFETCH,
    BUCKET_REDUCE,
    COMM_CDB,
    COMM_TORCH,
    CONFIG_WORLD,
    MEMORY_CPU,
    MEMORY_MA,
    MEMORY_MESSAGE,
    MESH_DEVICE,
    OPTIMIZER_STATE,
    ZERO2_ALLGATHER_BUCKET,
    ZERO2_OFFLOAD,
    ZERO2_REDUCE_BUCKET,
    ZERO2_ROUND_ROBIN,
    ZERO2_STATE,
    ZERO3_MICS,
    ZERO_LOADING,
    ZERO_READ,
    autotp,
    bucket,
    cpu_memory,
    dist,
    ds_info,
    engine_begin_load,
    engine_end_load,
    engine_initialized,
    line,
    mesh_device,
    model_states,
    see_memory,
    step,
    zero_optimizer,
)
from genact_cast.generator.dialects.deepspeed_model import (
    ALLGATHER_BUCKET,
    REDUCE_BUCKET,
    autotp_layers,
    zero2_memory,
    zero3_memory,
)
from genact_cast.generator.dialects.deepspeed_splits import Splits
from genact_cast.generator.dialects.hf_lines import line as hf_line
from genact_cast.generator.dialects.hf_lines import model_class
from genact_cast.generator.events import (
    CommReady,
    ModelReady,
)
from genact_cast.generator.rng import Rng

RESUMING = "deepspeed.py:495"  # transformers/integrations/deepspeed.py at 4.57.1
HOST_RAM_GB = 2015.56  # psutil's total of a 2 TiB HGX host, in GiB


class Engine(Splits):
    """The engine's start-up, its checkpoint loads and saves."""

    reserved = 0.0  # GiB the caching allocator holds, through initialize()

    def _comm(self, event: CommReady) -> list[Out]:
        f = self.facts
        text: list[str] = []
        timings: list[float] = []
        if f.nccl_debug:
            from genact_cast.generator.dialects.nccl_startup import nccl_startup

            # NCCL_DEBUG=INFO, exported to every node: each process's start-up, the nodes'
            # lines interleaving under pdsh's prefixes (one write: thousands of lines).
            pids = {node: self._pids(node) for node in range(f.nodes)}
            text = nccl_startup(
                f,
                self.incidentals,
                tag=lambda rank: self._tag(rank // 8),
                nodes=range(f.nodes),
                pid_of=lambda node, local: pids[node][local],
                timings=timings,
            )
        # DeepSpeed passes device_id (comm/torch.py:159-163): the communicator comes up
        # eagerly inside init_distributed, and the run has it up at `event.t`; what the
        # processes logged before it began comes the slowest rank's Init total earlier.
        wait = max(timings, default=0.0)
        out = self._merge(event.t - wait, self._per_rank(COMM_CDB, "cdb=None"), 2)
        begun = self.clock.at(event.t - wait)  # after the cdb lines pdsh merged
        moment = self.facts.moment(begun)
        out.append(
            Line(
                self._tag(0)
                + line(
                    moment, COMM_TORCH, "Initializing TorchBackend in DeepSpeed with backend nccl"
                )
            )
        )
        if text:
            out.append(Line("\r\n".join(text)))
        self.clock.at(begun + wait)
        return out

    def _memory(
        self, moment: datetime, message: str, gib: float, rng: Rng, peak: float = 0.0
    ) -> list[str]:
        """`see_memory_usage(message, force=True)`: rank 0's allocator (`peak` the most it
        held since the previous report reset the peak, at least `gib`) and the host's RAM.
        The caching allocator keeps what it reserved when tensors are freed, so the reserved
        bytes never fall within initialize()."""
        peak = max(peak, gib)
        self.reserved = max(self.reserved, peak * 1.02 + 0.06)
        cached = self.reserved
        used = 96.0 + rng.uniform(0.0, 40.0)
        return [
            line(moment, MEMORY_MESSAGE, message),
            # Max_CA is round()ed to whole GB (utils.py:785), so below 0.5 GB it reads 0
            line(moment, MEMORY_MA, see_memory(gib, peak, cached, round(cached))),
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

        # rank 0's own calls, one after another: their stamps never go back, past the lines
        # logged before them either (review-mg9 fault 7: a resumed launch's short span let a
        # share's jitter, or the shared clock, put a later call's stamp first)
        floor = [datetime.min]

        def at(share: float) -> datetime:
            """The moment `share` of the way through initialize(): ZeRO-3 partitions the
            weights and builds fp32 copies and Adam's state, which take most of it."""
            floor[0] = max(
                floor[0], self.facts.moment(start + span * share + rng.uniform(0.0, 0.004))
            )
            return floor[0]

        self.reserved = 0.0
        out: list[Out] = []
        if f.tp > 1:
            # the Trainer's deepspeed_init: tp_model_init before deepspeed.initialize
            # (integrations/deepspeed.py:464-471 at 4.57.1), whose parser every process prints,
            # then the (DP, TP) mesh groups._init_tp_mesh_device makes (groups.py:94-98)
            out += self._autotp(start)
            moment = self._at(start)  # after the processes' prints pdsh relayed
            out.append(Line(self._tag(0) + line(moment, MESH_DEVICE, mesh_device(f.dp, f.tp))))
            out += self._mesh_splits()
        texts = [
            dist(moment, ds_info(f.version("deepspeed"))),
        ]
        out += [Line(self._tag(0) + text) for text in texts]
        # deepspeed_init set DeepSpeed's logger to the process's log level (integrations/
        # deepspeed.py:448): INFO on world rank 0, WARNING elsewhere, so from here on only
        # rank 0's INFO records show. Given no mpu, the config counts every rank
        # (config.py:680), AutoTP's too.
        out.append(
            Line(
                self._tag(0)
                + line(moment, CONFIG_WORLD, f"Config mesh_device None world_size = {f.gpus}")
            )
        )
        out += self._zero_split()
        floor[0] = moment
        address = 0x7F00_0000_0000 + rng.integer(0, 2**36) * 16
        texts = [
            dist(at(0.021), "DeepSpeed Flops Profiler Enabled: False"),
            dist(at(0.03), "Using DeepSpeed Optimizer param name adamw as basic optimizer"),
            dist(at(0.031), "Removing param_group that has no 'params' in the basic Optimizer"),
            dist(at(0.035), "DeepSpeed Basic Optimizer = FusedAdam"),
            *(self._zero2(at, rng) if f.tp > 1 else self._zero3(at, rng)),
        ]
        out += [Line(self._tag(0) + text) for text in texts]
        # No scheduler in ds_config.json: the Trainer's own (cosine_with_min_lr, a LambdaLR),
        # handed over as a callable (deepspeed_optim_sched), at 0 before the first step.
        params = self.config["optimizer"]["params"]
        betas = (float(params["betas"][0]), float(params["betas"][1]))
        texts = [
            dist(at(0.9), "DeepSpeed using client callable to create LR scheduler"),
            dist(
                at(0.901),
                "DeepSpeed LR Scheduler = <torch.optim.lr_scheduler.LambdaLR "
                f"object at {address + 0x1F40:#x}>",
            ),
            dist(at(0.902), step(0, 0, [0.0, 0.0], betas)),
            # _configure_checkpointing (engine.py:373 at v0.17.5) after the optimizer, the
            # scheduler and _report_progress(0) (:345-347): the checkpoint engine's line.
            dist(at(0.903), engine_initialized(True)),
        ]
        out += [Line(self._tag(0) + text) for text in texts]
        moment = at(0.91)  # the configuration dump: one logger call a row, within a ms or two
        second = clock_second(moment)  # every row's stamp, handed on (Line.at)
        for where, message in dsc.engine_configuration(self.config, f.gpus, address):
            first, *rest = message.split("\n")
            out.append(Line(self._tag(0) + line(moment, where, first), second))
            out += [Line(self._tag(0) + more, second) for more in rest]
        if event.loaded_from is not None and self.resume_step:
            out += self._load(event)
        return out

    def _zero3(self, at: Callable[[float], datetime], rng: Rng) -> list[str]:
        """DeepSpeedZeroOptimizer_Stage3's start-up (stage3.py), rank 0's lines."""
        memory = zero3_memory(self.facts)
        gib = memory.in_gib()
        return [
            dist(at(0.036), ZERO3_MICS),
            dist(at(0.037), zero_optimizer("torch.bfloat16", 3)),
            *self._memory(at(0.04), "Stage 3 initialize beginning", gib.begin, rng),
            line(at(0.05), BUCKET_REDUCE, bucket("Reduce", REDUCE_BUCKET)),
            line(at(0.051), BUCKET_PREFETCH, bucket("Prefetch", 50000000)),
            *self._memory(at(0.06), "DeepSpeedZeRoOffload initialize [begin]", gib.begin, rng),
            *self._memory(
                at(0.2), "DeepSpeedZeRoOffload initialize [end]", gib.model, rng, gib.begin
            ),
            *self._memory(at(0.21), "Before creating fp16 partitions", gib.model, rng),
            *self._memory(
                at(0.35),
                f"After creating fp16 partitions: {memory.subgroups}",
                gib.model,
                rng,
                gib.model + gib.copied,  # the flat buffer is filled before the old is freed
            ),
            *self._memory(at(0.36), "Before creating fp32 partitions", gib.model, rng),
            *self._memory(at(0.5), "After creating fp32 partitions", gib.fp32, rng),
            *self._memory(at(0.51), "Before initializing optimizer states", gib.fp32, rng),
            *self._memory(
                at(0.8),
                "After initializing optimizer states",
                gib.optimizer,
                rng,
                gib.optimizer + gib.gradient,  # the fp32 gradient buffer of the first step
            ),
            line(at(0.81), OPTIMIZER_STATE, "optimizer state initialized"),
            *self._memory(at(0.83), "After initializing ZeRO optimizer", gib.final, rng),
            dist(at(0.84), "DeepSpeed Final Optimizer = DeepSpeedZeroOptimizer_Stage3"),
        ]

    def _zero2(self, at: Callable[[float], datetime], rng: Rng) -> list[str]:
        """ZeRO stage 2 under AutoTP: engine.py:1727's line, then DeepSpeedZeroOptimizer's
        own (stage_1_and_2.py:178-181, 600-608 at v0.17.5), rank 0's; bf16 with ZeRO keeps
        bf16 gradients (get_data_types), so the ZeRO wrapper, not BF16_Optimizer, is made."""
        gib = zero2_memory(self.facts).in_gib()
        made = at(0.04)  # the optimizer's first four lines, one after the other
        return [
            dist(at(0.037), zero_optimizer("torch.bfloat16", 2)),
            line(made, ZERO2_REDUCE_BUCKET, bucket("Reduce", REDUCE_BUCKET)),
            line(made, ZERO2_ALLGATHER_BUCKET, bucket("Allgather", ALLGATHER_BUCKET)),
            line(made, ZERO2_OFFLOAD, "CPU Offload: False"),
            line(made, ZERO2_ROUND_ROBIN, "Round robin gradient partitioning: False"),
            *self._memory(at(0.5), "Before initializing optimizer states", gib.before, rng),
            *self._memory(
                at(0.8),
                "After initializing optimizer states",
                gib.optimizer,
                rng,
                gib.optimizer + gib.gradient,  # the zero fp32 gradient of the first step
            ),
            line(at(0.81), ZERO2_STATE, "optimizer state initialized"),
            *self._memory(at(0.83), "After initializing ZeRO optimizer", gib.optimizer, rng),
            dist(at(0.84), "DeepSpeed Final Optimizer = DeepSpeedZeroOptimizer"),
        ]

    def _autotp(self, t: float) -> list[Out]:
        """`AutoTP:  [...]` from every process (a print, unstamped), each with its own order of
        the layer names (`list(set(...))` under the process's own hash seed)."""
        layers = autotp_layers(model_class(self.facts.arch or self.facts.model_name))
        rng = Rng(self.facts.seed * 7477 + self.attempt)

        def printed() -> str:
            return autotp(
                [(cls, names if rng.random() < 0.5 else names[::-1]) for cls, names in layers]
            )

        shown = 1 if self.srun else 8  # each node's local rank 0 under srun (deepspeed_srun)
        per_node = [[("", printed()) for _ in range(shown)] for _ in range(self.facts.nodes)]
        return self._merge(t, per_node, 11)

    def _load(self, event: ModelReady) -> list[Out]:
        """`load_checkpoint`: rank 0's model states, then every rank reads its ZeRO partition
        (the optimizer states are most of the read); rank 0 logs its own."""
        f = self.facts
        tag = f"global_step{self.resume_step}"
        folder = f"{self.save}/checkpoint-{self.resume_step}"
        begun, model_read = event.t - event.reading, event.reading * 0.12
        model = f"{folder}/{tag}/{model_states(f.tp)}"
        optim = f"{folder}/{tag}/bf16_zero_pp_rank_0_mp_rank_00_optim_states.pt"
        out: list[Out] = [
            Line(
                self._tag(0)
                + hf_line(self._at(begun), RESUMING, f"Attempting to resume from {folder}")
            ),
            Line(self._tag(0) + dist(self._at(begun), engine_begin_load(model))),
            Line(self._tag(0) + dist(self._at(begun + model_read), engine_end_load(model))),
        ]
        out += [
            Line(self._tag(0) + dist(self._at(begun + model_read), engine_begin_load(optim))),
            Line(self._tag(0) + dist(self._at(event.t), engine_end_load(optim))),
        ]
        # Every rank reads its own partition, but engine.py:3336 and :3286 are logger.info
        # on DeepSpeed's logger, which deepspeed_init set to the process's log level
        # (transformers integrations/deepspeed.py:450 at 4.57.1): log_level_replica,
        # WARNING, wherever should_log is false (training_args.py:2437-2482), i.e. on every
        # rank but 0 (local rank 0 of the one node, or --log_on_each_node=False).
        per_node: list[list[tuple[str, str]]] = [[] for _ in range(f.nodes)]
        per_node[0] = [
            (ZERO_READ, f"successfully read {f.dp} ZeRO state_dicts for rank 0"),
            (ZERO_LOADING, f"loading {f.dp} zero partition checkpoints for rank 0"),
        ]
        out += self._merge(event.t, per_node, 9)
        return out
