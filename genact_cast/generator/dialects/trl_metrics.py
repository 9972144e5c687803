"""trl 0.24.0's SFTTrainer metrics as it logs them: Python means of float32 values.

SFTTrainer.compute_loss appends one `.item()` of a float32 tensor a call (the entropy,
sft_trainer.py:1120-1121; the token accuracy, :1173-1174): one call a micro batch while
training (logging_steps x gradient_accumulation_steps calls between two logs) and one an
eval batch. SFTTrainer.log averages them in Python, `sum(val) / len(val)` (:1189), so the
logged value is a double mean of float32 values, not itself a float32 value (a real log:
huggingface/trl#3926, `'entropy': 1.9093962386250496`).
"""

from __future__ import annotations

from genact_cast.generator.rng import Rng

# How far one micro batch's value strays from the window's level: packed batches of
# different documents (a few per cent in entropy; accuracy moves with it).
_ENTROPY_SPREAD = 0.04
_ACCURACY_SPREAD = 0.02


def window_mean(level: float, calls: int, *, spread: float, key: int, ceiling: float) -> float:
    """The logged mean of `calls` float32 values around `level` (each within about `spread`
    of it, at most `ceiling`), summed in order as Python's sum() does, then divided by the
    count. The strays are centred, so the mean is the run's level (the number the other
    dialects print) to float32 precision, with the double's own last digits."""
    rng = Rng(key)
    strays = [spread * (2.0 * rng.random() - 1.0) for _ in range(max(1, calls))]
    centre = sum(strays) / len(strays)
    # An array of C floats rounds each double as a float32 tensor's `.item()` does
    # (common.float32, the same C cast), in one call where a Trainer line has dozens of them;
    # imported here, as only the SFT Trainer's lines need it (an extension module to load).
    from array import array

    values = array(
        "f", [min(ceiling, max(0.0, level * (1.0 + stray - centre))) for stray in strays]
    )
    return sum(values) / len(values)


def sft_means(entropy: float, accuracy: float, calls: int, key: int) -> tuple[float, float]:
    """(entropy, mean_token_accuracy) as SFTTrainer.log prints them after `calls` calls of
    compute_loss whose values lie around `entropy` and `accuracy`."""
    return (
        window_mean(entropy, calls, spread=_ENTROPY_SPREAD, key=key, ceiling=float("inf")),
        window_mean(accuracy, calls, spread=_ACCURACY_SPREAD, key=key + 1, ceiling=1.0),
    )
