"""Every script under scripts/ answers `--help` with its usage and does nothing else (issue
20: `regenerate_casts.py --help` regenerated the casts, `record_subtitles_clear.py --help`
re-recorded its test data, `player_themes.py --help` opened a file named `--help`)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _tracked() -> dict[str, int]:
    names = subprocess.run(
        ["git", "ls-files", "-z"], cwd=ROOT, capture_output=True, check=True
    ).stdout.split(b"\0")
    stamps = {}
    for name in filter(None, names):
        path = ROOT / os.fsdecode(name)
        if path.is_file():
            stamps[str(path)] = path.stat().st_mtime_ns
    return stamps


def test_every_script_prints_its_usage_for_help() -> None:
    scripts = sorted(
        path.stem
        for path in (ROOT / "scripts").glob("*.py")
        if 'if __name__ == "__main__":' in path.read_text(encoding="utf-8")
    )
    assert "regenerate_casts" in scripts
    before = _tracked()
    runs = {
        name: subprocess.Popen(
            [sys.executable, "-m", f"scripts.{name}", "--help"],
            cwd=ROOT,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for name in scripts
    }
    for name, run in runs.items():
        out, err = run.communicate(timeout=60)
        assert run.returncode == 0, (name, err)
        assert out.startswith("usage: "), (name, out[:200], err[-500:])
    assert _tracked() == before  # nothing regenerated, recorded or measured
