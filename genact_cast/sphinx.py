"""`extensions = ["genact_cast.sphinx"]`: the Sphinx extension (needs `genact-cast[sphinx]`).

The extension itself lives in `genact_cast.docs.sphinx_ext`.
"""

from genact_cast.docs.sphinx_ext import setup

__all__ = ["setup"]
