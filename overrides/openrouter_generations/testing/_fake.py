"""`FakeOpenRouter`: the facade a test holds."""

from __future__ import annotations

import secrets
from typing import TYPE_CHECKING, Any

from ..utils import Clock
from ._backend import Backend
from ._clock import VirtualClock
from ._reply import Reply, Request
from ._server import Server
from ._transport import FakeTransport

if TYPE_CHECKING:
    from .._client import OpenRouter

__all__ = ["FakeOpenRouter"]


class FakeOpenRouter:
    """A fake OpenRouter `GET /generation` on 127.0.0.1 (a free port unless `port` is given).

    Use it as a context manager, or `start()` and `stop()`. It answers like the real service:
    the stored generation for the accepted key (`api_key`, settable), 401 with the documented
    error body for a missing or wrong key, 404 for an unknown id, 400 for a missing or empty id.
    `latency_ms` is added to every answer (real time); beyond `rate_limit_per_s` requests in any
    second it answers 429 with `Retry-After`. Time, for `available_after_ms` and the rate limit,
    is `clock`'s: a `VirtualClock` unless given, shared with the clients from `client()`.
    """

    def __init__(
        self,
        *,
        api_key: str | None = None,
        latency_ms: float = 0,
        rate_limit_per_s: int | None = None,
        clock: Clock | None = None,
        host: str = "127.0.0.1",
        port: int = 0,
    ) -> None:
        if not latency_ms >= 0:
            raise ValueError(f"latency_ms must be >= 0, not {latency_ms!r}")
        if rate_limit_per_s is not None and (isinstance(rate_limit_per_s, bool) or rate_limit_per_s < 1):
            raise ValueError(f"rate_limit_per_s must be an int >= 1 or None, not {rate_limit_per_s!r}")
        self.clock: Clock = clock if clock is not None else VirtualClock()
        self._backend = Backend(
            api_key=api_key if api_key is not None else f"sk-or-v1-fake-{secrets.token_hex(16)}",
            clock=self.clock,
            latency_ms=latency_ms,
            rate_limit_per_s=rate_limit_per_s,
        )
        self._host, self._port = host, port
        self._server: Server | None = None

    # -- lifecycle ---------------------------------------------------------------------------

    def start(self) -> FakeOpenRouter:
        """Starts serving on the socket; returns self."""
        if self._server is not None:
            raise RuntimeError("this FakeOpenRouter is already serving")
        self._server = Server(self._backend, host=self._host, port=self._port)
        self._server.start()
        return self

    def stop(self) -> None:
        """Stops serving and closes the socket (records and the request log stay readable)."""
        server, self._server = self._server, None
        if server is not None:
            server.stop()

    def __enter__(self) -> FakeOpenRouter:
        return self.start()

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    def __repr__(self) -> str:
        where = self._server.url if self._server is not None else "not serving"
        return f"FakeOpenRouter({where}, generations={len(self._backend._records)})"

    # -- where to reach it -------------------------------------------------------------------

    @property
    def url(self) -> str:
        """The origin, e.g. `http://127.0.0.1:54321`; the lookup answers at any path ending in `/generation`."""
        if self._server is None:
            raise RuntimeError("start the FakeOpenRouter first (use it as a context manager, or call start())")
        return self._server.url

    @property
    def server_url(self) -> str:
        """What to pass as `OpenRouter(server_url=...)`: the URL shaped like the real `/api/v1`."""
        return f"{self.url}/api/v1"

    @property
    def api_key(self) -> str:
        """The one key answered with 200; any other gets 401."""
        return self._backend.api_key

    @api_key.setter
    def api_key(self, value: str) -> None:
        self._backend.api_key = value

    def client(self, **overrides: Any) -> OpenRouter:
        """An `OpenRouter` for this fake, on its clock (retry waits cost no real time).

        Socket-served when started, else in-process through `transport()`; keyword arguments
        override those of `OpenRouter(...)`.
        """
        from .._client import OpenRouter

        kwargs: dict[str, Any] = {"api_key": self.api_key, "clock": self.clock}
        if self._server is not None:
            kwargs["server_url"] = self.server_url
        else:
            import httpx

            kwargs["server_url"] = "https://openrouter.invalid/api/v1"
            kwargs["client"] = httpx.Client(transport=self.transport())
            kwargs["async_client"] = httpx.AsyncClient(transport=self.transport())
        kwargs.update(overrides)
        return OpenRouter(**kwargs)

    def transport(self) -> FakeTransport:
        """An httpx transport (sync and async) answering from these records and scripts in-process."""
        return FakeTransport(self._backend)

    # -- what a test sets up -----------------------------------------------------------------

    def add_generation(self, *, available_after_ms: float = 0, **fields: Any) -> dict[str, Any]:
        """Stores a generation and returns its `data` object: all 45 documented fields filled in,
        consistent with those given (a fresh `gen-...` id unless `id=` is given); unknown
        keywords are kept as extra fields. With `available_after_ms`, lookups of it answer 404
        until that long (on `clock`) after now, as the real API does right after a completion.
        The dict returned is the one served: change it and later answers change.
        """
        return self._backend.add_generation(available_after_ms, fields)

    def generation(self, id: str) -> dict[str, Any] | None:
        """The stored `data` object of a generation, or None."""
        return self._backend.record(id)

    def script(self, id: str, *replies: Reply) -> None:
        """The next requests for `id` get these replies, in order; then the stored record again."""
        self._backend.script(id, replies)

    def script_next(self, *replies: Reply) -> None:
        """The next requests, whatever they ask for, get these replies in order (before any
        per-id script)."""
        self._backend.script(None, replies)

    def clear_scripts(self) -> None:
        """Forgets every reply scripted and not yet sent."""
        self._backend.clear_scripts()

    # -- server-wide knobs and what happened -------------------------------------------------

    @property
    def latency_ms(self) -> float:
        return self._backend.latency_ms

    @latency_ms.setter
    def latency_ms(self, value: float) -> None:
        self._backend.latency_ms = value

    @property
    def rate_limit_per_s(self) -> int | None:
        return self._backend.rate_limit_per_s

    @rate_limit_per_s.setter
    def rate_limit_per_s(self, value: int | None) -> None:
        self._backend.rate_limit_per_s = value

    @property
    def requests(self) -> list[Request]:
        """Every request that arrived, in order (a live list: `clear()` it between phases)."""
        return self._backend.requests

    @property
    def peak_in_flight(self) -> int:
        """The most requests it was serving at once."""
        return self._backend.peak_in_flight

    @property
    def in_flight(self) -> int:
        """The requests it is serving now."""
        return self._backend.in_flight
