"""The filter's output depends on the stream only, never on how it is batched or split,
and it drops what would change the user's terminal for good (RIS, the scrollback, DECALN).

The restore order is checked in a real terminal emulator, tmux: quitting inside a
full-screen program leaves the cursor (the prompt) where it was.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from genact_cast.player.escape_grammar import STRING_LIMIT
from genact_cast.player.safe_batch import plainly_safe
from genact_cast.player.sanitize import SafeFilter

ROOT = Path(__file__).resolve().parent.parent


@pytest.mark.parametrize(
    "text",
    ["\x1bc", "\x1b[3J", "\x1b[03J", "\x1b[3;0J", "\x1b[?3J", "\x1b[9J", "\x1b#8"],
    ids=["RIS", "ED3", "ED03", "ED3;0", "DECSED3", "ED9", "DECALN"],
)
def test_sequences_that_change_the_terminal_for_good_are_dropped(text: str) -> None:
    stream = f"a{text}b"
    assert SafeFilter().feed(stream) == "ab"
    assert SafeFilter().feed_encoded(stream) == b"ab"


def test_erasing_the_screen_still_passes() -> None:
    for text in ("\x1b[J", "\x1b[0J", "\x1b[1J", "\x1b[2J", "\x1b[?2J"):
        assert SafeFilter().feed(text) == text
        assert SafeFilter().feed_encoded(text) == text.encode()


@pytest.mark.parametrize("escape", ["\x1b9", "\x1b6", "\x1b5", "\x1b;", "\x1b0", "\x1b:"])
def test_the_fast_path_agrees_with_the_slow_path(escape: str) -> None:
    # An ESC that is not a sequence, followed by text that reads like a harmless CSI.
    text = f"x{escape}[m\x1b[1mbold"
    one_by_one = "".join(SafeFilter().feed(char) for char in [text])
    assert SafeFilter().feed_encoded(text) == one_by_one.encode()
    assert not plainly_safe(text.encode())
    assert escape not in one_by_one


@pytest.mark.parametrize("length", [STRING_LIMIT - 1, STRING_LIMIT, STRING_LIMIT + 1])
@pytest.mark.parametrize("terminator", ["\x07", "\x1b\\"])
def test_an_osc_at_the_limit_split_anywhere_is_the_same(length: int, terminator: str) -> None:
    stream = f"\x1b]2;{'t' * (length - 2)}{terminator}after"
    whole = SafeFilter().feed(stream)
    for cut in range(len(stream) - 12, len(stream)):
        f = SafeFilter()
        assert f.feed(stream[:cut]) + f.feed(stream[cut:]) == whole, cut
    if length <= STRING_LIMIT:
        assert whole.endswith(f"{terminator}after")  # passed whole, as a title
        assert "\x07after" not in whole or terminator == "\x07"
    else:
        assert "t" * 10 not in whole  # abandoned, and what follows read as usual


# Streams with everything the fast and slow paths might see differently.
pieces = st.sampled_from(
    [
        "plain ", "\x1b[1;31m", "\x1b[0m", "\x1b[2J", "\x1b[3J", "\x1b[J", "\x1b[?3J",
        "\x1bc", "\x1b#8", "\x1b7", "\x1b8", "\x1b9", "\x1b6", "\x1b5", "\x1b;", "\x1b0",
        "[m", "[F", "[1;2H", "\x1b[", "\x1b", "\x07", "\x1b\\", "\x1b]0;", "\x1b]2;",
        "\x1bP", "\x1b_", "\x9b", "\x9c", "\x1b[?1049h", "\x1b[?1049l", "\x1b[2;5r",
        "\x1b(0", "\x1b(B", "\x0e", "\x0f", "é", "\ud800", "\x1b[38;5;8m", "\x1b[65b",
        "t" * 1000, "\x1b]2;" + "t" * (STRING_LIMIT - 2), "\x1b]2;" + "t" * (STRING_LIMIT - 3),
    ]
) | st.text(st.sampled_from("ab\x1b[];0123456789mJc#\x07\\"), max_size=6)  # fmt: skip


def batched(stream: str, cuts: list[int]) -> bytes:
    """The player's path: each batch through `feed_encoded` (fast path when it can)."""
    f = SafeFilter()
    out, start = [], 0
    for cut in [*sorted(set(cuts)), len(stream)]:
        out.append(f.feed_encoded(stream[start:cut]))
        start = cut
    return b"".join(out)


@settings(max_examples=400, deadline=None)
@given(st.lists(pieces, max_size=20), st.data())
def test_the_output_never_depends_on_batching(parts: list[str], data: st.DataObject) -> None:
    stream = "".join(parts)
    cuts = data.draw(st.lists(st.integers(0, len(stream)), max_size=10))
    slow = SafeFilter().feed(stream).encode("utf-8", "replace")
    assert batched(stream, cuts) == slow
    assert batched(stream, []) == slow
    if len(stream) <= 2000:  # a character at a time: the finest split there is
        one_at_a_time = SafeFilter()
        chars = "".join(one_at_a_time.feed(char) for char in stream)
        assert chars.encode("utf-8", "replace") == slow


# --- The restore in a real terminal: tmux. -------------------------------------------------

TMUX = shutil.which("tmux")


def cursor_after(cast: str) -> tuple[int, int]:
    """Where tmux's cursor is after the cursor is put at row 5, column 3, `cast` is played
    through the filter and the filter's restore is written."""
    script = (
        "import sys, time\nfrom genact_cast.player.sanitize import SafeFilter\n"
        "f = SafeFilter()\n"
        f"sys.stdout.write('\\x1b[2J\\x1b[5;3H' + f.feed({cast!r}) + f.restore_sequence())\n"
        "sys.stdout.flush()\nprint('done', file=open(sys.argv[1], 'w'))\ntime.sleep(60)\n"
    )
    name = f"genact-{uuid.uuid4().hex[:8]}"
    flag = Path(f"/tmp/{name}.done")
    assert TMUX is not None
    subprocess.run(
        [TMUX, "-L", name, "-f", "/dev/null", "new-session", "-d", "-x", "80", "-y", "24",
         "-c", str(ROOT), sys.executable, "-c", script, str(flag)],
        check=True, timeout=30,
    )  # fmt: skip
    try:
        deadline = time.monotonic() + 30
        while not flag.exists() and time.monotonic() < deadline:
            time.sleep(0.05)
        time.sleep(0.2)
        shown = subprocess.run(
            [TMUX, "-L", name, "display", "-p", "#{cursor_y} #{cursor_x}"],
            capture_output=True, text=True, check=True, timeout=30,
        ).stdout.split()  # fmt: skip
    finally:
        subprocess.run([TMUX, "-L", name, "kill-server"], check=False, timeout=30)
        flag.unlink(missing_ok=True)
    return int(shown[0]), int(shown[1])


@pytest.mark.skipif(TMUX is None, reason="tmux is installed by scripts/test")
@pytest.mark.parametrize(
    "cast",
    [
        "\x1b[?1049h\x1b[2;20r\x1b[10;1Hin vim",  # quit inside a full-screen program
        "\x1b[?1049h\x1b[?1000h\x1b[?2004h\x1b[3;9r\x1b[?25l\x1b[20;5Hhtop",
        "\x1b[2;20r\x1b[5;3H",  # a scroll region on the normal screen
        "\x1b[?1049h\x1b[?6h\x1b[2;20r\x1b[3;3Htop",  # origin mode too
    ],
    ids=["vim", "htop-modes", "normal-screen", "origin-mode"],
)
def test_quitting_leaves_the_cursor_where_it_was(cast: str) -> None:
    assert cursor_after(cast) == (4, 2)
