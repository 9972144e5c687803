"""`genact-cast run`: the simulation played live, ending cleanly however it is stopped."""

from __future__ import annotations

import io
import sys
import time
from pathlib import Path

import pexpect

from tests.test_play_terminal import STTY

ROOT = Path(__file__).resolve().parent.parent


def spawn(*args: str) -> pexpect.spawn:
    return pexpect.spawn(
        sys.executable, ["-m", "genact_cast", "run", *args], cwd=str(ROOT), dimensions=(30, 100),
        encoding="utf-8", timeout=30,
    )  # fmt: skip


def test_a_short_run_plays_to_its_summary_in_real_time() -> None:
    child = spawn("--seed", "3", "--duration", "5")
    start = time.monotonic()
    child.expect("Training summary")
    assert 4.0 <= time.monotonic() - start <= 7.5
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 0


def test_exit_after_stops_at_a_natural_break_with_a_summary() -> None:
    child = spawn("--seed", "3", "--exit-after", "3s")
    # Timed from the first output, not from the spawn: on a loaded machine Python's start
    # alone took over a second, which the program's own clock does not count.
    child.expect(r"\S")
    start = time.monotonic()
    child.expect("Training stopped early")
    assert 2.4 <= time.monotonic() - start <= 4.0
    child.expect("Steps ")
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 0


def test_ctrl_c_summarizes_within_half_a_second() -> None:
    child = spawn("--seed", "5")
    child.expect("Epoch 1/")
    time.sleep(0.7)
    start = time.monotonic()
    child.sendcontrol("c")
    child.expect("Training stopped early")
    assert time.monotonic() - start < 0.5
    child.expect(r"Steps\s+[\d,]+ of")
    child.expect(pexpect.EOF)


def test_a_second_ctrl_c_exits_at_once_and_forever_runs_seed_after_seed() -> None:
    child = spawn("--seed", "3", "--forever", "--duration", "3")
    child.expect("Training summary")
    child.expect("Initializ")  # the next seed's run has begun
    child.sendcontrol("c")
    child.sendcontrol("c")
    start = time.monotonic()
    child.expect(pexpect.EOF)
    assert time.monotonic() - start < 0.5


def test_no_prompt_leaves_out_the_typed_command() -> None:
    for flag, shown in (("--prompt", True), ("--no-prompt", False)):
        child = spawn("--seed", "3", "--duration", "3", flag)
        log = io.StringIO()
        child.logfile_read = log
        child.expect("Training summary")
        child.expect(pexpect.EOF)
        assert ("torchrun" in log.getvalue()) is shown
        assert "Initializing distributed training environment" in log.getvalue()


def test_the_terminal_is_restored_after_run() -> None:
    run = f"{sys.executable} -m genact_cast run --seed 4 --exit-after 2s"
    script = f"stty -g; {run}; echo rc=$?; stty -g"
    child = pexpect.spawn(
        "bash", ["--norc", "--noprofile", "-c", script], cwd=str(ROOT), encoding="utf-8", timeout=30
    )
    child.expect(STTY)
    before = child.match.group(1)
    child.expect(r"rc=(\d+)")
    assert child.match.group(1) == "0"
    child.expect(STTY)
    assert child.match.group(1) == before


def test_a_framework_run_plays_to_its_last_line_and_stops_as_its_launcher_does() -> None:
    # (on 8 nodes, under the DeepSpeed launcher: past 8 it is srun + torchrun, deepspeed_srun)
    child = spawn(
        "--seed", "3", "--duration", "5", "--framework", "deepspeed", "--gpus", "64", "--no-color"
    )  # fmt: skip
    child.expect("deepspeed --num_nodes=")
    child.expect(r"launch.py:351:main\] Process \d+ exits successfully\.")
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 0

    # (seed 3's OLMo-2-13B is refused by megatron since review-mg10 finding 4)
    child = spawn(
        "--seed", "3", "--exit-after", "3s", "--framework", "megatron", "--model", "Qwen2.5-14B",
        "--no-color",
    )  # fmt: skip
    child.expect(r"\^C")
    child.expect("closing signal SIGINT")
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 0
