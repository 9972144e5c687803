"""The escape filter: harmless sequences pass, dangerous ones never do, however split."""

from __future__ import annotations

import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from genact_cast.player.sanitize import STRING_LIMIT, SafeFilter

SAFE = [
    "plain text ünïcödé 日本",
    "\x1b[1;31mred\x1b[0m",
    "\x1b[38;5;8mgrey\x1b[38:2:1:2:3m",
    "\x1b[2J\x1b[H\x1b[3;4H\x1b[10A\x1b[K\x1b[2K\x1b[J",
    "\x1b[5L\x1b[2M\x1b[3P\x1b[4@\x1b[X",
    "\x1b[2;20r\x1b[S\x1b[T",
    "\x1b[?25l\x1b[?25h",
    "\x1b[?1049h\x1b[?1049l",
    "\x1b]0;title\x07",
    "\x1b]2;window title\x1b\\",
    "\x1b7\x1b8\x1bM\x1b(0q\x1b(B",
    "\r\n\t\b\x07",
]

DANGEROUS = [
    "\x1b]52;c;aGVsbG8=\x07",  # clipboard
    "\x1b]52;c;?\x1b\\",
    "\x1b]4;1;rgb:ff/00/00\x07",  # palette
    "\x1b]10;?\x07",
    "\x1b]11;#000000\x07",
    "\x1b]12;red\x07",
    "\x1b]104\x07",
    "\x1b]7;file://host/etc\x07",
    "\x1b]8;;https://evil.example\x1b\\",
    "\x1b]1337;File=inline=1:AAAA\x07",
    "\x1bP+q544e\x1b\\",  # DCS (XTGETTCAP)
    "\x1bP$qm\x1b\\",
    "\x1b_Gf=100;AAAA\x1b\\",  # APC (kitty graphics)
    "\x1b^privacy\x1b\\",
    "\x1bXsos\x1b\\",
    "\x1b[c",
    "\x1b[>c",
    "\x1b[=c",
    "\x1b[5n",
    "\x1b[6n",
    "\x1b[?6n",
    "\x1b[14t",
    "\x1b[21t",
    "\x1b[8;50;200t",
    "\x1b[?2004$p",
    "\x1b[>4;1m",  # modifyOtherKeys: changes what keys send
    "\x1b[>1u",  # kitty keyboard protocol
    "\x1b[?u",
    "\x1bZ",  # DECID
    "\x05",  # ENQ: answerback
    "\x9b6n",  # C1 CSI
    "\x9d52;c;x\x9c",  # C1 OSC
    "\x90q\x9c",  # C1 DCS
]

BLOCKED_OUT = re.compile(
    r"\x1b\](?![012];)|\x1b[P_^XZ]|\x1b\[[0-?]*[ -/]*[cnt]|\x1b\[\?[0-9;]*\$p|\x1b\[[<=>?][0-9;]*u"
    r"|\x1b\[>[0-9;]*m|[\x80-\x9f]|\x05"
)


@pytest.mark.parametrize("text", SAFE)
def test_harmless_sequences_pass_unchanged(text: str) -> None:
    assert SafeFilter().feed(text) == text


@pytest.mark.parametrize("text", DANGEROUS)
def test_dangerous_sequences_are_dropped(text: str) -> None:
    out = SafeFilter().feed("<" + text + ">")
    assert not BLOCKED_OUT.search(out), repr(out)
    assert out.startswith("<")
    assert out.endswith(">")


@pytest.mark.parametrize("text", DANGEROUS)
def test_unsafe_passes_everything(text: str) -> None:
    assert SafeFilter(unsafe=True).feed(text) == text


def test_an_unterminated_string_does_not_swallow_the_rest() -> None:
    f = SafeFilter()
    out = f.feed("\x1b]52;c;" + "A" * (STRING_LIMIT + 10) + "\r\nvisible")
    assert out.endswith("\r\nvisible")
    assert "\x1b]" not in out
    g = SafeFilter()
    assert g.feed("\x1b]52;c;AAAA\x1b[1mbold") == "\x1b[1mbold"  # cut short by another ESC


def test_the_cast_modes_are_switched_off_again() -> None:
    f = SafeFilter()
    f.feed("\x1b[?1049h\x1b[?1000h\x1b[?1006h\x1b[?2004h\x1b[?1h\x1b=\x1b[3;10r\x1b[?25l\x1b[4h")
    restore = f.restore_sequence()
    for sequence in ("\x1b[?1049l", "\x1b[?1000l", "\x1b[?1006l", "\x1b[?2004l", "\x1b[?1l",
                     "\x1b>", "\x1b[r", "\x1b[?25h", "\x1b[0m", "\x1b[4l"):  # fmt: skip
        assert sequence in restore
    quiet = SafeFilter()
    quiet.feed("\x1b[?1049h\x1b[?1049l")
    assert "1049" not in quiet.restore_sequence()


fragments = st.lists(
    st.sampled_from(
        SAFE + DANGEROUS + ["\x1b", "\x1b[", "\x1b]", "\x1bP", "\x9c", "\x07", "x", "\x18"]
    )
    | st.text(st.characters(codec="utf-8"), max_size=8),
    max_size=25,
)


@settings(max_examples=300)
@given(fragments, st.data())
def test_any_split_gives_the_same_output(parts: list[str], data: st.DataObject) -> None:
    stream = "".join(parts)
    cuts = sorted(data.draw(st.lists(st.integers(0, len(stream)), max_size=8)))
    whole = SafeFilter().feed(stream)
    split = SafeFilter()
    pieces, start = [], 0
    for cut in [*cuts, len(stream)]:
        pieces.append(split.feed(stream[start:cut]))
        start = cut
    assert "".join(pieces) == whole


@settings(max_examples=300)
@given(fragments)
def test_nothing_blocked_ever_comes_out(parts: list[str]) -> None:
    out = SafeFilter().feed("".join(parts))
    assert not BLOCKED_OUT.search(out), repr(out)
