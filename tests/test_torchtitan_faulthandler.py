"""torchtitan v0.2.0's faulthandler dump after rank 0's NCCL watchdog aborts it (review-tt11 #4),
held to real dumps (tests/data/real_logs/torch29_faulthandler_abort.txt) and to the v0.2.0
and torch 2.9.0 sources (tests/data/torchtitan/v0.2.0_hang_frames.tsv)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from genact_cast.generator.events import Failed
from genact_cast.generator.presenters.dialect_pacing import logging_interval
from genact_cast.generator.run import Run
from genact_cast.generator.run_plan import RunPlan
from tests.helpers import events_of, output_of, plain
from tests.seed_scan import first_run, hangs

DATA = Path(__file__).parent / "data"
TAG = "[rank0]:"
ABORTED = "terminate called after throwing an instance of 'c10::DistBackendError'"
HEADER = re.compile(r"(Current thread|Thread) 0x([0-9a-f]{16}) \(most recent call first\):")
FRAME = re.compile(r'  File "([^"]+)", line (\d+) in (\S+)')
NO_FRAME = "  <no Python frame>"
LIBC_FRAME = re.compile(r"\+ 0x([0-9a-f]+) \(0x([0-9a-f]+) in \S+/libc\.so\.6\)")


def _real() -> dict[str, list[str]]:
    sections: dict[str, list[str]] = {}
    name = ""
    for line in (DATA / "real_logs" / "torch29_faulthandler_abort.txt").read_text().splitlines():
        if line.startswith("## "):
            name = line[3:]
            sections[name] = []
        elif name:
            sections[name].append(line.removeprefix(TAG))
    return sections


def _source_frames() -> set[tuple[str, int, str]]:
    rows = (DATA / "torchtitan" / "v0.2.0_hang_frames.tsv").read_text().splitlines()
    out = set()
    for row in rows:
        if not row.startswith("#"):
            path, line, function, _code = row.split("\t")
            out.add((path, int(line), function))
    return out


def _blocks(dump: list[str]) -> list[list[str]]:
    """The thread blocks of a dump's lines after `Fatal Python error: Aborted` and its blank."""
    blocks: list[list[str]] = [[]]
    for line in dump:
        if line == "":
            blocks.append([])
        else:
            blocks[-1].append(line)
    return blocks


def _frames(block: list[str]) -> list[tuple[str, int, str]]:
    out = []
    for line in block[1:]:
        match = FRAME.fullmatch(line)
        if match:
            out.append((match[1], int(match[2]), match[3]))
    return out


def _libc_base(lines: list[str]) -> int:
    for line in lines:
        match = LIBC_FRAME.search(line)
        if match:
            return int(match[2], 16) - int(match[1], 16)
    raise AssertionError("no libc frame")


def test_the_real_dumps_read_as_this_test_reads_them() -> None:
    real = _real()
    first = real["section 1"]
    at = first.index("Fatal Python error: Aborted")
    assert first[at - 1] == ""
    assert first[at + 1] == ""
    for block in _blocks(first[at + 2 :]) + _blocks(real["section 2"]):
        header = HEADER.fullmatch(block[0])
        assert (header and header[1] == "Thread") or FRAME.fullmatch(block[0])
        assert all(FRAME.fullmatch(line) or line == NO_FRAME for line in block[1:])


def _cast(seed: int, failures: int, model: str | None) -> list[str]:
    options = {"model": model} if model else {}
    events = events_of(seed=seed, framework="torchtitan", failures=failures, cols=1000, **options)
    return plain(output_of(events)).split("\r\n")


def _hangs_where_a_step_logs(plan: RunPlan) -> bool:
    """Its GPU hangs at a step that logs, each step one micro batch (so the hang is in the
    step's last), sharded over more than one rank and without stages: rank 0's main thread
    waits at the logged loss's all-reduce."""
    if not (hangs(plan) and plan.layout.grad_accum == 1 and plan.layout.pp == 1):
        return False
    step = next(e.step for e in Run(plan).events if isinstance(e, Failed))
    return step == 1 or step % logging_interval(plan) == 0


# (seed, failures, model, where the main thread waits): the next micro batch's copy to the
# GPU, or the logged step's loss (the first run from 7038 that hangs at a logged step: 7038's
# NVLink fault kills its process since Xid 74 dies).
CASES = [
    (41305, 1, None, "batch_generator"),
    (41306, 2, None, "batch_generator"),
    (
        first_run(
            _hangs_where_a_step_logs,
            7038,
            span=400,
            framework="torchtitan",
            failures=1,
            model="Llama-3.1-8B",
        ).seed,
        1,
        "Llama-3.1-8B",
        "__call__",
    ),
    (41297, 1, "Llama-3.1-405B", "forward_backward_step"),  # under 1F1B
]


def _moe_forward_hang(plan: RunPlan) -> bool:
    """A mixture of experts under expert parallelism, without pipeline or activation
    checkpointing, whose GPU hangs in a forward all-gather of FSDP's before the last
    block (the watchdog's own position of the hang in its step)."""
    from genact_cast.generator import collective_counts
    from genact_cast.generator.presenters.dialect_choice import facts_for
    from genact_cast.generator.rng import Rng

    if not hangs(plan):
        return False
    f = facts_for(plan)
    if not f.experts or f.ep < 2 or f.pp > 1 or f.recompute != "off":
        return False
    event = next(e for e in Run(plan).events if isinstance(e, Failed))
    per_step = collective_counts.fsdp_per_step(layers=f.layers, micro_batches=f.grad_accum, pp=1)
    within = int(Rng(f.seed * 61 + event.step).random() * per_step)
    units = f.layers + 2
    per_micro = 3 * units - 1
    return (
        event.op == "_ALLGATHER_BASE"
        and within < f.grad_accum * per_micro
        and within % per_micro <= units - 2
    )


