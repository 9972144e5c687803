"""Where casts come from: a path, standard input (`-`), or an http(s) URL.

A URL may also be an asciinema recording page: its
`<link rel="alternate" type="application/x-asciicast" href="...">` is followed.
"""

from __future__ import annotations

import contextlib
import re
import sys
from collections.abc import Iterator
from pathlib import Path

from genact_cast.asciicast.reader import CastReader
from genact_cast.errors import GenactCastError

CAST_LINK = re.compile(
    rb"<link\b[^>]*?type=[\"']application/x-asciicast[\"'][^>]*>", re.IGNORECASE | re.DOTALL
)
HREF = re.compile(rb"href=[\"']([^\"']+)[\"']", re.IGNORECASE)


class SourceError(GenactCastError):
    """The cast cannot be opened or fetched."""


def is_url(source: str) -> bool:
    return source.startswith(("http://", "https://"))


@contextlib.contextmanager
def open_cast(source: str) -> Iterator[CastReader]:
    """A reader for `source`, closed when the block ends."""
    if source == "-":
        yield CastReader(sys.stdin.buffer, "<stdin>")
    elif is_url(source):
        with _fetch(source) as lines:
            yield CastReader(lines, source)
    else:
        path = Path(source)
        try:
            stream = path.open("rb")
        except FileNotFoundError:
            raise SourceError(f"{source}: no such file") from None
        except IsADirectoryError:
            raise SourceError(f"{source}: is a directory") from None
        except OSError as exc:
            raise SourceError(f"{source}: {exc.strerror}") from None
        with stream:
            yield CastReader(stream, source)


@contextlib.contextmanager
def _fetch(url: str, redirects: int = 3) -> Iterator[Iterator[bytes]]:
    import httpx

    from genact_cast import __version__

    headers = {
        "User-Agent": f"genact-cast/{__version__}",
        "Accept": "application/x-asciicast, application/json, text/html;q=0.5",
    }
    try:
        with (
            httpx.Client(follow_redirects=True, timeout=30.0, headers=headers) as client,
            client.stream("GET", url) as response,
        ):
            if response.status_code >= 400:
                raise SourceError(f"{url}: HTTP {response.status_code}")
            kind = response.headers.get("content-type", "")
            if "text/html" in kind:
                page = response.read()
                link = CAST_LINK.search(page)
                href = HREF.search(link.group(0)) if link else None
                if href is None or redirects == 0:
                    raise SourceError(f"{url}: a web page with no asciicast link")
                target = str(response.url.join(href.group(1).decode("utf-8", "replace")))
                with _fetch(target, redirects - 1) as lines:
                    yield lines
                return
            yield _split_lines(response.iter_bytes())
    except httpx.HTTPError as exc:
        raise SourceError(f"{url}: {exc}") from None


def _split_lines(chunks: Iterator[bytes]) -> Iterator[bytes]:
    rest = b""
    for chunk in chunks:
        rest += chunk
        *lines, rest = rest.split(b"\n")
        for line in lines:
            yield line + b"\n"
    if rest:
        yield rest
