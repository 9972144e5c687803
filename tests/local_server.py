"""HTTP servers on 127.0.0.1 for the tests, which never reach the internet: a handler
class served from a free port, and the quiet base the tests' handlers share."""

from __future__ import annotations

import contextlib
import http.server
import socketserver
import threading
from collections.abc import Callable, Iterator


class Handler(http.server.BaseHTTPRequestHandler):
    """A handler that logs nothing (a test's output stays its own) and replies whole."""

    def reply(
        self, body: bytes, kind: str, *, status: int = 200, encoding: str | None = None
    ) -> None:
        """`body` with its length; a client that hung up early is not the test's failure."""
        self.send_response(status)
        self.send_header("Content-Type", kind)
        if encoding:
            self.send_header("Content-Encoding", encoding)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        with contextlib.suppress(OSError):
            self.wfile.write(body)

    def log_message(self, *args: object) -> None:
        pass


@contextlib.contextmanager
def serving(handler: Callable[..., socketserver.BaseRequestHandler]) -> Iterator[str]:
    """`handler` on a free port of 127.0.0.1, its base URL while the block runs. Requests run
    in daemon threads, so one a hostile handler keeps going does not hold up the end."""
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
