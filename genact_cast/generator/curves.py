"""Loss, gradient norm and their noise, as functions of the step."""

import math
from typing import NamedTuple

from genact_cast.generator import physics


class Spike(NamedTuple):
    """A gradient-norm spike at `grad_step`, then a loss bump from `loss_step` on."""

    grad_step: int
    loss_step: int
    grad_factor: float
    loss_height: float
    recovery_steps: float


class LossCurve(NamedTuple):
    params: float
    tokens_per_step: float
    total_steps: int
    initial: float
    final: float | None  # where the curve ends (before epoch drops); pre-training: the law
    offset_tokens: float
    spike: Spike | None
    steps_per_epoch: int = 0
    epoch_drop: float = 0.0  # fine-tuning: each new pass over the same data starts lower

    def smooth(self, step: int) -> float:
        """The noiseless loss that optimizer step `step` (from 1) reports.

        A step reports the loss of the batch it trains on, so before its own update:
        step 1 shows the untrained model's loss.
        """
        return self.base(step - 1) + self.bump(step)

    def after(self, steps: int) -> float:
        """The noiseless loss of the model once `steps` updates are done (validation)."""
        return self.base(steps) + self.bump(steps)

    def base(self, updates: int) -> float:
        if self.final is None:
            tokens = self.offset_tokens + updates * self.tokens_per_step
            return physics.chinchilla_loss(self.params, tokens)
        decay = _fine_tune_decay(min(updates, self.total_steps), self.total_steps)
        drop = 0.0
        if self.epoch_drop:
            epochs = max(1, self.total_steps // max(1, self.steps_per_epoch))
            drop = self.epoch_drop * min(updates // self.steps_per_epoch, epochs - 1)
        return self.final + (self.initial - self.final) * decay - drop

    def bump(self, step: int) -> float:
        spike = self.spike
        if spike is None or step < spike.loss_step:
            return 0.0
        return spike.loss_height * math.exp(-(step - spike.loss_step) / spike.recovery_steps)


def _fine_tune_decay(step: int, total: int) -> float:
    """1 at step 0, 0 at the last step: fast at first, then slower (a power law)."""

    def g(s: float) -> float:
        return float((1 + 20 * s / total) ** -0.7)

    return (g(step) - g(total)) / (1 - g(total))


class GradNormCurve(NamedTuple):
    initial: float
    settled: float
    settle_steps: float
    spike: Spike | None

    def smooth(self, step: int) -> float:
        value = self.settled + (self.initial - self.settled) * math.exp(-step / self.settle_steps)
        if self.spike is not None and step == self.spike.grad_step:
            value *= self.spike.grad_factor
        return value
