"""Ctrl-C at a Trainer fine-tune under `accelerate launch`: the node's eight workers' own
KeyboardInterrupt tracebacks between the agent's closing signals and its SignalException
(review-dialects18a finding 2), each line tagged `[rankN]: ` by the hook init_process_group
installs (no tee under accelerate), each frame a line of transformers 4.57.1 or trl v0.24.0
(tests/data/hf/keyboard_interrupt_frames.tsv), headed as a real Trainer's Ctrl-C log is
(tests/data/real_logs/trainer_keyboard_interrupt.txt)."""

from __future__ import annotations

import re
from collections import Counter
from pathlib import Path

import pytest

from genact_cast.generator import RecordOptions, make_plan
from genact_cast.generator.dialects import hf_script
from genact_cast.generator.presenters.dialect_choice import facts_for
from tests.test_launcher_interrupts import lines_of, stopped

DATA = Path(__file__).parent / "data"
SITE = "/usr/local/lib/python3.12/site-packages/"
FILE = re.compile(r'  File "([^"]+)", line (\d+), in (\S+)')
TAG = re.compile(r"\[rank(\d)\]: ")


def _rows() -> dict[tuple[str, int, str], str]:
    rows = {}
    for row in (DATA / "hf" / "keyboard_interrupt_frames.tsv").read_text().splitlines():
        if not row.startswith("#"):
            path, line, function, code = row.split("\t")
            rows[(path, int(line), function)] = code.strip()
    return rows


def _workers(after: str) -> dict[int, list[str]]:
    """Each rank's lines, untagged, between the agent's closing signals and its traceback."""
    lines = lines_of(after)
    closing = max(i for i, line in enumerate(lines) if line.endswith("closing signal SIGINT"))
    agent = lines.index("Traceback (most recent call last):")
    ranks: dict[int, list[str]] = {}
    for line in lines[closing + 1 : agent]:
        tag = TAG.match(line)
        assert tag, line
        ranks.setdefault(int(tag[1]), []).append(line[tag.end() :])
    return ranks


def _frames(block: list[str], user: str, added: int = 0) -> list[tuple[str, int, str]]:
    """The block's frames, each held to the sources' table (train.py as trl's sft.py, less
    the `added` lines the set's records need above its own, hf_script), its carets under a
    call of its line."""
    rows = _rows()
    assert block[0] == "Traceback (most recent call last):"
    assert block[-1] == "KeyboardInterrupt"
    out = []
    at = 1
    while at < len(block) - 1:
        found = FILE.fullmatch(block[at])
        assert found, block[at]
        path, number, function = found[1], int(found[2]), found[3]
        script = path == f"/home/{user}/llm-train/train.py"
        source = "trl/scripts/sft.py" if script else path.removeprefix(SITE)
        number -= added if script else 0
        assert block[at + 1] == "    " + rows[(source, number, function)]
        at += 2
        if set(block[at].strip()) == {"^"}:
            start = len(block[at]) - len(block[at].lstrip())
            marked = block[at - 1][start : len(block[at])]
            assert marked.endswith((")", "(")), marked
            at += 1
        out.append((source, number, function))
    return out


@pytest.mark.parametrize(
    ("seed", "last"),
    [
        # in a micro batch's forward: SFTTrainer's entropy read
        (43102, ("trl/trainer/sft_trainer.py", 1120, "compute_loss")),
        # its backward queued: the loss's NaN check
        (43106, ("transformers/trainer.py", 2679, "_inner_training_loop")),
    ],
)
def test_each_worker_prints_its_traceback_where_it_waits(
    seed: int, last: tuple[str, int, str]
) -> None:
    facts = facts_for(make_plan(RecordOptions(seed=seed, framework="hf", duration=60.0)))
    assert (facts.kind, facts.nodes) == ("sft", 1)
    _, after = stopped("hf", seed, 5)
    ranks = _workers(after)
    assert sorted(ranks) == list(range(8))
    blocks = {tuple(block) for block in ranks.values()}
    assert len(blocks) == 1  # the eight wait at the same point of the same step
    block = list(blocks.pop())
    frames = _frames(block, facts.user, hf_script.ADDED_LINES[hf_script.records(facts.dataset)])
    assert frames[:3] == [
        ("trl/scripts/sft.py", 178, "<module>"),
        ("trl/scripts/sft.py", 147, "main"),
        ("transformers/trainer.py", 2325, "train"),
    ]
    assert frames[-1] == last
    # written as eight processes write, line by line
    tagged = [line for line in lines_of(after) if TAG.match(line)]
    assert Counter(TAG.sub("", line) for line in tagged) == Counter(
        {line: 8 * block.count(line) for line in block}
    )
    first = [TAG.findall(line)[0] for line in tagged[:8]]
    assert first != [str(rank) for rank in range(8)]


def test_the_head_has_the_real_log_s_shape() -> None:
    """The real log's `[rank0]: ` lines down to Trainer.train's call, script names and line
    numbers aside."""
    _, after = stopped("hf", 43106, 5)
    ours = ["[rank0]: " + line for line in _workers(after)[0][:8]]
    text = (DATA / "real_logs" / "trainer_keyboard_interrupt.txt").read_text()
    real = [line for line in text.split("\n") if line and not line.startswith("#")]

    def shape(lines: list[str]) -> list[str]:
        out = [re.sub(r'"[^"]*?((/transformers/)\S+|[^/"]+)"', r'"\1"', x) for x in lines]
        out = [re.sub(r"line \d+", "line N", x) for x in out]
        out = [re.sub(r"\w+\.py", "X.py", x) for x in out]
        return [re.sub(r"main\(.*\)$", "main(...)", x) for x in out]

    assert shape(ours) == shape(real)


def test_a_pre_training_script_s_workers_draw_no_frames() -> None:
    """A run_clm-shaped train.py is the user's own: its lines are not drawn (the agent's
    lines still are, down to its SignalException)."""
    facts = facts_for(make_plan(RecordOptions(seed=43101, framework="hf", duration=60.0)))
    assert facts.kind == "pretrain"
    _, after = stopped("hf", 43101, 5)
    lines = lines_of(after)
    assert not any(TAG.match(line) for line in lines)
    assert lines[-2].endswith("got signal: 2")
