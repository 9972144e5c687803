"""The run's loss and gradient-norm curves, from the model, data and tokens seen."""

import math

from genact_cast.generator import catalog, moe, physics
from genact_cast.generator.catalog import Architecture
from genact_cast.generator.curves import GradNormCurve, LossCurve, Spike, learned_tokens
from genact_cast.generator.rng import Rng

# The share of full fine-tuning's epoch-boundary drop and held-out rise an adapter shows.
LORA_MEMORISES = 0.4


def draw_curves(
    rng: Rng,
    arch: Architecture,
    kind: str,
    tokens_per_step: int,
    total_steps: int,
    epochs: int,
    warmup: int,
    task: str = "lm",
    corpus: str = "",
    method: str = "full",
) -> tuple[LossCurve, GradNormCurve, float]:
    params = moe.effective_params(arch)  # a mixture of experts learns like a mid-size model
    steps_per_epoch = total_steps // epochs
    drop = 0.0
    if kind == "sft":
        # The released model on this set (sft_losses.tsv): its general-text loss by the law,
        # scaled to where the set starts and where one pass over it ends. The draw is the
        # run's sample of the set (±0.5 %), not the recipe: two runs of one model on one set
        # start and end within hundredths (review-realism10 N12); two sets, two losses
        # (review-realism11 S1). The clamp keeps shown losses in 0.6-1.3 at the end (with
        # the held-out gap) for the largest tokenizers and the hardest sets.
        shares = catalog.sft_losses()[corpus]
        general = _general_loss(arch, params)
        end = general * shares.end * rng.uniform(0.995, 1.005)
        end = min(1.2, max(0.72, end))
        # Each new pass over the same examples starts lower, by more than the noise
        # (±3.5σ) could hide.
        drop = rng.uniform(0.1, 0.16)
        # Room for the epochs' drops and a little decay: templated solutions (math) are
        # more predictable: they start lower, clear of 1.2 by the step noise.
        # REALISM.md: a fine-tune starts at 1.2-2.0; a mixture of experts' general loss
        # (its mid-size law) times MetaMathQA's 0.60 gave Mixtral-8x7B 1.16: kept at 1.25,
        # clear of 1.2 by the step noise.
        start = max(1.25, general * shares.start * rng.uniform(0.995, 1.005))
        initial = min(1.4, start) if task == "math" else start
        # The first pass ends at `end` however many passes follow (the published runs of
        # one recipe for 1, 2 and 3 epochs end epoch 1 alike: sft_losses.tsv); each later
        # pass drops the training loss below it by what was memorised, kept above 0.65.
        if epochs > 1:
            drop = min(drop, (end - 0.65) / (epochs - 1))
        # A pass over examples seen once drops the loss by what the model memorised of
        # them, a high-rank change a rank-16 adapter (0.3-1 % of the weights) mostly cannot
        # make: LoRA learns and memorises less than full fine-tuning (Biderman et al. 2024,
        # "LoRA Learns Less and Forgets Less", arXiv 2405.09673). Its drop is a share of
        # full fine-tuning's (LORA_MEMORISES, a judgement: docs/realism.md).
        if method != "full":
            drop *= LORA_MEMORISES
        final: float | None = end
        offset = 0.0
        noise = rng.uniform(0.008, 0.014)
    elif kind == "continue":
        # The released model's loss on general text by the law for its size and tokens, per
        # token of its own tokenizer (a larger vocabulary packs more text into a token);
        # then where its domain sits against that (domains.tsv: code about half of it,
        # mathematics two thirds, papers nine tenths), and the domain's fall over the run.
        # The draw (the run's sample of the corpus) moves the start by ±0.5 %, less than the
        # law's step from one size to the next: a larger model never starts above a smaller
        # one of its family on the same corpus.
        general = _general_loss(arch, params)
        domain = catalog.domains()[corpus]
        initial = general * domain.start * rng.uniform(0.995, 1.005)
        final = initial * (1 - rng.uniform(*domain.fall))
        offset = 0.0
        noise = rng.uniform(0.006, 0.009)  # within ±0.01-0.03 (Irwin-Hall: ±3.5σ)
    else:
        # The law in its own 32k tokens, scaled to the run's tokenizer (physics.per_token):
        # the start is ln(vocab) whatever the law says, so the tokens it stands for are
        # found in the law's units. Two runs of one size and compute then differ in loss by
        # their tokenizers while their benchmarks (which count questions, not tokens) do
        # not: the held-out loss is no fixed function of HellaSwag across models.
        initial = math.log(arch.vocab) + rng.uniform(0.0, 0.5)
        final = None
        offset = physics.chinchilla_tokens(params, initial / physics.per_token(arch.vocab))
        noise = rng.uniform(0.006, 0.009)
    spike = None
    if rng.chance(spike_chance(kind, method, params, total_steps)):
        grad_step = rng.integer(total_steps // 5, total_steps * 4 // 5)
        if kind == "sft" and steps_per_epoch >= 8:
            # Mid-epoch: a bump just after a boundary would hide the new pass's drop.
            into = grad_step % steps_per_epoch
            middle = steps_per_epoch // 2
            grad_step += steps_per_epoch // 4 + into % middle - into
        spike = Spike(
            grad_step=grad_step,
            # The bad batch's own loss is high at the step its gradient is: clipped at 1.0,
            # the update after it is an ordinary Adam step (review-realism11 L1).
            loss_step=grad_step,
            grad_factor=rng.uniform(6.0, 20.0),
            loss_height=rng.uniform(0.15, 0.5) * (0.5 if kind != "pretrain" else 1.0),
            # Real spikes settle within tens to hundreds of steps (or the run rolls back),
            # whatever the run's length: never a permanently higher loss.
            recovery_steps=min(rng.uniform(15.0, 120.0), max(3.0, total_steps / 20)),
        )
    learned = (
        learned_tokens(params, offset, tokens_per_step, warmup, total_steps)
        if final is None
        else ((), ())
    )
    loss = LossCurve(
        params, tokens_per_step, total_steps, initial, final, offset, spike,
        steps_per_epoch, drop, warmup, learned,
        steps_per_epoch if kind == "sft" else 0,
        physics.per_token(arch.vocab),
    )  # fmt: skip
    # Shown with ±28 % noise at most: 5-50 when pre-training starts, 1-5 for fine-tunes.
    start_norm = rng.uniform(8.0, 38.0) if kind == "pretrain" else rng.uniform(1.5, 3.8)
    grad = GradNormCurve(
        initial=start_norm,
        settled=min(rng.uniform(0.15, 0.6), start_norm * 0.5),
        settle_steps=min(rng.uniform(15.0, 60.0), total_steps / 12),
        spike=spike,
    )
    return loss, grad, noise


def _general_loss(arch: Architecture, params: float) -> float:
    """The released model's loss on general text: the law for its size and tokens, per
    token of its own tokenizer (a larger vocabulary packs more text into a token)."""
    general = physics.chinchilla_loss(params, arch.released_tokens)
    return general * physics.per_token(arch.vocab)


def spike_chance(kind: str, method: str, params: float, total_steps: int) -> float:
    """The chance that a run shows a loss spike (docs/realism.md, "Loss spikes").

    Spikes belong to long, large pre-training: PaLM 540B saw about 20 in a run of about
    255k steps despite clipping (arXiv 2204.02311 sec. 5.1), OPT-175B's logbook many more;
    smaller models and 2024-25 recipes (QK-norm, z-loss: OLMo 2, arXiv 2501.00656, its
    stability section) far fewer. Pre-training gets up to 0.4, by its length (the full
    chance at 200k steps) and size (full at 70B, by the square root below); continued
    pre-training, whose re-warmed rate meets a released model, half that; a fine-tune of
    hours at 1e-5 about never (1 in 50 full fine-tunes), an adapter over frozen weights
    never. A judgement from these sources: none tabulates a rate by size."""
    if total_steps < 50:
        return 0.0
    if kind == "sft":
        return 0.02 if method == "full" and total_steps >= 1000 else 0.0
    chance = 0.4 * min(1.0, total_steps / 200_000) * min(1.0, math.sqrt(params / 70e9))
    return chance if kind == "pretrain" else chance / 2
