"""The `OpenRouter` facade: configuration, and the two send loops.

The loops are the only code written twice (sync and async); every decision they act on is made
by `_call.Call`, and the httpx clients they send through are `_pools.Pools`'. Resources such
as `Generations` are thin: they check their arguments and name the generated operation and its
success model.
"""

from __future__ import annotations

import functools
import logging
import random
import types
from collections.abc import Callable, Iterable, Mapping
from typing import TYPE_CHECKING, Any, Protocol, TypeVar

import httpx

from ._settings import (
    ATTRIBUTION,
    ApiKey,
    KeySource,
    attribution_defaults,
    check_header_value,
    check_headers,
    server_url_for,
)
from ._version import __version__
from .utils import DEFAULT_RETRY_CONFIG, SYSTEM_CLOCK, Clock, RetryConfig

if TYPE_CHECKING:
    from openrouter_generations_client.models.get_generation_response import GetGenerationResponse

    from ._body import Body
    from ._call import Call, CallOptions
    from .bulk import GenerationResult  # imported by the methods that need it, on their first use
    from .cache import GenerationCache

__all__ = [
    "DEFAULT_MAX_RESPONSE_BYTES",
    "DEFAULT_SERVER_URL",
    "DEFAULT_TIMEOUT_MS",
    "Admission",
    "AsyncAdmission",
    "Generations",
    "OpenRouter",
]

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


class Admission(Protocol):
    """What a batch puts around each attempt of its calls (see `OpenRouter._run`)."""

    def acquire(self, call: Call[Any]) -> None:
        """Blocks until the batch lets the next attempt of `call` begin."""

    def release(self, call: Call[Any], finished: bool) -> bool:
        """The attempt is over (`finished` False: interrupted, with no outcome). True when the
        batch takes its failure upon itself: it is tried again at once, not as a retry."""

    def wait(self, seconds: float) -> None:
        """Sleeps before a retry (the batch may cut it short by raising, when it stops)."""


class AsyncAdmission(Protocol):
    """The async twin of `Admission`."""

    async def acquire(self, call: Call[Any]) -> None:
        """Waits until the batch lets the next attempt of `call` begin."""

    def release(self, call: Call[Any], finished: bool) -> bool:
        """As `Admission.release`."""

    async def wait(self, seconds: float) -> None:
        """As `Admission.wait`."""


