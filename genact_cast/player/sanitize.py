"""A stateful filter that makes casts from strangers safe to play in a real terminal.

It passes text, SGR, cursor movement, erase/insert/delete, scroll regions, cursor
show/hide, modes such as the alternate screen, and window titles. It drops what can
reach outside the session: clipboard and palette OSCs, OSC 7/8/1337 and every other
OSC, DCS/APC/PM/SOS strings, terminal queries and reports (device attributes, status,
cursor position, window operations, mode reports), key-encoding changes, and C1
controls. A sequence split across events is held until it is complete, so any split
of a stream gives the same output as the whole stream. Strings are capped, so an
unterminated one cannot swallow the rest of the cast.
"""

from __future__ import annotations

import re

STRING_LIMIT = 4096  # longest OSC/DCS body kept waiting for its terminator
PARAM_LIMIT = 64

# Runs that need no thought: printable text, harmless C0 controls, SGR, cursor
# movement and erasing. One C-level regex call covers most of any cast.
_SAFE_RUN = re.compile(
    r"(?:[^\x00-\x06\x10-\x1f\x80-\x9f]+"
    r"|\x1b\[[0-9;:]{0,64}[mABCDEFGHJKSTXdefL@MPabIZ`g]"
    r"|\x1b[78DEHM]|\x1b[()*+][0-9A-Za-z])+"
)
_PARAMS = f"[0-?]{{0,{PARAM_LIMIT}}}"
_CSI = re.compile(rf"\x1b\[({_PARAMS})([ -/]{{0,8}})([@-~])")
_CSI_PREFIX = re.compile(rf"\x1b\[{_PARAMS}[ -/]{{0,8}}")
_OSC = re.compile(rf"\x1b\]([^\x07\x18\x1a\x1b\x9c]{{0,{STRING_LIMIT}}})(\x07|\x1b\\|\x9c)?")
_DCS_LIKE = re.compile(rf"\x1b[P_^X]([^\x18\x1a\x1b\x9c]{{0,{STRING_LIMIT}}})(\x1b\\|\x9c)?")
_ESC = re.compile(r"\x1b([ -/]{0,4})([0-~])")
_ESC_PREFIX = re.compile(r"\x1b[ -/]{0,4}")

_PLAIN_CSI_FINALS = frozenset("ABCDEFGHIJKLMPSTXZ@`abdefgm")
_CHARSETS = frozenset("()*+-./")
_TITLE_OSCS = frozenset({"0", "1", "2"})
_KEPT_C0 = frozenset("\x07\x08\t\n\x0b\x0c\r\x0e\x0f")

# Private modes whose effects outlive the cast: switched off again when playback ends.
_RESETTABLE_MODES = frozenset(
    {"1", "3", "4", "5", "6", "9", "47", "66", "1000", "1001", "1002", "1003", "1004",
     "1005", "1006", "1015", "1016", "1047", "1048", "1049", "2004", "2026"}
)  # fmt: skip


class SafeFilter:
    """Feed it output as it comes; it returns what is safe to write, now."""

    def __init__(self, *, unsafe: bool = False) -> None:
        self.unsafe = unsafe
        self._pending = ""
        self.private_modes: set[str] = set()  # set by the cast, still on
        self.ansi_modes: set[str] = set()
        self.cursor_hidden = False
        self.autowrap_off = False
        self.scroll_region = False
        self.keypad_application = False
        self.cursor_style = False

    def feed(self, data: str) -> str:
        text = self._pending + data if self._pending else data
        self._pending = ""
        out: list[str] = []
        i, end = 0, len(text)
        while i < end:
            run = _SAFE_RUN.match(text, i)
            if run:
                out.append(run.group())
                i = run.end()
                continue
            char = text[i]
            if char != "\x1b":
                if self.unsafe or char in _KEPT_C0:
                    out.append(char)
                i += 1  # other C0 and all C1 controls are dropped
                continue
            taken = self._escape(text, i, out)
            if taken is None:  # incomplete: wait for the next event
                self._pending = text[i:]
                break
            i = taken
        return "".join(out)

    def _escape(self, text: str, i: int, out: list[str]) -> int | None:
        """Handle the escape sequence at `i`; return where the next one starts."""
        if i + 1 >= len(text):
            return None
        kind = text[i + 1]
        if kind == "[":
            match = _CSI.match(text, i)
            if match is None:
                if _CSI_PREFIX.fullmatch(text, i):
                    return None
                self._emit_unsafe(out, text[i : i + 2])
                return i + 2  # malformed: drop the introducer, keep what follows
            params, inter, final = match.groups()
            if self._allow_csi(params, inter, final) or self.unsafe:
                out.append(match.group())
            return match.end()
        if kind == "]":
            return self._string(text, i, _OSC, out, osc=True)
        if kind in "P_^X":
            return self._string(text, i, _DCS_LIKE, out, osc=False)
        match = _ESC.match(text, i)
        if match is None:
            if _ESC_PREFIX.fullmatch(text, i):
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
            at_end = stop == len(text) or text[stop:] == "\x1b"
            if at_end and len(body) < STRING_LIMIT:
                return None
            # Over-long or cut short by another control: the string is abandoned
            # and whatever follows is read as usual.
            self._emit_unsafe(out, text[i:stop])
            return stop
        number = body.split(";", 1)[0]
        if self.unsafe or (osc and number in _TITLE_OSCS):
            out.append(match.group())
        return stop

    def _emit_unsafe(self, out: list[str], text: str) -> None:
        if self.unsafe:
            out.append(text)

    def _allow_csi(self, params: str, inter: str, final: str) -> bool:
        prefix = params[:1] if params[:1] in ("<", "=", ">", "?") else ""
        if final in "hl" and not inter:
            self._track_modes(prefix, params[len(prefix) :], final == "h")
            return prefix in ("", "?")
        if inter:
            if inter == " " and final == "q" and not prefix:  # cursor style
                self.cursor_style = True
                return True
            return False  # mode reports ($p), DECSCA and other requests
        if final in _PLAIN_CSI_FINALS:
            return not prefix or (prefix == "?" and final in "JK")  # selective erase
        if final == "r" and not prefix:
            self.scroll_region = params not in ("",)
            return True
        # 's'/'u' save/restore the cursor; with a prefix 'u' is kitty's keyboard protocol.
        return final in "su" and not prefix
        # Everything else (c, n, t, x, ...) asks the terminal to answer: dropped.

    def _track_modes(self, prefix: str, params: str, on: bool) -> None:
        for mode in params.split(";"):
            if prefix == "?":
                if mode == "25":
                    self.cursor_hidden = not on
                elif mode == "7":
                    self.autowrap_off = not on
                elif mode in _RESETTABLE_MODES:
                    (self.private_modes.add if on else self.private_modes.discard)(mode)
            elif prefix == "" and mode in ("4", "20"):
                (self.ansi_modes.add if on else self.ansi_modes.discard)(mode)

    def _allow_esc(self, inter: str, final: str) -> bool:
        if not inter:
            if final == "=":
                self.keypad_application = True
                return True
            if final == ">":
                self.keypad_application = False
                return True
            return final in "78DEHMc"
        if inter in _CHARSETS:
            return True
        return inter == "#" and final == "8"  # screen alignment test

    def restore_sequence(self) -> str:
        """What puts the terminal back as it was before the cast touched it."""
        parts = [f"\x1b[?{mode}l" for mode in sorted(self.private_modes, key=int, reverse=True)]
        parts += [f"\x1b[{mode}l" for mode in sorted(self.ansi_modes)]
        if self.scroll_region:
            parts.append("\x1b[r")
        if self.keypad_application:
            parts.append("\x1b>")
        if self.cursor_style:
            parts.append("\x1b[0 q")
        if self.autowrap_off:
            parts.append("\x1b[?7h")
        parts.append("\x1b[0m\x1b[?25h")
        return "".join(parts)
