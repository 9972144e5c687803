"""The terminal modes a cast played by `genact-cast play` may switch, each with the state
the restore puts back, and the window-title stack it pushes and pops."""

from __future__ import annotations

# The modes a cast may switch, each with the state the restore puts back. Any other
# mode (keyboard lock, local echo, auto-repeat, 132 columns, backarrow, meta keys, ...)
# has effects that outlive the cast or cannot be undone, and is dropped.
PRIVATE_MODES: dict[int, bool] = {
    1: False,  # application cursor keys
    5: False,  # reverse video
    6: False,  # origin mode
    7: True,  # autowrap
    9: False,  # X10 mouse
    25: True,  # cursor shown
    47: False,  # alternate screen
    66: False,  # application keypad
    1000: False,  # mouse tracking, and its encodings
    1002: False,
    1003: False,
    1004: False,  # focus events
    1005: False,
    1006: False,
    1015: False,
    1016: False,
    1047: False,  # alternate screen
    1049: False,  # alternate screen with the cursor saved
    2004: False,  # bracketed paste
    2026: False,  # synchronized output
}
ANSI_MODES: dict[int, bool] = {4: False, 20: False}  # insert, automatic newline
ALTERNATE_SCREENS = (47, 1047, 1049)

SAVE_TITLE = "\x1b[22;0t"  # push the window and icon titles
RESTORE_TITLE = "\x1b[23;0t"  # pop them
