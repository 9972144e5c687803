"""Casts in the docs people already write: a Sphinx extension, a MkDocs plugin, notebook
display.

The shared parts: `options` (record's own option parser, and the player's options),
`casts` (generated and file casts in a build cache, with their stills), `assets` (the pinned
asciinema-player and the loader, as static files) and `markup` (a player's HTML).
Sphinx, MkDocs and IPython are imported only by the module for that tool.
"""
