"""Limits on what a server can make us do: decode, wait, hold in memory.

httpx decodes a compressed body a whole network chunk at a time, with no bound on what
one chunk decodes to: `Content-Encoding: gzip, gzip` turns 3.5 KB on the wire into
gigabytes in one call. Here the raw bytes are decoded in steps of at most `STEP` bytes
per layer, and the decoded total is counted as it grows, so a limit stops a bomb after
at most `STEP` bytes past it.

httpx's timeouts are per read: a server sending its headers a byte every few seconds
never trips one. `within` puts one deadline on the whole exchange, headers included.
"""

from __future__ import annotations

import re
import threading
import zlib
from collections.abc import Callable, Iterable, Iterator
from typing import Any, TypeVar
from urllib.parse import urlsplit

T = TypeVar("T")
STEP = 64 << 10  # the most one layer decodes at a time
ACCEPT_ENCODING = "gzip, deflate"  # what `decoded` undoes; asked for instead of httpx's default


class TooLarge(Exception):
    """The decoded body passed its limit."""


class BadEncoding(Exception):
    """The body's Content-Encoding is unknown, or its data does not decode."""


class BadRedirect(Exception):
    """A redirect whose Location is no http(s) URL that can be followed (one line)."""


def check_port(url: Any) -> None:
    """ValueError naming a port outside 1-65535 in an httpx URL: httpx takes :99999 and
    the connection is then 'refused', which hides the mistake."""
    port = url.port
    if port is not None and not 0 < port <= 65535:
        raise ValueError(f"invalid port {port}: a port is from 1 to 65535")


def check_redirect(response: Any) -> None:
    """An httpx response hook: a redirect's Location is checked before httpx follows it,
    so a malformed one (`mailto:a@b`, `https:x`, `http://[::1`, a bad IDNA host, an
    empty one) is named in one line instead of surfacing as httpx's or idna's exception
    (InvalidURL, UnsupportedProtocol, IDNAError...) or an endless redirect to itself."""
    import httpx

    if response.status_code not in (301, 302, 303, 307, 308) or "location" not in response.headers:
        return
    location = response.headers.get("location", "")
    if not location.strip():
        raise BadRedirect("the server redirected with an empty Location")
    shown = quoted(location)
    try:
        parts = urlsplit(location)
        if parts.scheme and (parts.scheme.lower() not in ("http", "https") or not parts.netloc):
            raise ValueError("not an absolute http(s) URL")
        target = response.request.url.join(location)
        if target.scheme not in ("http", "https") or not target.host:
            raise ValueError("not an http(s) URL")
        httpx.Request("GET", target)  # the host's IDNA encoding and the port are checked
        check_port(target)
        if not target.host.startswith("["):
            target.host.encode("idna")  # as the socket layer will (`a..b` fails only there)
    except (httpx.InvalidURL, ValueError, UnicodeError) as exc:
        raise BadRedirect(
            f"the server redirected to an invalid URL ({shown!r}: {quoted(exc)})"
        ) from None


def failed_url(error: BaseException, url: str) -> str:
    """The URL of the request that failed (a redirect's target), else `url`."""
    try:
        return str(error.request.url)  # type: ignore[attr-defined]
    except (AttributeError, RuntimeError):
        return url


MAX_ENCODINGS = 8  # Content-Encoding layers: servers send one; RFC 9110 allows a list


def decoded(raw: Iterable[bytes], content_encoding: str, limit: int) -> Iterator[bytes]:
    """The body from its raw chunks, decoded layer by layer (the last applied first),
    raising TooLarge as soon as more than `limit` decoded bytes have come out."""
    codings = [part.strip().lower() for part in content_encoding.split(",")]
    layers = [c for c in codings if c and c != "identity"]
    if len(layers) > MAX_ENCODINGS:
        # Each layer is a generator inside the next: a thousand of them is a thousand
        # nested frames, past Python's recursion limit (review-attack8 finding 3).
        raise BadEncoding(
            f"the reply is encoded {len(layers):,} times over; at most {MAX_ENCODINGS} are read"
        )
    stream: Iterator[bytes] = iter(raw)
    for coding in reversed(layers):
        if coding in ("gzip", "x-gzip"):
            stream = _inflate(stream, zlib.MAX_WBITS | 16)
        elif coding == "deflate":
            stream = _inflate(stream, zlib.MAX_WBITS)
        else:
            raise BadEncoding(f"the reply is in an encoding not asked for ({coding[:40]!r})")
    total = 0
    for piece in stream:
        total += len(piece)
        if total > limit:
            raise TooLarge
        yield piece


def _inflate(chunks: Iterator[bytes], wbits: int) -> Iterator[bytes]:
    """One layer of gzip (several members too) or deflate (zlib-wrapped or raw, as
    servers send both), at most STEP bytes out per step."""
    decoder = zlib.decompressobj(wbits)
    first = True
    fed = False
    try:
        for chunk in chunks:
            data = chunk
            fed = fed or bool(chunk)
            while data:
                try:
                    out = decoder.decompress(data, STEP)
                except zlib.error:
                    if not (first and wbits == zlib.MAX_WBITS):
                        raise
                    decoder, wbits = zlib.decompressobj(-zlib.MAX_WBITS), -zlib.MAX_WBITS
                    out = decoder.decompress(data, STEP)
                first = False
                if out:
                    yield out
                if decoder.eof:
                    # Another gzip member may follow; after a deflate stream, nothing does.
                    data = decoder.unused_data if wbits & 16 else b""
                    if data:
                        decoder = zlib.decompressobj(wbits)
                else:
                    data = decoder.unconsumed_tail
        tail = decoder.flush()
        if tail:
            yield tail
        if fed and not decoder.eof:  # (a body cut short read as an empty file)
            raise BadEncoding("the reply's compressed data ends before its end")
    except zlib.error as exc:
        raise BadEncoding(f"the reply's compressed data is broken ({exc})") from None


