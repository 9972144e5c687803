"""The catalog of models, GPUs, datasets, framework versions and themes (data files)."""

import functools
import math
import re
from datetime import date, timedelta
from typing import NamedTuple

from genact_cast.asciicast import Theme
from genact_cast.generator import tables


class Gpu(NamedTuple):
    name: str
    peak_tflops: float
    memory_mib: int
    memory_gib: float  # as monitoring tools show it (REALISM.md's table)
    power_watts: tuple[int, int]
    temperature_c: tuple[int, int]
    since: date  # in service from
    ib_gbps: tuple[float, float]  # InfiniBand achieved by one NIC (one a GPU, 8 a node)
    hbm_gbps: float = 0.0  # memory bandwidth (GB/s): what bounds a decoding step
    compute: str = ""  # CUDA compute capability ("9.0"): which torch builds carry its kernels


class Architecture(NamedTuple):
    name: str
    params: float
    layers: int
    hidden: int
    heads: int
    kv_heads: int
    vocab: int
    max_seq: int
    released_tokens: float  # tokens the released checkpoint was pre-trained on
    ffn: int = 0  # intermediate size (of one expert in a mixture of experts)
    active: float = 0.0  # parameters a token passes through (the total for dense models)
    routed: float = 0.0  # parameters in the routed experts (0 for dense models)
    experts: int = 0  # routed experts per MoE layer (0 for dense models)
    top_k: int = 0  # experts each token is sent to
    shared: int = 0  # shared experts every token passes through
    released: date = date(2023, 1, 1)  # the day the weights came out
    context: int = 0  # max_position_embeddings of the release
    head_dim: int = 128  # of each attention head (config.json's head_dim; MLA: of values)
    base: str = "-"  # the released checkpoint's repository ("post:" for post-trained only)
    qk_head_dim: int = 0  # of queries and keys, where it differs (MLA); 0: head_dim

    @property
    def base_released(self) -> bool:
        """Whether a pre-trained (base) checkpoint came out, which continued pre-training
        takes up; a post-trained one alone is fine-tuned, never continued (models.tsv)."""
        return self.base != "-" and not self.base.startswith("post:")

    @property
    def attention_flops(self) -> float:
        """Training FLOPs of attention per token and position of context: 6·L·H·(d_qk+d_v)
        (PaLM's 12·L·H·Q with queries' and values' head sizes apart, as MLA has them:
        Chowdhery et al. 2022, arXiv 2204.02311, appendix B). Heads x head size is d_model
        only for some models: Qwen3-32B 64 x 128 = 8192 against 5120 (review-realism10 N7)."""
        qk = self.qk_head_dim or self.head_dim
        return 6 * self.layers * self.heads * (qk + self.head_dim)

    @property
    def moe(self) -> bool:
        return self.experts > 0

    @property
    def active_params(self) -> float:
        """Parameters each token's FLOPs come from: all of them, unless experts are routed."""
        return self.active or self.params

    @property
    def size_label(self) -> str:
        """'8B', '70B', '30B-A3B', '8x7B': the size as the model's own name writes it."""
        found = re.search(r"\d+(?:\.\d+)?B(?:-.+)?$|\d+x\d+B$", self.name)
        if found is not None:
            return found.group(0)
        return f"{self.params / 1e9:.0f}B-A{self.active_params / 1e9:.0f}B"


class Dataset(NamedTuple):
    name: str
    tokens: float  # one epoch
    kind: str  # "pretrain", "continue" or "sft": the kind of run it is for
    task: str  # "lm", "chat", "summarization", "translation", "math"
    examples: int  # sft only
    tokens_per_example: int  # sft only
    counted_with: str = "-"  # the tokenizer family of the card's count (tokenizers.tsv)
    released: date = date(2016, 1, 1)  # the day it was first published
    validation: int = 0  # examples in the card's held-out split (0: none ships)
    hub: str = "-"  # its Hugging Face Hub id, as load_dataset takes it
    hub_config: str = "-"  # load_dataset's config name ("-": the repository's default)
    hub_splits: tuple[str, str] = ("train", "test")  # its train and held-out split names

    def out_by(self, day: date) -> bool:
        """Whether the set was published before a log dated `day`."""
        return self.released < day


class Domain(NamedTuple):
    """How a released model's loss sits on a domain corpus and falls on it (domains.tsv)."""

    domain: str  # "code", "math", "science", "textbooks"
    start: float  # the first loss as a share of the general-text loss
    fall: tuple[float, float]  # the share of the first loss given up over the run
    mmlu_1t: float = 0.0  # MMLU's move after 1T tokens of the corpus (by the square root)
    hellaswag_1t: float = 0.0  # HellaSwag's, the same way
    arc_1t: float = 0.0  # ARC-Challenge's, the same way

    def general_move(self, benchmark: str) -> float:
        """How far `benchmark` moves after 1T tokens of the corpus alone (by the square
        root of the tokens): what the corpus's mix costs general abilities."""
        moves = {"MMLU": self.mmlu_1t, "HellaSwag": self.hellaswag_1t, "ARC-c": self.arc_1t}
        return moves.get(benchmark, 0.0)


class Recipe(NamedTuple):
    """A published pre-training recipe (recipes.tsv)."""

    batch_sequences: int
    peak_lr: float
    warmup_steps: int
    z_loss: float  # the z-loss multiplier; 0 where the recipe has none


class Router(NamedTuple):
    """How a mixture of experts balances its router (routers.tsv)."""

    balance: str  # "aux_loss" (over the batch) or "seq_aux_loss" (per sequence)
    coeff: float  # the balance loss's coefficient
    bias_update: float  # auxiliary-loss-free balancing's bias update speed (0: none)
    node_limit: int = 0  # nodes one token's experts may span (0: no limit)


class Framework(NamedTuple):
    torch: str
    released: date
    cuda: str
    nccl: str
    gpus: tuple[str, ...]
    nccl_cuda: str = ""  # the CUDA NCCL was compiled with: `NCCL version 2.27.5+cuda12.9`


class Release(NamedTuple):
    """One row of the release table: a package's release and the dialects pinned to it."""

    package: str  # "torch", "torchtitan", "transformers" ...
    version: str
    released: date
    pinned_by: tuple[str, ...]


DATA = tables.GENERATOR / "data"


def _rows(name: str) -> list[list[str]]:
    return tables.rows(DATA / name)


@functools.cache
def gpus() -> tuple[Gpu, ...]:
    return tuple(
        Gpu(r[0], float(r[1]), int(r[2]), float(r[3]), (int(r[4]), int(r[5])),
            (int(r[6]), int(r[7])), date.fromisoformat(r[8]), (float(r[9]), float(r[10])),
            float(r[11]), r[12])
        for r in _rows("gpus.tsv")
    )  # fmt: skip


@functools.cache
def architectures() -> tuple[Architecture, ...]:
    return tuple(
        Architecture(
            r[0],
            float(r[1]),
            int(r[2]),
            int(r[3]),
            int(r[4]),
            int(r[5]),
            int(r[6]),
            int(r[7]),
            float(r[8]),
            int(r[9]),
            float(r[10]),
            float(r[11]),
            int(r[12]),
            int(r[13]),
            int(r[14]),
            date.fromisoformat(r[15]),
            int(r[16]),
            int(r[17]),
            r[18],
            int(r[19]),
        )
        for r in _rows("models.tsv")
    )


@functools.cache
def routers() -> dict[str, Router]:
    """The router balancing of each mixture of experts, by architecture name."""
    return {r[0]: Router(r[1], float(r[2]), float(r[3]), int(r[4])) for r in _rows("routers.tsv")}


@functools.cache
def domains() -> dict[str, Domain]:
    """The domain of each continued pre-training corpus, by dataset name."""
    return {
        r[0]: Domain(
            r[1], float(r[2]), (float(r[3]), float(r[4])), float(r[5]), float(r[6]), float(r[7])
        )
        for r in _rows("domains.tsv")
    }


class SftLoss(NamedTuple):
    """Where a fine-tune's loss starts and ends on a set, as shares of the released model's
    general-text loss (sft_losses.tsv)."""

    start: float
    end: float


@functools.cache
def sft_losses() -> dict[str, SftLoss]:
    """The start and end of each fine-tuning set's loss, by dataset name."""
    return {r[0]: SftLoss(float(r[1]), float(r[2])) for r in _rows("sft_losses.tsv")}


@functools.cache
def recipes() -> dict[str, Recipe]:
    """The published pre-training recipe of each architecture that has one."""
    return {
        r[0]: Recipe(int(r[1]), float(r[2]), int(r[3]), float(r[4])) for r in _rows("recipes.tsv")
    }


@functools.cache
def published_scores() -> dict[tuple[str, str], tuple[float, float | None]]:
    """(model, benchmark) -> (base, instruct or None): the scores its card publishes."""
    return {
        (r[0], r[1]): (float(r[2]), None if r[3] == "-" else float(r[3]))
        for r in _rows("model_scores.tsv")
    }


@functools.cache
def datasets() -> tuple[Dataset, ...]:
    rows = _rows("datasets.tsv")
    # A fine-tuning set's tokens are its examples times their mean length, exactly.
    return tuple(
        Dataset(r[0], float(r[1]) if r[2] != "sft" else int(r[4]) * int(r[5]), r[2], r[3],
                int(r[4]), int(r[5]), r[6], date.fromisoformat(r[7]), int(r[8]), r[9], r[10],
                _splits(r[11]))
        for r in rows
    )  # fmt: skip


def _splits(cell: str) -> tuple[str, str]:
    if cell == "-":
        return ("train", "test")
    train, test = cell.split(",")
    return (train, test)


@functools.cache
def frameworks() -> tuple[Framework, ...]:
    """The torch builds of the release table, each with the GPUs its kernels run on (the
    compute capabilities its wheel carries)."""
    return tuple(
        Framework(r[1], date.fromisoformat(r[2]), r[3], r[4], _running(r[6].split(",")), r[5])
        for r in _rows("frameworks.tsv")
        if r[0] == "torch"
    )


def _running(capabilities: list[str]) -> tuple[str, ...]:
    return tuple(g.name for g in gpus() if g.compute in capabilities)


