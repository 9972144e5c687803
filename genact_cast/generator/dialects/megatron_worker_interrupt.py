"""The workers' own KeyboardInterrupt tracebacks when Ctrl-C stops Megatron-LM core_v0.14.0
under a lone torchrun (review-mg15 R3, second half).

torch 2.9.0 starts each worker in a session of its own (elastic/multiprocessing/
subprocess_handler/subprocess_handler.py:68 `start_new_session=True`), so the terminal's
SIGINT reaches the agent alone; it closes each worker with SIGINT (multiprocessing/api.py:908)
and waits up to 30 s for them (`_close`, api.py:903). pretrain_gpt.py installs no SIGINT
handler (`--exit-signal-handler` is for SIGTERM, and off), and the workers' stderr is the
terminal's: each raises KeyboardInterrupt and Python prints its traceback before the
process ends, as real torchrun transcripts show the workers' tracebacks after the agent's
`Sending process N closing signal SIGINT` lines (MCG-NJU/RTD-Action#31; huggingface/
lerobot#3818). Eight processes write their lines as they come: stderr is line-buffered, so
the blocks interleave line by line, as several workers' tracebacks do in a real log
(index:47311687634).

Where the workers are: in the loop, the CPU waits on the GPU at the step's reads of a GPU
value; the last of a step is the gradient norm, `total_norm.item()` (megatron/core/
optimizer/clip_grads.py:133), which waits for the whole backward: the KeyboardInterrupt is
raised as that call returns, at that line (the 3.12 eval loop checks for signals at the end
of a call). The frames from pretrain_gpt.py down are the tag's (tests/data/megatron/
worker_keyboard_interrupt.txt: CPython 3.12's own traceback module on those sources), with
`@torch.no_grad()`'s wrapper (torch 2.9.0 utils/_contextlib.py:120) over each decorated
step: ChainedOptimizer's (megatron/core/optimizer/__init__.py:738, every run but Megatron-
FSDP's) or, under Megatron-FSDP's single optimizer (:666-667), MixedPrecisionOptimizer's.

In an evaluation (training.py:2210-2235, evaluate_and_print_results) the CPU queues the eval
iterations' forward passes without a read of the GPU (no .item() until the results are
printed) and waits at the end of evaluate(), where `timers('evaluate').stop()` synchronizes
the device (training.py:2457; megatron/core/timers.py:152; torch 2.9.0 cuda/__init__.py:1083).
In initialization the long wait is _compile_dependencies' first barrier (initialize.py:221
on rank 0 after the fused kernels, :223 on the others): init_process_group had no device_id,
so that first collective brings the world communicator up inside the barrier's call
(torch 2.9.0 distributed_c10d.py:4881, under c10d_logger.py:81's wrapper), and the
KeyboardInterrupt is raised as the call returns.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from genact_cast.generator.dialects.python_traceback import interleaved, traceback_lines

if TYPE_CHECKING:
    from genact_cast.generator.dialects.facts import Facts

_TORCH = "/usr/local/lib/python3.12/dist-packages/torch"  # the NGC image's, as the dialect's

# (file, line at core_v0.14.0 / torch 2.9.0, function, the line's code, the call Python 3.12
# marks: "" where the call spans the whole line; a call over several lines is marked to the
# end of its first)
Frame = tuple[str, int, str, str, str]
_WRAPPER: Frame = (
    f"{_TORCH}/utils/_contextlib.py",
    120,
    "decorate_context",
    "return func(*args, **kwargs)",
    "func(*args, **kwargs)",
)
_TOP: tuple[Frame, ...] = (
    ("{root}/pretrain_gpt.py", 396, "<module>", "pretrain(", ""),
    (
        "{root}/megatron/training/training.py",
        710,
        "pretrain",
        "iteration, num_floating_point_operations_so_far = train(",
        "train(",
    ),
    ("{root}/megatron/training/training.py", 2122, "train", ") = train_step(", "train_step("),
    (
        "{root}/megatron/training/training.py",
        1248,
        "train_step",
        "update_successful, grad_norm, num_zeros_in_grad = optimizer.step()",
        "optimizer.step()",
    ),
    _WRAPPER,
)
_NORM: Frame = (
    "{root}/megatron/core/optimizer/clip_grads.py",
    133,
    "get_grad_norm_fp32",
    "total_norm = total_norm.item() ** (1.0 / norm_type)",
    "total_norm.item()",
)
_CHAINED: tuple[Frame, ...] = (
    *_TOP,
    (
        "{root}/megatron/core/optimizer/optimizer.py",
        1267,
        "step",
        "grad_norm = self.get_grad_norm()",
        "self.get_grad_norm()",
    ),
    _WRAPPER,
    (
        "{root}/megatron/core/optimizer/optimizer.py",
        1230,
        "get_grad_norm",
        "grad_norm = get_grad_norm_fp32(",
        "get_grad_norm_fp32(",
    ),
    _NORM,
)
_MEGATRON_FSDP: tuple[Frame, ...] = (
    *_TOP,
    (
        "{root}/megatron/core/optimizer/optimizer.py",
        564,
        "step",
        "grad_norm = self.clip_grad_norm(self.config.clip_grad)",
        "self.clip_grad_norm(self.config.clip_grad)",
    ),
    (
        "{root}/megatron/core/optimizer/optimizer.py",
        206,
        "clip_grad_norm",
        "grad_norm = get_grad_norm_fp32(",
        "get_grad_norm_fp32(",
    ),
    _NORM,
)
_MODULE: Frame = ("{root}/pretrain_gpt.py", 396, "<module>", "pretrain(", "")
_TRAIN: Frame = _TOP[1]
_EVALUATE: tuple[Frame, ...] = (
    _MODULE,
    _TRAIN,
    (
        "{root}/megatron/training/training.py",
        2222,
        "train",
        "evaluate_and_print_results(",
        "",
    ),
    (
        "{root}/megatron/training/training.py",
        2511,
        "evaluate_and_print_results",
        "total_loss_dict, collected_non_loss_data, timelimit = evaluate(",
        "evaluate(",
    ),
    ("{root}/megatron/training/training.py", 2457, "evaluate", "timers('evaluate').stop()", ""),
    ("{root}/megatron/core/timers.py", 152, "stop", "torch.cuda.synchronize()", ""),
    (
        f"{_TORCH}/cuda/__init__.py",
        1083,
        "synchronize",
        "return torch._C._cuda_synchronize()",
        "torch._C._cuda_synchronize()",
    ),
)


def _initializing(line: int) -> tuple[Frame, ...]:
    """The frames of a worker in _compile_dependencies' barrier at initialize.py `line`."""
    return (
        _MODULE,
        ("{root}/megatron/training/training.py", 573, "pretrain", "initialize_megatron(", ""),
        (
            "{root}/megatron/training/initialize.py",
            162,
            "initialize_megatron",
            "_compile_dependencies()",
            "",
        ),
        (
            "{root}/megatron/training/initialize.py",
            line,
            "_compile_dependencies",
            "torch.distributed.barrier()",
            "",
        ),
        (
            f"{_TORCH}/distributed/c10d_logger.py",
            81,
            "wrapper",
            "return func(*args, **kwargs)",
            "func(*args, **kwargs)",
        ),
        (
            f"{_TORCH}/distributed/distributed_c10d.py",
            4881,
            "barrier",
            "work = group.barrier(opts=opts)",
            "group.barrier(opts=opts)",
        ),
    )


