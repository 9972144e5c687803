"""The work budget of the PNG and video exports: what drawing and encoding pictures costs.

The terminal model's budget (publish/screens.py) bounds the cells a cast makes the
terminal touch; the pictures cost more per cell and per frame, so they have a budget of
their own, in pixels, counted like the model's: a base, plus a share for each character
of output read (review-attack9 findings 5 and 6). Counted:

- each row drawn: its band of the picture (width x cell height);
- each frame encoded: an eighth of the picture (converting it to YUV and encoding a frame
  that changed little: 16 ms for a 1080p frame with one row changed, 140 ms with the whole
  screen redrawn, on a loaded 2-core machine); a video pays for each frame's whole picture,
  drawn and encoded (`allow`'s `prepaid`), since its frames are bounded by the frame and
  time limits (publish/encode_cost.py): a scrolling log redraws every row each frame, which
  its output cannot pay for (a 30-minute 80x24 run was refused after 45 s of CPU);
- each character laid out as text (a span with right-to-left letters, shaped by raqm and
  HarfBuzz): `SHAPE_PIXELS` (a 1000x200 screen of Arabic, Hebrew and emoji took 29 s for
  199,000 characters at 720p, about 140 us each, where a row's band of pixels costs
  about 0.05 us a pixel).

At 20 M pixels a second (the loaded machine), the base is about a minute and a half of
work, for what the frames' limits do not bound: characters shaped, rows drawn again.
"""

from __future__ import annotations

from genact_cast.publish.terminal_cells import LimitError

WORK_BASE = 1_000_000_000
WORK_PER_CHAR = 256
FRAME_SHARE = 8  # a frame encoded costs its picture's pixels divided by this
SHAPE_PIXELS = 2048  # a character shaped as text costs as much as this many pixels


class Work:
    """Pixels of work done, against a limit raised as the cast's output is read."""

    def __init__(self) -> None:
        self.done = 0
        self.limit = WORK_BASE

    def allow(self, chars: int, prepaid: int = 0) -> None:
        """The budget for `chars` characters of output read so far, plus `prepaid` pixels
        the caller's own limit bounds (a video's frames: publish/encode_cost.py)."""
        self.limit = WORK_BASE + WORK_PER_CHAR * chars + prepaid

    def spend(self, pixels: int) -> None:
        self.done += pixels
        if self.done > self.limit:
            raise LimitError(
                "the cast makes the picture do more work than its output allows (pixels "
                f"drawn and encoded, characters shaped: {WORK_BASE // 10**9} G plus "
                f"{WORK_PER_CHAR} per character of output); cut the cast, lower --fps-cap or --size"
            )
