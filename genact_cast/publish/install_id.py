"""The install ID that ties uploads to an asciinema account, shared with the asciinema CLI."""

from __future__ import annotations

import os
import uuid
from collections.abc import Mapping
from pathlib import Path

FILE = "install-id"


def _home(env: Mapping[str, str]) -> Path:
    return Path(env.get("HOME") or Path.home())


def state_dir(env: Mapping[str, str]) -> Path:
    """asciinema 3.x keeps the ID here."""
    if env.get("ASCIINEMA_STATE_HOME"):
        return Path(env["ASCIINEMA_STATE_HOME"])
    if env.get("XDG_STATE_HOME"):
        return Path(env["XDG_STATE_HOME"]) / "asciinema"
    return _home(env) / ".local" / "state" / "asciinema"


def config_dir(env: Mapping[str, str]) -> Path:
    """asciinema 2.x kept it here."""
    if env.get("ASCIINEMA_CONFIG_HOME"):
        return Path(env["ASCIINEMA_CONFIG_HOME"])
    if env.get("XDG_CONFIG_HOME"):
        return Path(env["XDG_CONFIG_HOME"]) / "asciinema"
    return _home(env) / ".config" / "asciinema"


def install_id(env: Mapping[str, str] | None = None) -> str:
    """The ID from the environment, the 3.x state file or the 2.x config file, else a new one.

    A new ID is a lowercase UUID4 written to the 3.x location, readable by its owner only.
    """
    env = os.environ if env is None else env
    if env.get("ASCIINEMA_INSTALL_ID"):
        return env["ASCIINEMA_INSTALL_ID"].strip()
    for folder in (state_dir(env), config_dir(env)):
        path = folder / FILE
        if path.is_file():
            value = path.read_text("utf-8").strip()
            if value:
                return value
    new = str(uuid.uuid4())
    folder = state_dir(env)
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / FILE
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as out:
        out.write(new + "\n")
    os.chmod(path, 0o600)
    return new


def server_url(option: str | None, env: Mapping[str, str] | None = None) -> str:
    env = os.environ if env is None else env
    url = (
        option
        or env.get("ASCIINEMA_SERVER_URL")
        or env.get("ASCIINEMA_API_URL")
        or "https://asciinema.org"
    )
    return url.rstrip("/")
