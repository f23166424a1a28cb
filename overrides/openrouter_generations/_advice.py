"""What a failed call says: the typed error for a send that got no response, and the hint for
a status the client can explain (a 401 with no key sent, a 404 from a URL that is not the
endpoint). Pure functions of what the call knows; `_call` raises what they build.
"""

from __future__ import annotations

import socket

import httpx

from . import errors
from ._retries import is_certificate_problem, is_generation_not_found, is_retryable_exception

__all__ = ["status_hint", "transport_error"]

_TIMEOUT_KINDS: dict[type[httpx.TimeoutException], str] = {
    httpx.ConnectTimeout: "connect timeout",
    httpx.ReadTimeout: "read timeout",
    httpx.WriteTimeout: "write timeout",
    httpx.PoolTimeout: "pool timeout (the wait for a free connection of the pool)",
}
# The client's own check of the attempt's deadline words its ReadTimeout so (see `_call`).
ATTEMPT_DEADLINE = "the attempt took longer than its timeout"


def _where(exc: Exception, fallback: httpx.URL) -> tuple[str, int]:
    # httpx attaches its request to every RequestError of a send (a redirect hop's is not the
    # call's); the other send errors carry none.
    url = exc.request.url if isinstance(exc, httpx.RequestError) else fallback
    port = url.port if url.port is not None else (443 if url.scheme == "https" else 80)
    return url.host, port


def _causes(exc: BaseException) -> list[BaseException]:
    chain: list[BaseException] = []
    cause: BaseException | None = exc
    while cause is not None and cause not in chain:
        chain.append(cause)
        cause = cause.__cause__ or cause.__context__
    return chain


def transport_error(exc: Exception, call: str, url: httpx.URL, timeout: float, attempts: int) -> errors.OpenRouterError:
    """The typed error for a send of `call` ("GET /generation?id=...") to `url` that got no
    response, naming the host and port it tried and, for a timeout, which timeout ran out (with
    `timeout`, the attempt's, in seconds)."""
    host, port = _where(exc, url)
    # An exception is always true: an httpx error without words is named by its class alone.
    detail = f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__
    retryable = is_retryable_exception(exc)
    if isinstance(exc, httpx.TimeoutException):
        if str(exc).startswith(ATTEMPT_DEADLINE):
            which = "attempt's overall timeout"
        else:
            which = next((name for kind, name in _TIMEOUT_KINDS.items() if isinstance(exc, kind)), "timeout")
        message = (
            f"{call}: no complete response from {host}:{port} within the {which} of {timeout:g} s "
            f"(timeout_ms={round(timeout * 1000)} for this attempt); {detail}"
        )
        return errors.APITimeoutError(message, attempts=attempts, retryable=retryable)
    chain = _causes(exc)
    if is_certificate_problem(exc):
        what = (
            f"the TLS handshake with {host}:{port} failed: a certificate problem (the server's certificate "
            "is not trusted, has expired or is for another host); to trust a private CA, pass "
            "client=httpx.Client(verify=...)"
        )
    elif any(isinstance(c, socket.gaierror) for c in chain):
        what = f"cannot resolve the host name {host!r} (port {port}): check server_url and your DNS"
    elif any(isinstance(c, ConnectionRefusedError) for c in chain) or "refused" in str(exc).lower():
        what = f"the connection to {host}:{port} was refused: nothing listens there; check server_url"
    elif isinstance(exc, httpx.ConnectError):
        what = f"cannot connect to {host}:{port}"
    else:
        what = f"no usable response from {host}:{port}"
    return errors.APIConnectionError(f"{call}: {what}; {detail}", attempts=attempts, retryable=retryable)


def status_hint(response: httpx.Response, *, key_sent: bool) -> str:
    """What to do about a status, when the client can tell (else empty)."""
    status = response.status_code
    if status == 401 and not key_sent:
        return "no API key was given: pass api_key= to OpenRouter() or set the OPENROUTER_API_KEY environment variable"
    if status == 401:
        return "the API key was refused: check that it is a current OpenRouter key (it is not shown here)"
    if status == 404 and not is_generation_not_found(status, response.content):
        return (
            f"{response.request.url} is not OpenRouter's generation endpoint (its 404 is not the "
            "'generation not found' error): check server_url, which is the API's base, e.g. "
            "https://openrouter.ai/api/v1, without /generation"
        )
    return ""
