"""The exceptions a call can raise, all under `OpenRouterError`, with the documented names.

The generator returns error statuses as values (and crashes on 524/529 and on non-JSON bodies);
this module turns whatever arrived into one typed exception that keeps every byte of it. The
construction lives here once and serves every operation, sync and async alike.

Every name of the official SDK's `errors` module that a status of this operation can bring is
here, so that code written for it catches what it expects: the classes it raises for
`get_generation` (400 to 529) under `OpenRouterError` as there, and those it has for other
operations (408, 409, 410, 413, 422, 499, 503, 504), which its `get_generation` raises as
`OpenRouterDefaultError`, as subclasses of that. `NoResponseError` is the base of the errors that
come with no response at all.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

import httpx

from .utils import DEFAULT_RETRY_STATUSES

if TYPE_CHECKING:
    from openrouter_generations_client.models.error_response import ErrorResponse

__all__ = [
    "APIConnectionError",
    "APITimeoutError",
    "BadGatewayResponseError",
    "BadRequestResponseError",
    "ClientClosedRequestResponseError",
    "ConflictResponseError",
    "EdgeNetworkTimeoutResponseError",
    "ErrorResponse",
    "ForbiddenResponseError",
    "GatewayTimeoutResponseError",
    "GoneResponseError",
    "InternalServerResponseError",
    "NoResponseError",
    "NotFoundResponseError",
    "OpenRouterDefaultError",
    "OpenRouterError",
    "PayloadTooLargeResponseError",
    "PaymentRequiredResponseError",
    "ProviderOverloadedResponseError",
    "RequestTimeoutResponseError",
    "ResponseTooLargeError",
    "ResponseValidationError",
    "ServiceUnavailableResponseError",
    "TooManyRequestsResponseError",
    "UnauthorizedResponseError",
    "UnprocessableEntityResponseError",
    "error_class_for_status",
]


class OpenRouterError(Exception):
    """Base of every error this package raises once a call has begun.

    `status_code` is None when no response arrived (connection errors, timeouts). `body` is the
    raw response text, whatever its format; `data` the parsed error object when the body was
    one. `raw_response` is the last `httpx.Response` (its `.request` is the only place the API
    key can be found). `attempts` counts the requests made, retries included.

    `retryable` says whether trying again later makes sense (a rate limit, a server fault, a
    refused connection or a timeout), so a caller can decide without a table of statuses; a 404
    is not, unless you just made the generation (see `RetryConfig.retry_not_found_for`). `hint`
    is what to do about it, when the client knows (it is part of `str(error)`; `message` stays
    the server's own words).
    """

    def __init__(
        self,
        message: str,
        *,
        status_code: int | None = None,
        body: str = "",
        headers: httpx.Headers | None = None,
        raw_response: httpx.Response | None = None,
        data: ErrorResponse | None = None,
        attempts: int = 1,
        retryable: bool | None = None,
        hint: str = "",
    ) -> None:
        super().__init__(message)
        self.message = message
        self.status_code = status_code
        self.body = body
        self.headers = headers if headers is not None else httpx.Headers()
        self.raw_response = raw_response
        self.data = data
        self.attempts = attempts
        self.retryable = retryable if retryable is not None else status_code in DEFAULT_RETRY_STATUSES
        self.hint = hint

    def __str__(self) -> str:
        where = f"HTTP {self.status_code}: " if self.status_code is not None else ""
        tries = f" (after {self.attempts} attempts)" if self.attempts > 1 else ""
        hint = f"; {self.hint}" if self.hint else ""
        return f"{where}{self.message}{tries}{hint}"

    def __repr__(self) -> str:
        return f"{type(self).__name__}(status_code={self.status_code!r}, message={self.message!r})"


class BadRequestResponseError(OpenRouterError):
    """400: the request is malformed (e.g. no `id`)."""


class UnauthorizedResponseError(OpenRouterError):
    """401: the API key is missing, malformed, disabled or unknown."""


class PaymentRequiredResponseError(OpenRouterError):
    """402: the account is out of credits."""


class ForbiddenResponseError(OpenRouterError):
    """403: the key may not read this generation."""


class NotFoundResponseError(OpenRouterError):
    """404: no such generation, or not queryable yet (see `RetryConfig.retry_not_found_for`)."""


class TooManyRequestsResponseError(OpenRouterError):
    """429: rate limited."""


class InternalServerResponseError(OpenRouterError):
    """500: OpenRouter failed internally."""


class BadGatewayResponseError(OpenRouterError):
    """502: a provider or proxy in front of OpenRouter failed."""


class EdgeNetworkTimeoutResponseError(OpenRouterError):
    """524: the edge network timed out waiting for OpenRouter."""


class ProviderOverloadedResponseError(OpenRouterError):
    """529: the provider is overloaded."""


class OpenRouterDefaultError(OpenRouterError):
    """Any other non-success status."""


class RequestTimeoutResponseError(OpenRouterDefaultError):
    """408: the server timed out waiting for the request."""


class ConflictResponseError(OpenRouterDefaultError):
    """409: a conflict of the moment."""


class GoneResponseError(OpenRouterDefaultError):
    """410: gone for good."""


class PayloadTooLargeResponseError(OpenRouterDefaultError):
    """413: the request is too large."""


class UnprocessableEntityResponseError(OpenRouterDefaultError):
    """422: the request is well-formed but its values are not accepted."""


class ClientClosedRequestResponseError(OpenRouterDefaultError):
    """499: the request was closed before the server answered."""


class ServiceUnavailableResponseError(OpenRouterDefaultError):
    """503: the service is unavailable for now."""


class GatewayTimeoutResponseError(OpenRouterDefaultError):
    """504: a gateway timed out waiting for OpenRouter."""


class ResponseValidationError(OpenRouterError):
    """A success status whose body is not the documented shape; `body` keeps the raw text.

    `payload` keeps the decoded JSON (None when the body was not JSON), so that one field the
    client could not read does not cost the caller the others: `payload["data"]["total_cost"]`
    is still there. Its values are as they were sent, unchecked.
    """

    def __init__(self, message: str, *, payload: Any = None, **kwargs: Any) -> None:
        super().__init__(message, **kwargs)
        self.payload = payload


class ResponseTooLargeError(OpenRouterError):
    """The body exceeded the client's `max_response_bytes`; reading stopped there."""


class NoResponseError(OpenRouterError):
    """No response arrived at all (the official SDK's name for it)."""


class APIConnectionError(NoResponseError):
    """No response arrived: the connection was refused, reset or closed early, the host name did
    not resolve, or the TLS handshake failed."""


class APITimeoutError(APIConnectionError):
    """No response arrived in time (connect, read, write or waiting for a pooled connection)."""


_STATUS_ERRORS: dict[int, type[OpenRouterError]] = {
    400: BadRequestResponseError,
    401: UnauthorizedResponseError,
    402: PaymentRequiredResponseError,
    403: ForbiddenResponseError,
    404: NotFoundResponseError,
    408: RequestTimeoutResponseError,
    409: ConflictResponseError,
    410: GoneResponseError,
    413: PayloadTooLargeResponseError,
    422: UnprocessableEntityResponseError,
    429: TooManyRequestsResponseError,
    499: ClientClosedRequestResponseError,
    500: InternalServerResponseError,
    502: BadGatewayResponseError,
    503: ServiceUnavailableResponseError,
    504: GatewayTimeoutResponseError,
    524: EdgeNetworkTimeoutResponseError,
    529: ProviderOverloadedResponseError,
}


def error_class_for_status(status_code: int) -> type[OpenRouterError]:
    """The documented class for a status; `OpenRouterDefaultError` for any other."""
    return _STATUS_ERRORS.get(status_code, OpenRouterDefaultError)


def response_text(response: httpx.Response) -> str:
    """The body as text; UTF-8 with replacements when the declared charset cannot decode it
    (`charset=rot13` and other codecs that are not text encodings make `.text` raise)."""
    try:
        return response.text
    except Exception:  # whatever a codec named by the server raises
        return response.content.decode("utf-8", "replace")


def parse_error_body(content: bytes) -> tuple[ErrorResponse | None, str | None]:
    """The shared error object (None when the body is anything else: HTML, empty, other JSON)
    and the server's `error.message`, which is kept even when the rest is off the schema."""
    from openrouter_generations_client.models.error_response import ErrorResponse

    from ._validation import ModelTypeError, loads_json, parse_model  # imported on first use, as `ErrorResponse`

    try:
        payload = loads_json(content)
    except (ValueError, RecursionError):
        return None, None
    try:
        data = parse_model(ErrorResponse, payload)
    except (ValueError, TypeError, KeyError, AttributeError, ModelTypeError, RecursionError):
        data = None
    error = payload.get("error") if isinstance(payload, dict) else None
    message = error.get("message") if isinstance(error, dict) else None
    return data, message if isinstance(message, str) and message else None


def __getattr__(name: str) -> Any:
    # The generated model and the checks of a body are imported when an error first needs them,
    # not with the package (`import openrouter_generations` stays light).
    if name == "ErrorResponse":
        from openrouter_generations_client.models.error_response import ErrorResponse

        return ErrorResponse
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


_SPACE = re.compile(r"\s+")
# Bounded on both sides, so that each "<title" of a hostile body costs a few hundred steps at
# most, not a scan to the end of the body.
_TITLE = re.compile(rb"<title[^>]{0,200}>([^<]{0,500})</title>", re.IGNORECASE)


def describe_body(content: bytes, content_type: str | None) -> str:
    """A one-line account of a body that was not the error object, for the error message."""
    if not content:
        return "empty body"
    kind = (content_type or "no content type").split(";")[0].strip()
    title = _TITLE.search(content[:65536])
    text = title.group(1).decode("utf-8", "replace") if title else content[:200].decode("utf-8", "replace")
    snippet = _SPACE.sub(" ", text).strip()
    if len(snippet) > 120:
        snippet = snippet[:117] + "..."
    return f"{kind} body of {len(content)} bytes: {snippet!r}"


def status_error(response: httpx.Response, *, attempts: int, hint: str) -> OpenRouterError:
    """The typed error for a non-success response whose body has been read."""
    content = response.content
    data, message = parse_error_body(content)
    if message is None:
        message = describe_body(content, response.headers.get("content-type"))
    return error_class_for_status(response.status_code)(
        message,
        status_code=response.status_code,
        body=response_text(response),
        headers=response.headers,
        raw_response=response,
        data=data,
        attempts=attempts,
        hint=hint,
    )
