"""A clock whose sleeps cost no real time, shared by the fake and the clients it serves."""

from __future__ import annotations

import threading
import time

__all__ = ["VirtualClock"]


class VirtualClock:
    """Real time plus every sleep skipped: `sleep(30)` returns at once and moves the clock 30 s on.

    It satisfies `openrouter_generations.utils.Clock`. Time still flows as the real clock does,
    so timeouts and latencies measured on it stay true; only the waits are skipped. Sleeps that
    overlap (threads or tasks waiting together) move the clock to the latest end among them, not
    to their sum. `sleeps` lists every wait asked for, in seconds, for assertions.
    """

    def __init__(self) -> None:
        self._skipped = 0.0
        self._lock = threading.Lock()
        self.sleeps: list[float] = []

    def monotonic(self) -> float:
        return time.monotonic() + self._skipped

    def time(self) -> float:
        """Wall-clock epoch seconds, moved on by the same skipped time as `monotonic`."""
        return time.time() + self._skipped

    def advance(self, seconds: float) -> None:
        """Moves the clock on, as if that much time had passed (e.g. past `available_after_ms`)."""
        if not seconds >= 0:
            raise ValueError(f"a clock only moves forward, not by {seconds!r} seconds")
        with self._lock:
            self._skipped += seconds

    def sleep(self, seconds: float) -> None:
        with self._lock:
            self.sleeps.append(seconds)
            target = time.monotonic() + self._skipped + max(seconds, 0.0)
            self._skipped = max(self._skipped, target - time.monotonic())
        time.sleep(0)  # still a point where other threads run, as a real sleep is

    async def sleep_async(self, seconds: float) -> None:
        import asyncio

        with self._lock:
            self.sleeps.append(seconds)
            target = time.monotonic() + self._skipped + max(seconds, 0.0)
            self._skipped = max(self._skipped, target - time.monotonic())
        await asyncio.sleep(0)

    def __repr__(self) -> str:
        return f"VirtualClock(skipped={self._skipped:.3f}s)"
