"""Rank 0's own KeyboardInterrupt traceback when Ctrl-C stops a torchtitan v0.2.0 job
(review-dialects18a finding 2, second half).

torch 2.9.0 starts each worker in a session of its own (elastic/multiprocessing/
subprocess_handler/subprocess_handler.py:68), so the terminal's SIGINT reaches torchrun
alone; its agent closes every worker with SIGINT (multiprocessing/api.py:908). A worker
raises KeyboardInterrupt as the wait it is in returns; train.py's `except Exception`
(:686) lets it through, @record's wrapper re-raises it, and Python prints the traceback
through the hook init_process_group installed (torch 2.9.0 distributed_c10d.py:1790-1807:
every line `[rank0]: `), which torchrun's `--local-ranks-filter 0 --role rank --tee 3`
(run_train.sh) tags again: `[rank0]:[rank0]: Traceback ...`. A real torchtitan Ctrl-C log
(find_string id 58082006748, torchtitan and torch newer than the pin, Python 3.12) shows
each rank's block in that shape between the agent's closing signals and its own
SignalException, the main thread waiting in `next(data_iterator)` at batch_generator's copy
of the batch to the GPU.

Where rank 0 waits (the frames are the tag's and torch 2.9.0's lines, held by tests/data/
torchtitan/v0.2.0_hang_frames.tsv; torchtitan_faulthandler gives the same waits of a hung
step):
- in Trainer.__init__, set_determinism's broadcast of the seed (distributed/utils.py:130):
  init_process_group had no device_id (utils.py:283-286), so this first collective brings
  the world's communicator up inside the call (distributed_c10d.py:2835), from the mesh's
  lines until the communicator is up;
- in a step: the next batch's copy to the GPU, which waits for the stream; the logged loss's
  `.item()` in a logging step's last micro batch; the loss placeholder under a pipeline whose
  last stage rank 0 does not hold (torchtitan_faulthandler.main_frames);
- in a validation: each batch's copy to the GPU (components/validate.py:110, under
  @torch.no_grad()), or under such a pipeline its placeholder (:152).
Not drawn (None): the imports before the mesh, the model's build and the checkpoint's load
(Python work or torch.distributed.checkpoint's reads, whose frames no source read here
pins), a save, a mixture of experts under a pipeline (torchtitan_faulthandler), and after
the loop.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from genact_cast.generator.dialects.python_traceback import Frame, traceback_lines
from genact_cast.generator.dialects.torchtitan_faulthandler import _SITE, _TITAN, checkout
from genact_cast.generator.dialects.torchtitan_lines import GC_INITIAL, gc
from genact_cast.generator.dialects.torchtitan_pipeline import has_last_stage
from genact_cast.generator.dialects.worker_waits import EVALUATE, STEP, Tracker

if TYPE_CHECKING:
    from genact_cast.generator.dialects.facts import Facts

TAG = "[rank0]:[rank0]: "  # the tee's tag, then the excepthook's

_TRAIN = f"{_TITAN}/train.py"
_RECORD: Frame = (
    f"{_SITE}/torch/distributed/elastic/multiprocessing/errors/__init__.py",
    357,
    "wrapper",
    "return f(*args, **kwargs)",
    "f(*args, **kwargs)",
)
_RUNPY: tuple[Frame, ...] = (
    ("<frozen runpy>", 198, "_run_module_as_main", "", ""),
    ("<frozen runpy>", 88, "_run_code", "", ""),
)
_LOOP: tuple[Frame, ...] = (
    *_RUNPY,
    (_TRAIN, 685, "<module>", "trainer.train()", ""),
    _RECORD,
)
_STEP: Frame = (_TRAIN, 610, "train", "self.train_step(data_iterator)", "")
_NEXT_BATCH: tuple[Frame, ...] = (
    (
        _TRAIN,
        509,
        "train_step",
        "input_dict, labels = next(data_iterator)",
        "next(data_iterator)",
    ),
    (_TRAIN, 410, "batch_generator", "input_dict[k] = v.to(device_type)", "v.to(device_type)"),
)
_LOGGED_LOSS: tuple[Frame, ...] = (
    (
        _TRAIN,
        537,
        "train_step",
        'dist_utils.dist_mean(loss, parallel_dims.world_mesh["dp_cp"], ft_pg),',
        'dist_utils.dist_mean(loss, parallel_dims.world_mesh["dp_cp"], ft_pg)',
    ),
    (f"{_TITAN}/distributed/utils.py", 78, "dist_mean", "return _dist_reduce(", "_dist_reduce("),
    (
        f"{_TITAN}/distributed/utils.py",
        50,
        "_dist_reduce",
        "return funcol.all_reduce(x, reduceOp=reduceOp, group=mesh).item()",
        "funcol.all_reduce(x, reduceOp=reduceOp, group=mesh).item()",
    ),
    (
        f"{_SITE}/torch/_tensor.py",
        1654,
        "__torch_function__",
        "ret = func(*args, **kwargs)",
        "func(*args, **kwargs)",
    ),
    (
        f"{_SITE}/torch/distributed/_functional_collectives.py",
        658,
        "__torch_dispatch__",
        "out = func(*unwrapped_args, **unwrapped_kwargs)",
        "func(*unwrapped_args, **unwrapped_kwargs)",
    ),
    (
        f"{_SITE}/torch/_ops.py",
        841,
        "__call__",
        "return self._op(*args, **kwargs)",
        "self._op(*args, **kwargs)",
    ),
)
_LOCAL_LOSS: tuple[Frame, ...] = (
    (
        _TRAIN,
        548,
        "train_step",
        "global_avg_loss = global_max_loss = loss.detach().item()",
        "loss.detach().item()",
    ),
)
# train_step's call of the forward and backward (train.py:510), under every wait inside them.
_FORWARD_BACKWARD: Frame = (
    _TRAIN,
    510,
    "train_step",
    "loss = self.forward_backward_step(input_dict, labels)",
    "self.forward_backward_step(input_dict, labels)",
)
_PLACEHOLDER: tuple[Frame, ...] = (
    _FORWARD_BACKWARD,
    (
        _TRAIN,
        479,
        "forward_backward_step",
        "else torch.tensor([-1.0], device=self.device)",
        "torch.tensor([-1.0], device=self.device)",
    ),
)
_VALIDATE: tuple[Frame, ...] = (
    (
        _TRAIN,
        625,
        "train",
        "self.validator.validate(self.model_parts, self.step)",
        "",
    ),
    (
        f"{_SITE}/torch/utils/_contextlib.py",
        120,
        "decorate_context",
        "return func(*args, **kwargs)",
        "func(*args, **kwargs)",
    ),
)
_VALIDATE_COPY: Frame = (
    f"{_TITAN}/components/validate.py",
    110,
    "validate",
    "input_dict[k] = v.to(device_type)",
    "v.to(device_type)",
)
_VALIDATE_PLACEHOLDER: Frame = (
    f"{_TITAN}/components/validate.py",
    152,
    "validate",
    "else torch.tensor([-1.0], device=device_type)",
    "torch.tensor([-1.0], device=device_type)",
)
_INITIALIZE: tuple[Frame, ...] = (
    *_RUNPY,
    (_TRAIN, 673, "<module>", "trainer = Trainer(config)", "Trainer(config)"),
    _RECORD,
    (_TRAIN, 118, "__init__", "dist_utils.set_determinism(", "dist_utils.set_determinism("),
    (
        f"{_TITAN}/distributed/utils.py",
        130,
        "set_determinism",
        "torch.distributed.broadcast(seed_tensor, src=0)",
        "",
    ),
    (
        f"{_SITE}/torch/distributed/c10d_logger.py",
        81,
        "wrapper",
        "return func(*args, **kwargs)",
        "func(*args, **kwargs)",
    ),
    (
        f"{_SITE}/torch/distributed/distributed_c10d.py",
        2835,
        "broadcast",
        "work = group.broadcast([tensor], opts)",
        "group.broadcast([tensor], opts)",
    ),
)


_MESH = re.compile(r" - root - INFO - Building \d-D device mesh with ")
_GC_INITIAL = gc(GC_INITIAL, 0.0)


def initializing(shown: str) -> bool:
    """Whether the last line the terminal shows is one of rank 0's between the mesh and the
    seed's broadcast: the mesh's, the initial collection's (train.py:102-115), or NCCL's
    set-up of the world's communicator inside the broadcast (NCCL_DEBUG=INFO)."""
    return bool(_MESH.search(shown)) or shown.endswith(_GC_INITIAL) or " NCCL INFO " in shown


