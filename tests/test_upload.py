"""Uploading to an asciinema server on 127.0.0.1, and the install ID shared with asciinema."""

from __future__ import annotations

import base64
import contextlib
import getpass
import http.server
import json
import os
import re
import socket
import stat
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from email.parser import BytesParser
from email.policy import HTTP
from pathlib import Path
from typing import Any, ClassVar

import pytest

from genact_cast.publish.install_id import install_id, server_url
from genact_cast.publish.upload import UploadError, upload
from tests.local_server import Handler, serving

ROOT = Path(__file__).resolve().parent.parent
CAST = ROOT / "casts" / "seed7-80x24.cast"
ID = "3f1c2a9e-5b7d-4e2f-9a1b-0c8d7e6f5a4b"


class FakeServer(http.server.BaseHTTPRequestHandler):
    """asciinema-server's upload endpoints, as documented; `mode` picks a behaviour."""

    mode: ClassVar[str] = "ok"
    seen: ClassVar[list[dict[str, Any]]] = []
    failures_left: ClassVar[int] = 0

    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers["Content-Length"]))
        user, _, password = (
            base64.b64decode(self.headers["Authorization"].split()[1]).decode().partition(":")
        )
        message = BytesParser(policy=HTTP).parsebytes(
            f"Content-Type: {self.headers['Content-Type']}\r\n\r\n".encode() + body
        )
        parts = {
            part.get_param("name", header="content-disposition"): part
            for part in message.iter_parts()
        }
        self.seen.append({
            "path": self.path, "user": user, "password": password, "fields": sorted(parts),
            "accept": self.headers["Accept"], "agent": self.headers["User-Agent"],
            "title": parts["title"].get_content() if "title" in parts else None,
            "visibility": parts["visibility"].get_content() if "visibility" in parts else None,
        })  # fmt: skip
        legacy = self.path == "/api/asciicasts"
        if self.mode == "legacy" and not legacy:
            self.reply(404, {"error": "not found"})
            return
        field = "asciicast" if legacy else "file"
        if password != ID:
            self.reply(401, {"message": "Unauthorized"})
            return
        if self.mode in ("403", "413"):
            self.reply(int(self.mode), {"message": "No"})
            return
        if self.mode == "422":
            self.reply(422, {"message": "Invalid cast: no events"})
            return
        if self.mode == "flaky" and FakeServer.failures_left > 0:
            FakeServer.failures_left -= 1
            self.reply(503, {"message": "maintenance"})
            return
        if self.mode == "down":
            self.reply(500, {"message": "boom"})
            return
        cast = parts[field].get_payload(decode=True)
        assert isinstance(cast, bytes)
        assert json.loads(cast.splitlines()[0])["version"] == 2
        url = f"http://{self.headers['Host']}/a/abc123"
        self.reply(201, {"url": url, "message": f"View the recording at:\n\n    {url}\n"})

    def reply(self, status: int, body: dict[str, Any]) -> None:
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json; charset=utf-8")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def server() -> Iterator[str]:
    FakeServer.mode, FakeServer.seen, FakeServer.failures_left = "ok", [], 0
    with serving(FakeServer) as url:
        yield url


def test_upload_sends_the_cast_with_auth_title_and_visibility(server: str) -> None:
    result = upload(CAST, server=server, install_id=ID, title="Demo", visibility="unlisted")
    assert result.url == f"{server}/a/abc123"
    assert result.markdown == f"[![asciicast]({server}/a/abc123.svg)]({server}/a/abc123)"
    assert (
        result.html
        == f'<script src="{server}/a/abc123.js" id="asciicast-abc123" async="true"></script>'
    )
    (request,) = FakeServer.seen
    assert request["path"] == "/api/v1/recordings"
    assert request["password"] == ID
    assert request["fields"] == ["file", "title", "visibility"]
    assert (request["title"], request["visibility"]) == ("Demo", "unlisted")
    assert request["accept"] == "application/json"
    assert request["agent"].startswith("genact-cast/0.1.0")


