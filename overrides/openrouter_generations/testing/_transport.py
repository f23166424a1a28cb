"""The fake in-process: an httpx transport (sync and async) over the same `Backend`, no socket.

Faults become what httpx raises for them on a real connection: a connection closed before
the answer or mid-body raises `httpx.RemoteProtocolError`.
"""

from __future__ import annotations

import time
from collections.abc import AsyncIterator, Iterator

import httpx

from ._backend import ENDLESS_CHUNK, Answer, Backend

__all__ = ["FakeTransport"]


class FakeTransport(httpx.BaseTransport, httpx.AsyncBaseTransport):
    """Pass it as `httpx.Client(transport=...)` or `httpx.AsyncClient(transport=...)`."""

    def __init__(self, backend: Backend) -> None:
        self._backend = backend

    def _arrive(self, request: httpx.Request) -> Answer:
        raw_path = request.url.raw_path.decode("ascii")
        headers = {k.lower(): v for k, v in request.headers.items()}
        return self._backend.arrive(request.method, raw_path, headers)

    def _response(self, request: httpx.Request, answer: Answer, stream: _Body) -> httpx.Response:
        if answer.reply.close:
            stream.close()
            raise httpx.RemoteProtocolError("Server disconnected without sending a response.", request=request)
        headers = list(answer.headers)
        if answer.reply.endless:
            headers.append(("Transfer-Encoding", "chunked"))
        else:
            headers.append(("Content-Length", str(len(answer.payload))))
        return httpx.Response(answer.reply.status, headers=headers, stream=stream, request=request)

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        request.read()
        answer = self._arrive(request)
        stream = _Body(self._backend, answer, request)
        try:
            if answer.delay > 0:
                time.sleep(answer.delay)
            return self._response(request, answer, stream)
        except BaseException:
            stream.close()
            raise

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        import asyncio

        await request.aread()
        answer = self._arrive(request)
        stream = _Body(self._backend, answer, request)
        try:
            if answer.delay > 0:
                await asyncio.sleep(answer.delay)
            return self._response(request, answer, stream)
        except BaseException:
            await stream.aclose()
            raise


class _Body(httpx.SyncByteStream, httpx.AsyncByteStream):
    """The body of one answer; the request counts as in flight until it is closed."""

    def __init__(self, backend: Backend, answer: Answer, request: httpx.Request) -> None:
        self._backend = backend
        self._answer = answer
        self._request = request
        self._open = True

    def _plan(self) -> Iterator[float | bytes]:
        """The body as it goes out: bytes to send, and seconds to wait (a float) between them;
        raises where the connection would drop."""
        reply, payload = self._answer.reply, self._answer.payload
        if reply.stall:
            yield reply.stall
        if self._request.method == "HEAD":
            return
        if reply.endless:
            while True:
                yield ENDLESS_CHUNK
        if reply.drop_after is not None:
            yield payload[: reply.drop_after]
            raise httpx.RemoteProtocolError(
                "peer closed connection without sending complete message body", request=self._request
            )
        if reply.trickle:
            for index in range(len(payload)):
                yield reply.trickle
                yield payload[index : index + 1]
        else:
            yield payload

    def __iter__(self) -> Iterator[bytes]:
        for step in self._plan():
            if isinstance(step, bytes):
                yield step
            else:
                time.sleep(step)

    async def __aiter__(self) -> AsyncIterator[bytes]:
        import asyncio

        for step in self._plan():
            if isinstance(step, bytes):
                yield step
            else:
                await asyncio.sleep(step)

    def close(self) -> None:
        if self._open:
            self._open = False
            self._backend.leave()

    async def aclose(self) -> None:
        self.close()
