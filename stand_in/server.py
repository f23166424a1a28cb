"""A local stand-in for OpenRouter's `GET /generation`, on 127.0.0.1, over a real socket.

It answers like the real service (200 with the example body for a known id, the error object
for the documented failures) and can be scripted reply by reply, including the faults a real
network produces: a stall, a connection dropped mid-body, an HTML page from a CDN, an endless
body. It records what reached it, byte for byte, so tests can check the wire, not the client's
idea of it. The demo and the end-to-end tests share it.
"""

from __future__ import annotations

import collections
import contextlib
import dataclasses
import http.server
import json
import pathlib
import socket
import sys
import threading
import time
import urllib.parse
from collections.abc import Callable
from typing import Any

__all__ = ["EXAMPLE_BODY", "EXAMPLE_ID", "Reply", "Seen", "StandIn", "error_body"]

EXAMPLE_BODY: dict[str, Any] = json.loads((pathlib.Path(__file__).parent / "example_generation.json").read_text())
EXAMPLE_ID: str = EXAMPLE_BODY["data"]["id"]


def error_body(status: int, message: str) -> dict[str, Any]:
    """The shared error object, as OpenRouter sends it."""
    return {"error": {"code": status, "message": message}, "user_id": None}


@dataclasses.dataclass
class Reply:
    """One scripted answer.

    `body` may be bytes, str or a JSON-able object; a `Date` in `headers` replaces the
    server's own. `stall` sleeps before answering; `drop_after` sends the headers (with the full
    Content-Length) and only that many body bytes, then closes; `trickle` sends the body one
    byte per that many seconds; `endless` streams chunks without end; `close` closes without
    answering.
    """

    status: int = 200
    body: Any = b""
    headers: dict[str, str] = dataclasses.field(default_factory=dict)
    content_type: str | None = "application/json"
    stall: float = 0.0
    drop_after: int | None = None
    trickle: float = 0.0
    endless: bool = False
    close: bool = False

    def payload(self) -> bytes:
        if isinstance(self.body, bytes):
            return self.body
        if isinstance(self.body, str):
            return self.body.encode("utf-8")
        return json.dumps(self.body).encode("utf-8")


@dataclasses.dataclass(frozen=True)
class Seen:
    """A request as it reached the server."""

    method: str
    raw_path: str
    headers: dict[str, str]

    @property
    def ids(self) -> list[str]:
        """Every `id` value in the query, decoded exactly as a server framework would."""
        query = urllib.parse.urlsplit(self.raw_path).query
        return [v for k, v in urllib.parse.parse_qsl(query, keep_blank_values=True) if k == "id"]


class StandIn:
    """A threaded HTTP/1.1 server; use as a context manager. `url` is its base URL."""

    def __init__(self, *, port: int = 0, default: Callable[[Seen], Reply] | None = None) -> None:
        self.replies: collections.deque[Reply] = collections.deque()
        self.seen: list[Seen] = []
        self.default = default or default_reply
        self._lock = threading.Lock()
        self._server = _Server(("127.0.0.1", port), _handler_for(self))
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.02}, name="stand-in", daemon=True
        )

    @property
    def url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host!s}:{port}"

    def script(self, *replies: Reply) -> None:
        """Queues replies, answered in order before falling back to the default routes."""
        with self._lock:
            self.replies.extend(replies)

    def _next(self, seen: Seen) -> Reply:
        with self._lock:
            self.seen.append(seen)
            if self.replies:
                return self.replies.popleft()
        return self.default(seen)

    def __enter__(self) -> StandIn:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=5)


def default_reply(seen: Seen) -> Reply:
    """The routes of the real service: the example generation, or the documented errors."""
    if not seen.headers.get("authorization", "").startswith("Bearer "):
        return Reply(401, error_body(401, "No auth credentials found"))
    path = urllib.parse.urlsplit(seen.raw_path).path
    if not path.endswith("/generation"):
        return Reply(404, error_body(404, "Not Found"))
    ids = seen.ids
    if len(ids) != 1 or not ids[0]:
        return Reply(400, error_body(400, "Exactly one non-empty id is required"))
    if ids[0] == EXAMPLE_ID:
        return Reply(200, EXAMPLE_BODY)
    return Reply(404, error_body(404, f"Generation {ids[0]} not found"))


class _Server(http.server.ThreadingHTTPServer):
    daemon_threads = True
    request_queue_size = 1024  # hundreds of concurrent clients connect at once in the load tests

    def handle_error(self, request: Any, client_address: Any) -> None:
        # A client that hung up (a timeout, a refused body) is what the fault tests provoke;
        # only an error of the stand-in itself is worth a traceback.
        if not isinstance(sys.exc_info()[1], ConnectionError):
            super().handle_error(request, client_address)


def _handler_for(stand_in: StandIn) -> type[http.server.BaseHTTPRequestHandler]:
    class Handler(http.server.BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"
        # Headers and body go out in separate writes; with Nagle's algorithm on, the body waits
        # for the client's delayed ACK of the headers (~40 ms on Linux) on every reply.
        disable_nagle_algorithm = True

        def log_message(self, format: str, *args: Any) -> None:  # quiet: tests read `seen`
            pass

        def do_GET(self) -> None:
            seen = Seen("GET", self.path, {k.lower(): v for k, v in self.headers.items()})
            self._answer(stand_in._next(seen))

        def _answer(self, reply: Reply) -> None:
            if reply.stall:
                time.sleep(reply.stall)
            if reply.close:
                self._drop()
                return
            payload = reply.payload()
            self.send_response_only(reply.status)
            self.send_header("Server", self.version_string())
            if not any(name.lower() == "date" for name in reply.headers):
                self.send_header("Date", self.date_time_string())
            if reply.content_type:
                self.send_header("Content-Type", reply.content_type)
            for name, value in reply.headers.items():
                self.send_header(name, value)
            if reply.endless:
                self.send_header("Transfer-Encoding", "chunked")
                self.end_headers()
                chunk = b"x" * 65536
                frame = b"%x\r\n%s\r\n" % (len(chunk), chunk)
                try:
                    while True:
                        self.wfile.write(frame)
                except OSError:
                    self.close_connection = True
                return
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            if reply.drop_after is not None:
                self.wfile.write(payload[: reply.drop_after])
                self.wfile.flush()
                self._drop()
                return
            if reply.trickle:
                try:
                    for index in range(len(payload)):
                        self.wfile.write(payload[index : index + 1])
                        self.wfile.flush()
                        time.sleep(reply.trickle)
                except OSError:
                    self.close_connection = True
                return
            self.wfile.write(payload)

        def _drop(self) -> None:
            self.close_connection = True
            with contextlib.suppress(OSError):
                self.connection.shutdown(socket.SHUT_RDWR)

    return Handler
