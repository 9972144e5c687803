"""`play` in a locale that is not UTF-8 (attack run 7, finding 4).

The reference is ECMA-48 (5th edition, 5.3 and 8.3): in an 8-bit code the C1 controls
are the bytes 0x80-0x9F (0x9B CSI, 0x9D OSC, 0x90 DCS), which a terminal in an 8-bit
mode acts on. Play wrote UTF-8 whatever the locale, so U+201B (e2 80 9b) reached a
Latin-1 terminal as CSI: `\u201b6n` asked for a cursor report typed into the shell. The
charsets are glibc's locale charsets, encoded by Python's codecs.
"""

from __future__ import annotations

import codecs
import os
import re
import subprocess
import sys
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from genact_cast.player.charset import Charset

GENACT = [sys.executable, "-m", "genact_cast"]
# `locale -m` names of glibc 2.36 charsets a terminal is run in, single- and multi-byte.
LOCALE_CHARSETS = [
    "ANSI_X3.4-1968", "ISO-8859-1", "ISO-8859-15", "ISO-8859-5", "ISO-8859-7", "KOI8-R",
    "KOI8-U", "CP1251", "TIS-620", "EUC-JP", "SHIFT_JIS", "EUC-KR", "GB2312", "GBK",
    "GB18030", "BIG5", "BIG5-HKSCS", "EUC-TW",
]  # fmt: skip
C1_BYTE = re.compile(rb"[\x80-\x9f]")
TEXT = st.text(
    st.one_of(
        st.characters(max_codepoint=0x2FF),
        st.characters(min_codepoint=0x2000, max_codepoint=0x206F),  # U+201B, U+201D
        st.sampled_from("中日本語한국어ДЖЯ│─┌ｱ€\x9b\x9d\ud800"),
    ),
    max_size=40,
)


def _known(name: str) -> bool:
    try:
        codecs.lookup(name)
    except LookupError:  # (EUC-TW: no Python codec; such a locale is written as ASCII)
        return False
    return True


@settings(max_examples=300, deadline=None)
@given(st.sampled_from([name for name in LOCALE_CHARSETS if _known(name)]), TEXT)
def test_no_byte_0x80_to_0x9f_in_any_locale_charset(name: str, text: str) -> None:
    charset = Charset(name)
    data = charset.encode(text)
    assert not C1_BYTE.search(data)
    # Each character is itself or `?`: ASCII (escapes included) as it is, the others
    # when the charset has them and their bytes hold no control.
    decoded = data.decode(charset.name)
    assert len(decoded) == len(text)
    for char, got in zip(text, decoded, strict=True):
        # (or the charset's own mapping of it: EUC-JP writes ¥ as 0x5C, JIS X 0201)
        assert got in (char, "?", char.encode(charset.name, "replace").decode(charset.name))
        if char.isascii():
            assert got == char


def _play(cast: Path, **env: str) -> subprocess.CompletedProcess[bytes]:
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("LC_", "PYTHONIO"))}
    return subprocess.run(
        [*GENACT, "play", str(cast)], capture_output=True, env={**clean, **env}, timeout=60
    )


def test_play_writes_the_locale_charset_with_no_c1_byte(tmp_path: Path) -> None:
    cast = tmp_path / "c1hide.cast"  # the review's cast (/tmp/ra7/c1hide.cast)
    cast.write_text(
        '{"version":2,"width":80,"height":24}\n[0.1,"o","A\\u201b6n\\u201d0;T\\u0007 é B\\r\\n"]\n'
    )
    for env in ({"LC_ALL": "C"}, {"PYTHONIOENCODING": "ascii"}):
        result = _play(cast, **env)
        assert result.returncode == 0, result.stderr
        assert result.stdout.startswith(b"A?6n?0;T\x07 ? B\r\n"), env
        assert not C1_BYTE.search(result.stdout)
    latin = _play(cast, PYTHONIOENCODING="latin-1")
    assert latin.stdout.startswith(b"A?6n?0;T\x07 \xe9 B\r\n")
    # A UTF-8 terminal reads e2 80 9b as one character: written as it is.
    utf8 = _play(cast, LC_ALL="C.UTF-8")
    assert utf8.stdout.startswith("A\u201b6n\u201d0;T\x07 é B\r\n".encode())
    # A charset that does not keep ASCII as ASCII: one line, nothing written; the line in
    # ASCII (review-attack8 item 10: in EBCDIC, letters are C1 bytes; in UTF-16/32, NULs).
    for name in ("utf-16", "utf-32", "cp037", "cp500"):
        wide = _play(cast, PYTHONIOENCODING=name)
        assert (wide.returncode, wide.stdout) == (1, b""), name
        assert wide.stderr == (
            f"genact-cast: the terminal's character set {name} (PYTHONIOENCODING or the "
            "locale) does not keep ASCII as ASCII: use a UTF-8 locale\n"
        ).encode("ascii")
