"""A fine-tuning set's size in a model's tokens follows the mean length its paper publishes
(review-realism17 W1: XSum's 431 + 23 words a pair were 425 Llama 3 tokens, CNN-DailyMail's
781 + 56 tokens 766: no BPE tokenizer makes fewer tokens than words of English news)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from genact_cast.generator import catalog, lineup, tokenizers

LICENCES = ("GPL-3", "Apache-2.0", "GFDL-1.3", "Artistic", "LGPL-3", "MPL-2.0")
# The papers' figures, restated here rather than read from datasets.tsv: words (a punctuation
# mark a word) of an example, article and summary together.
PUBLISHED_WORDS = {
    "CNN-DailyMail": 781 + 56,  # See et al. 2017, arXiv 1704.04368, sec. 4
    "XSum": 431.07 + 23.26,  # Narayan et al. 2018, arXiv 1808.08745, Table 1
    "UltraChat-200k": 1467.4,  # Ding et al. 2023, arXiv 2305.14233, Table 1
}


def _sft(name: str) -> catalog.Dataset:
    return next(d for d in catalog.datasets() if d.name == name)


@given(st.sampled_from(sorted(PUBLISHED_WORDS)), st.sampled_from(lineup.models()))
def test_a_published_set_holds_more_tokens_than_words_for_every_model(
    name: str, arch: catalog.Architecture
) -> None:
    shown = tokenizers.in_tokens_of(_sft(name), arch)
    words = PUBLISHED_WORDS[name]
    # 1.0-1.3 tokens a word: every tokenizer of the catalogue packs 4.06-4.78 characters a
    # token, a word is 5.27 (tokenizers.tsv)
    assert words <= shown.tokens_per_example <= 1.3 * words
    assert shown.tokens == shown.examples * shown.tokens_per_example


def test_the_word_figure_is_measured_on_the_tokenizers_own_text() -> None:
    folder = Path("/usr/share/common-licenses")
    if not all((folder / n).exists() for n in LICENCES):
        pytest.skip("Debian's base-files licence texts are not installed")
    text = "\n".join((folder / n).read_text(encoding="utf-8") for n in LICENCES)
    assert len(text) == 99_956  # the text tokenizers.tsv's figures were measured on
    words = len(re.findall(r"\w+|[^\w\s]", text))
    assert round(len(text) / words, 3) == tokenizers.tokenizers()["words"].chars_per_token
