"""Admission to a connection pool: at most its size of attempts at once, each waiting its turn.

httpx queues a request that finds every connection of its pool busy, and counts that wait
against the request's timeout (a `PoolTimeout`). With hundreds of concurrent calls on one client,
most would time out in that queue, retry and queue again, though the server answered every
request it got. So the send loops take a slot here first (a semaphore of the pool's size, one for
threads and one per event loop), and the attempt's clock starts once they hold it: httpx's own
queue then stays empty.
"""

from __future__ import annotations

import contextlib
import threading
from contextlib import AbstractAsyncContextManager, AbstractContextManager
from typing import TYPE_CHECKING, Any

import httpx

if TYPE_CHECKING:
    import asyncio

__all__ = ["PoolSlots"]


class PoolSlots:
    """The slots of a client's sync pool, and of each event loop's async pool."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._sync: tuple[httpx.Client, AbstractContextManager[Any]] | None = None
        self._async: dict[asyncio.AbstractEventLoop, tuple[httpx.AsyncClient, AbstractAsyncContextManager[Any]]] = {}

    def sync(self, client: httpx.Client) -> AbstractContextManager[Any]:
        """The slots of `client`'s pool (new ones when the client was replaced, after `close()`)."""
        with self._lock:
            if self._sync is None or self._sync[0] is not client:
                size = _pool_size(client)
                self._sync = (client, threading.BoundedSemaphore(size) if size else contextlib.nullcontext())
            return self._sync[1]

    def running_loop(self, client: httpx.AsyncClient) -> AbstractAsyncContextManager[Any]:
        """The slots of `client`'s pool in the running loop (an asyncio semaphore is bound to one)."""
        import asyncio

        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:  # a caller's own async_client under another async library
            return contextlib.nullcontext()
        with self._lock:
            entry = self._async.get(loop)
            if entry is None or entry[0] is not client:
                from ._missing_modules import remember_missing

                remember_missing()  # httpcore's async path asks for sniffio per request
                for closed in [other for other in self._async if other.is_closed()]:
                    del self._async[closed]
                size = _pool_size(client)
                entry = (client, asyncio.Semaphore(size) if size else contextlib.nullcontext())
                self._async[loop] = entry
            return entry[1]


def _pool_size(client: httpx.Client | httpx.AsyncClient) -> int | None:
    """The most connections the client's pool opens, or None when it has no pool to queue in
    (a caller's own transport, such as `httpx.MockTransport`)."""
    pool = getattr(getattr(client, "_transport", None), "_pool", None)
    size = getattr(pool, "_max_connections", None)
    return size if isinstance(size, int) and not isinstance(size, bool) and size > 0 else None
