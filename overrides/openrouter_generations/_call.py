"""One call of one generated operation: every step but sending and sleeping.

A `Call` builds the request from the generated module's `_get_kwargs`, reads a body under the
size cap, decides about retries (via `_retries`), and turns the last outcome into the typed model
or the typed error. The sync and async loops in `_client` drive it and differ only in how they
send and sleep, so the two cannot disagree on any decision. Nothing here knows about a particular
operation: a new operation in the spec is served as it is generated.
"""

from __future__ import annotations

import dataclasses
import ipaddress
import json
import logging
import types
from collections.abc import Callable
from typing import Any, Generic, TypeVar

import httpx

from . import errors
from ._retries import budget_seconds, next_delay
from ._validation import ModelTypeError, find_json_problem, parse_model
from .utils import RetryConfig

__all__ = ["Call", "CallOptions", "Runtime", "check_server_url"]

logger = logging.getLogger("openrouter_generations")

T = TypeVar("T")

# Headers that describe the bytes on the wire, not the decoded body kept after a capped read.
_WIRE_HEADERS = frozenset({"content-encoding", "content-length", "transfer-encoding"})
# A per-attempt timeout is never cut below this, so a nearly spent budget still sends a request.
_MIN_ATTEMPT_TIMEOUT = 0.05


@dataclasses.dataclass(frozen=True)
class Runtime:
    """The clock, randomness and sleep a client uses; tests swap them for deterministic ones."""

    monotonic: Callable[[], float]
    wall_clock: Callable[[], float]
    random: Callable[[], float]


@dataclasses.dataclass(frozen=True)
class CallOptions:
    """Everything about one call that the client and the call's own arguments decide."""

    server_url: str
    timeout: float
    retries: RetryConfig
    max_response_bytes: int
    auth_header: str | None = dataclasses.field(repr=False)
    user_agent: str


def check_server_url(url: str, *, has_key: bool, allow_insecure_http: bool) -> str:
    """The server URL without a trailing slash; refuses one that would leak the key.

    An API key sent over plain HTTP can be read by anyone on the path, so with a key set,
    `http://` is accepted only for loopback hosts unless the caller opted out.
    """
    try:
        parsed = httpx.URL(url)
    except (httpx.InvalidURL, TypeError) as exc:
        raise ValueError(f"server_url is not a valid URL: {url!r}") from exc
    if parsed.scheme not in ("http", "https") or not parsed.host:
        raise ValueError(f"server_url must be an absolute http(s) URL, not {url!r}")
    if parsed.scheme == "http" and has_key and not allow_insecure_http and not _is_loopback(parsed.host):
        raise ValueError(
            f"refusing to send the API key over plain HTTP to {parsed.host!r}; use https, or pass "
            "allow_insecure_http=True to OpenRouter() if this is really what you want"
        )
    return url.rstrip("/")


def _is_loopback(host: str) -> bool:
    if host.lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


