"""Python's faulthandler dump that rank 0 of a torchtitan v0.2.0 job prints when its NCCL
watchdog takes the process down (review-tt11 #4).

Why it is printed: v0.2.0 wraps Trainer.__init__ and Trainer.train in torch's `@record`
(train.py:70, :563), whose ErrorHandler.initialize() calls
`faulthandler.enable(all_threads=True)` (torch 2.9.0
distributed/elastic/multiprocessing/errors/error_handler.py:53); v0.2.0 itself never names
faulthandler. The watchdog's uncaught DistBackendError ends in std::terminate, abort() and a
SIGABRT on the watchdog's own C++ thread, which has no Python thread state: after the
`what()` block, faulthandler writes `Fatal Python error: Aborted`, a blank line, then every
Python thread, newest first, a blank line between two, none marked `Current thread` (a real
torch 2.9.0 watchdog abort on Python 3.12 prints so: tests/data/real_logs/
torch29_faulthandler_abort.txt; CPython 3.12's _Py_DumpTracebackThreads).

The threads of a v0.2.0 trainer, newest first:
- the autograd engine's device threads, one per GPU the process sees (torchrun leaves all 8
  visible), started at the first backward; each holds a Python thread state and waits in C++:
  `<no Python frame>` (real training dumps show a row of them: torchtitan#1066, VLM-R1#309);
- the checkpointer's purge thread (components/checkpoint.py:294-297, keep_latest_k 10),
  waiting in `purge_queue.get()` (:102) through Python 3.12's queue.py and threading.py;
- the main thread, blocked at the first wait on the GPU after the hung collective: the
  log's `.item()` of the step's loss (train.py:537 -> distributed/utils.py:78, :50, through
  the AsyncCollectiveTensor's dispatch) where the step logs and the collective came in its
  last micro batch, else the copy of the next micro batch to the GPU, which waits for the
  stream (batch_generator, train.py:410, under train_step's next(), :509). Below it the
  loop (:610), @record's wrapper (errors/__init__.py:357), the module (:685) and
  `python -m`'s two `<frozen runpy>` frames (88, 198: as a real torchtitan dump prints them,
  index:70824402710).

A mixture of experts under expert parallelism whose hang is a forward all-gather of FSDP's
(the embedding's or a block's) holds the main thread in the next MoE layer instead: its token
dispatch copies the all-to-all's split sizes to the host and waits for the stream
(distributed/expert_parallel.py:104), under the EP pre-hook torch's distribute_module put on
the experts, MoE.forward, the block's and the model's hooked calls and forward_backward_step
(train.py:486): expert_dispatch_frames. Under activation checkpointing or compile (their
wrappers' frames are not read here) the dump stays the next batch's.

Under pipeline parallelism rank 0 holds the first stage and, under 1F1B, not the last: a
collective of the schedule's step (FSDP's, the stages' sends and receives) holds its main
thread at the loss placeholder after the step (train.py:479); the grad norm's all-reduce
after it, at the logged loss or the next batch as above. Not drawn (torchtitan_watchdog
leaves the dump out): that of a rank 0 that dies of its own CUDA error, and that of a mixture
of experts under a pipeline (DeepSeek-V3's DualPipeV, whose rank 0 holds the last stage
too): its forward may wait on the host in a MoE layer (expert parallelism's token dispatch,
distributed/expert_parallel.py:104, a copy to the CPU; the experts' for-loop where grouped
mm is missing, models/moe/moe.py:80), through torch's module, hook and pipelining frames,
which no real torch 2.9.0 log or source read here pins.

Left out: the `Extension modules: ... (total: N)` line Python 3.12's faulthandler adds after
the threads (a blank line, then every non-stdlib extension module in sys.modules' order:
_Py_DumpExtensionModules, Python/pylifecycle.c). No real dump of a torchtitan process gives
its list (searched: the issues, code and pages corpora, session 17), and it is not guessed.
"""

from __future__ import annotations

from genact_cast.generator.rng import Rng

_PYTHON = "/usr/local/lib/python3.12"  # python.org's 3.12 (the python:3.12 image)
_SITE = f"{_PYTHON}/site-packages"
# The user's clone of the v0.2.0 tag, the command's working directory: its README installs
# from source as `git clone` and `pip install -r requirements.txt` (README.md:99-101), the
# command names the clone's `./torchtitan/models/.../train_configs/*.toml`, and `python -m`
# puts the working directory first on sys.path, so torchtitan is imported from the clone.
# Filled in per job (`checkout`); torch and the stdlib stay python:3.12's.
_TITAN = "{checkout}/torchtitan"


def checkout(user: str) -> str:
    """The clone the job runs in: the shell's ~/llm-train."""
    return f"/home/{user}/llm-train"


Frame = tuple[str, int, str]  # (file, line, function)

# A thread of threading.Thread waiting on a queue.Queue, as Python 3.12 (python:3.12's image)
# prints one (index:44742288369): Condition.wait's untimed acquire, Queue.get, the target,
# then Thread.run, _bootstrap_inner and _bootstrap.
_QUEUE_WAIT: tuple[Frame, ...] = (
    (f"{_PYTHON}/threading.py", 355, "wait"),
    (f"{_PYTHON}/queue.py", 171, "get"),
)
_THREAD_START: tuple[Frame, ...] = (
    (f"{_PYTHON}/threading.py", 1012, "run"),
    (f"{_PYTHON}/threading.py", 1075, "_bootstrap_inner"),
    (f"{_PYTHON}/threading.py", 1032, "_bootstrap"),
)
PURGE: tuple[Frame, ...] = (
    *_QUEUE_WAIT,
    (f"{_TITAN}/components/checkpoint.py", 102, "purge_thread"),
    *_THREAD_START,
)

# The main thread under the step: the training loop, @record, the module, runpy.
_LOOP: tuple[Frame, ...] = (
    (f"{_TITAN}/train.py", 610, "train"),
    (f"{_SITE}/torch/distributed/elastic/multiprocessing/errors/__init__.py", 357, "wrapper"),
    (f"{_TITAN}/train.py", 685, "<module>"),
    ("<frozen runpy>", 88, "_run_code"),
    ("<frozen runpy>", 198, "_run_module_as_main"),
)
# The next micro batch's copy to the GPU (a blocking copy waits for the stream).
NEXT_BATCH: tuple[Frame, ...] = (
    (f"{_TITAN}/train.py", 410, "batch_generator"),
    (f"{_TITAN}/train.py", 509, "train_step"),
)
# The logged step's loss, averaged over dp_cp: funcol.all_reduce's AsyncCollectiveTensor
# waits, then `.item()` copies it to the host (Tensor.__torch_function__ -> the subclass's
# __torch_dispatch__ -> OpOverload.__call__, torch 2.9.0 _tensor.py, _functional_collectives.py
# :658, _ops.py:841).
LOGGED_LOSS: tuple[Frame, ...] = (
    (f"{_SITE}/torch/_ops.py", 841, "__call__"),
    (f"{_SITE}/torch/distributed/_functional_collectives.py", 658, "__torch_dispatch__"),
    (f"{_SITE}/torch/_tensor.py", 1654, "__torch_function__"),
    (f"{_TITAN}/distributed/utils.py", 50, "_dist_reduce"),
    (f"{_TITAN}/distributed/utils.py", 78, "dist_mean"),
    (f"{_TITAN}/train.py", 537, "train_step"),
)
# Without data parallelism the loss is read on the spot (train.py:548).
LOCAL_LOSS: tuple[Frame, ...] = ((f"{_TITAN}/train.py", 548, "train_step"),)
# Under pipeline parallelism a rank without the last stage leaves the schedule's step (its
# sends, receives and FSDP collectives only queued on the streams: torch 2.9's pipelining
# waits on NCCL works on the stream, not the host) and makes its loss placeholder,
# `torch.tensor([-1.0], device=self.device)`: a copy from pageable memory that waits for the
# stream (train.py:479, in forward_backward_step, called at :510).
PLACEHOLDER_LOSS: tuple[Frame, ...] = (
    (f"{_TITAN}/train.py", 479, "forward_backward_step"),
    (f"{_TITAN}/train.py", 510, "train_step"),
)

# A hang in the forward of a mixture of experts under expert parallelism: the next MoE
# layer's token dispatch copies the all-to-all's split sizes to the host and waits for the
# stream (distributed/expert_parallel.py:104 at v0.2.0, `non_blocking=False`), in the EP
# forward pre-hook that torch 2.9.0's distribute_module registers on `moe.experts`
# (tensor/_api.py:952) and nn.Module's hooked call (module.py:1818 in `inner`, :1881,
# :1775); the experts are called from MoE.forward (models/moe/moe.py:462). A hooked module's
# forward is called at module.py:1829 in `inner`; one without hooks at :1786.
_HOOKED: tuple[Frame, ...] = (
    (f"{_SITE}/torch/nn/modules/module.py", 1829, "inner"),
    (f"{_SITE}/torch/nn/modules/module.py", 1881, "_call_impl"),
    (f"{_SITE}/torch/nn/modules/module.py", 1775, "_wrapped_call_impl"),
)
_PLAIN: tuple[Frame, ...] = (
    (f"{_SITE}/torch/nn/modules/module.py", 1786, "_call_impl"),
    (f"{_SITE}/torch/nn/modules/module.py", 1775, "_wrapped_call_impl"),
)
_DISPATCH: tuple[Frame, ...] = (
    (f"{_TITAN}/distributed/expert_parallel.py", 104, "_token_dispatch"),
    (f"{_SITE}/torch/distributed/tensor/_api.py", 952, "<lambda>"),
    (f"{_SITE}/torch/nn/modules/module.py", 1818, "inner"),
    (f"{_SITE}/torch/nn/modules/module.py", 1881, "_call_impl"),
    (f"{_SITE}/torch/nn/modules/module.py", 1775, "_wrapped_call_impl"),
    (f"{_TITAN}/models/moe/moe.py", 462, "forward"),
)
# Each family's block line calling `self.moe(` and its model's layer loop (v0.2.0
# models/<family>/model/model.py).
MOE_LINES = {"deepseek_v3": (326, 431), "llama4": (409, 560), "qwen3": (348, 491)}
# The forward's call of the model in forward_backward_step (train.py:486), outside a pipeline.
_FORWARD: tuple[Frame, ...] = (
    (f"{_TITAN}/train.py", 486, "forward_backward_step"),
    (f"{_TITAN}/train.py", 510, "train_step"),
)


