"""Write files atomically: readers see the old file or the whole new one, never a part.

Only regular files are replaced: a device, FIFO or socket at the output path (or a link
to one, such as /dev/stdout) is refused even with `--overwrite`: replacing /dev/null
with a file of ours would break the system, and writing through it would not be atomic.
SIGTERM and SIGHUP unwind like Ctrl-C does, so the temporary file goes with them.
"""

from __future__ import annotations

import contextlib
import errno
import os
import signal
import stat
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path
from types import FrameType
from typing import BinaryIO

from genact_cast.errors import OutputError, Terminated

STOP_SIGNALS = (signal.SIGTERM, signal.SIGHUP)


def check_writable(path: Path, *, overwrite: bool) -> None:
    """Fail early, before any work, when `path` cannot be written."""
    if path.is_dir():
        raise OutputError(f"{path} is a directory")
    _refuse_special(path)
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
    # No signal handler may run between creating the temporary file and the `try` that
    # removes it: they wait, blocked, until it is in place.
    blocked = signal.pthread_sigmask(signal.SIG_BLOCK, STOP_SIGNALS)
    try:
        fd, tmp_name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=parent)
    except OSError as exc:
        signal.pthread_sigmask(signal.SIG_SETMASK, blocked)
        raise OutputError(f"cannot write {path}: {exc.strerror}") from None
    tmp = Path(tmp_name)
    try:
        signal.pthread_sigmask(signal.SIG_SETMASK, blocked)
        with os.fdopen(fd, "wb") as stream:
            yield stream
            stream.flush()
            os.fsync(stream.fileno())
        os.chmod(tmp, 0o666 & ~_umask())
        _refuse_special(path)  # it may have appeared while we wrote
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
        try:
            signal.pthread_sigmask(signal.SIG_BLOCK, STOP_SIGNALS)
        finally:
            tmp.unlink(missing_ok=True)
            signal.pthread_sigmask(signal.SIG_SETMASK, blocked)


@contextlib.contextmanager
def temporary_directory(prefix: str = "genact-cast-") -> Iterator[Path]:
    """A private directory in the system's temporary directory, removed on every way out:
    SIGTERM and SIGHUP wait while it is being made and removed, so that neither can
    leave it behind."""
    blocked = signal.pthread_sigmask(signal.SIG_BLOCK, STOP_SIGNALS)
    try:
        folder = tempfile.mkdtemp(prefix=prefix)
    except OSError as exc:
        signal.pthread_sigmask(signal.SIG_SETMASK, blocked)
        raise OutputError(f"cannot make a temporary directory: {exc.strerror}") from None
    try:
        signal.pthread_sigmask(signal.SIG_SETMASK, blocked)
        yield Path(folder)
    finally:
        try:
            signal.pthread_sigmask(signal.SIG_BLOCK, STOP_SIGNALS)
        finally:
            import shutil  # only here: it brings archive modules that record never needs

            shutil.rmtree(folder, ignore_errors=True)
            signal.pthread_sigmask(signal.SIG_SETMASK, blocked)


def _refuse_special(path: Path) -> None:
    """A device, FIFO or socket at `path`, or a link to one (/dev/stdout), is refused."""
    try:
        mode = os.stat(path).st_mode
    except OSError:
        return  # nothing there, a dangling link, or not reachable: the write will say
    if not (stat.S_ISREG(mode) or stat.S_ISDIR(mode)):
        raise OutputError(
            f"{path} is not a regular file (a device, FIFO or socket); "
            "it is never replaced, even with --overwrite"
        )


@contextlib.contextmanager
def stop_on_signals() -> Iterator[None]:
    """SIGTERM and SIGHUP raise `Terminated` inside the block, so that every `finally`
    (temporary files, directories) runs before the CLI exits with 128 + the signal.

    Python drops an exception raised where it cannot propagate (a finalizer, a fork
    hook such as logging's): a signal whose exception was dropped so is raised again
    when the block ends.
    """
    received: list[int] = []

    def stop(signum: int, frame: FrameType | None) -> None:
        received.append(signum)
        raise Terminated(signum)

    handlers = {sig: signal.signal(sig, stop) for sig in STOP_SIGNALS}
    try:
        yield
    finally:
        for sig, handler in handlers.items():
            signal.signal(sig, handler)
    if received:
        raise Terminated(received[0])


def write_stdout(data: str | bytes) -> None:
    """Write to standard output and flush; a full disk or a closed stream is one line.

    On failure standard output is pointed at /dev/null, so that the interpreter's own
    flush at exit does not report the same failure a second time.
    """
    try:
        if isinstance(data, str):
            sys.stdout.write(data)
            sys.stdout.flush()
        else:
            sys.stdout.flush()
            sys.stdout.buffer.write(data)
            sys.stdout.buffer.flush()
    except BrokenPipeError:
        raise  # the reader went away: the CLI exits quietly
    except OSError as exc:
        _silence_stdout()
        reason = exc.strerror or errno.errorcode.get(exc.errno or 0, str(exc))
        raise OutputError(f"cannot write to standard output: {reason}") from None


def _silence_stdout() -> None:
    with contextlib.suppress(OSError, ValueError):
        null = os.open(os.devnull, os.O_WRONLY)
        os.dup2(null, sys.stdout.fileno())
        os.close(null)


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask
