"""Whether a server's text holds the install ID in any form it could be echoed in.

Redacting known forms (upload_reply.install_id_forms) cannot cover every form a server may
use (the ID spaced out, half percent-encoded, hex of the dashed form, ...). So the text is
also read the other way round: normalised (non-alphanumerics dropped, case-folded), and
with the hex, percent, base64 and base32 decodings of its tokens and of the whole text
squeezed, each normalised too, then searched for the normalised ID (as it is, reversed, in
rot13), for any 8 consecutive hex digits of a UUID (the ID split in parts with text
between, also among the text's hex digits alone, whatever separates them) and for the
UUID's 128-bit value in decimal. The text is NFKC-normalised first, so fullwidth or other
compatibility forms of the digits and letters read as ASCII. A reply that reveals the ID
is never shown: the caller prints the status and a fixed sentence instead. Linear in the
text (a reply is capped at upload.MAX_REPLY_BYTES).
"""

from __future__ import annotations

import base64
import binascii
import codecs
import re
import unicodedata
from collections.abc import Iterator
from urllib.parse import unquote

_PIECE = 8  # hex digits of the ID that count as a piece of it
_TOKEN = re.compile(r"[0-9A-Za-z+/=_-]{8,}")
_NOT_B64 = re.compile(r"[^0-9A-Za-z+/]")
_NOT_HEX = re.compile(r"[^0-9A-Fa-f]")
_NOT_B32 = re.compile(r"[^A-Z2-7]")


def _normal(text: str) -> str:
    return "".join(char for char in text.casefold() if char.isalnum())


def _decodings(run: str) -> Iterator[bytes]:
    """`run` read as hex, base64 (either alphabet) and base32, at every alignment: a
    token may start in the middle of a group."""
    hexes = _NOT_HEX.sub("", run)
    for start in (0, 1):
        digits = hexes[start:]
        yield binascii.unhexlify(digits[: len(digits) // 2 * 2])
    b64 = _NOT_B64.sub("", run.replace("-", "+").replace("_", "/"))
    for start in range(4):
        chars = b64[start:]
        chars = chars[: len(chars) - 1] if len(chars) % 4 == 1 else chars  # a lone char
        yield base64.b64decode(chars + "=" * (-len(chars) % 4))  # its padding was dropped
    b32 = _NOT_B32.sub("", run.upper())
    for start in range(8):
        chars = b32[start:]
        for end in range(len(chars), max(len(chars) - 3, -1), -1):  # a valid group's end
            try:
                yield base64.b32decode(chars[:end] + "=" * (-end % 8))
                break
            except binascii.Error:
                continue


def reveals(text: str, install_id: str) -> bool:
    """Whether `text` shows `install_id` under any of the normalisations above."""
    target = _normal(install_id)
    if not target:
        return False
    targets = {target, target[::-1], _normal(codecs.encode(install_id, "rot13"))}
    hexes = install_id.replace("-", "").casefold()
    if re.fullmatch(r"[0-9a-f]{32}", hexes):
        # Eight hex digits of the ID's 32 are 32 bits of it: one piece of a split ID.
        # A random 8-digit run matches one of these 25 windows with odds of 25 in 2**32.
        targets |= {hexes[start : start + _PIECE] for start in range(33 - _PIECE)}
        targets.add(str(int(hexes, 16)))  # the UUID as one integer
    text = unicodedata.normalize("NFKC", text)
    layers = [text, unquote(text), unquote(unquote(text))]
    for layer in layers:
        # Its hex digits alone, in order: the ID's groups with words between them
        # ("ed10 x 67e9 x 53a7 ...": no run of 8 is left once the words are read).
        texts = [layer, _NOT_HEX.sub("", layer)]
        for run in [*_TOKEN.findall(layer), re.sub(r"[^0-9A-Za-z+/_-]", "", layer)]:
            texts += [data.decode("latin-1") for data in _decodings(run)]
        for candidate in texts:
            found = _normal(candidate)
            if any(form in found for form in targets):
                return True
    return False
