"""Where casts come from: a path, standard input (`-`), or an http(s) URL.

A URL may also be an asciinema recording page: its
`<link rel="alternate" type="application/x-asciicast" href="...">` is followed.

Bounded work: a URL is downloaded whole (into a spooled temporary file, so playback
never holds a connection open) within a size limit and one total deadline, redirects
included; a page is searched for its link in one linear pass; a FIFO or a pipe silent
for too long (at its start or later) is given up. Every limit is in genact_cast.limits.
"""

from __future__ import annotations

import contextlib
import fcntl
import io
import os
import re
import select
import shutil
import stat
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from typing import IO, TYPE_CHECKING, Any

from genact_cast import limits
from genact_cast.asciicast.lines import ReadBudget
from genact_cast.asciicast.reader import CastReader
from genact_cast.atomic import temporary_writes, unnamed_file
from genact_cast.bounded_http import (
    ACCEPT_ENCODING,
    BadEncoding,
    BadRedirect,
    TooLarge,
    check_port,
    check_redirect,
    decoded,
    failed_url,
    http_problem,
    quoted,
    within,
)
from genact_cast.errors import CastFormatError, GenactCastError
from genact_cast.escape import terminal_text

if TYPE_CHECKING:
    import httpx

# `[^<>]*` stops at the next tag, so an unclosed `<link` costs only up to there:
# finding the link is linear in the page, however many tags it holds.
LINK_TAG = re.compile(rb"<link\b([^<>]*)>", re.IGNORECASE)
CAST_TYPE = re.compile(rb"""\btype\s*=\s*["']?application/x-asciicast\b""", re.IGNORECASE)
HREF = re.compile(rb"""\bhref\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s"'>]+))""", re.IGNORECASE)
SPOOL_IN_MEMORY = 8 << 20  # a downloaded cast larger than this goes to a temporary file


class SourceError(GenactCastError):
    """The cast cannot be opened or fetched."""

    def __init__(self, source: str, problem: str) -> None:
        first_line = (problem.splitlines() or [""])[0]
        super().__init__(f"{terminal_text(source)}: {terminal_text(first_line)}")


def is_url(source: str) -> bool:
    """An http(s) URL: its scheme in any case, as RFC 3986 3.1 reads it (HTTP://h/x)."""
    return source[:8].lower().startswith(("http://", "https://"))


def find_cast_link(page: bytes) -> bytes | None:
    """The href of the page's asciicast `<link>`, if it has one."""
    for tag in LINK_TAG.finditer(page):
        attributes = tag.group(1)
        if CAST_TYPE.search(attributes):
            href = HREF.search(attributes)
            if href:
                return next(group for group in href.groups() if group is not None)
    return None


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
        with _download(source) as stream:
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
        _download(url, folder) as stream,
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
    with io.BufferedReader(_SilenceLimited(fd, source, owned=True)) as bounded:
        wait_for_data(fd, source)
        yield bounded


def check_stdin() -> None:
    """SourceError when `-` cannot be read: standard input closed (Python then has no
    `sys.stdin`, as under cron or a supervisor: review-attack16 F4) or open only for
    writing, or a terminal (nobody types a cast: said at once, rather than waiting the
    silence limit for one and reading typed lines as a cast)."""
    if sys.stdin is None:
        raise SourceError("<stdin>", "standard input is closed: pipe a cast in or name a file")
    try:
        fd = sys.stdin.fileno()
    except (AttributeError, OSError, ValueError):  # (no descriptor: a stream given in-process)
        return
    try:
        writing_only = fcntl.fcntl(fd, fcntl.F_GETFL) & os.O_ACCMODE == os.O_WRONLY
    except OSError:
        raise SourceError(
            "<stdin>", "standard input is closed: pipe a cast in or name a file"
        ) from None
    if writing_only:
        raise SourceError("<stdin>", "standard input is open only for writing: pipe a cast in")
    if os.isatty(fd):
        raise SourceError("<stdin>", "standard input is a terminal: pipe a cast in or name a file")


