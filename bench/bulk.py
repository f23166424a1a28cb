"""`make bench`, many ids: figures beside their targets, not pass/fail.

- 1,000 ids against `FakeOpenRouter(latency_ms=20)`: one by one, and `get_generations` at
  concurrency 32 (sync and async), against the ideal ids x latency / concurrency = 0.625 s;
- a rate-limited batch: 10 x R ids at concurrency 32 against `FakeOpenRouter(rate_limit_per_s=R)`,
  against the ideal 10 s, with the share of requests answered 429;
- a second run of the same 1,000 ids with a warm cache: requests made, time per id.

Each fake runs in a process of its own, on the real clock, so it does not share the client's GIL.
Beside each batch, the client process's CPU time: when it is close to the wall time, the client's
own work (httpx and httpcore's, mostly), not the server or the network, sets the pace.
"""

from __future__ import annotations

import asyncio
import json
import os
import pathlib
import resource
import subprocess
import sys
import tempfile
import time
from typing import Any

from openrouter_generations import OpenRouter
from openrouter_generations.cache import GenerationCache

IDS = int(os.environ.get("BENCH_BULK_IDS", "1000"))
LATENCY_MS = 20
CONCURRENCY = 32
RATE = int(os.environ.get("BENCH_RATE", "50"))
# One by one takes ids x latency: measured on this many ids, and scaled to IDS.
SEQUENTIAL_SAMPLE = 100

SERVER = """
import json, sys
from openrouter_generations import utils
from openrouter_generations.testing import FakeOpenRouter
latency, rate, n = float(sys.argv[1]), int(sys.argv[2]) or None, int(sys.argv[3])
with FakeOpenRouter(latency_ms=latency, rate_limit_per_s=rate, clock=utils.SYSTEM_CLOCK) as fake:
    ids = [fake.add_generation(id=f"gen-bench-{i}")["id"] for i in range(n)]
    print(json.dumps({"url": fake.server_url, "key": fake.api_key, "ids": ids}), flush=True)
    for line in sys.stdin:  # each line asks for the counts so far
        print(json.dumps({"requests": len(fake.requests), "peak": fake.peak_in_flight}), flush=True)
"""


class Server:
    """A FakeOpenRouter in its own process."""

    def __init__(self, latency_ms: float, rate: int | None, n: int) -> None:
        self.process = subprocess.Popen(
            [sys.executable, "-c", SERVER, str(latency_ms), str(rate or 0), str(n)],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )
        assert self.process.stdout is not None
        started = json.loads(self.process.stdout.readline())
        self.url: str = started["url"]
        self.key: str = started["key"]
        self.ids: list[str] = started["ids"]

    def counts(self) -> dict[str, int]:
        assert self.process.stdin is not None
        assert self.process.stdout is not None
        self.process.stdin.write("\n")
        self.process.stdin.flush()
        counts: dict[str, int] = json.loads(self.process.stdout.readline())
        return counts

    def __enter__(self) -> Server:
        return self

    def __exit__(self, *exc: object) -> None:
        assert self.process.stdin is not None
        self.process.stdin.close()
        self.process.wait(timeout=30)

    def client(self) -> OpenRouter:
        return OpenRouter(api_key=self.key, server_url=self.url)


def line(name: str, value: str, target: str) -> None:
    print(f"  {name:42s} {value:>14s}   target: {target}")


def timed(fn: Any) -> tuple[float, Any]:
    start = time.perf_counter()
    out = fn()
    return time.perf_counter() - start, out


def cpu_seconds() -> float:
    """This process's CPU time: a batch cannot finish faster than the client's own work on it."""
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def bare_threads(server: Server) -> list[bool]:
    """The floor under the sync batch: the same requests on one bare httpx.Client's pool."""
    import concurrent.futures

    import httpx

    headers = {"Authorization": f"Bearer {server.key}"}
    with httpx.Client() as http, concurrent.futures.ThreadPoolExecutor(CONCURRENCY) as pool:
        url = f"{server.url}/generation"
        return list(pool.map(lambda id: http.get(url, params={"id": id}, headers=headers).is_success, server.ids))


async def bare_tasks(server: Server) -> list[bool]:
    """The floor under the async batch: the same requests from bare httpx.AsyncClient tasks."""
    import httpx

    headers = {"Authorization": f"Bearer {server.key}"}
    ids = iter(server.ids)
    results: list[bool] = []
    async with httpx.AsyncClient() as http:
        url = f"{server.url}/generation"

        async def worker() -> None:
            for id in ids:
                results.append((await http.get(url, params={"id": id}, headers=headers)).is_success)

        await asyncio.gather(*(worker() for _ in range(CONCURRENCY)))
    return results


