"""Same seed and options, same bytes: every run, every hash seed, every supported Python."""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
from pathlib import Path

import pytest

from genact_cast.examples import cast_bytes, recipes

ROOT = Path(__file__).resolve().parent.parent
CASTS = ROOT / "casts"
SUPPORTED = ("3.10", "3.11", "3.12", "3.13")

# Only the standard library is needed to generate, so any interpreter can run this.
PROGRAM = """
import hashlib, json, sys
from genact_cast.examples import cast_bytes, recipes
from pathlib import Path
for name, recipe in sorted(recipes(Path(sys.argv[1])).items()):
    print(name, hashlib.sha256(cast_bytes(recipe)).hexdigest())
"""


def digests_with(python: str, hash_seed: str = "0") -> str:
    env = {**os.environ, "PYTHONPATH": str(ROOT), "PYTHONHASHSEED": hash_seed}
    result = subprocess.run(
        [python, "-c", PROGRAM, str(CASTS)], capture_output=True, text=True, env=env, timeout=300
    )
    assert result.returncode == 0, result.stderr
    return result.stdout


def expected_digests() -> str:
    return "".join(
        f"{name} {hashlib.sha256((CASTS / name).read_bytes()).hexdigest()}\n"
        for name in sorted(recipes(CASTS))
    )


@pytest.mark.parametrize("name", sorted(recipes(CASTS)))
def test_example_casts_regenerate_byte_for_byte(name: str) -> None:
    assert cast_bytes(recipes(CASTS)[name]) == (CASTS / name).read_bytes(), (
        f"casts/{name} differs: if the change is deliberate, run scripts/regenerate_casts.py"
    )


def test_two_runs_give_the_same_bytes() -> None:
    recipe = {"seed": 123, "duration": 30}
    assert cast_bytes(recipe) == cast_bytes(recipe)


def test_hash_randomization_does_not_change_the_bytes() -> None:
    assert digests_with(sys.executable, "1") == digests_with(sys.executable, "4242")


def _interpreters() -> dict[str, str]:
    """Every supported Python on this machine: pyenv's, then whatever is on PATH."""
    found: dict[str, str] = {}
    pyenv = Path(os.environ.get("PYENV_ROOT", Path.home() / ".pyenv")) / "versions"
    for version in SUPPORTED:
        candidates = sorted(pyenv.glob(f"{version}.*/bin/python{version}"), reverse=True)
        candidates += [Path(p) / f"python{version}" for p in os.environ["PATH"].split(":")]
        for candidate in candidates:
            if candidate.is_file() and os.access(candidate, os.X_OK):
                found[version] = str(candidate)
                break
    return found


def test_every_supported_python_gives_the_same_bytes() -> None:
    interpreters = _interpreters()
    missing = [v for v in SUPPORTED if v not in interpreters]
    if missing and not os.environ.get("CI"):
        pytest.skip(f"Python {', '.join(missing)} not installed here")
    assert not missing, f"CI must have every supported Python; missing {missing}"
    expected = expected_digests()
    for version, python in interpreters.items():
        assert digests_with(python) == expected, f"Python {version} ({python}) differs"
