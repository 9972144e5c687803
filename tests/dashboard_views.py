"""Synthetic dashboard views: a plausible run at any step, without the generator."""

from __future__ import annotations

import math
from datetime import datetime, timezone

from genact_cast.generator.dashboard.view import GpuRow, Job, Point, Stat, View

START = datetime(2025, 3, 4, 14, 23, 15, tzinfo=timezone.utc)


def job(gpus: int = 64) -> Job:
    return Job(
        model="Llama-3-8B",
        kind="pre-training",
        framework="torchtitan",
        gpu_name="H100",
        gpus=gpus,
        nodes=gpus // 8,
        layout=f"FSDP {gpus}",
        capacity_gib=79.1,
        power_limit_w=700,
        epochs=3,
        total_steps=12_000,
    )


def loss(step: int) -> float:
    return 2.0 + 9.7 * math.exp(-step / 300) + 0.5 * math.exp(-step / 5000) + 0.02 * math.sin(step)


def view(step: int, *, gpus: int = 64, rows: int = 8, failed: bool = False) -> View:
    steps = list(range(1, step + 1, max(1, step // 300)))
    if steps[-1] != step:
        steps.append(step)
    gpu_rows = [
        GpuRow(f"dgx-{i:03d}", 97 + i % 3, 61.2, 60 + i % 10, 5100 + 20 * i, straggler=i == 3)
        for i in range(min(rows, gpus // 8))
    ]
    hidden = gpus // 8 - len(gpu_rows)
    return View(
        job=job(gpus),
        clock=START,
        elapsed=step * 2.5,
        phase="failed" if failed else "training",
        epoch=1 + step * 3 // 12_001,
        step=step,
        eta_seconds=(12_000 - step) * 2.5,
        train=[Point(s, loss(s)) for s in steps],
        lr=[Point(s, 3e-4 * min(1.0, s / 500)) for s in steps],
        val=[Point(s, loss(s) + 0.01) for s in (4000, 8000) if s <= step],
        failures=[5000] if step > 5000 else [],
        resumes=[4500] if step > 5000 else [],
        gpus=gpu_rows,
        gpus_hidden=f"+{hidden} nodes  95-100%  58-72°C" if hidden else None,
        tokens_per_second=[Point(s, 3.4e6 * (0.99 + 0.02 * math.sin(7 * s))) for s in steps],
        mfu=0.412,
        tflops_per_gpu=405.3,
        nccl=[Stat("all-gather", "12.3 ms"), Stat("reduce-scatter", "6.1 ms")],
        log=[
            f"\x1b[35m[2025-03-04 14:23:15]\x1b[0m step {s} | loss {loss(s):.4f} | mfu 41.2%"
            for s in steps[-20:]
        ]
        + ["\x1b[33m[WARN] GC pause 1.2s, a line long enough to be cut at the narrowest pane"] * 2,
    )