WORKERS = 8
# Where a Ctrl-C finds the workers, as the presenter tells it (megatron.Log._where); a save's
# frames are not drawn.
STEP, EVALUATE, INITIALIZE, SAVE = "step", "evaluate", "initialize", "save"
Busy = tuple[float, float, str]  # (start, end, EVALUATE or SAVE) after a step, as presented


def in_loop(facts: Facts, step: int, resume_step: int, windows: list[Busy], t: float) -> str | None:
    """Where train()'s workers are at `t` after `step`, the last iteration logged: in its
    evaluation or save if `t` lies in its window, or if one is due there and not presented
    yet (train() evaluates before it saves, training.py:2210 and 2261), else in a step."""
    if step < 0 or step == resume_step:  # no iteration since train() began
        return STEP
    for start, end, what in windows:
        if start - 0.5 <= t < end:
            return None if what == SAVE else what
    done = {what for *_, what in windows}
    if facts.evaluates_at(step) and EVALUATE not in done:
        return EVALUATE
    if step % facts.checkpoint_every == 0 and SAVE not in done:
        return None
    return STEP


def _frames(where: str, worker: int, *, megatron_fsdp: bool) -> tuple[Frame, ...]:
    if where == EVALUATE:
        return _EVALUATE
    if where == INITIALIZE:  # rank 0 builds the fused kernels first (initialize.py:218-224)
        return _initializing(221 if worker == 0 else 223)
    return _MEGATRON_FSDP if megatron_fsdp else _CHAINED


def worker_traceback(
    user: str, *, megatron_fsdp: bool, where: str = STEP, worker: int = 0
) -> list[str]:
    """One worker's traceback, as Python 3.12 writes an uncaught KeyboardInterrupt."""
    root = f"/home/{user}/llm-train"
    frames = [
        (path.format(root=root), number, function, code, marked)
        for path, number, function, code, marked in _frames(
            where, worker, megatron_fsdp=megatron_fsdp
        )
    ]
    return traceback_lines(frames, "KeyboardInterrupt")


def workers_interrupted(
    user: str, *, megatron_fsdp: bool, seed: int, where: str = STEP
) -> list[str]:
    """The node's workers' tracebacks as the terminal gets them (python_traceback.
    interleaved: they wait on the same step, evaluation or barrier)."""
    blocks = [
        worker_traceback(user, megatron_fsdp=megatron_fsdp, where=where, worker=worker)
        for worker in range(WORKERS)
    ]
    return interleaved(blocks, seed)
