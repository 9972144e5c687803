"""The closing summary says where the restarts resumed from, as the log did (review-realism10
N8: seed 8602 `--failures 2` resumed twice from the base model, no checkpoint complete yet,
and the summary said "restarted from checkpoints")."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def _text(tmp_path: Path, *options: str) -> str:
    """Everything the cast printed, escape sequences dropped, on one line."""
    cast = tmp_path / "run.cast"
    subprocess.run(
        [sys.executable, "-m", "genact_cast", "record", *options, "-o", str(cast), "--no-color"],
        check=True, capture_output=True, timeout=300, cwd=ROOT,
    )  # fmt: skip
    lines = cast.read_text("utf-8").splitlines()[1:]
    printed = "".join(event[2] for event in map(json.loads, lines) if event[1] == "o")
    return " ".join(re.sub(r"\x1b\[[0-9;?]*[A-Za-z]", "", printed).split())


@pytest.mark.parametrize("seed", [8602, 9])
def test_the_summary_names_where_the_log_resumed_from(tmp_path: Path, seed: int) -> None:
    text = _text(tmp_path, "--seed", str(seed), "--failures", "2", "--cols", "200")
    resumed = re.findall(r"Resuming from (.+?)(?:/ \(step|, no complete checkpoint)", text)
    assert len(resumed) == 2, resumed
    summary = re.search(r"Failures 2 \(restarted from (.+?), [\dhms ]+ lost\)", text)
    assert summary is not None
    starts = {name for name in resumed if not name.startswith("checkpoints")}
    if not starts:
        assert summary.group(1) == "checkpoints"
    elif len(starts) == len(set(resumed)):
        assert summary.group(1) in ("the base model", "scratch")
    else:
        assert summary.group(1).startswith("checkpoints and ")