def test_an_older_server_gets_the_older_endpoint(server: str) -> None:
    FakeServer.mode = "legacy"
    assert upload(CAST, server=server, install_id=ID).url.endswith("/a/abc123")
    assert [r["path"] for r in FakeServer.seen] == ["/api/v1/recordings", "/api/asciicasts"]
    assert FakeServer.seen[1]["fields"] == ["asciicast"]


def test_server_errors_are_retried_with_backoff(
    server: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("genact_cast.publish.upload.BACKOFF_SECONDS", 0.01)
    FakeServer.mode, FakeServer.failures_left = "flaky", 2
    assert upload(CAST, server=server, install_id=ID).url.endswith("/a/abc123")
    assert len(FakeServer.seen) == 3


@pytest.mark.parametrize(
    ("mode", "install", "message"),
    [
        ("ok", "wrong-id", "does not know this install ID; run `genact-cast auth`"),
        ("403", ID, "refused the upload (403 Forbidden)"),
        ("413", ID, "larger than the server accepts (413)"),
        ("422", ID, "rejected the cast: Invalid cast: no events"),
        ("down", ID, "having problems (500)"),
    ],
)
def test_errors_are_one_clear_line(
    server: str, monkeypatch: pytest.MonkeyPatch, mode: str, install: str, message: str
) -> None:
    monkeypatch.setattr("genact_cast.publish.upload.BACKOFF_SECONDS", 0.01)
    FakeServer.mode = mode
    with pytest.raises(UploadError) as info:
        upload(CAST, server=server, install_id=install)
    assert message in str(info.value)
    assert install not in str(info.value)


def test_https_to_a_plain_http_port_names_the_tls_handshake(server: str) -> None:
    https = server.replace("http://", "https://")
    with pytest.raises(UploadError) as info:
        upload(CAST, server=https, install_id=ID)
    where = https.removeprefix("https://")
    assert str(info.value).startswith(f"TLS handshake failed with {where} (")


def test_refused_connections_and_timeouts(tmp_path: Path) -> None:
    with pytest.raises(UploadError, match=r"cannot connect to http://127\.0\.0\.1:9"):
        upload(CAST, server="http://127.0.0.1:9", install_id=ID)

    import socket

    silent = socket.socket()
    silent.bind(("127.0.0.1", 0))
    silent.listen(1)  # accepts, never answers
    try:
        port = silent.getsockname()[1]
        with pytest.raises(UploadError, match="did not answer in time"):
            upload(CAST, server=f"http://127.0.0.1:{port}", install_id=ID, timeout=0.5)
    finally:
        silent.close()


def test_a_bad_cast_is_refused_before_sending(server: str, tmp_path: Path) -> None:
    bad = tmp_path / "bad.cast"
    bad.write_text('{"version": 2, "width": 80, "height": 24}\n[1, "o"]\n')
    with pytest.raises(Exception, match=r"bad\.cast:2"):
        upload(bad, server=server, install_id=ID)
    assert FakeServer.seen == []


def test_cli_upload_prints_the_url_and_snippets_and_never_the_id(
    server: str, tmp_path: Path
) -> None:
    env = {**os.environ, "ASCIINEMA_INSTALL_ID": ID, "ASCIINEMA_SERVER_URL": server}
    ok = subprocess.run(
        [sys.executable, "-m", "genact_cast", "upload", str(CAST), "--title", "T"],
        capture_output=True, text=True, env=env, timeout=60,
    )  # fmt: skip
    assert ok.returncode == 0, ok.stderr
    assert ok.stdout.splitlines()[0] == f"{server}/a/abc123"
    assert f"[![asciicast]({server}/a/abc123.svg)]({server}/a/abc123)" in ok.stdout
    assert ID not in ok.stdout + ok.stderr
    FakeServer.mode = "422"
    bad = subprocess.run(
        [sys.executable, "-m", "genact_cast", "upload", str(CAST)],
        capture_output=True, text=True, env=env, timeout=60,
    )  # fmt: skip
    assert bad.returncode == 1
    assert bad.stderr.count("\n") == 1
    assert ID not in bad.stderr


def test_install_id_comes_from_env_then_3x_state_then_2x_config(tmp_path: Path) -> None:
    env = {"HOME": str(tmp_path)}
    state = tmp_path / ".local/state/asciinema/install-id"
    config = tmp_path / ".config/asciinema/install-id"
    config.parent.mkdir(parents=True)
    from_2x, from_3x, from_env = (f"{n}f1c2a9e-5b7d-4e2f-9a1b-0c8d7e6f5a4b" for n in "123")
    config.write_text(f"{from_2x}\n")
    assert install_id(env) == from_2x
    state.parent.mkdir(parents=True)
    state.write_text(f"{from_3x}\n")
    assert install_id(env) == from_3x
    assert install_id({**env, "ASCIINEMA_INSTALL_ID": from_env}) == from_env
    assert install_id({"HOME": str(tmp_path), "XDG_STATE_HOME": str(tmp_path / "x")}) != from_3x


@pytest.mark.parametrize(
    "variables",
    [
        {"XDG_STATE_HOME": ".state"},
        {"ASCIINEMA_STATE_HOME": "rel", "XDG_CONFIG_HOME": "rel2"},
        {"HOME": ""},
        {"HOME": "relhome"},
    ],
)
def test_relative_or_empty_base_directories_are_ignored(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, variables: dict[str, str]
) -> None:
    """The XDG spec: a relative path in these variables is invalid and ignored; an empty
    or relative HOME is the password database's home. Never the working directory or /."""
    from genact_cast.publish.player_assets import cache_dir

    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr("pwd.getpwuid", lambda uid: _Entry(str(tmp_path / "pw")))
    env = {"HOME": str(tmp_path / "home"), **variables}
    new = install_id(env)
    base = tmp_path / ("home" if env["HOME"].startswith("/") else "pw")
    assert (base / ".local/state/asciinema/install-id").read_text().strip() == new
    assert sorted(p.name for p in tmp_path.iterdir()) == [base.name]
    relative_cache = {**env, "XDG_CACHE_HOME": "rel-cache"}
    assert cache_dir(relative_cache) == base / ".cache/genact-cast"


class _Entry:
    def __init__(self, home: str) -> None:
        self.pw_dir = home


def test_a_new_install_id_is_a_private_lowercase_uuid4(tmp_path: Path) -> None:
    env = {"ASCIINEMA_STATE_HOME": str(tmp_path / "state"), "HOME": str(tmp_path)}
    new = install_id(env)
    assert new == str(uuid.UUID(new)).lower()
    assert uuid.UUID(new).version == 4
    path = tmp_path / "state" / "install-id"
    assert path.read_text().strip() == new
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert install_id(env) == new  # and it stays


def test_server_comes_from_option_then_environment() -> None:
    assert server_url("https://a.example/", {}) == "https://a.example"
    assert (
        server_url(None, {"ASCIINEMA_SERVER_URL": "https://b", "ASCIINEMA_API_URL": "https://c"})
        == "https://b"
    )
    assert server_url(None, {"ASCIINEMA_API_URL": "https://c"}) == "https://c"
    assert server_url(None, {}) == "https://asciinema.org"


def test_auth_prints_the_connect_link(tmp_path: Path) -> None:
    env = {**os.environ, "ASCIINEMA_INSTALL_ID": ID, "ASCIINEMA_SERVER_URL": "http://127.0.0.1:1"}
    result = subprocess.run(
        [sys.executable, "-m", "genact_cast", "auth"],
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
    )
    assert f"http://127.0.0.1:1/connect/{ID}" in result.stdout


# --- A hostile server: what it says is escaped, redacted, bounded and checked. ---------


class HostileServer(Handler):
    """A server that answers every upload with `behaviour` (reads the request first)."""

    behaviour: ClassVar[str] = "ok"
    hits: ClassVar[int] = 0
    authorizations: ClassVar[list[str | None]] = []
    protocol_version = "HTTP/1.1"

    def do_POST(self) -> None:
        HostileServer.hits += 1
        HostileServer.authorizations.append(self.headers.get("Authorization"))
        self.rfile.read(int(self.headers.get("Content-Length", "0")))
        authorization = self.headers.get("Authorization", "")
        if self.behaviour == "redirect-away" and "away" not in self.path:
            port = self.headers["Host"].rsplit(":", 1)[1]
            self.send_response(307)
            self.send_header("Location", f"http://localhost:{port}/api/v1/recordings?away=1")
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        if self.behaviour == "redirect-away":
            self.send_json(201, {"url": f"http://{self.headers['Host']}/a/away"})
            return
        if not authorization:
            self.send_json(401, {"message": "who are you"})
            return
        password = base64.b64decode(authorization.split()[1]).decode().partition(":")[2]
        base = f"http://{self.headers['Host']}"
        b = self.behaviour
        if b == "escapes":
            self.send_json(
                201, {"url": f"{base}/a/x", "message": "\x1b]52;c;aGk=\x07\x1b[6n\x9b1t"}
            )
        elif b == "escape-in-url":
            self.send_json(201, {"url": f"{base}/a/\x1b]52;c;aGk=\x07"})
        elif b == "userinfo-in-url":
            self.send_json(201, {"url": "https://user:s3cretpw@x.example/a/1"})
        elif b == "echo-ok":
            self.send_json(
                201, {"url": f"{base}/a/{password}", "message": f"{authorization} {password}"}
            )
        elif b == "echo-error":
            self.send_json(422, {"message": f"bad auth {authorization} for {password}"})
        elif b == "trickle":
            self.wfile.write(b"HTTP/1.1 201 Created\r\n")
            self.wfile.flush()
            for _ in range(200):  # a header byte every 50 ms: no read ever times out
                self.wfile.write(b"X")
                self.wfile.flush()
                time.sleep(0.05)
        elif b == "endless":
            self.send_response(201)
            self.send_header("Content-Type", "application/json")
            self.send_header("Transfer-Encoding", "chunked")
            self.end_headers()
            chunk = b"[" * 65536
            with contextlib.suppress(OSError):
                while True:
                    self.wfile.write(b"%x\r\n%s\r\n" % (len(chunk), chunk))
        elif b == "huge":
            self.send_response(201)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(2 * 1024**3))
            self.end_headers()
            with contextlib.suppress(OSError):
                self.wfile.write(b" " * 65536)
        elif b.startswith("location:"):
            self.send_response(307)
            self.send_header("Location", b.removeprefix("location:"))
            self.send_header("Content-Length", "0")
            self.end_headers()
        elif b == "redirect-loop":
            self.send_response(307)
            self.send_header("Location", self.path)
            self.send_header("Content-Length", "0")
            self.end_headers()
        elif b.startswith("body:"):
            data = b.removeprefix("body:").encode()
            self.send_response(201)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

    def send_json(self, status: int, body: dict[str, Any]) -> None:
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)


