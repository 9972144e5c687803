"""Every export with every time option (--start-at, --end-at, --at, --speed,
--idle-time-limit) on the golden casts and on hostile ones: the export is written, or one
line says why (exit 2 for an option, 1 for what the cast holds), never a traceback.
Attack run 5 item 1: `embed X --vtt out --start-at 100` failed an assertion (the subtitles'
scroll callback asked for the clip's clock before the clip had started), and its bad values
gave that traceback instead of --text's one-line errors."""

from __future__ import annotations

import contextlib
import io
import json
import sys
from functools import cache
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from genact_cast.cli import main

ROOT = Path(__file__).resolve().parent.parent


def _golden() -> tuple[str, str, str, str]:
    """casts/seed7.cast's first epoch marker, a time past its end, its last validation
    marker and a time near its end (past that validation), read from the cast (regenerated
    whenever the run it shows changes: its epochs and length move)."""
    lines = (ROOT / "casts" / "seed7.cast").read_text("utf-8").splitlines()
    events = [json.loads(line) for line in lines[1:] if line.startswith("[")]
    epoch = next(e[2] for e in events if e[1] == "m" and e[2].startswith("Epoch 1/"))
    last = [e for e in events if e[1] == "m" and e[2].startswith("Validation ")][-1]
    late = (float(last[0]) + float(events[-1][0])) / 2
    return epoch, str(int(events[-1][0]) + 2), last[2], str(int(late))


EPOCH_ONE, PAST_END, LAST_VALIDATION, LATE = _golden()
GOLDEN = sorted((ROOT / "casts").glob("*.cast"))
OPTIONS = ("--start-at", "--end-at", "--at", "--speed", "--idle-time-limit")


PREFIX_EVENTS = 150  # each golden cast's first events: its scrolling, markers and resizes


@cache
def golden_prefix(path: Path) -> tuple[str, tuple[str, ...], float]:
    """A golden cast's first events (the whole cast costs seconds an example), the labels
    of its markers (those past the cut too: asked for, they are "no marker"), its end."""
    lines = path.read_text("utf-8").splitlines()
    events = [json.loads(line) for line in lines[1:] if line.startswith("[")]
    marks = tuple(sorted({str(e[2]) for e in events if e[1] == "m"}))
    kept = [line for line in lines[1:] if line.startswith("[")][:PREFIX_EVENTS]
    end = float(json.loads(kept[-1])[0]) if kept else 0.0
    return "\n".join([lines[0], *kept]) + "\n", marks, end


def hostile(folder: Path, pieces: list[tuple[str, str]]) -> Path:
    """A small cast: long lines and many newlines (so rows scroll off before and after
    any start), markers, resizes, and controls."""
    path = folder / "hostile.cast"
    lines = [json.dumps({"version": 2, "width": 20, "height": 4})]
    pieces = [("o", "line\r\n" * 6), *pieces]  # rows scroll off from the first event
    lines += [json.dumps([0.25 * (i + 1), code, data]) for i, (code, data) in enumerate(pieces)]
    path.write_text("\n".join(lines) + "\n", "utf-8")
    return path


def run_cli(*args: str) -> tuple[int, str]:
    """genact-cast in this process, as its console script runs it: (exit code, stderr).
    Anything but SystemExit escaping main() is the traceback a user would see."""
    stderr, stdout = io.StringIO(), io.StringIO()
    argv = sys.argv
    sys.argv = ["genact-cast", *args]
    try:
        with contextlib.redirect_stderr(stderr), contextlib.redirect_stdout(stdout):
            main()
    except SystemExit as done:
        code = done.code if isinstance(done.code, int) else 0
    finally:
        sys.argv = argv
    return code, stderr.getvalue()


FIXED = st.sampled_from(["0", "1", "5", "7", "20", "100", "220", "221", "1e8", "1e308"])
GARBAGE = st.one_of(
    st.sampled_from(["", "nope", "label:", "label:nan", "label:nope", "nan", "-1", "inf", "٣"]),
    st.text(max_size=6),
)
PIECES = st.lists(
    st.one_of(
        st.tuples(st.just("o"), st.sampled_from(["a" * 45, "\r\n", "b\r\n" * 5, "\x1b[2J"])),
        st.tuples(st.just("o"), st.text(max_size=10)),
        st.tuples(st.just("m"), st.sampled_from(["", "A", "B", "5", "nan"])),
        st.tuples(st.just("r"), st.sampled_from(["30x6", "10x2", "0x0"])),
    ),
    max_size=25,
)


