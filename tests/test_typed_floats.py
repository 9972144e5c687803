"""Floats a person types (a launch command's flags, a config file) are written as a person
writes them, the shortest text of the value meant (`6e-05`), never a quotient's double
(`5.9999999999999995e-05`, review-mg7 fault 7); and the framework's own echo of the value is
that text as it parses it (DeepSpeed's config dump, v0.17.5 runtime/config.py:958)."""

from __future__ import annotations

import re

import pytest

from genact_cast.generator import RecordOptions, make_plan
from genact_cast.generator.dialects import deepspeed_config as dsc
from genact_cast.generator.dialects.rank_logs import RANK_LOG_NODES
from genact_cast.generator.presenters.dialect_choice import DIALECTS, dialect_for, facts_for
from tests.release_catalogue import release_lines
from tests.seed_scan import seed_where

FLOAT = re.compile(r"(?<![\w.:-])-?(?:\d+\.\d+(?:e[+-]?\d+)?|\d+e[+-]?\d+)(?![\w.:])")
# Continued pre-training seeds every dialect trains (review-mg7's 9534-9537 before the same
# seed was the same run: 9534, 9536 and 9537 draw OLMo 2 or Gemma 3, which torchtitan refuses)
SEEDS = (10001, 9535, 10004, 10008)


def typed_by_hand(text: str) -> bool:
    """Whether a typed number has the few significant digits a person writes."""
    digits = text.lstrip("-").split("e")[0].replace(".", "").lstrip("0")
    return len(digits) <= 4


def floats(values: object) -> list[str]:
    if isinstance(values, dict):
        return [text for value in values.values() for text in floats(value)]
    if isinstance(values, list):
        return [text for value in values for text in floats(value)]
    if isinstance(values, float):
        return [repr(values)]
    return []


@pytest.mark.parametrize("framework", DIALECTS)
@pytest.mark.parametrize("seed", SEEDS)
def test_every_float_of_a_command_and_its_config_is_typed_as_a_person_types_it(
    framework: str, seed: int
) -> None:
    plan = make_plan(RecordOptions(seed=seed, framework=framework, kind="continue"))
    words = dialect_for(plan).launch_words()
    typed = [found for word in words for found in FLOAT.findall(word)]
    if framework == "deepspeed":
        typed += floats(dsc.ds_config(facts_for(plan)))
    assert all(typed_by_hand(text) for text in typed), typed
    if framework in ("hf", "deepspeed"):
        (lr,) = [w.split("=", 1)[1] for w in words if w.startswith("--learning_rate=")]
        assert lr == repr(plan.peak_lr)


def test_deepspeed_echoes_the_typed_learning_rate() -> None:
    # 3e-4 / 5 for continued pre-training: typed `6e-05`, which the Trainer passes to the
    # config's "auto" and DeepSpeed prints back as Python prints the float.
    # (10035 outside N10's planned date window: the first such run of 10035-10234)
    pins = {"framework": "deepspeed", "kind": "continue", "failures": 1}
    # (on up to 8 nodes, whose engine's lines reach the terminal: rank_logs)
    seed = seed_where(
        lambda plan: repr(plan.peak_lr) == "6e-05" and plan.nodes <= RANK_LOG_NODES,
        range(10035, 10235),
        **pins,
    )
    options = RecordOptions(seed=seed, framework="deepspeed", kind="continue", failures=1)
    text = release_lines(options)
    (typed,) = {m[1] for line in text for m in re.finditer(r"'--learning_rate=([^']+)'", line)}
    assert typed == "6e-05"
    echoed = {
        m[1] for line in text if (m := re.search(r"optimizer_params .* \{'lr': ([^,]+),", line))
    }
    assert echoed == {typed}
    dumped = {m[1] for line in text if (m := re.search(r'^(?:\S+: )? *"lr": ([^,\s]+),', line))}
    assert dumped == {typed}