class OpenRouter:
    """A client for OpenRouter's generation lookups; use it as a (sync or async) context manager.

    `api_key` falls back to the `OPENROUTER_API_KEY` environment variable; a callable is called
    for the key at each call (not at each retry), as the official SDK does. `client` and
    `async_client` let you bring your own httpx clients (proxies, mTLS, custom transports);
    those stay open when this client closes, since you own them. The other keywords are the
    official SDK's, with its meaning: `http_referer`, `x_open_router_title` and
    `x_open_router_categories` are sent with every call that takes them (else read from
    `OPENROUTER_HTTP_REFERER`, ...), `server` names a server, `url_params` fills `{name}`
    placeholders of `server_url`, and `debug_logger` gets this client's log lines.

    The async connections it opens belong to the event loop that opened them, so each loop
    gets a pool of its own, closed by `aclose()` or, at the latest, when that loop shuts down
    its async generators (`asyncio.run` does); `close()` closes the sync pool.

    `clock` (a `utils.Clock`; the system clock by default) is what the client measures
    deadlines with and waits on between retries; a test passes a virtual one so that retries
    cost no real time (see `openrouter_generations.testing`).
    """

    def __init__(
        self,
        api_key: KeySource = None,
        *,
        http_referer: str | None = None,
        x_open_router_title: str | None = None,
        x_open_router_categories: str | None = None,
        server: str | None = None,
        url_params: Mapping[str, str] | None = None,
        debug_logger: logging.Logger | None = None,
        server_url: str | None = None,
        timeout_ms: int | None = None,
        retry_config: RetryConfig | None = None,
        client: httpx.Client | None = None,
        async_client: httpx.AsyncClient | None = None,
        max_response_bytes: int = DEFAULT_MAX_RESPONSE_BYTES,
        allow_insecure_http: bool = False,
        clock: Clock | None = None,
        _random: Callable[[], float] = random.random,
    ) -> None:
        # The machinery of a call is imported by the first client, not with the package.
        from ._call import Runtime, logger, request_headers
        from ._pools import Pools

        self.__key = ApiKey(api_key)
        # Built once per client, not per call (httpx.Headers' repr masks the key); a key that a
        # callable gives may change from call to call, so its headers are built per call.
        self.__headers = (
            httpx.Headers(request_headers(_USER_AGENT, _bearer(self.__key.current()))) if self.__key.fixed else None
        )
        self._allow_insecure_http = allow_insecure_http
        self.server_url = self._checked_url(server_url_for(server, server_url, url_params, DEFAULT_SERVER_URL))
        self.attribution = attribution_defaults(http_referer, x_open_router_title, x_open_router_categories)
        self._logger = debug_logger if debug_logger is not None else logger
        self.timeout_ms = _positive("timeout_ms", timeout_ms if timeout_ms is not None else DEFAULT_TIMEOUT_MS)
        self.retry_config = retry_config if retry_config is not None else DEFAULT_RETRY_CONFIG
        self.max_response_bytes = _positive("max_response_bytes", max_response_bytes)
        self._pools = Pools(client, async_client)
        self.clock = clock if clock is not None else SYSTEM_CLOCK
        self._runtime = Runtime(monotonic=self.clock.monotonic, wall_clock=self.clock.time, random=_random)
        self.generations = Generations(self)
        # A call with none of its own options uses these, made once per setting of the client's.
        self.__options: tuple[tuple[object, ...], CallOptions] | None = None

    def __repr__(self) -> str:
        return f"OpenRouter(server_url={self.server_url!r}, api_key={self.__key!r})"

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
        self._pools.close()

    async def aclose(self) -> None:
        """Closes the sync pool and this event loop's async pool (pools of other loops that are
        still running close when those loops end)."""
        await self._pools.aclose()

    # -- calls -------------------------------------------------------------------------------

    def _checked_url(self, url: str) -> str:
        # A key source may give a key on any call: the URL must be fit for one.
        from ._call import check_server_url

        return check_server_url(url, has_key=self.__key.may_send, allow_insecure_http=self._allow_insecure_http)

    def _call(
        self,
        endpoint: types.ModuleType,
        params: dict[str, Any],
        expected: type[T],
        retries: RetryConfig | None,
        server_url: str | None,
        timeout_ms: int | None,
        http_headers: Mapping[str, str] | None,
    ) -> Call[T]:
        call_class, options_class, *_ = _steps()
        settings = (self.server_url, self.timeout_ms, self.retry_config, self.max_response_bytes, self._logger)
        own = retries is None and server_url is None and timeout_ms is None and http_headers is None
        if own and self.__key.fixed and self.__options is not None and self.__options[0] == settings:
            return call_class(endpoint, params, expected, self.__options[1], self._runtime)
        key = self.__key.current()  # once per call, as the official SDK does
        options = options_class(
            server_url=self._checked_url(server_url) if server_url is not None else self.server_url,
            timeout=_positive("timeout_ms", timeout_ms if timeout_ms is not None else self.timeout_ms) / 1000.0,
            retries=retries if retries is not None else self.retry_config,
            max_response_bytes=self.max_response_bytes,
            auth_header=_bearer(key),
            user_agent=_USER_AGENT,
            http_headers=check_headers(http_headers),
            logger=self._logger,
            headers=self.__headers,
        )
        if own and self.__key.fixed:
            self.__options = (settings, options)
        return call_class(endpoint, params, expected, options, self._runtime)

    def request(
        self,
        endpoint: types.ModuleType,
        expected: type[T],
        *,
        retries: RetryConfig | None = None,
        server_url: str | None = None,
        timeout_ms: int | None = None,
        http_headers: Mapping[str, str] | None = None,
        **params: Any,
    ) -> T:
        """Calls any generated operation module (e.g. `...api.generations.get_generation`).

        The typed methods on the resources use this; it is public so that an operation added to
        the spec is callable, with the same retries and errors, before it has a typed method.
        `http_headers` sets or replaces any header of the call's requests.
        """
        call = self._call(endpoint, params, expected, retries, server_url, timeout_ms, http_headers)
        return self._run(call).result()

    async def request_async(
        self,
        endpoint: types.ModuleType,
        expected: type[T],
        *,
        retries: RetryConfig | None = None,
        server_url: str | None = None,
        timeout_ms: int | None = None,
        http_headers: Mapping[str, str] | None = None,
        **params: Any,
    ) -> T:
        """The async twin of `request`."""
        call = self._call(endpoint, params, expected, retries, server_url, timeout_ms, http_headers)
        return (await self._run_async(call)).result()

    def _run(self, call: Call[T], batch: Admission | None = None) -> Call[T]:
        """Drives `call` to its last attempt and returns it (its `result()` is the model or the
        typed error; its `response.content` the body as received, for a caller that keeps it).

        Each attempt first waits for a slot of the pool (and of `batch`, if given): that wait
        is not the server's fault, so it counts against neither the attempt's timeout nor the
        call's retry budget, and an attempt the batch excuses (a rate limit that the whole batch
        waits out) is not one of the call's retries.
        """
        client, slots = self._pools.sync()
        while True:
            queued = self._runtime.monotonic()
            if batch is not None:
                batch.acquire(call)
            try:
                with slots:
                    call.admitted(queued)
                    _attempt(call, client)
            except BaseException:  # interrupted or cancelled: the attempt has no outcome
                if batch is not None:
                    batch.release(call, False)
                raise
            excused = batch is not None and batch.release(call, True)
            if excused:
                call.excuse_attempt()
                continue
            delay = call.retry_delay()
            if delay is None:
                return call
            (batch.wait if batch is not None else self.clock.sleep)(delay)

    async def _run_async(self, call: Call[T], batch: AsyncAdmission | None = None) -> Call[T]:
        """The async twin of `_run`."""
        client, slots = await self._pools.running_loop()
        while True:
            queued = self._runtime.monotonic()
            if batch is not None:
                await batch.acquire(call)
            try:
                async with slots:
                    call.admitted(queued)
                    await _attempt_async(call, client)
            except BaseException:  # interrupted or cancelled: the attempt has no outcome
                if batch is not None:
                    batch.release(call, False)
                raise
            excused = batch is not None and batch.release(call, True)
            if excused:
                call.excuse_attempt()
                continue
            delay = call.retry_delay()
            if delay is None:
                return call
            await (batch.wait if batch is not None else self.clock.sleep_async)(delay)