@st.composite
def time_options(draw: st.DrawFn, marks: tuple[str, ...], duration: float) -> list[str]:
    """One or two time options, each a time within the cast or past its end, a marker's
    label, or garbage."""
    numbers = st.one_of(FIXED, st.floats(0, duration * 1.1).map(lambda x: f"{x:.3f}"))
    chosen = draw(st.lists(st.sampled_from(OPTIONS), min_size=1, max_size=2, unique=True))
    args: list[str] = []
    for option in chosen:
        if option in ("--start-at", "--end-at"):
            kinds = [numbers, GARBAGE] + ([st.sampled_from(marks)] if marks else [])
            value = draw(st.one_of(*kinds))
        elif option == "--at":
            value = draw(st.one_of(numbers, GARBAGE))
        else:
            value = draw(st.one_of(st.sampled_from(["0.5", "2", "0", "1e9"]), GARBAGE))
        args += [option, value]
    return args


def check(tmp: Path, cast: Path, kind: str, args: list[str], *, golden: bool) -> None:
    out = tmp / f"out.{kind}"
    extra = ["--size", "8"] if kind in ("mp4", "webm", "png") else []
    code, stderr = run_cli("embed", str(cast), f"--{kind}", str(out), "--overwrite",
                           *extra, *args)  # fmt: skip
    # Any other exception has already failed the test, as the traceback it would be.
    assert code in ((0, 2) if golden else (0, 1, 2)), (args, stderr)
    if code:
        assert stderr.count("\n") == 1, (args, stderr)
        assert stderr.startswith("genact-cast: "), (args, stderr)


KINDS = ("svg", "html", "markdown", "gif", "mp4", "webm", "png", "text", "vtt")
CHEAP = ("text", "vtt", "png")  # the exports that draw the clip; svg and the rest refuse it
# On the golden casts: all but the GIF, the MP4 and the WebM (a second or more of encoding
# each), which the hostile casts cover.
GOLDEN_KINDS = (*CHEAP, "vtt", "text", "svg", "html", "markdown")  # the clip's twice as often


@pytest.mark.parametrize("cast", GOLDEN, ids=[p.stem for p in GOLDEN])
@settings(max_examples=4, deadline=None, suppress_health_check=list(HealthCheck))
@given(data=st.data())
def test_golden_casts_with_any_time_options(
    tmp_path: Path, cast: Path, data: st.DataObject
) -> None:
    text, marks, end = golden_prefix(cast)
    path = tmp_path / cast.name
    path.write_text(text, "utf-8")
    kind = data.draw(st.sampled_from(GOLDEN_KINDS))
    check(tmp_path, path, kind, data.draw(time_options(marks, end)), golden=True)


@pytest.mark.parametrize("kind", KINDS)
@settings(max_examples=8, deadline=None, suppress_health_check=list(HealthCheck))
@given(pieces=PIECES, data=st.data())
def test_hostile_casts_with_any_time_options(
    tmp_path: Path, kind: str, pieces: list[tuple[str, str]], data: st.DataObject
) -> None:
    marks = tuple(data for code, data in pieces if code == "m")
    options = data.draw(time_options(marks, 0.25 * (len(pieces) + 1)))
    check(tmp_path, hostile(tmp_path, pieces), kind, options, golden=False)


@pytest.mark.parametrize("start", ["7", LATE, EPOCH_ONE, LAST_VALIDATION, "Initialization"])
def test_subtitles_start_anywhere(tmp_path: Path, start: str) -> None:
    """The attack run's examples: rows scroll off before the clip starts."""
    out = tmp_path / "out.vtt"
    code, stderr = run_cli("embed", str(ROOT / "casts" / "seed7.cast"), "--vtt", str(out),
                           "--start-at", start)  # fmt: skip
    assert code == 0, stderr
    assert out.read_text("utf-8").startswith("WEBVTT\n\n00:00:00.000 --> ")


@pytest.mark.parametrize("kind", ["text", "vtt"])
@pytest.mark.parametrize(
    ("start", "needle"),
    [
        (PAST_END, f"--start-at {PAST_END} is past the end of the cast"),
        ("label:", "no marker labelled ''"),
        ("", "no marker labelled ''"),
    ],
)
def test_bad_start_is_one_line_with_exit_2(
    tmp_path: Path, kind: str, start: str, needle: str
) -> None:
    out = tmp_path / f"out.{kind}"
    code, stderr = run_cli("embed", str(ROOT / "casts" / "seed7.cast"), f"--{kind}", str(out),
                           "--start-at", start)  # fmt: skip
    assert (code, stderr.count("\n")) == (2, 1), stderr
    assert needle in stderr
    assert not out.exists()
