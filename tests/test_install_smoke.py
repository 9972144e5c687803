"""The README's install (`pip install .`, no extras) runs every command the README and the
docs site's pages (its long sections, moved there) document.

A fresh virtual environment, without this test environment's packages: a module a
command imports that is not a runtime dependency fails here, as it would for a user.
"""

from __future__ import annotations

import json
import os
import re
import shlex
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.local_server import Handler, serving
from tests.test_html import npm_tarball

__all__ = ["npm_tarball"]  # the pinned player, for --self-contained without the network

ROOT = Path(__file__).resolve().parent.parent
NOT_SOURCE = shutil.ignore_patterns(
    ".venv", ".git", ".cache", "build", "*.egg-info", "__pycache__", ".mypy_cache",
    ".ruff_cache", ".pytest_cache", ".hypothesis",
)  # fmt: skip


class Asciinema(Handler):
    """Just enough of asciinema-server's upload endpoint."""

    def do_POST(self) -> None:
        self.rfile.read(int(self.headers["Content-Length"]))
        body = json.dumps({"url": f"http://{self.headers['Host']}/a/smoke"}).encode()
        self.send_response(201)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


@pytest.fixture
def server() -> Iterator[str]:
    with serving(Asciinema) as url:
        yield url


@pytest.fixture(scope="module")
def installed(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """`pip install .` of a copy of this tree into a new venv: its bin directory."""
    base = tmp_path_factory.mktemp("smoke")
    source = base / "genact-cast"
    shutil.copytree(ROOT, source, ignore=NOT_SOURCE)
    subprocess.run([sys.executable, "-m", "venv", str(base / "venv")], check=True, timeout=120)
    bin_dir = base / "venv" / "bin"
    before = sorted(source.rglob("*"))
    result = subprocess.run(
        [str(bin_dir / "python"), "-m", "pip", "install", "--quiet", "."],
        cwd=source, capture_output=True, text=True, timeout=900,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr[-3000:]
    # The install writes nothing into the checkout (no build/, no *.egg-info): two installs
    # of one checkout at once, or from a read-only one, cannot collide (review-exports18 #0).
    written = sorted(set(source.rglob("*")) - set(before))
    assert not written, written[:5]
    return bin_dir


# Every command line of the ```sh blocks of the README and the docs pages, and how the smoke
# test runs it after a plain install, in their order, in one directory, as written unless said:
#   RUN: as written; LONGER: as written plus options that only bound its time;
#   EXTRA: needs an extra the plain install lacks: its one line naming the extra, exit 1;
#   NOT_RUN: with why. A documented command missing here fails the test.
RUN, LONGER, EXTRA, NOT_RUN = "run", "longer", "extra", "not run"
HINT_VIDEO = "pip install 'genact-cast[video]'"
HINT_GIF = HINT_VIDEO  # the gif extra is the video extra's packages
HOW: dict[str, tuple[str, str]] = {
    # The install itself is this test's own (a fresh venv, `pip install .`): then the command.
    "python3 -m venv .venv '&&' . .venv/bin/activate '&&' pip install . '&&' genact-cast record "
    "--seed 7": (RUN, "genact-cast record --seed 7"),
    "bash scripts/test": (NOT_RUN, "the whole test suite: this test is part of it"),
    "genact-cast run": (LONGER, "--exit-after 2s"),
    "genact-cast record --seed 7 -o demo.cast": (RUN, ""),
    "genact-cast play demo.cast": (LONGER, "--speed 1000 -i 0.01"),
    "pip install 'genact-cast[sphinx]'": (NOT_RUN, "installs an extra (tests/test_sphinx*)"),
    "pip install 'genact-cast[mkdocs]'": (NOT_RUN, "installs an extra (tests/test_mkdocs*)"),
    "pip install 'genact-cast[video]'": (NOT_RUN, "installs an extra (tests/test_video.py)"),
    "genact-cast upload demo.cast --title 'Training run' --visibility unlisted": (RUN, ""),
    "genact-cast auth": (RUN, ""),
    "genact-cast embed demo.cast --svg demo.svg": (RUN, ""),
    "genact-cast embed demo.cast --svg poster.svg --at 60": (RUN, ""),
    "genact-cast embed demo.cast --gif demo.gif": (EXTRA, HINT_GIF),
    "genact-cast embed demo.cast --html demo.html": (RUN, ""),
    "genact-cast embed demo.cast --html offline.html --self-contained": (RUN, ""),
    "genact-cast embed demo.cast --markdown snippet.md": (RUN, ""),
    "genact-cast embed demo.cast --mp4 demo.mp4": (EXTRA, HINT_VIDEO),
    "genact-cast embed demo.cast --webm demo.webm": (EXTRA, HINT_VIDEO),
    "genact-cast embed demo.cast --png end.png": (EXTRA, HINT_VIDEO),
    "genact-cast embed demo.cast --text final.txt": (RUN, ""),
    "genact-cast embed demo.cast --vtt demo.vtt": (RUN, ""),
    "genact-cast record --seed 7 -o seed7.svg": (RUN, ""),
    "genact-cast record --seed 7 -o demo.mp4": (EXTRA, HINT_VIDEO),
    "genact-cast record --seed 3 --model Llama-3-8B --kind pretrain --gpus 32 --gpu B200 "
    "--cols 1000 --no-color --framework torchtitan -o torchtitan.vtt": (RUN, ""),
}
# Paths that need an extra, beyond the documented lines: each prints its one line.
MISSING_EXTRAS = [
    (["record", "--seed", "7", "-o", "x.webm"], HINT_VIDEO),
    (["record", "--seed", "7", "-o", "x.png"], HINT_VIDEO),
    (["record", "--seed", "7", "-o", "x.gif"], HINT_GIF),
    (["embed", "demo.cast", "--png", "x.png", "--at", "60"], HINT_VIDEO),
]


def documented() -> list[Path]:
    """README.md, then the docs site's pages in the order of its navigation (mkdocs.yml)."""
    nav = re.findall(r"^  - [^:\n]+: (\S+\.md)$", (ROOT / "mkdocs.yml").read_text(), re.M)
    return [ROOT / "README.md", *(ROOT / "docs" / page for page in nav)]


def readme_commands() -> list[str]:
    """The command lines of the ```sh blocks of `documented`, comments left out, quoted
    alike."""
    text = "\n".join(path.read_text("utf-8") for path in documented())
    found = []
    for block in re.finditer(r"```sh\n(.*?)```", text, re.DOTALL):
        for line in block.group(1).splitlines():
            words = shlex.split(line, comments=True)
            if words:
                found.append(shlex.join(words))
    return found


def test_the_smoke_test_knows_every_readme_command() -> None:
    commands = readme_commands()
    unknown = [command for command in commands if command not in HOW]
    assert not unknown, f"documented commands the install smoke test does not run: {unknown}"
    stale = [command for command in HOW if command not in commands]
    assert not stale, f"commands the smoke test runs that no page documents any more: {stale}"
    assert len(documented()) > 5
    assert all(path.exists() for path in documented())


@pytest.mark.slow
def test_every_readme_command_runs_after_a_plain_pip_install(
    installed: Path, tmp_path: Path, server: str, npm_tarball: Path
) -> None:
    cache = tmp_path / ".cache" / "genact-cast"  # as if downloaded once before
    cache.mkdir(parents=True)
    shutil.copy(npm_tarball, cache / npm_tarball.name)
    env = {
        "PATH": f"{installed}:/usr/bin:/bin", "HOME": str(tmp_path), "LANG": "C.UTF-8",
        "ASCIINEMA_SERVER_URL": server, "TMPDIR": str(tmp_path),
    }  # fmt: skip
    assert "agg" not in os.listdir(installed)  # the gif extra is not installed

    def genact(*args: str, code: int = 0) -> subprocess.CompletedProcess[str]:
        result = subprocess.run(
            [str(installed / "genact-cast"), *args],
            cwd=tmp_path, env=env, capture_output=True, text=True, timeout=300,
        )  # fmt: skip
        assert result.returncode == code, f"genact-cast {' '.join(args)}: {result.stderr}"
        assert "Traceback" not in result.stderr
        return result

    ran = {}
    for command in readme_commands():
        how, detail = HOW[command]
        if how == NOT_RUN:
            continue
        words = shlex.split(detail if how == RUN and detail else command)
        if how == LONGER:
            words += shlex.split(detail)
        assert words[0] == "genact-cast", command
        if how == EXTRA:
            result = genact(*words[1:], code=1)
            assert result.stderr.count("\n") == 1, result.stderr
            assert detail in result.stderr
        else:
            ran[command] = genact(*words[1:])
    for args, hint in MISSING_EXTRAS:
        result = genact(*args, code=1)
        assert result.stderr.count("\n") == 1, result.stderr
        assert hint in result.stderr
    # What the commands made is what the pages say they make.
    assert (tmp_path / "out.cast").exists()
    assert "torchrun" in ran["genact-cast play demo.cast"].stdout
    for svg in ("demo.svg", "poster.svg", "seed7.svg"):
        assert (tmp_path / svg).read_text().startswith("<svg")
    assert "AsciinemaPlayer.create" in (tmp_path / "demo.html").read_text()
    assert "AsciinemaPlayer" in (tmp_path / "offline.html").read_text()
    snippet = (tmp_path / "snippet.md").read_text()
    assert "[![asciicast](demo.svg)](demo.cast)" in snippet  # an SVG the docs made
    assert (tmp_path / "final.txt").read_text().strip()
    assert (tmp_path / "demo.vtt").read_text().startswith("WEBVTT")
    assert (tmp_path / "torchtitan.vtt").read_text().startswith("WEBVTT")
    upload = "genact-cast upload demo.cast --title 'Training run' --visibility unlisted"
    assert ran[upload].stdout.startswith(f"{server}/a/smoke")
    assert "/connect/" in ran["genact-cast auth"].stdout
    for extra in ("demo.gif", "demo.mp4", "demo.webm", "end.png", "x.webm", "x.png", "x.gif"):
        assert not (tmp_path / extra).exists()
    # Beyond the code blocks: the README's prose commands, and no arguments at all.
    assert "record" in genact("--help").stdout
    assert genact("--version").stdout.startswith("genact-cast ")
    assert genact("-V").stdout.startswith("genact-cast ")
    assert "Commands:" in genact(code=2).stderr
    assert "already exists" in genact("record", "--seed", "7", code=1).stderr
    genact("record", "--live", "--seed", "3", "--duration", "10", "--speed", "4", "-o", "live.cast")
    assert json.loads((tmp_path / "live.cast").read_text().splitlines()[0])["version"] == 2
    assert list(tmp_path.glob("genact-cast-*")) == []  # nothing left in TMPDIR
    assert not [p.name for p in tmp_path.iterdir() if p.name.endswith(".tmp")]
