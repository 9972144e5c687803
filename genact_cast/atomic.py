"""Write files atomically: readers see the old file or the whole new one, never a part.

Every rule about the output path is checked in one place (`output_target.resolve_output`),
and checked again here by the step that puts the file in place, so nothing can change in
between:

- only a regular file is ever replaced: a device, FIFO or socket at the path is refused,
  even with `--overwrite` (replacing /dev/null with a file of ours would break the system,
  and writing through it would not be atomic); so is a directory;
- a symbolic link is never replaced: with `--overwrite` the file is written where it points
  when that is a regular file, else refused. A link through /proc is a process's open file,
  not a place (`/dev/stdout` is a link to `/proc/self/fd/1`): refused, `-o -` is stdout;
- a name with control characters (a newline breaks every tool reading names a line at a
  time) is refused, and so is a file or directory the user cannot write.

The last step swaps the new file with what is at the path (`renameat2(RENAME_EXCHANGE)`)
and looks at what it took out: anything but a regular file that appeared meanwhile is
swapped back and refused. Without `--overwrite` it is `RENAME_NOREPLACE` (or a hard
link): a file someone else created meanwhile is never clobbered.

SIGINT and every signal whose default action ends the process wait while the temporary
file is created and removed, and unwind like Ctrl-C does, so the temporary file goes
with them.
"""

from __future__ import annotations

import contextlib
import errno
import os
import signal
import stat
import tempfile
from collections.abc import Iterator
from pathlib import Path
from types import FrameType
from typing import IO, BinaryIO

from genact_cast.errors import OutputError, Terminated
from genact_cast.escape import terminal_text
from genact_cast.held_signals import signals_held
from genact_cast.output_target import Target, already_exists, not_regular, resolve_output
from genact_cast.standard_output import os_reason
from genact_cast.stop_signals import TERMINATING

# Every signal whose default action ends the process (SIGQUIT, SIGUSR1, SIGALRM, ... too:
# review-attack12 F12 found those leaving temporary files).
STOP_SIGNALS = TERMINATING
RENAME_NOREPLACE, RENAME_EXCHANGE = 1, 2


@contextlib.contextmanager
def atomic_output(path: Path, *, overwrite: bool) -> Iterator[BinaryIO]:
    """Yield a binary stream whose content becomes `path` only if the block succeeds.

    The directory is opened once and everything happens relative to it, so a directory
    renamed or replaced by a link meanwhile changes nothing.
    """
    target = resolve_output(path, overwrite=overwrite)
    made = _Made()
    try:
        with signals_held():  # until the file is under the `try` that removes it
            made.folder = os.open(target.directory, os.O_RDONLY | os.O_DIRECTORY | os.O_CLOEXEC)
            made.fd, made.tmp = _temporary_file(made.folder, target.name)
        with os.fdopen(made.fd, "wb") as stream:
            made.fd = None  # the stream owns it now
            yield stream
            stream.flush()
            os.fchmod(stream.fileno(), 0o666 & ~_umask())
            os.fsync(stream.fileno())
        _put_in_place(made.folder, made.tmp, target, overwrite=overwrite)
    except OSError as exc:
        raise OutputError(f"cannot write {path}: {exc.strerror or exc}") from None
    finally:
        with signals_held():
            _remove(made)


class _Made:
    """What atomic_output has made so far, for its `finally` to remove."""

    folder: int | None = None
    fd: int | None = None
    tmp: str | None = None


def _remove(made: _Made) -> None:
    try:
        if made.fd is not None:
            os.close(made.fd)
        if made.tmp is not None:
            with contextlib.suppress(FileNotFoundError):
                os.unlink(made.tmp, dir_fd=made.folder)
    finally:
        if made.folder is not None:
            os.close(made.folder)


def _temporary_file(folder: int, name: str) -> tuple[int, str]:
    """A new `.NAME.XXXXXXXX.tmp` in `folder`, readable by its owner only until done."""
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW | os.O_CLOEXEC
    # Shortened by bytes, the unit of the 255-byte limit on a name: 200 characters of é
    # are 400 bytes (review-attack9 item 8). A character cut in two stays bytes of the
    # name (os.fsdecode keeps them as surrogates, os.fsencode writes them back).
    short = os.fsdecode(os.fsencode(name)[:200])
    for _ in range(100):
        tmp = f".{short}.{os.urandom(4).hex()}.tmp"
        try:
            return os.open(tmp, flags, 0o600, dir_fd=folder), tmp
        except FileExistsError:
            continue
    raise FileExistsError(errno.EEXIST, "no free temporary name")


def _put_in_place(folder: int, tmp: str, target: Target, *, overwrite: bool) -> None:
    """Move `tmp` to the target's name; what is there is checked by the step itself."""
    for _ in range(10):
        if not overwrite or not _exists(folder, target.name):
            try:
                _rename(folder, tmp, target.name, RENAME_NOREPLACE)
                return
            except FileExistsError:
                if not overwrite:
                    raise already_exists(target.shown) from None
                continue  # created meanwhile: swap with it and look at it
        try:
            if not _rename(folder, tmp, target.name, RENAME_EXCHANGE):
                return  # replaced without an exchange: nothing to look at
        except FileNotFoundError:
            continue  # removed meanwhile
        except _NotAFile:
            raise not_regular(target.shown) from None
        mode = os.lstat(tmp, dir_fd=folder).st_mode  # what was there: now under `tmp`
        if not stat.S_ISREG(mode):
            _rename(folder, tmp, target.name, RENAME_EXCHANGE)  # put it back as it was
            if stat.S_ISDIR(mode):
                raise OutputError(f"{target.shown} is a directory")
            raise not_regular(target.shown)
        return  # the old file, now at `tmp`, is removed with it
    raise OutputError(f"cannot write {target.shown}: it keeps changing")


