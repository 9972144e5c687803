"""A GIF frame's delay is 16 bits of hundredths (655.35 s): a longer pause, from a cast's
own idle_time_limit, --idle-time-limit, --speed or a v3 exit event, died in Pillow's
OverflowError traceback (review-attack16 F1). And a blinking screen through a long pause
was a frame per blink, never counted (F5)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from PIL import Image


def _frames(path: Path) -> list[int]:
    """Each frame's delay, in milliseconds."""
    delays: list[int] = []
    with Image.open(path) as image:
        for index in range(image.n_frames):
            image.seek(index)
            delays.append(int(image.info["duration"]))
    return delays


def _embed(cast: Path, gif: Path, *options: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "genact_cast", "embed", str(cast), "--gif", str(gif), *options],
        capture_output=True, text=True, timeout=600,
    )  # fmt: skip


def _write(path: Path, header: dict[str, object], *events: list[object]) -> Path:
    path.write_text("\n".join(json.dumps(line) for line in (header, *events)) + "\n")
    return path


@pytest.mark.parametrize(
    ("header", "events", "options", "total"),
    [
        ({"version": 2, "width": 80, "height": 24, "idle_time_limit": 100000},
         [[0, "o", "hello\r\n"], [1000, "o", "world\r\n"], [1001, "o", "x"]], [], 1001),
        ({"version": 2, "width": 80, "height": 24},
         [[0, "o", "hello\r\n"], [1, "o", "world\r\n"]], ["--speed", "0.001"], 1000),
        ({"version": 3, "term": {"cols": 20, "rows": 5}},
         [[0.5, "o", "hi"], [0.5, "r", "30x8"], [700, "x", "0"]], ["--idle-time-limit", "1000"],
         701),
    ],
    ids=["header-idle-limit", "speed", "v3-exit"],
)  # fmt: skip
def test_a_pause_past_655_seconds_is_held_whole(
    tmp_path: Path, header: dict[str, object], events: list[list[object]], options: list[str],
    total: float,
) -> None:  # fmt: skip
    cast = _write(tmp_path / "pause.cast", header, *events)
    result = _embed(cast, tmp_path / "pause.gif", *options)
    assert result.returncode == 0, result.stderr
    delays = _frames(tmp_path / "pause.gif")
    assert max(delays) <= 655_350
    # The whole cast, plus at most the last frame's hold (gif.LAST_FRAME_SECONDS).
    assert total * 1000 <= sum(delays) <= total * 1000 + 5_000, delays


def test_a_blinking_screen_through_a_long_pause_blinks_ten_minutes_then_stays_shown(
    tmp_path: Path,
) -> None:
    cast = _write(
        tmp_path / "blink.cast", {"version": 2, "width": 20, "height": 4},
        [0, "o", "\u001b[5mBLINK\u001b[0m\r\n"], [20000, "o", "x"],
    )  # fmt: skip
    result = _embed(cast, tmp_path / "blink.gif", "--idle-time-limit", "50000")
    assert result.returncode == 0, result.stderr
    delays = _frames(tmp_path / "blink.gif")
    # 1,000 blinks, then the shown text held in 655.35 s frames (was one a blink: 33,334)
    assert 1000 + 19_400 // 656 <= len(delays) <= 1040, len(delays)
    assert 20_000_000 <= sum(delays) <= 20_005_000


def test_a_gif_picture_is_bounded_by_memory_not_by_the_format(tmp_path: Path) -> None:
    """review-attack16 F9: GIF's 16-bit size let a 200x60 terminal at --font-size 120
    (14640x8700 then, 14640x9840 with rows of 4/3 em) take 2.6 GB for three frames; the
    bound is now the video's, in one line, before any memory is used."""
    import resource

    cast = _write(
        tmp_path / "wide.cast", {"version": 2, "width": 200, "height": 60},
        [0, "o", "\u001b[41mhello\r\n"], [1, "o", "\u001b[44mworld\u001b[2J"],
    )  # fmt: skip

    def one_gigabyte() -> None:
        resource.setrlimit(resource.RLIMIT_AS, (1 << 30, 1 << 30))

    result = subprocess.run(
        [sys.executable, "-m", "genact_cast", "embed", str(cast), "--gif",
         str(tmp_path / "w.gif"), "--font-size", "120"],
        capture_output=True, text=True, timeout=600, preexec_fn=one_gigabyte,
    )  # fmt: skip
    assert result.returncode == 1
    assert result.stderr == (
        "genact-cast: --font-size 120 makes a 14640x9840 picture for this terminal; a GIF "
        "here holds at most 8192x4352: use a smaller --font-size\n"
    )
    assert not (tmp_path / "w.gif").exists()


def test_the_gif_is_streamed_beside_its_output_not_through_the_temporary_folder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """review-attack16 F13: the GIF was written whole in $TMPDIR, then copied, so a small
    or RAM-backed /tmp failed it when the target's disk had room. With no usable
    temporary folder at all, a GIF of a cast file is still written."""
    import tempfile

    from genact_cast.publish.gif import render_gif

    not_a_folder = tmp_path / "tmp-is-a-file"
    not_a_folder.write_text("")
    monkeypatch.setattr(tempfile, "tempdir", str(not_a_folder))
    cast = _write(
        tmp_path / "a.cast", {"version": 2, "width": 20, "height": 4},
        [0, "o", "hello\r\n"], [1, "o", "world\r\n"],
    )  # fmt: skip
    render_gif(str(cast), tmp_path / "a.gif", overwrite=False)
    assert len(_frames(tmp_path / "a.gif")) >= 2
    assert sorted(path.name for path in tmp_path.iterdir()) == ["a.cast", "a.gif", "tmp-is-a-file"]


def test_blinking_stops_where_the_cast_ends_and_the_hold_after_it_is_steady(
    tmp_path: Path,
) -> None:
    """review-exports14 item 4: the GIF blinked on through the 3 s hold after the cast's
    end and ended on a 20 ms frame; the player stops at the end with the text shown."""
    cast = _write(
        tmp_path / "blink.cast", {"version": 2, "width": 20, "height": 4},
        [0, "o", "plain\r\n"], [1, "o", "\u001b[5mBLINK\u001b[0m\r\n"],
    )  # fmt: skip
    result = _embed(cast, tmp_path / "blink.gif")
    assert result.returncode == 0, result.stderr
    delays = _frames(tmp_path / "blink.gif")
    assert delays[-1] >= 2_000, delays  # the hold, whole, on one frame
    with Image.open(tmp_path / "blink.gif") as image:
        image.seek(image.n_frames - 1)
        last = image.convert("RGB")
        image.seek(1)  # the blinking text's first frame: shown
        shown = image.convert("RGB")
    assert last.tobytes() == shown.tobytes()