def concurrency_figures() -> None:
    ideal = IDS * LATENCY_MS / 1000 / CONCURRENCY
    print(f"{IDS} ids, FakeOpenRouter(latency_ms={LATENCY_MS}), ideal at concurrency {CONCURRENCY}: {ideal:.3f} s")
    with Server(LATENCY_MS, None, IDS) as server, server.client() as client:
        sample = server.ids[:SEQUENTIAL_SAMPLE]
        took, _ = timed(lambda: [client.generations.get_generation(id=i) for i in sample])
        line(
            "one by one (get_generation)",
            f"{took / len(sample) * IDS:.3f} s",
            f"{IDS * LATENCY_MS / 1000:.1f} s (ids x latency)",
        )
        for name, batch in (
            (f"bare httpx.Client, {CONCURRENCY} threads", lambda: bare_threads(server)),
            (f"bare httpx.AsyncClient, {CONCURRENCY} tasks", lambda: asyncio.run(bare_tasks(server))),
            ("get_generations, sync", lambda: client.generations.get_generations(server.ids, concurrency=CONCURRENCY)),
            (
                "get_generations_async",
                lambda: asyncio.run(client.generations.get_generations_async(server.ids, concurrency=CONCURRENCY)),
            ),
        ):
            cpu = cpu_seconds()
            took, results = timed(batch)
            cpu = cpu_seconds() - cpu
            failed = sum(not getattr(r, "ok", r) for r in results)
            line(
                name,
                f"{took:.3f} s",
                f"<= {1.5 * ideal:.3f} s (1.5x ideal): {took / ideal:.2f}x, {failed} failed;"
                f" client CPU {cpu:.3f} s ({cpu / IDS * 1000:.2f} ms per id)",
            )
        peak = server.counts()["peak"]
        line("most requests in flight at the server", f"{peak}", f"<= {CONCURRENCY}")


def rate_limited_figures() -> None:
    n = 10 * RATE
    fake = f"FakeOpenRouter(rate_limit_per_s={RATE}, latency_ms={LATENCY_MS})"
    print(f"{n} ids, {fake}, concurrency {CONCURRENCY}, ideal 10 s:")
    for mode in ("sync", "async"):
        with Server(LATENCY_MS, RATE, n) as server, server.client() as client:
            if mode == "sync":
                took, results = timed(lambda: client.generations.get_generations(server.ids, concurrency=CONCURRENCY))
            else:

                async def batch(client: OpenRouter = client) -> Any:
                    return await client.generations.get_generations_async(server.ids, concurrency=CONCURRENCY)

                took, results = timed(lambda: asyncio.run(batch()))
            requests = server.counts()["requests"]
        failed = sum(not r.ok for r in results)
        limited = requests - sum(r.ok for r in results)  # every id exists: any other answer was a 429
        line(f"rate-limited batch, {mode}", f"{took:.2f} s", f"<= 15 s (1.5x ideal): {took / 10:.2f}x")
        line(f"  failed ids, {mode}", f"{failed}", "0")
        line(f"  requests answered 429, {mode}", f"{limited / requests:.1%}", f"<= 10 % ({limited} of {requests})")


def cache_figures() -> None:
    print(f"{IDS} ids, a second run with a warm cache:")
    with (
        Server(LATENCY_MS, None, IDS) as server,
        server.client() as client,
        tempfile.TemporaryDirectory() as tmp,
        GenerationCache(pathlib.Path(tmp) / "generations.sqlite3") as cache,
    ):
        client.generations.get_generations(server.ids, concurrency=CONCURRENCY, cache=cache)
        before = server.counts()["requests"]
        took, results = timed(
            lambda: client.generations.get_generations(server.ids, concurrency=CONCURRENCY, cache=cache)
        )
        made = server.counts()["requests"] - before
        assert all(r.from_cache for r in results)
        line("warm cache: requests made", f"{made}", "0")
        line("warm cache: time per id", f"{took / IDS * 1000:.3f} ms", "< 1 ms")


def main() -> None:
    concurrency_figures()
    rate_limited_figures()
    cache_figures()


if __name__ == "__main__":
    main()
