"""What Megatron-LM core_v0.14.0 prints when it evaluates: validation inside the loop every
--eval-interval iterations (evaluate_and_print_results with verbose=False), and after
training the validation and test splits with verbose=True. Apart from the presenter because
both follow evaluate()'s own order of rerun-mode lines, timer and validation block.
"""

from __future__ import annotations

import math

from genact_cast.generator.dialects import megatron_args as margs
from genact_cast.generator.dialects.common import float32
from genact_cast.generator.dialects.facts import Facts
from genact_cast.generator.dialects.megatron_lines import (
    RERUN_SET_MODE,
    TIMERS_HEADER,
    evaluating_iter,
    evaluating_on,
    timer,
    validation,
)
from genact_cast.generator.dialects.megatron_tee import Tee
from genact_cast.generator.events import Evaluated
from genact_cast.generator.rng import Rng


def held_out(loss: float, draw: Rng) -> float:
    """evaluate()'s loss: the float32 quotient of the summed token losses over their count
    (training.py:2453-2455 at the tag), whose `.item()` evaluate_and_print_results prints
    `{:.6E}` and takes the PPL of (:2526-2528). The run gives its held-out loss to 4
    places; the mean has digits below those."""
    return float32(loss + (draw.random() - 0.5) * 1e-4)


def validation_rows(label: str, loss: float) -> list[str]:
    return validation(label, loss, math.exp(min(20.0, loss)))


def loop_validation(facts: Facts, event: Evaluated, tee: Tee) -> list[str]:
    """One validation inside the loop: its timer, then the validation block (the last
    rank's, print_rank_last), as the console shows them (`tee`)."""
    evaluate_ms = event.seconds * 1000
    # Keyed on the step as the Trainer's eval_loss is (hf.py): one run, one mean.
    loss = held_out(event.loss, Rng(facts.seed * 31 + event.step))
    rows = validation_rows(f"iteration {event.step}", loss)
    # evaluate() disables the rerun state machine at its start and sets the loop's mode
    # back twice after its timer (training.py:2338, 2460, 2462), each logged on rank 0.
    return [
        *tee.rank0([RERUN_SET_MODE]),
        *tee.last([TIMERS_HEADER, timer("evaluate", evaluate_ms * 0.99, evaluate_ms)]),
        *tee.rank0([RERUN_SET_MODE, RERUN_SET_MODE]),
        *tee.last(rows),
    ]


def final_evaluations(facts: Facts, evaluation: Evaluated, tee: Tee) -> list[str]:
    """pretrain()'s validation and test after training, with verbose=True: each iteration
    counted (print_rank_0), then the timer and the block (the last rank's), as the
    console shows them (`tee`)."""
    f = facts
    out: list[str] = []
    iters = margs.eval_iters(f)
    # The finished model's held-out loss on the validation split's next eval_iters
    # batches (its iterator goes on from the loop's evaluations) and on the test
    # split: other batches than the loop's last evaluation, other losses and times.
    draw = Rng(f.seed * 31 + 7)
    for split in ("validation", "test"):
        loss = held_out(evaluation.loss + draw.uniform(-0.01, 0.01), draw)
        evaluate_ms = evaluation.seconds * 1000 * draw.uniform(0.96, 1.04)
        out += tee.rank0(
            [
                RERUN_SET_MODE,
                evaluating_on(iters * f.global_batch),
                *(evaluating_iter(index, iters) for index in range(1, iters + 1)),
            ]
        )
        low = evaluate_ms * draw.uniform(0.97, 0.995)
        out += tee.last([TIMERS_HEADER, timer("evaluate", low, evaluate_ms)])
        out += tee.rank0([RERUN_SET_MODE, RERUN_SET_MODE])
        label = f"iteration {f.total_steps} on {split} set"
        out += tee.last(validation_rows(label, loss))
    return out
