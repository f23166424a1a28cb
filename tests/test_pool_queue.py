"""Many concurrent single calls on one client: waiting for a pooled connection is not a timeout.

A new user's first try at many lookups is `asyncio.gather` (or a thread each) over
`get_generation`. The client's pool opens at most 100 connections, so most calls queue for one;
that queue is the client's own, not the server's fault, and must burn neither the attempt's
timeout nor a retry. As in the report (600 calls, 2 s per reply, `timeout_ms=5000`), scaled to
0.5 s per reply: the calls queue for several rounds, longer than their timeout. The timeouts
leave each attempt a wide margin over its 0.5 s, for a loaded machine.
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Iterator

import pytest

from openrouter_generations import OpenRouter, errors, utils
from stand_in import EXAMPLE_BODY, EXAMPLE_ID, Reply, Seen, StandIn

from .conftest import SECRET_KEY

#: Each reply's time on the server; the pool (100 connections) serves the calls in rounds.
STALL = 0.5


@pytest.fixture
def slow_server() -> Iterator[StandIn]:
    def slow(seen: Seen) -> Reply:
        return Reply(200, EXAMPLE_BODY, stall=STALL)

    with StandIn(default=slow) as stand_in:
        yield stand_in


def test_600_async_calls_queued_longer_than_their_timeout_all_succeed(slow_server: StandIn) -> None:
    n, timeout_ms = 600, 2_000  # 6 rounds of 0.5 s: the last round queues 2.5 s

    async def main() -> list[object]:
        async with OpenRouter(api_key=SECRET_KEY, server_url=slow_server.url, timeout_ms=timeout_ms) as client:
            calls = [client.generations.get_generation_async(id=EXAMPLE_ID, retries=utils.NO_RETRIES) for _ in range(n)]
            return await asyncio.gather(*calls, return_exceptions=True)

    outcomes = asyncio.run(main())
    failures = [o for o in outcomes if isinstance(o, BaseException)]
    assert failures == []
    assert len(slow_server.seen) == n  # one attempt each: no retry spent on the queue


def test_500_threads_queued_longer_than_their_timeout_all_succeed(slow_server: StandIn) -> None:
    n, timeout_ms = 500, 1_500  # 5 rounds of 0.5 s: the last round queues 2 s
    failures: list[BaseException] = []
    with OpenRouter(api_key=SECRET_KEY, server_url=slow_server.url, timeout_ms=timeout_ms) as client:

        def one() -> None:
            try:
                client.generations.get_generation(id=EXAMPLE_ID, retries=utils.NO_RETRIES)
            except errors.OpenRouterError as exc:
                failures.append(exc)

        threads = [threading.Thread(target=one) for _ in range(n)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    assert failures == []
    assert len(slow_server.seen) == n
