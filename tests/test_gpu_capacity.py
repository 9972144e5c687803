"""A GPU's memory is torch's total_memory in every presenter (issue 17, review-realism9 F10):
seed 8121 on A100 showed `Memory per GPU: 65.6 GiB of 80.0 GiB` in genact's log and `CUDA
capacity: NVIDIA A100-SXM4-80GB with 79.25GiB memory` under torchtitan; a B200 179.1 against
178.35. gpus.tsv held nvidia-smi's MiB over 1024 for those two and torch's figure for H100
and H200. The reference is real logs' total_memory (tests/data/real_logs/cuda_capacity.tsv)."""

from __future__ import annotations

import csv
import re
from pathlib import Path

from genact_cast.generator import RecordOptions, catalog
from tests.release_catalogue import release_lines

REAL = Path(__file__).parent / "data" / "real_logs" / "cuda_capacity.tsv"


def real_capacities() -> dict[str, float]:
    rows = csv.reader(
        (line for line in REAL.read_text().splitlines() if not line.startswith("#")),
        delimiter="\t",
    )
    return {row[0]: float(row[1]) for row in rows}


def test_every_gpu_has_the_capacity_torch_reports() -> None:
    real = real_capacities()
    for gpu in catalog.gpus():
        assert gpu.memory_gib == real[gpu.name], (gpu.name, gpu.memory_gib, real[gpu.name])


def test_genact_and_torchtitan_show_one_capacity() -> None:
    options = RecordOptions(seed=8121, gpu="A100", cols=200)
    genact = "\n".join(release_lines(options))
    titan = "\n".join(release_lines(options._replace(framework="torchtitan")))
    shown = re.search(r"Memory per GPU: [\d.]+ GiB of ([\d.]+) GiB", genact)
    cuda = re.search(r"CUDA capacity: .* with ([\d.]+)GiB memory", titan)
    assert shown is not None
    assert cuda is not None
    assert shown[1] == f"{float(cuda[1]):.1f}", (shown[0], cuda[0])
