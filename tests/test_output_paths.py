"""The whole output path class, checked in one place (genact_cast/atomic.py): devices,
links, FIFOs, sockets, directories, read-only places, names with control characters,
and what appears at the path while the file is being written."""

from __future__ import annotations

import os
import shutil
import socket
import stat
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from genact_cast.atomic import atomic_output
from genact_cast.errors import OutputError
from genact_cast.output_target import check_writable

ROOT = Path(__file__).resolve().parent.parent
CAST = ROOT / "casts" / "seed7-80x24.cast"


def genact(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "genact_cast", *args],
        cwd=cwd, capture_output=True, text=True, timeout=120,
    )  # fmt: skip


def test_a_link_to_a_process_file_is_refused_and_stays_a_link(tmp_path: Path) -> None:
    # The /dev/stdout case without root: /dev/stdout is a link to /proc/self/fd/1.
    link = tmp_path / "x"
    link.symlink_to("/proc/self/fd/1")
    with (tmp_path / "out.txt").open("w") as out:
        result = subprocess.run(
            [sys.executable, "-m", "genact_cast", "record", "--seed", "7", "--duration", "5",
             "-o", str(link), "--overwrite"],
            stdout=out, stderr=subprocess.PIPE, text=True, timeout=120,
        )  # fmt: skip
    assert result.returncode == 1
    assert "link to a process's open file" in result.stderr
    assert result.stderr.count("\n") == 1
    assert link.is_symlink()
    assert os.readlink(link) == "/proc/self/fd/1"
    assert (tmp_path / "out.txt").read_text() == ""


def test_a_link_to_a_regular_file_is_written_where_it_points(tmp_path: Path) -> None:
    real = tmp_path / "real.cast"
    real.write_text("old")
    link = tmp_path / "link.cast"
    link.symlink_to("real.cast")
    plain = genact("record", "--seed", "1", "--duration", "5", "-o", "link.cast", cwd=tmp_path)
    assert plain.returncode == 1  # it exists, and there is no --overwrite
    result = genact("record", "--seed", "1", "--duration", "5", "-o", "link.cast",
                    "--overwrite", cwd=tmp_path)  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert link.is_symlink()
    assert os.readlink(link) == "real.cast"
    assert real.read_text().startswith('{"version": 2')
    assert sorted(p.name for p in tmp_path.iterdir()) == ["link.cast", "real.cast"]


def test_a_chain_of_links_through_a_linked_directory_is_followed(tmp_path: Path) -> None:
    (tmp_path / "d").mkdir()
    (tmp_path / "d" / "f.svg").write_text("old")
    (tmp_path / "dlink").symlink_to("d")
    (tmp_path / "l1").symlink_to("dlink/f.svg")
    (tmp_path / "l2").symlink_to(tmp_path / "l1")
    result = genact("embed", str(CAST), "--svg", "l2", "--overwrite", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "d" / "f.svg").read_text().startswith("<svg")
    assert (tmp_path / "l2").is_symlink()
    assert (tmp_path / "l1").is_symlink()


@pytest.mark.parametrize("kind", ["dangling", "directory", "fifo", "socket"])
def test_a_link_to_anything_but_a_regular_file_is_refused(tmp_path: Path, kind: str) -> None:
    target = tmp_path / "target"
    if kind == "directory":
        target.mkdir()
    elif kind == "fifo":
        os.mkfifo(target)
    elif kind == "socket":
        sock = socket.socket(socket.AF_UNIX)
        sock.bind(str(target))
    link = tmp_path / "out.cast"
    link.symlink_to(target)
    for args in (["record", "--seed", "1", "--duration", "5", "-o"], ["embed", str(CAST), "--svg"]):
        result = genact(*args, str(link), "--overwrite", cwd=tmp_path)
        assert result.returncode == 1, result.stderr
        assert result.stderr.startswith(f"genact-cast: {link} ")
        assert result.stderr.count("\n") == 1
        assert link.is_symlink()
        assert os.readlink(link) == str(target)
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".")]


@pytest.mark.parametrize("kind", ["directory", "socket"])
def test_a_directory_or_socket_is_refused(tmp_path: Path, kind: str) -> None:
    path = tmp_path / "out.cast"
    if kind == "directory":
        path.mkdir()
    else:
        socket.socket(socket.AF_UNIX).bind(str(path))
    result = genact("record", "--seed", "1", "--duration", "5", "-o", str(path), "--overwrite",
                    cwd=tmp_path)  # fmt: skip
    assert result.returncode == 1
    assert result.stderr.count("\n") == 1
    kept = stat.S_IFDIR if kind == "directory" else stat.S_IFSOCK
    assert stat.S_IFMT(path.lstat().st_mode) == kept


