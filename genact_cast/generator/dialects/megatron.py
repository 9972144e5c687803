"""Megatron-LM core_v0.14.0's log: `print_rank_0` / `print_rank_last` lines without a logger
prefix, the argument dump, `(min, max) time across ranks` timers, and the iteration line every
`--log-interval` iterations.

Every line shape is a format string of that tag; presenters/frameworks/megatron/catalogue.tsv
lists them with their file:line. `print_rank_0` prints on global rank 0, `print_rank_last`
(the iteration line, the validation blocks) and `Timers.log` (the timer blocks) on the last
rank, and `report_memory` / the parameter count on every rank of data-parallel rank 0.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Callable, Sequence
from datetime import datetime, timedelta

from genact_cast.generator import catalog
from genact_cast.generator.dialects import megatron_args as margs
from genact_cast.generator.dialects import megatron_data as data
from genact_cast.generator.dialects import megatron_ddp as ddp
from genact_cast.generator.dialects import megatron_formulas as formulas
from genact_cast.generator.dialects import megatron_groups as groups
from genact_cast.generator.dialects import parameters as counts
from genact_cast.generator.dialects import torch_dump, torchrun
from genact_cast.generator.dialects.base import (
    Clock,
    Incidentals,
    Line,
    Out,
    banner,
    interrupted_lines,
    nccl_startup,
    torch_site,
)
from genact_cast.generator.dialects.common import py_float, seconds_stamp
from genact_cast.generator.dialects.facts import Facts
from genact_cast.generator.dialects.nccl_startup import debug_info, sub_communicators
from genact_cast.generator.dialects.rank_watchdog import (
    Collective,
    collective_numels,
    watchdog_lines,
)
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

ARGUMENTS_HEADER = "------------------------ arguments ------------------------"
ARGUMENTS_FOOTER = "-------------------- end of arguments ---------------------"
TIMERS_HEADER = "(min, max) time across ranks (ms):"
TIMEOUT_MINUTES = 10  # --distributed-timeout-minutes' default at core_v0.14.0
SOFTMAX_WARNING = (
    "WARNING: constraints for invoking optimized fused softmax kernel are not met. "
    "We default back to unfused kernel invocations."
)
MOE_FFN_WARNING = "Warning: moe_ffn_hidden_size is not set, using ffn_hidden_size for MoE instead."
RERUN_LOGGER = "WARNING:megatron.core.rerun_state_machine:"
# initialize_megatron builds the rerun state machine (initialize.py:106) in --rerun-mode's
# mode, disabled by default; its constructor and set_mode log on rank 0
# (rerun_state_machine.py:238, :244), the mode an Enum member in the f-string.
RERUN_INITIALIZED = f"{RERUN_LOGGER}RerunStateMachine initialized in mode RerunMode.DISABLED"
RERUN_SET_MODE = f"{RERUN_LOGGER}Setting RerunStateMachine mode RerunMode.DISABLED"
# torch.cuda.get_device_capability()[0], which get_device_arch_version returns: sm80, sm90,
# sm100 (NVIDIA's CUDA GPU compute capability table).
COMPUTE_MAJOR = {"A100": 8, "H100": 9, "H200": 9, "B200": 10}
FSDP2_TP_WARNING = (
    "Using tensor model parallelism or context parallelism with Torch-FSDP2 together. "
    "Try not to using them together since they require different CUDA_MAX_CONNECTIONS "
    "settings for best performance. sequence parallelism requires setting the "
    "environment variable CUDA_DEVICE_MAX_CONNECTIONS to 1 while Torch-FSDP2 "
    "requires not setting CUDA_DEVICE_MAX_CONNECTIONS=1 for better parallelization."
)
NO_P2P_OVERLAP = (
    "WARNING: Setting args.overlap_p2p_comm and args.align_param_gather to False since "
    "non-interleaved schedule does not support overlapping p2p communication and aligned param AG"
)


def argument(name: str, value: str) -> str:
    """One row of the argument table: the name, dots to column 50, the value."""
    dots = "." * (48 - len(name))
    return f"  {name} {dots} {value}"


def arguments(values: Sequence[tuple[str, str]]) -> list[str]:
    return margs.dump(dict(values))


def world_size(*, world: int, data: int, context: int, tensor: int, pipeline: int) -> str:
    """validate_args (arguments.py:375); hierarchical context parallelism is never set."""
    return (
        f"using world size: {world}, data-parallel size: {data}, context-parallel size: {context}, "
        f"hierarchical context-parallel sizes: None, tensor-model-parallel size: {tensor}, "
        f"pipeline-model-parallel size: {pipeline}"
    )


def microbatches(count: int) -> str:
    return (
        "INFO:megatron.core.num_microbatches_calculator:setting number of microbatches to "
        f"constant {count}"
    )


def building_tokenizer(kind: str) -> str:
    return f"> building {kind} tokenizer ..."


def padded_vocab(size: int, padded: int) -> str:
    return f" > padded vocab (size: {size}) with {padded - size} dummy tokens (new size: {padded})"


def initialized_parallel(kind: str, size: int) -> str:
    """kind: 'tensor' or 'pipeline'."""
    return f"> initialized {kind} model parallel with size {size}"


def random_seeds(seed: int) -> str:
    return f"> setting random seeds to {seed} ..."


def make_helpers(user: str) -> list[str]:
    """compile_helpers runs `make -C <megatron/core/datasets>` without capturing its output
    (megatron/core/datasets/utils.py:25-26): GNU make's directory lines around its note that
    the helpers, built on the job's first run, are up to date. The checkout is the launch's
    working directory, where pretrain_gpt.py is."""
    where = f"/home/{user}/llm-train/megatron/core/datasets"
    return [
        f"make: Entering directory '{where}'",
        "make: Nothing to be done for 'default'.",
        f"make: Leaving directory '{where}'",
    ]


def time_to_initialize(seconds: float) -> str:
    return f"time to initialize megatron (seconds): {seconds:.3f}"


def datetime_marker(what: str, moment: datetime) -> str:
    """`[after megatron is initialized] datetime: 2025-04-13 23:41:00 `, trailing space and all."""
    return f"[{what}] datetime: {moment:%Y-%m-%d %H:%M:%S} "


BUILDING_MODEL = "building GPT model ..."
DATASETS_BUILDING = "> building train, validation, and test datasets ..."
DATASETS_BUILDING_GPT = "> building train, validation, and test datasets for GPT ..."
DATASETS_DONE = "> finished creating GPT datasets ..."
SETUP_DONE = "done with setup ..."
TRAINING = "training ..."


def parameters(tensor_rank: int, pipeline_rank: int, count: int) -> str:
    return (
        " > number of parameters on (tensor, pipeline) model parallel rank "
        f"({tensor_rank}, {pipeline_rank}): {count}"
    )


def timer(name: str, low_ms: float, high_ms: float) -> str:
    """One timer row: the name and a space dotted out to 48 columns, then (min, max) in ms."""
    return f"    {(name + ' ').ljust(48, '.')}: ({low_ms:.2f}, {high_ms:.2f})"


def iteration(
    *,
    moment: datetime | None,
    iteration: int,
    train_iters: int,
    consumed_samples: int,
    elapsed_ms: float,
    learning_rate: float,
    global_batch: int,
    lm_loss: float,
    loss_scale: float,
    grad_norm: float | None,
    skipped: int,
    nans: int,
    lr_digits: int = 6,
    tflops: float | None = None,
    extra_losses: Sequence[tuple[str, float]] = (),
) -> str:
    """The iteration line; `moment` is the stamp (None for releases before core 0.8)."""
    head = f" [{seconds_stamp(moment)}]" if moment is not None else ""
    text = f"{head} iteration {iteration:8d}/{train_iters:8d} |"
    text += f" consumed samples: {consumed_samples:12d} |"
    text += f" elapsed time per iteration (ms): {elapsed_ms:.1f} |"
    if tflops is not None:
        text += f" throughput per GPU (TFLOP/s/GPU): {tflops:.1f} |"
    text += f" learning rate: {learning_rate:.{lr_digits}E} |"
    text += f" global batch size: {global_batch:5d} |"
    text += f" lm loss: {lm_loss:.6E} |"
    for name, value in extra_losses:  # MoE: each tracked auxiliary loss, in tracking order
        text += f" {name}: {value:.6E} |"
    text += f" loss scale: {loss_scale:.1f} |"
    if grad_norm is not None:
        text += f" grad norm: {grad_norm:.3f} |"
    text += f" number of skipped iterations: {skipped:3d} |"
    text += f" number of nan iterations: {nans:3d} |"
    return text


def validation(label: str, loss: float, ppl: float) -> list[str]:
    """The validation block: a rule as long as the line, the line, the rule again.

    `label` is e.g. 'iteration 100' or 'the end of training for val data'.
    """
    text = f" validation loss at {label} | lm loss value: {loss:.6E} | lm loss PPL: {ppl:.6E} | "
    rule = "-" * (len(text) + 1)
    return [rule, text, rule]


STORING_OPTIMIZER = "Storing distributed optimizer sharded state of type fully_sharded_model_space"
LOADING_OPTIMIZER = (
    "INFO:megatron.core.optimizer.distrib_optimizer:Loading distributed optimizer sharded "
    "state of type fully_sharded_model_space"
)


def saving(iteration: int, path: str, fmt: str = "torch_dist") -> str:
    return f"saving checkpoint at iteration {iteration:7d} to {path} in {fmt} format"


def saved(iteration: int, path: str, tensor: int, pipeline: int) -> str:
    return (
        f"  successfully saved checkpoint from iteration {iteration:7d} to {path} "
        f"[ t 1/{tensor}, p 1/{pipeline} ]"
    )


def loading(path: str, iteration: int) -> str:
    return f" loading distributed checkpoint from {path} at iteration {iteration}"


def loading_release(path: str) -> str:
    return f" loading release distributed checkpoint from {path}"


def finetune_from(load: str, pretrained: str) -> str:
    return (
        f"Checkpoint file not found in load directory {load} attempting to finetune with "
        f"checkpoint in {pretrained}"
    )


SCHEDULER_LOGGER = "INFO:megatron.core.optimizer_param_scheduler:"
CHECKPOINT_VERSION = " checkpoint version 3.0"  # checkpointing.py:1617; torch_dist saves 3.0
NO_CHECKPOINT_ARGS = "could not find arguments in the checkpoint ..."


def content_metadata(args: dict[str, str]) -> str:
    """`sharded_state_dict metadata loaded from the checkpoint: {...}` (checkpointing.py:1422):
    the dict _build_sharded_state_dict_metadata (checkpointing.py:358-379) saved with the
    checkpoint, from the saving run's flags, which are this run's."""
    metadata = ""
    if args["use_distributed_optimizer"] == "True":
        sharding = (
            "fully_sharded_model_space"
            if args["ckpt_fully_parallel_save"] == "True"
            else "dp_zero_gather_scatter"
        )
        metadata = f"'distrib_optim_sharding_type': '{sharding}', "
    metadata += "'chained_optim_avoid_prefix': True, 'singleton_local_shards': False"
    return f"sharded_state_dict metadata loaded from the checkpoint: {{{metadata}}}"


def scheduler_values(args: dict[str, str]) -> list[str]:
    """OptimizerParamScheduler.load_state_dict's `_check_and_set` on each saved value, in its
    order (optimizer_param_scheduler.py:236, 248-302): the values get_optimizer_param_scheduler
    gave the saving run (training.py:978-1030), counted in samples for an iteration-based run;
    the weight decay's four only because the state has `start_wd`."""
    batch = int(args["global_batch_size"])
    iters = args["lr_decay_iters"]
    decay = (int(args["train_iters"]) if iters == "None" else int(iters)) * batch
    fraction = args["lr_warmup_fraction"]
    warmup = (
        py_float(float(fraction) * decay)
        if fraction != "None"
        else str(int(args["lr_warmup_iters"]) * batch)
    )
    values = [
        (py_float(float(args["lr"])), "learning rate"),
        (args["min_lr"], "minimum learning rate"),
        (warmup, "warmup iterations"),
        (str(decay), "total number of iterations"),
        (args["lr_decay_style"], "learning rate decay style"),
        (args["start_weight_decay"], "start weight decay"),
        (args["end_weight_decay"], "end weight decay"),
        (str(int(args["train_iters"]) * batch), "total number of weight decay iterations"),
        (args["weight_decay_incr_style"], "weight decay incr style"),
    ]
    return [f"{SCHEDULER_LOGGER} > using checkpoint value {v} for {name}" for v, name in values]