def drawn(f: Facts) -> bool:
    """Whether rank 0's waits in the loop have frames here: not for a mixture of experts
    under a pipeline, whose forward may wait in its MoE layers (torchtitan_faulthandler)."""
    return not (f.pp > 1 and (f.experts > 0 or f.dualpipe))


def _placeholder(f: Facts) -> bool:
    """Rank 0 under a pipeline whose last stage it does not hold: it waits at the loss
    placeholder after the schedule (train.py:479, validate.py:152)."""
    return f.pp > 1 and not has_last_stage(f)


# The forward's share of a micro batch's time: 2 of the 6 FLOPs a parameter a token
# (Kaplan et al. 2020 §2.1: forward 2N, backward twice the forward).
FORWARD_SHARE = 1 / 3
_MODULE = f"{_SITE}/torch/nn/modules/module.py"
_WRAPPED: Frame = (
    _MODULE,
    1775,
    "_wrapped_call_impl",
    "return self._call_impl(*args, **kwargs)",
    "self._call_impl(*args, **kwargs)",
)
_HOOKED: tuple[Frame, ...] = (
    _WRAPPED,
    (_MODULE, 1881, "_call_impl", "return inner()", "inner()"),
    (
        _MODULE,
        1829,
        "inner",
        "result = forward_call(*args, **kwargs)",
        "forward_call(*args, **kwargs)",
    ),
)
_PLAIN: tuple[Frame, ...] = (
    _WRAPPED,
    (
        _MODULE,
        1786,
        "_call_impl",
        "return forward_call(*args, **kwargs)",
        "forward_call(*args, **kwargs)",
    ),
)
# torchtitan_faulthandler.expert_dispatch_frames' waits, outermost first, as a traceback shows
# them. Python 3.12 puts a method call over several lines at its attribute's line
# (compile.c's update_start_location_to_match_attr) and marks from the attribute's name.
_DISPATCH: tuple[Frame, ...] = (
    (
        f"{_TITAN}/models/moe/moe.py",
        462,
        "forward",
        "routed_output = self.experts(routed_input, num_tokens_per_expert)",
        "self.experts(routed_input, num_tokens_per_expert)",
    ),
    _WRAPPED,
    (_MODULE, 1881, "_call_impl", "return inner()", "inner()"),
    (_MODULE, 1818, "inner", "args_result = hook(self, args)", "hook(self, args)"),
    (
        f"{_SITE}/torch/distributed/tensor/_api.py",
        952,
        "<lambda>",
        "lambda mod, inputs: input_fn(mod, inputs, device_mesh)",
        "input_fn(mod, inputs, device_mesh)",
    ),
    (
        f"{_TITAN}/distributed/expert_parallel.py",
        104,
        "_token_dispatch",
        '.to(torch.device("cpu"), non_blocking=False)',
        'to(torch.device("cpu"), non_blocking=False)',
    ),
)
_BLOCK_CODE = {
    "deepseek_v3": ("x = x + self.moe(self.ffn_norm(x))", "self.moe(self.ffn_norm(x))"),
    "llama4": ("out = h + self.moe(self.ffn_norm(h))", "self.moe(self.ffn_norm(h))"),
    "qwen3": ("x = x + self.moe(self.ffn_norm(x))", "self.moe(self.ffn_norm(x))"),
}
_LOOP_CODE = {
    "deepseek_v3": "h = layer(h, self.freqs_cis, attention_masks)",
    "llama4": "h = layer(h, self.freqs_cis, attention_masks)",
    "qwen3": "h = layer(h, self.rope_cache, attention_masks)",
}


