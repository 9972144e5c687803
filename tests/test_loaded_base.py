"""A run that starts from released weights loads that model, whatever its own name: seed
7001 continues Qwen3-8B into a model it names MegaBrain-8B-Math, and genact's log loads
/checkpoints/base/Qwen3-8B/; every framework dialect loaded a `MegaBrain-8B-Math` that the
run has yet to train (torchtitan's --checkpoint.initial_load_path, Megatron's
--pretrained-checkpoint, the Trainer's --model_name_or_path and transformers' `loading
configuration file` / `loading weights file` of it: modeling_utils.py:1169 and
configuration_utils.py:763 at 4.57.1 name the folder from_pretrained is given)."""

from __future__ import annotations

import shlex

import pytest

from genact_cast.generator import RecordOptions, make_plan
from genact_cast.generator.presenters.dialect_choice import launch_words
from tests.release_catalogue import release_lines

SEED = 7001  # continued pre-training of Qwen3-8B, named MegaBrain-8B-Math


def plan_of(framework: str):  # type: ignore[no-untyped-def]
    return make_plan(RecordOptions(seed=SEED, framework=framework, duration=60.0))


def test_the_seed_continues_a_released_model_under_a_name_of_its_own() -> None:
    plan = plan_of("genact")
    assert (plan.kind, plan.arch.name) == ("continue", "Qwen3-8B")
    assert plan.model_name != plan.arch.name
    text = "\n".join(release_lines(RecordOptions(seed=SEED)))
    assert "from /checkpoints/base/Qwen3-8B/" in text


@pytest.mark.parametrize(
    ("framework", "flag"),
    [
        ("torchtitan", "--checkpoint.initial_load_path=/checkpoints/base/Qwen3-8B"),
        ("megatron", "--pretrained-checkpoint /checkpoints/base/Qwen3-8B"),
        ("hf", "--model_name_or_path Qwen3-8B"),
        ("deepspeed", "--model_name_or_path Qwen3-8B"),
    ],
)
def test_each_dialect_loads_the_released_model(framework: str, flag: str) -> None:
    plan = plan_of(framework)
    command = shlex.join(launch_words(plan))
    assert f" {flag}" in command
    assert plan.model_name not in command.replace(plan.model_name.lower(), "")
    if framework in ("hf", "deepspeed"):
        text = "\n".join(release_lines(RecordOptions(seed=SEED, framework=framework)))
        assert "loading configuration file Qwen3-8B/config.json" in text
        assert "loading weights file Qwen3-8B/model.safetensors.index.json" in text
        assert f"loading configuration file {plan.model_name}/" not in text
