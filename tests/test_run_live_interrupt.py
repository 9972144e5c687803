"""Ctrl-C at `genact-cast run --framework ...` in a real pty: the launcher's whole answer
reaches the terminal, as a recorded interrupt shows it (review-dialects18a finding 2: the
live run ended after torchrun's `closing signal SIGINT` lines, with no SignalException).

The recorded interrupt is the one a `record` cast shows when the user stops a torchrun
left waiting by another node (dialects.base.interrupted_hang): the same agent lines and
the same traceback, with `Unable to shutdown process ... via 2` between them only there,
since those workers are blocked in NCCL's bootstrap and a live run's workers are not.
"""

from __future__ import annotations

import re
import signal
import sys
import time
from pathlib import Path

import pexpect
import pytest

from genact_cast.generator import RecordOptions, generate
from tests.helpers import output_of, plain

pytestmark = pytest.mark.flaky(reruns=1, reruns_delay=1)

ROOT = Path(__file__).resolve().parent.parent
COLS = 160
DEATH = "Received 2 death signal, shutting down workers"
ANSI = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]|\x1b[()][0-9A-Za-z]")


def answer(text: str) -> list[str]:
    """The lines from the `^C` before torchrun's death-signal warning to the shell's prompt
    (left out), numbers masked: pids, times and stamps differ between two runs."""
    start = text.rindex("^C", 0, text.index(DEATH))
    lines = [line for line in re.split(r"\r?\n", text[start:]) if line.strip()]
    prompt = next(i for i, line in enumerate(lines) if re.match(r"\S+@\S+:~\S*\$ ?", line))
    return [re.sub(r"\d+", "N", line) for line in lines[:prompt]]


def live_stopped(framework: str, seed: int, started: str, *, by_signal: bool) -> str:
    """The live run's output, stopped once `started` shows: by SIGINT sent to the process
    (a `kill -INT`) or by the Ctrl-C key the raw-mode terminal passes on as a byte."""
    child = pexpect.spawn(
        sys.executable,
        ["-m", "genact_cast", "run", "--seed", str(seed), "--framework", framework,
         "--speed", "4", "--failures", "0", "--cols", str(COLS), "--no-color"],
        cwd=str(ROOT), dimensions=(40, COLS), encoding="utf-8", timeout=90,
    )  # fmt: skip
    child.expect(started)
    time.sleep(0.5)
    if by_signal:
        child.kill(signal.SIGINT)
    else:
        child.sendcontrol("c")
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 0
    return ANSI.sub("", str(child.before))


def recorded(options: RecordOptions) -> str:
    return plain(output_of(generate(options._replace(cols=COLS, color=False)).events))


@pytest.mark.parametrize(
    ("framework", "seed", "started", "by_signal", "hang"),
    [
        # review-dialects18a's runs; torchtitan's hang: its seed 43101 cast
        ("torchtitan", 43105, r"step: +\d+ +loss", True,
         RecordOptions(seed=43101, framework="torchtitan", model="Llama-4-Scout-17B-16E",
                       kind="continue", failures=2)),
        ("hf", 43106, r"\d+%\|", False, RecordOptions(seed=43101, framework="hf", failures=2)),
    ],
)  # fmt: skip
def test_ctrl_c_at_a_live_run_prints_the_launcher_s_whole_answer(
    framework: str, seed: int, started: str, by_signal: bool, hang: RecordOptions
) -> None:
    answered = answer(live_stopped(framework, seed, started, by_signal=by_signal))
    # A live run's workers end on the SIGINT with their own tracebacks (torchtitan: rank 0's,
    # tagged twice, torchtitan_interrupt; hf's fine-tune: the node's eight, hf_interrupt);
    # the recorded interrupt's workers were blocked in C, SIGKILLed 30 s later: those lines
    # are each case's own.
    own = [line for line in answered if line.startswith("[rankN]:")]
    live = [line for line in answered if line not in own]
    hung = [line for line in answer(recorded(hang)) if "Unable to shutdown" not in line]
    assert live == hung
    # rank 0 of torchtitan is in the loop once a step line shows; the Trainer's first bar
    # may come before its loop's first step is under way (none drawn then: hf_interrupt)
    if own or framework == "torchtitan":
        assert own[0].endswith("Traceback (most recent call last):")
        assert own[-1].endswith(": KeyboardInterrupt")
    assert live[-1] == (
        "torch.distributed.elastic.multiprocessing.api.SignalException: Process N got signal: N"
    )
    assert sum(line.endswith("closing signal SIGINT") for line in live) == 8


def test_a_live_megatron_run_ends_with_torchrun_s_own_signal_exception() -> None:
    text = live_stopped("megatron", 4202, r"iteration +\d+/", by_signal=True)
    start = text.rindex("^C", 0, text.index(DEATH))
    lines = [line for line in re.split(r"\r?\n", text[start:]) if line.strip()]
    agent = re.search(r" (\d+) \S*torch/distributed/elastic/agent/server/api\.py:725\]", lines[0])
    assert agent, lines[0]
    assert lines[-2] == (
        "torch.distributed.elastic.multiprocessing.api.SignalException: "
        f"Process {agent[1]} got signal: 2"
    )
