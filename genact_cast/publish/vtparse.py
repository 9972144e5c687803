"""The escape-sequence parser of the terminal model: avt 0.16's state machine (src/parser.rs).

pyte's own parser draws DCS, SOS, PM and APC payloads (sixel, kitty graphics, DECRQSS
replies) as text, raises on a 5,000-digit parameter, and passes extra parameters on
to methods that do not take them (`ESC[1;2A`). This one reads what avt reads, in the
same states (a payload is skipped, a sequence split across events is carried over,
anything malformed is ignored), and calls the screen's methods with avt's arguments.

Work is linear in the input: text runs and plain CSI sequences are matched by one
regular expression each, string payloads are skipped by a search for their end, and the
few characters of any other sequence step through the states; a sequence longer than
`MAX_SEQUENCE` is ignored to its final byte instead of being kept; its parameters do not
count, as they are folded to what avt keeps of them (publish/csi_params.py).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import pyte

from genact_cast.publish import csi_params
from genact_cast.publish.terminal import Terminal

MAX_SEQUENCE = 64
# A CSI's parameters longer than this are folded to what avt keeps of them (32 of them,
# the later ones' digits run into the last): avt reads any number of parameters.
FOLD_AT = 20

# Text is 0x20-0x7e and everything from 0xa0 up; C0 and C1 controls are not text, and DEL
# (0x7f) is nothing at all: asciinema-player 3.18 neither draws it nor moves the cursor.
_TEXT = re.compile(r"[^\x00-\x1f\x7f-\x9f]+")
_CSI = re.compile(r"\x1b\[([?]?)([0-9:;]*)([@-~])")
# An unfinished CSI kept for the next event: its opening, parameters and the rest.
_OPEN_CSI = re.compile(r"(\x1b\[[<-?]?)([0-9:;]*)(.*)", re.DOTALL)
# A string ends at ST (BEL too for an OSC), and is cut short by CAN, SUB, ESC or any C1
# control: avt's "anywhere" transitions (parser.rs:184, 263-268, 367-380 at v0.16.0).
_STRING_END = re.compile(r"[\x18\x1a\x1b\x80-\x9f]")
_OSC_END = re.compile(r"[\x07\x18\x1a\x1b\x80-\x9f]")
_TABS = re.compile("\t+")  # a run of tabs is one move (F1: not one call per tab)
_CONTROLS = re.compile(r"[\x00-\x1f]")  # executed inside a sequence: not kept with it
# Where an over-long CSI ends: its final byte, CAN/SUB, or what starts another sequence.
# avt 0.16 reads every character from U+00A0 up as `A` in any state (parser.rs `feed`,
# `input2`): inside a CSI a non-ASCII character is a final byte (nothing is dispatched for
# it, the text after it is printed), and a C1 control ends the CSI as it would anywhere.
# Written as the characters it does not match: the class `[@-~\x18\x1a\x1b\x80-\U0010ffff]`
# matches the same ones but took the regular expression compiler 8-25 ms at every start.
_CSI_END = re.compile(r"[^\x00-\x17\x19\x1c-\x3f\x7f]")

# DEC special graphics (`ESC ( 0`) as asciinema-player 3.18 draws and copies it: avt's
# SPECIAL_GFX_CHARS for 0x60-0x7e (src/charset.rs:7-10 at v0.18.0, the same table in the
# player's bundled wasm), as a translation table in pyte's form (a character for each
# code point below 256). pyte's VT100_MAP differs in four: `_` (U+00A0 there, avt keeps
# `_`), `` ` `` (U+25C6 for avt's U+2666), `h` (U+2591 for U+2424) and `~` (U+00B7 for
# U+22C5).
DEC_SPECIAL_GRAPHICS = "".join(
    "♦▒␉␌␍␊°±␤␋┘┐┌└┼⎺⎻─⎼⎽├┤┴┬│≤≥π≠£⋅"[i - 0x60] if 0x60 <= i < 0x7F else chr(i) for i in range(256)
)

GROUND, ESCAPE, CSI, OSC, STRING = range(5)
MAX_TITLE = 256  # of a window title (OSC 0/2) kept for the subtitles; the rest is dropped


def _kept(rest: str) -> str | None:
    """An unfinished sequence as it is kept for the next event (a CSI's parameters
    folded), or None when it is too long to keep: it is then ignored to its end."""
    if len(rest) > MAX_SEQUENCE and rest.startswith("\x1b["):
        match = _OPEN_CSI.fullmatch(rest)
        assert match is not None
        rest = match[1] + csi_params.fold(match[2]) + match[3]
        return rest if len(match[3]) <= MAX_SEQUENCE else None
    return rest if len(rest) <= MAX_SEQUENCE else None


def _sgr_params(body: str) -> list[int]:
    """SGR parameters, with colon sub-parameters (`38:2::r:g:b`) as their plain form.

    A parameter with colon parts is read only in the shapes avt 0.16 matches
    (src/parser.rs, `sgr`: `[38|48, 2, r, g, b]`, `[38|48, 2, _, r, g, b]`,
    `[38|48, 5, idx]`, components `as u8`); any other (`4:3`, `1:0`, `38:5:1:2`, `58:...`)
    is skipped. asciinema-player 3.18 in Chromium agrees (colon.cast, sgr_params.cast).
    """
    out: list[int] = []
    if ":" in body:
        body = csi_params.fold(body)  # (a seventh part runs into the sixth)
    for part in body.split(";"):
        if ":" not in part:
            out.append(csi_params.number(part))
            continue
        subs = [csi_params.number(p) for p in part.split(":")]
        if subs[0] not in (38, 48):
            continue
        if len(subs) == 3 and subs[1] == 5:
            out += [subs[0], 5, subs[2] % 256]
        elif len(subs) in (5, 6) and subs[1] == 2:
            out += [subs[0], 2, *(c % 256 for c in subs[-3:])]
    return out


class Parser(pyte.Stream):
    """Feeds a `Terminal` as avt's parser would; keeps its state between `feed` calls."""

    def __init__(self, screen: Terminal) -> None:
        super().__init__(screen)
        self.term = screen
        self.state = GROUND
        self.sequence = ""  # an escape or CSI sequence not yet complete
        # Called with each window title a program sets (OSC 0 or 2: vim, htop), which the
        # player does not show but a subtitle may name a full-screen session by.
        self.on_title: Callable[[str], None] | None = None
        self._osc = ""  # the OSC payload so far, up to MAX_TITLE + 2 characters
        self._sgr: dict[tuple[Any, str], Any] = {}
        t = screen
        self._execute = {
            "\x08": t.backspace, "\x09": t.tab, "\x0a": t.linefeed, "\x0b": t.linefeed,
            "\x0c": t.linefeed, "\x0d": t.carriage_return, "\x0e": t.shift_out,
            "\x0f": t.shift_in, "\x84": t.index, "\x85": self._next_line,
            "\x88": t.set_tab_stop, "\x8d": t.reverse_index,
        }  # fmt: skip
        self._one = {
            "@": t.insert_characters, "A": t.cursor_up, "B": t.cursor_down,
            "C": t.cursor_forward, "D": t.cursor_back, "E": t.cursor_down1,
            "F": t.cursor_up1, "G": t.cursor_to_column, "I": t.tab_forward,
            "L": t.insert_lines, "M": t.delete_lines, "P": t.delete_characters,
            "S": t.scroll_up, "T": t.scroll_down, "X": t.erase_characters, "Z": t.tab_back,
            "`": t.cursor_to_column, "a": t.cursor_forward, "b": t.repeat,
            "d": t.cursor_to_line, "e": t.cursor_down,
        }  # fmt: skip

    def _next_line(self) -> None:
        self.term.index()
        self.term.carriage_return()

    def feed(self, data: str) -> None:
        if self.sequence:
            data, self.sequence = self.sequence + data, ""
            self.state = GROUND
        draw = self.term.draw
        match_text, match_csi = _TEXT.match, _CSI.match
        offset, length = 0, len(data)
        while offset < length:
            state = self.state
            if state == GROUND:
                match = match_text(data, offset)
                if match:
                    draw(match.group())
                    offset = match.end()
                    continue
                char = data[offset]
                if char == "\x1b":
                    match = match_csi(data, offset)
                    if match:
                        self._csi(match[1], match[2], "", match[3])
                        offset = match.end()
                        continue
                    end = self._escape(data, offset)
                    if end < 0:  # incomplete: kept for the next event, within a bound
                        rest = "\x1b" + _CONTROLS.sub("", data[offset + 1 :])  # run already
                        kept = _kept(rest)
                        if kept is not None:
                            self.sequence = kept
                        else:
                            self.state = CSI if rest.startswith("\x1b[") else GROUND
                        return
                    offset = end
                    continue
                if char == "\x9b":  # CSI as one C1 character
                    end = self._csi_slow(data, offset + 1)
                    if end < 0:
                        kept = _kept("\x1b[" + _CONTROLS.sub("", data[offset + 1 :]))
                        if kept is not None:
                            self.sequence = kept
                        else:
                            self.state = CSI
                        return
                    offset = end
                    continue
                if char == "\t":
                    tabs = _TABS.match(data, offset)
                    assert tabs is not None
                    offset = tabs.end()
                    self.term.earn(len(tabs.group()))
                    self.term.tab_forward(len(tabs.group()))  # as many tabs, one at a time
                    continue
                offset += 1
                self._control(char)
            elif state == CSI:  # an over-long CSI: ignored up to its final byte
                match = _CSI_END.search(data, offset)
                if match is None:
                    return
                ender = match.group()
                starts = ender == "\x1b" or "\x80" <= ender <= "\x9f"  # (read in GROUND)
                offset = match.start() if starts else match.end()
                self.state = GROUND
            else:
                ends = _OSC_END if state == OSC else _STRING_END
                match = ends.search(data, offset)
                if state == OSC and self.on_title is not None:
                    end = match.start() if match is not None else len(data)
                    self._osc = (self._osc + data[offset:end])[: MAX_TITLE + 2]
                if match is None:
                    return  # the payload goes on in the next event
                self.state = GROUND
                if state == OSC and match.group() in "\x07\x1b\x9c":  # (not cancelled)
                    self._titled()
                ender = match.group()
                # ESC and a C1 other than ST start what follows; read them in GROUND.
                offset = match.end() if ender in "\x07\x18\x1a\x9c" else match.start()
                if ender == "\x1b" and data.startswith("\x1b\\", offset):
                    offset += 2  # ST

    def _titled(self) -> None:
        """An OSC sequence ended: a window title (OSC 0 or 2) goes to `on_title`."""
        kind, _, title = self._osc.partition(";")
        if kind in ("0", "2") and self.on_title is not None:
            self.on_title(title[:MAX_TITLE])

    def _control(self, char: str) -> None:
        self.term.earn(1)
        action = self._execute.get(char)
        if action is not None:
            action()
        elif char == "\x90" or char in "\x98\x9e\x9f":
            self.state = STRING
        elif char == "\x9d":
            self.state, self._osc = OSC, ""

    def _escape(self, data: str, offset: int) -> int:
        """An escape sequence at `offset`: where it ends, or -1 when `data` ends first."""
        index = offset + 1
        intermediate = ""
        while index < len(data):
            char = data[index]
            if char in "\x18\x1a":
                return index + 1  # cancelled
            if char == "\x1b" or "\x80" <= char <= "\x9f":
                return index  # a new sequence starts, or a C1 control is executed
            if char == "\x7f":
                index += 1  # DEL is nothing here either (avt stays in its state)
                continue
            if "\x20" <= char <= "\x2f":
                # avt keeps the last intermediate (parser.rs `collect`): `ESC ( % 5` is no
                # designation of G0, as `%` is the one it dispatches on.
                intermediate = char
                index += 1
                continue
            if char < "\x20":
                self._control(char)  # executed in the middle, as avt does
                index += 1
                continue
            if not intermediate and char == "[":
                return self._csi_slow(data, index + 1)
            if not intermediate and char == "]":
                self.state, self._osc = OSC, ""
            elif not intermediate and char in "PX^_":
                self.state = STRING
            else:
                self._esc_dispatch(intermediate, char)
            return index + 1
        return -1

    def _csi_slow(self, data: str, index: int) -> int:
        """A CSI sequence that the quick pattern did not take (controls inside, '>' ...)."""
        start = index
        private = params = intermediate = ""
        read = 0  # parameter bytes read
        ignore = False
        while index < len(data):
            char = data[index]
            if index - start - read > MAX_SEQUENCE:  # (its parameters do not count)
                self.state = CSI
                return index
            if char in "\x18\x1a":
                return index + 1
            if char == "\x1b" or "\x80" <= char <= "\x9f":
                return index  # (a C1 control is executed, or starts a sequence, in GROUND)
            if char >= "\xa0":
                # A final byte to avt (see _CSI_END), and no function of its own: the
                # sequence ends here, ignored (`ESC[1;漢字` shows `字`).
                return index + 1
            if char < "\x20":
                self._control(char)
            elif "0" <= char <= ";":
                if intermediate:
                    ignore = True
                params += char
                read += 1
                if len(params) > csi_params.FOLDED_MAX:  # (kept bounded; digits run on)
                    params = csi_params.fold(params)
            elif "<" <= char <= "?":
                if params or intermediate or private:
                    ignore = True
                private = char
            elif "\x20" <= char <= "\x2f":
                intermediate = intermediate or char
            elif "@" <= char <= "~":
                if not ignore:
                    self._csi(private, params, intermediate, char)
                return index + 1
            index += 1
        return -1

    def _csi(self, private: str, body: str, intermediate: str, final: str) -> None:
        term = self.term
        if private == "?":
            if final in "hl" and not intermediate:
                term.set_dec_modes([csi_params.number(p) for p in body.split(";")], final == "h")
            return
        if private or (intermediate and (intermediate, final) != ("!", "p")):
            return
        if intermediate:
            term.soft_reset()  # DECSTR
            return
        if len(body) > FOLD_AT:
            body = csi_params.fold(body)
        if final == "m":  # the same few SGRs again and again: their result is kept
            key = (term.cursor.attrs, body)
            attrs = self._sgr.get(key)
            if attrs is None:
                params = _sgr_params(body)
                if params or not body:  # only ignored sub-parameters: no reset either
                    term.select_graphic_rendition(*params)
                if len(self._sgr) > 4096:
                    self._sgr.clear()
                self._sgr[key] = term.cursor.attrs
            else:
                term.cursor.attrs = attrs
            return
        params = [csi_params.number(p) for p in body.split(";")]
        first = params[0]
        one = self._one.get(final)
        if one is not None:
            one(first)
        elif final in "Hf":
            term.cursor_position(first, params[1] if len(params) > 1 else 0)
        elif final == "J" and first <= 3:
            term.erase_in_display(first)
        elif final == "K" and first <= 2:
            term.erase_in_line(first)
        elif final == "g" and first in (0, 3):
            term.clear_tab_stop(first)
        elif final in "hl":
            term.set_ansi_modes(params, final == "h")
        elif final == "r":
            term.set_margins(first, params[1] if len(params) > 1 else 0)
        elif final == "s":
            term.save_cursor()
        elif final == "u":
            term.restore_cursor()

    def _esc_dispatch(self, intermediate: str, final: str) -> None:
        term = self.term
        if not intermediate:
            if "@" <= final <= "_":
                self._control(chr(ord(final) + 0x40))  # ESC D is IND, ESC M is RI ...
            elif final == "7":
                term.save_cursor()
            elif final == "8":
                term.restore_cursor()
            elif final == "c":
                term.reset()
            elif final in "=>":  # DECKPAM, DECKPNM (nothing on the screen: see `keypad`)
                term.keypad = final == "="
        elif intermediate == "#" and final == "8":
            term.alignment_display()
        elif intermediate in ("(", ")"):
            charset = DEC_SPECIAL_GRAPHICS if final == "0" else pyte.charsets.LAT1_MAP
            if intermediate == "(":
                term.g0_charset = charset
            else:
                term.g1_charset = charset
