"""A process's log never runs backwards (review-realism11 T1: the DeepSpeed dialect's node 0
printed zero.Init's `finished initializing model` stamped 1.34 s before the model build's
lines above it, from the same process). Python's logging stamps each record with
time.time() as it is made (Lib/logging/__init__.py, LogRecord.__init__), glog and c10 with
the clock at the call: the lines one process writes, in the order it writes them, carry
stamps that never decrease. Every dialect, with and without failures: the lines of one
stream (one pdsh node, one `[rankN]:` tee, one glog pid) in order."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import datetime

import pytest

from genact_cast.errors import BadOption, SeedRefused
from genact_cast.generator import RecordOptions, generate
from tests.helpers import output_of, plain

# logging's asctime (`2026-03-02 12:45:33,702`), Megatron's and genact's `[2026-03-02 12:45:33]`
ISO = re.compile(r"(\d{4})-(\d\d)-(\d\d)[ T](\d\d):(\d\d):(\d\d)(?:[,.](\d{1,9}))?")
# glog's and c10's `W1206 21:20:37.405000 2304811 ...` / `[E1206 21:20:37.405123203 ...`
GLOG = re.compile(r"(?<!\w)[IWEF](\d\d)(\d\d) (\d\d):(\d\d):(\d\d)\.(\d{6,9})(?: +(\d+))?")
# pdsh's `node-000: ` and torchrun's `[rank3]:` before a process's own text; under srun
# every node's tee writes `[default0]:`, and c10's own `[rankN]:` after it names the process
PREFIX = re.compile(r"^((?:[\w.-]+: )?)((?:\[(?:rank|default)\d+\]:)*)")

Stamp = tuple[tuple[str, ...], datetime, str]


def _fraction(digits: str | None) -> int:
    return int((digits or "0").ljust(6, "0")[:6])


def stamps(text: str) -> Iterator[Stamp]:
    """(stream, stamp, line) of every stamped line, in the order the terminal shows them."""
    year = 0
    for row in text.splitlines():
        for part in row.split("\r"):
            prefix = PREFIX.match(part)
            assert prefix is not None
            rest = part[prefix.end() :]
            iso = ISO.search(rest[:120])
            glog = GLOG.search(rest[:60])
            if iso and (glog is None or iso.start() < glog.start()):
                year = int(iso[1])
                y, mo, d, h, mi, sec = (int(x) for x in iso.groups()[:6])
                moment = datetime(y, mo, d, h, mi, sec, _fraction(iso[7]))
                yield (prefix[1], prefix[2], "logging"), moment, part
            elif glog and year:
                mo, d, h, mi, sec = (int(x) for x in glog.groups()[:5])
                moment = datetime(year, mo, d, h, mi, sec, _fraction(glog[6]))
                yield (prefix[1], prefix[2], "glog", glog[7] or ""), moment, part


def backwards(text: str) -> list[str]:
    last: dict[tuple[str, ...], tuple[datetime, str]] = {}
    found = []
    for stream, moment, line in stamps(text):
        if stream in last and moment < last[stream][0]:
            found.append(f"{line[:150]!r} after {last[stream][1][:150]!r}")
        if stream not in last or moment >= last[stream][0]:
            last[stream] = (moment, line)
    return found


@pytest.mark.parametrize("failures", [0, 1])
@pytest.mark.parametrize("framework", ["genact", "torchtitan", "megatron", "deepspeed", "hf"])
def test_no_process_logs_a_stamp_before_its_previous_one(framework: str, failures: int) -> None:
    """The first eight runs of seeds 0-199 the dialect shows (torchtitan and Megatron refuse
    the models their release has not)."""
    shown = 0
    for seed in range(200):
        options = RecordOptions(seed=seed, framework=framework, failures=failures, cols=1000)
        try:
            text = plain(output_of(generate(options).events))
        except (BadOption, SeedRefused):
            continue
        shown += 1
        assert not backwards(text), (seed, backwards(text)[:3])
        if shown == 8:
            break
    assert shown == 8, shown


def test_zero_inits_exit_follows_the_models_build() -> None:
    """The cast of review-realism11 T1, and the property's reading of it: `Detected DeepSpeed
    ZeRO-3`, the model's __init__ lines, then zero.Init's exit, in time order."""
    text = plain(output_of(generate(RecordOptions(seed=40311, framework="deepspeed")).events))
    order = [
        line
        for line in text.splitlines()
        if "Detected DeepSpeed" in line or "finished init" in line
    ]
    assert len(order) == 2
    assert not backwards(text)
    moments = [m for _, m, line in stamps(text) if line in order]
    assert moments == sorted(moments)
