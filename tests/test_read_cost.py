"""A very large cast refused before it is read, not after minutes (review-attack14 low 1:
a 99 MB cast took `--text` 46 s and `--vtt` 64-95 s; past 1 GiB it was refused only once
1 GiB had been read). publish/encode_cost.py check_read_cost, sources._open_file."""

from __future__ import annotations

import json
import os
import resource
import subprocess
import sys
from pathlib import Path

import pytest

from genact_cast import limits
from genact_cast.errors import GenactCastError
from genact_cast.publish import encode_cost

ROOT = Path(__file__).resolve().parent.parent
GENACT = [sys.executable, "-m", "genact_cast"]


def run_cpu(*args: str | Path) -> tuple[subprocess.CompletedProcess[str], float]:
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    result = subprocess.run(
        [*GENACT, *map(str, args)], capture_output=True, text=True, timeout=600, cwd=ROOT
    )
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return result, (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def test_a_cast_past_the_size_limit_is_refused_before_it_is_read(tmp_path: Path) -> None:
    cast = tmp_path / "huge.cast"
    with cast.open("wb") as writer:
        writer.write(b'{"version": 2, "width": 80, "height": 24}\n')
        writer.truncate(limits.MAX_CAST_BYTES + 1)  # sparse: no disk, and NULs past the header
    out = tmp_path / "out"
    commands: list[list[str | Path]] = [
        ["info", cast], ["play", "-s", "1000", cast], ["embed", cast, "--text", out],
        ["embed", cast, "--svg", out], ["embed", cast, "--vtt", out],
    ]  # fmt: skip
    for args in commands:
        result, cpu = run_cpu(*args)
        assert result.returncode == 1, args
        assert result.stderr == (
            f"genact-cast: {cast}: {limits.MAX_CAST_BYTES + 1:,} bytes, larger than the limit"
            f" of {limits.MAX_CAST_BYTES:,} bytes for a cast\n"
        ), args
        assert cpu < 10, args
    assert not out.exists()


@pytest.mark.parametrize(("kind", "ways"), [
    ("--text", "cut it with --start-at/--end-at, or draw a still with --at"),
    ("--vtt", "cut it with --start-at/--end-at"),
    ("--svg", "draw a still with --at, or cut the cast"),
])  # fmt: skip
def test_a_cast_of_more_events_than_are_drawn_is_refused_before_the_work(
    tmp_path: Path, kind: str, ways: str
) -> None:
    """1.1 million one-character events (21 MB): refused after a byte search of the file,
    naming the export's own ways out (the terminal model refused them after drawing a
    million, at 20-60 s of CPU)."""
    cast = tmp_path / "many.cast"
    with cast.open("w") as out:
        out.write(json.dumps({"version": 2, "width": 80, "height": 24}) + "\n")
        out.writelines(f'[{i / 100:.2f}, "o", "a"]\n' for i in range(1_100_000))
    result, cpu = run_cpu("embed", cast, kind, tmp_path / "out")
    assert result.returncode == 1
    assert result.stderr == f"genact-cast: more than 1,000,000 events to draw; {ways}\n"
    assert cpu < 10
    assert not (tmp_path / "out").exists()


def test_a_cast_that_would_take_over_the_time_limit_is_refused_by_its_size(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The estimate is the file's bytes at the cheapest measured CPU a byte; with the limit
    lowered to a fraction of a second, a 3 MB cast is past it (the real limit, a minute, is
    300 MB for --text: a file that size is no test fixture)."""
    cast = tmp_path / "long.cast"
    with cast.open("w") as out:
        out.write(json.dumps({"version": 2, "width": 80, "height": 24}) + "\n")
        out.writelines(json.dumps([i * 1.0, "o", "x" * 100_000]) + "\n" for i in range(30))
    size = os.path.getsize(cast)
    monkeypatch.setattr(encode_cost, "READ_SECONDS", 0.1)
    with pytest.raises(GenactCastError) as refused:
        encode_cost.check_read_cost(str(cast), "text")
    assert str(refused.value) == (
        f"the text would take more than 0 s to make from {size:,} bytes of cast (at least"
        f" {size * 0.2e-6:,.0f} s); cut it with --start-at/--end-at, or draw a still with --at"
    )
    encode_cost.check_read_cost(str(ROOT / "casts" / "seed7.cast"), "text")  # a real one passes


@pytest.mark.parametrize(("kind", "ways"), [
    ("--text", "cut it with --start-at/--end-at, or draw a still with --at"),
    ("--vtt", "cut it with --start-at/--end-at"),
    ("--gif", "cut the cast"),
])  # fmt: skip
def test_standard_input_from_a_file_and_the_gif_are_held_to_the_same_count(
    tmp_path: Path, kind: str, ways: str
) -> None:
    """review-attack16 F8: `embed - < cast` skipped the count a named file gets, and F7:
    the GIF, which reads the cast whole too, had no count at all."""
    cast = tmp_path / "many.cast"
    with cast.open("w") as out:
        out.write(json.dumps({"version": 2, "width": 80, "height": 24}) + "\n")
        out.writelines(f'[{i / 100:.2f}, "o", "a"]\n' for i in range(1_100_000))
    with cast.open("rb") as stdin:
        result = subprocess.run(
            [*GENACT, "embed", "-", kind, str(tmp_path / "out")], stdin=stdin,
            capture_output=True, text=True, timeout=600, cwd=ROOT,
        )  # fmt: skip
    assert result.returncode == 1
    assert result.stderr == f"genact-cast: more than 1,000,000 events to draw; {ways}\n"
    assert not (tmp_path / "out").exists()


_WITH_A_LOWER_LIMIT = """
import sys
from genact_cast.publish import encode_cost
encode_cost.READ_SECONDS = 0.1  # a fraction of a second: 500 kB of --text, 200 kB of --vtt
from genact_cast.cli import main
main()
"""


@pytest.mark.parametrize(("how", "kind", "ways"), [
    ("pipe", "--text", "cut it with --start-at/--end-at, or draw a still with --at"),
    ("pipe", "--vtt", "cut it with --start-at/--end-at"),
    ("--end-at", "--vtt", "cut it with --start-at/--end-at"),
    ("--at", "--png", "cut it with --start-at/--end-at, or draw a still with --at"),
])  # fmt: skip
def test_what_cannot_be_priced_first_is_held_to_the_same_cost_as_it_is_read(
    tmp_path: Path, how: str, kind: str, ways: str
) -> None:
    """review-attack16 F8: a pipe (whose length is not known), and a cut with --at or
    --end-at (whose place is not known), skipped the count a named file gets: the same cast
    refused in 0.1 s as a file was worked on for minutes. Now the bytes read are held to the
    same cost as they are read, refused in one line once past it, and nothing is written."""
    if kind == "--png":
        pytest.importorskip("PIL")
    cast = tmp_path / "long.cast"
    with cast.open("w") as out:
        out.write(json.dumps({"version": 2, "width": 80, "height": 24}) + "\n")
        out.writelines(json.dumps([i * 1.0, "o", "x" * 100_000]) + "\n" for i in range(30))
    target = tmp_path / "out"
    args = [kind, str(target)]
    if how == "pipe":
        command = [sys.executable, "-c", _WITH_A_LOWER_LIMIT, "embed", "-", *args]
        with subprocess.Popen(
            ["cat", str(cast)], stdout=subprocess.PIPE
        ) as cat:  # a pipe, not the file: fstat cannot size it
            result = subprocess.run(command, stdin=cat.stdout, capture_output=True, text=True,
                                    timeout=600, cwd=ROOT)  # fmt: skip
    else:
        cut = [how, "99999"]  # past the cast's end: it cuts nothing
        command = [sys.executable, "-c", _WITH_A_LOWER_LIMIT, "embed", str(cast), *args, *cut]
        result = subprocess.run(command, capture_output=True, text=True, timeout=600, cwd=ROOT)
    budget = int(0.1 / encode_cost.READ_BYTE_SECONDS.get(kind[2:], encode_cost.MODEL_BYTE_SECONDS))
    what = kind[2:]
    assert (result.returncode, result.stderr) == (1, (
        f"genact-cast: the {what} would take more than 0 s to make: more than {budget:,} bytes "
        f"of cast to read; {ways}\n"
    ))  # fmt: skip
    assert not target.exists()
    assert sorted(path.name for path in tmp_path.iterdir()) == ["long.cast"]
