"""review-tt11 finding 1: torchtitan v0.2.0 validates a pipeline-parallel run through the
training schedule's own eval() (components/validate.py:131-137). torch 2.9 splits the
validation batch into at most as many chunks as it has rows (pipelining/microbatch.py:
173-181) and the schedule then raises `ValueError: Expecting N arg_mbs but got M`
(pipelining/schedules.py:419-421); its stages keep the micro batch shape they inferred on
the first training step. The release's own PP validation test runs debug_model.toml's
8 x 2048 batch with the validation defaults' 8 x 2048 (tests/integration_tests/
features.py:515-529). Read from the cast alone: the command's validation shape, the
trainer's local batch and sequence length, and the schedule's micro batches."""

from __future__ import annotations

import re
import shlex

import pytest

from genact_cast.generator import RecordOptions, generate
from tests.helpers import output_of, plain
from tests.release_catalogue import release_lines

# job_config.py:862-866 at v0.2.0
DEFAULT_BATCH, DEFAULT_SEQ_LEN = 8, 2048


def flag(words: list[str], name: str, default: int) -> int:
    found = [w.split("=", 1)[1] for w in words if w.startswith(f"{name}=")]
    return int(found[-1]) if found else default


@pytest.mark.parametrize(
    "options",
    [
        RecordOptions(seed=8204, framework="torchtitan", model="Llama-3.1-405B"),
        RecordOptions(seed=19, framework="torchtitan", model="Llama-3.1-405B", kind="continue"),
    ],
)
def test_a_pipeline_run_validates_in_batches_its_schedule_can_split(
    options: RecordOptions,
) -> None:
    text = "\n".join(release_lines(options))
    shown = plain(output_of(generate(options._replace(cols=1000, duration=60.0)).events))
    command = next(line for line in shown.split("\r\n") if "--job.config_file" in line)
    words = shlex.split(command[command.index("torchrun") :])
    schedule = re.search(r"Using pipeline schedule \S+ with (\d+) microbatches", text)
    assert schedule is not None, "not a pipeline-parallel run"
    chunks = int(schedule[1])
    trained = re.search(r"local batch size (\d+), global batch size", text)
    assert trained is not None
    local = int(trained[1])
    seq_len = flag(words, "--training.seq_len", 8192)  # llama3_405b.toml's seq_len
    assert "--validation.enable" in words
    assert "validate step:  1 " in text
    batch = flag(words, "--validation.local_batch_size", DEFAULT_BATCH)
    # torch.tensor_split of `batch` rows into `chunks` gives min(batch, chunks) chunks
    assert min(batch, chunks) == chunks
    # and each chunk is the micro batch the stages were built for
    assert batch // chunks == local // chunks
    assert flag(words, "--validation.seq_len", DEFAULT_SEQ_LEN) == seq_len
