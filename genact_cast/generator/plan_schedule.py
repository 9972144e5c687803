"""The learning-rate schedule a plan draws: the peak and the warm-up steps, from the kind of
run, the method and, for a pre-training model with a published recipe, the recipe's."""

from genact_cast.generator import catalog, lora
from genact_cast.generator.catalog import Architecture
from genact_cast.generator.rng import Rng


def draw_schedule(
    shape: Rng, arch: Architecture, kind: str, method: str, total_steps: int, batch: int
) -> tuple[float, int]:
    """The peak learning rate and the warm-up steps (drawn from `shape` in this order)."""
    if kind == "sft":
        peak_lr = shape.pick((1e-5, 1.5e-5, 2e-5))
        if method != "full":  # adapters train at 1e-4 to 2e-4
            peak_lr = lora.learning_rate(arch, method)
        warmup = max(10, round(total_steps * shape.uniform(0.02, 0.05)))
    else:
        peak_lr = 3e-4 if arch.params < 30e9 else 1.5e-4 if arch.params < 200e9 else 8e-5
        recipe = catalog.recipes().get(arch.name)
        if recipe is not None:  # its published recipe (recipes.tsv: OLMo 2)
            peak_lr = recipe.peak_lr
        if kind == "continue":
            # A fraction of the recipe's peak, as a person types it: 3e-4 / 5 is `6e-05`, not
            # the quotient's double 5.9999999999999995e-05 (the value every dialect's command
            # and config shows and the framework's scheduler starts from).
            peak_lr = float(f"{peak_lr / shape.pick((2, 3, 5)):.2g}")
        warmup = min(2000, max(100, round(total_steps * shape.uniform(0.01, 0.05))))
        if recipe is not None and kind == "pretrain":
            # the recipe's warm-up is in tokens (OLMo2-7B-stage1.yaml: t_warmup 8,388,608,000,
            # 2,000 steps of its 1,024 sequences): fewer steps of a larger batch
            warmup = max(1, round(recipe.warmup_steps * recipe.batch_sequences / batch))
    warmup = min(warmup, total_steps // 4)
    return peak_lr, warmup