def loaded(path: str, iteration: int, tensor: int, pipeline: int) -> str:
    return (
        f"  successfully loaded checkpoint from {path} [ t 1/{tensor}, p 1/{pipeline} ] "
        f"at iteration {iteration}"
    )


def memory(
    rank: int,
    after: int,
    allocated: float,
    max_allocated: float,
    reserved: float,
    max_reserved: float,
) -> str:
    """Printed once, after the first logged iteration; MB values as torch reports them."""
    return (
        f"[Rank {rank}] (after {after} iterations) memory (MB) | allocated: {_mb(allocated)} | "
        f"max allocated: {_mb(max_allocated)} | reserved: {_mb(reserved)} | "
        f"max reserved: {_mb(max_reserved)}"
    )


def _mb(value: float) -> str:
    return py_float(value)


def theoretical_memory(mb: float) -> str:
    return f"Theoretical memory footprints: weight and optimizer={mb:.2f} MB"


def evaluating_on(samples: int) -> str:
    return f"Evaluating on {samples} samples"


def evaluating_iter(index: int, total: int) -> str:
    return f"Evaluating iter {index}/{total}"


def command(
    *, nodes: int, master: str, port: int, max_restarts: int, args: Sequence[str]
) -> list[str]:
    """torchrun on one node; on several, one torchrun per node started by Slurm's srun,
    which brings every node's output to this terminal (Megatron prints the iteration line
    and the timers on the last rank, on the last node)."""
    words = torchrun.command(
        nodes=nodes,
        master=master,
        port=port,
        max_restarts=max_restarts,
        script=["pretrain_gpt.py", *args],
    )
    if nodes == 1:
        return words
    return ["srun", f"--nodes={nodes}", "--ntasks-per-node=1", *words]


