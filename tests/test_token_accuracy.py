"""One evaluation, one token accuracy, whichever presenter shows it (review-realism7 FAIL 4:
seed 9604's genact log said `Token Acc: 0.712` where the Trainer's record of the same
evaluation said `'eval_mean_token_accuracy': 0.5769209861755371`)."""

from __future__ import annotations

import re

import pytest

from tests.helpers import events_of, output_of, plain

SHOWN = re.compile(r"Token Acc: (\d\.\d{3})")
RECORDED = re.compile(r"'eval_mean_token_accuracy': (\d\.\d+)")
PDSH = re.compile(r"([\w.-]+): ")


@pytest.mark.parametrize(
    ("seed", "options"), [(9604, {}), (9611, {"model": "Llama-3.1-70B", "gpus": 8})]
)
@pytest.mark.parametrize("framework", ["hf", "deepspeed"])
def test_the_trainer_records_the_accuracy_the_run_measured(
    seed: int, options: dict[str, object], framework: str
) -> None:
    genact = [float(v) for v in SHOWN.findall(plain(output_of(events_of(seed=seed, **options))))]
    text = plain(output_of(events_of(seed=seed, framework=framework, **options)))
    # DeepSpeed's launcher over pdsh passes on every node's copy of the Trainer's record, each
    # behind its host's `name: ` (deepspeed_pdsh): one node's copies are the records
    rows = [row for row in text.splitlines() if RECORDED.search(row)]
    hosts = {found[1] for row in rows if (found := PDSH.match(row))}
    first = min(hosts) if hosts else None
    recorded = [
        float(m[1])
        for row in rows
        if (first is None or row.startswith(f"{first}: ")) and (m := RECORDED.search(row))
    ]
    assert genact
    assert len(recorded) == len(genact)
    for shown, logged in zip(genact, recorded, strict=True):
        assert abs(shown - logged) <= 0.0005 + 1e-7, (shown, logged)