@pytest.mark.parametrize("name", ["a\nb.cast", "a\rb.cast", "tab\there.svg", "esc\x1b[31m.cast"])
def test_a_name_with_control_characters_is_refused(tmp_path: Path, name: str) -> None:
    result = genact("record", "--seed", "1", "--duration", "5", "-o", name, cwd=tmp_path)
    assert result.returncode == 1
    assert "control characters" in result.stderr
    assert result.stderr.count("\n") == 1
    assert "\x1b" not in result.stderr
    assert list(tmp_path.iterdir()) == []


def as_nobody(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    """genact-cast as an unprivileged user (root may write anywhere), or skip."""
    setpriv = shutil.which("setpriv")
    if os.geteuid() != 0 or setpriv is None:
        pytest.skip("needs root, to run as another user")
    return subprocess.run(
        [setpriv, "--reuid=65534", "--regid=65534", "--clear-groups", sys.executable, "-m",
         "genact_cast", *args],
        cwd=cwd, capture_output=True, text=True, timeout=120,
        env={**os.environ, "PYTHONPATH": str(ROOT), "HOME": str(cwd)},
    )  # fmt: skip


@pytest.fixture
def shared(tmp_path: Path) -> Iterator[Path]:
    """A directory the unprivileged user can reach (pytest's own is private to root)."""
    folder = Path(tempfile.mkdtemp(prefix="genact-test-"))
    folder.chmod(0o755)
    yield folder
    for path in folder.rglob("*"):
        path.chmod(0o755 if path.is_dir() else 0o644)
    shutil.rmtree(folder)


def test_a_read_only_place_is_refused_before_any_work(shared: Path) -> None:
    tmp_path = shared
    folder = tmp_path / "ro"
    folder.mkdir(mode=0o555)
    result = as_nobody("record", "--seed", "1", "-o", str(folder / "x.cast"), cwd=tmp_path)
    assert result.returncode == 1, result.stderr
    assert result.stderr == (
        f"genact-cast: cannot write {folder / 'x.cast'}: directory {folder} is not writable\n"
    )
    assert list(folder.iterdir()) == []


def test_a_read_only_file_is_not_replaced_even_with_overwrite(shared: Path) -> None:
    tmp_path = shared
    tmp_path.chmod(0o777)  # the directory is writable: a rename could replace the file
    mine = tmp_path / "mine.cast"
    mine.write_text("kept")
    mine.chmod(0o444)
    result = as_nobody("record", "--seed", "1", "-o", str(mine), "--overwrite", cwd=tmp_path)
    assert result.returncode == 1, result.stderr
    assert result.stderr == f"genact-cast: cannot write {mine}: it is read-only\n"
    assert mine.read_text() == "kept"
    assert [p.name for p in tmp_path.iterdir()] == ["mine.cast"]


def test_what_appears_at_the_path_while_writing_is_never_replaced(tmp_path: Path) -> None:
    target = tmp_path / "out.cast"
    fifo = tmp_path / "fifo"
    os.mkfifo(fifo)
    for swap in ("link-to-fifo", "fifo", "directory"):
        target.write_text("old")
        with (  # noqa: PT012
            pytest.raises(OutputError, match=r"never replaced|is a directory"),
            atomic_output(target, overwrite=True) as stream,
        ):
            stream.write(b"new")
            target.unlink()
            if swap == "link-to-fifo":
                target.symlink_to(fifo)
            elif swap == "fifo":
                os.mkfifo(target)
            else:
                target.mkdir()
        kinds = {"link-to-fifo": stat.S_IFLNK, "fifo": stat.S_IFIFO, "directory": stat.S_IFDIR}
        assert stat.S_IFMT(target.lstat().st_mode) == kinds[swap]
        if swap == "directory":
            target.rmdir()
        else:
            target.unlink()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["fifo"]


def test_a_file_replaced_meanwhile_by_another_file_is_overwritten(tmp_path: Path) -> None:
    target = tmp_path / "out.cast"
    target.write_text("old")
    with atomic_output(target, overwrite=True) as stream:
        stream.write(b"new")
        target.unlink()
        target.write_text("someone else's")
    assert target.read_text() == "new"
    assert [p.name for p in tmp_path.iterdir()] == ["out.cast"]
    assert stat.S_IMODE(target.stat().st_mode) == 0o666 & ~_umask()


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def test_record_to_a_closed_stdout_is_one_line(tmp_path: Path) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "genact_cast", "record", "--seed", "1", "-o", "-"],
        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True, timeout=60,
        preexec_fn=lambda: os.close(1),
    )  # fmt: skip
    assert result.returncode == 1
    assert result.stderr == "genact-cast: cannot write to standard output: it is closed\n"


