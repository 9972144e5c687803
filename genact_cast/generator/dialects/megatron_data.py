"""What Megatron-LM core_v0.14.0 logs at INFO while pretrain_gpt.py builds its datasets from
one `--data-path` prefix and `--split`: the split matrix (blended_megatron_dataset_config.py),
the builder's sizes and config (blended_megatron_dataset_builder.py:58), the index reader
(indexed_dataset.py:239-314) and each split's document, sample and shuffle indices
(gpt_dataset.py): built and saved on the job's first launch, loaded from the cache beside the
data (`<prefix>/cache/GPTDataset_indices`, named by the MD5 of the split's description) on a
relaunch.

The numbers follow from the run: the dataset's documents and tokens, the split's share of
them, the samples each split must yield (the `datasets target sizes`), and the epochs of its
documents that takes (`_get_num_epochs`).
"""

from __future__ import annotations

import itertools
import json
import re
import zlib
from collections import OrderedDict

from genact_cast.generator import catalog, tokenizers
from genact_cast.generator.dialects import megatron_args as margs
from genact_cast.generator.dialects import megatron_ddp as ddp
from genact_cast.generator.dialects.facts import Facts
from genact_cast.generator.dialects.megatron_lines import (
    DATASETS_BUILDING,
    DATASETS_BUILDING_GPT,
    DATASETS_DONE,
)
from genact_cast.generator.rng import Rng

CONFIG_LOGGER = "INFO:megatron.core.datasets.blended_megatron_dataset_config:"
BUILDER_LOGGER = "INFO:megatron.core.datasets.blended_megatron_dataset_builder:"
INDEX_LOGGER = "INFO:megatron.core.datasets.indexed_dataset:"
GPT_LOGGER = "INFO:megatron.core.datasets.gpt_dataset:"
SPLITS = ("train", "valid", "test")


def split_matrix(split: str) -> list[tuple[float, float]]:
    """parse_and_normalize_split and convert_split_vector_to_split_matrix: each split's
    book-ends, summed from 0 as the source sums them (so `(0, 0.949)`, an int first)."""
    parts = [float(x) for x in re.findall(r"[.0-9]+", split)]
    total = sum(parts)
    bounds: list[float] = [0]
    for part in parts:
        bounds.append(bounds[-1] + part / total)
    return list(itertools.pairwise(bounds))


def documents(facts: Facts) -> tuple[int, int]:
    """(documents, tokens) of the run's data, one epoch: a fine-tuning set's examples, or a
    corpus's tokens in documents of a few hundred to a couple of thousand tokens."""
    found = next((d for d in catalog.datasets() if d.name == facts.dataset), None)
    arch = next((a for a in catalog.architectures() if a.name == facts.arch), None)
    if found is not None and arch is not None:  # in the run's own model's tokens
        found = tokenizers.in_tokens_of(found, arch)
    if found is not None and found.examples:
        return found.examples, found.examples * found.tokens_per_example
    tokens = int(found.tokens) if found is not None else facts.dataset_examples * facts.seq_len
    per_document = Rng(zlib.crc32(facts.dataset.encode())).uniform(600.0, 1600.0)
    return max(1, round(tokens / per_document)), tokens


def _md5_hex(data: bytes) -> str:
    """MD5 as hashlib gives it, from CPython's own _md5 where there is one: hashlib loads
    OpenSSL's libcrypto (some 3-4 ms of a Megatron record) for one digest."""
    try:
        from _md5 import md5  # type: ignore[import-not-found,unused-ignore]
    except ImportError:  # a CPython built without its own MD5
        from hashlib import md5
    digest: str = md5(data, usedforsecurity=False).hexdigest()
    return digest


def _hash(facts: Facts, prefix: str, split: str, index: int, size: int, tokenizer: str) -> str:
    """MegatronDataset's unique_description_hash: the MD5 of its JSON description."""
    description = OrderedDict(
        [
            ("class", "GPTDataset"),
            ("dataset_path", prefix),
            ("num_samples", size),
            ("index_split", SPLITS[index]),
            ("random_seed", 1234),
            ("sequence_length", facts.seq_len),
            ("split", split),
            ("split_matrix", split_matrix(split)),
            ("tokenizer", {"class": "_HuggingFaceTokenizer", "tokenizer_path": [tokenizer]}),
        ]
    )
    text = json.dumps(description, indent=4)
    return _md5_hex(text.encode("utf-8"))


