"""A cast at an http(s) URL, or linked from an asciinema recording page there
(`<link rel="alternate" type="application/x-asciicast" href="...">`), downloaded whole
into a spooled temporary file (playback never holds a connection open) within a size limit
and one total deadline, redirects included; a page is searched for its link in one linear
pass."""

from __future__ import annotations

import contextlib
import re
import tempfile
import threading
import time
from collections.abc import Iterator
from typing import IO, TYPE_CHECKING

from genact_cast import limits
from genact_cast.asciicast.reader import CastReader
from genact_cast.atomic import temporary_writes
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
from genact_cast.errors import CastFormatError, SourceError

if TYPE_CHECKING:
    import httpx

# `[^<>]*` stops at the next tag, so an unclosed `<link` costs only up to there:
# finding the link is linear in the page, however many tags it holds.
LINK_TAG = re.compile(rb"<link\b([^<>]*)>", re.IGNORECASE)
CAST_TYPE = re.compile(rb"""\btype\s*=\s*["']?application/x-asciicast\b""", re.IGNORECASE)
HREF = re.compile(rb"""\bhref\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s"'>]+))""", re.IGNORECASE)
SPOOL_IN_MEMORY = 8 << 20  # a downloaded cast larger than this goes to a temporary file


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
def download(url: str, folder: str | None = None) -> Iterator[IO[bytes]]:
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