# --- the run, as Megatron-LM prints it ----------------------------------------------------


def stage_layers(layers: int, stages: int) -> list[int]:
    """Transformer layers per pipeline stage: as even as they go, the first and the last stage
    (which also hold the embedding and the output layer) taking fewer when the layers do not
    divide evenly (`--decoder-first/last-pipeline-num-layers`; Llama 3 405B: 7, 8 x 14, 7)."""
    base, extra = divmod(layers, stages)
    counts = [base] * stages
    for stage in [*range(1, stages - 1), 0, stages - 1][:extra]:
        counts[stage] += 1
    return counts


def padded_vocab_size(vocab: int, tensor: int) -> int:
    """Megatron pads the vocabulary to a multiple of 128 × TP so every shard is equal."""
    return formulas.padded_vocab_size(vocab, tensor)


class Log:
    """Megatron-LM core_v0.14.0's output, from `pretrain()` in megatron/training/training.py:
    the argument dump, the initialisation markers, the iteration line every `--log-interval`
    iterations, validation every `--eval-interval`, saves at multiples of `--save-interval`,
    and the end: `[after training is done]`, the last save, validation and test."""

    logs_first_step = False
    has_bar = False
    relaunched = False

    def __init__(self, facts: Facts, *, color: bool, cols: int = 100, interval: int = 10) -> None:
        del color, cols  # Megatron prints no colour, and knows nothing of the terminal
        self.facts = facts
        self.interval = interval
        self.incidentals = Incidentals(facts, 0)
        self.failures = 0
        self.clock = Clock()
        self.resume_step = 0
        self.attempt = 0
        self._launched_at = self._initialized_at = self._built_at = 0.0
        self.memory_reported = False
        self._groups_up = False  # the process groups' communicators, up in iteration 1
        self.save = f"/checkpoints/{facts.model_name.lower()}"
        self.base = None if facts.kind == "pretrain" else f"/checkpoints/base/{facts.model_name}"
        self._final_save: CheckpointSaved | None = None
        self._last_eval: Evaluated | None = None
        # The last iteration line (step, time) and the saves' and evaluations' seconds
        # since: the interval timer stops for them (training.py:1655, 2213 at the tag).
        self._logged: tuple[int, float] = (-1, 0.0)
        self._paused = 0.0
        # Padded from the tokenizer's length, not config.json's vocab_size (tokenizers.tsv).
        self.vocab = margs.tokenizer_length(facts)
        self.padded_vocab = padded_vocab_size(self.vocab, facts.tp)
        self.shape = formulas.Shape(
            layers=facts.layers,
            hidden=facts.hidden,
            ffn=facts.ffn,
            heads=facts.heads,
            groups=facts.kv_heads,
            kv_channels=margs.kv_channels(facts),
            seq=facts.seq_len,
            padded_vocab=self.padded_vocab,
            tp=facts.tp,
            pp=facts.pp,
            dp=facts.dp,
            micro_batch=facts.micro_batch,
            microbatches=facts.grad_accum,
            sequence_parallel=facts.tp > 1,
            recompute=facts.recompute,
            experts=facts.experts,
            topk=facts.top_k,
            moe_ffn=facts.expert_ffn,
            shared_ffn=facts.shared_experts * facts.expert_ffn,
            untied=not margs.family(facts).tied,
        )
        # The distributed optimizer shards only the optimizer state: where the weights and
        # gradients of a shard would not leave room (the plan's layout is FSDP), the run uses
        # Megatron's FSDP2 path instead, which takes neither pipeline nor expert parallelism.
        full = formulas.weight_and_optimizer_bytes(self.shape) / 2**30
        self.fsdp = facts.pp == 1 and not facts.experts and full > 0.85 * facts.capacity_gib
        self.shape = self.shape._replace(distributed_optimizer=not self.fsdp)

    def _t(self, t: float) -> datetime:
        return self.facts.moment(self.clock.at(t))

    def flags(self) -> list[tuple[str, str | None]]:
        pairs = margs.flags(
            self.facts, interval=self.interval, save=self.save, pretrained=self.base, fsdp=self.fsdp
        )
        layers = stage_layers(self.facts.layers, self.facts.pp)
        if len(set(layers)) > 1:
            pairs += [
                ("decoder-first-pipeline-num-layers", str(layers[0])),
                ("decoder-last-pipeline-num-layers", str(layers[-1])),
            ]
        return pairs

    def script_words(self) -> list[str]:
        """`pretrain_gpt.py`'s own arguments."""
        return margs.words(self.flags())

    def launch_words(self) -> list[str]:
        f = self.facts
        words = command(
            nodes=f.nodes, master=f.master, port=f.port, max_restarts=3, args=self.script_words()
        )
        # NCCL's INFO lines below come from NCCL_DEBUG=INFO, which a large job leaves unset
        # (nccl_startup.debug_info).
        debug = ["NCCL_DEBUG=INFO"] if debug_info(f) else []
        return [f"CUDA_DEVICE_MAX_CONNECTIONS={self.max_connections()}", *debug, *words]

    def max_connections(self) -> int:
        """The tag's Llama example exports CUDA_DEVICE_MAX_CONNECTIONS=1
        (examples/llama/train_llama3_8b_h100_fp8.sh:4), but validate_args refuses 1 with
        --use-torch-fsdp2 (arguments.py:584-585): its FSDP2 test sets 8 (tests/
        functional_tests/test_cases/gpt/gpt3_mr_mcore_te_tp2_pp1_fsdp2_resume_torch_dist_
        dgx_a100_1N8G/model_config.yaml:2)."""
        return 8 if self.fsdp else 1

    def present(self, event: RunEvent) -> list[Out]:
        if isinstance(event, Launched):
            return self._launched(event)
        if isinstance(event, CommReady):
            return self._comm(event)
        if isinstance(event, ModelReady):
            return self._model(event)
        if isinstance(event, DataReady):
            return self._data(event)
        if isinstance(event, CheckpointSaved):
            return self._checkpoint(event)
        if isinstance(event, Evaluated):
            return self._validate(event)
        if isinstance(event, Failed):
            self.memory_reported = False
            return self._failure(event)
        if isinstance(event, Restarted):
            self.resume_step = event.step
            return []
        return []

    def finish_training(self, t: float) -> list[Out]:
        """`pretrain()` after `train()`: the marker, the last save unless the loop just made
        it (a multiple of --save-interval), then validation and test with verbose=True."""
        f = self.facts
        out = [datetime_marker("after training is done", self._t(t))]
        final = self._final_save
        if final is not None and final.step % f.checkpoint_every != 0:
            out += [
                saving(final.step, self.save),
                *self._storing(),
                saved(final.step, self.save, f.tp, f.pp),
            ]
        evaluation = self._last_eval
        if evaluation is not None:
            iters = margs.eval_iters(f)
            # The finished model's held-out loss on the validation split's next eval_iters
            # batches (its iterator goes on from the loop's evaluations) and on the test
            # split: other batches than the loop's last evaluation, other losses and times.
            draw = Rng(f.seed * 31 + 7)
            for split in ("validation", "test"):
                loss = float(f"{evaluation.loss + draw.uniform(-0.01, 0.01):.4f}")
                evaluate_ms = evaluation.seconds * 1000 * draw.uniform(0.96, 1.04)
                out += [RERUN_SET_MODE, evaluating_on(iters * f.global_batch)]
                out += [evaluating_iter(index, iters) for index in range(1, iters + 1)]
                low = evaluate_ms * draw.uniform(0.97, 0.995)
                out += [TIMERS_HEADER, timer("evaluate", low, evaluate_ms)]
                out += [RERUN_SET_MODE, RERUN_SET_MODE]
                label = f"iteration {f.total_steps} on {split} set"
                out += validation(label, loss, math.exp(min(20.0, loss)))
        return [Line(text) for text in out]

    def stopped(self, t: float) -> list[Out]:
        return interrupted_lines(self.facts, self.incidentals, t)

    def export_words(self, event: Exported) -> None:
        """The tag's tools/checkpoint/convert.py has no saver to Hugging Face safetensors for
        a Llama-shaped model; the run ends with the training job's own output."""
        del event

    def step(self, stats: StepStats) -> list[Out]:
        f = self.facts
        moment = self._t(stats.t)
        # elapsed time per iteration: the interval's time less its pauses, over its
        # iterations (training_log); the first line after a launch, its own step's.
        last_step, last_t = self._logged
        seconds = stats.seconds
        if stats.step - last_step == self.interval:
            seconds = (stats.t - last_t - self._paused) / self.interval
        self._logged, self._paused = (stats.step, stats.t), 0.0
        tflops = formulas.tflops_per_gpu(self.shape, f.global_batch, seconds, f.gpus)
        out: list[Out] = []
        if not self._groups_up:
            self._groups_up = True
            text = self._group_comms()
            if text:
                out.append(Line("\r\n".join(text)))
        out += [
            Line(
                iteration(
                    moment=moment,
                    iteration=stats.step,
                    train_iters=f.total_steps,
                    consumed_samples=stats.step * f.global_batch,
                    elapsed_ms=seconds * 1000,
                    learning_rate=stats.lr,
                    global_batch=f.global_batch,
                    lm_loss=stats.loss,
                    loss_scale=1.0,
                    grad_norm=stats.grad_norm,
                    skipped=0,
                    nans=0,
                    tflops=tflops,
                    extra_losses=self._moe_losses(stats),
                )
            )
        ]
        if not self.memory_reported:
            self.memory_reported = True
            out += [Line(text) for text in self._memory_report(stats)]
        return out

    def _moe_losses(self, stats: StepStats) -> list[tuple[str, float]]:
        """What `track_moe_metrics` logs (moe_utils.py at the tag): the tracked loss divided
        by its coefficient (router.py's `save_to_aux_losses_tracker(name, aux_loss /
        aux_loss_coeff, ...)`), averaged over the MoE layers: the balance term itself, 1.0 at
        perfect balance, named `load_balancing_loss` for aux_loss and
        `seq_load_balancing_loss` for seq_aux_loss (DeepSeek-V3's)."""
        f = self.facts
        if not f.experts or stats.aux_loss is None:
            return []
        rule = catalog.routers()[f.arch]
        name = (
            "seq_load_balancing_loss" if rule.balance == "seq_aux_loss" else "load_balancing_loss"
        )
        return [(name, stats.aux_loss / rule.coeff)]

    def _dp0_ranks(self) -> list[tuple[int, int, int]]:
        """(global rank, tensor rank, pipeline rank) of data-parallel rank 0, in rank order
        (Megatron's default order tp-cp-ep-dp-pp)."""
        f = self.facts
        return [
            (tensor + f.tp * f.dp * stage, tensor, stage)
            for stage in range(f.pp)
            for tensor in range(f.tp)
        ]

    def _stage_parameters(self, stage: int) -> int:
        """Sum of `p.nelement()` on one rank of this pipeline stage (training.py:871-882):
        its layers, the embedding on the first stage, the final norm and output layer (a
        copy of the tied embedding under PP) on the last."""
        f = self.facts
        model = margs.family(f)
        shape = counts.Shape(
            layers=f.layers,
            hidden=f.hidden,
            heads=f.heads,
            kv_heads=f.kv_heads,
            head_dim=margs.kv_channels(f),
            ffn=f.ffn,
            vocab=self.padded_vocab,
            qkv_bias=model.qkv_bias,
            qk_norm=model.qk_norm,
            tied=model.tied,
        )
        embedding = self.padded_vocab * f.hidden // f.tp
        if f.experts:
            # One MoE layer on this rank: attention and the shared expert split by TP, the
            # router whole, and this rank's E/EP experts (expert TP = TP).
            dense_attention = counts.megatron_dense_layer(shape._replace(ffn=0), f.tp)
            experts = f.experts // f.ep * 3 * f.hidden * f.expert_ffn
            shared = 3 * f.hidden * f.shared_experts * f.expert_ffn
            layer = dense_attention + (experts + shared) // f.tp + f.experts * f.hidden
        else:
            layer = counts.megatron_dense_layer(shape, f.tp)
        layers = stage_layers(f.layers, f.pp)
        last = stage == f.pp - 1
        ends = (stage == 0) + last
        if not self.shape.untied:
            ends = min(ends, 1)  # tied: one matrix, copied to the last stage only under PP
        return layer * layers[stage] + embedding * ends + (f.hidden if last else 0)

    def _wrapping(self) -> list[str]:
        """get_model's DDP wrap (its config on rank 0, then each pipeline stage's first rank
        logs its buffers' buckets; FSDP2 logs neither) and get_megatron_optimizer's config."""
        f = self.facts
        args = margs.parsed(self.flags(), f.gpus)
        rng = Rng(f.seed * 947 + 5)
        out: list[str] = []
        if not self.fsdp:
            out.append(ddp.ddp_config(args, f.dp))
            size = ddp.ddp_bucket_size(args, f.dp)
            expert_dp = f.gpus // (f.pp * f.ep * f.tp)
            # With several optimizer instances (HSDP) the buffers are sharded, so padded,
            # over one instance's ranks (distributed_data_parallel.py:83-92, 375).
            shard, expert_shard = f.dp // f.replicas, max(1, expert_dp // f.replicas)
            for stage, layers in enumerate(stage_layers(f.layers, f.pp)):
                params = ddp.stage_params(f, self.padded_vocab, stage, layers)
                # Bucketing only on the first stage: later stages' communication is off the
                # critical path (distributed_data_parallel.py:186).
                bucket = size if stage == 0 else None
                dense = [p for p in params if not p.expert]
                out += ddp.buffer_log(dense, bucket, shard, self.shape.distributed_optimizer, rng)
                experts = [p for p in params if p.expert]
                if experts:
                    out += ddp.buffer_log(
                        experts, bucket, expert_shard, self.shape.distributed_optimizer, rng
                    )
        timers = 0x7F00_0000_0000 + rng.integer(0, 2**36) * 16
        out.append(ddp.optimizer_config(args, timers))
        return out

    def _memory_report(self, stats: StepStats) -> list[str]:
        """Rank 0's theoretical footprint, then `report_memory` of every rank of data-parallel
        rank 0: its model state (6 + 12/DP bytes a parameter), the step's peak, the cache."""
        f = self.facts
        lines = formulas.theoretical_memory(self.shape)
        peak_bytes = stats.memory_gib * 2**30
        for rank, _tensor, stage in self._dp0_ranks():
            state = (
                f.state_gib * 2**30  # FSDP2: this rank's shard of everything
                if self.fsdp
                else self._stage_parameters(stage) * (6 + 12 / f.dp)
            )
            allocated = round(state / 512) * 512 / 2**20
            high = max(peak_bytes, state * 1.05)
            max_allocated = round(high / 512) * 512 / 2**20
            reserved = float(math.ceil(high * 1.04 / 2**21) * 2)
            lines.append(memory(rank, stats.step, allocated, max_allocated, reserved, reserved))
        return lines

    def validate_lines(self) -> list[str]:
        """What validate_args prints before the dump, for this command: rank 0's lines, and
        the MoE warning from every process."""
        f = self.facts
        text = [world_size(world=f.gpus, data=f.dp, context=1, tensor=f.tp, pipeline=f.pp)]
        if f.pp > 1:
            text.append(NO_P2P_OVERLAP)
        text += [
            "Number of virtual stages per pipeline stage: None",
            "accumulate and all-reduce gradients in fp32 for bfloat16 data type.",
            "using torch.bfloat16 for parameters ...",
        ]
        if self.fsdp and f.tp > 1 and COMPUTE_MAJOR[f.gpu] < 10:
            # arguments.py:849-860: warn_rank_0 (training/utils.py:385) before Blackwell.
            where = f"/home/{f.user}/llm-train/megatron/training/utils.py"
            text += [f"{where}:385: UserWarning: {FSDP2_TP_WARNING}", "  warnings.warn(message)"]
        if f.experts and "moe-ffn-hidden-size" not in dict(self.flags()):
            # arguments.py:942-944 prints without a rank-0 guard: every process says it.
            text += [MOE_FFN_WARNING] * f.gpus
        return text

    def _launched(self, event: Launched) -> list[Out]:
        f = self.facts
        self._launched_at = event.t  # each process times its own start-up
        self.attempt = event.attempt
        self._groups_up = False
        self.incidentals = (
            self.incidentals.relaunched(f, event.attempt, same_agent=True)
            if event.attempt
            else Incidentals(f, 0)
        )
        lines: list[str] = []
        if event.attempt == 0:
            # Every node's torchrun warns once; srun passes each node's lines on as they come.
            moment = self._t(event.t)
            # The NGC container's torch, in dist-packages as the watchdog's frames show it.
            lines += banner(f, moment, self.incidentals, "dist-packages")
            for node in range(1, f.nodes):
                lines += banner(f, moment, self._agent(node), "dist-packages")
        args = margs.parsed(self.flags(), f.gpus)
        text = [
            *self.validate_lines(),
            *margs.dump(args),
            microbatches(f.grad_accum),
            building_tokenizer("HuggingFaceTokenizer"),
            padded_vocab(self.vocab, self.padded_vocab),
            RERUN_INITIALIZED,
            "> initializing torch distributed ...",
        ]
        self.clock.at(event.t + 3.0)
        # One write for what arrives at once: the terminal sees the same lines (hundreds of
        # banners and arguments on a large cluster), the tape one item.
        return [Line("\r\n".join([*lines, *text]))]

    def _comm(self, event: CommReady) -> list[Out]:
        f = self.facts
        self._initialized_at = event.t
        moment = self._t(event.t)
        text = [
            initialized_parallel("tensor", f.tp),
            initialized_parallel("pipeline", f.pp),
            random_seeds(margs.SEED),
            "> compiling dataset index builder ...",
            *make_helpers(f.user),
            ">>> done with dataset index builder. Compilation time: 0.052 seconds",
            *self._softmax_warning(),
            "> compiling and loading fused kernels ...",
            # init_process_group had no device_id (initialize.py:326-336), so the world
            # communicator comes up lazily at its first collective: the barrier after the
            # fused kernels (initialize.py:221-229), where rank 0's barrier() warns.
            *torchrun.barrier_warning(f.torch, "dist-packages"),
            *torchrun.device_guess_warning(
                f.torch, moment - timedelta(seconds=0.35), Rng(f.seed * 331 + 17).integer(0, 999)
            ),
            *self._nccl(),
            ">>> done with compiling and loading fused kernels. Compilation time: 2.311 seconds",
            time_to_initialize(event.t - self._launched_at),
            datetime_marker("after megatron is initialized", moment),
        ]
        return [Line(line) for line in text]

    def _nccl(self) -> list[str]:
        """NCCL_DEBUG=INFO: every process's start-up on every node, which srun brings to this
        terminal as they come (one write: a thousand lines on eight nodes)."""
        f = self.facts
        if not debug_info(f):
            return []
        agents = [self._agent(n) for n in range(f.nodes)]
        text = nccl_startup(
            f,
            self.incidentals,
            nodes=range(f.nodes),
            pid_of=lambda node, local: agents[node].worker_pids[local],
            connects=True,
        )
        return ["\r\n".join(text)] if text else []

    def _group_comms(self) -> list[str]:
        """NCCL_DEBUG=INFO: Megatron's process groups (parallel_state at the tag, new_group
        with no device bound) each bring up their own communicator at their first
        collective in iteration 1, in the order the step reaches them: the tensor group's
        all-reduce in the embedding, the expert group's all-to-all in the first MoE layer,
        the pipeline's send at the end of the first stage's forward, the data-parallel
        group's gradient reduce-scatter in the backward (within each optimizer instance,
        then the all-reduce across instances). Ranks in Megatron's tp-cp-ep-dp-pp order;
        every member prints its own (init.cc:1441), on every node, as srun brings them."""
        f = self.facts
        if not debug_info(f):
            return []
        tp, dp, pp, ep = f.tp, f.dp, f.pp, max(1, f.ep)
        shard = max(1, dp // max(1, f.replicas))

        def tensor(rank: int) -> list[int]:
            return [rank - rank % tp + i for i in range(tp)]

        def expert(rank: int) -> list[int]:
            base = rank - (rank // tp) % ep * tp
            return [base + tp * i for i in range(ep)]

        def pipeline(rank: int) -> list[int]:
            return [rank % (tp * dp) + tp * dp * i for i in range(pp)]

        def data(rank: int) -> list[int]:
            where = groups.coords(rank, tp, dp)
            first = where.data - where.data % shard
            return [
                where.tensor + tp * j + tp * dp * where.pipeline
                for j in range(first, first + shard)
            ]

        def instances(rank: int) -> list[int]:
            where = groups.coords(rank, tp, dp)
            return [
                where.tensor + tp * (where.data % shard + shard * j) + tp * dp * where.pipeline
                for j in range(dp // shard)
            ]

        wanted: list[Callable[[int], Sequence[int]]] = []
        if tp > 1:
            wanted.append(tensor)
        if f.experts and ep > 1:
            wanted.append(expert)
        if pp > 1:
            wanted.append(pipeline)
        if shard > 1:
            wanted.append(data)
        if dp // shard > 1:
            wanted.append(instances)
        agents = [self._agent(node) for node in range(f.nodes)]
        return sub_communicators(
            f,
            self.incidentals,
            wanted,
            pid_of=lambda local: agents[0].worker_pids[local],
            launch=self.attempt,
            nodes=range(f.nodes),
            node_pid=lambda node, local: agents[node].worker_pids[local],
        )

    def _agent(self, node: int) -> Incidentals:
        """Node `node`'s torchrun and its workers in this launch: torchrun keeps its pid
        across a restart and starts new workers (later pids) on every node, not just node 0."""
        if node == 0:
            return self.incidentals
        agent = Incidentals(self.facts, 100_000 + node)
        for attempt in range(1, self.attempt + 1):
            agent = agent.relaunched(self.facts, attempt, same_agent=True)
        return agent

    def _storing(self) -> list[str]:
        """save_checkpoint names the distributed optimizer's sharding before it saves (the
        tag's default, --ckpt-fully-parallel-save: fully_sharded_model_space)."""
        return [] if self.fsdp else [STORING_OPTIMIZER]

    def _softmax_warning(self) -> list[str]:
        """initialize.py's check for the fused softmax kernel (bf16, masked softmax fusion on):
        sequence length and (heads / TP) x micro batch must suit it."""
        f = self.facts
        attn_batch = (f.heads / f.tp) * f.micro_batch
        fits = 16 < f.seq_len <= 16384 and f.seq_len % 4 == 0 and attn_batch % 4 == 0
        return [] if fits else [SOFTMAX_WARNING]

    def _model(self, event: ModelReady) -> list[Out]:
        f = self.facts
        self._built_at = event.t
        args = margs.parsed(self.flags(), f.gpus)
        text = [BUILDING_MODEL]
        # Every rank of data-parallel rank 0 counts its own shard.
        for _rank, tensor, stage in self._dp0_ranks():
            text.append(parameters(tensor, stage, self._stage_parameters(stage)))
        text += self._wrapping()
        text.append(
            "INFO:megatron.core.optimizer_param_scheduler:> learning rate decay style: cosine"
        )
        load_ms = event.reading * 1000 if event.loaded_from else 0.2
        if event.loaded_from is None:
            text += [
                "WARNING: could not find the metadata file "
                f"{self.save}/latest_checkpointed_iteration.txt",
                "    will not load any checkpoints and will start from random",
            ]
        elif self.resume_step == 0 and self.base is not None:
            # The first launch of a fine-tune: nothing in --load yet, so the released
            # weights of --pretrained-checkpoint (a release checkpoint: iteration 0). With
            # args.finetune set (checkpointing.py:1363) neither the checkpoint's args nor the
            # optimizer and scheduler are read (:1581, :1621).
            text += [
                finetune_from(self.save, self.base),
                content_metadata(args),
                loading_release(self.base),
                NO_CHECKPOINT_ARGS,
                CHECKPOINT_VERSION,
                loaded(self.base, 0, f.tp, f.pp),
            ]
        else:
            # load_checkpoint (checkpointing.py:1422, 1083, 1617), then the optimizer's
            # load_state_dict, where every rank's distributed optimizer reads its shard of the
            # parameter state (distrib_optimizer.py:840), then the scheduler's (:1649).
            text += [
                content_metadata(args),
                loading(self.save, self.resume_step),
                CHECKPOINT_VERSION,
                *[LOADING_OPTIMIZER] * (0 if self.fsdp else f.gpus),
                *scheduler_values(args),
                loaded(self.save, self.resume_step, f.tp, f.pp),
            ]
        text += [
            TIMERS_HEADER,
            timer("load-checkpoint", load_ms * 0.97, load_ms),
            datetime_marker(
                "after model, optimizer, and learning rate scheduler are built", self._t(event.t)
            ),
        ]
        return [Line(line) for line in text]

    def _data(self, event: DataReady) -> list[Out]:
        f = self.facts
        train = f.total_steps * f.global_batch
        # build_train_valid_test_datasets: eval_iters batches at every eval_interval point
        # and once more at the end; the test split eval_iters batches.
        iters = margs.eval_iters(f)
        model_ms = (self._built_at - self._initialized_at) * 1000
        data_ms = (event.t - self._built_at) * 1000
        valid = (f.total_steps // f.steps_per_epoch + 1) * iters * f.global_batch
        moment = self._t(event.t)
        # train() starts the interval timer after the data iterators are built
        # (training.py:1953 at the tag, `timers("interval-time").start(barrier=True)`), in every
        # process: the first line after a launch or relaunch times its iterations from here,
        # never from a line the previous process printed.
        self._logged, self._paused = (self.resume_step, event.t), 0.0
        # The indices are built and cached beside the data on the job's first launch, and
        # read back on a relaunch.
        config_line, builder = data.building_lines(
            f,
            margs.parsed(self.flags(), f.gpus),
            (train, valid, iters * f.global_batch),
            tokenizer_address=0x7F00_0000_0000 + Rng(f.seed * 953 + 1).integer(0, 2**36) * 16,
            cached=self.attempt > 0,
        )
        text = [
            DATASETS_BUILDING,
            " > datasets target sizes (minimum size):",
            f"    train:      {train}",
            f"    validation: {valid}",
            f"    test:       {iters * f.global_batch}",
            *config_line,
            DATASETS_BUILDING_GPT,
            *builder,
            DATASETS_DONE,
            datetime_marker("after dataloaders are built", moment),
            SETUP_DONE,
            TIMERS_HEADER,
            # Max over ranks is the wall time between the datetime markers (loading the
            # checkpoint included); the fastest rank a little less.
            timer("model-and-optimizer-setup", model_ms * 0.97, model_ms),
            timer("train/valid/test-data-iterators-setup", data_ms * 0.78, data_ms),
            TRAINING,
            datetime_marker("before the start of training step", moment),
        ]
        return [Line(line) for line in text]

    def _checkpoint(self, event: CheckpointSaved) -> list[Out]:
        """The loop saves at multiples of --save-interval (save_checkpoint_and_time, with its
        timer); the save after the last step is pretrain()'s, printed by finish_training."""
        f = self.facts
        if event.step == f.total_steps:
            self._final_save = event
            if event.step % f.checkpoint_every != 0:
                return []
        elif event.step % f.checkpoint_every != 0:
            return []
        self.clock.at(event.t - event.blocking)
        self._paused += event.blocking
        blocking_ms = event.blocking * 1000
        text = [
            saving(event.step, self.save),
            *self._storing(),
            saved(event.step, self.save, f.tp, f.pp),
            TIMERS_HEADER,
            timer("save-checkpoint", blocking_ms * 0.98, blocking_ms),
        ]
        self.clock.at(event.t)
        return [Line(line) for line in text]

    def _validate(self, event: Evaluated) -> list[Out]:
        """Validation inside the loop, every --eval-interval iterations (verbose=False)."""
        self._last_eval = event
        if event.step % self.facts.steps_per_epoch != 0:
            return []
        self.clock.at(event.t)
        self._paused += event.seconds
        evaluate_ms = event.seconds * 1000
        rows = validation(f"iteration {event.step}", event.loss, math.exp(min(20.0, event.loss)))
        # evaluate() disables the rerun state machine at its start and sets the loop's mode
        # back twice after its timer (training.py:2338, 2460, 2462), each logged on rank 0.
        head = [
            RERUN_SET_MODE,
            TIMERS_HEADER,
            timer("evaluate", evaluate_ms * 0.99, evaluate_ms),
            RERUN_SET_MODE,
            RERUN_SET_MODE,
        ]
        return [Line(line) for line in [*head, *rows]]

    def _failure(self, event: Failed) -> list[Out]:
        """Every rank was in the hung collective: each one's watchdog times out after
        Megatron's own process-group timeout (--distributed-timeout-minutes, 10 at the tag)
        and aborts its process, a few ms apart; then every node's torchrun stops the rest of
        its workers and reports the failure, and, with restarts left, starts them again (its
        INFO lines unseen without LOGLEVEL). srun prints all nodes' output as it comes."""
        f = self.facts
        self.failures += 1
        layers = stage_layers(f.layers, f.pp)
        bucket = ddp.ddp_bucket_size(margs.parsed(self.flags(), f.gpus), f.dp)
        fallback = (
            groups.fsdp2_layer(f, self.padded_vocab, event.op)
            if self.fsdp and event.op != "ALLREDUCE"
            else collective_numels(f, event.op)
        )

        @functools.cache
        def buckets(stage: int) -> list[int]:
            return groups.stage_buckets(f, stage, layers[stage], self.padded_vocab, bucket)

        def own(rank: int) -> Collective:
            # Each rank's watchdog names the group the collective ran on, not the default.
            return groups.collective(
                f,
                rank=rank,
                op=event.op,
                step=event.step,
                stage_layers=layers,
                buckets=buckets if self.shape.distributed_optimizer else None,
                fallback=fallback,
                start=self.resume_step,
            )

        timeout = TIMEOUT_MINUTES * 60 * 1000
        # torch 2.9 dumps on the timeout (torch_dump): each watchdog waits a minute for it
        # before it takes its process down, and the log runs that minute behind the run's.
        year = f.moment(event.t).year
        f = self.facts = f._replace(start=f.start + timedelta(seconds=torch_dump.DUMP_WAIT_SECONDS))
        # Every rank's block, as srun passes on every task's stderr: a real log of N ranks
        # has N of them (some forty lines each under torch 2.9), not the first few nodes'.
        found = watchdog_lines(f, event, range(f.gpus), timeout, collective=own)
        works = groups.default_works(
            start=self.resume_step,
            step=event.step,
            log_interval=self.interval,
            eval_interval=f.steps_per_epoch,
            save_interval=f.checkpoint_every,
            loads=self.resume_step > 0 or self.base is not None,
        )
        early, lines = torch_dump.ranks_with_dump(found, year, Rng(f.seed * 59 + event.seq), works)
        source = torchrun.torch_source(f.torch)
        site = torch_site(f.torch, "dist-packages")
        draw = Rng(f.seed * 613 + event.seq)
        agents: list[tuple[float, list[str]]] = []
        for node in range(f.nodes):
            agent = self._agent(node)
            later = event.t + 1.5 + draw.uniform(0.0, 0.2)
            block = [
                torchrun.closing_signal(f.moment(later), agent.agent_pid, source, pid, site=site)
                for pid in agent.worker_pids[1:]
            ]
            block.append(
                torchrun.worker_failed(
                    f.moment(later + 0.6),
                    agent.agent_pid,
                    source,
                    exitcode=-6,
                    local_rank=0,
                    pid=agent.worker_pids[0],
                    binary="/usr/bin/python",
                    site=site,
                )
            )
            agents.append((later, block))
        agents.sort(key=lambda item: item[0])  # srun passes each node's output as it comes
        lines += [text for _, block in agents for text in block]
        # One write each (thousands of lines on a large run): the timeout, a minute later
        # the take-down.
        return [Line("\r\n".join(early)), Line("\r\n".join(lines))]
