"""Megatron-LM's log: `print_rank_0` / `print_rank_last` lines without a logger prefix, the
argument table, `(min, max) time across ranks` timers, and the iteration line every
`--log-interval` iterations.

From core 0.8 (2024) the iteration line starts with a ` [YYYY-mm-dd HH:MM:SS]` stamp
(`stamped=True`); earlier releases start it with a bare space.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from datetime import datetime

from genact_cast.generator.dialects import torchrun
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
from genact_cast.generator.dialects.common import py_float
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

ARGUMENTS_HEADER = "------------------------ arguments ------------------------"
ARGUMENTS_FOOTER = "-------------------- end of arguments ---------------------"
TIMERS_HEADER = "(min, max) time across ranks (ms):"


def argument(name: str, value: str) -> str:
    """One row of the argument table: the name, dots to column 50, the value."""
    dots = "." * (48 - len(name))
    return f"  {name} {dots} {value}"


def arguments(values: Sequence[tuple[str, str]]) -> list[str]:
    rows = [argument(name, value) for name, value in sorted(values)]
    return [ARGUMENTS_HEADER, *rows, ARGUMENTS_FOOTER]


def world_size(*, world: int, data: int, context: int, tensor: int, pipeline: int) -> str:
    return (
        f"using world size: {world}, data-parallel size: {data}, context-parallel size: {context}, "
        f"tensor-model-parallel size: {tensor}, encoder-tensor-model-parallel size: 0, "
        f"pipeline-model-parallel size: {pipeline}, encoder-pipeline-model-parallel size: 0"
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


def eval_iters(facts: Facts) -> int:
    """Batches an evaluation runs: the run's held-out set in whole global batches."""
    return max(1, round(facts.eval_samples / facts.global_batch))


def time_to_initialize(seconds: float) -> str:
    return f"time to initialize megatron (seconds): {seconds:.3f}"


def datetime_marker(what: str, moment: datetime) -> str:
    """`[after megatron is initialized] datetime: 2025-04-13 23:41:00 `, trailing space and all."""
    return f"[{what}] datetime: {moment:%Y-%m-%d %H:%M:%S} "


BUILDING_MODEL = "building GPT model ..."
DATASETS_BUILDING = "> building train, validation, and test datasets ..."
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
) -> str:
    """The iteration line; `moment` is the stamp (None for releases before core 0.8)."""
    head = f" [{moment:%Y-%m-%d %H:%M:%S}]" if moment is not None else ""
    text = f"{head} iteration {iteration:8d}/{train_iters:8d} |"
    text += f" consumed samples: {consumed_samples:12d} |"
    text += f" elapsed time per iteration (ms): {elapsed_ms:.1f} |"
    if tflops is not None:
        text += f" throughput per GPU (TFLOP/s/GPU): {tflops:.1f} |"
    text += f" learning rate: {learning_rate:.{lr_digits}E} |"
    text += f" global batch size: {global_batch:5d} |"
    text += f" lm loss: {lm_loss:.6E} |"
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


def saving(iteration: int, path: str, fmt: str = "torch_dist") -> str:
    return f"saving checkpoint at iteration {iteration:7d} to {path} in {fmt} format"


def saved(iteration: int, path: str, tensor: int, pipeline: int) -> str:
    return (
        f"  successfully saved checkpoint from iteration {iteration:7d} to {path} "
        f"[ t 1/{tensor}, p 1/{pipeline} ]"
    )


def loading(path: str, iteration: int) -> str:
    return f" loading distributed checkpoint from {path} at iteration {iteration}"


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


def command(
    *, nodes: int, master: str, port: int, max_restarts: int, args: Sequence[str]
) -> list[str]:
    return torchrun.command(
        nodes=nodes,
        master=master,
        port=port,
        max_restarts=max_restarts,
        script=["pretrain_gpt.py", *args],
    )


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
    multiple = 128 * tensor
    return (vocab + multiple - 1) // multiple * multiple


