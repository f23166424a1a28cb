"""What a test scripts (`Reply`) and what the fake saw (`Request`)."""

from __future__ import annotations

import dataclasses
import http
import json
import urllib.parse
from typing import Any

__all__ = ["Reply", "Request", "error_body"]


def error_body(status: int, message: str | None = None) -> dict[str, Any]:
    """The error object of openapi.yaml (`ErrorResponse`), as OpenRouter sends it."""
    if message is None:
        try:
            message = http.HTTPStatus(status).phrase
        except ValueError:
            message = f"Error {status}"
    return {"error": {"code": status, "message": message}, "user_id": None}


@dataclasses.dataclass
class Reply:
    """One scripted answer, and the network faults around it.

    `body` may be a JSON-able object, str or bytes (say, a CDN's HTML page); None means the
    default: the generation's `{"data": ...}` for a 2xx on a known id (a made-up one otherwise),
    the documented error body for a 4xx/5xx, nothing for other statuses. A `Date` in `headers`
    replaces the fake's own. Faults, in the order they happen:
    - `delay`: seconds before anything is sent (real time: a client's timeout runs meanwhile);
    - `close`: the connection is closed without an answer;
    - `stall`: seconds between the headers and the body;
    - `drop_after`: only that many body bytes are sent (with the full Content-Length), then the
      connection drops;
    - `trickle`: the body is sent one byte per that many seconds;
    - `endless`: a chunked body that never ends.
    """

    status: int = 200
    body: Any = None
    headers: dict[str, str] = dataclasses.field(default_factory=dict)
    content_type: str | None = "application/json"
    delay: float = 0.0
    stall: float = 0.0
    drop_after: int | None = None
    trickle: float = 0.0
    endless: bool = False
    close: bool = False

    def payload(self, default: Any = b"") -> bytes:
        """The body as bytes, with `default` standing in for a body of None."""
        body = default if self.body is None else self.body
        if isinstance(body, bytes):
            return body
        if isinstance(body, str):
            return body.encode("utf-8")
        return json.dumps(body).encode("utf-8")


@dataclasses.dataclass(frozen=True)
class Request:
    """A request as it reached the fake: `raw_path` is its target byte for byte (as ASCII),
    `headers` have lower-case names, `at` is the fake clock's `monotonic()` on arrival."""

    method: str
    raw_path: str
    headers: dict[str, str]
    at: float = 0.0

    @property
    def path(self) -> str:
        """The path without the query, e.g. `/api/v1/generation`."""
        return urllib.parse.urlsplit(self.raw_path).path

    @property
    def ids(self) -> list[str]:
        """Every `id` value in the query, decoded as a server framework would."""
        query = urllib.parse.urlsplit(self.raw_path).query
        return [v for k, v in urllib.parse.parse_qsl(query, keep_blank_values=True) if k == "id"]
