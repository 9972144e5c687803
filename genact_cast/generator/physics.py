"""REALISM.md's formulas, as pure functions. All physics lives here and in `plan`."""

from __future__ import annotations

import functools
import math

GIB = 1024**3
GB = 1e9

# FSDP / ZeRO-3: bf16 weights (2) + bf16 grads (2) + fp32 master, momentum, variance (12).
TRAINING_BYTES_PER_PARAM = 16
OPTIMIZER_BYTES_PER_PARAM = 12
BF16_BYTES = 2
SAFETENSORS_SHARD_LIMIT = 5 * GB
# The run's AdamW, the same whichever framework prints it: beta2 0.95 and weight decay 0.1,
# as LLM pre-training recipes set them (allenai/OLMo OLMo2-13B-stage1.yaml: betas 0.9, 0.95,
# weight_decay 0.1; Llama 2, arXiv 2307.09288 section 2.2), where the HF Trainer's own
# defaults (0.999, 0.0) would hold if its command line did not pass them.
ADAM_BETAS = (0.9, 0.95)
WEIGHT_DECAY = 0.1
SAFE_WEIGHTS_NAME = "model.safetensors"
SAFE_WEIGHTS_INDEX_NAME = "model.safetensors.index.json"
GPUS_PER_NODE = 8
# A launch's first step (compile and warm-up) runs at this MFU, REALISM.md: 0.05-0.15.
FIRST_STEP_MFU = (0.05, 0.15)


def flops_per_token(params: float, attention: float) -> float:
    """Training FLOPs per token: 6N for the dense maths plus attention's over the positions
    each layer attends to (attention.flops_per_token: 12·L·H·Q·s where no window cuts it)."""
    return 6 * params + attention


def cluster_tokens_per_second(gpus: int, peak_tflops: float, mfu: float, fpt: float) -> float:
    return gpus * peak_tflops * 1e12 * mfu / fpt


def tflops_per_gpu(tokens_per_second: float, gpus: int, fpt: float) -> float:
    return tokens_per_second / gpus * fpt / 1e12


def static_memory_bytes(params: float, gpus: int) -> float:
    """Weights, gradients and optimizer state of one GPU under full sharding."""
    return TRAINING_BYTES_PER_PARAM * params / gpus


def ring_allreduce_seconds(ranks: int, size_bytes: float, bus_bandwidth: float) -> float:
    return 2 * (ranks - 1) / ranks * size_bytes / bus_bandwidth


def learning_rate(step: int, peak: float, warmup: int, total: int, floor: float = 0.1) -> float:
    """Linear warm-up to `peak`, then cosine decay to `floor` × peak at `total`."""
    if step < warmup:
        return peak * step / warmup
    progress = min(1.0, (step - warmup) / max(1, total - warmup))
    minimum = peak * floor
    return minimum + 0.5 * (peak - minimum) * (1 + math.cos(math.pi * progress))


def chinchilla_loss(params: float, tokens: float) -> float:
    """L(N, D) = E + A/N^α + B/D^β (Hoffmann et al. 2022)."""
    return 1.69 + 406.4 / float(params**0.34) + 410.7 / float(tokens**0.28)


def per_token(vocab: int) -> float:
    """How much more loss a token of a `vocab`-sized tokenizer carries than a token of the
    32k SentencePiece vocabulary the Chinchilla law was fitted on: the same text in fewer,
    longer tokens costs the same bits per byte (marin-community/marin#524: 1B models on
    one corpus, Llama 2's and Llama 3's tokenizers within 1.5 % of each other in Paloma
    bits per byte), so each token carries more. A 128k vocabulary packs about 15 % more
    text in a token (Meta's "up to 15% fewer tokens" for Llama 3; tokenizers.tsv measures
    17.5 %): (128,256 / 32,000)^0.1 = 1.149. docs/realism.md ("Loss per token")."""
    return float((vocab / 32_000) ** 0.1)


def chinchilla_tokens(params: float, loss: float) -> float:
    """The tokens D at which the Chinchilla law reaches `loss` for `params`."""
    excess = loss - chinchilla_floor(params)
    return float((410.7 / excess) ** (1 / 0.28))


def chinchilla_floor(params: float) -> float:
    """The loss the law approaches with unlimited data."""
    return 1.69 + 406.4 / float(params**0.34)


def safetensors_shards(
    params: float, layers: int, hidden: int, heads: int, kv_heads: int, vocab: int
) -> list[float]:
    """Shard sizes in bytes as `save_pretrained(max_shard_size="5GB")` packs them.

    Tensors are packed in order (embeddings, each block's attention and MLP
    projections, the output head); a shard is closed when the next tensor would
    take it over the limit.
    """
    return list(_packed(params, layers, hidden, heads, kv_heads, vocab))


@functools.lru_cache(maxsize=8)  # asked at every save a dialect logs: packed once a model
def _packed(
    params: float, layers: int, hidden: int, heads: int, kv_heads: int, vocab: int
) -> tuple[float, ...]:
    embedding = BF16_BYTES * vocab * hidden
    block = (BF16_BYTES * params - 2 * embedding) / layers
    kv_width = hidden * kv_heads / heads
    q_o = BF16_BYTES * hidden * hidden
    k_v = BF16_BYTES * hidden * kv_width
    mlp = (block - 2 * q_o - 2 * k_v) / 3  # gate, up and down projections
    tensors: list[float] = [embedding]
    for _ in range(layers):
        tensors += [q_o, k_v, k_v, q_o, mlp, mlp, mlp]
    tensors.append(embedding)
    shards: list[float] = [0.0]
    for size in tensors:
        if shards[-1] and shards[-1] + size > SAFETENSORS_SHARD_LIMIT:
            shards.append(0.0)
        shards[-1] += size
    return tuple(shards)