def expert_dispatch_frames(family: str, *, moe_hooked: bool) -> tuple[Frame, ...]:
    """The main thread of a forward held in a MoE layer's token dispatch, without activation
    checkpointing, compile or pipeline (their wrappers' frames are not read here): the
    dispatch, the MoE module's call (hooked where tensor parallelism prepares its input and
    output), the block's forward and its call (FSDP's hooks), the layer loop and the root
    model's call (FSDP's hooks), then forward_backward_step and the loop."""
    block, loop = MOE_LINES[family]
    model = f"{_TITAN}/models/{family}/model/model.py"
    return (
        *_DISPATCH,
        *(_HOOKED if moe_hooked else _PLAIN),
        (model, block, "forward"),
        *_HOOKED,
        (model, loop, "forward"),
        *_HOOKED,
        *_FORWARD,
        *_LOOP,
    )


GPUS_SEEN = 8  # torchrun leaves every GPU of the node visible to each worker
_PAGE = 4096
_STACK = 0x80_1000  # glibc's default 8 MiB thread stack and its guard page
_DESCRIPTOR = 0x6C0  # where glibc puts a thread's descriptor (pthread_self) in its top page
# The main thread's descriptor lies in the static TLS block just below libc's mapping: a real
# torch 2.9.0 dump (index:54907917001) prints main thread 0x7f8c94bcc300 over libc frames
# that put libc at 0x7f8c94bcd000.
_MAIN_BELOW_LIBC = 0xD00


def main_frames(
    *, logs: bool, last_micro_batch: bool, dp_cp: bool, in_schedule: bool = False
) -> tuple[Frame, ...]:
    """Where the main thread waits: the loss placeholder after a pipeline schedule's step
    the hung collective was part of (`in_schedule`), else the logged step's loss where the
    step logs and nothing else of the step was left to send to the GPU, else the next micro
    batch's copy."""
    if in_schedule:
        return (*PLACEHOLDER_LOSS, *_LOOP)
    if logs and last_micro_batch:
        return (*(LOGGED_LOSS if dp_cp else LOCAL_LOSS), *_LOOP)
    return (*NEXT_BATCH, *_LOOP)


def _thread(ident: int, frames: tuple[Frame, ...], clone: str) -> list[str]:
    lines = [f"Thread 0x{ident:016x} (most recent call first):"]
    if not frames:
        return [*lines, "  <no Python frame>"]
    return lines + [
        f'  File "{path.format(checkout=clone)}", line {line} in {name}'
        for path, line, name in frames
    ]


def fault_dump(main: tuple[Frame, ...], libc: int, seed: int, user: str) -> list[str]:
    """The dump's lines, untagged: `main` the main thread's frames, `libc` where the
    process's libc lies (its trace's), `seed` a draw of the caller's for where the threads'
    stacks were mapped (top-down below the libraries and CUDA's reservations), `user` the
    owner of the clone the job runs in."""
    draw = Rng(seed)
    purge = libc - (0x10_0000_0000 + draw.integer(0, 2**24) * _PAGE)
    # started later, at the first backward, one stack below the other
    lowest = purge - (0x1_0000_0000 + draw.integer(0, 2**22) * _PAGE)
    autograd = [lowest + index * _STACK for index in range(GPUS_SEEN)]
    none: tuple[Frame, ...] = ()
    threads = [
        *((ident + _DESCRIPTOR, none) for ident in autograd),
        (purge + _DESCRIPTOR, PURGE),
        (libc - _MAIN_BELOW_LIBC, main),
    ]
    lines = ["Fatal Python error: Aborted", ""]
    for index, (ident, frames) in enumerate(threads):
        if index:
            lines.append("")
        lines += _thread(ident, frames, checkout(user))
    return lines
