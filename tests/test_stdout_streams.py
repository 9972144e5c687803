"""Standard streams that fail or differ (review-attack5 items 3-5): every command that
writes a cast, text, subtitles, SVG, HTML or Markdown to standard output does it through
standard_output.write_stdout, as UTF-8 bytes, and a full disk or a closed stdout is one line with
exit 1; with stderr closed a command works, its messages going nowhere (not into stdout).
Run in this process through the console script's entry point, with the streams swapped."""

from __future__ import annotations

import contextlib
import io
import json
import os
import sys
from pathlib import Path
from typing import Any

import pytest

from genact_cast.entry import main

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def cast(tmp_path_factory: pytest.TempPathFactory) -> str:
    """The golden cast's first events (its prompt, box drawing, bars): quick to export."""
    lines = (ROOT / "casts" / "seed7-80x24.cast").read_text("utf-8").splitlines()[:80]
    path = tmp_path_factory.mktemp("streams") / "short.cast"
    path.write_text("\n".join(lines) + "\n", "utf-8")
    return str(path)


def run(args: list[str], stdout: Any, stderr: Any) -> int:
    saved = sys.argv, sys.stdout, sys.stderr
    sys.argv, sys.stdout, sys.stderr = ["genact-cast", *args], stdout, stderr
    try:
        main()
    except SystemExit as done:
        return done.code if isinstance(done.code, int) else 0
    finally:
        sys.argv, sys.stdout, sys.stderr = saved
    return 0


def text_stream(encoding: str = "utf-8") -> io.TextIOWrapper:
    return io.TextIOWrapper(io.BytesIO(), encoding=encoding)


def written(stream: io.TextIOWrapper) -> bytes:
    stream.flush()
    buffer = stream.buffer
    assert isinstance(buffer, io.BytesIO)
    return buffer.getvalue()


EXPORTS = ["--text", "--vtt", "--svg", "--html", "--markdown"]


@pytest.mark.parametrize("export", EXPORTS)
def test_a_full_disk_is_one_line(cast: str, export: str) -> None:
    if not os.path.exists("/dev/full"):
        pytest.skip("no /dev/full here")
    err = text_stream()
    with open("/dev/full", "w", encoding="utf-8") as full:
        code = run(["embed", cast, export, "-"], full, err)
    message = written(err).decode()
    assert (code, message) == (1, "genact-cast: cannot write to standard output: "
                                  "No space left on device\n")  # fmt: skip


@pytest.mark.parametrize("export", EXPORTS)
def test_a_closed_stdout_is_one_line(cast: str, export: str) -> None:
    err = text_stream()
    code = run(["embed", cast, export, "-"], None, err)
    assert (code, written(err).decode()) == (
        1, "genact-cast: cannot write to standard output: it is closed\n"
    )  # fmt: skip


@pytest.mark.parametrize("encoding", ["ascii", "latin-1"])
def test_a_cast_on_stdout_is_utf8_whatever_its_encoding(encoding: str) -> None:
    out, err = text_stream(encoding), text_stream()
    code = run(["record", "--seed", "7", "--duration", "20", "-o", "-"], out, err)
    assert code == 0, written(err)
    cast = written(out).decode("utf-8")
    assert json.loads(cast.splitlines()[0])["version"] == 2
    assert any(ord(char) > 127 for char in cast)  # (the bars' U+2501, the prompt's)


@pytest.mark.parametrize("export", EXPORTS)
def test_exports_on_stdout_are_utf8_whatever_its_encoding(cast: str, export: str) -> None:
    out, err = text_stream("ascii"), text_stream()
    assert run(["embed", cast, export, "-"], out, err) == 0, written(err)
    written(out).decode("utf-8")


def test_info_on_an_ascii_stdout_escapes_what_it_cannot_hold(tmp_path: Path) -> None:
    """A title past ASCII under PYTHONIOENCODING=ascii was a UnicodeEncodeError traceback:
    the table shows it as escapes, the JSON as JSON's own (the same value)."""
    cast = tmp_path / "t.cast"
    header = {"version": 2, "width": 80, "height": 24, "title": "café 漢 \U0001f600"}
    cast.write_text(json.dumps(header) + '\n[0.1, "o", "x"]\n', "utf-8")
    out, err = text_stream("ascii"), text_stream()
    assert run(["info", str(cast)], out, err) == 0, written(err)
    assert "caf\\xe9 \\u6f22 \\U0001f600\n" in written(out).decode("ascii")
    out = text_stream("ascii")
    assert run(["info", "--json", str(cast)], out, err) == 0, written(err)
    assert json.loads(written(out).decode("ascii"))["title"] == header["title"]


def test_with_stderr_closed_the_svg_is_written(cast: str, tmp_path: Path) -> None:
    out = text_stream()
    target = tmp_path / "q.svg"
    assert run(["embed", cast, "--svg", str(target)], out, None) == 0
    assert b"<svg" in target.read_bytes()[:200]
    assert written(out) == b""


def test_with_stderr_closed_messages_stay_out_of_a_cast_on_stdout() -> None:
    out = text_stream()
    # No --seed: record says which seed it drew, on stderr, which is closed.
    assert run(["record", "--duration", "10", "-o", "-"], out, None) == 0
    lines = written(out).decode("utf-8").splitlines()
    assert json.loads(lines[0])["version"] == 2
    assert all(line.startswith("[") for line in lines[1:])


@pytest.mark.parametrize("export", EXPORTS)
def test_a_reader_gone_is_a_quiet_exit_1_as_for_record(cast: str, export: str) -> None:
    """EPIPE (`| head` done reading): exit 1 and nothing said, as record -o - does."""
    read, write = os.pipe()
    os.close(read)
    err = text_stream()
    gone = open(write, "w", encoding="utf-8")  # noqa: SIM115 - closed below, failing or not
    try:
        code = run(["embed", cast, export, "-"], gone, err)
    finally:
        with contextlib.suppress(OSError):
            gone.close()
    assert code == 1
    assert err.closed or written(err) == b""
