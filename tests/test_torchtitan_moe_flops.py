"""torchtitan v0.2.0's MFU for a mixture of experts is its own, not the plan's.

The tag's qwen3, llama4 and deepseek_v3 args (models/*/model/args.py get_nparams_and_flops)
all call models/utils.py:394-442 (get_moe_model_nparams_and_flops): 6 x (dense - embedding
+ router + shared + routed x top_k // num_experts) + 12·l·h·q·t with q = dim // n_heads,
whatever the heads' own size (Qwen3-30B-A3B: 32 x 64, where its config.json's heads are
32 x 128). The plan counts attention as 6·L·H·(d_qk + d_v)·s with the heads' own sizes
(PaLM appendix B, arXiv 2204.02311; review-realism12 N7). So each is held to its own
formula: the logged MFU to the tag's, read off what the cast logs, and the plan's MFU to
ours, from the models' config.json figures in tests/realism.py; the two runs' token rates
are the same run's."""

from __future__ import annotations

import re
import statistics

import pytest

from genact_cast.generator import RecordOptions, catalog, generate, lineup, make_plan
from tests.helpers import output_of, plain
from tests.realism import ATTENTION_HEAD_DIMS, MODELS, MOE

# The mixtures of experts torchtitan v0.2.0 builds (qwen3's 30B-A3B, llama4's 17bx16e,
# deepseek_v3's 671B flavors).
TRAINED = [a.name for a in catalog.architectures() if a.experts and lineup.trains(a, "torchtitan")]

BUILDING = re.compile(r"Building \w+ \S+ with \w+\((?P<args>[^\r\n]*)\)")
COUNTS = re.compile(
    r"Total parameter count: dense [\d,]+, sparse [\d,]+, active (?P<active>[\d,]+)"
)
PEAK = re.compile(r"Peak FLOPS used for computing MFU: (?P<peak>[\d.e+]+)")
STEP = re.compile(r"  tps: (?P<tps>[\d,]+)  tflops: (?P<tflops>[\d,.]+)  mfu: (?P<mfu>[\d.]+)%")


def _arg(args: str, name: str) -> int:
    found = re.search(rf"\b{name}=(\d+)", args)
    assert found is not None, name
    return int(found[1])


def _number(text: str) -> float:
    return float(text.replace(",", ""))


def test_the_catalogue_has_mixtures_of_experts() -> None:
    assert len(TRAINED) >= 1


def tags_flops_per_token(out: str) -> float:
    """models/utils.py:432-442 at v0.2.0 over the args and counts the run logged: the
    embedding is `tok_embeddings` alone (the only parameter named "embedding"; the output
    is a Linear), vocab_size x dim."""
    building, counts = BUILDING.search(out), COUNTS.search(out)
    assert building is not None
    assert counts is not None
    args = building["args"]
    dim, layers, heads = _arg(args, "dim"), _arg(args, "n_layers"), _arg(args, "n_heads")
    # update_from_config sets max_seq_len to training.seq_len, the t of the formula
    seq_len, embedding = _arg(args, "max_seq_len"), _arg(args, "vocab_size") * dim
    active = _number(counts["active"])
    return 6 * (active - embedding) + 12 * layers * heads * (dim // heads) * seq_len


def our_flops_per_token(model: str, seq_len: int) -> float:
    """6 per active parameter and token (the card's active count) plus 6·L·H·(d_qk + d_v)
    a position of context, each model's config.json heads and head sizes."""
    layers, heads = MODELS[model][1], MODELS[model][3]
    qk, v = ATTENTION_HEAD_DIMS.get(model, (128, 128))
    return 6 * MOE[model][0] + 6 * layers * heads * (qk + v) * seq_len


@pytest.mark.parametrize("seed", [1, 2])
@pytest.mark.parametrize("model", TRAINED)
def test_a_mixture_of_experts_logs_the_tags_mfu_and_plans_ours(model: str, seed: int) -> None:
    options = RecordOptions(
        seed=seed, model=model, framework="torchtitan", cols=1000, duration=30.0, failures=0
    )
    plan = make_plan(options)
    out = plain(output_of(generate(options).events))
    peak = PEAK.search(out)
    assert peak is not None
    steps = list(STEP.finditer(out))
    assert len(steps) >= 3
    # The logged MFU: components/metrics.py:398-402, tps x the tag's FLOPs over the peak.
    tag = tags_flops_per_token(out)
    for step in steps:
        tps, mfu = _number(step["tps"]), float(step["mfu"])
        assert mfu <= 100.0
        # tps is logged rounded to a token: its half a token bounds the MFU's error
        assert mfu == pytest.approx(
            100 * tps * tag / float(peak["peak"]), abs=0.006 + 0.5 * mfu / tps
        )
    # The plan's MFU: its tokens/s a GPU x our FLOPs over the device's peak.
    ours = our_flops_per_token(model, plan.tokens_per_sequence)
    per_gpu = plan.tokens_per_second() / plan.gpus
    assert plan.mfu == pytest.approx(per_gpu * ours / (plan.gpu.peak_tflops * 1e12), rel=0.01)
    # One run: the steady windows log the plan's tokens a GPU a second (the first step's
    # window holds the warm-up).
    assert statistics.median(_number(s["tps"]) for s in steps[1:]) == pytest.approx(
        per_gpu, rel=0.05
    )
