"""Where per-user files go: $HOME and the XDG base directories, only ever absolute.

The XDG Base Directory spec: "If an implementation encounters a relative path in any of
these variables it should consider the path invalid and ignore it." An empty or relative
HOME is treated as unset, as asciinema (through the `dirs` crate) does: the password
database's home. Nothing per-user is ever written relative to the working directory or `/`.
"""

from __future__ import annotations

import os
import pwd
from collections.abc import Mapping
from pathlib import Path

from genact_cast.errors import GenactCastError


def home(env: Mapping[str, str]) -> Path:
    """$HOME when absolute, else the user's home in the password database."""
    value = env.get("HOME", "")
    if os.path.isabs(value):
        return Path(value)
    try:
        entry = pwd.getpwuid(os.getuid()).pw_dir
    except KeyError:
        entry = ""
    if not os.path.isabs(entry):
        raise GenactCastError(
            "no home directory: $HOME is unset or not an absolute path, and the user has none"
        )
    return Path(entry)


def xdg(env: Mapping[str, str], name: str, default: str) -> Path:
    """$XDG_<name> when it is absolute, else `default` under home()."""
    value = env.get(name, "")
    return Path(value) if os.path.isabs(value) else home(env) / default


def absolute(env: Mapping[str, str], name: str) -> Path | None:
    """An application's own override (such as $ASCIINEMA_STATE_HOME), when absolute."""
    value = env.get(name, "")
    return Path(value) if os.path.isabs(value) else None
