"""One call of one generated operation: every step but sending and sleeping.

A `Call` builds the request from the generated module's `_get_kwargs`, follows redirects, keeps
each attempt's answer (read under the size cap and within the attempt's time by `_reading`),
decides about retries (via `_retries`), and turns the last outcome into the typed model or the
typed error (via `_outcome`). The sync and async loops in `_client` drive it and differ only in
how they send and sleep, so the two cannot disagree on any decision. Nothing here knows about a
particular operation: a new operation in the spec is served as it is generated.
"""

from __future__ import annotations

import dataclasses
import ipaddress
import logging
import types
import urllib.parse
from collections.abc import Callable, Mapping
from typing import Any, Generic, TypeVar

import httpx

from . import errors
from ._body import ACCEPT_ENCODING, Body
from ._outcome import mask_key, outcome, rebuilt_response
from ._reading import check_deadline
from ._retries import budget_seconds, is_retried, next_delay, retry_reserve, waits_for_generation
from .utils import RetryConfig

__all__ = ["SEND_ERRORS", "Call", "CallOptions", "Runtime", "check_server_url", "request_headers"]

logger = logging.getLogger("openrouter_generations")
# A library's lines reach only the handlers its application configures: without this, Python's
# last-resort handler would print every WARNING (a call that gave up) to a program's stderr.
logger.addHandler(logging.NullHandler())

T = TypeVar("T")

# A retry's timeout is never cut below this, whatever the clock did during the wait before it.
_MIN_ATTEMPT_TIMEOUT = 0.05

#: What a send can raise instead of answering: httpx's own errors, and the few a hostile
#: redirect gets out of httpx unwrapped (an unparsable or non-IDNA `Location`).
SEND_ERRORS: tuple[type[Exception], ...] = (httpx.HTTPError, httpx.InvalidURL, UnicodeError)


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
    #: Set or replace any header of the call's requests, last (the key is masked from it too).
    http_headers: Mapping[str, str] | None = dataclasses.field(default=None, repr=False)
    #: Where the call's retry, give-up and recovery lines go.
    logger: logging.Logger = logger
    #: The headers every call of a client sends, built once per client (`request_headers`).
    headers: httpx.Headers | None = dataclasses.field(default=None, repr=False)


def request_headers(
    user_agent: str, auth_header: str | None, operation_headers: dict[str, str] | None = None
) -> dict[str, str]:
    """The headers a call sends; a client builds its own once, as `httpx.Headers`.

    Header parameters of an operation, if it has any, go out with the client's own.
    """
    headers = {**(operation_headers or {}), "User-Agent": user_agent}
    headers.setdefault("Accept", "application/json")
    headers["Accept-Encoding"] = ACCEPT_ENCODING  # all that `Body` decodes
    if auth_header is not None:
        headers["Authorization"] = auth_header
    return headers


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
    if parsed.userinfo:
        # Credentials in the URL would replace the key with Basic auth, and show in every repr.
        raise ValueError("server_url must not carry credentials; pass the key as api_key")
    if "?" in url or "#" in url:  # even an empty one: the operation's path would land after it
        raise ValueError(f"server_url must not have a query or fragment: {url!r}")
    if not _valid_port(parsed):
        raise ValueError(f"server_url has an invalid port: {url!r}")
    if parsed.scheme == "http" and has_key and not allow_insecure_http and not _is_loopback(parsed.host):
        raise ValueError(
            f"refusing to send the API key over plain HTTP to {parsed.host!r}; use https, or pass "
            "allow_insecure_http=True to OpenRouter() if this is really what you want"
        )
    return url.rstrip("/")


def _valid_port(url: httpx.URL) -> bool:
    return url.port is None or 0 < url.port < 65536


