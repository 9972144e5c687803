"""Finding the external programs we drive (asciinema)."""

from __future__ import annotations

import shutil
import sys
from pathlib import Path


def find_program(name: str) -> str | None:
    """`name` installed beside this Python (a venv need not be activated), else on PATH."""
    beside = Path(sys.executable).parent / name
    return str(beside) if beside.is_file() else shutil.which(name)
