"""The `OpenRouter` facade: configuration, the httpx clients, and the two send loops.

The loops are the only code written twice (sync and async); every decision they act on is made
by `_call.Call`. Resources such as `Generations` are thin: they check their arguments and name
the generated operation and its success model.
"""

from __future__ import annotations

import os
import random
import ssl
import threading
import time
import types
from collections.abc import AsyncGenerator, Awaitable, Callable
from typing import TYPE_CHECKING, Any, TypeVar

import httpx

from openrouter_generations_client.api.generations import get_generation as _get_generation
from openrouter_generations_client.models.get_generation_response import GetGenerationResponse

from ._call import SEND_ERRORS, Call, CallOptions, Runtime, check_server_url, request_headers
from ._version import __version__
from .utils import DEFAULT_RETRY_CONFIG, RetryConfig

if TYPE_CHECKING:
    import asyncio  # at run time imported on first async use: it costs a sync program ~13 ms

__all__ = ["DEFAULT_MAX_RESPONSE_BYTES", "DEFAULT_SERVER_URL", "DEFAULT_TIMEOUT_MS", "Generations", "OpenRouter"]

T = TypeVar("T")

#: The production server, as in the spec's `servers` (a contract test keeps them equal).
DEFAULT_SERVER_URL = "https://openrouter.ai/api/v1"
#: A lookup is small; this bounds each attempt's connect, write, pool wait and every read.
DEFAULT_TIMEOUT_MS = 15_000
#: A generation's metadata is a few KB; anything near this is not a generation.
DEFAULT_MAX_RESPONSE_BYTES = 16 * 1024 * 1024

_USER_AGENT = f"openrouter-generations/{__version__} python-httpx/{httpx.__version__}"
# Sends a redirect hop without the client's `auth`, as httpx itself does: a caller's
# `httpx.Client(auth=...)` must not follow a redirect to another origin.
_NO_AUTH = httpx.Auth()


