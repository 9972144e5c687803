"""The project's data tables (generator/data, the frameworks' catalogues under
generator/presenters/frameworks, the tests' reference data): UTF-8 text, a row a line, its
fields separated by tabs; a line starting with `#` (where the rows come from) or an empty
line is not a row."""

from pathlib import Path

# Read beside the modules rather than through importlib.resources: that would import zipfile
# and its readers on every `record`, a fifth of the generator's start-up.
GENERATOR = Path(__file__).parent


def rows(path: Path, fields: int = 0) -> list[list[str]]:
    """The rows of the table at `path`, each a list of its fields; with `fields`, at most
    that many, the last holding the rest of the line, tabs and all."""
    text = path.read_text("utf-8")
    return [
        line.split("\t", fields - 1)
        for line in text.splitlines()
        if line and not line.startswith("#")
    ]


def mapping(path: Path) -> dict[str, str]:
    """A table of names and values: each row's first field, and the rest of its line."""
    return dict(rows(path, fields=2))
