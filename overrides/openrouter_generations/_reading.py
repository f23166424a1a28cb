"""An attempt's answer read off the wire: under the size cap, and within the attempt's deadline.

httpx's timeout bounds each read, not an attempt as a whole: a server that trickles its headers
or its body a byte at a time could hold an attempt for ever. So the send loops read through
these steps, which check the deadline the `Call` set for the attempt after each piece, and refuse
a body past `max_response_bytes` before holding it. Functions of the call, not methods, so that
the loops' per-chunk step is one plain call.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import httpx

from . import errors
from ._advice import ATTEMPT_DEADLINE
from ._body import Body, BodyTooLarge

if TYPE_CHECKING:
    from ._call import Call

__all__ = ["add_chunk", "check_deadline", "start_body"]


def check_deadline(call: Call[Any], request: httpx.Request) -> None:
    """Raises the attempt's timeout (as httpx would word one) once its deadline has passed."""
    if call.runtime.monotonic() > call.attempt_deadline:
        raise httpx.ReadTimeout(f"{ATTEMPT_DEADLINE} of {call.attempt_timeout:g} s", request=request)


def start_body(call: Call[Any], response: httpx.Response) -> Body:
    """The body to read the response into; refuses one whose declared length exceeds the cap.

    A response that a transport built whole (`httpx.MockTransport`, a caller's own
    transport) arrives read and decoded: its body is filled here, and the loops read
    nothing more (they check `response.is_stream_consumed`).
    """
    check_deadline(call, response.request)  # the status line and headers came in too late
    limit = call.options.max_response_bytes
    declared = response.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > limit:
        raise _too_large(call, response, f"declares {declared} bytes")
    if response.is_stream_consumed:
        body = Body(None, limit)
        add_chunk(call, response, body, response.content)
        return body
    return Body(response.headers.get("content-encoding"), limit)


def add_chunk(call: Call[Any], response: httpx.Response, body: Body, chunk: bytes) -> None:
    """Takes a chunk off the wire, refusing to hold more than the cap or to read past the
    attempt's deadline."""
    try:
        body.add(chunk)
    except BodyTooLarge:
        raise _too_large(call, response, f"is larger than {call.options.max_response_bytes} bytes") from None
    check_deadline(call, response.request)


def _too_large(call: Call[Any], response: httpx.Response, what: str) -> errors.ResponseTooLargeError:
    return errors.ResponseTooLargeError(
        f"response body {what}; the limit is max_response_bytes={call.options.max_response_bytes}",
        status_code=response.status_code,
        headers=response.headers,
        attempts=call.attempts,
    )
