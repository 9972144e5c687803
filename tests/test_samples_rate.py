"""samples/s below 10 keeps two significant digits (review-realism7 WARN 14: a 405B LoRA
run on 8 H200 showed `Speed: 407 tokens/s | 0 samples/s`, where 407 / 2,048 is 0.2)."""

from __future__ import annotations

import re

from genact_cast.generator.style import rate
from tests.cast_text import read_run
from tests.helpers import events_of, output_of, plain
from tests.realism import violations

OPTIONS = {"seed": 9656, "model": "Llama-3.1-405B", "gpus": 8, "gpu": "H200", "method": "lora"}


def test_a_slow_run_shows_its_fraction_of_a_sample_a_second() -> None:
    output = output_of(events_of(**OPTIONS))
    speeds = re.findall(r"Speed: ([\d,]+) tokens/s \| ([\d,.]+) samples/s", plain(output))
    assert speeds
    for _, samples in speeds:
        assert float(samples.replace(",", "")) > 0
    found = violations(read_run(output))
    assert not any(name.startswith("throughput") for name in found), found


def test_rates_keep_two_significant_digits_below_ten() -> None:
    assert [rate(v) for v in (1234.4, 14.2, 9.96, 2.34, 0.2, 0.0234, 0.0)] == [
        "1,234", "14", "10", "2.3", "0.20", "0.023", "0",
    ]  # fmt: skip
