"""Ctrl-C at Megatron-LM under a lone torchrun: the eight workers' own KeyboardInterrupt
tracebacks, between the agent's closing signals and its SignalException (review-mg15 R3),
each as CPython 3.12 prints it for the core_v0.14.0 loop waiting at the step's gradient norm
(tests/data/megatron/worker_keyboard_interrupt.txt)."""

from __future__ import annotations

import re
from collections import Counter
from pathlib import Path

import pytest

from genact_cast.generator import RecordOptions, make_plan
from genact_cast.generator.dialects.megatron_shards import megatron_fsdp
from genact_cast.generator.presenters.dialect_choice import facts_for
from tests.test_launcher_interrupts import lines_of, stopped

DATA = Path(__file__).parent / "data" / "megatron" / "worker_keyboard_interrupt.txt"


def _reference(variant: str, user: str) -> list[str]:
    text = DATA.read_text().split("## ")
    block = next(part for part in text if part.startswith(variant + "\n"))
    lines = block.split("\n", 1)[1].rstrip("\n").split("\n")
    return [line.replace("/home/bob/", f"/home/{user}/") for line in lines]


def test_each_worker_prints_its_keyboard_interrupt_between_the_agent_s_lines() -> None:
    seed = 4202
    facts = facts_for(make_plan(RecordOptions(seed=seed, framework="megatron", duration=60.0)))
    assert facts.nodes == 1
    # the 5th Ctrl-C check: after iteration 20, in a step (30 checks stopped it at 5,000,
    # a save point: the workers are in save_checkpoint then, not drawn, review-mg16 R4)
    before, after = stopped("megatron", seed, 5)
    assert re.findall(r" iteration +(\d+)/", before)[-1] == "20"  # inside train()'s loop
    lines = lines_of(after)
    closing = max(i for i, line in enumerate(lines) if line.endswith("closing signal SIGINT"))
    torchrun = next(
        i for i, line in enumerate(lines) if line.startswith('  File "/usr/local/bin/torchrun"')
    )
    workers = lines[closing + 1 : torchrun - 1]
    assert lines[torchrun - 1] == "Traceback (most recent call last):"
    variant = "megatron-fsdp" if megatron_fsdp(facts) else "chained"
    block = _reference(variant, facts.user)
    # eight whole blocks, their lines interleaved as eight processes write them
    assert Counter(workers) == Counter({line: 8 * block.count(line) for line in block})
    assert workers != block * 8
    assert workers[0] == "Traceback (most recent call last):"
    assert workers[-1] == "KeyboardInterrupt"


def _drawn(after: str) -> str | None:
    """Which of the reference blocks the workers' tracebacks are (None: none drawn)."""
    lines = lines_of(after)
    inner = {line for line in lines if line.startswith('  File "') and "/llm-train/" in line}
    if not inner:
        return None
    if any("clip_grads.py" in line for line in inner):
        return "step"
    if any("in evaluate" in line for line in inner):
        return "evaluate"
    assert any("in _compile_dependencies" in line for line in inner), inner
    return "initialize"


def test_the_workers_draw_the_wait_the_log_shows_them_in() -> None:
    """review-mg16 R4 and the frames' sources: the workers print their tracebacks from where
    the terminal shows them: in initialize_megatron's first barrier while its lines end at
    `> compiling and loading fused kernels ...` (and the barrier's warning); in a training
    step once train() has begun; in evaluate() after an iteration the loop evaluates after
    (--eval-interval) until its results show. None while the model and the data are built
    (after `[after megatron is initialized]`, before train()) nor in a save (--save-interval:
    save_checkpoint's frames are not drawn), nor once train() has ended (pretrain()'s last
    save and evaluations: the loop's step was drawn there)."""
    seed = 4202
    plan = make_plan(RecordOptions(seed=seed, framework="megatron", duration=60.0))
    facts = facts_for(plan)
    seen: Counter[str] = Counter()
    for asks in [0, 1, 2, *range(3, 60, 3), 506]:  # 506: after train() (it drew its step)
        before, after = stopped("megatron", seed, asks)
        drawn = _drawn(after)
        shown = re.findall(r" iteration +(\d+)/", before)
        launch = before[before.rindex("pretrain_gpt.py") :]
        if "[after training is done]" in before:  # pretrain()'s last save and evaluations
            expected = None
        elif "[before the start of training step]" not in before:
            if "> compiling and loading fused kernels ..." in launch and (
                "[after megatron is initialized]" not in launch
            ):
                expected = "initialize"
            else:
                expected = None
        elif not shown:
            expected = "step"
        else:
            step = int(shown[-1])
            tail = before[before.rindex(f" iteration {step:>8}/") :]
            evaluating = facts.evaluates_at(step) and "validation loss at iteration" not in tail
            saving = step % facts.checkpoint_every == 0 and "successfully saved" not in tail
            expected = "evaluate" if evaluating else None if saving else "step"
        assert drawn == expected, (asks, shown[-1:], drawn)
        seen[str(drawn)] += 1
    assert all(seen[kind] for kind in ("initialize", "step", "evaluate", "None")), seen
    assert "[after training is done]" in before  # the last ask's


@pytest.mark.parametrize(("asks", "variant"), [(0, "initialize"), (9, "evaluate")])
def test_each_worker_prints_the_sources_frames_of_its_wait(asks: int, variant: str) -> None:
    """Seed 4202 stopped at its launch (the workers in _compile_dependencies' barrier: rank 0
    at initialize.py:221, the seven others at :223) and after iteration 1,000 (in evaluate(),
    synchronizing at its timer's stop): each worker's block is CPython's traceback from the
    core_v0.14.0 and torch 2.9.0 sources (tests/data/megatron/worker_keyboard_interrupt.txt).
    The old code drew none at either."""
    seed = 4202
    facts = facts_for(make_plan(RecordOptions(seed=seed, framework="megatron", duration=60.0)))
    _, after = stopped("megatron", seed, asks)
    lines = lines_of(after)
    closing = max(i for i, line in enumerate(lines) if line.endswith("closing signal SIGINT"))
    torchrun = next(
        i for i, line in enumerate(lines) if line.startswith('  File "/usr/local/bin/torchrun"')
    )
    workers = lines[closing + 1 : torchrun - 1]
    if variant == "initialize":
        blocks = [_reference("initialize-rank0", facts.user)] + [
            _reference("initialize", facts.user)
        ] * 7
    else:
        blocks = [_reference(variant, facts.user)] * 8
    assert Counter(workers) == Counter(line for block in blocks for line in block)


def test_a_ctrl_c_at_the_launch_is_stamped_after_the_launchers_warning() -> None:
    """The agent's answer to a Ctrl-C while the launch's lines come was stamped at the
    launch's whole second (`W0305 15:45:34.000000 ... Received 2 death signal`), before
    torchrun's own warning (`.704000`): the key comes after what the terminal shows."""
    before, after = stopped("megatron", 4202, 0)
    stamp = re.compile(r"W\d{4} (\d\d:\d\d:\d\d\.\d{6}) ")
    warned = stamp.search(before)
    answered = stamp.search(lines_of(after)[0])
    assert warned
    assert answered
    assert answered[1] > warned[1]
    assert not answered[1].endswith(".000000")