@pytest.fixture
def hostile() -> Iterator[str]:
    HostileServer.behaviour, HostileServer.hits, HostileServer.authorizations = "ok", 0, []
    with serving(HostileServer) as url:
        yield url


def cli_upload(server: str, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "ASCIINEMA_INSTALL_ID": ID, "ASCIINEMA_SERVER_URL": server}
    return subprocess.run(
        [sys.executable, "-m", "genact_cast", "upload", str(CAST), *args],
        capture_output=True, text=True, env=env, timeout=60,
    )  # fmt: skip


CONTROLS = re.compile("[\x00-\x09\x0b-\x1f\x7f-\x9f]")


def test_a_reply_full_of_escapes_reaches_the_terminal_escaped(hostile: str) -> None:
    HostileServer.behaviour = "escapes"
    result = cli_upload(hostile)
    assert result.returncode == 0, result.stderr
    assert CONTROLS.search(result.stdout + result.stderr) is None
    assert "withheld" in result.stderr  # not plain text: not shown at all


RAW_ID = uuid.UUID(ID).bytes
ENCODED_ID = [
    base64.b64encode(RAW_ID).decode(),  # the raw 16 bytes, which the redaction does not know
    base64.b32encode(RAW_ID).decode(),
    base64.b64encode(base64.b64encode(ID.encode())).decode(),
    "".join(f"&#{ord(c)};" for c in ID),
    " ".join(str(ord(c)) for c in ID),
    " ".join(f"{ord(c):o}" for c in ID),
]