class Generations:
    """`GET /generation`: a generation's cost, token counts, timings and provider."""

    def __init__(self, sdk: OpenRouter) -> None:
        self._sdk = sdk

    def get_generation(
        self,
        *,
        id: str,
        http_referer: str | None = None,
        x_open_router_title: str | None = None,
        x_open_router_categories: str | None = None,
        retries: RetryConfig | None = None,
        server_url: str | None = None,
        timeout_ms: int | None = None,
        http_headers: Mapping[str, str] | None = None,
    ) -> GetGenerationResponse:
        """Looks up one generation by the id its completion returned.

        The attribution values, when given, replace the client's for this call; `http_headers`
        sets or replaces any header of it."""
        params = self._params(id, http_referer, x_open_router_title, x_open_router_categories)
        operation, model = _get_generation()
        return self._sdk.request(
            operation,
            model,
            retries=retries,
            server_url=server_url,
            timeout_ms=timeout_ms,
            http_headers=http_headers,
            **params,
        )

    async def get_generation_async(
        self,
        *,
        id: str,
        http_referer: str | None = None,
        x_open_router_title: str | None = None,
        x_open_router_categories: str | None = None,
        retries: RetryConfig | None = None,
        server_url: str | None = None,
        timeout_ms: int | None = None,
        http_headers: Mapping[str, str] | None = None,
    ) -> GetGenerationResponse:
        """The async twin of `get_generation`."""
        params = self._params(id, http_referer, x_open_router_title, x_open_router_categories)
        operation, model = _get_generation()
        return await self._sdk.request_async(
            operation,
            model,
            retries=retries,
            server_url=server_url,
            timeout_ms=timeout_ms,
            http_headers=http_headers,
            **params,
        )

    def _params(self, id: str, *attribution: str | None) -> dict[str, str]:
        # The id checked; the call's attribution values (in `ATTRIBUTION`'s order) over the
        # client's, each to go out as its header.
        _check_id(id)
        values = {
            keyword: check_header_value(header, value)
            for (keyword, header, _), value in zip(ATTRIBUTION, attribution, strict=True)
            if value is not None
        }
        return {"id": id, **self._sdk.attribution, **values}

    def get_generations(
        self,
        ids: Iterable[object],
        *,
        concurrency: int = 16,
        on_result: Callable[[GenerationResult], object] | None = None,
        cache: GenerationCache | None = None,
        retries: RetryConfig | None = None,
        server_url: str | None = None,
        timeout_ms: int | None = None,
    ) -> list[GenerationResult]:
        """Looks up many generations, at most `concurrency` at once: one `bulk.GenerationResult`
        per id, in input order; a failure is that id's result, never the batch's exception.

        `on_result` is called in the caller's thread as each id's result is settled (each
        position of a repeated id). `cache` (a `cache.GenerationCache`) answers the ids it
        holds and keeps each new success. On a 429 the batch slows down as one (see README).
        """
        from . import bulk

        return bulk.get_generations(
            self._sdk,
            ids,
            concurrency=concurrency,
            on_result=on_result,
            cache=cache,
            retries=retries,
            server_url=server_url,
            timeout_ms=timeout_ms,
        )

    async def get_generations_async(
        self,
        ids: Iterable[object],
        *,
        concurrency: int = 16,
        on_result: Callable[[GenerationResult], object] | None = None,
        cache: GenerationCache | None = None,
        retries: RetryConfig | None = None,
        server_url: str | None = None,
        timeout_ms: int | None = None,
    ) -> list[GenerationResult]:
        """The async twin of `get_generations`, on the running loop (`on_result` runs in it)."""
        from . import bulk

        return await bulk.get_generations_async(
            self._sdk,
            ids,
            concurrency=concurrency,
            on_result=on_result,
            cache=cache,
            retries=retries,
            server_url=server_url,
            timeout_ms=timeout_ms,
        )