def moe_forward(f: Facts, share: float) -> str | None:
    """The train spec of a mixture of experts under expert parallelism without a pipeline,
    `share` of whose step falls in a micro batch's forward, which waits in its MoE layers'
    token dispatch; None otherwise."""
    from genact_cast.generator.dialects.torchtitan_release import family

    name = family(f)
    if not f.experts or f.ep < 2 or f.pp > 1 or name not in _BLOCK_CODE:
        return None
    if f.recompute != "off":
        # Activation checkpointing's wrappers (checkpoint_wrapper, torch.utils.checkpoint)
        # are not read here: its traceback stays the next batch's, as before the dispatch
        # was drawn (none at all lost rank 0's KeyboardInterrupt, review-dialects20a FAIL).
        return None
    return name if (share * f.grad_accum) % 1 < FORWARD_SHARE else None


def dispatch_frames(f: Facts, name: str) -> tuple[Frame, ...]:
    """A forward held in a MoE layer's token dispatch (torchtitan_faulthandler's
    expert_dispatch_frames), from the step's call of forward_backward_step."""
    from genact_cast.generator.dialects.torchtitan_faulthandler import MOE_LINES

    block, loop = MOE_LINES[name]
    model = f"{_TITAN}/models/{name}/model/model.py"
    code, marked = _BLOCK_CODE[name]
    layer = _LOOP_CODE[name]
    return (
        _FORWARD_BACKWARD,
        (
            _TRAIN,
            486,
            "forward_backward_step",
            "pred = model_parts[0](inputs, **extra_inputs, **extra_kwargs)",
            "model_parts[0](inputs, **extra_inputs, **extra_kwargs)",
        ),
        *_HOOKED,
        (model, loop, "forward", layer, layer.removeprefix("h = ")),
        *_HOOKED,
        (model, block, "forward", code, marked),
        *(_HOOKED if f.tp > 1 else _PLAIN),
        *_DISPATCH,
    )


