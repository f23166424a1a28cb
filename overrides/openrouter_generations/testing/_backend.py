"""What the fake knows and decides, whichever way a request reaches it (socket or transport)."""

from __future__ import annotations

import collections
import dataclasses
import email.utils
import math
import random
import threading
from typing import Any

from ..utils import Clock
from ._records import make_generation
from ._reply import Reply, Request, error_body

__all__ = ["ENDLESS_CHUNK", "Answer", "Backend"]

ENDLESS_CHUNK = b"x" * 65536  # what an `endless` body repeats, over the socket and in-process


@dataclasses.dataclass(frozen=True)
class Answer:
    """A reply made concrete: its body bytes, every header to send (bar Content-Length), and the
    seconds to wait before sending anything (the server-wide latency and the reply's delay)."""

    reply: Reply
    payload: bytes
    headers: list[tuple[str, str]]
    delay: float


@dataclasses.dataclass
class _Stored:
    record: dict[str, Any]
    available_at: float


class Backend:
    """Records, scripts, the request log and the server-wide knobs, behind one lock."""

    def __init__(self, *, api_key: str, clock: Clock, latency_ms: float, rate_limit_per_s: int | None) -> None:
        self.api_key = api_key
        self.clock = clock
        self.latency_ms = latency_ms
        self.rate_limit_per_s = rate_limit_per_s
        self.requests: list[Request] = []
        self.in_flight = 0
        self.peak_in_flight = 0
        self._records: dict[str, _Stored] = {}
        self._next: collections.deque[Reply] = collections.deque()
        self._scripts: dict[str, collections.deque[Reply]] = {}
        self._accepted: collections.deque[float] = collections.deque()
        self._rng = random.Random()  # noqa: S311 - made-up ids, not secrets
        self._lock = threading.Lock()

    # -- what a test sets up -----------------------------------------------------------------

    def add_generation(self, available_after_ms: float, fields: dict[str, Any]) -> dict[str, Any]:
        with self._lock:
            record = make_generation(fields, now=self.clock.time(), rng=self._rng)
            available_at = self.clock.monotonic() + max(available_after_ms, 0) / 1000.0
            self._records[str(record["id"])] = _Stored(record, available_at)
        return record

    def record(self, id: str) -> dict[str, Any] | None:
        with self._lock:
            stored = self._records.get(id)
        return None if stored is None else stored.record

    def script(self, id: str | None, replies: tuple[Reply, ...]) -> None:
        with self._lock:
            if id is None:
                self._next.extend(replies)
            else:
                self._scripts.setdefault(id, collections.deque()).extend(replies)

    def clear_scripts(self) -> None:
        with self._lock:
            self._next.clear()
            self._scripts.clear()

    # -- what a request meets ----------------------------------------------------------------

    def arrive(self, method: str, raw_path: str, headers: dict[str, str]) -> Answer:
        """Logs the request, counts it in flight (until `leave`) and decides its answer."""
        request = Request(method, raw_path, headers, self.clock.monotonic())
        with self._lock:
            self.requests.append(request)
            self.in_flight += 1
            self.peak_in_flight = max(self.peak_in_flight, self.in_flight)
            reply = self._scripted(request)
        try:
            return self._answer(request, reply if reply is not None else self._route(request))
        except BaseException:  # a body it cannot send (a script's own error): that request is over
            self.leave()
            raise

    def leave(self) -> None:
        with self._lock:
            self.in_flight -= 1

    def _scripted(self, request: Request) -> Reply | None:
        if self._next:
            return self._next.popleft()
        ids = request.ids
        queue = self._scripts.get(ids[0]) if len(ids) == 1 else None
        return queue.popleft() if queue else None

    def _route(self, request: Request) -> Reply:
        """The routes of the real service: the stored generation, or the documented errors."""
        auth = request.headers.get("authorization", "")
        if not auth.startswith("Bearer ") or not auth[len("Bearer ") :].strip():
            return Reply(401, error_body(401, "No auth credentials found"))
        if auth != f"Bearer {self.api_key}":
            return Reply(401, error_body(401, "User not found."))
        if (limited := self._rate_limited()) is not None:
            return limited
        if not request.path.endswith("/generation"):
            return Reply(404)  # the default body: the documented error, "Not Found"
        if request.method != "GET":
            return Reply(405, headers={"Allow": "GET"})  # "Method Not Allowed", by default
        ids = request.ids
        if len(ids) != 1 or not ids[0]:
            return Reply(400, error_body(400, "Exactly one non-empty id is required"))
        with self._lock:
            stored = self._records.get(ids[0])
        if stored is None or self.clock.monotonic() < stored.available_at:
            return Reply(404, error_body(404, f"Generation {ids[0]} not found"))
        return Reply(200)

    def _rate_limited(self) -> Reply | None:
        limit = self.rate_limit_per_s
        if limit is None:
            return None
        now = self.clock.monotonic()
        with self._lock:
            while self._accepted and self._accepted[0] <= now - 1.0:
                self._accepted.popleft()
            if len(self._accepted) < limit:
                self._accepted.append(now)
                return None
            wait = self._accepted[0] + 1.0 - now
        reset_ms = int((self.clock.time() + wait) * 1000)
        headers = {
            "Retry-After": str(max(1, math.ceil(wait))),
            "X-RateLimit-Limit": str(limit),
            "X-RateLimit-Remaining": "0",
            "X-RateLimit-Reset": str(reset_ms),
        }
        return Reply(429, error_body(429, "Rate limit exceeded"), headers=headers)

    def _answer(self, request: Request, reply: Reply) -> Answer:
        payload = reply.payload(self._default_body(request, reply.status))
        headers: list[tuple[str, str]] = []
        if not any(name.lower() == "date" for name in reply.headers):
            headers.append(("Date", email.utils.formatdate(self.clock.time(), usegmt=True)))
        if reply.content_type:
            headers.append(("Content-Type", reply.content_type))
        headers.extend(reply.headers.items())
        return Answer(reply, payload, headers, self.latency_ms / 1000.0 + reply.delay)

    def _default_body(self, request: Request, status: int) -> Any:
        if status >= 400:
            return error_body(status)
        if not 200 <= status < 300:
            return b""
        ids = request.ids
        id = ids[0] if len(ids) == 1 else ""
        record = self.record(id)
        if record is None:  # a scripted success for an id never added: a generation of that id
            record = make_generation({"id": id} if id else {}, now=self.clock.time(), rng=self._rng)
        return {"data": record}