@pytest.mark.parametrize("form", ["same", "linked-dir", "hard-link", "proc-fd", "dot-dot"])
def test_an_output_that_is_the_input_is_refused(tmp_path: Path, form: str) -> None:
    """`embed same.cast --svg same.cast --overwrite` replaced its own input."""
    from genact_cast.commands.embed import embed

    source = tmp_path / "same.cast"
    shutil.copy(CAST, source)
    before = source.read_bytes()
    (tmp_path / "self").symlink_to(".")
    (tmp_path / "sub").mkdir()
    os.link(source, tmp_path / "hard.cast")
    with source.open("rb") as opened:
        given, output = {
            "same": (source, source),
            "linked-dir": (source, tmp_path / "self" / "same.cast"),
            "hard-link": (source, tmp_path / "hard.cast"),
            "proc-fd": (Path(f"/proc/self/fd/{opened.fileno()}"), source),
            "dot-dot": (tmp_path / "sub" / ".." / "same.cast", source),
        }[form]
        with pytest.raises(OutputError, match="is the same file as the input"):
            embed(str(given), output, "markdown", overwrite=True)
    assert source.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["hard.cast", "same.cast", "self", "sub"]


def test_an_output_that_is_standard_input_is_refused(tmp_path: Path) -> None:
    source = tmp_path / "same.cast"
    shutil.copy(CAST, source)
    with source.open("rb") as stdin:
        result = subprocess.run(
            [sys.executable, "-m", "genact_cast", "embed", "-", "--html", "same.cast",
             "--overwrite"],
            stdin=stdin, cwd=tmp_path, capture_output=True, text=True, timeout=120,
        )  # fmt: skip
    assert result.returncode == 1
    assert result.stderr == (
        "genact-cast: same.cast is the same file as the input <stdin>; refused, even with"
        " --overwrite\n"
    )
    assert source.read_bytes() == CAST.read_bytes()


def test_two_outputs_naming_one_file_are_refused(tmp_path: Path) -> None:
    from genact_cast.output_target import refuse_same_files

    (tmp_path / "a").mkdir()
    with pytest.raises(OutputError, match="is the same file as the output"):
        refuse_same_files([tmp_path / "x.svg", tmp_path / "a" / ".." / "x.svg"])
    refuse_same_files([tmp_path / "x.svg", tmp_path / "y.svg"], [str(CAST)])


@pytest.fixture
def read_only_fs(tmp_path: Path) -> Iterator[Path]:
    """A real read-only file system (a tmpfs remounted ro) holding out.cast; needs root."""
    mount = tmp_path / "ro"
    mount.mkdir()
    if subprocess.run(["mount", "-t", "tmpfs", "-o", "size=64k", "tmpfs", str(mount)],
                      capture_output=True).returncode:  # fmt: skip
        pytest.skip("cannot mount a tmpfs here (not root)")
    try:
        (mount / "out.cast").write_text("x", "utf-8")
        subprocess.run(["mount", "-o", "remount,ro", str(mount)], check=True)
        yield mount
    finally:
        subprocess.run(["umount", str(mount)], check=True)


@pytest.mark.parametrize("name", ["out.cast", "new.cast"])
def test_a_read_only_file_system_is_named_as_such(read_only_fs: Path, name: str) -> None:
    """review-attack5 item 6: 'it is read-only', of a 0644 file, sent the user to chmod."""
    with pytest.raises(OutputError, match=r"^cannot write .*: the file system is read-only$"):
        check_writable(read_only_fs / name, overwrite=True)


@pytest.mark.parametrize("name", ["é" * 124 + ".cast", "漢" * 83 + ".cast", "a" * 250 + ".cast"])
def test_a_name_up_to_255_bytes_is_written_whatever_its_characters(
    tmp_path: Path, name: str
) -> None:
    """review-attack9 item 8: the temporary name was cut to 200 characters, 400 bytes of é:
    'File name too long' for a name the file system takes."""
    assert 253 <= len(name.encode()) <= 255
    with atomic_output(tmp_path / name, overwrite=False) as stream:
        stream.write(b"x")
    assert [path.name for path in tmp_path.iterdir()] == [name]
