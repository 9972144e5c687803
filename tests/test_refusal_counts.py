"""A pinned GPU count that people run makes a run; one that is refused names the counts that
work nearest to it (review-realism7 WARN 11: `--model OLMo-2-7B --gpus 1024 --kind pretrain`
was refused with "try --gpus 8 or 16 or 32 or 64" while 512 and 2,048 made runs; issue 17:
"Every pinned model/GPU/count that people really run makes a run; a refusal names what would
work")."""

from __future__ import annotations

import re

import pytest

from genact_cast.errors import BadOption
from genact_cast.generator import RecordOptions, make_plan
from genact_cast.generator.layout import MEMORY_FLOOR
from tests.cast_text import read_run
from tests.helpers import events_of, output_of
from tests.realism import violations

MEMORY_CHECK = "memory: sum of its parts, within capacity, above the state, flat, derived"


@pytest.mark.parametrize(("gpu", "gpus"), [("H100", 1024), ("A100", 1024), ("B200", 512)])
def test_a_pinned_count_people_run_is_never_refused_for_leaving_memory_free(
    gpu: str, gpus: int
) -> None:
    """OLMo 2 7B pre-trained with a 1,024 x 4,096-token batch (allenai/OLMo configs/
    official-1124/OLMo2-7B-stage1.yaml: global_train_batch_size 1024, max_sequence_length
    4096) on up to 1,024 H100s (OLMo 2 paper, arXiv 2501.00656); Olmo Hybrid 7B on 512
    B200 (Lambda's blog). One or two sequences a GPU fill under 55 % of it: the pinned run
    takes the recipe's batch as it fits and shows the memory it uses, not a refusal."""
    pins = {"seed": 9601, "model": "OLMo-2-7B", "kind": "pretrain", "gpu": gpu}
    plan = make_plan(RecordOptions(gpus=gpus, **pins))  # type: ignore[arg-type]
    assert plan.gpus == gpus
    assert plan.layout.global_batch == 1024  # the recipe's sequences
    assert plan.static_memory_gib < plan.memory_gib < MEMORY_FLOOR * plan.gpu.memory_gib
    assert not plan.layout.checkpointing  # nothing recomputed with memory to spare


def test_the_checker_holds_drawn_clusters_to_the_memory_floor_and_not_pinned_ones() -> None:
    """The realism checker states the rule: the cast of the pinned 1,024-GPU run passes as
    pinned, and the same cast, read as a cluster the seed drew, breaks the memory floor."""
    options = {"seed": 9601, "model": "OLMo-2-7B", "kind": "pretrain", "gpu": "H100"}
    run = read_run(output_of(events_of(**options, gpus=1024, duration=30.0)))
    assert not violations(run, gpus_pinned=True)
    found = violations(run)
    assert list(found) == [MEMORY_CHECK]
    assert "% of capacity (55%-97%)" in found[MEMORY_CHECK][0]


def test_a_refused_count_names_working_counts_at_its_scale() -> None:
    """A 1B model pre-trained on 2,048 H100s would finish in hours: the refusal names the
    counts nearest to 2,048 that make a run, each of which runs, not only the smallest."""
    pins = {"seed": 9601, "model": "Llama-3.2-1B", "kind": "pretrain", "gpu": "H100"}
    with pytest.raises(BadOption) as refused:
        make_plan(RecordOptions(gpus=2048, **pins))  # type: ignore[arg-type]
    named = re.search(r"try --gpus ((?:\d+(?: or )?)+)", str(refused.value))
    assert named is not None
    counts = [int(n) for n in named[1].split(" or ")]
    for count in counts:  # each one runs
        assert make_plan(RecordOptions(gpus=count, **pins)).gpus == count  # type: ignore[arg-type]
    # never only the smallest clusters: the largest that runs, whose double does not (a 1B's
    # batch for its tokens holds no more sequences: tests/test_batch_bound.py)
    assert max(counts) >= 256
    with pytest.raises(BadOption):
        make_plan(RecordOptions(gpus=2 * max(counts), **pins))  # type: ignore[arg-type]


def test_more_gpus_than_the_recipes_sequences_take_one_sequence_each() -> None:
    """review-realism8 WARN 6: OLMo-2-7B on 2,048 GPUs ran 4,096 sequences (two a GPU, 4x
    the recipe's batch) with the recipe's 2,000 warm-up steps, 33.5 B tokens. One sequence a
    GPU is the smallest batch 2,048 ranks can run, and the warm-up is the recipe's in tokens
    (OLMo2-7B-stage1.yaml: t_warmup 8,388,608,000): 1,000 steps of 2,048 sequences."""
    plan = make_plan(RecordOptions(seed=6350, model="OLMo-2-7B", gpus=2048))
    assert (plan.layout.micro_batch, plan.layout.grad_accum) == (1, 1)
    assert plan.layout.global_batch == 2048
    assert plan.warmup_steps * plan.layout.global_batch * plan.seq_len == 8_388_608_000


@pytest.mark.parametrize(("model", "gpus"), [("Llama-3.1-8B", 512), ("Llama-3.1-70B", 64)])
def test_a_pinned_model_and_count_make_a_run_whatever_kind_the_seed_draws(
    model: str, gpus: int
) -> None:
    """review-realism17 F1: with only --model and --gpus pinned, seeds that drew a LoRA
    fine-tune no cluster that size runs (16, 24, 52 ... of 0-63) were refused: the other kinds
    of run were tried with the fine-tune's adapters. Another kind trains in full."""
    for seed in range(64):
        plan = make_plan(RecordOptions(seed=seed, model=model, gpus=gpus))
        assert plan.kind == "sft" or plan.lora is None, (seed, plan.kind, plan.lora)


@pytest.mark.parametrize(
    ("model", "gpus", "gpu"), [("Qwen3-32B", 2048, "H200"), ("OLMo-2-32B", 2048, "H200")]
)
def test_a_32b_model_on_thousands_of_large_gpus_runs_on_every_seed(
    model: str, gpus: int, gpu: str
) -> None:
    """closing-s17: `--model Qwen3-32B --gpus 2048 --gpu H200` was refused on 44 of 100 seeds:
    at the recipe's batch (2,048 x 4,096 tokens, one or two sequences a GPU) its TP 8 and TP 4
    layouts fill under 30 % of 141 GB. OLMo 2 32B trains with HSDP alone, no TP (allenai/
    OLMo-core OLMo-2-0325-32B-train.py), which fills them."""
    for seed in range(40):
        try:
            make_plan(RecordOptions(seed=seed, model=model, gpus=gpus, gpu=gpu))
        except BadOption as refusal:
            pytest.fail(f"seed {seed}: {refusal}")


def test_a_model_with_no_base_is_refused_for_the_kinds_it_can_run() -> None:
    """`--model Qwen3-32B --gpus 64 --gpu H200` was refused on every seed with "no base
    checkpoint of Qwen3-32B was released to continue", a kind nobody asked for. It makes a
    fine-tune (Tülu 3 70B's SFT ran on 64 GPUs, arXiv 2411.15124 section 4.3); where the
    framework has no SFT path the refusal is the pre-training's, naming the counts that
    work."""
    for seed in range(4):
        plan = make_plan(RecordOptions(seed=seed, model="Qwen3-32B", gpus=64, gpu="H200"))
        assert plan.kind == "sft"
        with pytest.raises(BadOption) as refused:
            make_plan(
                RecordOptions(
                    seed=seed, model="Qwen3-32B", gpus=64, gpu="H200", framework="torchtitan"
                )
            )
        assert "base checkpoint" not in str(refused.value)
        assert "try --gpus" in str(refused.value)
