"""The httpx clients a client sends through: made on first use, each closed by whoever owns it.

The send loops ask here for a pool (an httpx client and the slots that admit attempts to it) and
never hold on to one: a pool closed by `close()` is made again on the next call, and an async
pool is made per event loop, since its connections belong to the loop that opened them.
"""

from __future__ import annotations

import ssl
import threading
from collections.abc import AsyncGenerator
from contextlib import AbstractAsyncContextManager, AbstractContextManager
from typing import TYPE_CHECKING, Any

import httpx

from ._slots import PoolSlots

if TYPE_CHECKING:
    import asyncio  # at run time imported on first async use: it costs a sync program ~13 ms

__all__ = ["Pools"]


class Pools:
    """The sync httpx client and one async pool per running event loop, with their slots.

    A client passed in (`client`, `async_client`) is the caller's: used, never closed here.
    """

    def __init__(self, client: httpx.Client | None, async_client: httpx.AsyncClient | None) -> None:
        self.client = client  # the sync client, the caller's or ours (made on first use)
        self._async_client = async_client
        self._owns_client = client is None
        #: One pool per running event loop, each with the guard that closes it when its loop ends.
        self.by_loop: dict[asyncio.AbstractEventLoop, tuple[httpx.AsyncClient, AsyncGenerator[None, None]]] = {}
        self._slots = PoolSlots()  # admission to each pool (see `OpenRouter._run`)
        self._ssl_context: ssl.SSLContext | None = None
        self._lock = threading.Lock()

    def sync(self) -> tuple[httpx.Client, AbstractContextManager[Any]]:
        """The sync client and the slots of its pool."""
        client = self.sync_client()
        return client, self._slots.sync(client)

    async def running_loop(self) -> tuple[httpx.AsyncClient, AbstractAsyncContextManager[Any]]:
        """The running loop's async client and the slots of its pool."""
        client = await self.async_client()
        return client, self._slots.running_loop(client)

    def close(self) -> None:
        """Closes the sync client, if it is ours; the next call makes a new one."""
        with self._lock:
            client, self.client = (self.client, None) if self._owns_client else (None, self.client)
        if client is not None:
            client.close()

    async def aclose(self) -> None:
        """Closes the running loop's async pool and the sync client (pools of other loops that
        are still running close when those loops end)."""
        import asyncio

        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:  # not asyncio (a caller's own async_client under another library)
            loop = None
        with self._lock:
            pool = self.by_loop.pop(loop, None) if loop is not None else None
        if pool is not None:
            await pool[1].aclose()  # the guard's `finally` closes the client
        self.close()

    def sync_client(self) -> httpx.Client:
        with self._lock:
            if self.client is None:
                self.client = httpx.Client(verify=self._tls())
            return self.client

    def _tls(self) -> ssl.SSLContext:
        # Loading the CA bundle costs ~25 ms; done once, not again for each loop's pool.
        if self._ssl_context is None:
            self._ssl_context = httpx.create_ssl_context()
        return self._ssl_context

    async def async_client(self) -> httpx.AsyncClient:
        """The caller's async client, or the running loop's own.

        An httpx.AsyncClient's connections belong to the event loop that opened them: one
        shared across loops fails with "Event loop is closed" in a script that calls
        asyncio.run() per lookup. So each loop gets its own, and an async generator ties it
        to the loop: the loop finalizes its live async generators as it shuts down
        (`shutdown_asyncgens`, which asyncio.run calls), and the guard's `finally` closes it.
        """
        if self._async_client is not None:
            return self._async_client  # the caller's own
        import asyncio

        loop = asyncio.get_running_loop()
        with self._lock:
            pool = self.by_loop.get(loop)
            if pool is not None:
                return pool[0]
            # A loop closed without finalizing its async generators (a hand-made loop, closed
            # without `shutdown_asyncgens`) can no longer close its pool: let go of it, so that
            # it is not kept for good, and its sockets are the garbage collector's to close.
            for closed in [other for other in self.by_loop if other.is_closed()]:
                del self.by_loop[closed]
            client = httpx.AsyncClient(verify=self._tls())
            guard = self._close_with_loop(loop, client)
            self.by_loop[loop] = (client, guard)
        await guard.__anext__()  # started in this loop, so this loop finalizes it
        return client

    async def _close_with_loop(
        self, loop: asyncio.AbstractEventLoop, client: httpx.AsyncClient
    ) -> AsyncGenerator[None, None]:
        try:
            yield
        finally:
            with self._lock:
                pool = self.by_loop.get(loop)
                if pool is not None and pool[0] is client:
                    del self.by_loop[loop]
            await client.aclose()
