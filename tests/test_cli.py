"""The command line: documented exit codes, one-line messages, files written atomically."""

from __future__ import annotations

import contextlib
import io
import json
import os
import re
import shutil
import signal
import stat
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from genact_cast.atomic import atomic_output
from genact_cast.errors import OutputError

CAST = Path(__file__).resolve().parent.parent / "casts" / "seed7-80x24.cast"


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
        (["--duration", "0.0001s"], 2, "--duration must be from 1 to 86400 seconds"),
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
        (
            ["--kind", "continue", "--model", "Llama-3.1-405B", "--gpus", "8"],
            2,
            "cannot make a believable",
        ),
        (["--failures", "some"], 2, "--failures must be auto or a whole number"),
        (["--failures", "65"], 2, "--failures must be auto or from 0 to 64"),
        (["--failures", "30", "--gpus", "8"], 2, "use auto or at most"),
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


@pytest.mark.parametrize(
    ("args", "needle"),
    [(["--cols", "0"], "--cols must be from 60 to 1000 (got 0)"),
     (["--rows", "0"], "--rows must be from 20 to 500 (got 0)")],
)  # fmt: skip
def test_run_refuses_a_zero_size_as_record_does(args: list[str], needle: str) -> None:
    """0 was taken as "not given" (the terminal's size), where record refuses it."""
    result = run("run", "--seed", "1", *args)
    assert (result.returncode, result.stderr) == (2, f"genact-cast: {needle}\n")


def test_run_names_the_terminals_own_size_for_the_dashboard() -> None:
    """It named the log's 60x20 floor (got 60x20) for a 30x10 terminal."""
    env = {**os.environ, "COLUMNS": "30", "LINES": "10"}  # as shutil reads a terminal's size
    result = subprocess.run(
        [sys.executable, "-m", "genact_cast", "run", "--layout", "dashboard", "--seed", "1"],
        capture_output=True, text=True, timeout=120, env=env,
    )  # fmt: skip
    assert result.returncode == 2
    assert "needs a terminal of at least 80x24 (got 30x10)" in result.stderr


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
    from genact_cast.asciicast import CastWriter, Event

    real_add = CastWriter.add

    def interrupted_add(self: CastWriter, event: Event) -> None:
        if self.count == 100:
            raise KeyboardInterrupt
        real_add(self, event)

    monkeypatch.setattr(CastWriter, "add", interrupted_add)
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
    assert "(Llama-3-8B architecture)" in text  # from scratch: a project's own name
    assert "256 GPUs across 32 nodes" in text
    # The card's 1.3T GPT-2 tokens are 1.1T of Llama 3's (4.103 against 4.776 characters each).
    assert "Dataset: FineWeb-Edu (1.1T tokens)" in text
    assert "/139.8GiB" in text


def test_header_options_are_written(tmp_path: Path) -> None:
    out = tmp_path / "h.cast"
    args = ["--title", "Demo", "--idle-time-limit", "1.5", "--theme", "dracula", "--cols", "120"]
    assert (
        run(
            "record", "--seed", "4", *args, "--start", "2025-10-30T14:23:15Z", "-o", str(out)
        ).returncode
        == 0
    )
    header = json.loads(out.read_text().splitlines()[0])
    assert header["title"] == "Demo"
    assert header["idle_time_limit"] == 1.5
    assert header["theme"]["bg"] == "#282a36"
    assert header["width"] == 120
    assert header["timestamp"] == 1761834195
    assert "[2025-10-30 14:23:15]" in out.read_text()
    assert os.stat(out).st_mode & 0o777 == 0o666 & ~_umask()


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


# --- Signals, temporary files, special files, full disks. ------------------------------

# Runs `record` with its writing slowed down at the 100th event, so that a signal lands
# while the temporary file is open; "writing" on stderr says when.
SLOW_RECORD = """
import sys, time
from genact_cast import cli
from genact_cast.asciicast import CastWriter

real_add = CastWriter.add

def slow_add(self, event):
    if self.count == 100:
        self.flush()
        print("writing", file=sys.stderr, flush=True)
        time.sleep(60)
    real_add(self, event)

CastWriter.add = slow_add
sys.argv = ["genact-cast", "record", "--seed", "1", "-o", sys.argv[1]]
cli.main()
"""


STOPPING = [signal.SIGTERM, signal.SIGHUP, signal.SIGQUIT, signal.SIGUSR1, signal.SIGUSR2,
            signal.SIGALRM, signal.SIGABRT]  # fmt: skip


@pytest.mark.parametrize(("signum", "code"), [(sig, 128 + sig) for sig in STOPPING])
def test_a_stopping_signal_during_record_leaves_no_temporary_file(
    tmp_path: Path, signum: int, code: int
) -> None:
    process = subprocess.Popen(
        [sys.executable, "-c", SLOW_RECORD, str(tmp_path / "x.cast")],
        stderr=subprocess.PIPE, text=True,
    )  # fmt: skip
    assert process.stderr is not None
    assert process.stderr.readline() == "writing\n"
    (temporary,) = tmp_path.iterdir()  # it is there
    assert temporary.name.startswith(".x.cast.")
    process.send_signal(signum)
    assert process.wait(timeout=30) == code
    name = signal.Signals(signum).name
    assert process.stderr.read() == f"genact-cast: stopped by {name}\n"
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("suffix", ["svg", "html"])
def test_record_to_svg_or_html_never_touches_the_system_temporary_directory(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, suffix: str
) -> None:
    import tempfile

    from genact_cast import cli

    def no_temp_dir() -> str:
        raise AssertionError("the system temporary directory was used")

    monkeypatch.setattr(tempfile, "gettempdir", no_temp_dir)
    out = tmp_path / f"x.{suffix}"
    argv = ["genact-cast", "record", "--seed", "2", "--duration", "5", "-o", str(out)]
    monkeypatch.setattr(sys, "argv", argv)
    with pytest.raises(SystemExit) as exit_info:
        cli.main()
    assert exit_info.value.code == 0
    assert out.read_bytes().startswith(b"<svg" if suffix == "svg" else b"<!DOCTYPE html>")
    assert [p.name for p in tmp_path.iterdir()] == [out.name]


def test_embed_svg_from_stdin_spools_beside_its_output_only(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Standard input, read twice for an animated SVG (its frames counted first), is
    spooled in the SVG's folder, as the SVG's own parts are: not in the system's temporary
    directory, and with no name there (nothing but the SVG is left)."""
    import tempfile

    from genact_cast import cli

    def no_temp_dir() -> str:
        raise AssertionError("the system temporary directory was used")

    monkeypatch.setattr(tempfile, "gettempdir", no_temp_dir)
    out = tmp_path / "x.svg"
    cast = Path(__file__).parent.parent / "casts" / "seed7-80x24.cast"
    with cast.open("rb") as stdin:
        monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(stdin))
        monkeypatch.setattr(sys, "argv", ["genact-cast", "embed", "-", "--svg", str(out)])
        with pytest.raises(SystemExit) as exit_info:
            cli.main()
    assert exit_info.value.code == 0
    assert out.read_bytes().startswith(b"<svg")
    assert [p.name for p in tmp_path.iterdir()] == [out.name]


def test_sigterm_during_record_to_gif_removes_its_temporary_cast(tmp_path: Path) -> None:
    temp = tmp_path / "tmp"
    temp.mkdir()
    process = subprocess.Popen(
        [sys.executable, "-m", "genact_cast", "record", "--seed", "2", "-o",
         str(tmp_path / "x.gif")],
        stderr=subprocess.PIPE, text=True, env={**os.environ, "TMPDIR": str(temp)},
    )  # fmt: skip
    deadline = time.monotonic() + 60
    while not list(temp.glob("genact-cast-*/*.cast")) and time.monotonic() < deadline:
        time.sleep(0.01)
    assert list(temp.glob("genact-cast-*/*.cast")), "the temporary cast never appeared"
    process.send_signal(signal.SIGTERM)
    assert process.wait(timeout=30) == 143
    assert list(temp.iterdir()) == []
    assert not (tmp_path / "x.gif").exists()


@pytest.mark.skipif(not Path("/proc/self/task").is_dir(), reason="reads /proc")
def test_a_signal_while_the_gif_is_drawn_stops_it_and_leaves_nothing(tmp_path: Path) -> None:
    """review-attack12 F12: SIGQUIT while agg drew a GIF left its temporary files (and
    agg ran on for minutes). The GIF is drawn in-process now (publish/gif.py): a signal
    while its temporary file grows stops genact-cast in order and leaves nothing, in the
    output's folder or the temporary one."""
    cast = tmp_path / "in.cast"
    cast.write_bytes((Path(__file__).parent.parent / "casts" / "seed7-80x24.cast").read_bytes())
    temp = tmp_path / "tmp"
    temp.mkdir()
    out = tmp_path / "out"
    out.mkdir()
    process = subprocess.Popen(
        [sys.executable, "-m", "genact_cast", "embed", str(cast), "--gif", str(out / "x.gif")],
        stderr=subprocess.PIPE, text=True, env={**os.environ, "TMPDIR": str(temp)},
    )  # fmt: skip
    deadline = time.monotonic() + 60
    # The GIF streams into the output's temporary file beside it (667df46).
    while not list(out.iterdir()) and time.monotonic() < deadline:
        time.sleep(0.01)
    assert list(out.iterdir()), "the GIF was never started"
    process.send_signal(signal.SIGQUIT)
    assert process.wait(timeout=30) == 128 + signal.SIGQUIT
    assert process.stderr is not None
    assert process.stderr.read() == "genact-cast: stopped by SIGQUIT\n"
    assert list(temp.iterdir()) == []
    assert list(out.iterdir()) == []


def test_a_signal_as_a_child_starts_stops_it(monkeypatch: pytest.MonkeyPatch) -> None:
    """A signal handled while Popen waits for a child to start (after the fork, before the
    object is returned: a loaded machine's window) raised there, and the child (agg, then
    drawing a GIF) ran on, orphaned, after "stopped by SIGTERM". Shown here with the child
    that remains, fc-match listing the fonts for the PNG and the video (the GIF is drawn
    in-process since agg went). The signal is sent at the end of that wait and
    its handler run there, as CPython does at any bytecode once the GIL has passed, with a
    second thread alive (rich's, xdist's): the masks of f8a507c held it only in the main
    thread, the kernel gave it to the other, and the child outlived it (ci-s9d).
    tests/test_held_signals.py sends signals at random moments of a start."""
    from genact_cast.atomic import stop_on_signals
    from genact_cast.errors import Terminated
    from genact_cast.publish import font_lookup

    if shutil.which("fc-match") is None:
        pytest.skip("fc-match (fontconfig) is not installed")
    font_lookup._sorted_fonts.cache_clear()
    started: list[int] = []
    execute_child = subprocess.Popen._execute_child  # type: ignore[attr-defined]

    def then_a_signal(self: subprocess.Popen[str], *args: object, **kwargs: object) -> None:
        execute_child(self, *args, **kwargs)
        started.append(self.pid)
        os.kill(os.getpid(), signal.SIGTERM)
        time.sleep(0.05)  # (whatever thread the kernel gave it to has noted it by now)
        signal.pthread_sigmask(signal.SIG_BLOCK, [])  # runs the pending handlers here

    monkeypatch.setattr(subprocess.Popen, "_execute_child", then_a_signal)
    done = threading.Event()
    other = threading.Thread(target=done.wait, daemon=True)
    other.start()
    try:
        with pytest.raises(Terminated), stop_on_signals():
            font_lookup._sorted_fonts()
        (child,) = started
        assert not Path(f"/proc/{child}").exists(), "fc-match still runs"
    finally:
        font_lookup._sorted_fonts.cache_clear()
        done.set()
        for pid in started:
            with contextlib.suppress(OSError):
                os.kill(pid, signal.SIGKILL)
                os.waitpid(pid, 0)


def _special_files(tmp_path: Path) -> list[Path]:
    fifo = tmp_path / "fifo"
    os.mkfifo(fifo)
    link = tmp_path / "link-to-fifo"  # as /dev/stdout is a link to a pipe or a terminal
    link.symlink_to(fifo)
    made = [fifo, link]
    with contextlib.suppress(PermissionError):  # a device node needs root
        device = tmp_path / "null"
        os.mknod(device, stat.S_IFCHR | 0o666, os.makedev(1, 3))
        made.append(device)
    return made


def test_a_device_or_fifo_is_never_replaced_even_with_overwrite(tmp_path: Path) -> None:
    for special in _special_files(tmp_path):
        kind = stat.S_IFMT(special.lstat().st_mode)  # a link stays a link
        for args in (["record", "--seed", "1", "--duration", "5"], ["embed", str(CAST), "--svg"]):
            if args[0] == "record":
                args = [*args, "-o"]
            result = run(*args, str(special), "--overwrite")
            assert result.returncode == 1
            assert result.stderr == (
                f"genact-cast: {special} is not a regular file (a device, FIFO or socket); "
                "it is never replaced, even with --overwrite\n"
            )
            assert stat.S_IFMT(special.lstat().st_mode) == kind
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".")]


@pytest.mark.parametrize(
    "args",
    [["record", "--seed", "1", "--duration", "5", "-o", "-"], ["info", "--json"], ["info"]],
    ids=["record", "info-json", "info"],
)
def test_stdout_on_a_full_disk_is_one_line_and_exit_1(args: list[str]) -> None:
    if args[0] == "info":
        args = [*args, str(CAST)]
    with open("/dev/full", "w") as full:
        result = subprocess.run(
            [sys.executable, "-m", "genact_cast", *args],
            stdout=full, stderr=subprocess.PIPE, text=True, timeout=60,
        )  # fmt: skip
    assert result.returncode == 1
    assert (
        result.stderr == "genact-cast: cannot write to standard output: No space left on device\n"
    )


# --- info: the cast's text is shown, never obeyed. -------------------------------------

EVIL_TITLE = (
    "\x1b]52;c;aGVsbG8=\x07\x1b[6n[link=https://evil.example]click[/link] \x9b6n \udc9d :smile:"
)
EVIL_CAST = (
    json.dumps({
        "version": 2, "width": 80, "height": 24, "title": EVIL_TITLE,
        "theme": {"fg": "[bold red]\x1b]4;1;#ff0000\x07", "bg": "#000", "palette": "#000"},
    })
    + "\n"
    + json.dumps([1.0, "m", "\x1b]8;;https://evil.example\x07marker\x1b]8;;\x07\u202e"])
    + "\n"
)  # fmt: skip
ESCAPES = re.compile("\x1b[\\]P_^X]|\x1b\\[[0-9;?]*[nct]|[\x80-\x9f\ud800-\udfff\u202e]")


def test_info_shows_titles_markers_and_theme_escaped_never_as_markup(tmp_path: Path) -> None:
    cast = tmp_path / "evil.cast"
    cast.write_text(EVIL_CAST, "utf-8", errors="surrogatepass")
    # As on a terminal (colours on): only our own style sequences may appear.
    env = {**os.environ, "FORCE_COLOR": "1", "COLUMNS": "200"}
    result = subprocess.run(
        [sys.executable, "-m", "genact_cast", "info", str(cast)],
        capture_output=True, env=env, timeout=60,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    out = result.stdout.decode("utf-8")
    assert ESCAPES.search(out) is None
    assert "\x1b[" in out  # it was styled
    assert "[link=https://evil.example]click[/link]" in out  # literal, not a hyperlink
    assert ":smile:" in out
    # The reader ignores a theme that is not colours: nothing of it reaches the terminal.
    assert re.search(r"theme\S*\s+(\x1b\[0m)?-", out)
    assert "bold red" not in out
    assert "\\x1b]52;c;aGVsbG8=\\x07" in out


def test_info_json_escapes_c1_and_lone_surrogates_and_reads_back(tmp_path: Path) -> None:
    cast = tmp_path / "evil.cast"
    cast.write_text(EVIL_CAST, "utf-8", errors="surrogatepass")
    result = run("info", "--json", str(cast))
    assert result.returncode == 0, result.stderr
    assert re.search("[\x00-\x09\x0b-\x1f\x7f-\x9f\ud800-\udfff]", result.stdout) is None
    # The reader turns a lone surrogate into U+FFFD, as it does for every cast.
    assert json.loads(result.stdout)["title"] == EVIL_TITLE.replace("\udc9d", "\ufffd")


def test_info_does_not_wrap_a_long_path_on_a_wide_terminal(tmp_path: Path) -> None:
    folder = tmp_path / ("a-rather-long-folder-name-" * 4)
    folder.mkdir()
    cast = folder / "seed7.cast"
    cast.write_bytes(CAST.read_bytes())
    env = {**os.environ, "COLUMNS": "300"}
    result = subprocess.run(
        [sys.executable, "-m", "genact_cast", "info", str(cast)],
        capture_output=True, text=True, env=env, timeout=60,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert str(cast) in result.stdout.splitlines()


def test_sigterm_during_a_live_recording_removes_its_temporary_directory(tmp_path: Path) -> None:
    temp = tmp_path / "tmp"
    temp.mkdir()
    out = tmp_path / "live.cast"
    process = subprocess.Popen(
        [sys.executable, "-m", "genact_cast", "record", "--live", "--seed", "3", "--duration",
         "10", "--speed", "4", "-o", str(out)],
        stderr=subprocess.PIPE, text=True, env={**os.environ, "TMPDIR": str(temp)},
    )  # fmt: skip
    deadline = time.monotonic() + 60
    # Once asciinema has started (it writes the cast's header): a signal in the middle
    # of a fork lands in a fork hook, where Python drops the exception, and is only
    # raised again when the recording ends.
    while not list(temp.glob("genact-cast-live-*/live.cast")) and time.monotonic() < deadline:
        time.sleep(0.01)
    assert list(temp.glob("genact-cast-live-*/live.cast")), "the live recording never started"
    process.send_signal(signal.SIGTERM)
    assert process.wait(timeout=30) == 143
    assert process.stderr is not None
    assert process.stderr.read() == "genact-cast: stopped by SIGTERM\n"
    assert list(temp.iterdir()) == []
    assert list(tmp_path.iterdir()) == [temp]


@pytest.mark.filterwarnings("ignore::pytest.PytestUnraisableExceptionWarning")
def test_a_signal_whose_exception_python_dropped_is_raised_when_the_block_ends() -> None:
    from genact_cast.atomic import stop_on_signals
    from genact_cast.errors import Terminated

    class Finalizer:
        def __del__(self) -> None:  # Python drops exceptions raised in here
            os.kill(os.getpid(), signal.SIGTERM)
            for _ in range(10_000):
                pass

    finished = False
    with pytest.raises(Terminated), stop_on_signals():  # noqa: PT012
        Finalizer()
        finished = True  # the dropped exception did not stop the block...
    assert finished  # ...but its signal was raised when the block ended