@functools.cache
def releases() -> tuple[Release, ...]:
    """Every row of the release table, torch builds and framework releases alike."""
    return tuple(
        Release(r[0], r[1], date.fromisoformat(r[2]), tuple(r[7].split(",")) if r[7] != "-" else ())
        for r in _rows("frameworks.tsv")
    )


def release_floor() -> date:
    """The day after the newest release a dialect is pinned to: no run is dated before it,
    whatever its dialect, so a log never names a release that came out after it was written."""
    days = [row.released for row in releases() if row.pinned_by]
    return max(days) + timedelta(days=1) if days else date.min


def pinned(dialect: str) -> tuple[Release, ...]:
    """The rows of the release table pinned to `dialect` (none for the genact dialect)."""
    return tuple(row for row in releases() if dialect in row.pinned_by)


@functools.cache
def themes() -> dict[str, Theme]:
    return {r[0]: Theme(r[1], r[2], tuple(r[3].split(":"))) for r in _rows("themes.tsv")}


@functools.cache
def invented_models() -> tuple[str, ...]:
    return tuple(r[0] for r in _rows("invented_models.txt"))


@functools.cache
def model_suffixes(kind: str, dataset: str | None = None) -> tuple[str, ...]:
    """Suffixes of invented names for a run of `kind`; given the run's `dataset`, only those
    whose name promises no data the run does not use (a "-Math" model trains on math)."""
    return tuple(
        r[0]
        for r in _rows("model_suffixes.tsv")
        if r[1] == kind and (dataset is None or r[2] == "-" or dataset in r[2].split(","))
    )


@functools.cache
def notices() -> tuple[tuple[str, str], ...]:
    return tuple((r[0], r[1]) for r in _rows("notices.tsv"))


def find(kind: str, name: str, choices: dict[str, str]) -> str:
    """The catalog spelling of `name`, matched without regard to case, or a clear error."""
    from genact_cast.errors import BadOption

    folded = {key.casefold(): value for key, value in choices.items()}
    if name.casefold() in folded:
        return folded[name.casefold()]
    shown = name if len(name) <= 200 else name[:197] + "..."  # one line, not 100 KB
    raise BadOption(f"unknown {kind} {shown!r}; choose one of: {', '.join(choices.values())}")


class Benchmark(NamedTuple):
    name: str
    samples: int
    chance: float
    best: float
    slope: float
    centre: float
    small: float  # the best published base model up to 15B parameters
    medium: float  # the same up to 80B

    def ceiling(self, params: float) -> float:
        """No run beats the best published model of its size."""
        return self.small if params <= 15e9 else self.medium if params <= 80e9 else self.best


@functools.cache
def benchmarks() -> tuple[Benchmark, ...]:
    return tuple(
        Benchmark(r[0], int(r[1]), *(float(v) for v in r[2:8])) for r in _rows("benchmarks.tsv")
    )


@functools.cache
def benchmark_data() -> dict[tuple[str, str], float]:
    """(pre-training dataset, benchmark) -> what its tokens are worth on that benchmark, as a
    multiplier of training compute (benchmark_data.tsv: one column a benchmark, in
    benchmarks.tsv's order)."""
    names = [b.name for b in benchmarks()]
    return {
        (r[0], name): float(v)
        for r in _rows("benchmark_data.tsv")
        for name, v in zip(names, r[1:], strict=True)
    }


class Onset(NamedTuple):
    """From what size a corpus's models answer a benchmark's format (benchmark_onsets.tsv)."""

    share: float  # of the rise over chance, at `low` parameters
    low: float
    full: float  # parameters from which the whole rise shows

    def of(self, params: float) -> float:
        """The share of the rise over chance a model of `params` shows."""
        grown = math.log(params / self.low) / math.log(self.full / self.low)
        return min(1.0, max(0.0, self.share + (1 - self.share) * grown))


@functools.cache
def benchmark_onsets() -> dict[tuple[str, str], Onset]:
    """(pre-training dataset, benchmark) -> its onset, where one is published."""
    return {
        (r[0], r[1]): Onset(float(r[2]), float(r[3]), float(r[4]))
        for r in _rows("benchmark_onsets.tsv")
    }


@functools.cache
def generation_scores() -> dict[tuple[str, str], float]:
    """(dataset, metric) -> what a fine-tune of it reaches (generation_scores.tsv)."""
    return {(r[0], r[1]): float(r[2]) for r in _rows("generation_scores.tsv")}


@functools.cache
def math_sft_scores() -> dict[str, float]:
    """GSM8K a math fine-tune of each released model lands near (math_sft_scores.tsv)."""
    return {r[0]: float(r[1]) for r in _rows("math_sft_scores.tsv")}


class GenerationLengths(NamedTuple):
    """What a generation task's evaluation writes (generation_lengths.tsv)."""

    reference_tokens: int  # the references' mean length
    max_new_tokens: int  # the cap on one output


@functools.cache
def generation_lengths() -> dict[str, GenerationLengths]:
    return {r[0]: GenerationLengths(int(r[1]), int(r[2])) for r in _rows("generation_lengths.tsv")}