class OpenRouter:
    """A client for OpenRouter's generation lookups; use it as a (sync or async) context manager.

    `api_key` falls back to the `OPENROUTER_API_KEY` environment variable. `client` and
    `async_client` let you bring your own httpx clients (proxies, mTLS, custom transports);
    those stay open when this client closes, since you own them.

    The async connections it opens belong to the event loop that opened them, so each loop
    gets a pool of its own, closed by `aclose()` or, at the latest, when that loop shuts down
    its async generators (`asyncio.run` does); `close()` closes the sync pool.
    """

    def __init__(
        self,
        api_key: str | None = None,
        *,
        server_url: str | None = None,
        timeout_ms: int | None = None,
        retry_config: RetryConfig | None = None,
        client: httpx.Client | None = None,
        async_client: httpx.AsyncClient | None = None,
        max_response_bytes: int = DEFAULT_MAX_RESPONSE_BYTES,
        allow_insecure_http: bool = False,
        _runtime: Runtime | None = None,
        _sleep: Callable[[float], None] = time.sleep,
        _async_sleep: Callable[[float], Awaitable[None]] | None = None,
    ) -> None:
        key = api_key if api_key is not None else os.environ.get("OPENROUTER_API_KEY", "")
        _check_key(key)
        self.__key = key
        # Built once per client, not per call (httpx.Headers' repr masks the key).
        self.__headers = request_headers(_USER_AGENT, self.__auth_header)
        self._allow_insecure_http = allow_insecure_http
        self.server_url = self._checked_url(server_url if server_url is not None else DEFAULT_SERVER_URL)
        self.timeout_ms = _positive("timeout_ms", timeout_ms if timeout_ms is not None else DEFAULT_TIMEOUT_MS)
        self.retry_config = retry_config if retry_config is not None else DEFAULT_RETRY_CONFIG
        self.max_response_bytes = _positive("max_response_bytes", max_response_bytes)
        self._client = client
        self._async_client = async_client
        self._owns_client = client is None
        # One pool per running event loop, each with the guard that closes it when its loop ends.
        self._async_pools: dict[asyncio.AbstractEventLoop, tuple[httpx.AsyncClient, AsyncGenerator[None, None]]] = {}
        self._ssl_context: ssl.SSLContext | None = None
        self._lock = threading.Lock()
        self._runtime = _runtime or Runtime(monotonic=time.monotonic, wall_clock=time.time, random=random.random)
        self._sleep = _sleep
        self._async_sleep = _async_sleep
        self.generations = Generations(self)

    @property
    def __auth_header(self) -> str | None:
        return f"Bearer {self.__key}" if self.__key else None

    def __repr__(self) -> str:
        return f"OpenRouter(server_url={self.server_url!r}, api_key={'<set>' if self.__key else '<unset>'})"

    # -- lifecycle ---------------------------------------------------------------------------

    def __enter__(self) -> OpenRouter:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    async def __aenter__(self) -> OpenRouter:
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.aclose()

    def close(self) -> None:
        """Closes the httpx client this object created (a client you passed in stays open)."""
        with self._lock:
            client, self._client = (self._client, None) if self._owns_client else (None, self._client)
        if client is not None:
            client.close()

    async def aclose(self) -> None:
        """Closes the sync pool and this event loop's async pool (pools of other loops that are
        still running close when those loops end)."""
        import asyncio

        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:  # not asyncio (a caller's own async_client under another library)
            loop = None
        with self._lock:
            pool = self._async_pools.pop(loop, None) if loop is not None else None
        if pool is not None:
            await pool[1].aclose()  # the guard's `finally` closes the client
        self.close()

    def _sync_client(self) -> httpx.Client:
        with self._lock:
            if self._client is None:
                self._client = httpx.Client(follow_redirects=True, verify=self._tls())
            return self._client

    def _tls(self) -> ssl.SSLContext:
        # Loading the CA bundle costs ~25 ms; done once, not again for each loop's pool.
        if self._ssl_context is None:
            self._ssl_context = httpx.create_ssl_context()
        return self._ssl_context

    async def _async_httpx_client(self) -> httpx.AsyncClient:
        # An httpx.AsyncClient's connections belong to the event loop that opened them: one
        # shared across loops fails with "Event loop is closed" in a script that calls
        # asyncio.run() per lookup. So each loop gets its own, and an async generator ties it
        # to the loop: the loop finalizes its live async generators as it shuts down
        # (`shutdown_asyncgens`, which asyncio.run calls), and the guard's `finally` closes it.
        if self._async_client is not None:
            return self._async_client  # the caller's own
        import asyncio

        loop = asyncio.get_running_loop()
        with self._lock:
            pool = self._async_pools.get(loop)
            if pool is not None:
                return pool[0]
            # A loop closed without finalizing its async generators (a hand-made loop, closed
            # without `shutdown_asyncgens`) can no longer close its pool: let go of it, so that
            # it is not kept for good, and its sockets are the garbage collector's to close.
            for closed in [other for other in self._async_pools if other.is_closed()]:
                del self._async_pools[closed]
            client = httpx.AsyncClient(follow_redirects=True, verify=self._tls())
            guard = self._close_with_loop(loop, client)
            self._async_pools[loop] = (client, guard)
        await guard.__anext__()  # started in this loop, so this loop finalizes it
        return client

    async def _close_with_loop(
        self, loop: asyncio.AbstractEventLoop, client: httpx.AsyncClient
    ) -> AsyncGenerator[None, None]:
        try:
            yield
        finally:
            with self._lock:
                pool = self._async_pools.get(loop)
                if pool is not None and pool[0] is client:
                    del self._async_pools[loop]
            await client.aclose()

    # -- calls -------------------------------------------------------------------------------

    def _checked_url(self, url: str) -> str:
        return check_server_url(url, has_key=bool(self.__key), allow_insecure_http=self._allow_insecure_http)

    def _call(
        self,
        endpoint: types.ModuleType,
        params: dict[str, Any],
        expected: type[T],
        *,
        retries: RetryConfig | None,
        server_url: str | None,
        timeout_ms: int | None,
    ) -> Call[T]:
        options = CallOptions(
            server_url=self._checked_url(server_url) if server_url is not None else self.server_url,
            timeout=_positive("timeout_ms", timeout_ms if timeout_ms is not None else self.timeout_ms) / 1000.0,
            retries=retries if retries is not None else self.retry_config,
            max_response_bytes=self.max_response_bytes,
            auth_header=self.__auth_header,
            user_agent=_USER_AGENT,
            headers=self.__headers,
        )
        return Call(endpoint, params, expected, options, self._runtime)

    def request(
        self,
        endpoint: types.ModuleType,
        expected: type[T],
        *,
        retries: RetryConfig | None = None,
        server_url: str | None = None,
        timeout_ms: int | None = None,
        **params: Any,
    ) -> T:
        """Calls any generated operation module (e.g. `...api.generations.get_generation`).

        The typed methods on the resources use this; it is public so that an operation added to
        the spec is callable, with the same retries and errors, before it has a typed method.
        """
        call = self._call(endpoint, params, expected, retries=retries, server_url=server_url, timeout_ms=timeout_ms)
        client = self._sync_client()
        while True:
            request = call.build_request(client)
            try:
                response = client.send(request, stream=True, follow_redirects=False)
                try:
                    while (redirect := call.redirect(response, client.max_redirects)) is not None:
                        response.close()
                        response = client.send(redirect, stream=True, follow_redirects=False, auth=_NO_AUTH)
                    body = call.start_body(response)
                    if not response.is_stream_consumed:
                        for chunk in response.iter_raw():
                            call.add_chunk(response, body, chunk)
                finally:
                    response.close()
                call.record_response(response, body)
            except SEND_ERRORS as exc:
                call.record_exception(exc)
            delay = call.retry_delay()
            if delay is None:
                return call.result()
            self._sleep(delay)

    async def request_async(
        self,
        endpoint: types.ModuleType,
        expected: type[T],
        *,
        retries: RetryConfig | None = None,
        server_url: str | None = None,
        timeout_ms: int | None = None,
        **params: Any,
    ) -> T:
        """The async twin of `request`."""
        call = self._call(endpoint, params, expected, retries=retries, server_url=server_url, timeout_ms=timeout_ms)
        client = await self._async_httpx_client()
        while True:
            request = call.build_request(client)
            try:
                response = await client.send(request, stream=True, follow_redirects=False)
                try:
                    while (redirect := call.redirect(response, client.max_redirects)) is not None:
                        await response.aclose()
                        response = await client.send(redirect, stream=True, follow_redirects=False, auth=_NO_AUTH)
                    body = call.start_body(response)
                    if not response.is_stream_consumed:
                        async for chunk in response.aiter_raw():
                            call.add_chunk(response, body, chunk)
                finally:
                    await response.aclose()
                call.record_response(response, body)
            except SEND_ERRORS as exc:
                call.record_exception(exc)
            delay = call.retry_delay()
            if delay is None:
                return call.result()
            await (self._async_sleep or _asyncio_sleep)(delay)


