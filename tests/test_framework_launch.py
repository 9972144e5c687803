"""The launch command of a framework dialect is typed as one line: the terminal wraps it at
its last column, as it wraps any typing, and no break of the typist's falls between a flag and
its value wherever the width happens to put it (issue 18)."""

from __future__ import annotations

import pytest

from genact_cast.generator import RecordOptions, generate, make_plan
from genact_cast.generator.presenters.dialect_choice import launch_words
from tests.helpers import output_of, plain


@pytest.mark.parametrize("cols", [80, 160])
@pytest.mark.parametrize("framework", ["megatron", "deepspeed"])
def test_the_command_is_typed_as_one_line(framework: str, cols: int) -> None:
    options = RecordOptions(
        seed=1000, framework=framework, kind="pretrain", cols=cols, color=False, duration=30.0
    )
    plan = make_plan(options)
    text = plain(output_of(generate(options).events))
    prompt = f"{plan.user}@{plan.host(0)}:"
    start = text.index(prompt)
    typed = text[start : text.index("\r\n", start)]
    command = " ".join(launch_words(plan))
    assert len(command) > cols  # long enough that a fold would have shown
    assert typed.endswith(command)
    assert "\\" not in typed.removesuffix(command)[len(prompt) :]