def building_lines(
    facts: Facts,
    args: dict[str, str],
    sizes: tuple[int, int, int],
    *,
    tokenizer_address: int,
    cached: bool,
) -> tuple[list[str], list[str]]:
    """(the config's split-matrix line, logged before `> building ... for GPT ...`; the
    builder's lines, logged after it)."""
    prefix = args["data_path"][2:-2]  # ['<prefix>']
    split = args["split"]
    matrix = split_matrix(split)
    tokenizer = args["tokenizer_model"]
    values = {
        name: args[name]
        for name in (
            "multiple_validation_sets",
            "full_validation",
            "num_dataset_builder_threads",
            "mmap_bin_files",
            "mid_level_dataset_surplus",
            "reset_position_ids",
            "reset_attention_mask",
            "eod_mask_loss",
            "object_storage_cache_path",
        )
    }
    values.update(
        random_seed=args["seed"],
        sequence_length=args["seq_length"],
        blend=f"([{prefix!r}], None)",
        split=split,
        split_matrix=repr(matrix),
        path_to_cache=args["data_cache_path"],
        tokenizer="<megatron.training.tokenizer.tokenizer._HuggingFaceTokenizer object at "
        f"{tokenizer_address:#x}>",
        create_attention_mask=args["create_attention_mask_in_dataloader"],
    )
    config = ddp.dataclass_repr("GPTDatasetConfig", values, ("BlendedMegatronDatasetConfig",))
    head = [f"{CONFIG_LOGGER}Let split_matrix = {matrix}"]
    count, tokens = documents(facts)
    lines = [
        f"{BUILDER_LOGGER}Building GPTDataset splits with sizes={sizes} and config={config}",
        f"{INDEX_LOGGER}Load the _IndexReader from {prefix}.idx",
        f"{INDEX_LOGGER}\tExtract the sequence lengths",
        f"{INDEX_LOGGER}\tExtract the sequence pointers",
        f"{INDEX_LOGGER}\tExtract the document indices",
        f"{INDEX_LOGGER}> total number of sequences: {count}",
        f"{INDEX_LOGGER}> total number of documents: {count}",
    ]
    for index, (low, high) in enumerate(matrix):
        first, last = round(low * count), round(high * count)
        split_tokens = tokens * (last - first) // count
        # _get_num_epochs: whole epochs of the split's documents until they hold the
        # requested samples' tokens (one extra token a sequence's end).
        epochs = 1
        while epochs * split_tokens < sizes[index] * facts.seq_len + 1:
            epochs += 1
        samples = (epochs * split_tokens - 1) // facts.seq_len
        name = SPLITS[index]
        if cached:
            base = (
                f"{_hash(facts, prefix, split, index, sizes[index], tokenizer)}-GPTDataset-{name}"
            )
            lines += [
                f"{GPT_LOGGER}Load the GPTDataset {name} indices",
                f"{GPT_LOGGER}\tLoad the document index from {base}-document_index.npy",
                f"{GPT_LOGGER}\tLoad the sample index from {base}-sample_index.npy",
                f"{GPT_LOGGER}\tLoad the shuffle index from {base}-shuffle_index.npy",
                f"{GPT_LOGGER}> total number of samples: {samples}",
            ]
        else:
            lines += [
                f"{GPT_LOGGER}Build and save the GPTDataset {name} indices",
                f"{GPT_LOGGER}> total number of samples: {samples}",
                f"{GPT_LOGGER}> total number of epochs: {epochs}",
            ]
    return head, lines


def datasets_lines(facts: Facts, args: dict[str, str], *, cached: bool) -> list[str]:
    """build_train_valid_test_datasets from its first line to its last: the splits' target
    sizes, the config, the builder's lines, the indices (`cached` on a relaunch)."""
    f = facts
    train = f.total_steps * f.global_batch
    # build_train_valid_test_datasets: eval_iters batches at every eval_interval point
    # and once more at the end; the test split eval_iters batches.
    iters = margs.eval_iters(f)
    valid = (f.total_steps // f.eval_every + 1) * iters * f.global_batch
    # The indices are built and cached beside the data on the job's first launch, and
    # read back on a relaunch.
    config_line, builder = building_lines(
        f,
        args,
        (train, valid, iters * f.global_batch),
        tokenizer_address=0x7F00_0000_0000 + Rng(f.seed * 953 + 1).integer(0, 2**36) * 16,
        cached=cached,
    )
    return [
        DATASETS_BUILDING,
        " > datasets target sizes (minimum size):",
        f"    train:      {train}",
        f"    validation: {valid}",
        f"    test:       {iters * f.global_batch}",
        *config_line,
        DATASETS_BUILDING_GPT,
        *builder,
        DATASETS_DONE,
    ]
