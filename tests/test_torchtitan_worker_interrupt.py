"""Ctrl-C at torchtitan v0.2.0 under torchrun: rank 0's own KeyboardInterrupt traceback
between the agent's closing signals and its SignalException (review-dialects18a finding 2),
each frame a line of the v0.2.0 tag or torch 2.9.0 (tests/data/torchtitan/
v0.2.0_hang_frames.tsv), in the shape a real torchtitan Ctrl-C log prints
(tests/data/real_logs/torchtitan_keyboard_interrupt.txt), tagged by torchrun's tee and by
the excepthook init_process_group installs (`[rank0]:[rank0]: `)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from genact_cast.generator import RecordOptions, make_plan
from genact_cast.generator.dialects import torchtitan_interrupt as ti
from genact_cast.generator.dialects import worker_waits
from genact_cast.generator.presenters.dialect_choice import facts_for
from genact_cast.generator.run_plan import RunPlan
from tests.seed_scan import first_run
from tests.test_launcher_interrupts import lines_of, stopped

DATA = Path(__file__).parent / "data"
SITE = "/usr/local/lib/python3.12/site-packages/"
CLONE = "/llm-train/"
FILE = re.compile(r'  File "([^"]+)", line (\d+), in (\S+)')
TAG = "[rank0]:[rank0]: "


def _rows() -> dict[tuple[str, int, str], str]:
    rows = {}
    for row in (DATA / "torchtitan" / "v0.2.0_hang_frames.tsv").read_text().splitlines():
        if not row.startswith("#"):
            path, line, function, code = row.split("\t")
            rows[(path, int(line), function)] = code.strip()
    return rows


def _block(after: str) -> list[str]:
    """Rank 0's lines, untagged once (the tee's tag), after the agent's closing signals."""
    lines = lines_of(after)
    closing = max(i for i, line in enumerate(lines) if line.endswith("closing signal SIGINT"))
    torchrun = lines.index("Traceback (most recent call last):")
    block = lines[closing + 1 : torchrun]
    assert all(line.startswith(TAG) for line in block), block
    return [line.removeprefix("[rank0]:") for line in block]


def _held_to_the_sources(block: list[str]) -> list[tuple[str, int, str]]:
    """Every frame's file, line, function and code are a row of the sources' table, and its
    carets (where drawn) lie under a call of that code."""
    rows = _rows()
    body = [line.removeprefix("[rank0]: ") for line in block]
    assert body[0] == "Traceback (most recent call last):"
    assert body[-1] == "KeyboardInterrupt"
    frames = []
    at = 1
    while at < len(body) - 1:
        found = FILE.fullmatch(body[at])
        assert found, body[at]
        path, line, function = found[1], int(found[2]), found[3]
        at += 1
        frames.append((path, line, function))
        if path == "<frozen runpy>":
            continue
        # torchtitan from the user's clone (the command's ./torchtitan/...), torch installed
        source = path.split(CLONE, 1)[1] if CLONE in path else path.removeprefix(SITE)
        assert source != path, path
        frames[-1] = (source, line, function)
        code = rows[(source, line, function)]
        assert body[at] == "    " + code
        at += 1
        if at < len(body) - 1 and set(body[at].strip()) == {"^"}:
            start = len(body[at]) - len(body[at].lstrip())
            marked = body[at - 1][start : len(body[at])]
            assert marked in code, marked
            assert marked.endswith(("(", ")")), marked
            at += 1
    return frames


def _masked(lines: list[str]) -> list[str]:
    return [re.sub(r'"[^"]*/(torchtitan|torch)/', r'"<site>/\1/', re.sub(r"line \d+", "line N", x))
            for x in lines]  # fmt: skip


