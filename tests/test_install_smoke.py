"""The README's install (`pip install .`, no extras) runs every command the README documents.

A fresh virtual environment, without this test environment's packages: a module a
command imports that is not a runtime dependency fails here, as it would for a user.
"""

from __future__ import annotations

import http.server
import json
import os
import shutil
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.test_html import npm_tarball

__all__ = ["npm_tarball"]  # the pinned player, for --self-contained without the network

ROOT = Path(__file__).resolve().parent.parent
NOT_SOURCE = shutil.ignore_patterns(
    ".venv", ".git", ".cache", "build", "*.egg-info", "__pycache__", ".mypy_cache",
    ".ruff_cache", ".pytest_cache", ".hypothesis",
)  # fmt: skip


class Asciinema(http.server.BaseHTTPRequestHandler):
    """Just enough of asciinema-server's upload endpoint."""

    def do_POST(self) -> None:
        self.rfile.read(int(self.headers["Content-Length"]))
        body = json.dumps({"url": f"http://{self.headers['Host']}/a/smoke"}).encode()
        self.send_response(201)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def server() -> Iterator[str]:
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Asciinema)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()


@pytest.fixture(scope="module")
def installed(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """`pip install .` of a copy of this tree into a new venv: its bin directory."""
    base = tmp_path_factory.mktemp("smoke")
    source = base / "genact-cast"
    shutil.copytree(ROOT, source, ignore=NOT_SOURCE)
    subprocess.run([sys.executable, "-m", "venv", str(base / "venv")], check=True, timeout=120)
    bin_dir = base / "venv" / "bin"
    result = subprocess.run(
        [str(bin_dir / "python"), "-m", "pip", "install", "--quiet", "."],
        cwd=source, capture_output=True, text=True, timeout=900,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr[-3000:]
    return bin_dir


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

    def genact(*args: str) -> subprocess.CompletedProcess[str]:
        result = subprocess.run(
            [str(installed / "genact-cast"), *args],
            cwd=tmp_path, env=env, capture_output=True, text=True, timeout=300,
        )  # fmt: skip
        assert result.returncode == 0, f"genact-cast {' '.join(args)}: {result.stderr}"
        assert "Traceback" not in result.stderr
        return result

    assert "record" in genact("--help").stdout
    assert genact("--version").stdout.startswith("genact-cast ")
    genact("record", "--seed", "7")
    assert (tmp_path / "out.cast").exists()
    genact("record", "--seed", "7", "-o", "demo.cast")
    played = genact("play", "demo.cast", "--speed", "1000", "-i", "0.01")
    assert "torchrun" in played.stdout
    assert "asciicast v2" in genact("info", "demo.cast").stdout
    assert json.loads(genact("info", "--json", "demo.cast").stdout)["version"] == 2
    genact("embed", "demo.cast", "--svg", "demo.svg")
    genact("embed", "demo.cast", "--svg", "poster.svg", "--at", "60")
    genact("embed", "demo.cast", "--html", "demo.html")
    genact("embed", "demo.cast", "--html", "offline.html", "--self-contained")
    assert "AsciinemaPlayer" in (tmp_path / "offline.html").read_text()
    genact("embed", "demo.cast", "--markdown", "snippet.md")
    genact("record", "--seed", "7", "-o", "recorded.svg")
    for svg in ("demo.svg", "poster.svg", "recorded.svg"):
        assert (tmp_path / svg).read_text().startswith("<svg")
    assert "AsciinemaPlayer.create" in (tmp_path / "demo.html").read_text()
    assert "[![asciicast]" in (tmp_path / "snippet.md").read_text()
    genact("run", "--seed", "1", "--exit-after", "2s")
    genact("record", "--live", "--seed", "3", "--duration", "10", "--speed", "4", "-o", "live.cast")
    assert json.loads((tmp_path / "live.cast").read_text().splitlines()[0])["version"] == 2
    uploaded = genact("upload", "demo.cast", "--title", "Training run", "--visibility", "unlisted")
    assert uploaded.stdout.startswith(f"{server}/a/smoke")
    assert "/connect/" in genact("auth").stdout
    assert list(tmp_path.glob("genact-cast-*")) == []  # nothing left in TMPDIR
    assert os.stat(tmp_path / "demo.cast").st_size > 0
