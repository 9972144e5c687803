"""The escape filter: harmless sequences pass, dangerous ones never do, however split.

The properties at the end are the filter's promises, checked by hypothesis on streams
built from every kind of sequence a cast can hold (and random text around them).
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from genact_cast.player.escape_grammar import STRING_LIMIT
from genact_cast.player.modes import ANSI_MODES, PRIVATE_MODES, RESTORE_TITLE, SAVE_TITLE
from genact_cast.player.safe_batch import plainly_safe
from genact_cast.player.sanitize import SafeFilter

SAFE = [
    "plain text ünïcödé 日本",
    "\x1b[1;31mred\x1b[0m",
    "\x1b[38;5;8mgrey\x1b[38:2:1:2:3m",
    "\x1b[2J\x1b[H\x1b[3;4H\x1b[10A\x1b[K\x1b[2K\x1b[J",
    "\x1b[5L\x1b[2M\x1b[3P\x1b[4@\x1b[X",
    "\x1b[2;20r\x1b[S\x1b[T",
    "\x1b[?25l\x1b[?25h",
    "\x1b[?1049h\x1b[?1049l",
    "\x1b7\x1b8\x1bM\x1b(0q\x1b(B",
    "\r\n\t\b\x07",
    "x\x1b[5b",
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
    "\x1b[22;0t",  # the cast's own title stack
    "\x1b[23;0t",
    "\x1b[8;50;200t",
    "\x1b[?2004$p",
    "\x1b[>4;1m",  # modifyOtherKeys: changes what keys send
    "\x1b[>1u",  # kitty keyboard protocol
    "\x1b[?u",
    "\x1bZ",  # DECID
    "\x1b G",  # S8C1T: 8-bit controls on
    "\x1b%@",  # leave UTF-8 mode
    "\x1bn",  # locking shift G2
    "\x05",  # ENQ: answerback
    "\x9b6n",  # C1 CSI
    "\x9b31m",
    "\x9d52;c;x\x9c",  # C1 OSC
    "\x9d0;title\x07",
    "\x90q\x9c",  # C1 DCS
    "\x9f_kitty\x9c",
    "\x1b[2h",  # keyboard lock
    "\x1b[12l",  # local echo off
    "\x1b[?8l",  # auto-repeat off
    "\x1b[?67h",
    "\x1b[?1036h\x1b[?1039h\x1b[?1050h",
    "x\x1b[999999b",  # repeat a character a million times
    "\x1b[3g",  # clear every tab stop
    "\x1bH",  # set a tab stop
]

ALLOWED_ESC = re.compile(r"\x1b(?:[78DEM=>]|[()][0-~])")
CSI_OUT = re.compile(r"\x1b\[([0-?]*)([ -/]*)([@-~])")
OSC_OUT = re.compile("\x1b\\]([012]);([^\x00-\x1f\x7f-\x9f]*)(?:\x07|\x1b\\\\)")
KEPT_C0 = set("\x07\x08\t\n\x0b\x0c\r\x0e\x0f\x1b")


def check_output(out: str) -> None:
    """What may ever come out of the filter: no C1, no lone surrogate, no C0 but the kept
    ones, and only sequences from the allow-list (titles clean)."""
    out.encode("utf-8")  # no lone surrogate: raises if there is one
    assert not re.search("[\x80-\x9f]", out), repr(out)
    assert all(c in KEPT_C0 for c in out if c < " " or c == "\x7f"), repr(out)
    i = 0
    while (i := out.find("\x1b", i)) >= 0:
        if out.startswith(SAVE_TITLE, i) or out.startswith(RESTORE_TITLE, i):
            i += len(SAVE_TITLE)
            continue
        for pattern in (CSI_OUT, OSC_OUT, ALLOWED_ESC):
            match = pattern.match(out, i)
            if match:
                break
        else:
            raise AssertionError(f"unknown sequence at {i}: {out[i : i + 20]!r}")
        if pattern is CSI_OUT:
            check_csi(*match.groups())
        i = match.end()


def check_csi(params: str, inter: str, final: str) -> None:
    if final in "hl" and not inter:
        private = params.startswith("?")
        modes = params[1:] if private else params
        allowed = PRIVATE_MODES if private else ANSI_MODES
        assert all(int(m) in allowed and str(int(m)) == m for m in modes.split(";")), params
    elif inter:
        assert (inter, final) == (" ", "q"), (params, inter, final)
    else:
        assert final in "ABCDEFGHIJKLMPSTXZ@`adefmrsub", final
        if final == "J":  # the screen, never the scrollback (3)
            assert all(int(p or "0") < 3 for p in params.lstrip("?").split(";")), params
        assert params[:1] not in "<=>" or not params, params
        if params[:1] == "?":
            assert final in "JK"


def apply_modes(text: str, state: dict[str, object]) -> None:
    """Follow what `text` switches in a terminal: modes, keypad, charsets, title stack."""
    for match in CSI_OUT.finditer(text):
        params, inter, final = match.groups()
        if final in "hl" and not inter and params[:1] in ("?", ""):
            for mode in params.lstrip("?").split(";"):
                state[params[:1] + mode] = final
        elif final == "t":
            state["titles"] = int(str(state.get("titles", 0))) + (1 if params == "22;0" else -1)
    for match in re.finditer(r"\x1b([=>])|\x1b([()])([0-~])|([\x0e\x0f])", text):
        if match.group(1):
            state["keypad"] = match.group(1)
        elif match.group(2):
            state[match.group(2)] = match.group(3)
        else:
            state["shift"] = match.group(4)


def at_default(state: dict[str, object]) -> bool:
    for key, value in state.items():
        if key.startswith("?") or key[:1].isdigit():
            modes = PRIVATE_MODES if key.startswith("?") else ANSI_MODES
            if value != ("h" if modes[int(key.lstrip("?"))] else "l"):
                return False
        elif key == "titles":
            if value != 0:
                return False
        elif value != {"keypad": ">", "(": "B", ")": "B", "shift": "\x0f"}[key]:
            return False
    return True


@pytest.mark.parametrize("text", SAFE)
def test_harmless_sequences_pass_unchanged(text: str) -> None:
    assert SafeFilter().feed(text) == text


@pytest.mark.parametrize("text", DANGEROUS)
def test_dangerous_sequences_are_dropped_with_their_payload(text: str) -> None:
    out = SafeFilter().feed("<" + text + ">")
    check_output(out)
    assert out in ("<>", "<x>"), repr(out)


@pytest.mark.parametrize("text", DANGEROUS)
def test_unsafe_passes_everything(text: str) -> None:
    assert SafeFilter(unsafe=True).feed(text) == text


def test_a_lone_surrogate_becomes_the_replacement_character() -> None:
    out = SafeFilter().feed("a\ud800b\udc9d")
    assert out == "a\ufffdb\ufffd"
    assert SafeFilter(unsafe=True).feed("\udc9b") == "\ufffd"
    # An 8-bit OSC 52 written as a JSON escape for the byte 0x9d: harmless text.
    assert SafeFilter().feed("\udc9d52;c;eA==\x07") == "\ufffd52;c;eA==\x07"


def test_titles_are_cleaned_and_the_users_title_is_pushed_then_popped() -> None:
    f = SafeFilter()
    out = f.feed("\x1b]0;ti\x01tle\x07\x1b]2;two\x1b\\")
    assert out == SAVE_TITLE + "\x1b]0;title\x07\x1b]2;two\x1b\\"
    assert RESTORE_TITLE in f.restore_sequence()
    assert RESTORE_TITLE not in SafeFilter().restore_sequence()


# Bidi embeddings, overrides, isolates and marks, the Arabic letter mark and zero-width
# characters: none may reach a window title (a C1 control ends the title: next test).
TITLE_HIDDEN = [*map(chr, range(0x202A, 0x202F)), *map(chr, range(0x2066, 0x206A)),
                "\u200e", "\u200f", "\u061c", "\u200b", "\ufeff"]  # fmt: skip


@pytest.mark.parametrize("code", range(0x80, 0xA0))
def test_a_c1_control_ends_an_osc_or_dcs_string_as_avt_does(code: int) -> None:
    """issue 20: play kept a C1 (as a code point) inside an OSC string, as part of it, where
    avt (asciinema-player's parser; src/parser.rs:503-592 at v0.18.0) leaves the string on
    any of 0x80-0x9f: ST (0x9c) ends it, 0x90/0x98/0x9d/0x9e/0x9f start another string,
    0x9b a CSI, and every other one is executed (the filter drops it). The bytes written to
    the terminal are what is left once that is done."""
    c1 = chr(code)
    out = SafeFilter().feed_encoded(f"\x1b]2;safe{c1}evil\x07")
    if code == 0x9C:
        wanted = SAVE_TITLE + "\x1b]2;safe\x1b\\evil\x07"
    elif c1 in "\x90\x98\x9d\x9e\x9f":
        wanted = ""  # a new string, not ended, takes the rest (an OSC "evil" is no title)
    elif code == 0x9B:
        wanted = "vil\x07"  # CSI e (VPR), 8-bit: dropped
    else:
        wanted = "evil\x07"
    assert out == wanted.encode()
    dcs = SafeFilter().feed_encoded(f"a\x1bPqpayload{c1}after")
    if c1 in "\x90\x98\x9d\x9e\x9f":
        assert dcs == b"a"
    else:  # 0x9b: the CSI `a` (HPR), 8-bit, dropped
        assert dcs == (b"a" + b"fter" if code == 0x9B else b"aafter")


@pytest.mark.parametrize("hidden", TITLE_HIDDEN)
def test_bidi_and_c1_controls_never_reach_a_window_title(hidden: str) -> None:
    out = SafeFilter().feed(f"\x1b]2;safe{hidden}evil\x07")
    assert out == SAVE_TITLE + "\x1b]2;safeevil\x07"


@given(st.text(alphabet=st.sampled_from([*TITLE_HIDDEN, "a", "\x01", ";"])))
@settings(max_examples=200, deadline=None)
def test_no_title_holds_a_hidden_character(body: str) -> None:
    out = SafeFilter().feed(f"\x1b]0;{body}\x07")
    assert not any(char in out for char in TITLE_HIDDEN)


def test_mode_numbers_are_read_as_numbers() -> None:
    f = SafeFilter()
    assert f.feed("\x1b[?01049h\x1b[04h\x1b[?1036;1000;;8h") == ("\x1b[?1049h\x1b[4h\x1b[?1000h")
    restore = f.restore_sequence()
    for sequence in ("\x1b[?1049l", "\x1b[?1000l", "\x1b[4l"):
        assert sequence in restore


def test_character_sets_are_reset() -> None:
    f = SafeFilter()
    assert f.feed("\x1b(0\x1b)0\x0eqqq") == "\x1b(0\x1b)0\x0eqqq"
    assert "\x1b(B\x1b)B\x0f" in f.restore_sequence()
    assert "\x1b(0\x1b)0\x0e" in f.resume_sequence()


def test_an_over_long_string_is_dropped_up_to_its_terminator() -> None:
    # Issue 20 attack item 1: past STRING_LIMIT the payload was written as text.
    f = SafeFilter()
    out = f.feed("\x1b]52;c;" + "A" * (STRING_LIMIT + 10) + "\r\nhidden\x07visible")
    assert out == "visible"
    payload = "QUFB" * 2500  # the attack's 10,000-character kitty graphics APC
    for introducer, end in (
        ("\x1b_Gf=100,a=T;", "\x1b\\"),
        ("\x1bPq", "\x9c"),
        ("\x9d52;c;", "\x07"),
    ):
        stream = f"before {introducer}{payload}{end} after\r\n"
        assert SafeFilter().feed(stream) == "before  after\r\n"
        for size in (1, 7, 4096, 4097):  # fed in pieces, the same
            pieces = [stream[at : at + size] for at in range(0, len(stream), size)]
            g = SafeFilter()
            assert "".join(g.feed(piece) for piece in pieces) == "before  after\r\n"
            assert g.feed_encoded("x") == b"x"
    # An over-long title is dropped whole: no part of it is written, no title saved.
    t = SafeFilter()
    assert t.feed("a\x1b]0;" + "T" * 5000 + "\x07b") == "ab"
    assert t.title is None
    # The skip ends at CAN or another sequence's ESC, as the exporters' parser reads it.
    assert SafeFilter().feed("\x1bP" + "p" * 5000 + "\x18\x1b[1mbold") == "\x1b[1mbold"
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


def test_mode_1048_is_dropped() -> None:
    # Issue 20 attack item 4: its "restore" at the end moved the user's cursor.
    f = SafeFilter()
    assert f.feed("\x1b[?1048hline\x1b[?1049;1048;2004h") == "line\x1b[?1049;2004h"
    assert "1048" not in f.restore_sequence()


def test_resume_puts_the_cast_modes_back() -> None:
    f = SafeFilter()
    f.feed("\x1b[?1049h\x1b[?7l\x1b[2;9r\x1b]2;t\x07")
    resume = f.resume_sequence()
    for sequence in ("\x1b[?1049h", "\x1b[?7l", "\x1b[2;9r", SAVE_TITLE + "\x1b]2;t\x07"):
        assert sequence in resume


numbers = st.one_of(
    st.sampled_from([*sorted(PRIVATE_MODES), 2, 3, 4, 8, 12, 20, 67, 1036, 1039, 1050]),
    st.integers(0, 99999),
).map(str)
mode_sequences = st.builds(
    lambda prefix, zeros, modes, final: f"\x1b[{prefix}{';'.join(zeros + m for m in modes)}{final}",
    st.sampled_from(["?", "", ">"]),
    st.sampled_from(["", "0", "00"]),
    st.lists(numbers, min_size=1, max_size=3),
    st.sampled_from("hl"),
)
fragments = st.lists(
    st.sampled_from(
        SAFE
        + DANGEROUS
        + [
            "\x1b",
            "\x1b[",
            "\x1b]",
            "\x1bP",
            "\x9b",
            "\x9d",
            "\x9c",
            "\x07",
            "x",
            "\x18",
            "\x0e",
            "\x0f",
            "\x1b(0",
            "\x1b)0",
            "\x1b]0;",
            "\x1b]2;a\x9b\x07",
            "\x1b=",
            "\ud800",
            "\x1b\\",
            "\x1b_",
            "y" * (STRING_LIMIT // 2),  # strings past the limit, skipped up to their end
        ]
    )
    | mode_sequences
    | st.text(st.characters(), max_size=8),
    max_size=25,
)


def feed_split(f: SafeFilter, stream: str, cuts: list[int]) -> str:
    pieces, start = [], 0
    for cut in [*sorted(cuts), len(stream)]:
        pieces.append(f.feed(stream[start:cut]))
        start = cut
    return "".join(pieces)


@settings(max_examples=400)
@given(fragments, st.data())
def test_any_split_gives_the_same_output(parts: list[str], data: st.DataObject) -> None:
    stream = "".join(parts)
    cuts = data.draw(st.lists(st.integers(0, len(stream)), max_size=8))
    assert feed_split(SafeFilter(), stream, cuts) == SafeFilter().feed(stream)


@settings(max_examples=400)
@given(fragments, st.lists(st.integers(0, 400), max_size=6))
def test_only_the_allow_list_comes_out_and_output_is_bounded(
    parts: list[str], cuts: list[int]
) -> None:
    stream = "".join(parts)
    f = SafeFilter()
    out = feed_split(f, stream, cuts)
    check_output(out)
    check_output(f.restore_sequence())
    check_output(f.resume_sequence())
    assert len(out) <= len(stream) + len(SAVE_TITLE)


@settings(max_examples=400)
@given(fragments)
def test_every_mode_switched_on_is_switched_off_by_the_restore(parts: list[str]) -> None:
    f = SafeFilter()
    out = f.feed("".join(parts))
    state: dict[str, object] = {}
    apply_modes(out, state)
    apply_modes(f.restore_sequence(), state)
    assert at_default(state), (state, f.restore_sequence())
    # Suspended and resumed (Ctrl-Z, fg), then restored: the same.
    apply_modes(f.resume_sequence(), state)
    apply_modes(f.restore_sequence(), state)
    assert at_default(state)


@settings(max_examples=400)
@given(fragments)
def test_the_fast_check_only_passes_what_the_filter_passes_unchanged(parts: list[str]) -> None:
    text = "".join(parts)
    try:
        raw = text.encode("utf-8")
    except UnicodeEncodeError:
        return
    f = SafeFilter()
    if plainly_safe(raw):
        assert f.feed(text) == text
        assert f.restore_sequence() == SafeFilter().restore_sequence()
    assert SafeFilter().feed_encoded(text) == SafeFilter().feed(text).encode()


def test_the_fast_check_passes_colour_dense_text() -> None:
    text = "\x1b[1;31mred\x1b[0m \x1b[38;2;1;2;3mx\x1b[2K\x1b[3A\r\n\x1b7\x1b8" * 100
    assert plainly_safe(text.encode())
    assert not plainly_safe(("\x1b[" + "1" * 65 + "m").encode())
    assert not plainly_safe(b"\x1b[?25l")
    assert not plainly_safe("\x9b6n".encode())


def test_an_unterminated_string_swallows_up_to_its_end_as_docs_play_says() -> None:
    # Review-attack3 item 4: docs/play.md claimed the opposite; it now says what happens.
    docs = (Path(__file__).parent.parent / "docs" / "play.md").read_text(encoding="utf-8")
    said = " ".join(docs.split())
    assert "An unterminated string swallows what follows" in said
    assert f"At most {STRING_LIMIT:,} characters of a string are kept" in said
    for opener, ender in (("\x1b]0;t", "\x07"), ("\x1b]0;t", "\x1b\\"), ("\x1bP1", "\x1b\\")):
        for cut in ("", "\x18", "\x1a", "\x1b[m"):
            f = SafeFilter()
            shown = f.feed(opener) + "".join(f.feed(f"line {i}\r\n") for i in range(300))
            assert "line" not in shown
            assert "after" in f.feed((cut or ender) + "after")


@pytest.mark.parametrize(
    "csi",
    [
        "\x1b[" + "1;" * 5000 + "m",  # review-attack5 item 6: its parameters were printed
        "\x9b" + "9" * 100 + "H",
        "\x1b[1" + " " * 20 + "q",  # intermediates past their 8
        "\x1b[1 2" + "3" * 70 + "m",  # a parameter after an intermediate, then too many
    ],
)
@pytest.mark.parametrize("pieces", [1, 3, 97])
def test_an_over_long_csi_is_dropped_whole_in_any_split(csi: str, pieces: int) -> None:
    """As xterm (and the DEC parser's CSI-ignore state) do: nothing of it, its final byte
    included, is written; the filter keeps none of it between events."""
    f = SafeFilter()
    stream = "A" + csi + "B\x1b[1mC"
    size = -(-len(stream) // pieces)
    out = ""
    for at in range(0, len(stream), size):
        out += f.feed_encoded(stream[at : at + size]).decode()
        assert len(f._pending) <= 80  # a bounded hold, not the whole sequence
    assert out == "AB\x1b[1mC"


def test_an_over_long_csi_cut_short_by_a_control_leaves_it_to_be_read() -> None:
    assert SafeFilter().feed("x\x1b[" + "1" * 100 + "\x1b[2mY") == "x\x1b[2mY"


def test_decslrm_is_dropped_and_the_bare_cursor_save_kept() -> None:
    """review-attack6 item 11: `CSI Pl ; Pr s` sets left/right margins (DECSLRM) where
    DECLRMM is on, and nothing at restore undoes it; `CSI s` alone saves the cursor."""
    f = SafeFilter()
    assert f.feed("a\x1b[1;10sb\x1b[5sc\x1b[;s") == "abc"
    assert f.feed("\x1b[sx\x1b[u") == "\x1b[sx\x1b[u"