def test_the_block_has_the_real_log_s_shape() -> None:
    """Seed 43105 stopped in a step: rank 0 at the next batch's copy, as the real log's rank 0
    (its own runner's two frames aside), tagged once more by torchrun's tee."""
    _, after = stopped("torchtitan", 43105, 3)
    block = _block(after)
    text = (DATA / "real_logs" / "torchtitan_keyboard_interrupt.txt").read_text()
    real = [line for line in text.split("\n") if line and not line.startswith("#")]
    runner = [i for i, line in enumerate(real) if "torchtitan_runner.py" in line]
    real_kept = [line for i, line in enumerate(real) if not any(i in (r, r + 1) for r in runner)]
    ours = [line for line in block if '/torchtitan/train.py", line 685' not in line]
    ours = [line for line in ours if line != "[rank0]:     trainer.train()"]
    assert _masked(ours) == _masked(real_kept)
    assert _held_to_the_sources(block)[-2:] == [
        ("torchtitan/train.py", 509, "train_step"),
        ("torchtitan/train.py", 410, "batch_generator"),
    ]


@pytest.mark.parametrize(
    ("seed", "asks", "last"),
    [
        # the mesh's and the initial collection's lines shown: the seed's broadcast
        (43105, 0, ("torch/distributed/distributed_c10d.py", 2835, "broadcast")),
        # step 1 of a 2-way data-parallel run logs: its loss's all-reduce, read by .item()
        (43101, 1, ("torch/_ops.py", 841, "__call__")),
        (43101, 5, ("torchtitan/train.py", 410, "batch_generator")),
    ],
)
def test_rank_0_ends_where_it_waits(seed: int, asks: int, last: tuple[str, int, str]) -> None:
    _, after = stopped("torchtitan", seed, asks)
    frames = _held_to_the_sources(_block(after))
    assert frames[-1] == last
    lines = lines_of(after)
    assert lines[-2].endswith("got signal: 2")  # then the prompt


def test_no_frames_before_the_mesh_nor_in_the_model_s_build_or_a_save() -> None:
    """Imports, the model's build and the checkpoint's load, and a save: no source read here
    pins rank 0's Python frames there, and none are drawn; the agent's lines still come."""
    f = facts_for(make_plan(RecordOptions(seed=43105, framework="torchtitan")))
    tracker = worker_waits.Tracker()
    tracker.launched()
    shown = "[rank0]:[titan] 2025-10-25 11:38:54,220 - root - INFO - Loading tokenizer from x"
    assert ti.frames(f, tracker, 3.0, 10, shown) is None
    mesh = "[rank0]:[titan] 2025-10-25 11:38:53,210 - root - INFO - Building 1-D device mesh with ['dp_shard'], [8]"  # noqa: E501
    assert ti.frames(f, tracker, 3.0, 10, mesh) == ti._INITIALIZE
    tracker.loop(100.0, 1)
    tracker.step(1, 130.0, 30.0)
    tracker.window(130.0, 170.0, worker_waits.SAVE)
    tracker.window(170.0, 180.0, worker_waits.EVALUATE)
    assert ti.frames(f, tracker, 150.0, 10, "") is None
    assert ti.frames(f, tracker, 175.0, 10, "") == ti.validate_frames(f)
    assert ti.frames(f, tracker, 185.0, 10, "") == ti.step_frames(f, 2, 5 / 30, 10)
    tracker.ended()
    assert ti.frames(f, tracker, 200.0, 10, "") is None
    # a failed launch's NCCL lines (its abort) are no start-up's: none until it relaunches
    abort = "[rank0]:dgx-000:1:1 [0] NCCL INFO comm 0x55d0 rank 0 nranks 8 - Abort COMPLETE"
    assert ti.frames(f, tracker, 210.0, 10, abort) is None
    tracker.launched()
    assert ti.frames(f, tracker, 220.0, 10, mesh) == ti._INITIALIZE


def _moe_ep(plan: RunPlan) -> bool:
    f = facts_for(plan)
    return bool(f.experts) and f.ep > 1 and f.pp == 1 and f.recompute == "off"