# A MoE forward's hang holds the main thread in the next MoE layer's token dispatch
# (expert_parallel.py:104 at v0.2.0), not at a dense model's next batch (issue 18).
CASES.append(
    (
        first_run(_moe_forward_hang, 0, span=100, framework="torchtitan", failures=1).seed,
        1,
        None,
        "_token_dispatch",
    )
)


@pytest.mark.parametrize(("seed", "failures", "model", "waits_in"), CASES)
def test_rank0_watchdog_abort_prints_pythons_fault_dump(
    seed: int, failures: int, model: str | None, waits_in: str
) -> None:
    lines = _cast(seed, failures, model)
    aborted = [i for i, line in enumerate(lines) if line == TAG + ABORTED]
    assert aborted, "no rank-0 watchdog abort in this cast"
    real = _real()
    source = _source_frames()
    stdlib = {f for f in map(FRAME.fullmatch, real["section 2"]) if f}
    stdlib_frames = {(f[1], int(f[2]), f[3]) for f in stdlib}
    runpy = real["section 3"][-2:]
    real_first = real["section 1"]
    # the real dump's main thread relative to its libc's mapping
    real_at = real_first.index("Fatal Python error: Aborted")
    real_main = int(HEADER.fullmatch(_blocks(real_first[real_at + 2 :])[-1][0])[2], 16)  # type: ignore[index]
    below_libc = _libc_base(real_first) - real_main
    for start in aborted:
        end = start + 1
        while lines[end].startswith(TAG) and lines[end] != TAG + "Fatal Python error: Aborted":
            end += 1
        # after the what() block's blank line, as the real dump follows it
        assert lines[end - 1] == TAG
        assert lines[end : end + 2] == [
            TAG + "Fatal Python error: Aborted",
            TAG,
        ]
        stop = end + 2
        while lines[stop].startswith(TAG):
            stop += 1
        assert "closing signal SIGTERM" in lines[stop]  # then the agent stops the others
        blocks = _blocks([line.removeprefix(TAG) for line in lines[end + 2 : stop]])
        headers = [HEADER.fullmatch(block[0]) for block in blocks]
        # the watchdog's thread has no Python state: no thread is the current one
        assert all(h and h[1] == "Thread" for h in headers)
        for block in blocks:
            assert all(FRAME.fullmatch(line) or line == NO_FRAME for line in block[1:])
        # the autograd engine's 8 device threads, the purge thread, the main thread
        assert len(blocks) == 10
        assert all(block[1:] == [NO_FRAME] for block in blocks[:8])
        idents = [int(h[2], 16) for h in headers if h]
        assert len(set(idents)) == 10
        assert idents[-1] == _libc_base(lines[start:end]) - below_libc
        for block in blocks[8:]:
            for path, line, function in _frames(block):
                if "/site-packages/" in path:
                    assert (path.split("/site-packages/")[1], line, function) in source
                elif path.startswith("/home/") and "/llm-train/torchtitan/" in path:
                    # the user's clone, the command's working directory
                    assert (path.split("/llm-train/")[1], line, function) in source
                elif path.startswith("/usr/local/lib/python3.12/"):
                    assert (path, line, function) in stdlib_frames
                else:
                    assert f'  File "{path}", line {line} in {function}' in runpy
        main = blocks[-1]
        assert main[-2:] == runpy
        assert _frames(main)[0][2] == waits_in
        assert _frames(blocks[8])[2][2] == "purge_thread"


def test_the_trainer_prints_no_fault_dump() -> None:
    """Neither transformers, trl nor accelerate enables faulthandler (review-tt11 #4)."""
    text = plain(output_of(events_of(seed=41305, framework="hf", failures=2, cols=1000)))
    assert "terminate called after throwing" in text
    assert "Fatal Python error" not in text


def test_a_pipelined_rank0_abort_waits_at_its_loss_placeholder() -> None:
    """Under 1F1B rank 0 holds the first stage, not the last: after the schedule's step,
    whose collectives the hang stopped, it makes its loss placeholder (train.py:479 at
    v0.2.0), a copy that waits for the stream, and the dump shows it there (review-tt16
    T12: no dump was drawn under pipeline parallelism)."""
    lines = _cast(41297, 1, "Llama-3.1-405B")
    assert any("Using pipeline schedule 1F1B" in line for line in lines)
    assert TAG + "Fatal Python error: Aborted" in lines
    at = lines.index(TAG + "Fatal Python error: Aborted")
    main = next(i for i in range(at, len(lines)) if not lines[i].startswith(TAG)) - 1
    while not lines[main].removeprefix(TAG).startswith("Thread 0x"):
        main -= 1
    frames = [FRAME.fullmatch(line.removeprefix(TAG)) for line in lines[main + 1 : main + 3]]
    assert [(f[2], f[3]) for f in frames if f] == [
        ("479", "forward_backward_step"),
        ("510", "train_step"),
    ]
