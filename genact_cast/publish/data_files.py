"""Where the exports' data files are: beside these modules, in data/.

A path, not importlib.resources: that import (with zipfile and importlib.readers) cost
every export ~13 M instructions at start-up, and the package is installed as files (the
generator reads its tables the same way, generator/tables.py).
"""

from pathlib import Path

DATA = Path(__file__).parent / "data"
