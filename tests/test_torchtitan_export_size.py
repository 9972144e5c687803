"""convert_to_hf.py at torchtitan v0.2.0 (scripts/checkpoint_conversion/convert_to_hf.py:42-55)
builds the model of `--model_name/--model_flavor`, loads the last step's model-only save
(export_dtype float32, checkpoint.py:768) and writes its state dict: the listing weighs
four bytes a parameter of the model the run's own `Model ... size:` line counts. Llama 4's
torchtitan model is the text model alone, so its export is 107.8e9 x 4 B = 401.4 GiB, not
the Hub checkpoint's 109e9 with the vision tower (review-tt12 N6)."""

from __future__ import annotations

import re

import pytest

from genact_cast.generator import RecordOptions
from tests.release_catalogue import cast_lines

SIZE = re.compile(r"Model \S+ \S+ size: ([\d,]+) total parameters")
ROW = re.compile(r"^-rw-r--r-- 1 \S+ \S+ +([\d.]+)([KMGT]) .* model-\d{5}-of-\d{5}\.safetensors$")
TOTAL = re.compile(r"^total ([\d.]+)([GT])$")
UNIT = {"K": 2**10, "M": 2**20, "G": 2**30, "T": 2**40}


@pytest.mark.parametrize(
    "options",
    [
        RecordOptions(seed=8413, framework="torchtitan", model="Llama-4-Scout-17B-16E", failures=2),
        RecordOptions(seed=8411, framework="torchtitan", failures=0),
        RecordOptions(seed=8402, framework="torchtitan", model="Qwen3-30B-A3B", failures=0),
    ],
    ids=lambda o: f"{o.seed}-{o.model}",
)
def test_the_export_weighs_four_bytes_a_parameter_of_the_model_it_built(
    options: RecordOptions,
) -> None:
    lines = cast_lines(options._replace(cols=1000, color=False))
    counted = [int(m[1].replace(",", "")) for line in lines if (m := SIZE.search(line))]
    assert counted
    bytes_ = 4 * counted[-1]
    listing = lines[max(i for i, line in enumerate(lines) if TOTAL.match(line)) :]
    total = TOTAL.match(listing[0])
    assert total is not None
    # ls -lh rounds up, to a whole unit from ten units on; the index and the sharded/ folder
    # add kilobytes
    unit = UNIT[total[2]]
    assert float(total[1]) * unit - unit < bytes_ <= float(total[1]) * unit
    rows = [m for line in listing if (m := ROW.match(line))]
    assert rows
    # each row rounded up to its last digit (0.1 G below 10 G, 1 G from 10 G on)
    shown = sum(float(m[1]) * UNIT[m[2]] for m in rows)
    slack = sum((0.1 if float(m[1]) < 10 else 1.0) * UNIT[m[2]] for m in rows)
    assert shown - slack <= bytes_ <= shown
