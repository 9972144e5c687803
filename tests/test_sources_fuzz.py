"""The URL sources under fuzzing, next to the reader's: a hostile server on 127.0.0.1
answers with random status lines, headers, encodings (stacked, wrong, unknown), lengths
(short, long, negative, chunked badly) and trickles. The invariants of docs/play.md: a cast or
one line naming the problem (its text escaped), never another exception; bounded time
and memory; nothing left in the temporary directory."""

from __future__ import annotations

import contextlib
import socket
import socketserver
import tempfile
import threading
import time
import tracemalloc
import zlib
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import ClassVar

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from genact_cast import limits
from genact_cast.errors import GenactCastError
from genact_cast.sources import open_cast

CAST = b'{"version": 2, "width": 80, "height": 24}\n[0.1, "o", "hello \\u001b]52;c;eA==\\u0007"]\n'
PAGE = b'<link rel="alternate" type="application/x-asciicast" href="/x.cast">'


class Plan:
    """What the server sends next, to every request: pieces with a pause after each."""

    pieces: ClassVar[list[tuple[bytes, float]]] = []


class Handler(socketserver.BaseRequestHandler):
    def handle(self) -> None:
        self.request.settimeout(5)
        with contextlib.suppress(OSError):
            self.request.recv(65536)  # the request: not looked at
            for data, pause in Plan.pieces:
                self.request.sendall(data)
                if pause:
                    time.sleep(pause)
            self.request.shutdown(socket.SHUT_WR)
            time.sleep(0.05)


class Server(socketserver.ThreadingTCPServer):
    daemon_threads = True
    allow_reuse_address = True


@pytest.fixture(scope="module")
def url() -> Iterator[str]:
    server = Server(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}/x.cast"
    server.shutdown()
    server.server_close()


@pytest.fixture(scope="module")
def private_tmp(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("tmpdir")


def gzip(data: bytes) -> bytes:
    packer = zlib.compressobj(6, zlib.DEFLATED, zlib.MAX_WBITS | 16)
    return packer.compress(data) + packer.flush()


def deflate(data: bytes) -> bytes:
    return zlib.compress(data)


def identity(data: bytes) -> bytes:
    return data


ENCODERS: dict[str, Callable[[bytes], bytes]] = {
    "gzip": gzip, "x-gzip": gzip, "deflate": deflate, "identity": identity,
}  # fmt: skip

statuses = st.sampled_from([b"200 OK", b"201 Created", b"204 No Content", b"301 Moved",
                            b"302 Found", b"404 Not Found", b"500 Oops", b"100 Continue",
                            b"999 What", b"200", b"abc", b"\x1b[31m200 OK"])  # fmt: skip
bodies = st.one_of(
    st.sampled_from([CAST, PAGE, b"", CAST * 50, CAST[:30], b"\xff\xfe" * 10]),
    st.binary(max_size=300),
)
header_values = st.one_of(
    st.sampled_from(
        [
            b"application/x-asciicast",
            b"text/html",
            b"-1",
            b"99999999999999",
            b"0",
            b"chunked",
            b"gzip, gzip",
            b"br",
            b"\x1b]52;c;x\x07",
            b"/x.cast",
            b"//evil.example/x",
            b"javascript:alert(1)",
        ]
    ),
    st.binary(max_size=40).filter(lambda b: b"\r" not in b and b"\n" not in b),
)
header_names = st.sampled_from(
    [
        b"Content-Type",
        b"Content-Length",
        b"Content-Encoding",
        b"Transfer-Encoding",
        b"Location",
        b"X-Junk",
        b"Set-Cookie",
    ]
)


@st.composite
def responses(draw: st.DrawFn) -> list[tuple[bytes, float]]:
    body = draw(bodies)
    codings = draw(st.lists(st.sampled_from([*ENCODERS, "br", "zstd", "compress"]), max_size=3))
    encoded = body
    honest = draw(st.booleans())
    if honest:
        for coding in codings:
            encoded = ENCODERS.get(coding, identity)(encoded)
    headers = [(b"Content-Encoding", ", ".join(codings).encode())] if codings else []
    headers += draw(st.lists(st.tuples(header_names, header_values), max_size=5))
    if draw(st.booleans()):
        headers.append((b"Content-Length", str(len(encoded) + draw(st.integers(-5, 5))).encode()))
    if draw(st.booleans()) and any(name == b"Transfer-Encoding" for name, _ in headers):
        encoded = b"%x\r\n%s\r\n0\r\n\r\n" % (len(encoded), encoded)
    head = b"HTTP/1.1 " + draw(statuses) + b"\r\n"
    head += b"".join(name + b": " + value + b"\r\n" for name, value in headers) + b"\r\n"
    whole = head + encoded
    cuts = sorted(draw(st.lists(st.integers(0, len(whole)), max_size=4)))
    pause = draw(st.sampled_from([0.0, 0.0, 0.0, 0.05]))
    pieces, start = [], 0
    for cut in [*cuts, len(whole)]:
        pieces.append((whole[start:cut], pause))
        start = cut
    return pieces


@settings(max_examples=50, deadline=None, suppress_health_check=[HealthCheck.too_slow,
          HealthCheck.function_scoped_fixture])  # fmt: skip
@given(responses())
def test_a_hostile_server_gives_a_cast_or_one_line(
    url: str, private_tmp: Path, monkeypatch: pytest.MonkeyPatch, plan: list[tuple[bytes, float]]
) -> None:
    monkeypatch.setattr(limits, "URL_DEADLINE_SECONDS", 1.0)
    monkeypatch.setattr(limits, "URL_READ_TIMEOUT_SECONDS", 0.25)
    monkeypatch.setattr(limits, "MAX_URL_CAST_BYTES", 64 << 10)
    Plan.pieces = plan
    monkeypatch.setattr(tempfile, "tempdir", str(private_tmp))
    tracemalloc.start()
    started = time.monotonic()
    try:
        with open_cast(url) as reader:
            for _ in reader.events():
                pass
    except GenactCastError as exc:
        message = str(exc)
        assert "\n" not in message
        assert not any(ord(c) < 0x20 or 0x7F <= ord(c) <= 0x9F for c in message), message
    finally:
        peak = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
    assert time.monotonic() - started < 5
    assert peak < 32 << 20
    assert list(private_tmp.iterdir()) == []  # no write outside the target, none left


@pytest.mark.parametrize(
    "reply",
    [
        b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n" + b"F" * 100_000 + b"\r\n",
        b"HTTP/1.1 200 OK\r\nX-" + b"a" * 60_000 + b": 1\r\n\r\n",
        b"HTTP/1.1 2" + b"0" * 50_000 + b" OK\r\n\r\n",
    ],
)
def test_what_a_server_sent_is_quoted_short_and_without_python_reprs(
    url: str, private_tmp: Path, monkeypatch: pytest.MonkeyPatch, reply: bytes
) -> None:
    # Issue 20 attack item 5: a 100,000-byte chunk header was quoted whole, as a repr.
    monkeypatch.setattr(tempfile, "tempdir", str(private_tmp))
    Plan.pieces = [(reply, 0.0)]
    with pytest.raises(GenactCastError) as caught, open_cast(url) as reader:
        for _ in reader.events():
            pass
    message = str(caught.value)
    assert len(message) < 400, message[:400]
    assert "bytearray(" not in message
    assert "b'" not in message