class Log:
    """Megatron-LM's output: argument table, initialisation markers, the iteration line every
    `--log-interval` iterations, validation blocks, checkpoints and timers."""

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
        self._launched_at = self._initialized_at = self._built_at = 0.0
        self.memory_reported = False
        self.save = f"/checkpoints/{facts.model_name.lower()}"
        self.base = None if facts.kind == "pretrain" else f"/checkpoints/base/{facts.model_name}"

    def _t(self, t: float) -> datetime:
        return self.facts.moment(self.clock.at(t))

    def launch_words(self) -> list[str]:
        f = self.facts
        args = [
            f"--tensor-model-parallel-size={f.tp}",
            f"--pipeline-model-parallel-size={f.pp}",
            f"--num-layers={f.layers}",
            f"--hidden-size={f.hidden}",
            f"--num-attention-heads={f.heads}",
            f"--seq-length={f.seq_len}",
            f"--micro-batch-size={f.micro_batch}",
            f"--global-batch-size={f.global_batch}",
            f"--train-iters={f.total_steps}",
            "--bf16",
            f"--log-interval={self.interval}",
            f"--save={self.save}",
            f"--load={self.save}",
        ]
        return command(nodes=f.nodes, master=f.master, port=f.port, max_restarts=3, args=args)

    def _arguments(self) -> list[tuple[str, str]]:
        f = self.facts
        flag = {True: "True", False: "False"}
        return [
            ("accumulate_allreduce_grads_in_fp32", "True"),
            ("adam_beta1", "0.9"),
            ("adam_beta2", "0.95"),
            ("adam_eps", "1e-08"),
            ("async_save", "True"),
            ("attention_dropout", "0.0"),
            ("bf16", "True"),
            ("ckpt_format", "torch_dist"),
            ("clip_grad", "1.0"),
            ("context_parallel_size", "1"),
            ("data_parallel_size", str(f.dp)),
            ("eval_interval", str(f.steps_per_epoch)),
            ("eval_iters", str(eval_iters(f))),
            ("ffn_hidden_size", str(f.ffn)),
            ("fp16", "False"),
            ("global_batch_size", str(f.global_batch)),
            ("group_query_attention", flag[f.kv_heads != f.heads]),
            ("hidden_dropout", "0.0"),
            ("hidden_size", str(f.hidden)),
            ("finetune", "False" if f.kind == "pretrain" else "True"),
            ("load", self.save),
            ("log_interval", str(self.interval)),
            ("log_throughput", "True"),
            ("lr", py_float(f.peak_lr)),
            ("pretrained_checkpoint", self.base or "None"),
            ("lr_decay_style", "cosine"),
            ("lr_warmup_iters", str(f.warmup)),
            ("max_position_embeddings", str(f.seq_len)),
            ("micro_batch_size", str(f.micro_batch)),
            ("min_lr", py_float(float(f"{f.peak_lr / 10:.3g}"))),
            ("normalization", "RMSNorm"),
            ("num_attention_heads", str(f.heads)),
            ("num_layers", str(f.layers)),
            ("num_query_groups", str(f.kv_heads)),
            ("overlap_grad_reduce", "True"),
            ("overlap_param_gather", "True"),
            ("pipeline_model_parallel_size", str(f.pp)),
            ("position_embedding_type", "rope"),
            ("recompute_granularity", "None" if f.recompute == "off" else f.recompute),
            ("save", self.save),
            ("save_interval", str(f.checkpoint_every)),
            ("seed", "1234"),
            ("seq_length", str(f.seq_len)),
            ("sequence_parallel", flag[f.tp > 1]),
            ("swiglu", "True"),
            ("tensor_model_parallel_size", str(f.tp)),
            ("tokenizer_type", "HuggingFaceTokenizer"),
            ("train_iters", str(f.total_steps)),
            ("transformer_impl", "transformer_engine"),
            ("untie_embeddings_and_output_weights", "True"),
            ("use_distributed_optimizer", "True"),  # overlap_param_gather requires it
            ("use_torch_fsdp2", "True"),
            ("weight_decay", "0.1"),
            ("world_size", str(f.gpus)),
        ]

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
        return [Line(datetime_marker("after training is done", self._t(t)))]

    def stopped(self, t: float) -> list[Out]:
        return interrupted_lines(self.facts, self.incidentals, t)

    def export_words(self, event: Exported) -> list[str]:
        return [
            "python",
            "examples/conversion/convert_checkpoints.py",
            "export",
            "--hf-model",
            self.facts.model_name,
            "--megatron-path",
            f"{self.save}/iter_{self.facts.total_steps:07d}",
            "--hf-path",
            event.path,
        ]

    def step(self, stats: StepStats) -> list[Out]:
        f = self.facts
        moment = self._t(stats.t)
        out: list[Out] = [
            Line(
                iteration(
                    moment=moment,
                    iteration=stats.step,
                    train_iters=f.total_steps,
                    consumed_samples=stats.step * f.global_batch,
                    elapsed_ms=stats.seconds * 1000,
                    learning_rate=stats.lr,
                    global_batch=f.global_batch,
                    lm_loss=stats.loss,
                    loss_scale=1.0,
                    grad_norm=stats.grad_norm,
                    skipped=0,
                    nans=0,
                    tflops=stats.tflops_per_gpu,
                )
            )
        ]
        if not self.memory_reported:
            self.memory_reported = True
            out += [Line(text) for text in self._memory_report(stats)]
        return out

    def _memory_report(self, stats: StepStats) -> list[str]:
        f = self.facts
        # As Megatron's theoretical-memory report counts them: the input embedding and the
        # (untied) output layer; the most loaded stage holds one of them, or both at PP 1.
        embedding = 2 * f.vocab * f.hidden
        block = f.params - embedding
        shard = (block / f.pp + embedding / (1 if f.pp == 1 else 2)) / f.tp
        state_mb = f.state_gib * 1024  # sharded like the plan's layout (FSDP over DP)
        peak_bytes = stats.memory_gib * 2**30
        allocated = round(state_mb * 2**20 / 512) * 512 / 2**20
        max_allocated = round(peak_bytes * 0.93 / 512) * 512 / 2**20
        reserved = float(round(peak_bytes / 2**21) * 2)
        return [
            f"Number of parameters in transformer layers in billions:  {block / 1e9:.2f}",
            f"Number of parameters in embedding layers in billions: {embedding / 1e9:.2f}",
            f"Total number of parameters in billions: {f.params / 1e9:.2f}",
            f"Number of parameters in most loaded shard in billions: {shard / 1e9:.4f}",
            theoretical_memory(state_mb),
            memory(0, stats.step, allocated, max_allocated, reserved, reserved),
        ]

    def _launched(self, event: Launched) -> list[Out]:
        f = self.facts
        self._launched_at = event.t  # each process times its own start-up
        self.incidentals = (
            self.incidentals.relaunched(f, event.attempt, same_agent=True)
            if event.attempt
            else Incidentals(f, 0)
        )
        out: list[Out] = []
        if event.attempt == 0:
            out += [Line(text) for text in banner(f, self._t(event.t), self.incidentals)]
        padded = padded_vocab_size(f.vocab, f.tp)
        text = [
            world_size(world=f.gpus, data=f.dp, context=1, tensor=f.tp, pipeline=f.pp),
            "using torch.bfloat16 for parameters ...",
            *arguments(self._arguments()),
            microbatches(f.grad_accum),
            building_tokenizer("HuggingFaceTokenizer"),
            padded_vocab(f.vocab, padded),
            "> initializing torch distributed ...",
        ]
        self.clock.at(event.t + 3.0)
        return out + [Line(line) for line in text]

    def _comm(self, event: CommReady) -> list[Out]:
        f = self.facts
        self._initialized_at = event.t
        moment = self._t(event.t)
        text = [
            *nccl_startup(f, self.incidentals),
            initialized_parallel("tensor", f.tp),
            initialized_parallel("pipeline", f.pp),
            random_seeds(1234),
            "> compiling dataset index builder ...",
            ">>> done with dataset index builder. Compilation time: 0.052 seconds",
            "> compiling and loading fused kernels ...",
            ">>> done with compiling and loading fused kernels. Compilation time: 2.311 seconds",
            time_to_initialize(event.t - self._launched_at),
            datetime_marker("after megatron is initialized", moment),
        ]
        return [Line(line) for line in text]

    def _model(self, event: ModelReady) -> list[Out]:
        f = self.facts
        self._built_at = event.t
        padded = padded_vocab_size(f.vocab, f.tp)
        embedding = padded * f.hidden // f.tp
        layer = (f.params - 2 * f.vocab * f.hidden) // f.layers // f.tp
        layers = stage_layers(f.layers, f.pp)
        text = [BUILDING_MODEL]
        # One line per (tensor, pipeline) rank of data-parallel rank 0: the first and the last
        # stage hold the embedding and the output layer.
        stages = sorted({0, f.pp - 1})
        for stage in stages:
            for rank in range(f.tp):
                ends = (stage == 0) + (stage == f.pp - 1)
                count = layer * layers[stage] + embedding * ends
                text.append(parameters(rank, stage, count))
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
        else:
            # The first launch of a fine-tune reads the released weights (--finetune: from
            # iteration 0); a restart reads the run's own latest save.
            source = self.save if self.resume_step else event.loaded_from
            text += [
                loading(source, self.resume_step),
                loaded(source, self.resume_step, f.tp, f.pp),
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
        # Megatron's own sizing: eval_iters batches at each of the eval_interval points.
        iters = eval_iters(f)
        model_ms = (self._built_at - self._initialized_at) * 1000
        data_ms = (event.t - self._built_at) * 1000
        valid = (f.total_steps // f.steps_per_epoch + 1) * iters * f.global_batch
        moment = self._t(event.t)
        text = [
            DATASETS_BUILDING,
            " > datasets target sizes (minimum size):",
            f"    train:      {train}",
            f"    validation: {valid}",
            f"    test:       {iters * f.global_batch}",
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
        f = self.facts
        self.clock.at(event.t - event.blocking)
        blocking_ms = event.blocking * 1000
        text = [
            saving(event.step, self.save),
            saved(event.step, self.save, f.tp, f.pp),
            TIMERS_HEADER,
            timer("save-checkpoint", blocking_ms * 0.98, blocking_ms),
        ]
        self.clock.at(event.t)
        return [Line(line) for line in text]

    def _validate(self, event: Evaluated) -> list[Out]:
        self.clock.at(event.t)
        evaluate_ms = event.seconds * 1000
        rows = validation(f"iteration {event.step}", event.loss, math.exp(min(20.0, event.loss)))
        head = [TIMERS_HEADER, timer("evaluate", evaluate_ms * 0.99, evaluate_ms)]
        return [Line(line) for line in [*head, *rows]]

    def _failure(self, event: Failed) -> list[Out]:
        left = MAX_RESTARTS - self.failures
        self.failures += 1
        return failure_lines(self.facts, self.incidentals, event, restarts_left=left)
