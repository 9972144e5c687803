"""Shared test helpers: generating casts, parsing them, and rendering them with pyte."""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from typing import Any

import pyte

from genact_cast.asciicast import Event, encode
from genact_cast.generator import RecordOptions, generate, write_cast

ANSI = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]")
# torchrun's tee header before a teed worker's lines (Megatron past 8 nodes, megatron_tee)
TEE_HEADER = re.compile(r"^\[default[07]\]:")


def untee(lines: Iterable[str]) -> list[str]:
    """The lines as the workers printed them, without the tee's header (test_megatron_tee
    holds the header itself)."""
    return [TEE_HEADER.sub("", line) for line in lines]


def cast_text(version: int = 2, **options: Any) -> str:
    cast = generate(RecordOptions(**options), version)
    return "".join(encode(cast.header, cast.events, version))


def console(options: RecordOptions) -> tuple[list[float], str]:
    """The times of the cast's outputs and its output, as `record` writes it (v2)."""
    chunks: list[bytes] = []
    write_cast(options, 2, chunks.append)
    rows = [json.loads(row) for row in b"".join(chunks).decode("utf-8").splitlines()[1:]]
    outputs = [row for row in rows if row[1] == "o"]
    return [float(row[0]) for row in outputs], "".join(row[2] for row in outputs)


def events_of(**options: Any) -> list[Event]:
    return list(generate(RecordOptions(**options)).events)


def parse(text: str) -> tuple[dict[str, Any], list[list[Any]]]:
    lines = text.splitlines()
    return json.loads(lines[0]), [json.loads(line) for line in lines[1:]]


def arch_of(options: RecordOptions) -> str:
    """The model of `options`' run, "" where its framework refuses the seed's run (a model
    or kind its pinned release cannot train: SeedRefused)."""
    from genact_cast.errors import SeedRefused
    from genact_cast.generator import make_plan

    try:
        return make_plan(options).arch.name
    except SeedRefused:
        return ""


def output_of(events: Iterable[Event]) -> str:
    return "".join(e.data for e in events if e.code == "o")


def plain(text: str) -> str:
    return ANSI.sub("", text)


class WrapCountingScreen(pyte.Screen):
    """A pyte screen that counts characters written into the last column.

    The generator promises never to touch the last column, so that no terminal,
    whatever its auto-wrap quirks, ever wraps one of its lines.
    """

    def __init__(self, columns: int, lines: int) -> None:
        super().__init__(columns, lines)
        self.last_column_writes = 0

    def draw(self, data: str) -> None:
        for char in data:
            if self.cursor.x >= self.columns - 1:
                self.last_column_writes += 1
            super().draw(char)


def render(
    events: Iterable[Event], cols: int, rows: int, until_us: int | None = None
) -> WrapCountingScreen:
    screen = WrapCountingScreen(cols, rows)
    stream = pyte.Stream(screen)
    for event in events:
        if until_us is not None and event.time_us > until_us:
            break
        if event.code == "o":
            stream.feed(event.data)
    return screen


def with_nccl_debug(options: RecordOptions) -> RecordOptions:
    """`options` with `--nccl-debug on`: NCCL prints its INFO lines only where the job sets
    NCCL_DEBUG (src/debug.cc:49-50 at v2.27.5-1), so a test of those lines pins it; a Megatron
    or DeepSpeed run past NCCL_DEBUG_NODES nodes, which on refuses, keeps it drawn (unset)."""
    from genact_cast.errors import SeedRefused
    from genact_cast.generator import make_plan

    pinned = options._replace(nccl_debug=True)
    try:
        make_plan(pinned)
    except SeedRefused:
        return options
    return pinned


# (step, loss) as each framework dialect logs them, in the order they are logged. The Trainer
# under DeepSpeed: on one node its bar and dicts as the hf dialect's; through pdsh no bar
# (--disable_tqdm) and PrinterCallback's dicts from every node's local rank 0, (host, loss).
LOGGED_STEPS = {
    "torchtitan": r"INFO - step: +(\d+)  loss: +([\d.]+)",
    "megatron": r" iteration +(\d+)/ *\d+ \|.*? lm loss: ([\d.E+-]+) \|",
    "hf": r"\| (\d+)/\d+ \[[^\]]*\]\r\{'loss': ([\d.]+),",
    # (past 8 nodes under torchrun's tee, each dict after its `[default0]:`: deepspeed_srun)
    "deepspeed": r"\| (\d+)/\d+ \[[^\]]*\]\r(?:\[default0\]:)?\{'loss': ([\d.]+),",
}
PDSH_LOSSES = r"(?m)^(\S+): \{'loss': ([\d.]+),"