@pytest.mark.parametrize("encoded", ENCODED_ID)
def test_no_encoding_of_the_install_id_is_printed(encoded: str) -> None:
    """The server's words go through an allow-list (upload_reply.plain): any encoded token is
    withheld, in the success message and in an error body alike."""
    from genact_cast.publish.upload_reply import WITHHELD, result

    def reply(status: int, body: dict[str, str]) -> Any:
        from genact_cast.publish.upload_reply import Reply

        return Reply(status, "application/json", json.dumps(body).encode())

    secrets = [ID]
    ok = result(reply(201, {"url": "http://127.0.0.1/a/1", "message": f"a {encoded}"}), secrets, ID)
    assert ok.message == WITHHELD
    with pytest.raises(UploadError) as caught:
        result(reply(422, {"message": f"bad key {encoded}"}), secrets, ID)
    assert str(caught.value) == f"the server rejected the cast: {WITHHELD}"
    fine = result(reply(201, {"url": "http://127.0.0.1:8080/a/1", "message": "View it at:\n\n"
                              "    http://127.0.0.1:8080/a/1\n"}), secrets, ID)  # fmt: skip
    assert fine.message == "View it at: http://127.0.0.1:8080/a/1"


def test_a_recording_url_with_controls_is_refused(hostile: str) -> None:
    HostileServer.behaviour = "escape-in-url"
    result = cli_upload(hostile)
    assert result.returncode == 1
    assert result.stderr == (
        "genact-cast: the server said it took the cast, but the recording URL in its reply "
        "holds spaces, controls or characters outside ASCII\n"
    )
    assert result.stdout == ""


