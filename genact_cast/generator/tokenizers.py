"""A dataset's size in the tokens of the model that trains on it (tokenizers.tsv).

A card counts its corpus with one tokenizer; the same text is fewer tokens for a tokenizer
that packs more characters into each (Llama 3's 128K vocabulary against Llama 2's 32K), so
the run shows the set's characters divided by its own model's characters per token."""

import functools
from typing import NamedTuple

from genact_cast.generator import catalog, tables
from genact_cast.generator.catalog import Architecture, Dataset


class Tokenizer(NamedTuple):
    family: str
    models: tuple[str, ...]  # name prefixes of the architectures that use it
    chars_per_token: float


@functools.cache
def tokenizers() -> dict[str, Tokenizer]:
    return {
        r[0]: Tokenizer(r[0], tuple(p for p in r[1].split(",") if p != "-"), float(r[2]))
        for r in tables.rows(catalog.DATA / "tokenizers.tsv")
    }


def of(arch: Architecture) -> Tokenizer:
    """The tokenizer family of `arch`: its name's longest matching prefix."""
    found = [
        (len(prefix), t)
        for t in tokenizers().values()
        for prefix in t.models
        if arch.name.startswith(prefix)
    ]
    if not found:
        raise LookupError(f"tokenizers.tsv names no tokenizer for {arch.name}")
    return max(found, key=lambda pair: pair[0])[1]


def in_tokens_of(data: Dataset, arch: Architecture) -> Dataset:
    """`data` with its tokens (and a fine-tuning set's mean example length) counted by the
    tokenizer of `arch`; a set whose card names no tokenizer is shown as the card counts it."""
    if data.counted_with == "-":
        return data
    ratio = tokenizers()[data.counted_with].chars_per_token / of(arch).chars_per_token
    if data.kind == "sft":
        per_example = max(1, round(data.tokens_per_example * ratio))
        return data._replace(tokens=data.examples * per_example, tokens_per_example=per_example)
    # Whole millions: a card's count is no more precise than that.
    return data._replace(tokens=float(round(data.tokens * ratio / 1e6) * 1e6))
