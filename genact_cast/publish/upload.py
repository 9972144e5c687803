"""Uploading casts to an asciinema server (asciinema.org or a self-hosted one).

The server API: `POST {server}/api/v1/recordings` with the cast as multipart field
`file`, HTTP Basic auth with the install ID as password; servers without it answer 404,
and get the older `POST {server}/api/asciicasts` with field `asciicast` instead.

A server is not trusted: its reply is read up to `MAX_REPLY_BYTES`, the whole exchange
(retries and redirects included) has a total `deadline`, at most `MAX_REDIRECTS`
redirects are followed, and what it says is checked (a recording URL must be an http(s)
URL) and never shows the install ID, even when the server echoes it back.
"""

from __future__ import annotations

import getpass
import os
import stat
import threading
import time
from collections.abc import Iterable
from pathlib import Path
from typing import Any, BinaryIO

from genact_cast import __version__
from genact_cast.asciicast.reader import CastReader
from genact_cast.bounded_http import (
    ACCEPT_ENCODING,
    BadEncoding,
    BadRedirect,
    TooLarge,
    check_redirect,
    decoded,
    failed_url,
    http_problem,
    quoted,
    transport_problem,
    within,
)
from genact_cast.errors import SourceError
from genact_cast.publish.upload_reply import Reply, Uploaded, UploadError, install_id_forms, result

__all__ = ["UploadError", "Uploaded", "upload", "validate"]

RETRIES = 3
BACKOFF_SECONDS = 0.5
MAX_REPLY_BYTES = 1 << 20  # a reply is a URL and a message: 1 MiB is plenty
MAX_REDIRECTS = 3


def validate(stream: BinaryIO, shown: str) -> None:
    """Read the whole cast first: a bad file is reported here, not by the server. Read
    from the descriptor that is then sent, so a file put at the name meanwhile (`mv`
    during the check of a large cast) is never what goes (review-attack12 F13)."""
    for _ in CastReader(stream, shown).events():
        pass
    stream.seek(0)


def upload(
    path: Path,
    *,
    server: str,
    install_id: str,
    title: str | None = None,
    visibility: str | None = None,
    timeout: float = 30.0,
    deadline: float = 120.0,
) -> Uploaded:
    """Upload the cast at `path`. `timeout` bounds each network wait, `deadline` the whole
    exchange: a server that trickles its reply a byte at a time still ends in time."""
    # Opened once: checked, then streamed from the file as httpx sends it (from its start
    # again on a retry or a 307/308), never held: read whole, a 0.93 GB cast took 2.75 GB
    # (review-attack12 F9).
    with _open_regular(path) as data:
        validate(data, str(path))
        return _send(path, data, server=server, install_id=install_id, title=title,
                     visibility=visibility, timeout=timeout, deadline=deadline)  # fmt: skip


def _open_regular(path: Path) -> BinaryIO:
    """The cast file, open; a FIFO or device is refused (it cannot be read twice)."""
    try:
        # Without O_NONBLOCK, opening a FIFO nobody writes to would block forever.
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK)
    except FileNotFoundError:
        raise SourceError(str(path), "no such file") from None
    except OSError as exc:
        raise SourceError(str(path), str(exc.strerror)) from None
    mode = os.fstat(fd).st_mode
    if not stat.S_ISREG(mode):
        os.close(fd)
        raise SourceError(
            str(path), "is a directory" if stat.S_ISDIR(mode) else "not a regular file"
        )
    os.set_blocking(fd, True)
    return os.fdopen(fd, "rb")


def _send(
    path: Path,
    data: BinaryIO,
    *,
    server: str,
    install_id: str,
    title: str | None,
    visibility: str | None,
    timeout: float,
    deadline: float,
) -> Uploaded:
    user = getpass.getuser()
    secrets = install_id_forms(user, install_id)
    fields = {k: v for k, v in (("title", title), ("visibility", visibility)) if v is not None}

    def exchange(cancelled: threading.Event) -> Reply:
        import httpx

        headers = {
            "Accept": "application/json",
            "Accept-Encoding": ACCEPT_ENCODING,
            "User-Agent": f"genact-cast/{__version__} httpx/{httpx.__version__}",
        }
        with httpx.Client(
            timeout=timeout, headers=headers, auth=httpx.BasicAuth(user, install_id),
            follow_redirects=True, max_redirects=MAX_REDIRECTS,
            event_hooks={"response": [check_redirect, _same_origin]},
        ) as client:  # fmt: skip
            reply = _post(client, f"{server}/api/v1/recordings", "file", path.name, data, fields)
            if reply.status == 404:
                reply = _post(
                    client, f"{server}/api/asciicasts", "asciicast", path.name, data, fields
                )
            return reply

    try:
        reply = within(deadline, exchange)
    except TimeoutError:
        raise UploadError(f"{server} did not finish answering in {deadline:g} s") from None
    return result(reply, secrets, install_id)