@pytest.mark.parametrize("behaviour", ["echo-ok", "echo-error"])
def test_an_echoed_authorization_header_never_shows_the_install_id(
    hostile: str, behaviour: str
) -> None:
    HostileServer.behaviour = behaviour
    result = cli_upload(hostile)
    # The URL holds the ID: with nothing to link to, it fails (issue 20 attack item 2).
    assert result.returncode == 1, result.stderr
    shown = result.stdout + result.stderr
    credentials = base64.b64encode(f"{getpass.getuser()}:{ID}".encode()).decode()
    assert ID not in shown
    assert credentials not in shown
    assert credentials.rstrip("=") not in shown
    assert "holds the install ID" in shown


def test_a_trickling_server_hits_the_total_deadline(hostile: str) -> None:
    HostileServer.behaviour = "trickle"
    started = time.monotonic()
    with pytest.raises(UploadError, match=r"did not finish answering in 1 s"):
        upload(CAST, server=hostile, install_id=ID, timeout=5, deadline=1)
    assert time.monotonic() - started < 4


@pytest.mark.parametrize("behaviour", ["endless", "huge"])
def test_an_endless_or_huge_reply_stops_at_the_reply_limit(hostile: str, behaviour: str) -> None:
    HostileServer.behaviour = behaviour
    with pytest.raises(UploadError, match=r"the server's reply is larger than 1024 KiB"):
        upload(CAST, server=hostile, install_id=ID, timeout=5, deadline=30)


def test_a_redirect_loop_stops_after_three_redirects(hostile: str) -> None:
    HostileServer.behaviour = "redirect-loop"
    with pytest.raises(UploadError, match=r"redirected more than 3 times \(a redirect loop\?\)"):
        upload(CAST, server=hostile, install_id=ID, timeout=5)
    assert HostileServer.hits == 4  # the request and three redirects, then no more


BAD_LOCATIONS = [
    "mailto:a@b", "https:x", "http:127.0.0.1:1/x", "http://[::1", "http://127.0.0.1:1:2/",
    "http://xn--/", "http://a..b/", "http://xn--ls8h.la/x", "",
]  # fmt: skip


@pytest.mark.parametrize("location", BAD_LOCATIONS)
def test_a_malformed_redirect_is_one_line_naming_it(hostile: str, location: str) -> None:
    """review-attack3 item 2: a traceback (InvalidURL), or IDNAError, UnicodeError."""
    HostileServer.behaviour = f"location:{location}"
    with pytest.raises(UploadError) as caught:
        upload(CAST, server=hostile, install_id=ID, timeout=5)
    message = str(caught.value)
    if location:
        assert f"redirected to an invalid URL ({location!r}" in message
    else:
        assert "redirected with an empty Location" in message
    assert "\n" not in message


