"""The install ID that ties uploads to an asciinema account, shared with the asciinema CLI."""

from __future__ import annotations

import contextlib
import os
import re
import stat
import uuid
from collections.abc import Mapping
from pathlib import Path
from urllib.parse import urlsplit

from genact_cast.base_dirs import absolute, xdg
from genact_cast.errors import BadOption, GenactCastError

FILE = "install-id"
MAX_ID_BYTES = 1024  # an ID is a UUID (36 characters); anything longer is not one
DEFAULT_SERVER = "https://asciinema.org"


class InstallIdError(GenactCastError):
    """The install ID cannot be read or created."""


def state_dir(env: Mapping[str, str]) -> Path:
    """asciinema 3.x keeps the ID here (relative overrides are ignored: base_dirs)."""
    return absolute(env, "ASCIINEMA_STATE_HOME") or (
        xdg(env, "XDG_STATE_HOME", ".local/state") / "asciinema"
    )


def config_dir(env: Mapping[str, str]) -> Path:
    """asciinema 2.x kept it here."""
    return absolute(env, "ASCIINEMA_CONFIG_HOME") or (
        xdg(env, "XDG_CONFIG_HOME", ".config") / "asciinema"
    )


def install_id(env: Mapping[str, str] | None = None) -> str:
    """The ID from the environment, the 3.x state file or the 2.x config file, else a new one.

    A new ID is a lowercase UUID4 written to the 3.x location, readable by its owner only,
    whole at once (_create): a symbolic link planted at that path (even a dangling one) is
    never followed, and an existing file is never truncated.
    """
    env = os.environ if env is None else env
    if env.get("ASCIINEMA_INSTALL_ID"):
        return _checked(env["ASCIINEMA_INSTALL_ID"].strip(), "$ASCIINEMA_INSTALL_ID")
    for folder in (state_dir(env), config_dir(env)):
        value = _read(folder / FILE)
        if value:
            return value
    return _create(state_dir(env) / FILE)


def _read(path: Path) -> str | None:
    """The ID in `path`, None when there is none; a file that cannot be one is an error."""
    try:
        # O_NONBLOCK: opening a FIFO nobody writes to would wait forever. What is opened
        # is then looked at: only a regular file is read.
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | os.O_CLOEXEC)
    except (FileNotFoundError, NotADirectoryError):
        return None
    except IsADirectoryError:
        raise InstallIdError(f"{path} is a directory, not an install ID file") from None
    except OSError as exc:
        raise InstallIdError(f"cannot read the install ID from {path}: {exc.strerror}") from None
    mode = os.fstat(fd).st_mode
    if not stat.S_ISREG(mode):
        os.close(fd)
        if stat.S_ISDIR(mode):
            raise InstallIdError(f"{path} is a directory, not an install ID file")
        raise InstallIdError(
            f"{path} is not a regular file (a FIFO, device or socket): not an install ID file"
        )
    with os.fdopen(fd, "rb") as stream:
        try:
            data = stream.read(MAX_ID_BYTES + 1)
        except OSError as exc:
            raise InstallIdError(
                f"cannot read the install ID from {path}: {exc.strerror}"
            ) from None
    if len(data) > MAX_ID_BYTES:
        raise InstallIdError(f"{path} is over {MAX_ID_BYTES} bytes: not an install ID file")
    try:
        text = data.decode("utf-8").strip()
    except UnicodeDecodeError:
        raise InstallIdError(f"{path} is not UTF-8 text: not an install ID file") from None
    if not text:  # it is left alone as any other file there: never overwritten
        raise InstallIdError(f"{path} is empty: remove it or set $ASCIINEMA_INSTALL_ID")
    return _checked(text, str(path))


def _checked(value: str, where: str) -> str:
    # The ID goes into HTTP headers and URLs: printable ASCII only, on one line.
    if not value.isascii() or not value.isprintable() or " " in value:
        raise InstallIdError(f"the install ID in {where} holds characters an ID cannot")
    if len(value) > MAX_ID_BYTES:  # the same limit wherever the ID comes from
        raise InstallIdError(f"the install ID in {where} is longer than {MAX_ID_BYTES} bytes")
    if not _UUID.fullmatch(value):  # it goes into URLs (`auth`): `../x?y#z` must not
        raise InstallIdError(
            f"the install ID in {where} is not a UUID (asciinema's IDs are, such as "
            "3f1c2a9e-5b7d-4e2f-9a1b-0c8d7e6f5a4b)"
        )
    return value


_UUID = re.compile(r"[0-9a-fA-F]{8}-(?:[0-9a-fA-F]{4}-){3}[0-9a-fA-F]{12}", re.ASCII)


def _create(path: Path) -> str:
    """A new ID at `path`, which appears whole: written to a private temporary file, then
    hard-linked to its name. link() never follows or replaces what is there (a symbolic
    link, even a dangling one, or another process's ID): if anything is, that is read."""
    new = str(uuid.uuid4())
    temporary = path.with_name(f".{FILE}.{uuid.uuid4().hex}.tmp")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW | os.O_CLOEXEC
        fd = os.open(temporary, flags, 0o600)
    except OSError as exc:
        raise InstallIdError(f"cannot create the install ID {path}: {exc.strerror}") from None
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as out:
            out.write(new + "\n")
        os.link(temporary, path, follow_symlinks=False)
    except FileExistsError:
        # Another `auth` or `upload` made it first (its file is whole), or something that
        # is not an ID file is there: read it, which says which.
        winner = _read(path)
        if winner:
            return winner
        raise InstallIdError(
            f"{path} exists but holds no install ID (a dangling symbolic link?); "
            "remove it or set $ASCIINEMA_INSTALL_ID"
        ) from None
    except OSError as exc:
        raise InstallIdError(f"cannot write the install ID {path}: {exc.strerror}") from None
    finally:
        with contextlib.suppress(OSError):
            temporary.unlink()
    return new


def server_url(option: str | None, env: Mapping[str, str] | None = None) -> str:
    """The server from `--server`, the environment, or asciinema.org: an http(s) URL."""
    env = os.environ if env is None else env
    if option is not None:
        url, where = option, "--server"
    else:
        where, url = next(
            ((name, env[name]) for name in ("ASCIINEMA_SERVER_URL", "ASCIINEMA_API_URL")
             if env.get(name)),
            ("default", DEFAULT_SERVER),
        )  # fmt: skip
        where = f"${where}"
    problem = _url_problem(url)
    if problem:
        # A password in the URL is not printed back (it would reach logs).
        got = "" if "@" in url else f" (got {url!r})"
        message = f"{where} must be an http(s) URL such as {DEFAULT_SERVER}: {problem}{got}"
        raise BadOption(message) if option is not None else GenactCastError(message)
    return url.rstrip("/")


def _url_problem(url: str) -> str | None:
    if not url.isascii() or not url.isprintable() or " " in url:
        return "it holds spaces, controls or non-ASCII characters"
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018 -- raises ValueError for a port that is not a number
    except ValueError as exc:
        return str(exc)
    if parts.scheme not in ("http", "https"):
        return "no http:// or https://"
    if not parts.hostname:
        return "no host name"
    if "@" in parts.netloc:
        return "it holds a user name or password (the install ID is the credential)"
    if parts.query or parts.fragment:
        return "it has a query or fragment"
    return None
