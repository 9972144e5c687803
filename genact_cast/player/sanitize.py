"""A stateful filter that makes casts from strangers safe to play in a real terminal.

It passes text, SGR, cursor movement, erase/insert/delete, scroll regions, cursor
show/hide and style, an allow-list of modes it knows how to switch off again, the G0/G1
character sets, and clean window titles (the user's title is pushed before the first
one and popped by the restore). It drops what can reach outside the session: every OSC
but a title, DCS/APC/PM/SOS strings, terminal queries and reports, key-encoding
changes, every mode it cannot undo, and every C1 control: an 8-bit introducer (U+009B,
U+009D, U+0090, ...) is parsed like its 7-bit form and dropped with its payload. A lone
surrogate (from a JSON escape) becomes U+FFFD, so no byte 0x80-0x9f is ever written.

A sequence split across events is held until it is complete, so any split of a stream
gives the same output as the whole stream. A string longer than STRING_LIMIT is dropped
up to its terminator (ST, BEL for an OSC, CAN/SUB or the ESC of another sequence) without
being kept: the filter only remembers that it is inside one, so memory stays bounded and
no part of the payload is written, as the exporters' parser (publish/vtparse.py) and
asciinema-player skip it. An over-long title is dropped whole.
"""

from __future__ import annotations

import re

from genact_cast.escape import title_text
from genact_cast.player.escape_grammar import (
    CSI,
    CSI_END,
    CSI_OVERLONG,
    CSI_PREFIX,
    DCS_END,
    DCS_LIKE,
    ESC,
    ESC_PREFIX,
    LOOK,
    MAX_REPEAT,
    NUMBER,
    OSC,
    OSC_END,
    PLAIN_CSI_FINALS,
    STRING_C1,
    STRING_LIMIT,
    SURROGATE,
    TITLE_OSCS,
    keeps_scrollback,
)
from genact_cast.player.modes import (
    ALTERNATE_SCREENS,
    ANSI_MODES,
    PRIVATE_MODES,
    RESTORE_TITLE,
    SAVE_TITLE,
)
from genact_cast.player.safe_batch import plainly_safe