def test_a_redirect_to_another_port_names_that_port(hostile: str) -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        closed = probe.getsockname()[1]
    HostileServer.behaviour = f"location:http://127.0.0.1:{closed}/api/v1/recordings"
    # Another port is another server: refused before any connection (review-attack9 item 6).
    with pytest.raises(UploadError, match=rf"another server \(http://127\.0\.0\.1:{closed}\)"):
        upload(CAST, server=hostile, install_id=ID, timeout=5)


def test_a_redirect_of_the_upload_to_another_server_is_refused(hostile: str) -> None:
    """review-attack9 item 6: a 307 to another origin sent the whole cast again, without
    the install ID, to a server the user never named, and the upload was said to work."""
    HostileServer.behaviour = "redirect-away"
    port = hostile.rsplit(":", 1)[1]
    with pytest.raises(UploadError) as caught:
        upload(CAST, server=hostile, install_id=ID, timeout=5)
    assert str(caught.value) == (
        f"upload to {hostile} failed: the server redirected the upload to another server "
        f"(http://localhost:{port}); refused: give that server with --server if it is the "
        "right one"
    )
    (first,) = HostileServer.authorizations  # one request: to the server named
    assert first is not None


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ("[]", "its reply has no recording URL"),
        ("{}", "its reply has no recording URL"),
        ('{"url": null}', "its reply has no recording URL"),
        ('{"url": 42}', "its reply has no recording URL"),
        ('{"url": ""}', "its reply has no recording URL"),
        ('{"url": "javascript:alert(1)"}', "URL in its reply is not an http(s) URL"),
        ('{"url": "https://"}', "URL in its reply has no valid host name"),
        ("not json", "its reply is not JSON"),
        ("[" * 100_000, "its reply is not JSON"),
    ],
)
def test_a_201_reply_without_a_recording_url_is_one_line_and_exit_1(
    hostile: str, body: str, message: str
) -> None:
    HostileServer.behaviour = f"body:{body}"
    result = cli_upload(hostile)
    assert result.returncode == 1
    assert result.stderr.count("\n") == 1
    assert message in result.stderr
    assert "Traceback" not in result.stderr
    assert result.stdout == ""


@pytest.mark.parametrize(
    ("server", "needle"),
    [
        ("", "no http:// or https://"),
        ("http://[::1", "Invalid IPv6 URL"),
        ("ftp://example.org", "no http:// or https://"),
        ("http://example.org:99999", "Port out of range"),
        ("http://exa mple.org", "spaces, controls"),
        ("https://", "no host name"),
    ],
)
def test_a_bad_server_option_is_one_line_and_exit_2(server: str, needle: str) -> None:
    result = cli_upload("http://127.0.0.1:9", "--server", server)
    assert result.returncode == 2, result.stderr
    assert result.stderr.count("\n") == 1
    assert result.stderr.startswith("genact-cast: --server must be an http(s) URL")
    assert needle in result.stderr


def test_a_recording_url_with_a_password_is_refused(hostile: str) -> None:
    # Issue 20 attack item 8: it was printed, and put in the badge and the snippet.
    HostileServer.behaviour = "userinfo-in-url"
    result = cli_upload(hostile)
    assert result.returncode == 1
    assert "s3cretpw" not in result.stdout + result.stderr
    assert "URL in its reply carries user info (a name or password)" in result.stderr


@pytest.mark.parametrize("command", ["upload", "auth"])
def test_a_server_url_with_a_password_is_refused_without_printing_it(command: str) -> None:
    server = "http://user:s3cretpw@127.0.0.1:9"
    if command == "upload":
        result = cli_upload("http://127.0.0.1:9", "--server", server)
    else:
        result = subprocess.run(
            [sys.executable, "-m", "genact_cast", "auth", "--server", server],
            capture_output=True, text=True, timeout=60,
            env={**os.environ, "ASCIINEMA_INSTALL_ID": ID},
        )  # fmt: skip
    assert result.returncode == 2, result.stderr
    assert result.stderr.count("\n") == 1
    assert "s3cretpw" not in result.stdout + result.stderr
    assert "user name or password" in result.stderr