def stdin_stream() -> IO[bytes]:
    """Standard input as a binary stream; a pipe's or FIFO's silence is bounded."""
    try:
        fd = sys.stdin.buffer.fileno()
        regular = stat.S_ISREG(os.fstat(fd).st_mode)
    except (OSError, ValueError):  # (no descriptor: a stream given in-process)
        return sys.stdin.buffer
    if regular:
        return sys.stdin.buffer
    return io.BufferedReader(_SilenceLimited(fd, "<stdin>", owned=False))


class _SilenceLimited(io.RawIOBase):
    """A pipe or FIFO whose every read waits at most `limits.FIRST_BYTE_SECONDS`: one
    that sends a header and then nothing (attack run 7, finding 6) is given up like one
    that sends nothing, not waited on forever."""

    def __init__(self, fd: int, source: str, *, owned: bool) -> None:
        super().__init__()
        self._fd, self._source, self._owned = fd, source, owned
        self._poll = select.poll()  # (select() refuses a descriptor past 1023)
        self._poll.register(fd, select.POLLIN)

    def readable(self) -> bool:
        return True

    def fileno(self) -> int:
        return self._fd

    def readinto(self, buffer: Any) -> int:
        if not self._poll.poll(limits.FIRST_BYTE_SECONDS * 1000):
            raise SourceError(
                self._source,
                f"nothing more to read within the limit of {limits.FIRST_BYTE_SECONDS:g} s",
            )
        return os.readv(self._fd, [buffer])

    def close(self) -> None:
        if not self.closed and self._owned:
            os.close(self._fd)
        super().close()


def wait_for_data(fd: int, source: str) -> None:
    """A pipe or FIFO that writes nothing at all is given up, not waited on forever."""
    try:
        if stat.S_ISREG(os.fstat(fd).st_mode):
            return
        ready, _, _ = select.select([fd], [], [], limits.FIRST_BYTE_SECONDS)
    except (OSError, ValueError):
        return
    if not ready:
        raise SourceError(
            source, f"nothing to read within the limit of {limits.FIRST_BYTE_SECONDS:g} s"
        )


@contextlib.contextmanager
def _download(url: str, folder: str | None = None) -> Iterator[IO[bytes]]:
    """The cast at `url` (or linked from the page there), downloaded whole and read
    through once, within one deadline for everything (headers, redirects, pages, bodies,
    decoding, parsing): a small compressed body can hold millions of cheap lines, and
    the deadline is on the load, not on the wire."""
    deadline = time.monotonic() + limits.URL_DEADLINE_SECONDS
    spool = tempfile.SpooledTemporaryFile(max_size=SPOOL_IN_MEMORY, dir=folder)  # noqa: SIM115
    try:
        within(
            limits.URL_DEADLINE_SECONDS,
            lambda cancelled: _download_into(url, spool, deadline, cancelled),
        )
        spool.seek(0)
        _read_through(spool, url, deadline)
    except TimeoutError:
        spool.close()
        raise SourceError(url, _too_slow()) from None
    except BaseException:
        spool.close()
        raise
    with spool:
        spool.seek(0)
        yield spool


def _too_slow() -> str:
    return f"not downloaded and read within the limit of {limits.URL_DEADLINE_SECONDS:g} s"


def _read_through(spool: IO[bytes], url: str, deadline: float) -> None:
    """Read the downloaded cast once before the deadline (TimeoutError after it).

    A malformed cast passes here: the command's own read reports it at its line, after
    showing what comes before, as for a file; that read stops where this one did."""
    try:
        reader = CastReader(spool, url, deadline=deadline)
        for _ in reader.batches():
            pass
    except CastFormatError:
        pass