def within(seconds: float, work: Callable[[threading.Event], T]) -> T:
    """`work(cancelled)`, or TimeoutError once `seconds` have passed.

    The work runs in a daemon thread: a socket read cannot be given a deadline of its
    own, only a timeout between bytes, which a trickling server never trips. On time
    out `cancelled` is set, for the work to stop at its next look.
    """
    outcome: list[T] = []
    failure: list[BaseException] = []
    cancelled = threading.Event()

    def run() -> None:
        try:
            outcome.append(work(cancelled))
        except BaseException as exc:  # handed to the caller's thread
            failure.append(exc)

    worker = threading.Thread(target=run, name="genact-cast-http", daemon=True)
    worker.start()
    worker.join(seconds)
    if worker.is_alive():
        cancelled.set()
        raise TimeoutError
    if failure:
        raise failure[0]
    return outcome[0]


def _causes(error: BaseException) -> Iterator[BaseException]:
    seen: set[int] = set()
    current: BaseException | None = error
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        yield current
        current = current.__cause__ or current.__context__


def transport_problem(error: BaseException, url: str) -> str | None:
    """One line for a connection that failed below HTTP, naming the host and port, or
    None to say it another way. An https URL to a plain-http port fails in the TLS
    handshake with a raw `_ssl.c` text ("wrong version number"): said as such."""
    import ssl
    from urllib.parse import urlsplit

    try:
        parts = urlsplit(url)
        where = f"{parts.hostname}:{parts.port or (443 if parts.scheme == 'https' else 80)}"
    except ValueError:
        where = "the server"
    for cause in _causes(error):
        if isinstance(cause, ssl.SSLError):
            reason = getattr(cause, "reason", None) or type(cause).__name__
            return (
                f"TLS handshake failed with {where} ({str(reason).lower().replace('_', ' ')};"
                " is it a plain-http port?)"
            )
        if isinstance(cause, ConnectionResetError):
            return f"the connection was reset by {where}"
    if type(error).__name__ == "ConnectTimeout" and url.startswith("https://"):
        return f"TLS handshake or connection timed out with {where}"
    return None


def http_problem(error: BaseException, url: str) -> str:
    """One plain line for any of httpx's exceptions, naming the server and what it did;
    httpx's and h11's own wording ("Receive buffer too long", "illegal header line") is at
    most a detail in parentheses, never the message."""
    import httpx

    problem = transport_problem(error, url)
    if problem is not None:
        return problem
    try:
        host = urlsplit(url).hostname
        port = urlsplit(url).port
        where = f"the server {host}:{port}" if port else f"the server {host}"
    except ValueError:
        where = "the server"
    text = str(error)
    if isinstance(error, httpx.RemoteProtocolError):
        if "Receive buffer too long" in text:  # httpcore's limit on one header or chunk line
            return (
                f"{where} sent a reply header (or chunk header) longer than the HTTP client accepts"
            )
        if "disconnected" in text or "closed connection" in text:
            return f"{where} closed the connection before its reply was complete"
        return f"{where} sent a reply that is not valid HTTP/1.1 ({quoted(error)})"
    if isinstance(error, httpx.ConnectTimeout):
        return f"{where} did not accept a connection in time"
    if isinstance(error, httpx.ReadTimeout):
        return f"{where} stopped sending its reply (nothing for too long)"
    if isinstance(error, httpx.TimeoutException):
        return f"{where} did not answer in time"
    if isinstance(error, httpx.ConnectError | httpx.NetworkError):
        reasons = [c.strerror for c in _causes(error) if isinstance(c, OSError) and c.strerror]
        detail = reasons[0] if reasons else quoted(error)
        if isinstance(error, httpx.ConnectError):
            return f"cannot connect to {where.removeprefix('the ')} ({detail})"
        return f"the connection to {where.removeprefix('the ')} was lost ({detail})"
    if isinstance(error, httpx.DecodingError):
        return f"{where} sent a body that its Content-Encoding does not decode"
    if isinstance(error, httpx.UnsupportedProtocol):
        return f"not an http(s) URL ({quoted(error)})"
    if isinstance(error, httpx.InvalidURL):
        return f"not a valid URL ({quoted(error)})"
    return f"the request to {where.removeprefix('the ')} failed ({quoted(error)})"


MAX_QUOTED_CHARS = 200  # how much of what a server sent an error message quotes
_BYTES_REPR = re.compile(r"""(?:bytearray\()?b(['"])(.*?)\1\)?""", re.DOTALL)


def quoted(error: BaseException | str) -> str:
    """An error about what a server sent, for a one-line message: Python's bytes reprs
    (h11's `bytearray(b'...')`) shown as their text, on one line, at most
    MAX_QUOTED_CHARS characters, so a 100 KB chunk header is not printed whole."""
    text = error if isinstance(error, str) else str(error) or type(error).__name__
    text = _BYTES_REPR.sub(lambda match: repr(match.group(2))[1:-1], text)
    flat = " ".join(text.split())
    return flat if len(flat) <= MAX_QUOTED_CHARS else flat[: MAX_QUOTED_CHARS - 1] + "…"
