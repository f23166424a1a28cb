"""The end of a call: its last attempt turned into the typed model or the typed error.

Apart from `Call`'s per-attempt steps because it runs once, when the loops are done, and because
it is where the API key is kept out of what a caller sees: an error's message, body and decoded
payload are masked here, whatever the server or a caller's transport echoed back.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, TypeVar

import httpx

from . import errors
from ._advice import status_hint, transport_error
from ._validation import ModelTypeError, find_json_problem, loads_json, parse_model

if TYPE_CHECKING:
    from ._call import Call

__all__ = ["mask_key", "outcome", "rebuilt_response"]

T = TypeVar("T")

# Headers that describe the bytes on the wire, not the decoded body kept after a capped read.
_WIRE_HEADERS = frozenset({b"content-encoding", b"content-length", b"transfer-encoding"})
# Keys shorter than this are not masked in errors (a real OpenRouter key is ~70 characters).
_MIN_MASKED_KEY = 8


def outcome(call: Call[T]) -> T:
    """The parsed model of the call's last attempt, or its typed error raised (for `mask_key`)."""
    if call.exception is not None:
        # The httpx error is kept as the cause, unless it quotes the key (a caller's own
        # transport may word its errors with the request's headers).
        cause = None if _quotes_key(call.secret, str(call.exception)) else call.exception
        where = httpx.URL(call.options.server_url + call.path)
        named = f"{call.method} {call.target}"
        raise transport_error(call.exception, named, where, call.attempt_timeout, call.attempts) from cause
    content = call.content
    assert content is not None  # the loops ask for a result only after an attempt
    if not call.succeeded():
        response = _rebuilt(call)
        raise errors.status_error(
            response, attempts=call.attempts, hint=status_hint(response, key_sent=bool(call.secret))
        )
    if call.body_problem is not None:
        raise _invalid(call, call.body_problem)
    try:
        payload = loads_json(content)
    except (ValueError, RecursionError) as exc:
        raise _invalid(call, f"the body is not readable JSON ({type(exc).__name__}: {exc})") from exc
    try:
        return parse_model(call.expected, payload)
    except (ValueError, TypeError, KeyError, AttributeError, ModelTypeError, RecursionError) as exc:
        # A ModelTypeError names the field; for what the generated parser raised, find it.
        problem = str(exc) if isinstance(exc, ModelTypeError) else find_json_problem(call.expected, payload)
        raise _invalid(call, problem or _explain(exc), payload) from exc


def mask_key(error: errors.OpenRouterError, key: str) -> None:
    """Replaces `key` in the error's message and body, and in its decoded payload, if it has one;
    `raw_response` keeps the bytes as they arrived."""
    if _quotes_key(key, error.message) or _quotes_key(key, error.body):
        error.message = error.message.replace(key, "<api key>")
        error.body = error.body.replace(key, "<api key>")
        error.args = (error.message,)
    if isinstance(error, errors.ResponseValidationError) and len(key) >= _MIN_MASKED_KEY:
        # The decoded JSON can hold the key where the text had it escaped (`\u0073k-...`).
        error.payload = _masked(error.payload, key)


def rebuilt_response(streamed: httpx.Response, content: bytes) -> httpx.Response:
    """`streamed` as a whole response around `content`, the body read under the cap (decoded).

    It has no history: the loops follow redirects themselves, each hop a send of its own."""
    # The raw header bytes, as they came: decoded values need not encode back to ASCII.
    headers = [(k, v) for k, v in streamed.headers.raw if k.lower() not in _WIRE_HEADERS]
    return httpx.Response(
        streamed.status_code,
        headers=headers,
        content=content,
        request=streamed.request,
        extensions=streamed.extensions,
    )


def _rebuilt(call: Call[Any]) -> httpx.Response:
    response = call.response
    assert response is not None
    return response


def _invalid(call: Call[Any], problem: str, payload: Any = None) -> errors.ResponseValidationError:
    response = _rebuilt(call)
    return errors.ResponseValidationError(
        f"the {response.status_code} response is not a valid {call.expected.__name__}: {problem}",
        status_code=response.status_code,
        body=errors.response_text(response),
        headers=response.headers,
        raw_response=response,
        attempts=call.attempts,
        payload=payload,
    )


def _quotes_key(key: str, text: str) -> bool:
    # A key too short to be a real one would match ordinary text: it is no secret to mask.
    return len(key) >= _MIN_MASKED_KEY and key in text


def _masked(value: Any, key: str) -> Any:
    """Decoded JSON with every occurrence of `key` in its strings, keys included, masked."""
    if isinstance(value, str):
        return value.replace(key, "<api key>")
    if isinstance(value, list):
        return [_masked(item, key) for item in value]
    if isinstance(value, dict):
        return {_masked(k, key): _masked(v, key) for k, v in value.items()}
    return value


def _explain(exc: BaseException) -> str:
    if isinstance(exc, KeyError):
        return f"missing field {exc.args[0]!r}" if exc.args else "missing field"
    return f"{type(exc).__name__}: {exc}"