def _exists(folder: int, name: str) -> bool:
    try:
        os.lstat(name, dir_fd=folder)
    except FileNotFoundError:
        return False
    return True


_renameat2: object = None


class _NotAFile(Exception):
    """What is at the name is not a regular file (seen without renameat2)."""


def _rename(folder: int, source: str, destination: str, flags: int) -> bool:
    """renameat2(2) within `folder`; False when the exchange had to be a plain rename.

    Where the C library or the file system lacks it: a hard link for NOREPLACE (fails
    when the name is taken); for EXCHANGE a check then a rename, with a small window
    between the two that renameat2 does not have."""
    global _renameat2
    if _renameat2 is None:
        import ctypes

        libc = ctypes.CDLL(None, use_errno=True)
        _renameat2 = getattr(libc, "renameat2", False)
    if _renameat2:
        import ctypes

        result = _renameat2(  # type: ignore[operator]
            folder, os.fsencode(source), folder, os.fsencode(destination), flags
        )
        if result == 0:
            return True
        code = ctypes.get_errno()
        if code not in (errno.ENOSYS, errno.EINVAL):
            raise OSError(code, os.strerror(code))
    if flags == RENAME_NOREPLACE:
        os.link(source, destination, src_dir_fd=folder, dst_dir_fd=folder)
        os.unlink(source, dir_fd=folder)
        return True
    if not stat.S_ISREG(os.lstat(destination, dir_fd=folder).st_mode):
        raise _NotAFile
    os.replace(source, destination, src_dir_fd=folder, dst_dir_fd=folder)
    return False


@contextlib.contextmanager
def temporary_directory(prefix: str = "genact-cast-") -> Iterator[Path]:
    """A private directory in the system's temporary directory, removed on every way out:
    SIGINT and the stopping signals wait while it is being made and removed, so that none can
    leave it behind."""
    import shutil  # only here: it brings archive modules that record never needs

    folder: list[str] = []
    try:
        with signals_held():  # until the directory is under the `try` that removes it
            folder.append(tempfile.mkdtemp(prefix=prefix))
        yield Path(folder[0])
    except OSError as exc:
        if folder:
            raise
        raise OutputError(f"cannot make a temporary directory: {exc.strerror}") from None
    finally:
        with signals_held():
            for made in folder:
                shutil.rmtree(made, ignore_errors=True)


@contextlib.contextmanager
def unnamed_file(folder: str | None) -> Iterator[IO[bytes]]:
    """A private temporary file in `folder` (None: the system's temporary directory) with
    no name there: O_TMPFILE where the file system has it, else created and unlinked at
    once, with SIGINT and the stopping signals held in between, so that no way out (a
    signal, SIGKILL) leaves it behind. An export's spool goes in the output's folder,
    which takes the output anyway: the system's may be missing, read-only or small."""
    try:
        with signals_held():  # until the name is gone
            spool = tempfile.TemporaryFile(prefix=".genact-cast-", dir=folder)  # noqa: SIM115
    except OSError as exc:
        where = terminal_text(folder or tempfile.gettempdir())
        raise OutputError(f"cannot make a temporary file in {where}: {os_reason(exc)}") from None
    with spool:
        yield spool


@contextlib.contextmanager
def stop_on_signals(*, ending_the_process: bool = False) -> Iterator[None]:
    """SIGTERM, SIGHUP and every other signal whose default action ends the process
    (SIGQUIT, SIGUSR1, SIGALRM, ...) raise `Terminated` inside the block, so that every
    `finally` (temporary files, directories, a child such as agg, killed by
    subprocess.run) runs before the CLI exits with 128 + the signal. Past SIGTERM and
    SIGHUP (always handled, as before), one the caller ignores stays ignored: a shell
    starts a `&` job with SIGINT and SIGQUIT ignored, so Ctrl-\\ at the terminal spares it.

    Python drops an exception raised where it cannot propagate (a finalizer, a fork
    hook such as logging's): a signal whose exception was dropped so is raised again
    when the block ends.

    Only the first signal raises. Later ones are noted and wait: raised too, one that
    lands in a `finally` would cut its clean-up short and leave a temporary folder behind
    (review-attack16 F14). `ending_the_process` (the CLI's commands, which exit with 128 +
    the first signal once it is taken): later ones stay blocked past the block, where at
    their default action they would end the process first, with another status than its
    message names (F10).
    """
    received: list[int] = []

    def stop(signum: int, frame: FrameType | None) -> None:
        received.append(signum)
        if len(received) == 1:
            raise Terminated(signum)

    handlers = {
        sig: signal.signal(sig, stop)
        for sig in STOP_SIGNALS
        if sig in (signal.SIGTERM, signal.SIGHUP) or signal.getsignal(sig) == signal.SIG_DFL
    }
    try:
        yield
    finally:
        if received and ending_the_process:
            signal.pthread_sigmask(signal.SIG_BLOCK, handlers)
        for sig, handler in handlers.items():
            signal.signal(sig, handler)
    if received:
        raise Terminated(received[0])


@contextlib.contextmanager
def temporary_writes(what: str, folder: str | None = None) -> Iterator[None]:
    """A failed write of a temporary file (`what`: "the temporary copy of <stdin>", ...)
    is one line naming it and its folder (the system's temporary directory unless given),
    not a traceback (a full TMPDIR, `ulimit -f`: review-attack8 item 5)."""
    try:
        yield
    except BrokenPipeError:
        raise
    except OSError as exc:
        where = terminal_text(folder or tempfile.gettempdir())
        raise OutputError(f"cannot write {what} in {where}: {os_reason(exc)}") from None


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask
