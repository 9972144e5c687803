"""Loss, gradient norm and their noise, as functions of the step."""

import bisect
import functools
import math
from typing import NamedTuple

from genact_cast.generator import physics


class Spike(NamedTuple):
    """A gradient-norm spike at `grad_step`, and a loss bump from `loss_step` on (the same
    step: the bad batch's loss and gradient are high together)."""

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
    warmup: int = 0  # steps of linear LR warm-up
    # Pre-training: tokens learned from (`learned_tokens`: updates, and tokens by then).
    learned: tuple[tuple[int, ...], tuple[float, ...]] = ((), ())
    # Fine-tuning: the updates the fall from `initial` to `final` takes (one pass over the
    # data: later passes only drop at their boundaries); 0: the whole run.
    decay_steps: int = 0
    # Pre-training: the loss per token of the run's tokenizer against the law's 32k tokens
    # (physics.per_token).
    per_token: float = 1.0

    def progress(self, updates: int) -> float:
        """Updates as full-LR updates: during the warm-up a step moves the weights only
        as far as its learning rate lets it, so step 5 of a 300-step warm-up has done
        0.05 of one update, and the loss has barely left ln(vocab)."""
        warmup = self.warmup
        if updates <= warmup:
            return updates * (updates + 1) / (2 * warmup) if warmup else float(updates)
        return (warmup + 1) / 2 + updates - warmup

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
            tokens = self.offset_tokens + self.seen(updates)
            return self.per_token * physics.chinchilla_loss(self.params, tokens)
        span = self.decay_steps or self.total_steps
        done = self.progress(min(updates, span)) / self.progress(span)
        decay = _fine_tune_decay(done * span, span)
        drop = 0.0
        if self.epoch_drop:
            epochs = max(1, self.total_steps // max(1, self.steps_per_epoch))
            drop = self.epoch_drop * min(updates // self.steps_per_epoch, epochs - 1)
        return self.final + (self.initial - self.final) * decay - drop

    def seen(self, updates: int) -> float:
        """Tokens the model has learned from after `updates` (pre-training)."""
        steps, tokens = self.learned
        i = bisect.bisect_right(steps, updates) - 1
        if i + 1 >= len(steps):
            return tokens[-1] + (updates - steps[-1]) * (tokens[-1] - tokens[-2]) / (
                steps[-1] - steps[-2]
            )
        share = (updates - steps[i]) / (steps[i + 1] - steps[i])
        return tokens[i] + share * (tokens[i + 1] - tokens[i])

    def bump(self, step: int) -> float:
        spike = self.spike
        if spike is None or step < spike.loss_step:
            return 0.0
        return spike.loss_height * math.exp(-(step - spike.loss_step) / spike.recovery_steps)


# Kaplan et al. 2020: the critical batch grows as the loss falls, B_crit = B* / L^(1/α_B).
_B_STAR, _ALPHA_B = 2.1e8, 0.21
# About the batch the Chinchilla law was fitted with: a batch this large is no waste.
_B_LAW = 2e6
CLIP_NORM = 1.0  # max_norm of every recipe here (torch.nn.utils.clip_grad_norm_)


def learned_tokens(
    params: float, offset: float, batch_tokens: float, warmup: int, total: int
) -> tuple[tuple[int, ...], tuple[float, ...]]:
    """Tokens learned from by each update, as a table to interpolate.

    Early in training the critical batch is small, so a batch far above it teaches
    little more than one at it: a 16 M-token batch starts no faster than a 2 M one, and
    the loss falls over hundreds of steps rather than a handful. Later the critical
    batch outgrows the batch and every token counts. Updates during the warm-up count
    as far as their learning rate goes.
    """
    steps, tokens = [0], [0.0]
    update, seen = 0, 0.0
    while update < total:
        size = max(1, min(update // 50, total - update))
        middle = update + size / 2
        rate = min(1.0, middle / warmup) if warmup else 1.0
        loss = physics.chinchilla_loss(params, offset + seen)
        critical = _B_STAR / loss ** (1 / _ALPHA_B)
        useful = min(1.0, (critical + _B_LAW) / (critical + batch_tokens))
        seen += size * rate * useful * batch_tokens
        update += size
        steps.append(update)
        tokens.append(seen)
    return tuple(steps), tuple(tokens)


def _fine_tune_decay(step: float, total: int) -> float:
    """1 at step 0, 0 at the last step: fast at first, then slower (a power law)."""
    end = _decay_end(total)
    return (float((1 + 20 * step / total) ** -0.7) - end) / (1 - end)


@functools.lru_cache(maxsize=16)  # one run asks it at every step it draws
def _decay_end(total: int) -> float:
    """_fine_tune_decay's power law at the last step."""
    return float((1 + 20 * total / total) ** -0.7)


class GradNormCurve(NamedTuple):
    initial: float
    settled: float
    settle_steps: float
    spike: Spike | None

    def smooth(self, step: int) -> float:
        value = self.settled + (self.initial - self.settled) * math.exp(-step / self.settle_steps)
        if self.spike is not None and step == self.spike.grad_step:
            # The spike is a clipped step: its norm is over the clip however low the run's
            # settled norm is (torch's clip_grad_norm_ scales only a total norm above
            # max_norm; review-realism13 C1 saw 0.87 "above clip 1.0").
            factor = self.spike.grad_factor
            value = max(value * factor, CLIP_NORM * (1 + factor / 10))
        return value
