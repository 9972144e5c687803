"""Where the animated SVG's parts wait while it is drawn (publish/svg.py).

`record` and `embed` write nowhere but their target: with a file as output the parts are
files without a name (atomic.unnamed_file) in the output's folder, which takes the SVG
anyway. With standard output there is no such folder: a part is held in memory up to
`IN_MEMORY`, then moved to an unnamed file in the system's temporary directory (a
README's SVG stays in memory; standard output cut short is named as such, not as the
spool: tests/test_write_failures.py).

A part that cannot be written (a full disk, `ulimit -f`) is named by the caller's
`temporary_writes`; closing it then never raises a second error (review-attack13 F4: a
buffered file's close wrote its buffer again, a chained traceback).
"""

from __future__ import annotations

import codecs
import contextlib
import io
from collections.abc import Callable, Iterator
from typing import IO

from genact_cast.atomic import unnamed_file

IN_MEMORY = 8 << 20  # bytes of a part held in memory before it goes to a file (stdout only)
CHUNK = 1 << 20


class Part:
    """Bytes written once, then read back from the start."""

    def __init__(self, folder: str | None, stack: contextlib.ExitStack) -> None:
        self._folder = folder
        self._stack = stack
        self._in_memory = folder is None
        self.file: IO[bytes] = io.BytesIO() if self._in_memory else self._unnamed()

    def _unnamed(self) -> IO[bytes]:
        spool = self._stack.enter_context(unnamed_file(self._folder))
        self._stack.callback(_close_quietly, spool)  # (runs before unnamed_file's close)
        return spool

    def write(self, data: bytes) -> None:
        self.file.write(data)
        if self._in_memory and self.file.tell() > IN_MEMORY:
            spool = self._unnamed()
            assert isinstance(self.file, io.BytesIO)
            spool.write(self.file.getbuffer())
            self.file = spool
            self._in_memory = False

    def text(self, text: str) -> None:
        self.write(text.encode("utf-8"))

    def rewind(self) -> IO[bytes]:
        """The file at its start (written out first, where a failure is still named)."""
        self.file.flush()
        self.file.seek(0)
        return self.file

    def copy_text(self, out: Callable[[str], object]) -> None:
        """What was written, as text, to `out` in chunks (a character split between two
        chunks is decoded whole)."""
        self.file.seek(0)
        decoder = codecs.getincrementaldecoder("utf-8")()
        while chunk := self.file.read(CHUNK):
            out(decoder.decode(chunk))
        out(decoder.decode(b"", final=True))


@contextlib.contextmanager
def parts(folder: str | None, count: int) -> Iterator[list[Part]]:
    """`count` parts, in `folder` (None: standard output's rule above)."""
    with contextlib.ExitStack() as stack:
        yield [Part(folder, stack) for _ in range(count)]


def _close_quietly(spool: IO[bytes]) -> None:
    with contextlib.suppress(OSError):
        spool.close()  # (closed even when its flush fails)
