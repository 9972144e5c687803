"""Seeds near a refused one that the chosen framework does run, for the refusal's one line.

A seed whose model or kind a framework's pinned release does not train draws one it does
(plan_config), so what is left to refuse is a seed whose run the framework's terminal would
not show as asked (errors.SeedRefused: `--nccl-debug on` under srun or pdsh past 8 nodes).
The refusal then names the nearest seeds, with the same options, that it runs: planning one
costs about 2 ms, and the search is bounded, so a refusal stays quick.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from genact_cast.errors import BadOption

if TYPE_CHECKING:
    from genact_cast.generator import RecordOptions

# How far either side of the refused seed to look, and how many seeds to name.
SEARCH = 60
NAMED = 2
_LARGEST_SEED = 2**32 - 1


def nearest_runs(options: RecordOptions) -> list[str]:
    """`--seed N trains MODEL with FRAMEWORK (KIND)` for the nearest seeds (closest first,
    the lower one first at equal distance) whose run `options` otherwise plans; fewer (or
    none, for a kind the framework never runs) when none lies within SEARCH."""
    from genact_cast.generator import make_plan

    seed = options.seed
    found: list[str] = []
    for distance in range(1, SEARCH + 1):
        for near in (seed - distance, seed + distance):
            if not 0 <= near <= _LARGEST_SEED:
                continue
            try:
                plan = make_plan(options._replace(seed=near))
            except BadOption:
                continue
            found.append(
                f"--seed {near} trains {plan.arch.name} with {options.framework} "
                f"({plan.kind_label})"
            )
            if len(found) == NAMED:
                return found
    return found
