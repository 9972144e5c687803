"""Ctrl-C at Megatron-LM under a lone torchrun: the eight workers' own KeyboardInterrupt
tracebacks, between the agent's closing signals and its SignalException (review-mg15 R3),
each as CPython 3.12 prints it for the core_v0.14.0 loop waiting at the step's gradient norm
(tests/data/megatron/worker_keyboard_interrupt.txt)."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

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
    before, after = stopped("megatron", seed)
    assert "iteration" in before  # stopped inside train()'s loop
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
