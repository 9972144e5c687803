"""Ctrl-C at Megatron-LM under a lone torchrun: the eight workers' own KeyboardInterrupt
tracebacks, between the agent's closing signals and its SignalException (review-mg15 R3),
each as CPython 3.12 prints it for the core_v0.14.0 loop waiting at the step's gradient norm
(tests/data/megatron/worker_keyboard_interrupt.txt)."""

from __future__ import annotations

import re
from collections import Counter
from pathlib import Path

from genact_cast.generator import RecordOptions, make_plan
from genact_cast.generator.dialects.facts import Facts
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


def test_the_workers_draw_the_train_step_only_where_the_log_shows_one_running() -> None:
    """review-mg16 R4: the workers' frames are train_step's gradient norm, so they are
    printed only where the terminal shows the loop in a step: not before train() has
    logged its start (`[before the start of training step]`: still in initialize_megatron
    or setup_model_and_optimizer), and not after an iteration the loop saves or evaluates
    after (--save-interval / --eval-interval: save_checkpoint or evaluate's frames)."""
    seed = 4202
    plan = make_plan(RecordOptions(seed=seed, framework="megatron", duration=60.0))
    facts = facts_for(plan)
    seen = {"before the loop": 0, "at a step": 0}
    for asks in range(2, 60, 3):
        before, after = stopped("megatron", seed, asks)
        drawn = "KeyboardInterrupt" in lines_of(after)[:-1]
        shown = re.findall(r" iteration +(\d+)/", before)
        if "[before the start of training step]" not in before:
            seen["before the loop"] += 1
            assert not drawn, asks
        elif shown and _busy_after(before, int(shown[-1]), facts.checkpoint_every, facts):
            assert not drawn, (asks, shown[-1])
        else:
            seen["at a step"] += 1
            assert drawn, (asks, shown[-1:])
    assert all(seen.values()), seen


def _busy_after(before: str, step: int, every: int, facts: Facts) -> bool:
    """Whether the loop is saving or evaluating after `step`, the last iteration shown: due
    there (--save-interval, --eval-interval) and its end not shown yet."""
    tail = before[before.rindex(f" iteration {step:>8}/") :]
    saving = step % every == 0 and "successfully saved checkpoint" not in tail
    evaluating = facts.evaluates_at(step) and "validation loss at iteration" not in tail
    return bool(saving or evaluating)
