"""Many concurrent single calls on one client: waiting for a pooled connection is not a timeout.

A new user's first try at many lookups is `asyncio.gather` (or a thread each) over
`get_generation`. The client's pool opens at most 100 connections, so most calls queue for one;
that queue is the client's own, not the server's fault, and must burn neither the attempt's
timeout nor a retry. As in the report (600 calls, 2 s per reply, `timeout_ms=5000`), scaled to
1 s per reply: the last calls queue for longer than their timeout. The timeouts leave each
attempt a margin of seconds over its 1 s, for a loaded machine.
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Iterator

import pytest

from openrouter_generations import OpenRouter, errors, utils
from openrouter_generations.testing import FakeOpenRouter

#: Each reply's time on the server (real time); the pool (100 connections) serves the calls in rounds.
LATENCY_MS = 1_000


@pytest.fixture
def slow_server() -> Iterator[FakeOpenRouter]:
    with FakeOpenRouter(latency_ms=LATENCY_MS) as fake:
        yield fake


def test_600_async_calls_queued_longer_than_their_timeout_all_succeed(slow_server: FakeOpenRouter) -> None:
    n, timeout_ms = 600, 4_000  # 6 rounds of 1 s: the last two queue 4 s and 5 s
    generation_id = slow_server.add_generation()["id"]

    async def main() -> list[object]:
        async with OpenRouter(
            api_key=slow_server.api_key, server_url=slow_server.server_url, timeout_ms=timeout_ms
        ) as client:
            calls = [
                client.generations.get_generation_async(id=generation_id, retries=utils.NO_RETRIES) for _ in range(n)
            ]
            return await asyncio.gather(*calls, return_exceptions=True)

    outcomes = asyncio.run(main())
    failures = [o for o in outcomes if isinstance(o, BaseException)]
    assert failures == []
    assert len(slow_server.requests) == n  # one attempt each: no retry spent on the queue


def test_500_threads_queued_longer_than_their_timeout_all_succeed(slow_server: FakeOpenRouter) -> None:
    n, timeout_ms = 500, 3_500  # 5 rounds of 1 s: the last round queues 4 s
    generation_id = slow_server.add_generation()["id"]
    failures: list[BaseException] = []
    with OpenRouter(api_key=slow_server.api_key, server_url=slow_server.server_url, timeout_ms=timeout_ms) as client:

        def one() -> None:
            try:
                client.generations.get_generation(id=generation_id, retries=utils.NO_RETRIES)
            except errors.OpenRouterError as exc:
                failures.append(exc)

        threads = [threading.Thread(target=one) for _ in range(n)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    assert failures == []
    assert len(slow_server.requests) == n
