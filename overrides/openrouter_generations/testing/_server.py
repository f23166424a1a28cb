"""The fake on a real socket: a threaded HTTP/1.1 server on loopback that writes each `Answer`,
faults included, the way a real network would deliver them."""

from __future__ import annotations

import contextlib
import http.server
import socket
import sys
import threading
import time
from typing import Any

from ._backend import ENDLESS_CHUNK, Answer, Backend

__all__ = ["Server"]

_ENDLESS_FRAME = b"%x\r\n%s\r\n" % (len(ENDLESS_CHUNK), ENDLESS_CHUNK)  # one chunk of chunked encoding


class Server:
    """Serves a `Backend` on `host:port` (0: a free port) from a background thread."""

    def __init__(self, backend: Backend, *, host: str, port: int) -> None:
        self._server = _HTTPServer((host, port), _handler_for(backend))
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.02}, name="fake-openrouter", daemon=True
        )

    @property
    def url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host!s}:{port}"

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=5)


class _HTTPServer(http.server.ThreadingHTTPServer):
    daemon_threads = True
    request_queue_size = 1024  # hundreds of clients may connect at once in a load test

    def handle_error(self, request: Any, client_address: Any) -> None:
        # A client that hung up (a timeout, a refused body) is what the fault replies provoke;
        # only an error of the fake itself is worth a traceback.
        if not isinstance(sys.exc_info()[1], ConnectionError):
            super().handle_error(request, client_address)


def _handler_for(backend: Backend) -> type[http.server.BaseHTTPRequestHandler]:
    class Handler(http.server.BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"
        server_version = "FakeOpenRouter"
        # Headers and body go out in separate writes; with Nagle's algorithm on, the body waits
        # for the client's delayed ACK of the headers (~40 ms on Linux) on every reply.
        disable_nagle_algorithm = True

        def log_message(self, format: str, *args: Any) -> None:  # quiet: tests read `requests`
            pass

        def _serve(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            if length:
                self.rfile.read(length)
            answer = backend.arrive(self.command, self.path, {k.lower(): v for k, v in self.headers.items()})
            self._served = False
            try:
                if answer.delay > 0:
                    time.sleep(answer.delay)
                self._write(answer)
            finally:
                self._out_of_flight()

        def _out_of_flight(self) -> None:
            """Counts the request out before the last of its answer goes: a client holding the end
            of an answer (a whole body, a drop) finds it no longer in flight, however late this
            thread would otherwise get to it. Once per request."""
            if not self._served:
                self._served = True
                backend.leave()

        do_GET = do_POST = do_PUT = do_DELETE = do_PATCH = do_HEAD = do_OPTIONS = _serve

        def _write(self, answer: Answer) -> None:
            reply = answer.reply
            if reply.close:
                self._drop()
                return
            self.send_response_only(reply.status)
            self.send_header("Server", self.version_string())
            for name, value in answer.headers:
                self.send_header(name, value)
            if reply.endless:
                self._endless()
                return
            payload = answer.payload
            self.send_header("Content-Length", str(len(payload)))
            if not payload or self.command == "HEAD":
                self._out_of_flight()  # the headers are the whole answer
            self.end_headers()
            if reply.stall:
                self.wfile.flush()
                time.sleep(reply.stall)
            if self.command == "HEAD":
                return
            if reply.drop_after is not None:
                self._out_of_flight()
                self.wfile.write(payload[: reply.drop_after])
                self.wfile.flush()
                self._drop()
            elif reply.trickle:
                try:
                    for index in range(len(payload)):
                        if index == len(payload) - 1:
                            self._out_of_flight()
                        self.wfile.write(payload[index : index + 1])
                        self.wfile.flush()
                        time.sleep(reply.trickle)
                except OSError:
                    self.close_connection = True
            else:
                self._out_of_flight()
                self.wfile.write(payload)

        def _endless(self) -> None:
            self.send_header("Transfer-Encoding", "chunked")
            self.end_headers()
            try:
                while True:
                    self.wfile.write(_ENDLESS_FRAME)
            except OSError:
                self.close_connection = True

        def _drop(self) -> None:
            self._out_of_flight()
            self.close_connection = True
            with contextlib.suppress(OSError):
                self.wfile.flush()
                self.connection.shutdown(socket.SHUT_RDWR)

    return Handler
