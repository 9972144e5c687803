"""torchtitan v0.2.0 registers c4, c4_test and c4_validation alone (datasets/hf_datasets.py
:35-51) and raises on any other `training.dataset` (_validate_dataset, :54-63): a run on other
data names the user's own module that adds it to DATASETS, imported as the trainer starts
(`--experimental.custom_import`, config/job_config.py:831, train.py:78-79), as its users do
(review-dialects18a WARN 5)."""

from __future__ import annotations

import re

from genact_cast.generator import RecordOptions, generate
from tests.helpers import output_of, plain

REGISTERED = {"c4", "c4_test", "c4_validation"}  # hf_datasets.py:35-51 at v0.2.0


def test_a_set_the_tag_does_not_register_is_registered_by_the_user_s_module() -> None:
    seen = {"registered": 0, "own": 0}
    for seed in range(43100, 43116):
        text = plain(output_of(generate(RecordOptions(seed=seed, framework="torchtitan")).events))
        command = text.split("\r\n", 1)[0]
        named = re.findall(r"--(?:training|validation)\.dataset=(\S+)", command)
        prepared = re.findall(r" - root - INFO - Preparing (\S+) dataset from ", text)
        imports = re.findall(r"--experimental\.custom_import=(\S+)", command)
        assert set(named) <= set(prepared), (seed, named, prepared)
        if set(prepared) <= REGISTERED:
            assert not imports, seed
            seen["registered"] += 1
            continue
        if not named:  # the user's own config file names the data and its module
            continue
        assert imports == ["llm_datasets"], (seed, command)
        # imported before the data is named: the trainer's first act after `Starting job`
        assert command.index("--experimental.custom_import") < command.index("--training.dataset")
        seen["own"] += 1
    assert seen["own"], seen
