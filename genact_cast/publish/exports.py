"""The exports drawn from the terminal model's screens: MP4, WebM, PNG, plain text and WebVTT.

Each reads the cast once, as a stream, and writes its file atomically.
"""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import TYPE_CHECKING

from genact_cast.atomic import atomic_output, temporary_directory, temporary_writes
from genact_cast.errors import BadOption
from genact_cast.publish.clip import seconds_or_label
from genact_cast.publish.screens import Clip, Timeline
from genact_cast.sources import is_url, open_cast, replayable

if TYPE_CHECKING:
    from genact_cast.asciicast.lines import ReadBudget

KINDS = ("mp4", "webm", "png", "text", "vtt")


def export(
    source: str,
    output: Path,
    kind: str,
    *,
    overwrite: bool,
    clip: Clip,
    theme: str | None = None,
    size: str = "1080p",
    at: float | None = None,
) -> None:
    """`output` as `kind`; `at` (seconds, after the idle limit) picks a still's moment."""
    from genact_cast.extras import PIXEL_KINDS, require_for

    require_for(kind)  # before Pillow is imported: the hint, not a traceback
    chosen_size: str | int = size
    if kind in PIXEL_KINDS:  # (not "gif": commands/embed.py draws it, its size a font size)
        from genact_cast.publish.picture_layout import parse_size

        chosen_size = parse_size(size)
    if at is not None:
        start = seconds_or_label(clip.start_at, "--start-at")
        if isinstance(start, float) and at <= start:  # (the still ends a clip that starts there)
            raise BadOption(f"--at ({at:g}) must come after --start-at ({start:g})")
        clip = Clip(
            speed=clip.speed, fps=clip.fps, idle_time_limit=clip.idle_time_limit,
            start_at=clip.start_at, end_at=repr(float(at)),
        )  # fmt: skip
    if kind not in ("mp4", "webm"):
        from genact_cast.publish.encode_cost import check_read_cost, read_budget

        if at is None and clip.end_at is None and not is_url(source):
            # Before minutes of reading; standard input too when it is a file (`< cast`,
            # review-attack16 F8: refused as a file, accepted from it). /dev/stdin opens
            # the file anew, so the count leaves standard input where it is.
            stdin = source == "-"
            check_read_cost("/dev/stdin" if stdin else source, kind, "<stdin>" if stdin else None)
        # What cannot be priced first (a pipe, a URL, a cut) is held to the same cost as
        # it is read.
        _export(source, output, kind, overwrite=overwrite, clip=clip, theme=theme,
                size=chosen_size, budget=read_budget(kind))  # fmt: skip
        return
    # A video has one size: the largest the cast takes, read first; the same pass counts
    # the frames and refuses, before any is encoded, a video that cannot be encoded within
    # the limits (encode_cost.py). So the cast is read twice: standard input is spooled
    # and a URL downloaded once to a private temporary file (they were counted only while
    # they encoded, after minutes of work).
    from genact_cast.publish.encode_cost import VideoFrames

    shown = "<stdin>" if source == "-" else source if is_url(source) else None
    with replayable(source) as path:
        with open_cast(path, shown=shown) as reader:
            counter = VideoFrames(reader.header, clip, kind, chosen_size)
            largest = counter.count(reader.events())
        _export(path, output, kind, overwrite=overwrite, clip=clip, theme=theme,
                size=chosen_size, largest=largest, frames=counter.frames, shown=shown)  # fmt: skip


def _export(
    source: str, output: Path, kind: str, *, overwrite: bool, clip: Clip, theme: str | None,
    size: str | int, largest: tuple[int, int] | None = None, frames: int | None = None,
    shown: str | None = None, budget: ReadBudget | None = None,
) -> None:  # fmt: skip
    from genact_cast.publish.theme import resolve_theme

    chosen_size = size
    with open_cast(source, shown=shown, budget=budget) as reader:
        timeline = Timeline(reader.header, reader.events(), clip, largest=largest)
        if kind in ("text", "vtt"):
            # No colour drawn: a cast's theme the pictures refuse does not stop its text,
            # as the player plays such a cast in its own colours (review-exports23 WARN 9).
            render = _render_text if kind == "text" else _render_vtt
            data = render(timeline).encode("utf-8")
        elif kind in ("mp4", "webm"):
            palette = resolve_theme(reader.header, theme)
            from genact_cast.publish.video import write_video

            with temporary_directory("genact-cast-video-") as tmp:
                encoded = Path(tmp) / f"out.{kind}"
                # (PyAV's errors from writing, av.error.OSError, are OSErrors: a full
                # TMPDIR or `ulimit -f` is one line naming the file, not a traceback)
                with temporary_writes(f"the video's temporary file ({kind})"):
                    write_video(timeline, palette, encoded, kind, size=chosen_size, frames=frames)
                with atomic_output(output, overwrite=overwrite) as stream, encoded.open("rb") as f:
                    shutil.copyfileobj(f, stream)
            return
        else:
            from genact_cast.publish.png import render_png

            data = render_png(timeline, resolve_theme(reader.header, theme), size=chosen_size)
    with atomic_output(output, overwrite=overwrite) as stream:
        stream.write(data)


def _render_text(timeline: Timeline) -> str:
    from genact_cast.publish.text import render_text

    return render_text(timeline)


def _render_vtt(timeline: Timeline) -> str:
    from genact_cast.publish.vtt import render_vtt

    return render_vtt(timeline)
