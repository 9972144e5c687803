"""`record --live`: a real asciinema recording of the real program, matching the generated cast."""

from __future__ import annotations

import contextlib
import json
import os
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pyte
import pytest

from genact_cast.errors import GenactCastError
from genact_cast.generator import RecordOptions, generate
from genact_cast.live import record_live
from tests.helpers import plain

ROOT = Path(__file__).resolve().parent.parent
OPTIONS = ["--seed", "3", "--duration", "10", "--speed", "4", "--cols", "100", "--rows", "30"]


def screen_of(path: Path) -> tuple[list[str], str]:
    """The final screen's lines and the whole output, as pyte and a reader see them."""
    lines = path.read_text("utf-8").splitlines()
    header = json.loads(lines[0])
    screen = pyte.Screen(header["width"], header["height"])
    stream = pyte.Stream(screen)
    output = []
    for line in lines[1:]:
        _, code, data = json.loads(line)
        if code == "o":
            stream.feed(data)
            output.append(data)
    return [row.rstrip() for row in screen.display], plain("".join(output))


def launch_command(output: str) -> str:
    start = output.index("torchrun")
    return output[start : output.index(".yaml", start) + len(".yaml")]


def training_output(rows: list[str]) -> list[str]:
    """The screen up to the summary's last line: what the run printed, not the shell."""
    last = max(i for i, row in enumerate(rows) if row.startswith("  Loss curve"))
    return rows[last - 20 : last + 1]


@pytest.fixture(scope="module")
def live_and_generated(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    folder = tmp_path_factory.mktemp("live")
    live, generated = folder / "live.cast", folder / "generated.cast"
    result = subprocess.run(
        [sys.executable, "-m", "genact_cast", "record", "--live", *OPTIONS, "--title", "Live",
         "--idle-time-limit", "2", "-o", str(live)],
        capture_output=True, text=True, timeout=180, cwd=ROOT,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    subprocess.run(
        [sys.executable, "-m", "genact_cast", "record", *OPTIONS, "-o", str(generated)],
        check=True, capture_output=True, timeout=60, cwd=ROOT,
    )  # fmt: skip
    return live, generated


def test_live_recording_is_a_real_asciinema_cast(live_and_generated: tuple[Path, Path]) -> None:
    live, _ = live_and_generated
    header = json.loads(live.read_text().splitlines()[0])
    assert (header["version"], header["width"], header["height"]) == (2, 100, 30)
    assert header["title"] == "Live"
    assert header["idle_time_limit"] == 2
    rows, output = screen_of(live)
    assert output.startswith("$ torchrun")  # a clean shell: the plain prompt, then typing
    assert "$ exit" in rows


def test_live_and_generated_show_the_same_command_and_training(
    live_and_generated: tuple[Path, Path],
) -> None:
    live, generated = live_and_generated
    live_rows, live_output = screen_of(live)
    generated_rows, generated_output = screen_of(generated)
    assert launch_command(live_output) == launch_command(generated_output)
    assert training_output(live_rows) == training_output(generated_rows)
    assert any("Training summary" in row for row in training_output(live_rows))


def _processes(under: Path) -> set[str]:
    """This test's own shells: other test files record live on the other xdist worker."""
    result = subprocess.run(["ps", "-eo", "args"], capture_output=True, text=True, check=True)
    return {line for line in result.stdout.splitlines() if f"{under}/genact-cast-live-" in line}


def test_a_timeout_is_one_message_and_leaves_nothing_behind(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("genact_cast.live.run_timeout", lambda seconds: 2)
    scratch = tmp_path / "tmp"
    scratch.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(scratch))
    output = tmp_path / "never.cast"
    with pytest.raises(GenactCastError, match="timed out"):
        record_live(RecordOptions(seed=3, duration=60.0), output, overwrite=False)
    assert not output.exists()
    deadline = time.monotonic() + 5  # a loaded machine reaps the killed shells a little later
    while _processes(scratch) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not _processes(scratch)
    assert not [p for p in os.listdir(scratch) if "genact-cast-live" in p]


def test_a_missing_asciinema_is_named(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("genact_cast.live.find_program", lambda name: None)
    monkeypatch.setenv("PATH", str(tmp_path))
    with pytest.raises(GenactCastError, match="asciinema is not installed"):
        record_live(RecordOptions(seed=3, duration=5.0), tmp_path / "x.cast", overwrite=False)


def test_generated_run_without_prompt_prints_the_same_run() -> None:
    with_prompt = generate(RecordOptions(seed=9, duration=15.0)).events
    without = generate(RecordOptions(seed=9, duration=15.0, prompt=False)).events
    a = "".join(e.data for e in with_prompt if e.code == "o")
    b = "".join(e.data for e in without if e.code == "o")
    assert b in a
    assert "torchrun" in a
    assert "torchrun" not in b


def test_a_framework_is_recorded_live_as_generated(tmp_path: Path) -> None:
    """The dialect's launch command is the shell function, and the run matches `record`."""
    live, generated = tmp_path / "live.cast", tmp_path / "generated.cast"
    # (seed 3's OLMo-2-13B is refused by megatron since review-mg10 finding 4)
    options = [*OPTIONS, "--framework", "megatron", "--model", "Qwen2.5-14B", "--no-color"]
    result = subprocess.run(
        [sys.executable, "-m", "genact_cast", "record", "--live", *options, "-o", str(live)],
        capture_output=True, text=True, timeout=180, cwd=ROOT,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    subprocess.run(
        [sys.executable, "-m", "genact_cast", "record", *options, "-o", str(generated)],
        check=True, capture_output=True, timeout=60, cwd=ROOT,
    )  # fmt: skip
    (live_rows, live_out), (rows, _) = screen_of(live), screen_of(generated)
    assert "pretrain_gpt.py --num-layers " in live_out
    # Megatron's last words: the test split's validation block.
    last = max(i for i, row in enumerate(rows) if "on test set |" in row)
    live_last = max(i for i, row in enumerate(live_rows) if "on test set |" in row)
    assert live_rows[live_last - 8 : live_last + 1] == rows[last - 8 : last + 1]


def test_a_signal_as_asciinema_starts_leaves_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A signal taken while pexpect starts asciinema (after its fork, before ptyprocess
    has an object for it, its handler run there as CPython does at any bytecode once the
    GIL has passed) left the script without a `process`, and asciinema recorded on,
    orphaned."""
    import pty

    from genact_cast.atomic import stop_on_signals
    from genact_cast.errors import Terminated

    started: list[int] = []
    fork = pty.fork

    def then_a_signal() -> tuple[int, int]:
        pid, fd = fork()
        if pid != 0:  # in this process, not in asciinema's
            started.append(pid)
            os.kill(os.getpid(), signal.SIGTERM)
            signal.pthread_sigmask(signal.SIG_BLOCK, [])  # runs the pending handlers here
        return pid, fd

    monkeypatch.setattr(pty, "fork", then_a_signal)
    scratch = tmp_path / "tmp"
    scratch.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(scratch))
    try:
        with pytest.raises(Terminated), stop_on_signals():
            record_live(RecordOptions(seed=3, duration=60.0), tmp_path / "x.cast", overwrite=False)
        (asciinema,) = started
        assert not Path(f"/proc/{asciinema}").exists(), "asciinema still runs"
        assert not _processes(scratch)
    finally:
        for pid in started:
            with contextlib.suppress(OSError):
                os.kill(pid, signal.SIGKILL)
    assert list(scratch.iterdir()) == []
    assert not (tmp_path / "x.cast").exists()
