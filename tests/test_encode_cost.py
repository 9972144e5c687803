"""A video's or GIF's cost worked out before it is encoded (publish/encode_cost.py).

review-attack11 finding 2: `record -o w.webm --cols 1000 --rows 200 --duration 86400`
ran for over 12 minutes with no refusal, while the work budget refused an ordinary
30-minute 80x24 cast after 45 s of CPU. Times here are CPU times of the child process.
"""

from __future__ import annotations

import json
import resource
import subprocess
import sys
from pathlib import Path
from typing import IO

import pytest
from PIL import Image

from genact_cast.asciicast import micros
from genact_cast.asciicast.model import Event
from genact_cast.publish.encode_cost import VIDEO_SECONDS, GifFrames, VideoFrames
from genact_cast.publish.gif import gif_clip
from genact_cast.publish.screens import Clip, Timeline
from genact_cast.sources import open_cast
from tests.helpers import cast_text
from tests.local_server import Handler, serving

GENACT = [sys.executable, "-m", "genact_cast"]
ROOT = Path(__file__).resolve().parent.parent
CASTS = sorted((ROOT / "casts").glob("*.cast"))


def run_cpu(
    *args: str | Path, stdin: IO[bytes] | None = None
) -> tuple[subprocess.CompletedProcess[str], float]:
    """The command's result and the CPU seconds it (and agg, if it ran) took."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    result = subprocess.run([*GENACT, *map(str, args)], capture_output=True, text=True,
                            timeout=600, cwd=ROOT, stdin=stdin)  # fmt: skip
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return result, cpu


def write_cast(path: Path, cols: int, rows: int, body: list[list[object]]) -> Path:
    header = {"version": 2, "width": cols, "height": rows}
    path.write_text("\n".join(json.dumps(x) for x in [header, *body]) + "\n", "utf-8")
    return path


@pytest.mark.parametrize("source", ["file", "stdin", "url"])
def test_a_video_that_cannot_be_encoded_in_time_is_refused_before_encoding(
    tmp_path: Path, source: str
) -> None:
    """12,000 lines a 20th of a second apart at 4K (a scrolled 3840x2160 frame: at least
    66 ms): over 10 minutes of encoding, refused from the events' times alone. The old
    main encoded until the work budget's refusal (a different line, seconds of CPU); from
    standard input or a URL it counted the frames only as it encoded them (minutes)."""
    cast = write_cast(tmp_path / "long.cast", 80, 24,
                      [[i / 20, "o", f"line {i}\r\n"] for i in range(12_000)])  # fmt: skip
    out = tmp_path / "long.webm"
    if source == "file":
        result, cpu = run_cpu("embed", cast, "--webm", out, "--size", "4k")
    elif source == "stdin":
        with cast.open("rb") as stdin:
            result, cpu = run_cpu("embed", "-", "--webm", out, "--size", "4k", stdin=stdin)
    else:
        body = cast.read_bytes()

        class Cast(Handler):
            def do_GET(self) -> None:
                self.reply(body, "application/x-asciicast")

        with serving(Cast) as base:
            result, cpu = run_cpu("embed", f"{base}/long.cast", "--webm", out, "--size", "4k")
    assert result.returncode == 1
    lines = result.stderr.splitlines()
    assert len(lines) == 1, lines
    assert "would take more than 10 minutes to encode" in lines[0]
    assert "--fps-cap" in lines[0]
    assert "--size" in lines[0]
    assert cpu < 6.0, f"{cpu:.1f} s of CPU"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["long.cast"]


def test_record_refuses_a_day_long_video_and_gif(tmp_path: Path) -> None:
    """The review's command, refused after a few seconds of CPU (it ran for over 12
    minutes): the frames are counted as `record` makes the cast, before any encoding."""
    for name, limit in (("w.webm", 6.0), ("w.gif", 3.0)):
        out = tmp_path / name
        result, cpu = run_cpu("record", "--seed", "5", "-o", out, "--cols", "1000",
                              "--rows", "200", "--duration", "86400")  # fmt: skip
        assert result.returncode == 1, result.stderr
        lines = result.stderr.splitlines()
        assert len(lines) == 1, lines
        assert "more than 10 minutes to" in lines[0]
        assert "--duration" in lines[0]
        assert cpu < limit, f"{name}: {cpu:.1f} s of CPU"
    assert list(tmp_path.iterdir()) == []


def test_a_gif_that_cannot_be_drawn_in_time_is_refused_before_drawing(tmp_path: Path) -> None:
    """1,500 scrolling frames of 1000x200 cells (a picture of 8,000x3,400 pixels at font
    size 14): at 25 ns a pixel a frame, over 600 s; refused before a frame is drawn (agg,
    the GIF's drawing before, ran until its timeout on the main of that time)."""
    cast = write_cast(tmp_path / "wide.cast", 1000, 200,
                      [[i / 10, "o", f"{i}\r\n"] for i in range(1500)])  # fmt: skip
    result, cpu = run_cpu("embed", cast, "--gif", tmp_path / "wide.gif")
    assert result.returncode == 1
    assert "the GIF would take more than 10 minutes to encode" in result.stderr
    assert "--font-size" in result.stderr
    assert cpu < 5.0, f"{cpu:.1f} s of CPU"
    assert not (tmp_path / "wide.gif").exists()


@pytest.mark.parametrize(
    "clip",
    [Clip(), Clip(speed=3.0, fps=7.0), Clip(idle_time_limit=0.2, fps=60.0),
     Clip(start_at="2.5", end_at="7"), Clip(fps=1.0, start_at="1")],
)  # fmt: skip
def test_frames_are_counted_as_the_timeline_makes_them(tmp_path: Path, clip: Clip) -> None:
    """The count is the timeline's rule (publish/screens.py): every event of this cast
    changes the screen (the cursor moves), so the counts are equal."""
    cast = tmp_path / "run.cast"
    cast.write_text(cast_text(seed=3, duration=10.0, cols=80, rows=24), "utf-8")
    with open_cast(str(cast)) as reader:
        counter = VideoFrames(reader.header, clip, "webm", "720p")
        counter.count(reader.events())
    with open_cast(str(cast)) as reader:
        screens = sum(1 for _ in Timeline(reader.header, reader.events(), clip))
    assert counter.frames >= screens
    assert counter.frames <= screens * 1.05 + 1


def test_gif_frames_are_counted_as_the_gif_has_them(tmp_path: Path) -> None:
    """The frames of the GIF written (read back), for events closer and farther apart
    than its frame time, with a pause past its idle limit (5 s, agg's rule kept)."""
    times = [0.1, 0.11, 0.2, 0.25, 0.5, 9.0, 9.01, 9.1, 9.5, 9.6]
    cast = write_cast(
        tmp_path / "t.cast", 20, 5, [[t, "o", f"{i}\r\n"] for i, t in enumerate(times)]
    )
    gif = tmp_path / "t.gif"
    result, _ = run_cpu("embed", cast, "--gif", gif, "--fps-cap", "10")
    assert result.returncode == 0, result.stderr
    with Image.open(gif) as image:
        drawn = image.n_frames
        durations = []
        for index in range(drawn):
            image.seek(index)
            durations.append(image.info["duration"])
    with open_cast(str(cast)) as reader:
        clip = gif_clip(reader.header, speed=1.0, fps_cap=10, idle_time_limit=None)
        counter = GifFrames(reader.header, clip, 14)
        counter.count(reader.events())
    assert counter.frames == drawn
    assert max(durations[:-1]) == 5000  # the pause of 8.5 s, capped at 5 s
    assert durations[-1] == 3000  # the last screen held 3 s


@pytest.mark.parametrize("cast", CASTS, ids=[c.stem for c in CASTS])
def test_ordinary_casts_are_well_inside_the_limits(cast: Path) -> None:
    """A 4K WebM of each example cast is estimated at under a quarter of the limit (the
    two-minute torchtitan cast, whose lines stamped apart are drawn apart since review-tt16
    T8, about 97 s of the 600)."""
    with open_cast(str(cast)) as reader:
        counter = VideoFrames(reader.header, Clip(), "webm", "4k")
        counter.count(reader.events())
    assert counter.seconds < VIDEO_SECONDS / 4


def test_a_thirty_minute_cast_is_inside_the_limits() -> None:
    """A 30-minute 80x24 run: refused by the work budget after 45 s of CPU on the old main;
    about 2,200 frames, estimated at 36 s at 1080p (45 s measured), 142 s at 4K."""
    from genact_cast.generator import RecordOptions, generate

    cast = generate(RecordOptions(seed=7, duration=1800.0, cols=80, rows=24))
    counter = VideoFrames(cast.header, Clip(), "webm", "4k")
    counter.count(cast.events)
    assert 1000 < counter.frames < 5000
    assert counter.seconds < 300


def test_scrolled_frames_are_paid_for_by_the_frame_limits(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A log scrolling a line a frame redraws every row each frame: the work budget, which
    grows with the output, refused it (on the old main, with the base lowered to 5 M pixels,
    after a few frames; the 30-minute 80x24 run at its real base after 45 s). Each frame now
    pays for its whole picture, bounded by the frame and time limits instead."""
    from genact_cast.publish import raster_work
    from genact_cast.publish.exports import export

    monkeypatch.setattr(raster_work, "WORK_BASE", 5_000_000)
    body: list[list[object]] = [[i / 10, "o", f"line {i} {'x' * 60}\r\n"] for i in range(40)]
    cast = write_cast(tmp_path / "log.cast", 80, 24, body)
    export(str(cast), tmp_path / "log.webm", "webm", overwrite=False, clip=Clip(), size="720p")
    assert (tmp_path / "log.webm").stat().st_size > 0


def test_events_feed_the_count_in_order() -> None:
    """A resize to a larger size makes the frames after it dearer."""
    from genact_cast.asciicast import Header

    counter = VideoFrames(Header(80, 24), Clip(), "mp4", "1080p")
    counter.add(Event(micros(0.5), "o", "a"))
    counter.add(Event(micros(1.0), "r", "200x60"))
    counter.add(Event(micros(2.0), "o", "b"))
    before = counter.seconds
    counter.finish()
    assert (counter.cols, counter.rows, counter.frames) == (200, 60, 4)
    assert counter.seconds > before


def test_too_large_a_picture_is_named_before_the_estimate(tmp_path: Path) -> None:
    """`--size 200` at 80x24 makes a picture wider than decoders take: said so, not that
    its frames (each costing its oversized picture) would take too long."""
    from genact_cast.errors import GenactCastError
    from genact_cast.publish.exports import export

    cast = write_cast(tmp_path / "c.cast", 80, 24, [[i / 10, "o", f"{i}\r\n"] for i in range(2000)])
    with pytest.raises(GenactCastError, match=r"^--size 200 makes a \d+x\d+ picture"):
        export(str(cast), tmp_path / "c.mp4", "mp4", overwrite=False, clip=Clip(), size="200")


def test_an_animated_svg_that_cannot_be_drawn_in_time_is_refused_before_drawing(
    tmp_path: Path,
) -> None:
    """70,000 lines a 20th of a second apart on a 1000x200 terminal: at least 1 ms a frame
    (5 ns a cell), over the SVG's minute, refused from the events' times alone, from a
    file and from standard input. The old main drew the frames until the 64 MB limit or
    the frame limit (review-attack12 F6: minutes)."""
    cast = write_cast(tmp_path / "wide.cast", 1000, 200,
                      [[i / 20, "o", f"{i}\r\n"] for i in range(70_000)])  # fmt: skip
    out = tmp_path / "wide.svg"
    result, cpu = run_cpu("embed", cast, "--svg", out)
    with cast.open("rb") as stdin:
        piped, piped_cpu = run_cpu("embed", "-", "--svg", out, stdin=stdin)
    for run, seconds in ((result, cpu), (piped, piped_cpu)):
        assert run.returncode == 1
        lines = run.stderr.splitlines()
        assert len(lines) == 1, lines
        assert "the SVG would take more than 60 s to draw" in lines[0]
        assert "--at" in lines[0]
        assert seconds < 8.0, f"{seconds:.1f} s of CPU"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["wide.cast"]


def test_svg_frames_are_counted_as_the_svg_draws_them() -> None:
    """The SVG's frames (its fps cap and idle limit) are the timeline's, as the video's."""
    from genact_cast.asciicast import Header
    from genact_cast.publish.encode_cost import SvgFrames
    from genact_cast.publish.svg import frames

    events = [Event(micros(t), "o", f"{t}\r\n") for t in (0, 0.01, 0.05, 0.5, 9, 9.02, 30)]
    for clip in (Clip(), Clip(fps=5.0, idle_time_limit=2.0)):
        counter = SvgFrames(Header(80, 24), clip)
        counter.count(events)
        drawn = frames(Header(80, 24), events, fps_cap=clip.fps,
                       idle_time_limit=clip.idle_time_limit)  # fmt: skip
        assert counter.frames == len(list(drawn))


def _repaints(rows: int, frames: int) -> list[list[object]]:
    """A full-screen program's frames: every row rewritten by cursor addressing, no \\n."""
    return [
        [i / 25, "o", "".join(f"\x1b[{row};1H{chr(97 + (i + row) % 26) * 80}" for row in
                              range(1, rows + 1))]
        for i in range(frames)
    ]  # fmt: skip


def _edits(frames: int) -> list[list[object]]:
    """An editor's frames: one row rewritten, the cursor put back."""
    return [[i / 25, "o", f"\x1b[5;1H{'xy'[i % 2] * 40}\x1b[1;1H"] for i in range(frames)]


@pytest.mark.parametrize("body", ["repaints", "edits", "clears"])
def test_the_gif_estimate_prices_each_frame_as_the_gif_checks_it_while_drawing(
    tmp_path: Path, body: str
) -> None:
    """review-attack16 F12: a full-screen repaint by cursor addressing, without a line
    feed, was priced at the cheap rate before drawing and at the scroll rate while drawing
    (2 x changed rows > rows), so a GIF 1/3 past the estimate's limit was refused near its
    end. The estimate and the check now agree frame by frame."""
    events = {
        "repaints": _repaints(24, 60),
        "edits": _edits(60),
        "clears": [[i / 25, "o", f"\x1b[2J\x1b[Hframe {i}"] for i in range(60)],
    }[body]
    cast = write_cast(tmp_path / "t.cast", 80, 24, events)
    with open_cast(str(cast)) as reader:
        clip = gif_clip(reader.header, speed=1.0, fps_cap=30, idle_time_limit=None)
        counter = GifFrames(reader.header, clip, 14)
        counter.count(reader.events())
    with open_cast(str(cast)) as reader:
        timeline = Timeline(reader.header, reader.events(), clip)
        drawing = sum(
            GifFrames.frame_cost(counter.pixels, 2 * len(screen.changed) > 24)
            for screen in timeline
        )
    # Never below what the drawing counts; the same where the output says which rows
    # change (a clear of rows already blank is the only excess: the drawing sees them
    # unchanged).
    assert counter.seconds >= drawing * (1 - 1e-9)
    if body != "clears":
        assert counter.seconds == pytest.approx(drawing)