def safetensors_names(count: int) -> list[str]:
    """The files `save_pretrained` writes for `count` shards, and whether an index goes with
    them: one shard is `model.safetensors` alone (huggingface_hub 0.36.0
    serialization/_base.py:151-153, "If we only have one shard, we return it => no need to
    build the index"), more are `model-00001-of-0000N.safetensors` (:164) plus
    `model.safetensors.index.json` (transformers 4.57.1 modeling_utils.py:4104, 4179)."""
    if count == 1:
        return [SAFE_WEIGHTS_NAME]
    return [f"model-{i:05d}-of-{count:05d}.safetensors" for i in range(1, count + 1)]


# Parallelism and communication (REALISM.md, "Parallelism and communication").


def all_gather_seconds(ranks: int, size_bytes: float, bus_bandwidth: float) -> float:
    """Ring all-gather (or reduce-scatter) of `size_bytes` in all: (n−1)/n × bytes ÷ bw."""
    return (ranks - 1) / ranks * size_bytes / bus_bandwidth if ranks > 1 else 0.0


def pipeline_bubble(stages: int, microbatches: int) -> float:
    """Idle share of a 1F1B pipeline schedule: (p−1)/(m+p−1)."""
    return (stages - 1) / (microbatches + stages - 1)


# A stage's chunk times in units of its forward: backward twice the forward, of which the
# weights' half (W) can wait; DualPipe's overlapped forward-and-backward pair (F&B) takes
# its parts' compute, the all-to-all running under it.
_F, _B, _W = 1.0, 2.0, 1.0


def dualpipe_bubble(stages: int, microbatches: int) -> float:
    """Idle share of DeepSeek-V3's DualPipe schedule (arXiv 2412.19437, §3.2.1, Table 2):
    (PP/2 − 1)(F&B + B − 3W) against 1F1B's (PP − 1)(F + B), beside the m × (F + B) of
    work a step; PP 16 with 32 micro batches: 12.7 % where 1F1B idles 31.9 %."""
    idle = (stages / 2 - 1) * ((_F + _B) + _B - 3 * _W)
    return idle / (microbatches * (_F + _B) + idle)


# Bytes per token per unit of hidden size that one transformer block keeps for its
# backward pass (Korthikanti et al. 2022, "Reducing Activation Recomputation in Large
# Transformer Models", table 2). FlashAttention / SDPA never store the s x s scores, so
# the 5·a·s/h term is gone: about 34 with nothing recomputed; with sequence parallelism
# all of it is sharded over the tensor-parallel group. Selective recompute (attention and
# the cheap element-wise ops recomputed) keeps about half; full checkpointing keeps the
# block's input only (2 bytes), plus one block's full set while that block is recomputed.
KEPT_PER_TOKEN_HIDDEN = {"off": 34.0, "selective": 16.0, "full": 2.0}


def activation_bytes(
    seq: int,
    micro: int,
    hidden: int,
    heads: int,
    layers: int,
    tp: int,
    *,
    checkpointed: bool,
    selective: bool = False,
    stored: float = KEPT_PER_TOKEN_HIDDEN["off"],
) -> float:
    """Activations of `layers` transformer blocks for one micro batch, with FlashAttention
    and sequence parallelism (÷ TP): 34·s·b·h a block without recompute, 2·s·b·h with full
    checkpointing (plus the block being recomputed), in between with selective.

    `stored`: what a block keeps per token over hidden with nothing recomputed (34 for the
    dense models here; a mixture of experts' own, `moe.stored_per_token`); selective keeps
    the same share of it as of the dense 34."""
    del heads  # only the s x s scores depended on it, and FlashAttention keeps none
    mode = "full" if checkpointed else "selective" if selective else "off"
    per_block = seq * micro * hidden / tp
    share = {"off": stored, "selective": KEPT_PER_TOKEN_HIDDEN["selective"] * stored / 34.0}
    kept = share.get(mode, KEPT_PER_TOKEN_HIDDEN["full"]) * per_block * layers
    if mode != "off":  # the block whose activations are rebuilt for its backward
        kept += stored * per_block
    return kept


# Staging a shard to pinned host memory: 10-25 GB/s a GPU over PCIe (REALISM.md).
STAGING_GBPS = (10.0, 25.0)


def checkpoint_overhead_seconds(ranks: int) -> float:
    """torch.distributed.checkpoint's planning and metadata for `ranks` ranks: about a
    second, plus a few milliseconds a rank for the plans gathered to rank 0 and the files
    created (seconds for hundreds of ranks)."""
    return 1.0 + 0.004 * ranks


def logits_bytes(seq: int, micro: int, vocab: int, tp: int) -> float:
    """fp32 logits of one micro batch, sharded over the tensor-parallel group."""
    return 4.0 * seq * micro * vocab / tp


def token_accuracy(loss: float) -> float:
    """The share of label tokens predicted right (TRL's mean_token_accuracy, argmax against
    the labels) at a chat fine-tune's cross-entropy `loss`: it falls as the loss rises,
    0.71 at 1.0. One curve for every presenter of the run, so the genact log's Token Acc and
    the Trainer's eval_mean_token_accuracy of one evaluation are one number
    (review-realism7 FAIL 4)."""
    return min(0.99, max(0.01, 0.93 - 0.22 * loss))


def benchmark_accuracy(
    flops: float, chance: float, best: float, slope: float, centre: float
) -> float:
    """Few-shot accuracy as training compute grows: a logistic in log10(FLOPs)."""
    x = slope * (math.log10(max(flops, 1.0)) - centre)
    return chance + (best - chance) / (1.0 + math.exp(-x))