class Call(Generic[T]):
    """The state of one call across its attempts, and its pure steps."""

    def __init__(
        self,
        endpoint: types.ModuleType,
        params: dict[str, Any],
        expected: type[T],
        options: CallOptions,
        runtime: Runtime,
    ) -> None:
        self.endpoint = endpoint
        self.expected = expected
        self.options = options
        self.runtime = runtime
        self.attempts = 0
        self.hops = 0
        self.started = runtime.monotonic()
        kwargs: dict[str, Any] = endpoint._get_kwargs(**params)
        self.method: str = kwargs.pop("method").upper()
        self.path: str = kwargs.pop("url")
        # Header parameters of an operation, if it has any, go out with the client's own.
        self.headers: dict[str, str] = {**kwargs.pop("headers", {}), "User-Agent": options.user_agent}
        self.headers.setdefault("Accept", "application/json")
        if options.auth_header is not None:
            self.headers["Authorization"] = options.auth_header
        self.request_kwargs = kwargs
        self.response: httpx.Response | None = None
        self.exception: httpx.HTTPError | None = None

    def build_request(self, client: httpx.Client | httpx.AsyncClient) -> httpx.Request:
        """The next attempt's request, its timeout cut to what remains of the retry budget."""
        self.attempts += 1
        self.hops = 0
        remaining = budget_seconds(self.options.retries) - (self.runtime.monotonic() - self.started)
        timeout = max(min(self.options.timeout, remaining), _MIN_ATTEMPT_TIMEOUT)
        return client.build_request(
            self.method,
            self.options.server_url + self.path,
            headers=self.headers,
            timeout=timeout,
            **self.request_kwargs,
        )

    def redirect(self, response: httpx.Response, max_redirects: int) -> httpx.Request | None:
        """The request a redirect asks for, or None to take `response` as the attempt's answer.

        The loops follow redirects themselves (httpx would read each 3xx body whole, past the
        size cap). httpx builds the next request, dropping `Authorization` when it leaves the
        origin; past `max_redirects` hops the 3xx itself becomes the answer, an error.
        """
        if response.next_request is None or self.hops >= max_redirects:
            return None
        self.hops += 1
        return response.next_request

    def check_declared_length(self, response: httpx.Response) -> None:
        """Refuses a body whose declared length exceeds the cap before reading any of it."""
        declared = response.headers.get("content-length", "")
        if declared.isdigit() and int(declared) > self.options.max_response_bytes:
            raise self._too_large(response, f"declares {declared} bytes")

    def add_chunk(self, response: httpx.Response, body: bytearray, chunk: bytes) -> None:
        """Appends a decoded chunk, refusing to hold more than the cap."""
        body.extend(chunk)
        if len(body) > self.options.max_response_bytes:
            raise self._too_large(response, f"sent more than {self.options.max_response_bytes} bytes")

    def _too_large(self, response: httpx.Response, what: str) -> errors.ResponseTooLargeError:
        return errors.ResponseTooLargeError(
            f"response body {what}; the limit is max_response_bytes={self.options.max_response_bytes}",
            status_code=response.status_code,
            headers=response.headers,
            attempts=self.attempts,
        )

    def record_response(self, streamed: httpx.Response, body: bytes) -> None:
        """Keeps the attempt's response, rebuilt around the body read under the cap."""
        headers = [(k, v) for k, v in streamed.headers.multi_items() if k.lower() not in _WIRE_HEADERS]
        self.response = httpx.Response(
            streamed.status_code,
            headers=headers,
            content=body,
            request=streamed.request,
            extensions=streamed.extensions,
            history=streamed.history,
        )
        self.exception = None

    def record_exception(self, exc: httpx.HTTPError) -> None:
        self.response = None
        self.exception = exc

    def succeeded(self) -> bool:
        return self.response is not None and 200 <= self.response.status_code < 300

    def retry_delay(self) -> float | None:
        """Seconds to sleep before the next attempt, or None when the call is over."""
        if self.succeeded():
            return None
        response = self.response
        delay = next_delay(
            self.options.retries,
            attempts=self.attempts,
            elapsed=self.runtime.monotonic() - self.started,
            status=response.status_code if response is not None else None,
            headers=response.headers if response is not None else None,
            exception=self.exception,
            now=self.runtime.wall_clock(),
            random=self.runtime.random,
        )
        if delay is not None:
            cause = f"status {response.status_code}" if response is not None else type(self.exception).__name__
            logger.debug(
                "%s %s failed with %s; retry %d in %.3f s",
                self.method,
                self.path,
                cause,
                self.attempts,
                delay,
            )
        return delay

    def result(self) -> T:
        """The parsed model of the last attempt, or its typed error raised."""
        if self.exception is not None:
            raise self._transport_error(self.exception) from self.exception
        response = self.response
        assert response is not None, "result() before any attempt"
        if not self.succeeded():
            raise errors.status_error(response, attempts=self.attempts)
        try:
            payload = json.loads(response.content)
        except (ValueError, RecursionError) as exc:
            raise self._invalid(response, f"the body is not readable JSON ({type(exc).__name__}: {exc})") from exc
        try:
            return parse_model(self.expected, payload)
        except (ValueError, TypeError, KeyError, AttributeError, ModelTypeError, RecursionError) as exc:
            # A ModelTypeError names the field; for what the generated parser raised, find it.
            problem = str(exc) if isinstance(exc, ModelTypeError) else find_json_problem(self.expected, payload)
            raise self._invalid(response, problem or _explain(exc)) from exc

    def _invalid(self, response: httpx.Response, problem: str) -> errors.ResponseValidationError:
        return errors.ResponseValidationError(
            f"the {response.status_code} response is not a valid {self.expected.__name__}: {problem}",
            status_code=response.status_code,
            body=response.text,
            headers=response.headers,
            raw_response=response,
            attempts=self.attempts,
        )

    def _transport_error(self, exc: httpx.HTTPError) -> errors.OpenRouterError:
        kind = errors.APITimeoutError if isinstance(exc, httpx.TimeoutException) else errors.APIConnectionError
        detail = str(exc) or type(exc).__name__
        return kind(f"{self.method} {self.path}: {type(exc).__name__}: {detail}", attempts=self.attempts)


def _explain(exc: BaseException) -> str:
    if isinstance(exc, KeyError):
        return f"missing field {exc.args[0]!r}" if exc.args else "missing field"
    return f"{type(exc).__name__}: {exc}"
