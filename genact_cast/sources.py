"""Where casts come from: a path, standard input (`-`), or an http(s) URL.

A URL may also be an asciinema recording page: its
`<link rel="alternate" type="application/x-asciicast" href="...">` is followed.

Bounded work: a URL is downloaded whole within a size limit and one total deadline
(url_download.py); a FIFO or a pipe silent for too long (at its start or later) is given
up (pipes.py). Every limit is in genact_cast.limits.
"""

from __future__ import annotations

import contextlib
import io
import os
import shutil
import stat
import sys
import tempfile
from collections.abc import Iterator
from typing import IO, TYPE_CHECKING

from genact_cast import limits
from genact_cast.asciicast.lines import ReadBudget
from genact_cast.asciicast.reader import CastReader
from genact_cast.atomic import temporary_writes, unnamed_file
from genact_cast.bounded_http import (
    quoted,
)
from genact_cast.errors import GenactCastError, SourceError
from genact_cast.pipes import SilenceLimited, check_stdin, stdin_stream, wait_for_data
from genact_cast.url_download import download

if TYPE_CHECKING:
    pass


def is_url(source: str) -> bool:
    """An http(s) URL: its scheme in any case, as RFC 3986 3.1 reads it (HTTP://h/x)."""
    return source[:8].lower().startswith(("http://", "https://"))


@contextlib.contextmanager
def open_cast(
    source: str, *, shown: str | None = None, budget: ReadBudget | None = None
) -> Iterator[CastReader]:
    """A reader for `source`, closed when the block ends; `shown` names it in messages
    (the URL of a cast read from its downloaded copy); `budget` bounds the bytes read."""
    if source == "-":
        check_stdin()
        wait_for_data(sys.stdin.buffer.fileno(), "<stdin>")
        yield CastReader(stdin_stream(), shown or "<stdin>", budget=budget)
    elif is_url(source):
        with download(source) as stream:
            yield CastReader(stream, shown or source, budget=budget)
    else:
        with _open_file(source) as stream:
            yield CastReader(stream, shown or source, budget=budget)


@contextlib.contextmanager
def private_copy(folder: str | None = None) -> Iterator[tuple[IO[bytes], str]]:
    """A private temporary file (in `folder`, else the system's temporary directory) and a
    name to open it again by. On Linux it has no name in any directory from the start
    (unlinked, reopened through /proc/self/fd), so no copy is left behind however the
    process ends, SIGKILL included; elsewhere a named file removed on the way out."""
    if os.path.isdir("/proc/self/fd"):
        with unnamed_file(folder) as copy:
            yield copy, f"/proc/self/fd/{copy.fileno()}"
        return
    with tempfile.NamedTemporaryFile(prefix="genact-cast-", suffix=".cast", dir=folder) as named:
        yield named, named.name


@contextlib.contextmanager
def downloaded(url: str, folder: str | None = None) -> Iterator[str]:
    """The cast at `url` downloaded once, as a private temporary file, for a command that
    reads it more than once (`play --loop`, `--start-at LABEL`): one download, and the
    copy checked is the copy played."""
    with (
        download(url, folder) as stream,
        private_copy(folder) as (copy, name),
    ):
        with temporary_writes(f"the temporary copy of {quoted(url)}", folder):
            shutil.copyfileobj(stream, copy)
            copy.flush()
        yield name


@contextlib.contextmanager
def replayable(source: str, *, again: bool = True, folder: str | None = None) -> Iterator[str]:
    """A name to open `source` by more than once (with `again`): standard input is spooled
    to a private temporary file (in `folder`, else the system's temporary directory),
    within `limits.MAX_SPOOL_BYTES`, and a URL downloaded once, to one too; a file is its
    own name. What is read first (a marker looked for, the frames counted) is then what
    is read again."""
    if is_url(source) and again:
        with downloaded(source, folder) as path:
            yield path
        return
    if source != "-" or not again:
        yield source
        return
    check_stdin()
    wait_for_data(sys.stdin.buffer.fileno(), "<stdin>")  # a silent pipe is given up
    with private_copy(folder) as (spool, name):
        size = 0
        stdin = stdin_stream()  # (a pipe silent for the limit is given up)
        with temporary_writes("the temporary copy of <stdin>", folder):
            while chunk := stdin.read(1 << 20):
                size += len(chunk)
                if size > limits.MAX_SPOOL_BYTES:
                    raise GenactCastError(
                        f"<stdin>: larger than the limit of {limits.MAX_SPOOL_BYTES:,} bytes"
                        " for a cast read more than once"
                    )
                spool.write(chunk)
            spool.flush()
        yield name


@contextlib.contextmanager
def _open_file(source: str) -> Iterator[IO[bytes]]:
    try:
        # Without O_NONBLOCK, opening a FIFO nobody writes to would block forever.
        fd = os.open(source, os.O_RDONLY | os.O_NONBLOCK)
    except FileNotFoundError:
        raise SourceError(source, "no such file") from None
    except IsADirectoryError:
        raise SourceError(source, "is a directory") from None
    except OSError as exc:
        raise SourceError(source, str(exc.strerror)) from None
    mode = os.fstat(fd).st_mode
    if stat.S_ISDIR(mode):
        os.close(fd)
        raise SourceError(source, "is a directory")
    if os.isatty(fd):  # (/dev/tty, /dev/stdin at a terminal: nobody types a cast)
        os.close(fd)
        raise SourceError(source, "is a terminal: name a cast file or pipe a cast in")
    os.set_blocking(fd, True)
    if stat.S_ISREG(mode) and os.fstat(fd).st_size > limits.MAX_CAST_BYTES:
        # Told before reading, not after minutes of reading up to the limit.
        size = os.fstat(fd).st_size
        os.close(fd)
        raise SourceError(
            source,
            f"{size:,} bytes, larger than the limit of {limits.MAX_CAST_BYTES:,} bytes for a cast",
        )
    if stat.S_ISREG(mode):
        with os.fdopen(fd, "rb") as stream:
            yield stream
        return
    with io.BufferedReader(SilenceLimited(fd, source, owned=True)) as bounded:
        wait_for_data(fd, source)
        yield bounded
