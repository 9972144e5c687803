"""The README's sections now on the docs site: the dialects page's framework excerpts are
what the command it shows prints today, and the Design section names real files."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_the_framework_excerpts_come_from_the_command_the_readme_shows() -> None:
    result = subprocess.run(
        [sys.executable, str(ROOT / "scripts" / "readme_excerpts.py"), "--check"],
        capture_output=True, text=True, timeout=600, cwd=ROOT,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr


def test_the_design_section_points_at_files_in_the_repository() -> None:
    text = (ROOT / "docs" / "benchmarks.md").read_text("utf-8")
    design = text[text.index("## Design") :]
    design = design[: design.find("\n## ", 1) if "\n## " in design[1:] else len(design)]
    named = [part.split("`")[0] for part in design.split("`")[1::2]]
    paths = [name for name in named if "/" in name or name.endswith(".py")]
    assert paths, design
    every = [str(path) for top in ("genact_cast", "scripts") for path in (ROOT / top).rglob("*")]
    for name in paths:
        # Named from the repository's root, or within the folder its bullet names first.
        assert any(path.endswith("/" + name.rstrip("/")) for path in every), (
            f"the Design section names {name}, which is not in the repository"
        )
    assert "../" not in design
