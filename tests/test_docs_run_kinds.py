"""docs/run.md's table of kinds says what the planner draws: the passes over the data
(review-realism17 W3: the page promised fine-tunes of 2-5 epochs while every cast made 1-3)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from genact_cast.generator.plan_candidates import EPOCHS

RUN_MD = Path(__file__).resolve().parent.parent / "docs" / "run.md"


def _kind_rows() -> dict[str, str]:
    rows = {}
    for line in RUN_MD.read_text(encoding="utf-8").splitlines():
        found = re.match(r"\| `(\w+)`: ", line)
        if found:
            rows[found.group(1)] = line
    return rows


@pytest.mark.parametrize("kind", sorted(EPOCHS))
def test_the_page_names_the_epochs_each_kind_draws(kind: str) -> None:
    row = _kind_rows()[kind]
    found = re.search(r"(\d+)(?:-(\d+))? epochs?\b", row)
    assert found is not None, f"docs/run.md's {kind} row names no epochs"
    low = int(found.group(1))
    high = int(found.group(2) or low)
    assert (low, high) == EPOCHS[kind]
