"""Uploading casts to an asciinema server (asciinema.org or a self-hosted one).

The server API: `POST {server}/api/v1/recordings` with the cast as multipart field
`file`, HTTP Basic auth with the install ID as password; servers without it answer 404,
and get the older `POST {server}/api/asciicasts` with field `asciicast` instead.
"""

from __future__ import annotations

import getpass
import json
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from genact_cast import __version__
from genact_cast.errors import GenactCastError
from genact_cast.sources import open_cast

RETRIES = 3
BACKOFF_SECONDS = 0.5


class UploadError(GenactCastError):
    """The server did not take the cast."""


@dataclass(frozen=True)
class Uploaded:
    url: str
    message: str | None

    @property
    def markdown(self) -> str:
        return f"[![asciicast]({self.url}.svg)]({self.url})"

    @property
    def html(self) -> str:
        slug = self.url.rstrip("/").rsplit("/", 1)[-1]
        return f'<script src="{self.url}.js" id="asciicast-{slug}" async="true"></script>'


def validate(path: Path) -> None:
    """Read the whole cast first: a bad file is reported here, not by the server."""
    with open_cast(str(path)) as reader:
        for _ in reader.events():
            pass


def upload(
    path: Path,
    *,
    server: str,
    install_id: str,
    title: str | None = None,
    visibility: str | None = None,
    timeout: float = 30.0,
) -> Uploaded:
    import httpx

    validate(path)
    data = path.read_bytes()
    fields = {k: v for k, v in (("title", title), ("visibility", visibility)) if v is not None}
    headers = {
        "Accept": "application/json",
        "User-Agent": f"genact-cast/{__version__} httpx/{httpx.__version__}",
    }
    auth = httpx.BasicAuth(getpass.getuser(), install_id)
    with httpx.Client(timeout=timeout, headers=headers, auth=auth) as client:
        response = _post(client, f"{server}/api/v1/recordings", "file", path.name, data, fields)
        if response.status_code == 404:
            response = _post(
                client, f"{server}/api/asciicasts", "asciicast", path.name, data, fields
            )
    return _result(response, server)


def _post(client: Any, url: str, field: str, name: str, data: bytes, fields: dict[str, str]) -> Any:
    import httpx

    for attempt in range(RETRIES + 1):
        try:
            response = client.post(
                url, files={field: (name, data, "application/x-asciicast")}, data=fields
            )
        except httpx.ConnectError:
            raise UploadError(f"cannot connect to {_origin(url)}") from None
        except httpx.TimeoutException:
            raise UploadError(f"{_origin(url)} did not answer in time") from None
        except httpx.HTTPError as exc:
            raise UploadError(f"upload to {_origin(url)} failed: {type(exc).__name__}") from None
        if response.status_code < 500 or attempt == RETRIES:
            return response
        time.sleep(BACKOFF_SECONDS * 2**attempt)  # the server is having a moment
    raise AssertionError("unreachable")


def _result(response: Any, server: str) -> Uploaded:
    status = response.status_code
    if status in (200, 201):
        kind = response.headers.get("content-type", "")
        if kind.startswith("application/json"):
            body = response.json()
            return Uploaded(str(body["url"]), body.get("message"))
        return Uploaded(response.text.strip(), None)
    detail = _server_message(response)
    if status == 401:
        raise UploadError(
            "the server does not know this install ID; run `genact-cast auth` and open the "
            "link it prints to tie it to your account"
        )
    if status == 403:
        raise UploadError(f"the server refused the upload (403 Forbidden){detail}")
    if status == 413:
        raise UploadError("the cast is larger than the server accepts (413)")
    if status == 422:
        raise UploadError(f"the server rejected the cast{detail or ' (422)'}")
    if status >= 500:
        raise UploadError(f"the server is having problems ({status}); try again later")
    raise UploadError(f"upload failed: HTTP {status}{detail}")


def _server_message(response: Any) -> str:
    try:
        body = response.json()
    except (json.JSONDecodeError, ValueError):
        text = response.text.strip()
        return f": {text[:200]}" if text else ""
    if isinstance(body, dict):
        for key in ("message", "error", "errors"):
            if body.get(key):
                value = body[key]
                return f": {value if isinstance(value, str) else json.dumps(value)}"
    return ""


def _origin(url: str) -> str:
    return url.split("/api/", 1)[0]