def test_a_moe_forward_waits_in_its_token_dispatch_and_its_backward_at_the_next_batch() -> None:
    """Under expert parallelism each MoE layer's dispatch copies the split sizes to the host
    and waits for the stream (expert_parallel.py:104 at v0.2.0): in a micro batch's forward
    rank 0 waits there; in its backward (queued at once) at the next batch, as a dense
    model's. A dense model never waits there."""
    moe = facts_for(make_plan(first_run(_moe_ep, 0, framework="torchtitan")))
    g = moe.grad_accum
    assert ti.step_frames(moe, 7, 0.2 / g, 10)[-1][1:3] == (104, "_token_dispatch")
    assert ti.step_frames(moe, 7, 0.9 / g, 10)[-1][1:3] == (410, "batch_generator")
    dense = facts_for(
        make_plan(first_run(lambda p: not facts_for(p).experts, 0, framework="torchtitan"))
    )
    assert ti.step_frames(dense, 7, 0.2 / dense.grad_accum, 10)[-1][1:3] != (104, "_token_dispatch")


def test_each_wait_s_frames_are_the_sources() -> None:
    """Every variant rank 0 can print: a step's three waits, a validation's two, the seed's
    broadcast, each a run of the tag's and torch 2.9.0's lines."""
    f = facts_for(make_plan(RecordOptions(seed=43105, framework="torchtitan")))
    moe = facts_for(make_plan(first_run(_moe_ep, 0, framework="torchtitan")))
    variants = [
        # seed 43105 is a mixture of experts under expert parallelism: a backward's share
        ti.step_frames(f, 7, 0.9 / f.grad_accum, 10),
        ti.step_frames(f._replace(grad_accum=4), 10, 0.9, 10),
        ti.step_frames(f._replace(grad_accum=4, dp=1), 10, 0.9, 10),
        ti.step_frames(f._replace(pp=4, layers=32), 10, 0.5, 10),
        ti.validate_frames(f),
        ti.validate_frames(f._replace(pp=4, layers=32)),
        ti._INITIALIZE,
        # a mixture of experts' forward under expert parallelism: its MoE layers' dispatch
        ti.step_frames(moe, 7, 0.2 / moe.grad_accum, 10),
        ti.step_frames(moe._replace(tp=2), 7, 0.2 / moe.grad_accum, 10),
    ]
    ends = set()
    for frames in variants:
        held = _held_to_the_sources(
            [x.removeprefix("[rank0]:") for x in ti.worker_lines(frames, "bob")]
        )
        ends.add(held[-1][1:])
    assert ends == {
        (410, "batch_generator"),
        (841, "__call__"),
        (548, "train_step"),
        (479, "forward_backward_step"),
        (110, "validate"),
        (152, "validate"),
        (2835, "broadcast"),
        (104, "_token_dispatch"),
    }


def test_a_moe_forward_under_activation_checkpointing_still_shows_rank_0_s_traceback() -> None:
    """Activation checkpointing's wrappers are not read, so a MoE forward under it is drawn
    at the next batch, as before the dispatch was drawn: never no traceback at all
    (review-dialects20a FAIL: seeds 46100 and 46118 printed no KeyboardInterrupt)."""
    moe = facts_for(make_plan(first_run(_moe_ep, 0, framework="torchtitan")))
    checkpointed = moe._replace(recompute="full")
    tracker = worker_waits.Tracker()
    tracker.launched()
    tracker.loop(100.0, 1)
    tracker.step(7, 130.0, 30.0)
    forward = 100.0 + 30.0 * 0.2 / moe.grad_accum  # in the first micro batch's forward
    assert ti.frames(moe, tracker, forward, 10, "")[-1][1:3] == (104, "_token_dispatch")  # type: ignore[index]
    shown = ti.frames(checkpointed, tracker, forward, 10, "")
    assert shown is not None
    assert shown[-1][1:3] == (410, "batch_generator")
