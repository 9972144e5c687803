"""URL and file sources against hostile servers and files on 127.0.0.1: escapes in
replies, trickling, endless and huge replies, redirect loops, pathological pages, FIFOs.
Every one ends in bounded time and memory, with one line saying which limit was hit."""

from __future__ import annotations

import gzip
import os
import socket
import sys
import threading
import time
import urllib.parse
from collections.abc import Iterator
from pathlib import Path

import pytest

from genact_cast import limits
from genact_cast.errors import GenactCastError
from genact_cast.sources import open_cast
from genact_cast.url_download import find_cast_link
from tests.local_server import Handler, serving

HEADER = b'{"version": 2, "width": 80, "height": 24}\n'
CAST = HEADER + b'[0.1, "o", "hello"]\n'


class Hostile(Handler):
    protocol_version = "HTTP/1.1"

    def do_GET(self) -> None:
        route = self.path.split("?")[0]
        if route == "/cast":
            self.reply(CAST, "application/x-asciicast")
        elif route == "/escapes":
            # A link whose target carries an OSC 52 clipboard write and a C1 CSI.
            self.reply(
                b'<link rel="alternate" type="application/x-asciicast"'
                b' href="/missing\x1b]52;c;eA==\x07\xc2\x9b6n">',
                "text/html",
            )
        elif route == "/to":  # a redirect to the query, as sent (hostile Locations)
            self.send_response(302)
            self.send_header("Location", urllib.parse.unquote(self.path.partition("?")[2]))
            self.send_header("Content-Length", "0")
            self.end_headers()
        elif route == "/links-to":  # a recording page linking to the query, as sent
            href = urllib.parse.unquote(self.path.partition("?")[2]).encode()
            self.reply(
                b'<link rel="alternate" type="application/x-asciicast" href="' + href + b'">',
                "text/html",
            )
        elif route == "/long-headers":  # h11: "Receive buffer too long"
            self.wfile.write(b"HTTP/1.1 200 OK\r\nX-Pad: " + b"a" * (200 << 10) + b"\r\n\r\n")
        elif route == "/bad-header":  # h11: "illegal header line"
            self.wfile.write(b"HTTP/1.1 200 OK\r\n\x01bad\r\nContent-Length: 0\r\n\r\n")
        elif route == "/hang-up":  # h11: "Server disconnected without sending a response."
            self.close_connection = True
        elif route == "/loop":
            self.send_response(302)
            self.send_header("Location", "/loop")
            self.send_header("Content-Length", "0")
            self.end_headers()
        elif route == "/page-loop":
            self.reply(
                b'<link rel="alternate" type="application/x-asciicast" href="/page-loop">',
                "text/html",
            )
        elif route in ("/endless", "/trickle"):
            self.send_response(200)
            self.send_header("Content-Type", "application/x-asciicast")
            self.end_headers()
            try:
                self.wfile.write(HEADER)
                while True:
                    self.wfile.write(b'[0.1, "o", "x"]\n' if route == "/endless" else b" ")
                    if route == "/trickle":
                        self.wfile.flush()
                        time.sleep(0.05)
            except OSError:
                pass
        elif route == "/long-line":
            body = HEADER + b'[0.1, "o", "' + b"a" * (32 << 20) + b'"]\n'
            self.reply(body, "application/x-asciicast")
        elif route == "/many-links":
            self.reply(b"<html>" + b"<link " * 40_000 + b"x", "text/html")
        elif route == "/not-modified":
            self.send_response(304)
            self.end_headers()
        elif route == "/cut-gzip":  # a gzip body cut short: its header and a few bytes
            self.send_response(200)
            self.send_header("Content-Encoding", "gzip")
            body = gzip.compress(CAST)[:40]
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)
        else:
            self.send_error(404)


@pytest.fixture(scope="module")
def server() -> Iterator[str]:
    with serving(Hostile) as url:
        yield url


def failure(source: str) -> str:
    """The one-line message opening `source` (and reading all of it) ends with."""
    start = time.monotonic()
    with pytest.raises(GenactCastError) as info, open_cast(source) as reader:
        for _ in reader.events():
            pass
    assert time.monotonic() - start < 20
    message = str(info.value)
    assert "\n" not in message
    assert not any(ord(c) < 0x20 or 0x7F <= ord(c) <= 0x9F for c in message), repr(message)
    return message


def test_a_cast_from_a_url_is_read(server: str) -> None:
    with open_cast(server + "/cast") as reader:
        assert [e.data for e in reader.events()] == ["hello"]


