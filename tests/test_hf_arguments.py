"""The Trainer dialect's command holds only arguments its pinned releases accept: the script's
flags are fields of TrainingArguments (transformers 4.57.1) or TRL 0.24's SFTConfig,
ScriptArguments and ModelConfig, and the launcher's are accelerate 1.11.0's options
(tests/data/hf/arguments.tsv, extracted from those releases). TRL packs to max_length, so a
fine-tune's command sets it to the tokens a sequence holds."""

from __future__ import annotations

import re
import shlex
from pathlib import Path

import pytest

from genact_cast.errors import BadOption, SeedRefused
from genact_cast.generator import RecordOptions, make_plan, tables
from genact_cast.generator.dialects.hf import Log
from genact_cast.generator.presenters.dialect_choice import facts_for
from tests.seed_scan import runnable_from

ARGUMENTS = Path(__file__).parent / "data" / "hf" / "arguments.tsv"


def accepted(kind: str) -> set[str]:
    return {name for where, _source, name in tables.rows(ARGUMENTS) if where == kind}


def words(options: RecordOptions) -> tuple[list[str], list[str]]:
    """(launcher flags, script flags) of the typed command, their names only."""
    log = Log(facts_for(make_plan(options)), color=False, cols=100)
    typed = shlex.split(" ".join(log.launch_words()))
    script = typed.index("train.py")
    names = [w[2:].split("=")[0] for w in typed if w.startswith("--")]
    launcher = names[: sum(w.startswith("--") for w in typed[:script])]
    return launcher, names[len(launcher) :]


# Seeds whose plans put tensor parallelism in the Trainer's runs, and plain ones. (1064, a
# Qwen3-30B-A3B pre-trained flat and a Llama-3-8B fine-tune on 8, as 1002 was before its
# Mixtral-8x7B, genact's run since N7, was refused under the Trainer for want of a layout.)
# Each seed, or the next the Trainer runs (1064 and 1029 pre-train models it refuses in
# the date window planned in N10).
CASES = [
    runnable_from(seed, kind=kind, framework="hf", duration=60.0)
    for seed in (1001, 1064, 1003, 1029, 1007, 1008)
    for kind in ("pretrain", "sft")
] + [  # a 70B model, which the Trainer's runs shard with tensor parallelism
    RecordOptions(seed=seed, kind=kind, framework="hf", duration=60.0, model="Llama-3.1-70B")
    for seed, kind in ((1, "pretrain"), (2, "continue"))
]


@pytest.mark.parametrize("options", CASES, ids=lambda o: f"{o.seed}-{o.kind}")
def test_every_flag_is_one_the_pinned_releases_accept(options: RecordOptions) -> None:
    launcher, script = words(options)
    train = accepted("train")
    for name in script:
        assert name in train or (name.startswith("no_") and name[3:] in train), name
    assert set(launcher) <= accepted("launch"), launcher


def test_tensor_parallelism_is_set_through_accelerates_parallelism_config() -> None:
    tp = [o for o in CASES if facts_for(make_plan(o)).tp > 1]
    assert tp, "no case with tensor parallelism"
    for options in tp:
        launcher, _ = words(options)
        assert "parallelism_config_tp_size" in launcher


@pytest.mark.parametrize("seed", [1003, 1029, 1008])
def test_a_fine_tune_packs_to_the_sequence_length_it_trains_on(seed: int) -> None:
    options = RecordOptions(seed=seed, kind="sft", framework="hf", duration=60.0)
    facts = facts_for(make_plan(options))
    log = Log(facts, color=False, cols=100)
    typed = shlex.split(" ".join(log.launch_words()))
    assert f"--max_length={facts.seq_len}" in typed


def test_the_command_names_each_set_by_its_hub_id_and_config() -> None:
    """load_dataset takes a Hub id ("owner/name") and a config, not a display name
    (review-dialects18a W6: `--dataset_name Dolma`, `CNN-DailyMail` would fail): every
    catalogue set has both in datasets.tsv, and the command shows them, the config only
    where the set needs one other than its default (abisee/cnn_dailymail's 3.0.0)."""
    from genact_cast.generator import catalog

    for found in catalog.datasets():
        assert re.fullmatch(r"[\w.-]+/[\w.-]+", found.hub), found
    seen: dict[str, list[str]] = {}
    for seed in range(43100, 43140):
        plan = make_plan(RecordOptions(seed=seed, framework="hf"))
        log = Log(facts_for(plan), color=False, cols=100)
        typed = shlex.split(" ".join(log.launch_words()))
        shown = typed[typed.index("--dataset_name") + 1]
        card = next(d for d in catalog.datasets() if d.name == plan.dataset.name)
        assert shown == card.hub, (seed, shown)
        config = typed[typed.index("--dataset_config") + 1] if "--dataset_config" in typed else "-"
        assert config == card.hub_config, (seed, config)
        seen.setdefault(shown, []).append(config)
    assert len(seen) >= 5  # the seeds draw sets of every kind


# Hub repositories whose cards declare configs and no default one, with those configs:
# load_dataset without a name fails on them ("Config name is missing"). Cards:
# HuggingFaceTB/cosmopedia (Cosmopedia v0.1: dataset_info config_name auto_math_text,
# khanacademy, openstax, stanford, stories, web_samples_v1, web_samples_v2, wikihow) and
# HuggingFaceTB/smollm-corpus (cosmopedia-v2, fineweb-edu-dedup, python-edu; its usage:
# load_dataset("HuggingFaceTB/smollm-corpus", "cosmopedia-v2", split="train", ...)).
NO_DEFAULT_CONFIG = {
    "HuggingFaceTB/cosmopedia": {
        "auto_math_text",
        "khanacademy",
        "openstax",
        "stanford",
        "stories",
        "web_samples_v1",
        "web_samples_v2",
        "wikihow",
    },
    "HuggingFaceTB/smollm-corpus": {"cosmopedia-v2", "fineweb-edu-dedup", "python-edu"},
}


@pytest.mark.parametrize("framework", ["hf", "deepspeed"])
def test_a_set_whose_repository_has_no_default_config_is_loaded_with_one(framework: str) -> None:
    """Cosmopedia's command named `--dataset_name HuggingFaceTB/cosmopedia` alone, which
    load_dataset refuses (8 configs, none the default; dialects-x's find: seed 9 under both
    Trainer dialects); now the set is Cosmopedia v2 as SmolLM's card loads it, one config
    holding the whole set."""
    from genact_cast.generator import catalog

    for found in catalog.datasets():
        if found.hub in NO_DEFAULT_CONFIG:
            assert found.hub_config in NO_DEFAULT_CONFIG[found.hub], found
    runs = 0
    for seed in range(9, 40):
        options = RecordOptions(seed=seed, framework=framework, dataset="Cosmopedia")
        try:
            plan = make_plan(options)
        except (BadOption, SeedRefused):  # a seed whose model or date cannot take the set
            continue
        log = Log(facts_for(plan), color=False, cols=100)
        typed = shlex.split(" ".join(log.launch_words()))
        shown = typed[typed.index("--dataset_name") + 1]
        assert shown in NO_DEFAULT_CONFIG, (seed, shown)
        assert typed[typed.index("--dataset_config") + 1] in NO_DEFAULT_CONFIG[shown]
        runs += 1
        if runs == 3:
            break
    assert runs == 3