def _is_loopback(host: str) -> bool:
    """Whether `host`, as httpx parses it (an IPv6 address without its brackets), is loopback."""
    if host.lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
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
        self.expected = expected
        self.options = options
        self.runtime = runtime
        self.attempts = 0
        self.not_found = 0  # attempts that ended in a 404 retried under `retry_not_found_for`
        self.hops: int  # redirects followed in the current attempt (set by `build_request`)
        self.excused = 0  # attempts a batch took upon itself (see `excuse_attempt`)
        self.started = runtime.monotonic()
        self.queued = 0.0  # seconds spent waiting for admission, which the call's clock leaves out
        self.attempt_timeout: float  # the current attempt's timeout (set by `build_request`)
        self.attempt_deadline: float  # when the current attempt's time is up (set by `build_request`)
        kwargs: dict[str, Any] = endpoint._get_kwargs(**params)
        self.method: str = kwargs.pop("method").upper()
        self.path: str = kwargs.pop("url")
        operation_headers = kwargs.pop("headers", None)
        self.headers: httpx.Headers | dict[str, str]
        #: The key to keep out of messages: whatever Authorization goes out, the caller's own too.
        self.secret: str
        if options.headers is not None and not operation_headers and not options.http_headers:
            self.headers = options.headers  # the client's own, built once
            self.secret = (options.auth_header or "").removeprefix("Bearer ")
        else:
            headers = request_headers(options.user_agent, options.auth_header, operation_headers)
            self.secret = _set_headers(headers, options.http_headers or {})
            self.headers = headers
        self.request_kwargs = kwargs
        self._url: httpx.URL | None = None
        self._other_kwargs: dict[str, Any]  # the request's other arguments, set with `_url`
        # The last attempt's outcome, set by `record_response` or `record_exception`.
        self._status: int | None
        self._answer: tuple[httpx.Response, bytes] | None
        self._response: httpx.Response | None
        self.body_problem: str | None
        self.exception: Exception | None

    @property
    def target(self) -> str:
        """The call as log lines and errors name it (concurrent lookups are told apart by their
        query); worded only when one needs it."""
        query = urllib.parse.urlencode(self.request_kwargs.get("params") or {}, doseq=True)
        return f"{self.path}?{query}" if query else self.path

    def admitted(self, queued_since: float) -> None:
        """The next attempt may begin: it waited for a pooled connection (or a batch's slot)
        since `queued_since`. That wait is the client's own queue, not the server's answer, so
        it counts against neither the attempt's timeout (which starts now) nor the retry
        budget."""
        self.queued += max(self.runtime.monotonic() - queued_since, 0.0)

    def excuse_attempt(self) -> None:
        """The last attempt failed for a reason its batch has taken upon itself (a rate limit
        the whole batch waits out): it is not one of this call's retries."""
        self.excused += 1

    def elapsed(self) -> float:
        """Seconds of the call's retry budget used: since it began, less its time in queues."""
        return self.runtime.monotonic() - self.started - self.queued

    def build_request(self, client: httpx.Client | httpx.AsyncClient) -> httpx.Request:
        """The next attempt's request. The first has the call's whole timeout; a retry's is cut
        to what remains of the retry budget. The timeout bounds the attempt as a whole, not
        only each read: a body trickled byte by byte cannot stretch it."""
        self.attempts += 1
        self.hops = 0
        now = self.runtime.monotonic()
        timeout = self.options.timeout
        if self.attempts > 1:
            remaining = budget_seconds(self.options.retries) - self.elapsed()
            timeout = max(min(timeout, remaining), _MIN_ATTEMPT_TIMEOUT)
        self.attempt_timeout = timeout
        self.attempt_deadline = now + timeout
        extensions = {"timeout": dict.fromkeys(("connect", "read", "write", "pool"), timeout)}
        try:
            if client.params:  # httpx would put the client's query in place of the URL's own
                return client.build_request(
                    self.method,
                    self.options.server_url + self.path,
                    headers=self.headers,
                    extensions=extensions,
                    **self.request_kwargs,
                )
            if self._url is None:  # parsed once for all attempts, query included
                kwargs = self.request_kwargs
                params = kwargs.get("params")
                query = f"?{httpx.QueryParams(params)}" if params else ""
                self._url = httpx.URL(self.options.server_url + self.path + query)
                self._other_kwargs = {k: v for k, v in kwargs.items() if k != "params"}
            return client.build_request(
                self.method, self._url, headers=self.headers, extensions=extensions, **self._other_kwargs
            )
        except httpx.InvalidURL as exc:  # e.g. parameters too long for a URL
            raise ValueError(f"cannot build the request for {self.method} {self.path}: {exc}") from exc

    def redirect(self, response: httpx.Response, max_redirects: int) -> httpx.Request | None:
        """The request a redirect asks for, or None to take `response` as the attempt's answer.

        The loops follow redirects themselves (httpx would read each 3xx body whole, past the
        size cap). httpx builds the next request, dropping `Authorization` when it leaves the
        origin; the loops send it without the client's `auth`, which httpx would not reapply
        either. Past `max_redirects` hops, or to a port no socket has, the 3xx itself becomes
        the answer, an error.
        """
        target = response.next_request
        if target is None or self.hops >= max_redirects or not _valid_port(target.url):
            return None
        check_deadline(self, response.request)
        self.hops += 1
        # A hop has what is left of the attempt's time, not a whole timeout of its own.
        remaining = max(self.attempt_deadline - self.runtime.monotonic(), _MIN_ATTEMPT_TIMEOUT)
        target.extensions = {**target.extensions, "timeout": httpx.Timeout(remaining).as_dict()}
        return target

    def record_response(self, streamed: httpx.Response, body: Body) -> None:
        """Keeps the attempt's status and body (and the response, for `response`)."""
        content = body.content()
        self._status = streamed.status_code
        self._answer = (streamed, content)
        self._response = None
        self.body_problem = body.problem
        self.exception = None
        if waits_for_generation(self.options.retries, streamed.status_code, content):
            self.not_found += 1

    def record_exception(self, exc: Exception) -> None:
        self._status = None
        self._answer = None
        self._response = None
        self.body_problem = None
        self.exception = exc

    @property
    def content(self) -> bytes | None:
        """The last attempt's body as read under the cap (decoded), or None if none arrived."""
        return self._answer[1] if self._answer is not None else None

    @property
    def response(self) -> httpx.Response | None:
        """The last attempt's response, rebuilt around the body read under the cap; built when
        first asked for (an error, a retry's decision), since a success needs only its bytes."""
        if self._response is None and self._answer is not None:
            self._response = rebuilt_response(*self._answer)
        return self._response

    def succeeded(self) -> bool:
        return self._status is not None and 200 <= self._status < 300

    def retry_delay(self) -> float | None:
        """Seconds to sleep before the next attempt, or None when the call is over.

        Each retry is logged at DEBUG; the end of a call that retried (or would have, had time or
        attempts been left) is one line at INFO (answered) or WARNING (gave up).
        """
        log = self.options.logger
        if self.succeeded():
            if self.attempts > 1:
                log.info("%s answered after %d attempts in %.3f s", self._named(), self.attempts, self._spent())
            return None
        response = self.response
        content = response.content if response is not None else None
        delay = next_delay(
            self.options.retries,
            attempts=self.attempts - self.excused,
            elapsed=self.elapsed(),
            status=response.status_code if response is not None else None,
            headers=response.headers if response is not None else None,
            exception=self.exception,
            now=self.runtime.wall_clock(),
            random=self.runtime.random,
            not_found=self.not_found,
            reserve=retry_reserve(self.options.retries, self.options.timeout),
            content=content,
        )
        cause = f"status {response.status_code}" if response is not None else type(self.exception).__name__
        if delay is not None:
            log.debug("%s failed with %s; retry %d in %.3f s", self._named(), cause, self.attempts, delay)
        elif self.attempts > 1 or is_retried(
            self.options.retries, response.status_code if response is not None else None, content, self.exception
        ):
            log.warning(
                "%s gave up after %d attempts in %.3f s: %s", self._named(), self.attempts, self._spent(), cause
            )
        return delay

    def _named(self) -> str:
        return f"{self.method} {self.target}"

    def _spent(self) -> float:
        return self.runtime.monotonic() - self.started

    def result(self) -> T:
        """The parsed model of the last attempt, or its typed error raised.

        The error's message and body never show the API key, even when a server or a caller's
        transport echoes it back; `raw_response` keeps the bytes as they arrived.
        """
        try:
            return outcome(self)
        except errors.OpenRouterError as error:
            mask_key(error, self.secret)
            raise


def _set_headers(headers: dict[str, str], given: Mapping[str, str]) -> str:
    """Sets or replaces (whatever the case of their names) the `given` headers; returns the
    secret the Authorization header that goes out carries, for the call to keep out of messages."""
    for name, value in given.items():
        for same in [have for have in headers if have.lower() == name.lower()]:
            del headers[same]
        headers[name] = value
    auth = next((v for k, v in headers.items() if k.lower() == "authorization"), "")
    return auth.removeprefix("Bearer ").strip()
