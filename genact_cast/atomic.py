"""Write files atomically: readers see the old file or the whole new one, never a part."""

from __future__ import annotations

import contextlib
import os
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import BinaryIO

from genact_cast.errors import OutputError


def check_writable(path: Path, *, overwrite: bool) -> None:
    """Fail early, before any work, when `path` cannot be written."""
    if path.is_dir():
        raise OutputError(f"{path} is a directory")
    if path.exists() and not overwrite:
        raise OutputError(f"{path} already exists (use --overwrite to replace it)")
    parent = path.parent if str(path.parent) else Path(".")
    if not parent.is_dir():
        raise OutputError(f"cannot write {path}: directory {parent} does not exist")
    if not os.access(parent, os.W_OK):
        raise OutputError(f"cannot write {path}: directory {parent} is not writable")


@contextlib.contextmanager
def atomic_output(path: Path, *, overwrite: bool) -> Iterator[BinaryIO]:
    """Yield a binary stream whose content becomes `path` only if the block succeeds.

    Without `overwrite`, an existing file is never replaced, even one created by
    someone else while we were writing: the final step is a hard link, which fails
    when the name is taken, instead of a rename, which would clobber it.
    """
    check_writable(path, overwrite=overwrite)
    parent = path.parent if str(path.parent) else Path(".")
    try:
        fd, tmp_name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=parent)
    except OSError as exc:
        raise OutputError(f"cannot write {path}: {exc.strerror}") from None
    tmp = Path(tmp_name)
    try:
        with os.fdopen(fd, "wb") as stream:
            yield stream
            stream.flush()
            os.fsync(stream.fileno())
        os.chmod(tmp, 0o666 & ~_umask())
        if overwrite:
            os.replace(tmp, path)
        else:
            try:
                os.link(tmp, path)
            except FileExistsError:
                raise OutputError(
                    f"{path} already exists (use --overwrite to replace it)"
                ) from None
    except OSError as exc:
        raise OutputError(f"cannot write {path}: {exc.strerror or exc}") from None
    finally:
        tmp.unlink(missing_ok=True)


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask
