"""How many seconds of cast each phase gets: the seed's pacing, or `--duration` shared out."""

import math
from typing import NamedTuple

from genact_cast.generator.rng import Rng

# Typing a command takes as long as it takes; at most this share of a short cast.
LAUNCH_SHARE_LIMIT = 0.2


class PhaseBudget(NamedTuple):
    """Seconds of cast (at speed 1) per phase, in the order the phases run."""

    launch: float
    initialization: float
    epochs: tuple[float, ...]
    validations: tuple[float, ...]
    checkpoints: tuple[float, ...]
    export: float
    summary: float

    @property
    def total(self) -> float:
        return (
            self.launch
            + self.initialization
            + math.fsum(self.epochs)
            + math.fsum(self.validations)
            + math.fsum(self.checkpoints)
            + self.export
            + self.summary
        )


def plan_budget(rng: Rng, epochs: int, duration: float | None) -> PhaseBudget:
    """The seed notes' phase durations; with `duration`, scaled to add up to it exactly."""
    launch = rng.uniform(4.0, 7.0)
    initialization = rng.uniform(3.0, 8.0)
    validations = [rng.uniform(5.0, 10.0) for _ in range(epochs)]
    checkpoints = [rng.uniform(2.0, 5.0) for _ in range(epochs)]
    export = rng.uniform(5.0, 15.0)
    summary = rng.uniform(2.0, 4.0)
    others = initialization + math.fsum(validations) + math.fsum(checkpoints) + export + summary
    # Training takes 60-80 % of the run, per the seed notes.
    share = rng.uniform(0.6, 0.8)
    # Short runs (one epoch) still train for a minute and a half or more.
    training = max(others * share / (1 - share), rng.uniform(90.0, 130.0))
    epoch_times = [training * w for w in rng.weights(epochs, spread=0.15)]

    if duration is not None:
        launch = min(launch, LAUNCH_SHARE_LIMIT * duration)
        scale = (duration - launch) / (others + training)
        # A shorter cast shortens every phase alike. A longer one gives its time to training,
        # which shows more steps at the same cadence (pacing.TICK_SECONDS), and keeps the
        # other phases at the seed's pace: a phase prints as many lines whatever its share,
        # so stretched 20-fold its pauses became still screens (review-realism20 WARN 12: a
        # one-hour cast held 77-91 s before step 1, 20-31 s between redraws of a validation
        # bar whose own line said 3.9 s, 48-66 s after the summary).
        kept = min(1.0, scale)
        initialization *= kept
        validations = [v * kept for v in validations]
        checkpoints = [c * kept for c in checkpoints]
        export *= kept
        summary *= kept
        stretch = scale if kept == scale else (duration - launch - others) / training
        epoch_times = [e * stretch for e in epoch_times]
    return PhaseBudget(
        launch=launch,
        initialization=initialization,
        epochs=tuple(epoch_times),
        validations=tuple(validations),
        checkpoints=tuple(checkpoints),
        export=export,
        summary=summary,
    )