def step_frames(f: Facts, step: int, share: float, interval: int) -> tuple[Frame, ...]:
    """Rank 0 in `step`, `share` of its time gone: the loss placeholder under a pipeline
    without the last stage; a mixture of experts' forward under expert parallelism in its
    MoE layers' token dispatch, which waits for the stream each layer (the first third of
    each micro batch); the logged loss in a logging step's last micro batch (the loss is
    read after the whole step was queued, train.py:531-548); else the next batch's copy."""
    if _placeholder(f):
        return (*_LOOP, _STEP, *_PLACEHOLDER)
    name = moe_forward(f, share)
    if name is not None:
        return (*_LOOP, _STEP, *dispatch_frames(f, name))
    logs = step == 1 or step % interval == 0
    if logs and share >= (f.grad_accum - 1) / f.grad_accum:
        return (*_LOOP, _STEP, *(_LOGGED_LOSS if f.dp > 1 else _LOCAL_LOSS))
    return (*_LOOP, _STEP, *_NEXT_BATCH)


def validate_frames(f: Facts) -> tuple[Frame, ...]:
    last = _VALIDATE_PLACEHOLDER if _placeholder(f) else _VALIDATE_COPY
    return (*_LOOP, *_VALIDATE, last)


def worker_lines(frames: tuple[Frame, ...], user: str) -> list[str]:
    """Rank 0's traceback as the terminal shows it, each line tagged twice; torchtitan's
    files in the clone the job runs in (torchtitan_faulthandler.checkout)."""
    clone = checkout(user)
    placed = [
        (path.format(checkout=clone), number, function, code, marked)
        for path, number, function, code, marked in frames
    ]
    return [TAG + text for text in traceback_lines(placed, "KeyboardInterrupt")]


def frames(
    f: Facts, tracker: Tracker, t: float, interval: int, shown: str
) -> tuple[Frame, ...] | None:
    """Rank 0's frames at `t`, `shown` the last line the terminal shows, None where none are
    drawn. Before the loop the start-up's events are presented ahead of their lines (a phase
    at once): the line shown says where rank 0 is."""
    wait = tracker.where(t)
    if wait is None:  # before the loop, or after it or a failure (no start-up wait then)
        starting = tracker.starting or (tracker.looping and t < tracker.loop_from)
        return _INITIALIZE if starting and initializing(shown) else None
    if not drawn(f):
        return None
    if wait.kind == EVALUATE:
        return validate_frames(f)
    if wait.kind != STEP:
        return None  # a save
    return step_frames(f, wait.step, wait.share, interval)