def test_a_bad_server_in_the_environment_is_one_line_and_exit_1() -> None:
    result = cli_upload("http://[::1")
    assert result.returncode == 1
    assert result.stderr.startswith("genact-cast: $ASCIINEMA_SERVER_URL must be an http(s) URL")


# --- The install ID file: read with limits, created without following links. ----------


def run_auth(tmp_path: Path) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("ASCIINEMA", "XDG_"))}
    env |= {"HOME": str(tmp_path), "ASCIINEMA_SERVER_URL": "http://127.0.0.1:9"}
    return subprocess.run(
        [sys.executable, "-m", "genact_cast", "auth"],
        capture_output=True, text=True, env=env, timeout=60,
    )  # fmt: skip


STATE_ID = ".local/state/asciinema/install-id"


@pytest.mark.parametrize(
    ("make", "needle"),
    [
        (lambda p: p.mkdir(parents=True), "is a directory, not an install ID file"),
        (lambda p: p.write_bytes(b"\xff\xfe-not-utf-8"), "is not UTF-8 text"),
        (lambda p: p.write_bytes(b"x" * 5000), "is over 1024 bytes"),
        (lambda p: p.write_text("id\x1b]52;c;x\x07"), "holds characters an ID cannot"),
        (lambda p: p.write_text("../../x?y#z/%2e"), "is not a UUID"),  # review-attack3 11
        (lambda p: p.write_text(" \n"), "install-id is empty: remove it"),  # review-attack3 12
    ],
    ids=["directory", "not-utf-8", "too-long", "controls", "not-a-uuid", "empty"],
)
def test_an_install_id_file_that_cannot_be_one_is_one_line(
    tmp_path: Path, make: Any, needle: str
) -> None:
    path = tmp_path / STATE_ID
    path.parent.mkdir(parents=True, exist_ok=True)
    make(path)
    result = run_auth(tmp_path)
    assert result.returncode == 1
    assert result.stderr.count("\n") == 1, result.stderr
    assert needle in result.stderr
    assert "dangling" not in result.stderr


def test_a_dangling_install_id_symlink_is_not_followed(tmp_path: Path) -> None:
    path = tmp_path / STATE_ID
    path.parent.mkdir(parents=True)
    target = tmp_path / "elsewhere" / "planted"
    target.parent.mkdir()
    path.symlink_to(target)
    result = run_auth(tmp_path)
    assert result.returncode == 1
    assert "a dangling symbolic link?" in result.stderr
    assert not target.exists()  # nothing was created through the link
    assert path.is_symlink()


def test_a_new_install_id_is_created_once(tmp_path: Path) -> None:
    first = run_auth(tmp_path)
    assert first.returncode == 0, first.stderr
    created = (tmp_path / STATE_ID).read_text().strip()
    assert created in first.stdout
    assert created in run_auth(tmp_path).stdout


