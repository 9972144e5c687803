"""The keys in what a terminal sends: its reports and pastes are read whole, never as keys.

A cast may switch on mouse reporting, focus events, bracketed paste and the application
keypad (sanitize.py keeps them, and the restore switches them off). The terminal then
sends reports on the same input as the keys: a mouse click in X10 encoding is
`ESC [ M Cb Cx Cy`, where Cb is a space for a left press and Cx = 32 + column is any
byte (`q` for column 81), and a paste arrives between `ESC [ 200 ~` and `ESC [ 201 ~`.
Read byte by byte, those would pause, change the speed or quit. So the input is split
the way xterm's ctlseqs describes what it sends: CSI with its parameters and
intermediates, SS3 (with the old modifier parameter, and keypad SP under DECKPAM), the
three payload bytes of an X10 / UTF-8 (1005) mouse report and of highlight tracking,
strings (OSC, DCS, APC, PM, SOS) to BEL or ST, bracketed paste to its end, and
ESC + key as Alt-key. Only bytes outside all of these are keys, plus a lone ESC.

A sequence split across reads carries over; a pending state is dropped when input pauses
longer than a terminal ever pauses inside one report (a lone ESC pressed by the user is
told from the start of a sequence the same way, as vim's 'ttimeoutlen' does).

A terminal writes a report in one write, but a pty, ssh or a loaded machine may deliver
its ESC alone and the rest later: vim, less and readline then read the rest as typed keys
(after 'ttimeoutlen', `keyseq-timeout`), which here would press commands (a DECRQSS reply
`ESC P 1 $ r 0 SP q` and ST, pauses and quits; review-attack11 finding 3). ESC is no command
of `play`, so the rule can lean the other way: after a lone ESC, what comes within
`SEQUENCE_GAP` and starts with a report's introducer (`[`, `O`, `P`, `]`, `_`, `^`, `X`) is
read as that report, however long after the ESC it comes. A lone ESC still counts: any
other byte after it is a key, and so is an introducer after a longer pause.
"""

from __future__ import annotations

from collections.abc import Callable

ESC = 0x1B
ESC_DELAY = 0.1  # seconds after a lone ESC before the next byte is a key of its own
SEQUENCE_GAP = 1.0  # seconds of silence that end an unfinished report, string or paste
PASTE_END = b"\x1b[201~"
_MAX_PARAMS = 16  # parameter bytes kept: enough to tell 200 and 201 from the rest

# The states of the reader.
_GROUND, _ESC, _CSI, _SS3, _PAYLOAD, _STRING, _STRING_ESC, _PASTE = range(8)
_STRING_OPENERS = frozenset(b"P]_^X")  # DCS, OSC, APC, PM, SOS
_INTRODUCERS = frozenset(b"[O") | _STRING_OPENERS  # what follows ESC in every report


def _never() -> bool:
    return False


class KeyReader:
    """Feed it what the terminal sent, as it comes; it returns the keys the user pressed.

    `utf8_mouse` says whether mouse mode 1005 is on: then each X10 payload coordinate is
    one UTF-8 character (two bytes above 127) rather than one byte.
    """

    def __init__(self, utf8_mouse: Callable[[], bool] = _never) -> None:
        self.utf8_mouse = utf8_mouse
        self._state = _GROUND
        self._last = 0.0  # when the last byte came
        self._params = bytearray()  # of the CSI being read (bounded)
        self._inter = False  # the CSI has intermediate bytes
        self._payload = 0  # payload characters still to come
        self._continuation = False  # inside a two-byte payload character
        self._matched = 0  # bytes of PASTE_END matched so far

    def feed(self, data: bytes, now: float) -> bytes:
        """The keys in `data`, which arrived at monotonic time `now`."""
        keys = bytearray()
        if self._state != _GROUND and data:
            gap = now - self._last
            if self._state == _ESC and gap > ESC_DELAY:
                if gap > SEQUENCE_GAP or data[0] not in _INTRODUCERS:
                    keys.append(ESC)  # the user pressed ESC alone a while ago
                    self._state = _GROUND
                # else: a report whose ESC came alone; the rest is read as the report
            elif gap > SEQUENCE_GAP:
                self._state = _GROUND  # an unfinished report: nothing of it is a key
        if data:
            self._last = now
        for byte in data:
            self._step(byte, keys)
        return bytes(keys)

    def _step(self, byte: int, keys: bytearray) -> None:
        state = self._state
        if state == _GROUND:
            if byte == ESC:
                self._state = _ESC
            elif byte < 0x80:
                keys.append(byte)
            # bytes above 127 are (parts of) characters typed: no command is one
        elif state == _ESC:
            if byte == ord("["):
                self._state = _CSI
                self._params.clear()
                self._inter = False
            elif byte == ord("O"):
                self._state = _SS3
            elif byte in _STRING_OPENERS:
                self._state = _STRING
            elif byte == ESC:
                keys.append(ESC)  # ESC ESC: the first one alone
            elif byte < 0x20 or byte >= 0x80:
                keys.append(ESC)  # ESC, then a control key (Ctrl-C still quits)
                self._state = _GROUND
                self._step(byte, keys)
            else:
                self._state = _GROUND  # Alt + a key: not a bare key
        elif state == _CSI:
            if 0x30 <= byte <= 0x3F:
                if len(self._params) < _MAX_PARAMS:
                    self._params.append(byte)
            elif 0x20 <= byte <= 0x2F:
                self._inter = True
            elif 0x40 <= byte <= 0x7E:
                self._csi_done(byte)
            elif byte == 0x7F:
                pass  # DEL inside a sequence is ignored (ECMA-48)
            else:  # a control or a non-ASCII byte cuts the sequence short
                self._state = _GROUND
                self._step(byte, keys)
        elif state == _SS3:
            if 0x30 <= byte <= 0x3F:
                pass  # a modifier parameter (ESC O 5 P)
            elif 0x20 <= byte <= 0x7E:
                self._state = _GROUND  # the key: keypad SP, 0-9, F1-F4, arrows...
            else:
                self._state = _GROUND
                self._step(byte, keys)
        elif state == _PAYLOAD:
            if self._continuation:
                self._continuation = False
            elif byte >= 0xC0 and self.utf8_mouse():
                self._continuation = True  # a coordinate above 95 in UTF-8: two bytes
            if not self._continuation:
                self._payload -= 1
                if self._payload == 0:
                    self._state = _GROUND
        elif state == _STRING:
            if byte == ESC:
                self._state = _STRING_ESC
            elif byte in (0x07, 0x18, 0x1A):  # BEL ends an OSC; CAN and SUB cancel
                self._state = _GROUND
        elif state == _STRING_ESC:
            if byte == ord("\\"):
                self._state = _GROUND  # ST
            else:  # ESC and something else: the string ends, a new sequence begins
                self._state = _ESC
                self._step(byte, keys)
        else:  # _PASTE: everything up to ESC [ 2 0 1 ~ is pasted text
            if byte == PASTE_END[self._matched]:
                self._matched += 1
                if self._matched == len(PASTE_END):
                    self._state = _GROUND
            else:
                self._matched = 1 if byte == ESC else 0

    def _csi_done(self, final: int) -> None:
        params = bytes(self._params)
        self._state = _GROUND
        if self._inter:
            return
        if not params and final == ord("M"):
            self._expect_payload(3)  # X10 mouse report: Cb Cx Cy
        elif not params and final == ord("t"):
            self._expect_payload(2)  # highlight tracking, outside the region: Cx Cy
        elif not params and final == ord("T"):
            self._expect_payload(6)  # highlight tracking: start, end and mouse Cx Cy
        elif params == b"200" and final == ord("~"):
            self._state = _PASTE
            self._matched = 0

    def _expect_payload(self, count: int) -> None:
        self._state = _PAYLOAD
        self._payload = count
        self._continuation = False