def test_escapes_in_a_server_reply_reach_the_message_escaped(server: str) -> None:
    message = failure(server + "/escapes")
    assert "\\x1b" in message  # shown, never sent


def test_a_redirect_loop_is_bounded(server: str) -> None:
    assert failure(server + "/loop").endswith(
        f"too many redirects (more than {limits.MAX_REDIRECTS}: a redirect loop?)"
    )


@pytest.mark.parametrize("location", ["mailto:a@b", "http://xn--ls8h.la/x", "http://a..b/"])
def test_a_malformed_redirect_is_named(server: str, location: str) -> None:
    """review-attack3 item 2: httpx's or idna's wording (InvalidCodepoint...)."""
    message = failure(server + "/to?" + urllib.parse.quote(location))
    assert f"redirected to an invalid URL ({location!r}: " in message


@pytest.mark.parametrize("href", ["file:///etc/passwd", "ftp://127.0.0.1/x.cast", "data:,x"])
def test_a_page_linking_to_a_non_http_url_names_the_link(server: str, href: str) -> None:
    """issue 20: a recording page's `file:` link was reported as "after a redirect"."""
    message = failure(server + "/links-to?" + urllib.parse.quote(href))
    assert message.endswith(f"the page's asciicast link {href!r} is not an http(s) URL")
    assert "redirect" not in message


@pytest.mark.parametrize(
    ("route", "wanted"),
    [
        ("/long-headers", "sent a reply header (or chunk header) longer than"),
        ("/bad-header", "sent a reply that is not valid HTTP/1.1 ("),
        ("/hang-up", "closed the connection before its reply was complete"),
    ],
)
def test_an_http_failure_is_said_plainly(server: str, route: str, wanted: str) -> None:
    """issue 20: httpx's and h11's own text ("Receive buffer too long") was the message."""
    message = failure(server + route)
    assert wanted in message
    assert f"the server 127.0.0.1:{server.rpartition(':')[2]}" in message
    assert not message.endswith(("Receive buffer too long", "without sending a response."))


def test_a_redirect_to_a_closed_port_names_that_port(server: str) -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        closed = probe.getsockname()[1]
    message = failure(server + "/to?" + urllib.parse.quote(f"http://127.0.0.1:{closed}/x"))
    assert f"after a redirect to http://127.0.0.1:{closed}/x" in message


def test_https_to_a_plain_http_port_names_the_tls_handshake(server: str) -> None:
    """It was the raw `[SSL: WRONG_VERSION_NUMBER] ... (_ssl.c:1006)` text."""
    https = server.replace("http://", "https://")
    where = https.removeprefix("https://")
    message = failure(https + "/cast")
    assert f": TLS handshake failed with {where} (" in message
    assert message.endswith("; is it a plain-http port?)")
    assert "_ssl.c" not in message


def test_a_page_linking_to_itself_is_bounded(server: str) -> None:
    assert "recording-page links" in failure(server + "/page-loop")