def test_an_id_made_by_a_concurrent_first_run_is_taken_not_refused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Two first-time `auth`s at once: the one that loses the race reads the winner's ID
    (the file appears whole, by link()), never an empty file it is told to remove."""
    winner = "1f1c2a9e-5b7d-4e2f-9a1b-0c8d7e6f5a4b"
    path = tmp_path / "state" / "install-id"
    real = uuid.uuid4

    def racing() -> uuid.UUID:  # the other process finishes while this one makes its ID
        if not path.exists():
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(winner + "\n")
        return real()

    monkeypatch.setattr(uuid, "uuid4", racing)
    assert install_id({"ASCIINEMA_STATE_HOME": str(path.parent), "HOME": str(tmp_path)}) == winner
    assert sorted(p.name for p in path.parent.iterdir()) == ["install-id"]  # no temporary left


@pytest.mark.parametrize(
    ("body", "message"),
    [
        # Attack run 7, finding 9: the last of two `url` keys was printed (cast headers
        # refuse a key named twice); a refused URL was said to be missing; a host that is
        # no host name passed.
        (
            '{"url": "http://127.0.0.1/a/1", "url": "http://evil/a/2"}',
            "in its reply the key 'url' appears twice in one object",
        ),
        ('{"url": "https://\\u0430sciinema.org/a/1"}', "characters outside ASCII"),
        ('{"url": "https://evil\\"onload=x/a/1"}', "URL in its reply has no valid host name"),
        ('{"url": "https://' + "a" * 3000 + '"}', "is longer than 2,048 characters"),
        # review-attack8 item 9: held to `embed URL --markdown`'s https://host/a/ID.
        *[
            ('{"url": "' + url + '"}', "its reply has no recording URL (https://host/a/ID)")
            for url in (
                "http://127.0.0.1:8/a/1)<script>alert(1)</script>[x](",
                'http://127.0.0.1:8/a/1\\"x',
                "http://127.0.0.1:8/a/1?t=5",
                "http://127.0.0.1:8/a/1#x",
                "http://127.0.0.1:8/recordings/1",
                "http://127.0.0.1:8/a/",
            )
        ],
    ],
)
def test_a_refused_recording_url_says_why(body: str, message: str) -> None:
    from genact_cast.publish.upload_reply import Reply, result

    with pytest.raises(UploadError) as caught:
        result(Reply(201, "application/json", body.encode()), [ID], ID)
    assert str(caught.value).startswith("the server said it took the cast, but ")
    assert message in str(caught.value)


class SinkServer(http.server.BaseHTTPRequestHandler):
    """Reads the upload a chunk at a time, keeping only its length."""

    received: ClassVar[int] = 0

    def do_POST(self) -> None:
        left = int(self.headers["Content-Length"])
        while left:
            left -= len(self.rfile.read(min(left, 1 << 16)))
        SinkServer.received = int(self.headers["Content-Length"])
        data = json.dumps({"url": f"http://{self.headers['Host']}/a/big"}).encode()
        self.send_response(201)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, *args: object) -> None:
        pass


def test_a_large_cast_is_streamed_not_held(tmp_path: Path) -> None:
    """review-attack12 F9: the multipart body was built in memory (2.75 GB of RSS for a
    0.93 GB cast); the file is now sent as httpx reads it."""
    import tracemalloc

    cast = tmp_path / "big.cast"
    line = json.dumps([0.001, "o", "x" * 1000]) + "\n"
    cast.write_text('{"version": 2, "width": 80, "height": 24}\n' + line * 16_000)
    with serving(SinkServer) as url:
        tracemalloc.start()
        try:
            assert upload(cast, server=url, install_id=ID).url.endswith("/a/big")
            peak = tracemalloc.get_traced_memory()[1]
        finally:
            tracemalloc.stop()
    assert SinkServer.received > cast.stat().st_size
    assert peak < 8 << 20, f"{peak:,} bytes at peak for a {cast.stat().st_size:,}-byte cast"


class KeepingServer(SinkServer):
    """Keeps the body it received."""

    body: ClassVar[bytes] = b""

    def do_POST(self) -> None:
        KeepingServer.body = self.rfile.read(int(self.headers["Content-Length"]))
        data = json.dumps({"url": f"http://{self.headers['Host']}/a/kept"}).encode()
        self.send_response(201)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)


def test_a_cast_replaced_after_its_check_is_not_what_is_sent(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """review-attack12 F13: `mv other.cast up.cast` while a large cast was being checked
    sent the new file, unchecked (an OSC 52 in it). The bytes sent are the bytes checked."""
    from genact_cast.publish import upload as module

    cast = tmp_path / "up.cast"
    cast.write_bytes(CAST.read_bytes())
    other = tmp_path / "other.cast"
    other.write_text('{"version":2,"width":80,"height":24}\n[0.1,"o","\\u001b]52;c;QUFB\\u0007"]\n')
    checked = module.validate

    def check_then_replace(*args: Any, **kwargs: Any) -> None:
        checked(*args, **kwargs)
        os.replace(other, cast)  # the `mv` lands right after the check

    monkeypatch.setattr(module, "validate", check_then_replace)
    with serving(KeepingServer) as url:
        assert upload(cast, server=url, install_id=ID).url.endswith("/a/kept")
    assert CAST.read_bytes() in KeepingServer.body
    assert b"52;c;" not in KeepingServer.body
