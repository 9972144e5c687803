"""Casts for documents, kept in a build cache: generated from `record`'s options, or read
from a file of the source tree, each with its stills (SVG, PNG, text) made on demand.

A generated cast's key is genact-cast's version and its options, so an unchanged block
never regenerates; a file's is the version and the file's bytes. Everything in the cache is
written atomically (several Sphinx processes may share it). A file cast is read with the
library's reader and its limits, and its theme checked: a theme that is not colours is
dropped with a warning, so it never reaches the page.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from genact_cast import __version__
from genact_cast.errors import GenactCastError

if TYPE_CHECKING:
    from genact_cast.asciicast import Event
    from genact_cast.generator import RecordOptions

CACHE_FORMAT = 1  # bump when what the cache holds changes
MAX_FILE_BYTES = 64 << 20  # a cast file embedded in a document
STILLS = {"svg": "svg", "png": "png", "text": "txt"}


class DocsCastError(GenactCastError):
    """A cast of a document cannot be made or read."""


@dataclass(frozen=True)
class Prepared:
    """A cast ready for a page: the v2 file the player reads, and what the page says of it."""

    key: str
    path: Path
    title: str
    duration: float
    markers: tuple[tuple[float, str], ...]
    warnings: tuple[str, ...] = ()
    made: bool = False  # generated or converted by this call (not found in the cache)

    @property
    def file_name(self) -> str:
        return f"genact-cast-{self.key}.cast"


def _digest(*parts: bytes) -> str:
    h = hashlib.sha256(f"genact-cast {__version__} cache {CACHE_FORMAT}\n".encode())
    for part in parts:
        h.update(len(part).to_bytes(8, "big"))
        h.update(part)
    return h.hexdigest()[:20]


def options_key(options: RecordOptions) -> str:
    """The cache key of a generated cast: the version and every option, as parsed."""
    return _digest(repr(options).encode())


class CastCache:
    """One folder of cast files, their descriptions (`KEY.json`) and stills."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder

    def generated(self, options: RecordOptions) -> Prepared:
        key = options_key(options)
        found = self._described(key)
        if found is not None:
            return found

        # Written as it is made, the bytes `record` writes: a day at 1000x200 (262 MB of
        # cast) held whole took 1.6 GB (review-attack8 item 11).
        from genact_cast.asciicast.model import MARKER
        from genact_cast.atomic import atomic_output
        from genact_cast.generator import write_cast

        markers: list[tuple[float, str]] = []

        def seen(event: Event) -> None:
            if event.code == MARKER:
                markers.append((event.time, event.data))

        self.folder.mkdir(parents=True, exist_ok=True)
        cast = self.folder / f"{key}.cast"
        with atomic_output(cast, overwrite=True) as stream:
            writer = write_cast(options, 2, stream.write, seen)
        title, duration = writer.header.title or "", writer.last_us / 1_000_000
        meta = {"title": title, "duration": duration, "markers": markers, "warnings": ()}
        _write(self.folder / f"{key}.json", json.dumps(meta).encode("utf-8"))
        return Prepared(key, cast, title, duration, tuple(markers), (), made=True)

    def from_file(self, source: Path) -> Prepared:
        data = _read_regular(source)
        key = _digest(data)
        found = self._described(key)
        if found is not None:
            return found

        def make() -> tuple[str, str, float, tuple[tuple[float, str], ...], tuple[str, ...]]:
            from genact_cast.escape import title_text
            from genact_cast.publish.html import cast_v2
            from genact_cast.publish.theme import resolve_theme
            from genact_cast.sources import open_cast

            with open_cast(str(source)) as reader:
                header, events = reader.header, list(reader.events())
            warnings: tuple[str, ...] = ()
            try:
                resolve_theme(header)
            except GenactCastError as exc:
                warnings = (f"{source.name}: {exc}; the page's colours are used instead",)
                header = header._replace(theme=None, rejected_theme=None)
            return (
                cast_v2(header, events),
                title_text(header.title or source.stem),  # a figure's caption
                *_describe(events),
                warnings,
            )

        return self._store(key, make)

    def still(self, prepared: Prepared, kind: str) -> Path:
        """The final screen as `svg`, `png` (needs the video extra) or `text`, made once."""
        target = self.folder / f"{prepared.key}.{STILLS[kind]}"
        if target.is_file():
            return target
        from genact_cast.commands.embed import embed

        at = prepared.duration if kind == "svg" else None  # a still, not the animation
        # A PNG for print: 16-pixel glyphs, the picture the terminal's size.
        embed(str(prepared.path), target, kind, overwrite=True, at=at, size="16")
        return target

    def _described(self, key: str) -> Prepared | None:
        meta, cast = self.folder / f"{key}.json", self.folder / f"{key}.cast"
        if not (meta.is_file() and cast.is_file()):
            return None
        try:
            d = json.loads(meta.read_text("utf-8"))
            return Prepared(
                key, cast, str(d["title"]), float(d["duration"]),
                tuple((float(t), str(label)) for t, label in d["markers"]),
                tuple(str(w) for w in d["warnings"]),
            )  # fmt: skip
        except (OSError, ValueError, KeyError, TypeError):
            return None  # a damaged entry is made again

    def _store(
        self,
        key: str,
        make: Callable[[], tuple[str, str, float, tuple[tuple[float, str], ...], tuple[str, ...]]],
    ) -> Prepared:
        text, title, duration, markers, warnings = make()
        self.folder.mkdir(parents=True, exist_ok=True)
        cast = self.folder / f"{key}.cast"
        _write(cast, text.encode("utf-8"))
        meta = {"title": title, "duration": duration, "markers": markers, "warnings": warnings}
        _write(self.folder / f"{key}.json", json.dumps(meta).encode("utf-8"))
        return Prepared(key, cast, title, duration, markers, warnings, made=True)


