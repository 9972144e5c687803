"""Every limit a reader of outside input enforces, in one place.

Each is named in the one-line error that reports it, so a user can tell which one a
file or a server hit. The table of limits in docs/play.md lists the same values.
"""

from __future__ import annotations

# --- Casts and their sources (the reader, `play`, URL sources) ---------------------

MAX_LINE_BYTES = 64 << 20  # one event line of a v2/v3 cast
# Lines of a cast, blank ones and the header's included, and v1 frames: a line can be one
# byte, so a byte limit alone lets a small (or compressed) input cost ~1e9 lines of work.
# A recorded day is ~1e5 events; asciinema's long sessions stay well under this.
MAX_CAST_LINES = 2_000_000
MAX_CAST_BYTES = 1 << 30  # everything a cast reader reads, from a file, a pipe or a URL
MAX_HEADER_BYTES = 1 << 20  # a v2/v3 header, even written over several lines
MAX_V1_BYTES = 64 << 20  # a v1 cast is one JSON document, read whole
MAX_JSON_DEPTH = 64  # nesting of arrays and objects in a header
MAX_TERMINAL_COLS = 1000
MAX_TERMINAL_ROWS = 1000
# The most cells an exporter draws (a 500x400 terminal; asciinema's largest real casts are far
# smaller), and so the most `record` writes: a cast it makes is one every export can draw.
MAX_DRAWN_CELLS = 200_000
MAX_CAST_SECONDS = 10**8  # about three years: any time or sum of intervals in a cast
MIN_SPEED, MAX_SPEED = 1e-3, 1e9  # `play --speed`
FIRST_BYTE_SECONDS = 30.0  # a FIFO or pipe silent at its start, or between two reads
MAX_PAGE_BYTES = 4 << 20  # an HTML recording page fetched to find its cast link
MAX_URL_CAST_BYTES = 1 << 30  # a cast downloaded from a URL
MAX_SPOOL_BYTES = 1 << 30  # standard input kept to be read again (--loop, --start-at LABEL)
URL_DEADLINE_SECONDS = 120.0  # the whole download of a URL source, redirects included
URL_READ_TIMEOUT_SECONDS = 15.0  # silence from a server between two chunks
MAX_REDIRECTS = 5  # HTTP redirects, and recording-page links followed
MIN_FONT_SIZE, MAX_FONT_SIZE = 6, 200  # a picture's font in pixels: at 5 a cell is 3 wide