class SafeFilter:
    """Feed it output as it comes; it returns what is safe to write, now."""

    def __init__(self, *, unsafe: bool = False) -> None:
        self.unsafe = unsafe
        self._pending = ""
        # Modes passed so far, by their state now (only those away from the default).
        self.private_modes: dict[int, bool] = {}
        self.ansi_modes: dict[int, bool] = {}
        self.scroll_region = ""  # the parameters of the margins set, "" for none
        self.keypad_application = False
        self.cursor_style = ""
        self.charsets = {"(": "B", ")": "B"}
        self.charset_touched = False
        self.shifted_out = False
        self.title: str | None = None  # the last title passed, as written
        # Inside an over-long string being skipped: the pattern of its end, else None.
        self._skipping: re.Pattern[str] | None = None

    def drop_held(self) -> None:
        """Forget a sequence or string left open at the end of a pass: a new pass of
        --loop starts fresh, as the player's loop does (an unterminated OSC otherwise
        swallowed every later pass)."""
        self._pending = ""
        self._skipping = None

    def feed_encoded(self, data: str) -> bytes:
        """`feed`, encoded in UTF-8: what is written to the terminal.

        A batch of events joined gives the same as the events fed one by one (any split
        gives the same output); most batches take the fast path.
        """
        if not self._pending and self._skipping is None:
            try:
                raw = data.encode("utf-8")
            except UnicodeEncodeError:
                pass  # a lone surrogate: the filter replaces it
            else:
                if plainly_safe(raw):
                    return raw
        return self.feed(data).encode("utf-8", "replace")

    def feed(self, data: str) -> str:
        text = self._pending + data if self._pending else data
        self._pending = ""
        out: list[str] = []
        i = 0
        if self._skipping is not None:
            skipped = self._skip(text, 0, out)
            if skipped is None:
                return "".join(out)
            i = skipped
        look = LOOK.search(text, i)
        if look is None:
            return "".join(out) + text[i:] if i else text
        while look is not None:
            start = look.start()
            if start > i:
                out.append(text[i:start])
            taken = self._special(text, start, out)
            if taken is None:  # incomplete: wait for the next event
                if self._skipping is None:  # (skipping: only what _skip kept, if anything)
                    self._pending = text[start:]
                return "".join(out)
            i = taken
            look = LOOK.search(text, i)
        out.append(text[i:])
        return "".join(out)

    def _special(self, text: str, i: int, out: list[str]) -> int | None:
        """Handle the character at `i` that needs a look; return where to go on."""
        char = text[i]
        if char == "\x1b" or char == "\x9b" or char in STRING_C1:
            return self._escape(text, i, out)
        if "\ud800" <= char <= "\udfff":
            out.append("\ufffd")  # one policy for lone surrogates, unsafe or not
        elif char in "\x0e\x0f":
            self.charset_touched = True
            self.shifted_out = char == "\x0e"
            out.append(char)
        elif self.unsafe:
            out.append(char)
        # Other C0 controls, DEL and single C1 controls are dropped.
        return i + 1

    def _escape(self, text: str, i: int, out: list[str]) -> int | None:
        """Handle the escape sequence at `i`; return where the next one starts."""
        char = text[i]
        eight_bit = char != "\x1b"
        if not eight_bit and i + 1 >= len(text):
            return None
        kind = "[" if char == "\x9b" else "]" if char == "\x9d" else char
        if not eight_bit:
            kind = text[i + 1]
        if kind == "[":
            match = CSI.match(text, i)
            if match is None:
                if CSI_PREFIX.fullmatch(text, i):
                    return None
                overlong = CSI_OVERLONG.match(text, i)
                if overlong is not None:
                    self._emit_unsafe(out, overlong.group())
                    self._skipping = CSI_END
                    return self._skip(text, overlong.end(), out)
                self._emit_unsafe(out, text[i : i + (1 if eight_bit else 2)])
                return i + (1 if eight_bit else 2)  # malformed: drop the introducer
            if self.unsafe:
                if not eight_bit:
                    self._csi(*match.groups())  # still tracked, for the restore
                out.append(match.group())
            elif not eight_bit:
                out.append(self._csi(*match.groups()))
            return match.end()
        if kind == "]":
            return self._string(text, i, OSC, out, osc=not eight_bit)
        if kind in "P_^X" or eight_bit:
            return self._string(text, i, DCS_LIKE, out, osc=False)
        match = ESC.match(text, i)
        if match is None:
            if ESC_PREFIX.fullmatch(text, i):
                return None
            self._emit_unsafe(out, "\x1b")
            return i + 1
        inter, final = match.groups()
        if self._allow_esc(inter, final) or self.unsafe:
            out.append(match.group())
        return match.end()

    def _string(
        self, text: str, i: int, pattern: re.Pattern[str], out: list[str], *, osc: bool
    ) -> int | None:
        match = pattern.match(text, i)
        assert match is not None  # the body may be empty, so this always matches
        body, terminator = match.group(1), match.group(2)
        stop = match.end()
        if terminator is None:
            # Cut at the end of the event: wait, even with the body at its limit, since
            # the terminator may be the next event's first character.
            at_end = stop == len(text) or text[stop:] == "\x1b"
            if at_end and len(body) <= STRING_LIMIT:
                return None
            self._emit_unsafe(out, text[i:stop])
            if len(body) == STRING_LIMIT and not (OSC_END if pattern is OSC else DCS_END).match(
                text, stop
            ):
                # Over-long: skipped up to its terminator, however far (not kept).
                self._skipping = OSC_END if pattern is OSC else DCS_END
                return self._skip(text, stop, out)
            # Cut short by another control: the string is abandoned and whatever
            # follows is read as usual.
            return stop
        if self.unsafe:
            out.append(SURROGATE.sub("\ufffd", match.group()))
        elif osc:
            number, semicolon, title = body.partition(";")
            if number in TITLE_OSCS and semicolon:
                out.append(self._title(number, title, "\x07" if terminator == "\x07" else "\x1b\\"))
        return stop

    def _skip(self, text: str, i: int, out: list[str]) -> int | None:
        """Skip an over-long string's payload from `i`; return where its end leaves off,
        or None when the event ends inside it (a final ESC is held: it may start ST)."""
        assert self._skipping is not None
        if self._skipping is CSI_END:
            return self._skip_csi(text, i, out)
        end = self._skipping.search(text, i)
        if end is None or (end.group() == "\x1b" and end.end() == len(text)):
            stop = len(text) if end is None else end.start()
            self._emit_unsafe(out, SURROGATE.sub("\ufffd", text[i:stop]))
            self._pending = text[stop:]
            return None
        self._skipping = None
        stop = end.start()
        if end.group() == "\x1b":
            if text.startswith("\x1b\\", stop):
                stop += 2  # ST ends it; another ESC starts a new sequence
        elif end.group() in "\x07\x9c":
            stop += 1  # CAN and SUB are left to be read (and dropped) as controls
        self._emit_unsafe(out, SURROGATE.sub("\ufffd", text[i:stop]))
        return stop

    def _skip_csi(self, text: str, i: int, out: list[str]) -> int | None:
        """Skip an over-long CSI from `i` to its final byte (taken with it); any other
        character (a control, ESC, text) cuts it short and is read as usual."""
        end = CSI_END.search(text, i)
        stop = len(text) if end is None else end.start()
        if end is not None:
            self._skipping = None
            stop += "@" <= end.group() <= "~"
        self._emit_unsafe(out, text[i:stop])
        return None if end is None else stop

    def _title(self, number: str, title: str, terminator: str) -> str:
        clean = title_text(title)
        sequence = f"\x1b]{number};{clean}{terminator}"
        first = self.title is None
        self.title = sequence
        return SAVE_TITLE + sequence if first else sequence

    def _emit_unsafe(self, out: list[str], text: str) -> None:
        if self.unsafe:
            out.append(text)

    def _csi(self, params: str, inter: str, final: str) -> str:
        """The CSI sequence to write for one the cast wrote ("" to drop it)."""
        prefix = params[:1] if params[:1] in ("<", "=", ">", "?") else ""
        if final in "hl" and not inter:
            if prefix == "?":
                return self._modes("?", params[1:], final, PRIVATE_MODES, self.private_modes)
            if not prefix:
                return self._modes("", params, final, ANSI_MODES, self.ansi_modes)
            return ""
        sequence = f"\x1b[{params}{inter}{final}"
        if inter:
            if inter == " " and final == "q" and not prefix and NUMBER.fullmatch(params or "0"):
                self.cursor_style = params
                return sequence
            return ""  # mode reports ($p), DECSCA and other requests
        if final in PLAIN_CSI_FINALS:
            ok = not prefix or (prefix == "?" and final in "JK")  # selective erase
            if final == "J" and ok:
                ok = keeps_scrollback(params[len(prefix) :])
            return sequence if ok else ""
        if prefix:
            return ""  # with a prefix, 'u' is kitty's keyboard protocol, 'r' restores modes
        if final == "r":
            self.scroll_region = params
            return sequence
        if final == "b":
            count = params or "1"
            ok = NUMBER.fullmatch(count) is not None and int(count) <= MAX_REPEAT
            return sequence if ok else ""
        # 's'/'u' save/restore the cursor. 's' with parameters is DECSLRM, left and right
        # margins where DECLRMM is on, which restore does not undo: dropped (xterm's
        # ctlseqs: "CSI Pl ; Pr s"). Everything else (c, n, t, x, ...) asks the terminal
        # to answer, or changes what lasts beyond the cast: dropped.
        if final == "s":
            return "" if params else sequence
        return sequence if final == "u" else ""

    @staticmethod
    def _modes(
        prefix: str, params: str, final: str, allowed: dict[int, bool], state: dict[int, bool]
    ) -> str:
        on = final == "h"
        kept: list[str] = []
        for param in params.split(";"):
            if NUMBER.fullmatch(param) is None:
                continue  # empty, or not a number: no mode we know
            mode = int(param)  # numerically: 01049 is 1049
            if mode not in allowed:
                continue
            kept.append(str(mode))
            if on == allowed[mode]:
                state.pop(mode, None)
            else:
                state[mode] = on
        return f"\x1b[{prefix}{';'.join(kept)}{final}" if kept else ""

    def _allow_esc(self, inter: str, final: str) -> bool:
        if not inter:
            if final == "=":
                self.keypad_application = True
                return True
            if final == ">":
                self.keypad_application = False
                return True
            # Not c (RIS: resets the user's tab stops, palette and modes for good).
            return final in "78DEM"
        if inter in ("(", ")"):  # G0 / G1 designation: reset at the end
            self.charset_touched = True
            self.charsets[inter] = final
            return True
        return False  # ESC # 8 (fills the user's screen with E) and the rest

    def restore_sequence(self) -> str:
        """What puts the terminal back as it was before the cast touched it.

        The scroll region goes first: DECSTBM homes the cursor, so it is reset while a
        full-screen program's alternate screen is still up (leaving it restores the
        cursor), or around a saved cursor on the normal screen. The alternate screen is
        left last, so the prompt comes back where it was.
        """
        parts = []
        if self.scroll_region:
            on_alternate = any(self.private_modes.get(mode) for mode in ALTERNATE_SCREENS)
            plain = on_alternate or self.private_modes.get(6)  # origin mode: DECSC saves it
            parts.append("\x1b[r" if plain else "\x1b7\x1b[r\x1b8")
        modes = sorted(self.private_modes, key=lambda mode: (mode in ALTERNATE_SCREENS, -mode))
        parts += [f"\x1b[?{mode}{'h' if PRIVATE_MODES[mode] else 'l'}" for mode in modes]
        parts += [f"\x1b[{mode}l" for mode in sorted(self.ansi_modes)]
        if self.keypad_application:
            parts.append("\x1b>")
        if self.cursor_style:
            parts.append("\x1b[0 q")
        if self.charset_touched:
            parts.append("\x1b(B\x1b)B\x0f")
        if self.title is not None:
            parts.append(RESTORE_TITLE)
        parts.append("\x1b[0m\x1b[?25h")
        return "".join(parts)

    def resume_sequence(self) -> str:
        """What puts the cast's modes back after a restore (back from Ctrl-Z)."""
        parts = [
            f"\x1b[?{mode}{'h' if on else 'l'}" for mode, on in sorted(self.private_modes.items())
        ]
        parts += [f"\x1b[{mode}h" for mode in sorted(self.ansi_modes)]
        if self.scroll_region:
            parts.append(f"\x1b[{self.scroll_region}r")
        if self.keypad_application:
            parts.append("\x1b=")
        if self.cursor_style:
            parts.append(f"\x1b[{self.cursor_style} q")
        if self.charset_touched:
            parts.append(f"\x1b({self.charsets['(']}\x1b){self.charsets[')']}")
            if self.shifted_out:
                parts.append("\x0e")
        if self.title is not None:
            parts.append(SAVE_TITLE + self.title)
        return "".join(parts)
