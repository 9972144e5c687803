"""A pre-training run's few-shot scores follow its compute and its data, and one recipe run
twice differs only within the benchmark's standard error (review-realism9 F6)."""

import functools
import math

import pytest

from genact_cast.generator import catalog, physics
from genact_cast.generator.options import RecordOptions
from genact_cast.generator.plan import RunPlan, make_plan
from genact_cast.generator.run import Run
from tests.seed_scan import plans


def final_scores(seed: int, dataset: str | None = None) -> tuple[RunPlan, dict[str, float]]:
    plan = make_plan(RecordOptions(seed=seed, dataset=dataset))
    assert plan.kind == "pretrain", f"seed {seed} no longer pre-trains: re-pick it"
    last = plan.total_steps
    return plan, dict(Run(plan).evaluation_metrics(plan.epochs, last, plan.loss.after(last)))


def recipe(plan: RunPlan) -> tuple[str, str, int]:
    return plan.arch.name, plan.dataset.name, plan.total_tokens


@functools.cache
def recipes() -> dict[tuple[str, str, int], list[int]]:
    """The pre-training seeds of 8100-8399 by the recipe they draw: the review's seeds were
    8102-8233; found by their plans, so that a change moving the draws keeps the pairs."""
    found: dict[tuple[str, str, int], list[int]] = {}
    for seed, plan in plans(range(8100, 8400)):
        if plan.kind == "pretrain":
            found.setdefault(recipe(plan), []).append(seed)
    return found


# Pairs of seeds drawing one recipe (architecture, data, tokens): the first three.
@pytest.mark.parametrize("pair", range(3))
def test_one_recipe_scores_the_same_within_the_standard_error(pair: int) -> None:
    pairs = [seeds[:2] for seeds in recipes().values() if len(seeds) >= 2]
    seeds = pairs[pair]
    (a, first), (b, second) = (final_scores(s) for s in seeds)
    assert recipe(a) == recipe(b), f"seeds {seeds} no longer draw one recipe: re-pick them"
    for bench in catalog.benchmarks():
        p = first[bench.name]
        # Each run's seed is within one standard error of the recipe's score, and each
        # evaluation's luck within 0.3 points: two runs differ by at most their sum.
        bound = 2 * math.sqrt(p * (1 - p) / bench.samples) + 0.006 + 0.002
        assert abs(first[bench.name] - second[bench.name]) <= bound, (bench.name, first, second)


def test_educational_data_scores_higher_on_knowledge_and_not_on_hellaswag() -> None:
    """FineWeb paper (arXiv 2406.17557) and the FineWeb-Edu card: FineWeb-Edu beats FineWeb
    on MMLU and ARC, while educational filtering costs HellaSwag."""
    by_recipe: dict[tuple[str, int], dict[str, int]] = {}
    for (arch, data, tokens), seeds in recipes().items():
        if data.startswith(("FineWeb-Edu", "FineWeb/")):
            by_recipe.setdefault((arch, tokens), {})[data.split("/")[0]] = seeds[0]
    both = next(seeds for seeds in by_recipe.values() if len(seeds) == 2)
    (edu, with_edu), (web, with_web) = (
        final_scores(both["FineWeb-Edu"]),
        final_scores(both["FineWeb"]),
    )
    assert edu.dataset.name.startswith("FineWeb-Edu")
    assert web.dataset.name.startswith("FineWeb/")
    assert (edu.arch.name, edu.total_tokens) == (web.arch.name, web.total_tokens)
    assert with_edu["MMLU"] > with_web["MMLU"] + 0.03
    assert with_edu["ARC-c"] > with_web["ARC-c"] + 0.05
    assert with_edu["HellaSwag"] <= with_web["HellaSwag"]


def test_a_7b_on_a_few_hundred_billion_pile_tokens_is_near_chance_on_mmlu() -> None:
    """Pythia-6.9B, 300B Pile tokens: MMLU 25-26 %; seed 8101 showed 31.6 %. Pinned to the
    Pile on 8100 (8101 draws RedPajama-1T since its batch stays within its compute budget)."""
    plan, scores = final_scores(8100, dataset="pile-deduped")
    assert plan.dataset.name == "pile-deduped"
    assert plan.total_tokens <= 300e9
    assert scores["MMLU"] <= 0.275


@pytest.mark.parametrize(
    ("dataset", "params", "tokens", "published"),
    [
        # OLMo-7B card: 6.9B parameters, 2.46T Dolma tokens
        ("Dolma", 6.9e9, 2.46e12, {"HellaSwag": 0.764, "ARC-c": 0.485, "MMLU": 0.283}),
        # LLaMA paper (arXiv 2302.13971) Table 9: LLaMA-7B at 1T tokens, MMLU 5-shot 35.1
        ("RedPajama-1T", 6.7e9, 1.0e12, {"MMLU": 0.351}),
    ],
)
def test_a_corpus_worth_reproduces_the_published_model_it_was_read_from(
    dataset: str, params: float, tokens: float, published: dict[str, float]
) -> None:
    for bench in catalog.benchmarks():
        if bench.name not in published:
            continue
        worth = catalog.benchmark_data()[(dataset, bench.name)]
        flops = 6 * params * tokens * worth
        got = physics.benchmark_accuracy(flops, bench.chance, bench.best, bench.slope, bench.centre)
        onset = catalog.benchmark_onsets().get((dataset, bench.name))
        if onset is not None:
            got = bench.chance + (got - bench.chance) * onset.of(params)
        assert abs(got - published[bench.name]) <= 0.005, (dataset, bench.name, got)


def test_every_pretraining_corpus_has_its_worth() -> None:
    corpora = {d.name.split("/")[0] for d in catalog.datasets() if d.kind == "pretrain"}
    rows = {name for name, _ in catalog.benchmark_data()}
    assert corpora <= rows, corpora - rows


# Dolma v1 (the catalogue's row) from scratch, MMLU 5-shot at the run's end: near chance at
# 7B as OLMo-7B (28.3, 2.46T tokens: AI2's OLMo 1.7 post and the OLMo-7B card), rising with
# size as a web-only corpus's models do: Falcon-40B (RefinedWeb, 1T tokens) 56.9 (Open LLM
# Leaderboard v1), and a 70B at 2.6T tokens with Llama 2 70B's 68.9 (arXiv 2307.09288
# Table 3) at 8.4e23 FLOPs within ten points (review-realism12 N1: 0.37 at 70B).
DOLMA_MMLU = [("Qwen2.5-7B", 0.25, 0.32), ("OLMo-2-32B", 0.45, 0.65), ("Llama-3.1-70B", 0.59, 0.75)]


def test_mmlu_of_dolma_rises_with_the_models_size() -> None:
    shown = []
    for model, low, high in DOLMA_MMLU:
        plan = make_plan(RecordOptions(seed=3, model=model, dataset="Dolma", kind="pretrain"))
        last = plan.total_steps
        scores = dict(Run(plan).evaluation_metrics(plan.epochs, last, plan.loss.after(last)))
        assert low <= scores["MMLU"] <= high, (model, scores)
        shown.append(scores["MMLU"])
    assert shown == sorted(shown), shown
