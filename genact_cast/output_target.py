"""Where an output may be written, checked in one place before any work is done.

Only a regular file is ever replaced (a device, FIFO, socket or directory is refused, even
with `--overwrite`); a symbolic link is never replaced but followed, with `--overwrite`, to
the regular file it names, and a link into /proc (`/dev/stdout`) is refused; a name with
control characters or of only blanks is refused; so is a file or directory the user cannot
write, with a read-only file system named as such. An output that is one of the inputs, or
two outputs that are one file, are refused as the kernel knows files (device and inode).
atomic.py checks the target again as it puts the file in place.
"""

from __future__ import annotations

import contextlib
import os
import stat
from collections.abc import Sequence
from pathlib import Path
from typing import NamedTuple

from genact_cast.errors import OutputError
from genact_cast.escape import terminal_text

MAX_LINK_HOPS = 40  # the kernel's own limit on following links
PROCESS_FILES = ("/proc/", "/dev/fd/")


class Target(NamedTuple):
    """The file to write: `name` in `directory`, and whether something is there now."""

    shown: Path  # as the user wrote it, for messages
    directory: str
    name: str
    exists: bool


def check_writable(path: Path, *, overwrite: bool) -> Target:
    """Fail early, before any work, when `path` cannot be written."""
    return resolve_output(path, overwrite=overwrite)


def resolve_output(path: Path, *, overwrite: bool) -> Target:
    """The file `path` names, or OutputError saying in one line why it cannot be written."""
    text = os.fspath(path)
    if text in ("", "."):  # an empty option value reaches here as "." (pathlib reads "" so)
        raise OutputError("the output file name is empty (or '.', the current directory)")
    if any(ord(char) < 0x20 or 0x7F <= ord(char) <= 0x9F for char in text):
        raise OutputError(
            f"{path}: a file name with control characters (a newline, a tab, ...) is refused"
        )
    if path.name and not path.name.strip():  # `-o ' '`: a name that reads as none in every listing
        raise OutputError(f"{text!r}: a file name of only blanks is refused")
    mode = _mode(path, text)
    if mode is not None and stat.S_ISLNK(mode):
        if not overwrite:
            raise already_exists(path)
        text = _follow(path)
        mode = _mode(path, text)
    if mode is not None:
        if stat.S_ISDIR(mode):
            raise OutputError(f"{path} is a directory")
        if not stat.S_ISREG(mode):
            raise not_regular(path)
        if not overwrite:
            raise already_exists(path)
        if not os.access(text, os.W_OK):
            _refuse_read_only_file_system(path, text)
            raise OutputError(f"cannot write {path}: it is read-only")
    directory, name = os.path.split(text)
    directory = directory or "."
    if not os.path.isdir(directory):
        raise OutputError(f"cannot write {path}: directory {directory} does not exist")
    if not os.access(directory, os.W_OK):
        _refuse_read_only_file_system(path, directory)
        raise OutputError(f"cannot write {path}: directory {directory} is not writable")
    return Target(path, directory, name, mode is not None)


def _refuse_read_only_file_system(path: Path, where: str) -> None:
    """OutputError naming a read-only file system (EROFS) as such: the file's own mode
    (0644, say) is not what stops the write, and `chmod` would not help."""
    with contextlib.suppress(OSError):
        if os.statvfs(where).f_flag & os.ST_RDONLY:
            raise OutputError(f"cannot write {path}: the file system is read-only")


def refuse_same_files(outputs: Sequence[Path], inputs: Sequence[str] = ()) -> None:
    """OutputError when an output is one of the inputs, or two outputs are one file.

    Files are compared as the kernel knows them (device and inode, links followed), so a
    symbolic link, a hard link, `/proc/self/fd/N`, `./x/../same.cast` and standard input
    redirected from the file are all caught; an output that does not exist yet is its
    directory's identity and its name. URLs are not files; an input that cannot be
    opened is left to its reader's message."""
    found: dict[tuple[object, ...], str] = {}  # a file's identity: what it is, named
    for source in inputs:
        identity = _input_identity(source)
        if identity is not None:
            found.setdefault(identity, f"the input {'<stdin>' if source == '-' else source}")
    for output in outputs:
        identity = _output_identity(output)
        if identity is None:
            continue
        if identity in found:
            raise OutputError(
                f"{terminal_text(os.fspath(output))} is the same file as "
                f"{terminal_text(found[identity])}; refused, even with --overwrite"
            )
        found[identity] = f"the output {os.fspath(output)}"


def _input_identity(source: str) -> tuple[object, ...] | None:
    if source[:8].lower().startswith(("http://", "https://")):  # (sources.is_url)
        return None
    try:
        info = os.fstat(0) if source == "-" else os.stat(source)
    except (OSError, ValueError):
        return None
    if not stat.S_ISREG(info.st_mode):
        return None  # a pipe or a device is not replaced by writing a file
    return ("file", info.st_dev, info.st_ino)


def _output_identity(path: Path) -> tuple[object, ...] | None:
    try:
        info = os.stat(path)
    except FileNotFoundError:
        directory, name = os.path.split(os.path.abspath(path))
        try:
            folder = os.stat(directory)
        except OSError:
            return None
        return ("new", folder.st_dev, folder.st_ino, name)
    except (OSError, ValueError):
        return None
    return ("file", info.st_dev, info.st_ino)


def _mode(path: Path, text: str) -> int | None:
    try:
        return os.lstat(text).st_mode
    except FileNotFoundError:
        return None
    except OSError as exc:
        raise OutputError(f"cannot write {path}: {exc.strerror}") from None


def _follow(path: Path) -> str:
    """Where the link `path` finally points: an existing regular file, else refused."""
    here = os.path.abspath(path)
    for _ in range(MAX_LINK_HOPS):
        if here.startswith(PROCESS_FILES):
            raise OutputError(
                f"{path} is a link to a process's open file (such as /dev/stdout), not a "
                "file; it is never replaced, even with --overwrite (use -o - for standard "
                "output)"
            )
        try:
            mode = os.lstat(here).st_mode
        except FileNotFoundError:
            raise OutputError(f"{path} is a link to nothing; it is never replaced") from None
        except OSError as exc:
            raise OutputError(f"cannot write {path}: {exc.strerror}") from None
        if not stat.S_ISLNK(mode):
            real = os.path.realpath(here)  # the directories on the way may be links too
            if real != here:
                here = real
                continue
            if stat.S_ISDIR(mode):
                raise OutputError(f"{path} is a link to a directory")
            if not stat.S_ISREG(mode):
                raise not_regular(path)
            return here
        here = os.path.normpath(os.path.join(os.path.dirname(here), os.readlink(here)))
    raise OutputError(f"cannot write {path}: too many levels of symbolic links")


def not_regular(path: Path) -> OutputError:
    return OutputError(
        f"{path} is not a regular file (a device, FIFO or socket); "
        "it is never replaced, even with --overwrite"
    )


def already_exists(path: Path) -> OutputError:
    return OutputError(f"{path} already exists (use --overwrite to replace it)")
