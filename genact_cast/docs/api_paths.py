"""The path a Python API call was given, checked once, as `open()` would read it.

`load('a\\0b')` raised a bare ValueError from deep inside, `load(b'x.cast')` said
"b'x.cast': no such file" of a file that exists, `save(b'x.cast')` and `load(123)` raised
TypeErrors (review-attack14 low 2). A path may be a str, bytes (decoded as the file
system's names are, os.fsdecode) or an os.PathLike of either; anything else, an empty
path or one with a NUL character is one GenactCastError naming the call and the problem.
"""

from __future__ import annotations

import os

from genact_cast.errors import BadOption


def api_path(path: object, call: str) -> str:
    """`path` as a str; `call` names the function in the message ("load", "save")."""
    given = path
    if isinstance(path, os.PathLike):
        path = os.fspath(path)
    if isinstance(path, bytes):
        path = os.fsdecode(path)
    if not isinstance(path, str):
        raise BadOption(
            f"{call}(): the path must be a str, bytes or os.PathLike, not {type(given).__name__}"
        )
    if not path:
        raise BadOption(f"{call}(''): the path is empty")
    if "\0" in path:
        raise BadOption(f"{call}({path!r}): a path with a NUL character names no file")
    return path
