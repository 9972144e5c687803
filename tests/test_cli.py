"""The command line: documented exit codes, one-line messages, files written atomically."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from genact_cast.atomic import atomic_output
from genact_cast.errors import OutputError


def run(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "genact_cast", *args],
        capture_output=True,
        text=True,
        cwd=cwd,
        timeout=120,
    )


def test_record_writes_a_cast_and_says_so(tmp_path: Path) -> None:
    out = tmp_path / "run.cast"
    result = run("record", "--seed", "7", "-o", str(out))
    assert result.returncode == 0, result.stderr
    assert "wrote" in result.stderr
    assert "seed 7" in result.stderr
    header = json.loads(out.read_text().splitlines()[0])
    assert header["version"] == 2
    assert [p.name for p in tmp_path.iterdir()] == ["run.cast"]  # no temporary left


def test_default_output_is_out_cast_in_the_current_directory(tmp_path: Path) -> None:
    assert run("record", "--seed", "1", "--duration", "5", cwd=tmp_path).returncode == 0
    assert (tmp_path / "out.cast").exists()


def test_without_a_seed_a_random_one_is_printed_and_reproduces(tmp_path: Path) -> None:
    result = run("record", "--duration", "5", "-o", str(tmp_path / "a.cast"))
    assert result.returncode == 0
    seed = result.stderr.split("--seed ")[1].split()[0]
    run("record", "--duration", "5", "--seed", seed, "-o", str(tmp_path / "b.cast"))
    assert (tmp_path / "a.cast").read_bytes() == (tmp_path / "b.cast").read_bytes()


def test_existing_file_is_kept_without_overwrite(tmp_path: Path) -> None:
    out = tmp_path / "keep.cast"
    out.write_text("precious")
    result = run("record", "--seed", "1", "-o", str(out))
    assert result.returncode == 1
    assert (
        result.stderr.strip()
        == f"genact-cast: {out} already exists (use --overwrite to replace it)"
    )
    assert out.read_text() == "precious"
    assert run("record", "--seed", "1", "-o", str(out), "--overwrite").returncode == 0
    assert out.read_text().startswith('{"version": 2')


def test_output_to_stdout_with_dash() -> None:
    result = run("record", "--seed", "2", "--duration", "5", "--format", "v3", "-o", "-")
    assert result.returncode == 0
    assert json.loads(result.stdout.splitlines()[0])["version"] == 3


@pytest.mark.parametrize(
    ("args", "code", "needle"),
    [
        (["--cols", "40"], 2, "--cols must be from 60"),
        (["--duration", "-5"], 2, "--duration must be more than 0"),
        (["--duration", "soon"], 2, "--duration takes seconds"),
        (["--speed", "0"], 2, "--speed must be from 0.01 to 1000"),
        (["--model", "GPT-9"], 2, "unknown model 'GPT-9'"),
        (["--gpu", "V100"], 2, "unknown GPU 'V100'"),
        (["--gpus", "12"], 2, "--gpus must be one of"),
        (["--theme", "neon"], 2, "unknown theme 'neon'"),
        (["--format", "v9"], 2, "--format"),
        (["--seed", "abc"], 2, "--seed"),
        (["--start", "yesterday"], 2, "--start must be an ISO 8601 time"),
        (["-o", "/nonexistent-dir/x.cast"], 1, "directory /nonexistent-dir does not exist"),
        (["-o", "/etc/passwd/x.cast"], 1, "cannot write"),
        (["--model", "Llama-3-405B", "--gpus", "8"], 2, "cannot make a believable"),
    ],
)
def test_bad_input_gets_one_line_and_no_traceback(
    tmp_path: Path, args: list[str], code: int, needle: str
) -> None:
    result = run("record", "--seed", "1", *args, cwd=tmp_path)
    assert result.returncode == code
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("genact-cast: ")
    assert needle in lines[0]
    assert "Traceback" not in result.stderr
    assert list(tmp_path.iterdir()) == []


def test_help_and_version() -> None:
    assert "record" in run("--help").stdout
    assert "--duration" in run("record", "--help").stdout
    version = run("--version")
    assert version.returncode == 0
    assert version.stdout.startswith("genact-cast ")


def test_shell_completion_is_offered() -> None:
    assert "--install-completion" in run("--help").stdout


def test_atomic_output_leaves_nothing_when_interrupted(tmp_path: Path) -> None:
    target = tmp_path / "x.cast"
    with pytest.raises(KeyboardInterrupt), atomic_output(target, overwrite=False) as stream:  # noqa: PT012
        stream.write(b"half")
        raise KeyboardInterrupt
    assert list(tmp_path.iterdir()) == []


def test_atomic_output_never_clobbers_a_file_created_meanwhile(tmp_path: Path) -> None:
    target = tmp_path / "x.cast"
    with (  # noqa: PT012
        pytest.raises(OutputError, match="already exists"),
        atomic_output(target, overwrite=False) as stream,
    ):
        stream.write(b"mine")
        target.write_text("theirs")
    assert target.read_text() == "theirs"
    assert [p.name for p in tmp_path.iterdir()] == ["x.cast"]


def test_ctrl_c_during_record_exits_130_and_leaves_no_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from genact_cast import cli
    from genact_cast.asciicast import encode as real_encode

    def interrupted_encode(*args: object, **kwargs: object) -> object:
        for count, line in enumerate(real_encode(*args, **kwargs)):  # type: ignore[arg-type]
            if count == 100:
                raise KeyboardInterrupt
            yield line

    monkeypatch.setattr("genact_cast.commands.record.encode", interrupted_encode)
    monkeypatch.setattr(
        sys, "argv", ["genact-cast", "record", "--seed", "1", "-o", str(tmp_path / "x.cast")]
    )
    with pytest.raises(SystemExit) as exit_info:
        cli.main()
    assert exit_info.value.code == 130
    assert capsys.readouterr().err.strip() == "genact-cast: interrupted"
    assert list(tmp_path.iterdir()) == []


def test_pinned_choices_show_in_the_cast(tmp_path: Path) -> None:
    out = tmp_path / "p.cast"
    args = ["--model", "llama-3-8b", "--gpus", "256", "--gpu", "H200", "--dataset", "FineWeb-Edu"]
    assert run("record", "--seed", "4", "--no-color", *args, "-o", str(out)).returncode == 0
    text = out.read_text()
    assert "Building model: Llama-3-8B" in text
    assert "256 GPUs across 32 nodes" in text
    assert "Dataset: FineWeb-Edu (1.3T tokens)" in text
    assert "/139.8GiB" in text


def test_header_options_are_written(tmp_path: Path) -> None:
    out = tmp_path / "h.cast"
    args = ["--title", "Demo", "--idle-time-limit", "1.5", "--theme", "dracula", "--cols", "120"]
    assert (
        run(
            "record", "--seed", "4", *args, "--start", "2026-01-30T14:23:15Z", "-o", str(out)
        ).returncode
        == 0
    )
    header = json.loads(out.read_text().splitlines()[0])
    assert header["title"] == "Demo"
    assert header["idle_time_limit"] == 1.5
    assert header["theme"]["bg"] == "#282a36"
    assert header["width"] == 120
    assert header["timestamp"] == 1769782995
    assert "[2026-01-30 14:23:15]" in out.read_text()
    assert os.stat(out).st_mode & 0o777 == 0o666 & ~_umask()


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask
