"""What a new user meets first: the help, Ctrl-C at any moment, option errors before
output errors, out-of-range numbers as one line with exit 2, and outputs whose names
ask for an export."""

from __future__ import annotations

import contextlib
import io
import os
import re
import signal
import string
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import IO

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

ROOT = Path(__file__).resolve().parent.parent
CAST = ROOT / "casts" / "seed7-80x24.cast"


def genact(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "genact_cast", *args],
        cwd=cwd, capture_output=True, text=True, timeout=120,
    )  # fmt: skip


def test_no_arguments_prints_the_help_as_it_is_laid_out() -> None:
    result = genact()
    assert result.returncode == 2  # as click's own no-arguments help
    lines = result.stderr.splitlines()
    assert lines[0].startswith("Usage: ")
    assert lines[0].endswith(" COMMAND [ARGS]...")
    commands = lines[lines.index("Commands:") + 1 :]
    assert [line.split()[0] for line in commands] == [
        "record", "play", "run", "info", "embed", "upload", "auth",
    ]  # fmt: skip
    assert "genact-cast: Usage" not in result.stderr


@pytest.mark.parametrize("delay_ms", range(0, 160, 8))
def test_ctrl_c_at_any_moment_is_exit_130_without_a_traceback(delay_ms: int) -> None:
    process = subprocess.Popen(
        [sys.executable, "-m", "genact_cast", "record", "--seed", "1", "-o", "-"],
        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
    )  # fmt: skip
    time.sleep(delay_ms / 1000)
    process.send_signal(signal.SIGINT)
    _, stderr = process.communicate(timeout=60)
    if "Traceback" in stderr and f"{os.sep}genact_cast{os.sep}" not in stderr:
        # Landed in the interpreter's own start-up (site and its .pth files, runpy finding
        # the package): before any code of ours can run, nothing can catch it.
        return
    assert "Traceback" not in stderr
    if process.returncode == -signal.SIGINT:
        return  # before the interpreter set its handler: killed by the signal, as a shell says 130
    if process.returncode == 0:
        return  # it had finished already
    assert process.returncode == 130, stderr
    assert stderr == "genact-cast: interrupted\n"


def test_ctrl_c_while_the_entry_module_imports_is_one_line() -> None:
    """Review-attack6 item 6: a SIGINT that lands while genact_cast.entry imports its own
    modules (as the console script starts) is the one line and 130, not a traceback."""
    code = (
        "import os, signal, sys\n"
        "class Interrupt:\n"
        "    def find_spec(self, name, path=None, target=None):\n"
        "        if name == 'typing':\n"
        "            os.kill(os.getpid(), signal.SIGINT)\n"
        "        return None\n"
        "sys.meta_path.insert(0, Interrupt())\n"
        "from genact_cast.entry import main\n"
        "main()\n"
    )
    assert "typing" not in subprocess.run(
        [sys.executable, "-c", "import sys; print(*sys.modules)"],
        capture_output=True, text=True, check=True,
    ).stdout.split()  # fmt: skip
    result = subprocess.run(
        [sys.executable, "-c", code, "info", str(CAST)],
        capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    assert result.stderr == "genact-cast: interrupted\n"
    assert result.returncode == 130


def test_ctrl_c_while_a_class_sets_its_names_is_one_line() -> None:
    """CI on 6ee1453: a SIGINT that lands while a module's class calls __set_name__ (ipaddress's
    cached properties, as urllib.parse imports it) reaches Python 3.11's caller wrapped in a
    RuntimeError, its KeyboardInterrupt the cause: still the one line and 130 (3.12 on raises
    it as it is)."""
    code = (
        "import os, signal\n"
        "from genact_cast.entry import main\n"
        "import genact_cast.cli as cli\n"
        "class Name:\n"
        "    def __set_name__(self, owner, name):\n"
        "        os.kill(os.getpid(), signal.SIGINT)\n"
        "def run():\n"
        "    class Interface:\n"
        "        ip = Name()\n"
        "cli.main = run\n"
        "main()\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=60
    )
    assert result.stderr == "genact-cast: interrupted\n"
    assert result.returncode == 130


def test_an_option_error_comes_before_an_existing_output(tmp_path: Path) -> None:
    (tmp_path / "out.cast").write_text("mine")
    for args, message in (
        (["--speed", "0"], "genact-cast: --speed must be from 0.01 to 1000 (got 0)\n"),
        (["--model", "Nope"], "genact-cast: unknown model 'Nope'"),
        (["--cols", "5"], "genact-cast: --cols must be from 60 to 1000 (got 5)\n"),
    ):
        result = genact("record", *args, cwd=tmp_path)
        assert result.returncode == 2, result.stderr
        assert result.stderr.startswith(message)
    assert (tmp_path / "out.cast").read_text() == "mine"


@pytest.mark.parametrize("command", ["record", "run"])
def test_a_start_time_out_of_range_is_one_line(command: str) -> None:
    args = ["-o", "-"] if command == "record" else ["--exit-after", "1s"]
    result = genact(command, "--start", "9999-12-31T23:59:59-23:59", *args)
    assert result.returncode == 2
    assert result.stderr.startswith("genact-cast: --start must be an ISO 8601 time")
    assert result.stderr.count("\n") == 1


@pytest.mark.parametrize(
    ("args", "option"),
    [
        (["--vtt", "x.vtt", "--speed", "1e-300"], "--speed"),
        (["--text", "x.txt", "--speed", "1e-12"], "--speed"),
        (["--mp4", "x.mp4", "--speed", "1e-12"], "--speed"),
        (["--svg", "x.svg", "--speed", "1e300"], "--speed"),
        (["--webm", "x.webm", "--fps", "100000"], "--fps-cap"),
        (["--svg", "x.svg", "--fps-cap", "100000000000000000000"], "--fps-cap"),
        (["--gif", "x.gif", "--font-size", "100000"], "--font-size"),
        (["--png", "x.png", "--at", "1e300"], "--at"),
        (["--vtt", "x.vtt", "--idle-time-limit", "1e300"], "--idle-time-limit"),
        (["--vtt", "x.vtt", "--start-at", "1e308"], "--start-at"),  # round() overflowed
        (["--text", "x.txt", "--end-at", "1e308"], "--end-at"),
    ],
)
def test_numbers_out_of_range_are_one_line_and_exit_2(
    tmp_path: Path, args: list[str], option: str
) -> None:
    result = genact("embed", str(CAST), *args, cwd=tmp_path)
    assert result.returncode == 2, result.stderr
    assert result.stderr.startswith(f"genact-cast: {option} must be")
    assert result.stderr.count("\n") == 1
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("limit", ["1e308", "1e200"])
def test_record_refuses_an_idle_limit_its_own_reader_would_refuse(
    tmp_path: Path, limit: str
) -> None:
    """1e308 overflowed in the writer; 1e200 wrote a cast info/play/embed then refused."""
    result = genact("record", "--idle-time-limit", limit, "-o", "x.cast", cwd=tmp_path)
    assert result.returncode == 2, result.stderr
    assert result.stderr.startswith("genact-cast: --idle-time-limit must be")
    assert list(tmp_path.iterdir()) == []


def test_record_to_a_text_or_subtitles_name_writes_that_export(tmp_path: Path) -> None:
    for name, start in (("final.txt", ""), ("subs.vtt", "WEBVTT\n")):
        result = genact("record", "--seed", "3", "--duration", "5", "-o", name, cwd=tmp_path)
        assert result.returncode == 0, result.stderr
        text = (tmp_path / name).read_text()
        assert text.startswith(start)
        assert '"version"' not in text  # never a cast under that name
    assert sorted(p.name for p in tmp_path.iterdir()) == ["final.txt", "subs.vtt"]


def test_record_to_a_markdown_name_is_refused_before_any_work(tmp_path: Path) -> None:
    result = genact("record", "--seed", "3", "-o", "x.md", cwd=tmp_path)
    assert result.returncode == 2
    assert "embed demo.cast --markdown x.md" in result.stderr
    assert result.stderr.count("\n") == 1
    assert list(tmp_path.iterdir()) == []


@given(
    name=st.sampled_from(["v", "x.y", "out.cast", "run-3"]),
    extension=st.text(st.sampled_from(string.ascii_letters), min_size=1, max_size=6),
)
def test_an_extension_that_is_no_cast_nor_export_is_refused_by_name(
    name: str, extension: str
) -> None:
    """review-attack12 F2: v.mkv, x.jpg, x.json were written as cast JSON under that name."""
    from genact_cast.commands.embed import SUFFIXES
    from genact_cast.commands.record import rendering_for
    from genact_cast.errors import BadOption

    assume(extension.lower() not in ("cast", *SUFFIXES))
    with pytest.raises(
        BadOption, match=r"is neither a cast nor an export genact-cast writes; .*\.cast, "
    ):
        rendering_for(Path(f"{name}.{extension}"))


@pytest.mark.parametrize("name", ["run", "llama-3.1", "run-1.5b", ".hidden", "/dev/stdout"])
def test_a_name_without_a_format_extension_is_a_cast(name: str) -> None:
    from genact_cast.commands.record import rendering_for

    assert rendering_for(Path(name)) is None


@pytest.mark.parametrize(("args", "needle"), [
    (["-o", "v.mkv"], "-o v.mkv: .mkv is neither a cast nor an export genact-cast writes; name the "
     "file with one of: .cast, .svg, .gif, .html, .htm, .mp4, .webm, .png, .txt, .vtt"),
    (["-o", "x."], "-o x.: a trailing dot is neither a cast nor an export"),
    (["--live", "-o", "-"], "--live records into a file: give -o a file name (-o demo.cast)"),
])  # fmt: skip
def test_record_outputs_it_cannot_write_are_one_line_before_any_work(
    tmp_path: Path, args: list[str], needle: str
) -> None:
    """review-attack12 F2 and F3 (`--live -o -` said the format was wrong)."""
    result = genact("record", "--seed", "1", *args, cwd=tmp_path)
    assert result.returncode == 2, result.stderr
    assert result.stderr.startswith(f"genact-cast: {needle}")
    assert result.stderr.count("\n") == 1
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize(
    ("args", "needle"),
    [
        (["--text", "out.txt", "--start-at", "5", "--end-at", "2"], "--end-at (2) must come after"),
        (["--vtt", "out.txt", "--start-at", "x", "--end-at", "x"], "name the same marker"),
        (["--mp4", "out.txt", "--size", "8k"], "--size must be"),
        (["--svg", "out.txt", "--speed", "0"], "--speed must be"),
        # issue 20: time options a format ignores were accepted silently.
        (["--html", "out.txt", "--start-at", "1"], "--start-at has no effect on --html"),
        (["--markdown", "out.txt", "--end-at", "1"], "--end-at has no effect on --markdown"),
        (["--svg", "out.txt", "--start-at", "1"], "--start-at has no effect on --svg: it applies"),
        (["--svg", "out.txt", "--speed", "2"], "--speed has no effect on --svg"),
        (["--vtt", "out.txt", "--at", "2"], "--at has no effect on --vtt"),
        (["--png", "out.txt", "--at", "2", "--end-at", "3"], "give one"),
    ],
)
def test_embed_option_errors_come_before_an_existing_output(
    tmp_path: Path, args: list[str], needle: str
) -> None:
    (tmp_path / "out.txt").write_text("mine")
    result = genact("embed", str(CAST), *args, cwd=tmp_path)
    assert result.returncode == 2, result.stderr
    assert needle in result.stderr
    assert (tmp_path / "out.txt").read_text() == "mine"


def test_messages_name_the_problem(tmp_path: Path) -> None:
    # Issue 20 attack item 7: each was a misleading or Python-internal message.
    empty = genact("record", "-o", "", "--seed", "1", cwd=tmp_path)
    assert empty.returncode != 0
    assert empty.stderr == (
        "genact-cast: the output file name is empty (or '.', the current directory)\n"
    )
    header = b'{"version": 2, "width": 80, "height": 24}\n'
    bom = tmp_path / "bom.cast"
    bom.write_bytes(b"\xef\xbb\xbf" + header + b'[0.1, "o", "x"]\n')
    result = genact("info", str(bom))
    assert result.returncode == 1
    assert "byte order mark" in result.stderr
    digits = tmp_path / "digits.cast"
    digits.write_bytes(header + b"[" + b"1" * 5000 + b', "o", "x"]\n')
    result = genact("info", str(digits))
    assert result.returncode == 1
    assert result.stderr.count("\n") == 1
    assert "set_int_max_str_digits" not in result.stderr
    assert "more than 400 digits" in result.stderr
    long_id = subprocess.run(
        [sys.executable, "-m", "genact_cast", "auth", "--server", "http://127.0.0.1:9"],
        capture_output=True, text=True, timeout=60,
        env={**os.environ, "ASCIINEMA_INSTALL_ID": "a" * 100_000},
    )  # fmt: skip
    assert long_id.returncode == 1
    assert "a" * 2000 not in long_id.stdout + long_id.stderr
    assert "longer than 1024 bytes" in long_id.stderr


def _feed_forever(stream: IO[bytes], line: bytes) -> None:
    """A header, then `line` again and again until the reader goes away."""
    block = line * (1 << 16)
    with contextlib.suppress(OSError, ValueError):
        stream.write(b'{"version": 2, "width": 80, "height": 24}\n')
        while True:
            stream.write(block)
    with contextlib.suppress(OSError):
        stream.close()


@pytest.mark.parametrize(
    ("line", "command"),
    [
        (b"\n", ["info", "-"]),  # blank lines are not events: no event limit ever saw them
        (b"\n", ["embed", "-", "--text", "x.txt"]),
    ],
)
def test_an_endless_stream_on_stdin_ends_at_the_line_limit(
    tmp_path: Path, line: bytes, command: list[str]
) -> None:
    """`yes '' | genact-cast info -` used to run forever at flat memory."""
    process = subprocess.Popen(
        [sys.executable, "-m", "genact_cast", *command],
        cwd=tmp_path, stdin=subprocess.PIPE, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
    )  # fmt: skip
    assert process.stdin is not None
    threading.Thread(target=_feed_forever, args=(process.stdin, line), daemon=True).start()
    try:
        process.wait(timeout=30)  # not communicate(): that would close stdin, an end of file
    finally:
        process.kill()
    assert process.stderr is not None
    stderr = process.stderr.read()
    process.stderr.close()
    assert process.returncode == 1
    assert stderr.decode() == (
        "genact-cast: <stdin>:2000001: the cast has more than the limit of 2,000,000 lines\n"
    )
    assert not (tmp_path / "x.txt").exists()


def test_info_on_an_endless_stream_of_events_ends_at_the_line_limit(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """`info -` had no limit on events at all (the exports stop at their own)."""
    from genact_cast import limits
    from genact_cast.commands.info import describe
    from genact_cast.errors import CastFormatError

    monkeypatch.setattr(limits, "MAX_CAST_LINES", 10_000)
    read, write = os.pipe()
    feed = open(write, "wb")  # noqa: SIM115  # closed by the feeder, once the read end is
    threading.Thread(target=_feed_forever, args=(feed, b'[0, "o", "x"]\n'), daemon=True).start()
    with open(read, "rb") as stdin:
        monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(stdin))
        with pytest.raises(CastFormatError, match="10001: the cast has more than the limit of 10,"):
            describe("-")


def test_option_nits_are_one_line_and_exit_2(tmp_path: Path) -> None:
    """review-attack3 item 12: option errors all exit 2, with no doubled prefix."""
    from genact_cast.generator.options import MAX_COLS, MAX_ROWS

    cast = tmp_path / "c.cast"
    cast.write_text('{"version": 2, "width": 80, "height": 24}\n[0.5, "o", "hi"]\n')
    out = str(tmp_path / "o.txt")
    for args, wanted in (
        (("embed", str(cast), "--text", out, "--start-at", "label:"), "no marker labelled ''"),
        (("embed", str(cast), "--text", out, "--end-at", "label:x"), "no marker labelled 'x'"),
        (("embed", str(cast), "--html", out, "--fit", "evil"), "genact-cast: --fit must be"),
        (("embed", str(cast)), "genact-cast: give exactly one of"),
        (("embed", str(cast), "--text", out, "--text", "b.txt"), "--text is given 2 times"),
        (("embed", str(cast), "--svg", "a.svg", "--svg", out), "--svg is given 2 times"),
        (("upload", "http://127.0.0.1:9/x.cast"), "upload takes a local cast file, not a URL"),
    ):
        done = genact(*args, cwd=tmp_path)
        assert done.returncode == 2, (args, done.stderr)
        assert wanted in done.stderr, done.stderr
        assert "Invalid value" not in done.stderr, done.stderr
        assert done.stderr.count("\n") == 1, done.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == ["c.cast"]  # nothing written
    help_text = " ".join(genact("record", "--help").stdout.split())
    assert f"(20 to {MAX_ROWS})" in help_text
    assert f"(60 to {MAX_COLS})" in help_text


def test_record_writes_only_sizes_the_exports_draw(tmp_path: Path) -> None:
    """review-attack4b: `record --cols 1000 --rows 500` wrote a cast every export refused (the
    200,000-cell drawing limit). One rule now: a size record takes is one the exports draw."""
    from genact_cast.errors import BadOption
    from genact_cast.generator.options import MAX_COLS, MAX_ROWS, MIN_COLS, MIN_ROWS, RecordOptions
    from genact_cast.publish.terminal import LimitError, check_size

    for cols in (MIN_COLS, 400, 500, 501, 999, MAX_COLS):
        for rows in (MIN_ROWS, 200, 201, 399, 400, 401, MAX_ROWS):
            try:
                RecordOptions(seed=1, cols=cols, rows=rows).check()
                recorded = True
            except BadOption:
                recorded = False
            try:
                check_size(cols, rows)
                drawn = True
            except LimitError:
                drawn = False
            assert recorded == drawn, (cols, rows, recorded, drawn)
    for target in ("x.cast", "x.svg", "x.png", "x.gif"):
        done = genact("record", "--cols", "1000", "--rows", "500", "-o", target, cwd=tmp_path)
        assert done.returncode == 2, done.stderr
        assert "500,000 cells" in done.stderr, done.stderr
        assert "at most 200,000" in done.stderr, done.stderr
        assert done.stderr.count("\n") == 1, done.stderr
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("text", ["٣", "1_0", " 5", "5 ", "0x10", "²", "５", "1,5", "+-1"])
def test_numbers_are_plain_ascii_decimals(text: str) -> None:
    """issue 20: Python's float()/int() took `٣`, `1_0` and ` 5` for every number option."""
    from genact_cast.durations import parse_duration
    from genact_cast.errors import BadOption
    from genact_cast.generator.options import parse_failures
    from genact_cast.numbers import plain_float, plain_int
    from genact_cast.publish.clip import seconds_or_label
    from genact_cast.publish.picture_layout import parse_size

    assert plain_float(text) is None
    assert plain_int(text) is None
    for parse in (lambda: parse_duration(text, "--duration"), lambda: parse_failures(text)):
        with pytest.raises(BadOption):
            parse()
    with pytest.raises(BadOption, match="--size must be"):
        parse_size(text)
    assert seconds_or_label(text, "--start-at") == text  # not a number: a marker's label


def test_plain_numbers_still_parse() -> None:
    from genact_cast.numbers import plain_float, plain_int

    assert [plain_float(t) for t in ("2", "0.5", ".5", "5.", "-1", "1e-3", "1E5")] == [
        2.0, 0.5, 0.5, 5.0, -1.0, 0.001, 100000.0,
    ]  # fmt: skip
    assert [plain_int(t) for t in ("30", "+7", "-2", "007")] == [30, 7, -2, 7]
    assert plain_int("1e3") is None


def test_number_options_refuse_what_is_not_plain_ascii(tmp_path: Path) -> None:
    for args, option in (
        (("record", "--speed", "٣", "-o", "x.cast"), "'--speed'"),
        (("record", "--cols", "1_00", "-o", "x.cast"), "'--cols'"),
        (("embed", str(CAST), "--svg", "x.svg", "--at", " 5"), "'--at'"),
    ):
        done = genact(*args, cwd=tmp_path)
        assert done.returncode == 2, done.stderr
        assert f"Invalid value for {option}" in done.stderr, done.stderr
        assert "is not a valid" in done.stderr, done.stderr
        assert done.stderr.count("\n") == 1, done.stderr
    assert list(tmp_path.iterdir()) == []


def test_an_output_name_ending_in_a_slash_is_refused(tmp_path: Path) -> None:
    """issue 20: `record -o x.svg/` wrote x.svg (pathlib folds the slash away)."""
    from genact_cast.errors import OutputError
    from genact_cast.option_types import output

    for name in ("x.svg/", "x.cast//", "x.svg/.", "d/..", "..", "."):
        with pytest.raises(OutputError, match="names a directory, not a file"):
            output(name)
    assert output("d/x.cast") == Path("d/x.cast")
    for args in (("record", "--seed", "1", "-o", "x.svg/"), ("embed", str(CAST), "--text", "t/")):
        done = genact(*args, cwd=tmp_path)
        assert done.returncode == 1, done.stderr
        assert done.stderr.count("\n") == 1, done.stderr
        assert "names a directory, not a file" in done.stderr, done.stderr
    assert list(tmp_path.iterdir()) == []


def test_upload_from_standard_input_says_it_takes_a_file() -> None:
    result = genact("upload", "-")
    assert result.returncode == 2
    assert result.stderr == "genact-cast: upload takes a cast file (not standard input)\n"


def test_run_in_a_terminal_beyond_the_limits_runs_at_the_most_it_can() -> None:
    """review-attack6 item 7: a 100000x100000 terminal clamps as a 1x1 one does, within
    the columns, rows and cells a run may have; options are still checked as given."""
    from genact_cast.cli_options import fitted as _fitted
    from genact_cast.generator.options import MAX_COLS, MIN_COLS, MIN_ROWS
    from genact_cast.limits import MAX_DRAWN_CELLS

    assert _fitted(1200, 60, None, None) == (MAX_COLS, 60)
    cols, rows = _fitted(100_000, 100_000, None, None)
    assert cols == MAX_COLS
    assert rows * cols <= MAX_DRAWN_CELLS
    assert _fitted(1, 1, None, None) == (MIN_COLS, MIN_ROWS)
    assert _fitted(1200, 60, 2000, None)[0] == 2000  # refused later, as the user gave it
    env = {**os.environ, "COLUMNS": "100000", "LINES": "100000"}
    result = subprocess.run(
        [sys.executable, "-m", "genact_cast", "run", "--exit-after", "1s", "--speed", "100"],
        capture_output=True, text=True, timeout=60, env=env,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr


def test_run_honours_no_color_unless_an_option_says_otherwise() -> None:
    """https://no-color.org: NO_COLOR set and not empty turns colours off; --color wins."""
    base = ["run", "--exit-after", "1s", "--speed", "100", "--seed", "3"]
    shown = {}
    for extra, no_color in (([], "1"), (["--color"], "1"), ([], "")):
        env = {**os.environ, "NO_COLOR": no_color}
        result = subprocess.run(
            [sys.executable, "-m", "genact_cast", *base, *extra],
            capture_output=True, text=True, timeout=60, env=env,
        )  # fmt: skip
        assert result.returncode == 0, result.stderr
        shown[(tuple(extra), no_color)] = len(
            re.findall(r"\x1b\[[0-9;]*[1-9][0-9;]*m", result.stdout)
        )
    assert shown[((), "1")] == 0
    assert shown[(("--color",), "1")] > 100
    assert shown[((), "")] > 100


def test_a_huge_seed_and_a_blank_output_name_are_one_short_line(tmp_path: Path) -> None:
    """review-attack6 item 12: a seed is at most 20 digits (not 4,300, echoed whole past
    that); `-o ' '` made a file named a space."""
    too_big = genact("record", "--seed", "1" * 21, "-o", "-")
    assert (too_big.returncode, too_big.stderr) == (
        2, "genact-cast: --seed must be at most 20 digits\n",
    )  # fmt: skip
    huge = genact("record", "--seed", "9" * 5000, "-o", "-")
    assert huge.returncode == 2
    assert len(huge.stderr) < 200
    assert "5,000 characters is too long" in huge.stderr
    for name in (" ", "sub/  "):
        blank = genact("record", "--seed", "1", "-o", name, cwd=tmp_path)
        assert blank.returncode == 1
        assert blank.stderr == f"genact-cast: {name!r}: a file name of only blanks is refused\n"
    assert list(tmp_path.iterdir()) == []


def test_running_out_of_memory_is_one_line_and_leaves_no_file(tmp_path: Path) -> None:
    """Attack run 7, finding 3: under a memory limit (`prlimit --as`) a command that needs
    more ended in a MemoryError traceback. The line is printed once the traceback, which
    holds the memory, is let go. (`record` now streams: a day of a 1000x200 run takes
    33 MB. A v1 cast is one JSON document, read whole: 60 MB of it takes ~200 MB.)"""
    import resource

    def limited() -> None:
        resource.setrlimit(resource.RLIMIT_AS, (100 * 10**6, 100 * 10**6))

    frames = ",".join(['[0.001, "' + "x" * 1000 + '"]'] * 60_000)
    cast = tmp_path / "v1.cast"
    cast.write_text(f'{{"version": 1, "width": 80, "height": 24, "stdout": [{frames}]}}\n')
    result = subprocess.run(
        [sys.executable, "-m", "genact_cast", "embed", "v1.cast", "--text", "out.txt"],
        cwd=tmp_path, capture_output=True, text=True, timeout=120, preexec_fn=limited,
    )  # fmt: skip
    assert (result.returncode, result.stderr) == (
        1, "genact-cast: out of memory: what was asked needs more than this process may use\n"
    )  # fmt: skip
    assert [path.name for path in tmp_path.iterdir()] == ["v1.cast"]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["record", "--seed", "1", "--seed", "2"], "--seed is given 2 times: give it once"),
        (["play", "--speed", "2", "--speed", "3", str(CAST)], "--speed is given 2 times"),
        (["embed", str(CAST), "--text", "a", "--text", "b"], "--text is given 2 times"),
    ],
)
def test_an_option_given_twice_is_refused_not_the_last_one_taken(
    args: list[str], message: str, tmp_path: Path
) -> None:
    """Attack run 7, finding 9: `record --seed 1 --seed 2` silently used 2, while
    `embed --text a --text b` was refused."""
    result = genact(*args, cwd=tmp_path)
    assert (result.returncode, result.stdout) == (2, "")
    assert result.stderr.startswith(f"genact-cast: {message}")
    assert result.stderr.count("\n") == 1
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize(
    "args",
    [
        ["record", "--seed", "3", "-o", "t.cast", "--title"],
        ["record", "--seed", "3", "-o", "t.cast", "--format", "v3", "--title"],
        ["play", "nothing.cast", "--start-at"],
    ],
)
def test_text_that_is_not_utf8_is_refused_in_one_line(tmp_path: Path, args: list[str]) -> None:
    """review-attack8 finding 6: `--title "$(printf 'T\\xff')"` reached the cast writer as a
    lone surrogate and ended in UnicodeEncodeError's traceback."""
    result = subprocess.run(
        [sys.executable, "-m", "genact_cast", *args, b"T\xff"],
        cwd=tmp_path, capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    assert result.returncode == 2, result.stderr
    assert "Traceback" not in result.stderr
    assert "is not valid UTF-8 (byte 0xff)" in result.stderr
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize(
    ("args", "said"),
    [
        # review-attack11 finding 5: not "(got inf)", which the user did not type
        (
            ["record", "--duration", "1e400"],
            "--duration must be from 1 to 86400 seconds (got a number too large)",
        ),
        (
            ["record", "--duration", "inf"],
            "--duration must be from 1 to 86400 seconds (got a number too large)",
        ),
        (
            ["record", "--speed", "1e400"],
            "--speed must be from 0.01 to 1000 (got a number too large)",
        ),
        (
            ["embed", "x.cast", "--text", "x.txt", "--at", "1e400"],
            "--at must be a number of seconds from 0 to 1e+08 (got a number too large)",
        ),
        (
            ["play", "--speed", "1e400", "x.cast"],
            "--speed must be a number from 0.001 to 1e+09 (got a number too large)",
        ),
        (["record", "--duration", "nan"], "--duration takes seconds or a duration like 90s"),
        (
            ["run", "--exit-after", "1e400"],
            "--exit-after must be more than 0 seconds, at most 1e+08",
        ),
    ],
)
def test_a_number_too_large_for_a_float_names_the_range(
    args: list[str], said: str, tmp_path: Path
) -> None:
    """review-attack10 F5: `--duration 1e400` (or `inf`) said "must be more than 0 seconds"."""
    result = genact(*args, cwd=tmp_path)
    assert result.returncode == 2, result.stderr
    assert result.stderr.startswith(f"genact-cast: {said}"), result.stderr
    assert result.stderr.count("\n") == 1
    assert list(tmp_path.iterdir()) == []


def test_review_attack9_cosmetics(monkeypatch: pytest.MonkeyPatch) -> None:
    """A value just past a bound is shown as given, not rounded onto the bound; a duration
    names each unit once, largest first; COLUMNS and LINES count in ASCII digits only."""
    from genact_cast import cli
    from genact_cast.durations import parse_duration
    from genact_cast.errors import BadOption
    from genact_cast.generator import RecordOptions

    with pytest.raises(BadOption, match=r"\(got 86400\.0000001\)"):
        RecordOptions(seed=1, duration=86400.0000001).check()
    for slip in ("5m5m", "30s2m", "1s1s", "2m1h"):
        with pytest.raises(BadOption, match="takes seconds or a duration like"):
            parse_duration(slip, "--duration")
    assert parse_duration("1h2m3s", "--duration") == 3723.0
    seen: list[RecordOptions] = []
    monkeypatch.setattr("genact_cast.commands.run.run_live", lambda o, **_: seen.append(o))
    monkeypatch.setenv("COLUMNS", "\u0663\u0660\u0660")  # ٣٠٠
    monkeypatch.setenv("LINES", "\u0664\u0660")
    monkeypatch.setattr(sys, "argv", ["genact-cast", "run", "--seed", "1"])
    with pytest.raises(SystemExit):
        cli.main()
    assert (seen[0].cols, seen[0].rows) == (100, 30)  # the fallback: not a terminal here


@pytest.mark.parametrize(
    "args",
    [["embed", "-", "--svg", "o.svg"], ["embed", "-", "--text", "o.txt"],
     ["embed", "-", "--gif", "o.gif"], ["play", "-"], ["info", "-"]],
    ids=["svg", "text", "gif", "play", "info"],
)  # fmt: skip
@pytest.mark.parametrize("stdin", ["closed", "write-only"])
def test_standard_input_closed_or_write_only_is_one_line(
    args: list[str], stdin: str, tmp_path: Path
) -> None:
    """review-attack16 F4: with file descriptor 0 closed (cron, some supervisors) Python
    has no sys.stdin, and `-` was an AttributeError traceback; open only for writing, the
    message blamed writing a temporary copy."""
    opened = os.open(tmp_path / "in", os.O_WRONLY | os.O_CREAT) if stdin == "write-only" else -1

    def child_stdin() -> None:
        if opened < 0:
            os.close(0)
        else:
            os.dup2(opened, 0)

    result = subprocess.run(
        [sys.executable, "-m", "genact_cast", *args], cwd=tmp_path, capture_output=True,
        text=True, timeout=120, stdin=subprocess.DEVNULL, preexec_fn=child_stdin,
    )  # fmt: skip
    if opened >= 0:
        os.close(opened)
    expected = "closed" if stdin == "closed" else "open only for writing"
    assert result.returncode == 1
    assert result.stderr == f"genact-cast: <stdin>: standard input is {expected}: " + (
        "pipe a cast in or name a file\n" if stdin == "closed" else "pipe a cast in\n"
    )
    assert sorted(path.name for path in tmp_path.iterdir()) == (["in"] if opened >= 0 else [])


def test_install_completion_that_cannot_write_is_one_line(tmp_path: Path) -> None:
    """review-attack16 F6: typer's `--install-completion` into a home whose ~/.bashrc
    cannot be written (read-only; here a directory, which root cannot write either) was a
    PermissionError traceback."""
    (tmp_path / ".bashrc").mkdir()
    result = subprocess.run(
        [sys.executable, "-m", "genact_cast", "--install-completion", "bash"],
        capture_output=True, text=True, timeout=120,
        env={**os.environ, "HOME": str(tmp_path), "SHELL": "/bin/bash"},
    )  # fmt: skip
    assert result.returncode == 1
    assert result.stderr == f"genact-cast: {tmp_path / '.bashrc'}: Is a directory\n"