def _attempt(call: Call[Any], client: httpx.Client) -> None:
    """One attempt of `call`: its request, redirects, and body read under the cap; the outcome
    (a response or a send error) recorded in `call`."""
    *_, send_errors, start_body, add_chunk = _steps()
    request = call.build_request(client)
    try:
        response = client.send(request, stream=True, follow_redirects=False)
        try:
            while (redirect := call.redirect(response, client.max_redirects)) is not None:
                response.close()
                response = client.send(redirect, stream=True, follow_redirects=False, auth=_NO_AUTH)
            body = start_body(call, response)
            if not response.is_stream_consumed:
                for chunk in response.iter_raw():
                    add_chunk(call, response, body, chunk)
        finally:
            response.close()
        call.record_response(response, body)
    except send_errors as exc:
        call.record_exception(exc)


async def _attempt_async(call: Call[Any], client: httpx.AsyncClient) -> None:
    """The async twin of `_attempt`."""
    *_, send_errors, start_body, add_chunk = _steps()
    request = call.build_request(client)
    try:
        response = await client.send(request, stream=True, follow_redirects=False)
        try:
            while (redirect := call.redirect(response, client.max_redirects)) is not None:
                await response.aclose()
                response = await client.send(redirect, stream=True, follow_redirects=False, auth=_NO_AUTH)
            body = start_body(call, response)
            if not response.is_stream_consumed:
                async for chunk in response.aiter_raw():
                    add_chunk(call, response, body, chunk)
        finally:
            await response.aclose()
        call.record_response(response, body)
    except send_errors as exc:
        call.record_exception(exc)


@functools.cache
def _steps() -> tuple[
    type[Call[Any]],
    type[CallOptions],
    tuple[type[Exception], ...],
    Callable[[Call[Any], httpx.Response], Body],
    Callable[[Call[Any], httpx.Response, Body, bytes], None],
]:
    """What the loops and `OpenRouter._call` use of `_call` and `_reading`: imported by the first
    client rather than with the package, and kept here so that a call pays no import statement."""
    from ._call import SEND_ERRORS, Call, CallOptions
    from ._reading import add_chunk, start_body

    return Call, CallOptions, SEND_ERRORS, start_body, add_chunk


@functools.cache
def _get_generation() -> tuple[types.ModuleType, type[GetGenerationResponse]]:
    """The generated operation and its success model, imported on first use rather than with the
    package (the generated package is most of what importing this one would otherwise cost)."""
    from openrouter_generations_client.api.generations import get_generation
    from openrouter_generations_client.models.get_generation_response import GetGenerationResponse

    return get_generation, GetGenerationResponse


def _bearer(key: str) -> str | None:
    return f"Bearer {key}" if key else None


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


def _positive(name: str, value: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value <= 0:
        raise ValueError(f"{name} must be a positive int, not {value!r}")
    return value
