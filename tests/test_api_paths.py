"""The Python API's path arguments: one GenactCastError naming the call and the problem
(review-attack14 low 2: `load('a\\0b')` raised a bare ValueError, `load(b'x.cast')` said
"no such file" of a file that exists, `save(b'x.cast')` a TypeError)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

import genact_cast
from genact_cast.errors import GenactCastError

CAST = Path(__file__).resolve().parent.parent / "casts" / "seed7-80x24.cast"


@pytest.mark.parametrize(
    ("path", "message"),
    [
        ("a\0b", "load('a\\x00b'): a path with a NUL character names no file"),
        (b"a\0b", "load('a\\x00b'): a path with a NUL character names no file"),
        (Path("a\0b"), "load('a\\x00b'): a path with a NUL character names no file"),
        ("", "load(''): the path is empty"),
        (123, "load(): the path must be a str, bytes or os.PathLike, not int"),
        (None, "load(): the path must be a str, bytes or os.PathLike, not NoneType"),
    ],
)
def test_an_odd_path_given_to_load_is_one_error_naming_it(path: object, message: str) -> None:
    with pytest.raises(GenactCastError) as refused:
        genact_cast.load(path)  # type: ignore[arg-type]
    assert str(refused.value) == message


def test_bytes_and_path_like_paths_are_read_and_written(tmp_path: Path) -> None:
    local = tmp_path / "in.cast"
    shutil.copy(CAST, local)
    for given in (bytes(local), local, str(local)):
        assert genact_cast.load(given).text == CAST.read_text("utf-8")
    view = genact_cast.load(local)
    assert view.save(bytes(tmp_path / "out.cast")) == tmp_path / "out.cast"
    assert (tmp_path / "out.cast").read_text("utf-8") == view.text


@pytest.mark.parametrize(
    ("path", "message"),
    [
        ("a\0b", "save('a\\x00b'): a path with a NUL character names no file"),
        (b"x\0.cast", "save('x\\x00.cast'): a path with a NUL character names no file"),
        ("", "save(''): the path is empty"),
        (3.5, "save(): the path must be a str, bytes or os.PathLike, not float"),
    ],
)
def test_an_odd_path_given_to_save_is_one_error_naming_it(path: object, message: str) -> None:
    view = genact_cast.load(CAST)
    with pytest.raises(GenactCastError) as refused:
        view.save(path)  # type: ignore[arg-type]
    assert str(refused.value) == message