def test_an_endless_reply_hits_the_size_limit(server: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(limits, "MAX_URL_CAST_BYTES", 1 << 20)
    assert "larger than the limit of 1,048,576 bytes" in failure(server + "/endless")


def test_a_trickling_server_hits_the_total_deadline(
    server: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(limits, "URL_DEADLINE_SECONDS", 1.0)
    assert "not downloaded and read within the limit of 1 s" in failure(server + "/trickle")


def test_a_long_line_from_a_url_is_read_in_linear_time(server: str) -> None:
    start = time.process_time()  # (CPU time: the work, not the machine's load)
    with open_cast(server + "/long-line") as reader:
        (event,) = list(reader.events())
    assert len(event.data) == 32 << 20
    assert time.process_time() - start < 5  # quadratic joining took 8 s


def test_finding_the_link_is_linear_in_the_page(server: str) -> None:
    start = time.process_time()
    assert find_cast_link(b"<link " * 400_000) is None
    assert time.process_time() - start < 2  # the old search: 40 s for 40,000 tags
    assert "no asciicast link" in failure(server + "/many-links")


@pytest.mark.parametrize(
    ("page", "href"),
    [
        (b'<LINK REL="alternate" TYPE="application/x-asciicast" HREF="/a.cast">', b"/a.cast"),
        (b"<link type='application/x-asciicast' href='b.cast' rel=alternate>", b"b.cast"),
        (b"<link href=c.cast type=application/x-asciicast>", b"c.cast"),
        (b'<link rel="stylesheet" href="x.css"><link href="" type="text/css">', None),
    ],
)
def test_the_cast_link_is_found_however_written(page: bytes, href: bytes | None) -> None:
    assert find_cast_link(page) == href


def test_a_bad_url_is_one_line() -> None:
    assert "not a valid URL" in failure("http://[::1")


@pytest.mark.parametrize("writer", [False, True])
def test_a_silent_fifo_does_not_block_forever(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, writer: bool
) -> None:
    monkeypatch.setattr(limits, "FIRST_BYTE_SECONDS", 0.5)
    fifo = tmp_path / "fifo"
    os.mkfifo(fifo)
    fd = os.open(fifo, os.O_RDWR) if writer else None  # a writer that never writes
    try:
        assert "nothing to read within the limit of 0.5 s" in failure(str(fifo))
    finally:
        if fd is not None:
            os.close(fd)


def test_dev_zero_hits_the_header_limit() -> None:
    assert "the header line is longer than the limit" in failure("/dev/zero")


def test_a_cast_written_to_a_fifo_is_read(tmp_path: Path) -> None:
    fifo = tmp_path / "fifo"
    os.mkfifo(fifo)

    def write() -> None:
        with fifo.open("wb") as out:
            out.write(CAST)

    thread = threading.Thread(target=write)
    thread.start()
    time.sleep(0.2)
    with open_cast(str(fifo)) as reader:
        assert [e.data for e in reader.events()] == ["hello"]
    thread.join()


def test_an_upper_case_scheme_is_a_url(server: str) -> None:
    """RFC 3986 3.1: schemes are case-insensitive; HTTP://h/x was looked for as a file."""
    with open_cast(server.replace("http://", "HTTP://") + "/cast") as reader:
        assert [e.data for e in reader.events()] == ["hello"]
    assert failure("HtTpS://127.0.0.1:99999/x").endswith(
        ": invalid port 99999: a port is from 1 to 65535"
    )


@pytest.mark.parametrize("port", ["0", "99999"])
def test_an_invalid_port_is_named(server: str, port: str) -> None:
    """It was 'cannot connect (Connection refused)', as if a server were down there."""
    wanted = f"invalid port {port}: a port is from 1 to 65535"
    assert failure(f"http://127.0.0.1:{port}/x.cast").endswith(wanted)
    redirect = f"http://127.0.0.1:{port}/x"
    assert wanted in failure(server + "/to?" + urllib.parse.quote(redirect))
    assert wanted in failure(server + "/links-to?" + urllib.parse.quote(redirect))


@pytest.mark.parametrize("stdin", [False, True])
def test_a_fifo_silent_after_its_header_does_not_block_forever(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, stdin: bool
) -> None:
    """Attack run 7, finding 6: `(printf HEADER; sleep 100) > f & genact-cast info f` (and
    play) waited as long as the writer stayed silent; a pipe on standard input too."""
    import io

    monkeypatch.setattr(limits, "FIRST_BYTE_SECONDS", 0.5)
    fifo = tmp_path / "fifo"
    os.mkfifo(fifo)
    writer = os.open(fifo, os.O_RDWR)  # keeps the FIFO open, writing only the header
    os.write(writer, b'{"version": 2, "width": 80, "height": 24}\n[0.1, "o", "a"]\n')
    # Silent for 5 s, then closed: without the limit the read ends there with no error.
    closed = threading.Event()

    def close_writer() -> None:
        os.close(writer)
        closed.set()

    closing = threading.Timer(5.0, close_writer)
    closing.start()
    raw = open(fifo, "rb", buffering=0) if stdin else None  # noqa: SIM115
    try:
        if raw is not None:
            monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BufferedReader(raw)))
        message = failure("-" if stdin else str(fifo))
        assert message.endswith(": nothing more to read within the limit of 0.5 s")
    finally:
        closing.cancel()
        closing.join()
        if not closed.is_set():
            os.close(writer)
        if raw is not None:
            raw.close()


def test_a_reply_with_no_cast_says_so_not_empty_file(server: str) -> None:
    """review-attack9 cosmetics: an HTTP 304 and a gzip body cut short both read as
    "empty file: no asciicast header"."""
    assert failure(server + "/not-modified").endswith("HTTP 304: the reply holds no cast")
    assert failure(server + "/cut-gzip").endswith("the reply's compressed data ends before its end")