def _same_origin(response: Any) -> None:
    """An httpx response hook: the cast goes only where the user sent it. A redirect of the
    upload to another origin (scheme, host or port) is refused before httpx follows it: a
    307 or 308 sends the whole cast again, without the install ID, to a server the user
    never named, or from https to plain http (review-attack9 item 6)."""
    if response.status_code not in (301, 302, 303, 307, 308) or "location" not in response.headers:
        return
    here = response.request.url
    there = here.join(response.headers["location"])  # (check_redirect checked it first)
    if (there.scheme, there.host, there.port) != (here.scheme, here.host, here.port):
        origin = f"{there.scheme}://{there.netloc.decode('ascii', 'replace')}"
        raise BadRedirect(
            f"the server redirected the upload to another server ({quoted(origin)}); "
            "refused: give that server with --server if it is the right one"
        )


def _post(
    client: Any, url: str, field: str, name: str, data: BinaryIO, fields: dict[str, str]
) -> Reply:
    import httpx

    origin = _origin(url)
    for attempt in range(RETRIES + 1):
        try:
            with client.stream(
                "POST", url, files={field: (name, data, "application/x-asciicast")}, data=fields
            ) as response:
                reply = Reply(
                    response.status_code,
                    response.headers.get("content-type", ""),
                    _read_capped(response.headers, response.iter_raw()),
                )
        except httpx.TooManyRedirects:
            raise UploadError(
                f"{origin} redirected more than {MAX_REDIRECTS} times (a redirect loop?)"
            ) from None
        except BadRedirect as exc:
            raise UploadError(f"upload to {origin} failed: {exc}") from None
        except httpx.ConnectError as exc:
            failed = failed_url(exc, url)
            problem = transport_problem(exc, failed)
            raise UploadError(problem or f"cannot connect to {quoted(_origin(failed))}") from None
        except httpx.TimeoutException as exc:
            failed = failed_url(exc, url)
            problem = transport_problem(exc, failed)
            raise UploadError(
                problem or f"{quoted(_origin(failed))} did not answer in time"
            ) from None
        except (httpx.HTTPError, httpx.InvalidURL) as exc:
            problem = http_problem(exc, failed_url(exc, url))
            raise UploadError(f"upload to {origin} failed: {problem}") from None
        except (UnicodeError, ValueError) as exc:  # httpx's checks of a malformed reply
            raise UploadError(f"upload to {origin} failed: {quoted(exc)}") from None
        if reply.status < 500 or attempt == RETRIES:
            return reply
        time.sleep(BACKOFF_SECONDS * 2**attempt)  # the server is having a moment
    raise AssertionError("unreachable")


def _read_capped(headers: Any, raw: Iterable[bytes]) -> bytes:
    """The reply's body, decoded, refused as soon as it passes MAX_REPLY_BYTES (counted
    as it is decoded: a compressed bomb stops there too)."""
    limit = f"the server's reply is larger than {MAX_REPLY_BYTES // 1024} KiB"
    declared = headers.get("content-length", "")
    if declared.isdigit() and int(declared) > MAX_REPLY_BYTES:
        raise UploadError(limit)
    body = bytearray()
    try:
        for chunk in decoded(raw, headers.get("content-encoding", ""), MAX_REPLY_BYTES):
            body += chunk
    except TooLarge:
        raise UploadError(limit) from None
    except BadEncoding as exc:
        raise UploadError(f"the server's reply cannot be read: {exc}") from None
    return bytes(body)


def _origin(url: str) -> str:
    return url.split("/api/", 1)[0]