def _read_regular(source: Path) -> bytes:
    """The bytes of the regular file `source`, at most MAX_FILE_BYTES. Opened without
    blocking and checked once open: a FIFO (which blocked the build forever, review-attack9
    item 1), a device or a socket is refused, not read."""
    import os
    import stat

    try:
        fd = os.open(source, os.O_RDONLY | os.O_NONBLOCK | os.O_CLOEXEC)
    except OSError as exc:
        raise DocsCastError(f"cannot read {source.name}: {exc.strerror or exc}") from None
    with os.fdopen(fd, "rb") as stream:
        try:
            info = os.fstat(fd)
            if not stat.S_ISREG(info.st_mode):
                raise DocsCastError(
                    f"{source.name} is not a regular file (a FIFO, device or socket)"
                )
            if info.st_size > MAX_FILE_BYTES:
                raise DocsCastError(f"{source.name}: larger than {MAX_FILE_BYTES >> 20} MiB")
            data = stream.read(MAX_FILE_BYTES + 1)
        except OSError as exc:
            raise DocsCastError(f"cannot read {source.name}: {exc.strerror or exc}") from None
    if len(data) > MAX_FILE_BYTES:  # (it grew since)
        raise DocsCastError(f"{source.name}: larger than {MAX_FILE_BYTES >> 20} MiB")
    return data


def _describe(events: list[Event]) -> tuple[float, tuple[tuple[float, str], ...]]:
    from genact_cast.asciicast.model import MARKER

    duration = events[-1].time if events else 0.0
    return duration, tuple((e.time, e.data) for e in events if e.code == MARKER)


def _write(path: Path, data: bytes) -> None:
    """Atomically, so that parallel builds sharing the cache never see half a file."""
    from genact_cast.atomic import atomic_output

    with atomic_output(path, overwrite=True) as stream:
        stream.write(data)


def copy_into(source: Path, target: Path) -> None:
    """`source` as `target` (a cast beside its page), unless it is there already; both
    read a block at a time, never whole (a cast may be hundreds of megabytes)."""
    import filecmp
    import shutil

    from genact_cast.atomic import atomic_output

    try:
        if filecmp.cmp(source, target, shallow=False):
            return
    except OSError:
        pass
    target.parent.mkdir(parents=True, exist_ok=True)
    with source.open("rb") as data, atomic_output(target, overwrite=True) as stream:
        shutil.copyfileobj(data, stream, 1 << 20)


def resolve_start(start_at: float | str | None, prepared: Prepared) -> float | None:
    """A `start-at` marker label as its time in the cast."""
    if start_at is None or isinstance(start_at, float):
        return start_at
    for time, label in prepared.markers:
        if label == start_at:
            return time
    labels = ", ".join(repr(label) for _, label in prepared.markers[:8]) or "none"
    raise DocsCastError(f"start-at: the cast has no marker {start_at!r} (its markers: {labels})")
