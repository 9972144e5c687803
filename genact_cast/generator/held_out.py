"""The loss on a run's fixed held-out set: the loss curve after the evaluation's step, the
set's own offset, and the model's wander around the curve, which the learning rate drives.

A fixed set evaluated again moves only with the model: at the bottom of the schedule, where
the learning rate is at its floor, it follows the curve down. modded-nanogpt's GPT-2 Medium
record evaluates a fixed 10M-token validation set every 125 steps and reads 2.9201 at step
7,375 of 7,500, then 2.9166 at the end (KellerJordan/modded-nanogpt,
records/011825_GPT2Medium/241dd7a7-3d76-4dce-85a4-7df60387f32a.txt). The end-of-run
evaluation drew fresh noise of +-0.015 of its own, as if the set had changed:
review-realism12 V1 (seed 41219: 1.8997 at step 1,200,000, then 1.9225 at the end,
1,233,842, with the LR at its floor)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from genact_cast.generator.streams import EVAL

if TYPE_CHECKING:
    from genact_cast.generator.noise import Noise
    from genact_cast.generator.plan import RunPlan

# The per-evaluation draw's keys: the in-loop evaluations' (run_timeline.EVAL_IN_LOOP), so
# that one step evaluated twice reads the same; the set's offset, one draw a run.
EVALUATION_KEYS = 1 << 36
_SET = EVALUATION_KEYS - 1
# The set's documents against the training stream's (REALISM.md: validation within about
# +-0.05 of training).
SET_OFFSET = 0.015
# How far the loss on the set wanders from the curve at the peak learning rate; in
# proportion to the LR after it (the weights' noise of a step scales with its LR).
WANDER = 0.01


def loss(plan: RunPlan, noise: Noise, step: int) -> float:
    offset = noise.uniform(EVAL, _SET, -SET_OFFSET, SET_OFFSET)
    share = plan.learning_rate(step) / plan.peak_lr
    wander = noise.uniform(EVAL, EVALUATION_KEYS + 2 * step + 1, -1.0, 1.0) * WANDER * share
    return plan.loss.after(step) + offset + wander