def _download_into(url: str, spool: IO[bytes], deadline: float, cancelled: threading.Event) -> None:
    import httpx

    from genact_cast import __version__

    headers = {
        "User-Agent": f"genact-cast/{__version__}",
        "Accept": "application/x-asciicast, application/json, text/html;q=0.5",
        "Accept-Encoding": ACCEPT_ENCODING,
    }
    timeout = httpx.Timeout(limits.URL_READ_TIMEOUT_SECONDS)
    given = url
    try:
        with httpx.Client(
            follow_redirects=True,
            max_redirects=limits.MAX_REDIRECTS,
            timeout=timeout,
            headers=headers,
            event_hooks={"response": [check_redirect]},
        ) as client:
            target = url
            for _ in range(limits.MAX_REDIRECTS + 1):
                link = _fetch(client, target, spool, deadline, cancelled)
                if link is None:
                    break
                target = link
            else:
                raise SourceError(url, f"more than {limits.MAX_REDIRECTS} recording-page links")
    except httpx.TooManyRedirects:
        raise SourceError(
            url, f"too many redirects (more than {limits.MAX_REDIRECTS}: a redirect loop?)"
        ) from None
    except BadRedirect as exc:
        raise SourceError(url, str(exc)) from None
    except (httpx.HTTPError, httpx.InvalidURL) as exc:
        failed = failed_url(exc, url)
        problem = http_problem(exc, failed)
        with contextlib.suppress(httpx.InvalidURL, ValueError):
            given = str(httpx.URL(url))  # as httpx writes it (HTTP://h/x: http://h/x)
        if failed not in (url, given):
            problem = f"after a redirect to {quoted(failed)}: {problem}"
        raise SourceError(url, problem) from None
    except (UnicodeError, ValueError) as exc:
        # httpx's own checks of what the server sent: a header that is not ASCII
        # (a cookie carried to the redirect), a malformed field.
        raise SourceError(url, f"the server's reply cannot be read ({quoted(exc)})") from None


def _fetch(
    client: httpx.Client, url: str, spool: IO[bytes], deadline: float, cancelled: threading.Event
) -> str | None:
    """Download `url` into `spool`; for a recording page, return the cast's URL instead."""
    import httpx

    try:
        request = client.build_request("GET", url)
    except (httpx.InvalidURL, ValueError) as exc:
        raise SourceError(url, f"not a valid URL ({exc})") from None
    try:
        check_port(request.url)
    except ValueError as exc:
        raise SourceError(url, str(exc)) from None
    response = client.send(request, stream=True)
    with contextlib.closing(response):
        if response.status_code >= 400:
            raise SourceError(url, f"HTTP {response.status_code}")
        if not 200 <= response.status_code < 300:  # (304, or a 3xx with nowhere to go)
            raise SourceError(url, f"HTTP {response.status_code}: the reply holds no cast")
        page = "text/html" in response.headers.get("content-type", "")
        limit = limits.MAX_PAGE_BYTES if page else limits.MAX_URL_CAST_BYTES
        what = "page" if page else "cast"
        spool.seek(0)
        spool.truncate()
        encoding = response.headers.get("content-encoding", "")
        try:
            for chunk in decoded(response.iter_raw(), encoding, limit):
                if cancelled.is_set() or time.monotonic() > deadline:
                    raise SourceError(url, _too_slow())
                with temporary_writes(f"the download of {quoted(url)}"):
                    spool.write(chunk)
        except TooLarge:
            raise SourceError(
                url, f"the {what} is larger than the limit of {limit:,} bytes"
            ) from None
        except BadEncoding as exc:
            raise SourceError(url, str(exc)) from None
        if not page:
            return None
        spool.seek(0)
        href = find_cast_link(spool.read())
        if href is None:
            raise SourceError(url, "a web page with no asciicast link")
        return _cast_link(response.url, href.decode("utf-8", "replace"))


def _cast_link(page: httpx.URL, href: str) -> str:
    """The absolute URL of a recording page's cast link; a one-line error naming the link
    when it is not an http(s) URL (`file:`, `data:`, `ftp:`, a malformed host): that is the
    page's problem, not a redirect's."""
    import httpx

    shown = quoted(href)
    try:
        target = page.join(href)
        if target.scheme not in ("http", "https") or not target.host:
            raise ValueError("")  # (the message says it: no reason to add)
        httpx.Request("GET", target)  # the host's IDNA encoding and the port are checked
        check_port(target)
    except (httpx.InvalidURL, ValueError, UnicodeError) as exc:
        why = f" ({quoted(exc)})" if str(exc) else ""
        raise SourceError(
            str(page), f"the page's asciicast link {shown!r} is not an http(s) URL{why}"
        ) from None
    return str(target)
