"""Writes that fail part-way (review-attack8 items 4, 5 and 11): standard output and the
temporary spools on a full disk or past `ulimit -f` are one line naming the destination and
exit 1, never an output cut short with exit 0 nor a traceback; `record` streams its cast,
so its memory does not grow with the run's length.

`ulimit -f` is RLIMIT_FSIZE set in the child (SIGXFSZ ignored, as a shell's `ulimit -f`
with the signal trapped: the write then fails with EFBIG); a file system that fills up
takes part of a write the same way, which is what a buffered write hid."""

from __future__ import annotations

import os
import resource
import signal
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
CAST = ROOT / "casts" / "seed7-80x24.cast"  # 260 KB: past every limit below
LIMIT = 20 << 10


def _small_files() -> None:
    signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
    resource.setrlimit(resource.RLIMIT_FSIZE, (LIMIT, LIMIT))


def genact_limited(args: list[str], out: Path, stdin: Path | None = None) -> tuple[int, str]:
    with out.open("wb") as stdout, (stdin or Path(os.devnull)).open("rb") as given:
        result = subprocess.run(
            [sys.executable, "-m", "genact_cast", *args], stdin=given, stdout=stdout,
            stderr=subprocess.PIPE, preexec_fn=_small_files, cwd=ROOT, timeout=120,
        )  # fmt: skip
    return result.returncode, result.stderr.decode("utf-8", "replace")


STDOUT = "genact-cast: cannot write to standard output: File too large\n"


@pytest.mark.parametrize(
    "args",
    [
        ["record", "--seed", "7", "-o", "-"],
        ["record", "--seed", "7", "--format", "v3", "-o", "-"],
        ["embed", str(CAST), "--svg", "-"],
    ],
    ids=["record-v2", "record-v3", "svg"],
)
def test_standard_output_cut_short_is_one_line_and_exit_1(args: list[str], tmp_path: Path) -> None:
    code, err = genact_limited(args, tmp_path / "out")
    assert (code, err) == (1, STDOUT)
    assert (tmp_path / "out").stat().st_size == LIMIT  # what the file took, and no more


@pytest.mark.parametrize(
    ("args", "spool"),
    [
        (["embed", str(CAST), "--html", "-"], "the page's temporary copy"),
        (["play", "--loop", "-"], "the temporary copy of <stdin>"),
        (["play", "--start-at", "Validation 1", "-"], "the temporary copy of <stdin>"),
    ],
    ids=["html", "play-loop", "play-start-at"],
)
def test_a_temporary_spool_that_fills_up_is_one_line(
    args: list[str], spool: str, tmp_path: Path
) -> None:
    code, err = genact_limited(args, tmp_path / "out", stdin=CAST)
    assert code == 1
    assert err.startswith(f"genact-cast: cannot write {spool} in ")
    assert err.endswith(": File too large\n")
    assert err.count("\n") == 1
    assert (tmp_path / "out").stat().st_size == 0  # nothing half-written on stdout


def test_the_svg_parts_that_fill_up_are_one_line(tmp_path: Path) -> None:
    """review-attack13 F4: the animated SVG's spooled parts past `ulimit -f` were named in
    one line, then closing them tried their buffers again: a chained traceback."""
    out = tmp_path / "o.svg"
    code, err = genact_limited(["embed", str(CAST), "--svg", str(out)], tmp_path / "out")
    assert (code, err) == (
        1, f"genact-cast: cannot write the SVG's temporary parts in {tmp_path}: File too large\n"
    )  # fmt: skip
    assert sorted(path.name for path in tmp_path.iterdir()) == ["out"]


@pytest.mark.skipif(not os.path.exists("/dev/full"), reason="no /dev/full here")
@pytest.mark.parametrize(
    "args", [["-V"], ["record", "--seed", "7", "--duration", "5", "-o", "-"]], ids=["V", "record"]
)
def test_a_full_device_is_one_line_and_exit_1(args: list[str]) -> None:
    with open("/dev/full", "wb") as full:
        result = subprocess.run(
            [sys.executable, "-m", "genact_cast", *args], stdout=full, stderr=subprocess.PIPE,
            cwd=ROOT, timeout=60, text=True,
        )  # fmt: skip
    assert (result.returncode, result.stderr) == (
        1, "genact-cast: cannot write to standard output: No space left on device\n"
    )  # fmt: skip


PEAK = """
import resource, sys
from pathlib import Path
if sys.argv[1] == "docs":
    from genact_cast.docs.casts import CastCache
    from genact_cast.generator import RecordOptions
    options = RecordOptions(seed=5, duration=float(sys.argv[2]), cols=400, rows=100)
    CastCache(Path(sys.argv[3])).generated(options)
else:
    from genact_cast.entry import main
    sys.argv = ["genact-cast", "record", "--seed", "5", "--duration", sys.argv[2],
                "--cols", "400", "--rows", "100", "-o", sys.argv[3] + "/r.cast"]
    try:
        main()
    except SystemExit as done:
        assert not done.code, done.code
print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)
"""


def _peak_kib(how: str, duration: str, folder: Path) -> tuple[int, int]:
    """The peak RSS (KiB) of making a cast of `duration` seconds, and the cast's size."""
    folder.mkdir()
    result = subprocess.run(
        [sys.executable, "-c", PEAK, how, duration, str(folder)],
        cwd=ROOT, capture_output=True, text=True, timeout=120, check=True,
    )  # fmt: skip
    (cast,) = folder.glob("*.cast")
    return int(result.stdout.split()[-1]), cast.stat().st_size


@pytest.mark.parametrize("how", ["record", "docs"])
def test_making_a_cast_takes_memory_that_does_not_grow_with_its_length(
    how: str, tmp_path: Path
) -> None:
    """`record`, and a documentation build's cast (MkDocs, Sphinx: `seed: 5 / duration:
    86400 / cols: 1000 / rows: 200` is 60 bytes of a page), of 15 minutes and 2 hours at
    400x100 (since one cadence, 1fab3f6, 2 and 15 MB of cast). Held whole, the peaks of 4
    and 15 MB casts were 41 and 107 MB (a day at 1000x200, 1.6 GB); streamed, they are
    within a few MB of each other."""
    short, _ = _peak_kib(how, "900", tmp_path / "short")
    long, size = _peak_kib(how, "7200", tmp_path / "long")
    assert size > 12 << 20
    assert long - short < 8 << 10, (short, long, size)


def test_a_video_whose_temporary_file_fills_up_is_one_line(tmp_path: Path) -> None:
    pytest.importorskip("av")  # (the video extra)
    short = tmp_path / "short.cast"  # the cast's first 120 lines: a 40 KB video
    short.write_text("".join(CAST.read_text("utf-8").splitlines(keepends=True)[:120]), "utf-8")
    args = ["embed", str(short), "--mp4", str(tmp_path / "x.mp4")]
    code, err = genact_limited(args, tmp_path / "o")
    assert code == 1
    assert err.startswith("genact-cast: cannot write the video's temporary file (mp4) in ")
    assert err.endswith(": File too large\n")
    assert sorted(path.name for path in tmp_path.iterdir()) == ["o", "short.cast"]