class Generations:
    """`GET /generation`: a generation's cost, token counts, timings and provider."""

    def __init__(self, sdk: OpenRouter) -> None:
        self._sdk = sdk

    def get_generation(
        self,
        *,
        id: str,
        retries: RetryConfig | None = None,
        server_url: str | None = None,
        timeout_ms: int | None = None,
    ) -> GetGenerationResponse:
        """Looks up one generation by the id its completion returned."""
        _check_id(id)
        return self._sdk.request(
            _get_generation, GetGenerationResponse, id=id, retries=retries, server_url=server_url, timeout_ms=timeout_ms
        )

    async def get_generation_async(
        self,
        *,
        id: str,
        retries: RetryConfig | None = None,
        server_url: str | None = None,
        timeout_ms: int | None = None,
    ) -> GetGenerationResponse:
        """The async twin of `get_generation`."""
        _check_id(id)
        return await self._sdk.request_async(
            _get_generation, GetGenerationResponse, id=id, retries=retries, server_url=server_url, timeout_ms=timeout_ms
        )


async def _asyncio_sleep(seconds: float) -> None:
    # Imported on first use: asyncio costs a sync-only program ~13 ms of import time.
    import asyncio

    await asyncio.sleep(seconds)


def _check_id(value: object) -> None:
    # The spec's `minLength: 1` is not enforced by the generated code; without this an empty id
    # would be sent as `?id=` and come back as a confusing 400.
    if not isinstance(value, str):
        raise TypeError(f"id must be a str, not {type(value).__name__}")
    if not value:
        raise ValueError("id must be a non-empty generation id, e.g. 'gen-...'")
    try:
        value.encode("utf-8")
    except UnicodeEncodeError as exc:
        raise ValueError(f"id is not valid text: a lone surrogate at position {exc.start}") from None


def _check_key(key: object) -> None:
    # A key read from a file often ends in a newline; sent as is, httpx would refuse the header
    # with an error that quotes it. Say what is wrong without the key itself.
    if not isinstance(key, str):
        raise TypeError(f"api_key must be a str, not {type(key).__name__}")
    if not (key.isascii() and key.isprintable()) or key != key.strip():
        raise ValueError(
            "api_key holds whitespace at its ends, control or non-ASCII characters; "
            "an OpenRouter key is printable ASCII (strip the value you read it from)"
        )


def _positive(name: str, value: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value <= 0:
        raise ValueError(f"{name} must be a positive int, not {value!r}")
    return value
