"""How torchtitan v0.2.0 splits a model's parameters: one transformer block's FSDP2 shard
per all-gather or reduce-scatter (the watchdog's NumelIn/NumelOut), and the safetensors
files convert_to_hf.py writes for an export (as many as the Hub repo's index names,
presenters/frameworks/torchtitan/hf_shards.tsv)."""

from __future__ import annotations

import functools
from pathlib import Path

from genact_cast.generator.dialects import torchtitan_deepseek as deepseek
from genact_cast.generator.dialects import torchtitan_llama4 as llama4
from genact_cast.generator.dialects.facts import Facts
from genact_cast.generator.dialects.torchtitan_release import QWEN3_HEAD_DIM, family


def fsdp_numels(facts: Facts, op: str) -> tuple[int, int] | None:
    """(NumelIn, NumelOut) of one transformer block's FSDP2 all-gather or reduce-scatter
    over the dp_shard group: each parameter of this TP rank's block (colwise wq/wk/wv/w1/w3
    split in dim 0, rowwise wo/w2 in dim 1, the norms whole) padded in dim 0 to a multiple
    of the group (fully_shard's Shard(0)); under expert parallelism the experts are a
    FSDP unit of their own (parallelize.py's apply_fsdp), so the block's collective holds
    attention, norms and router. None for any other collective."""
    n = facts.dp // facts.replicas
    if op not in ("_ALLGATHER_BASE", "_REDUCE_SCATTER_BASE") or n < 2:
        return None
    dim, tp = facts.hidden, facts.tp
    if family(facts) in (llama4.FAMILY, deepseek.FAMILY):
        shapes = (
            llama4.block_shapes(facts)
            if family(facts) == llama4.FAMILY
            else deepseek.block_shapes(facts)
        )
        if facts.ep <= 1:
            shapes.append((facts.experts, 3 * facts.expert_ffn * dim))
        shard = sum(-(-rows // n) * rest for rows, rest in shapes)
        return (shard, shard * n) if op == "_ALLGATHER_BASE" else (shard * n, shard)
    qwen3 = family(facts) == "qwen3"
    head_dim = QWEN3_HEAD_DIM if qwen3 else dim // facts.heads
    q, kv = facts.heads * head_dim // tp, facts.kv_heads * head_dim // tp
    shapes = [(q, dim), (kv, dim), (kv, dim), (dim, q), (dim, 1), (dim, 1)]
    if qwen3:
        shapes += [(head_dim, 1), (head_dim, 1)]  # q_norm, k_norm
    if facts.experts:
        shapes.append((facts.experts, dim))  # the router's gate
        if facts.ep <= 1:
            shapes += [(facts.experts, 3 * facts.expert_ffn * dim)]
    else:
        ffn = facts.ffn // tp
        shapes += [(ffn, dim), (ffn, dim), (dim, ffn)]
    shard = sum(-(-rows // n) * rest for rows, rest in shapes)
    return (shard, shard * n) if op == "_ALLGATHER_BASE" else (shard * n, shard)


SHARDS_TABLE = (
    Path(__file__).parents[1] / "presenters" / "frameworks" / "torchtitan" / "hf_shards.tsv"
)


@functools.cache
def _hf_shard_rows() -> dict[str, tuple[int, float | None]]:
    rows = (line.split("\t") for line in SHARDS_TABLE.read_text().splitlines())
    return {
        row[0]: (int(row[1]), float(row[2]) if len(row) > 2 and row[2] else None)
        for row in rows
        if row[0] and not row[0].startswith("#")
    }


def hf_shard_counts() -> dict[str, int]:
    return {repo: count for repo, (count, _) in _hf_shard_rows().items()}


def hub_limit(repo: str) -> float | None:
    """The max_shard_size the repo's files were packed at, where it is not save_pretrained's
    5 GB default (Qwen's 4 GB)."""
    row = _hf_shard_rows().get(repo)
    return row[1] if row else None


def qwen3_tensors(facts: Facts) -> list[int]:
    """Qwen3's tensors, by element count, in the order transformers 4.57.1 registers them,
    as save_pretrained packs them (Qwen3ForCausalLM: model.embed_tokens; each decoder
    layer's self_attn q_proj, k_proj, v_proj, o_proj (head_dim 128), q_norm, k_norm, then
    its mlp: gate_proj, up_proj, down_proj, or Qwen3-MoE's router gate and each expert's
    three; input_layernorm, post_attention_layernorm; model.norm; an untied lm_head)."""
    dim, head = facts.hidden, QWEN3_HEAD_DIM
    layer = [dim * head * facts.heads, *(2 * [dim * head * facts.kv_heads])]
    layer += [dim * head * facts.heads, head, head]
    if facts.experts:
        layer += [dim * facts.experts, *(3 * facts.experts * [dim * facts.expert_ffn])]
    else:
        layer += 3 * [dim * facts.ffn]
    layer += [dim, dim]
    embedding = facts.vocab * dim
    return [embedding, *(facts.layers * layer), dim, embedding]


def packed(tensors: list[int], limit: float, width: int = 2) -> list[int]:
    """Elements a file, as save_pretrained packs tensors of `width` bytes in order: a file
    is closed when the next tensor would take it past `limit` bytes."""
    files: list[int] = []
    current = 0
    for size in tensors:
        if current and (current + size) * width > limit:
            files.append(current)
            current = 0
        current += size
    return [*files, current]


def export_shards(facts: Facts, repo: str, bf16_shards: list[float], params: int) -> list[float]:
    """The float32 files convert_to_hf.py writes: as many as the repo's index names (the
    plan's 5 GB packing where the table has no entry), holding the model torchtitan built
    (`params`, its `Model ... size:` line: Llama 4's text model alone, without the vision
    tower the Hub checkpoint also holds) at four bytes a parameter (export_dtype float32).
    Each file holds the tensors the index maps to it: Qwen3's, packed at the repo's 4 GB in
    the model's order; the others', the plan's 5 GB packing's where it makes the index's
    count of files; else (Llama 4, DeepSeek-V3) full files of one size and a last one half
    that, as a greedy packing ends."""
    total = 4 * params
    count = hf_shard_counts().get(repo)
    limit = hub_limit(repo)
    if limit is not None and family(facts) == "qwen3":
        files = packed(qwen3_tensors(facts), limit)
        if len(files) == count and sum(files) == params:
            return [4.0 * elements for elements in files]
    if count is None or count == len(bf16_shards):
        # The Hub's files are save_pretrained's 5 GB packing of the tensors in the model's
        # order (Llama-3.1-8B's index: 4.977/5.000/4.916/1.168 GB in bf16, review-tt16 T9a),
        # which the plan's packing reproduces: each file holds the same tensors in float32.
        scale = total / sum(bf16_shards)
        return [scale * size for size in bf16_shards]
    full = total / (count - 0.5)
    return [*(full for _ in range(count - 1)), total - full * (count - 1)]
