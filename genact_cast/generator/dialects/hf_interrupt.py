"""The workers' own KeyboardInterrupt tracebacks when Ctrl-C stops a Trainer fine-tune under
`accelerate launch` (transformers 4.57.1, trl 0.24.0, accelerate 1.11.0, torch 2.9.0).

accelerate runs torch's elastic `run` itself (multi_gpu_launcher), whose agent closes each
worker with SIGINT (torch 2.9.0 multiprocessing/api.py:908); accelerate's `--tee` defaults
to 0 (commands/launch.py:312), so every worker's stderr is the terminal's, untagged by a
tee. Each worker raises KeyboardInterrupt as its wait on the GPU returns, and Python prints
the traceback through the hook init_process_group installed: every line `[rankN]: ` (torch
2.9.0 distributed_c10d.py:1790-1807), as a real Trainer's Ctrl-C log shows it (find_string id
66645388482: `[rank0]: Traceback ...` through trainer.py's train and _inner_training_loop).
The node's eight blocks interleave line by line (megatron_worker_interrupt).

Where the workers wait, in the loop of a fine-tune (train.py is trl's scripts/sft.py, as the
command's flags are its own): in a micro batch's forward, at SFTTrainer.compute_loss's
entropy read, `.item()` of its gathered mean (trl 0.24.0 trainer/sft_trainer.py:1120, through
Trainer.training_step, trainer.py:4020); then, the backward queued, at the loss's NaN check,
`torch.isnan(tr_loss_step)` in a boolean context (trainer.py:2679), a third and two thirds of
the micro batch (the backward's two matmuls a forward one). Python 3.12 marks the call whose
C code returned with the interrupt, the condition's `torch.isnan(tr_loss_step)` there.
Not drawn (no frames): a pre-training script's (run_clm's shape: the user's own lines), the
start-up, evaluations and saves, as in torchtitan_interrupt.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from genact_cast.generator.dialects import hf_script
from genact_cast.generator.dialects.python_traceback import Frame, interleaved, traceback_lines
from genact_cast.generator.dialects.worker_waits import STEP, Tracker

if TYPE_CHECKING:
    from genact_cast.generator.dialects.facts import Facts

_SITE = "/usr/local/lib/python3.12/site-packages"  # the hf dialect's python:3.12 install
_TRAINER = f"{_SITE}/transformers/trainer.py"
_TOP: tuple[Frame, ...] = (
    (
        "{script}",
        hf_script.MAIN_CALL,
        "<module>",
        "main(script_args, training_args, model_args, dataset_args)",
        "",
    ),
    ("{script}", hf_script.TRAIN_CALL, "main", "trainer.train()", ""),
    (_TRAINER, 2325, "train", "return inner_training_loop(", "inner_training_loop("),
)
_FORWARD: tuple[Frame, ...] = (
    *_TOP,
    (
        _TRAINER,
        2674,
        "_inner_training_loop",
        "tr_loss_step = self.training_step(model, inputs, num_items_in_batch)",
        "self.training_step(model, inputs, num_items_in_batch)",
    ),
    (
        _TRAINER,
        4020,
        "training_step",
        "loss = self.compute_loss(model, inputs, num_items_in_batch=num_items_in_batch)",
        "self.compute_loss(model, inputs, num_items_in_batch=num_items_in_batch)",
    ),
    (
        f"{_SITE}/trl/trainer/sft_trainer.py",
        1120,
        "compute_loss",
        "entropy = self.accelerator.gather_for_metrics(entropy).mean().item()",
        "self.accelerator.gather_for_metrics(entropy).mean().item()",
    ),
)
_NAN_CHECK: tuple[Frame, ...] = (
    *_TOP,
    (
        _TRAINER,
        2679,
        "_inner_training_loop",
        "and (torch.isnan(tr_loss_step) or torch.isinf(tr_loss_step))",
        "torch.isnan(tr_loss_step)",
    ),
)
FORWARD_SHARE = 1 / 3  # of a micro batch: the forward, the backward twice its work
WORKERS = 8


def frames(f: Facts, tracker: Tracker, t: float) -> tuple[Frame, ...] | None:
    """A fine-tune's workers' frames at `t` in a step, None where none are drawn."""
    wait = tracker.where(t)
    if f.kind != "sft" or wait is None or wait.kind != STEP:
        return None
    micro = (wait.share * f.grad_accum) % 1.0  # how far into its micro batch
    return _FORWARD if micro < FORWARD_SHARE else _NAN_CHECK


def workers_interrupted(f: Facts, found: tuple[Frame, ...], seed: int) -> list[str]:
    """Node 0's eight workers' tracebacks as the terminal gets them, each tagged with its
    global rank (node 0's are 0-7)."""
    script = f"/home/{f.user}/llm-train/train.py"
    placed = [
        (
            path.format(script=script),
            hf_script.script_line(number, f.dataset) if path == "{script}" else number,
            function,
            code,
            marked,
        )
        for path, number, function, code, marked in found
    ]
    block = traceback_lines(placed, "KeyboardInterrupt")
    blocks = [[f"[rank{rank}]: {text}" for text in block] for rank in range(WORKERS)]
    return interleaved(blocks, seed)
