"""Many ids at once: `get_generations` and `get_generations_async`, end to end on the fake server.

Each test runs both forms. What a user sees: one result per id in input order, never more than
`concurrency` requests at the server, failures and bad ids as results, repeated ids fetched once,
a rate-limited server outlasted without failed ids, and an interrupted batch that leaves nothing
running and no connection open.
"""

from __future__ import annotations

import asyncio
import decimal
import email.utils
import itertools
import json
import logging
import re
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from openrouter_generations import OpenRouter, errors, utils
from openrouter_generations.bulk import GenerationResult
from openrouter_generations.testing import FakeOpenRouter, Reply, VirtualClock

from .batches import MODES, run
from .conftest import EXAMPLE_BODY, SECRET_KEY
from .test_transport_faults import _assert_pool_at_rest, _client_sockets_to, socket_table  # noqa: F401


@pytest.mark.parametrize("mode", MODES)
def test_one_result_per_id_in_input_order_with_the_body_as_received(mode: str, fake: FakeOpenRouter) -> None:
    records = [fake.add_generation(total_cost=cost) for cost in (0.1, 0.2, 0.0021, 3)]
    ids = [r["id"] for r in reversed(records)]
    with fake.client() as client:
        results = run(mode, client, iter(ids), concurrency=3)
    assert [r.id for r in results] == ids
    assert all(r.ok and r.error is None and not r.from_cache for r in results)
    assert [r.response.data.id for r in results if r.response is not None] == ids
    for result in results:
        assert result.raw is not None
        assert json.loads(result.raw)["data"]["id"] == result.id
    # Exact sums, as the JSON wrote them: no binary float rounding.
    assert sum(r.total_cost or 0 for r in results) == decimal.Decimal("3.3021")


@pytest.mark.parametrize("mode", MODES)
def test_never_more_than_concurrency_requests_at_the_server(mode: str) -> None:
    with FakeOpenRouter(latency_ms=30) as fake:
        ids = [fake.add_generation()["id"] for _ in range(40)]
        with fake.client() as client:
            results = run(mode, client, ids, concurrency=4)
        assert all(r.ok for r in results)
        assert 1 < fake.peak_in_flight <= 4
        assert len(fake.requests) == 40


def test_by_default_an_async_batch_has_16_requests_in_flight_and_never_more() -> None:
    # The caller's own transport holds each request until 16 have arrived, then gives the
    # event loop many turns before answering: room for a 17th to begin, were it let.
    in_flight = peak = arrived = 0

    async def answer(request: httpx.Request) -> httpx.Response:
        nonlocal in_flight, peak, arrived
        in_flight, arrived = in_flight + 1, arrived + 1
        peak = max(peak, in_flight)
        while arrived < 16:
            await asyncio.sleep(0)
        for _ in range(50):
            await asyncio.sleep(0)
        in_flight -= 1
        id = request.url.params["id"]
        return httpx.Response(200, json={"data": {**EXAMPLE_BODY["data"], "id": id}})

    async def look_up(ids: list[str]) -> list[GenerationResult]:
        async with (
            httpx.AsyncClient(transport=httpx.MockTransport(answer)) as http,
            OpenRouter(api_key=SECRET_KEY, async_client=http) as client,
        ):
            return await client.generations.get_generations_async(ids)

    ids = [f"gen-{n}" for n in range(40)]
    assert [r.response.data.id for r in asyncio.run(look_up(ids)) if r.response is not None] == ids
    assert peak == 16


def test_by_default_a_sync_batch_reads_at_most_32_ids_ahead_of_its_finished_lookups() -> None:
    # Twice the default 16 in flight: the 33rd id is read only once a lookup has finished. The
    # caller's own transport holds every request until 32 ids have been read.
    read = answered = 0
    answered_at_33rd: list[int] = []
    turn = threading.Condition()

    def ids() -> Iterator[str]:
        nonlocal read
        for n in range(40):
            with turn:
                if n == 32:
                    answered_at_33rd.append(answered)
                read += 1
                turn.notify_all()
            yield f"gen-{n}"

    def answer(request: httpx.Request) -> httpx.Response:
        nonlocal answered
        with turn:
            assert turn.wait_for(lambda: read >= 32, timeout=30)
            answered += 1
        id = request.url.params["id"]
        return httpx.Response(200, json={"data": {**EXAMPLE_BODY["data"], "id": id}})

    with (
        httpx.Client(transport=httpx.MockTransport(answer)) as http,
        OpenRouter(api_key=SECRET_KEY, client=http) as client,
    ):
        results = client.generations.get_generations(ids())
    assert [r.id for r in results] == [f"gen-{n}" for n in range(40)]
    assert all(r.ok for r in results)
    assert answered_at_33rd[0] >= 1


@pytest.mark.parametrize("mode", MODES)
def test_a_failed_id_is_its_typed_error_and_loses_nothing(mode: str, fake: FakeOpenRouter) -> None:
    good = [fake.add_generation()["id"] for _ in range(5)]
    fake.script(good[2], Reply(500), Reply(500))
    ids = [*good[:3], "gen-missing", *good[3:]]
    with fake.client() as client:
        results = run(mode, client, ids, retries=utils.RetryConfig(max_retries=1))
    assert [r.id for r in results] == ids
    assert [r.ok for r in results] == [True, True, False, False, True, True]
    assert isinstance(results[2].error, errors.InternalServerResponseError)
    assert results[2].error.attempts == 2
    assert isinstance(results[3].error, errors.NotFoundResponseError)
    assert results[3].response is None
    assert results[3].raw is None
    assert results[3].total_cost is None


@pytest.mark.parametrize("mode", MODES)
def test_duplicates_are_fetched_once_and_reported_at_each_position(mode: str, fake: FakeOpenRouter) -> None:
    a, b = fake.add_generation()["id"], fake.add_generation()["id"]
    seen: list[object] = []
    with fake.client() as client:
        results = run(mode, client, [a, b, a, a, b], on_result=lambda r: seen.append(r.id))
    assert [r.id for r in results] == [a, b, a, a, b]
    assert all(r.ok for r in results)
    assert sorted(i for request in fake.requests for i in request.ids) == sorted([a, b])
    assert sorted(map(str, seen)) == sorted([a, b, a, a, b])  # each position reported


@pytest.mark.parametrize("mode", MODES)
def test_an_id_repeated_after_its_lookup_ended_is_answered_from_that_lookup(mode: str, fake: FakeOpenRouter) -> None:
    # One request at a time: the repeat of `a` is read once `a` has its result.
    a, b, c = (fake.add_generation()["id"] for _ in range(3))
    with fake.client() as client:
        results = run(mode, client, [a, b, c, a], concurrency=1)
    assert [r.id for r in results] == [a, b, c, a]
    assert all(r.ok for r in results)
    assert results[3] == results[0]
    assert [i for request in fake.requests for i in request.ids] == [a, b, c]
    assert fake.peak_in_flight == 1


@pytest.mark.parametrize("mode", MODES)
def test_bad_ids_are_their_own_results(mode: str, fake: FakeOpenRouter) -> None:
    good = fake.add_generation()["id"]
    ids: list[object] = ["", 5, None, good, "\ud800"]
    with fake.client() as client:
        results = run(mode, client, ids)
    assert [r.id for r in results] == ids
    assert [type(r.error) for r in results] == [ValueError, TypeError, TypeError, type(None), ValueError]
    assert "non-empty" in str(results[0].error)
    assert [i for request in fake.requests for i in request.ids] == [good]


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("concurrency", [0, -1, True, 1.5, "4"])
def test_a_bad_concurrency_is_refused_before_anything_is_sent(
    mode: str, concurrency: object, fake: FakeOpenRouter
) -> None:
    with fake.client() as client, pytest.raises(ValueError, match="concurrency must be an int >= 1"):
        run(mode, client, [fake.add_generation()["id"]], concurrency=concurrency)
    assert fake.requests == []


@pytest.mark.parametrize("mode", MODES)
def test_a_single_str_is_refused(mode: str, fake: FakeOpenRouter) -> None:
    with fake.client() as client, pytest.raises(TypeError, match="not a single str"):
        run(mode, client, "gen-abc")
    assert fake.requests == []


class _Stop(Exception):
    """What a test's on_result raises to stop a batch."""


def _count_workers() -> int:
    return sum(1 for t in threading.enumerate() if t.name == "openrouter-generations")


@pytest.mark.parametrize("mode", MODES)
def test_an_iterator_of_100_000_ids_is_read_as_the_work_goes(mode: str, fake: FakeOpenRouter) -> None:
    # No task or thread per id up front: when the first result arrives, only a few ids were read.
    known = fake.add_generation()["id"]
    read = itertools.count()
    ids = (known if next(read) == 0 else f"gen-{i}" for i in range(100_000))
    workers: list[int] = []

    tasks: list[int] = []
    daemons: list[bool] = []

    def on_result(result: GenerationResult) -> None:
        workers.append(_count_workers())
        daemons.extend(t.daemon for t in threading.enumerate() if t.name == "openrouter-generations")
        if mode == "async":  # the worker tasks: every task of the loop but the batch's own
            tasks.append(len(asyncio.all_tasks() - {asyncio.current_task()}))
        raise _Stop

    with fake.client() as client, pytest.raises(_Stop):
        run(mode, client, ids, concurrency=8, on_result=on_result)
    assert next(read) == 2 * 8  # the ids read so far: twice the concurrency, then it waits for a result
    assert len(fake.requests) <= 2 * 8
    assert workers[0] <= 8
    assert all(n <= 8 for n in tasks)  # at most `concurrency` worker tasks, never one per id
    assert (len(tasks) == 1 and tasks[0] >= 1) is (mode == "async")
    assert all(daemons)  # a worker thread never holds the interpreter open at exit
    assert (workers[0] >= 1) is (mode == "sync")  # the sync form's worker threads, by their name
    assert _count_workers() == 0  # nothing left running


@pytest.mark.usefixtures("socket_table")
def test_ctrl_c_stops_a_sync_batch_with_nothing_left_running_and_no_connection_open() -> None:
    with FakeOpenRouter(latency_ms=200) as fake:
        ids = [fake.add_generation()["id"] for _ in range(200)]
        calls = 0

        def on_result(result: GenerationResult) -> None:
            nonlocal calls
            calls += 1
            raise KeyboardInterrupt

        with fake.client() as client:
            with pytest.raises(KeyboardInterrupt):
                client.generations.get_generations(ids, concurrency=16, on_result=on_result)
            assert calls == 1
            assert _count_workers() == 0
            # The attempts in flight ended; none began after the interrupt.
            assert len(fake.requests) <= 2 * 16
            _assert_pool_at_rest(client._pools.sync_client()._transport._pool)  # type: ignore[attr-defined]
        assert _client_sockets_to(fake) == []


@pytest.mark.usefixtures("socket_table")
def test_cancelling_an_async_batch_leaves_no_task_and_no_connection() -> None:
    with FakeOpenRouter(latency_ms=300) as fake:
        ids = [fake.add_generation()["id"] for _ in range(200)]

        async def main() -> None:
            async with fake.client() as client:
                first = asyncio.Event()
                batch = asyncio.ensure_future(
                    client.generations.get_generations_async(ids, concurrency=16, on_result=lambda r: first.set())
                )
                await asyncio.sleep(0.1)  # requests in flight, none answered yet
                batch.cancel()
                with pytest.raises(asyncio.CancelledError):
                    await batch
                assert not first.is_set()
                assert asyncio.all_tasks() == {asyncio.current_task()}  # no worker left
                _assert_pool_at_rest((await client._pools.async_client())._transport._pool)  # type: ignore[attr-defined]
                assert len(fake.requests) <= 16
            assert _client_sockets_to(fake) == []

        asyncio.run(main())


@pytest.mark.parametrize("mode", MODES)
def test_a_rate_limited_batch_slows_down_as_one_and_no_id_fails(mode: str) -> None:
    # 10 x the limit, at concurrency 32, on the fake's virtual clock (the waits cost no real
    # time). Each call may retry once only: the 429s the batch waits out are not its retries.
    rate = 20
    with FakeOpenRouter(rate_limit_per_s=rate) as fake:
        ids = [fake.add_generation()["id"] for _ in range(10 * rate)]
        with fake.client() as client:
            results = run(mode, client, ids, concurrency=32, retries=utils.RetryConfig(max_retries=1))
        assert [r.error for r in results if not r.ok] == []
        rate_limited = len(fake.requests) - len(ids)  # every other answer was a 200
        assert rate_limited > 0  # the server did limit the batch
        assert rate_limited <= 32 + len(ids) // 10  # the first burst, then paced under the limit
        assert isinstance(fake.clock, VirtualClock)
        assert any(0.9 < wait <= 1.0 for wait in fake.clock.sleeps)  # the server's Retry-After: 1


def test_concurrent_single_calls_fail_against_the_same_limit() -> None:
    # The contrast: the same ids as plain concurrent calls, each on its own retry budget.
    rate = 20
    with FakeOpenRouter(rate_limit_per_s=rate) as fake:
        ids = [fake.add_generation()["id"] for _ in range(10 * rate)]
        retries = utils.RetryConfig(max_retries=1)

        async def main() -> int:
            async with fake.client() as client:
                calls = [client.generations.get_generation_async(id=i, retries=retries) for i in ids]
                outcomes = await asyncio.gather(*calls, return_exceptions=True)
            return sum(isinstance(o, errors.TooManyRequestsResponseError) for o in outcomes)

        assert asyncio.run(main()) > 0


def test_import_openrouter_generations_loads_neither_bulk_nor_cache() -> None:
    code = (
        "import sys, openrouter_generations\n"
        "print(sorted(m for m in sys.modules if m.startswith('openrouter_generations.')))\n"
        "print('sqlite3' in sys.modules)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.split("\n")
    loaded = out[0]
    assert "openrouter_generations.bulk" not in loaded
    assert "openrouter_generations.cache" not in loaded
    assert "openrouter_generations._batch_limits" not in loaded
    assert out[1] == "False"


@pytest.mark.parametrize("mode", MODES)
def test_a_batch_wide_pause_for_a_rate_limit_is_one_log_line(mode: str, caplog: pytest.LogCaptureFixture) -> None:
    # What `openrouter-generations costs -v` shows: the id that hit the limit, how long the batch
    # waits and how many requests it now allows in flight; never the key.
    rate = 20
    with FakeOpenRouter(rate_limit_per_s=rate) as fake:
        ids = [fake.add_generation()["id"] for _ in range(3 * rate)]
        with fake.client() as client, caplog.at_level(logging.DEBUG, logger="openrouter_generations"):
            results = run(mode, client, ids, concurrency=32)
        assert all(r.ok for r in results)
        pauses = [r.getMessage() for r in caplog.records if "batch pauses" in r.getMessage()]
        assert pauses, [r.getMessage() for r in caplog.records]
        # One line as a pause begins: never more lines than answers 429.
        assert len(pauses) <= len(fake.requests) - len(ids)
        first = pauses[0]
        assert any(f"id={i}" in first for i in ids), first
        assert re.search(r"status 429: the batch pauses 1\.\d{3} s, then allows \d+ requests in flight", first), first
        assert all(fake.api_key not in r.getMessage() for r in caplog.records)


def test_async_calls_do_not_search_for_a_missing_module_on_every_request() -> None:
    # httpcore asks `import sniffio` for each lock it sets up (about ten per request); when it is
    # not installed, an unremembered failed import scans every directory of sys.path each time:
    # about 1 ms of CPU per request here, the batch's largest cost after httpcore's own pool.
    code = (
        "import asyncio, sys\n"
        "from openrouter_generations.testing import FakeOpenRouter\n"
        "searched = []\n"
        "class Spy:\n"
        "    def find_spec(self, name, path=None, target=None):\n"
        "        searched.append(name)\n"
        "sys.meta_path.insert(0, Spy())\n"
        "async def main(fake):\n"
        "    async with fake.client() as client:\n"
        "        for _ in range(3):\n"
        "            await client.generations.get_generation_async(id=gen)\n"
        "        searched.clear()\n"
        "        for _ in range(5):\n"
        "            await client.generations.get_generation_async(id=gen)\n"
        "with FakeOpenRouter() as fake:\n"
        "    gen = fake.add_generation()['id']\n"
        "    asyncio.run(main(fake))\n"
        "print(sorted(set(searched)))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]", out


def test_a_rate_limit_logs_as_a_pause_begins_not_for_each_attempt_that_meets_it(
    caplog: pytest.LogCaptureFixture,
) -> None:
    import httpx

    from openrouter_generations._batch_limits import BatchLimits

    limits = BatchLimits(8, utils.RetryConfig(), lambda: 0.5)
    log = logging.getLogger("openrouter_generations")

    class Options:
        logger = log

    class Limited:  # the parts of a call that the batch reads: an attempt answered 429
        def __init__(self, id: str) -> None:
            self.response = httpx.Response(429, headers={"Retry-After": "2"})
            self.options = Options()
            self.method, self.target = "GET", f"/generation?id={id}"

        def succeeded(self) -> bool:
            return False

    def limited(id: str) -> Any:
        return Limited(id)

    calls = [limited(f"gen-{n}") for n in range(3)]
    with caplog.at_level(logging.DEBUG, logger="openrouter_generations"):
        for call in calls:
            assert limits.admit(call, 10.0) == 0.0
        for call in calls:  # all three meet the same limit at once: one pause
            limits.release(call, True, 10.0, 1_000_000.0)
        again = limited("gen-later")
        assert limits.admit(again, 12.5) == 0.0  # the pause is over: the next 429 begins another
        limits.release(again, True, 12.5, 1_000_002.5)
    lines = [r.getMessage() for r in caplog.records]
    assert lines == [
        "GET /generation?id=gen-0 answered status 429: the batch pauses 2.000 s, then allows 4 requests in flight",
        "GET /generation?id=gen-later answered status 429: the batch pauses 2.000 s, then allows 2 requests in flight",
    ]


def test_a_results_total_cost_is_none_unless_the_body_holds_a_number() -> None:
    def cost(data: str) -> decimal.Decimal | None:
        return GenerationResult("gen-1", raw=b'{"data": ' + data.encode() + b"}").total_cost

    assert cost('{"id": "gen-1", "total_cost": 3}') == decimal.Decimal(3)
    assert isinstance(cost('{"id": "gen-1", "total_cost": 3}'), decimal.Decimal)
    assert cost('{"id": "gen-1", "total_cost": 0.0004175}') == decimal.Decimal("0.0004175")
    assert cost('{"id": "gen-1", "total_cost": true}') is None
    assert cost('{"id": "gen-1", "total_cost": "0.1"}') is None
    assert cost('{"id": "gen-1"}') is None
    assert cost('["gen-1"]') is None
    assert GenerationResult("gen-1", error=ValueError("x")).total_cost is None
    assert not GenerationResult("gen-1", error=ValueError("x")).ok


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("ids", ["gen-abc", b"gen-abc"], ids=["str", "bytes"])
def test_a_single_id_is_refused_with_what_to_do(mode: str, ids: object, fake: FakeOpenRouter) -> None:
    message = "ids must be an iterable of ids, not a single str: wrap it in a list"
    with fake.client() as client, pytest.raises(TypeError, match=f"^{re.escape(message)}$"):
        run(mode, client, ids)
    assert fake.requests == []


@pytest.mark.parametrize("mode", MODES)
def test_a_bad_concurrency_is_named_in_the_message(mode: str, fake: FakeOpenRouter) -> None:
    with fake.client() as client, pytest.raises(ValueError, match=r"^concurrency must be an int >= 1, not '4'$"):
        run(mode, client, ["gen-1"], concurrency="4")


@pytest.mark.parametrize("mode", MODES)
def test_the_batch_options_are_checked_and_reach_every_lookup(mode: str, fake: FakeOpenRouter) -> None:
    ids = [fake.add_generation()["id"] for _ in range(3)]
    with fake.client(server_url="http://127.0.0.1:9/api/v1", http_referer="https://app.example") as client:
        with pytest.raises(ValueError, match=r"^timeout_ms must be a positive int, not 0$"):
            run(mode, client, ids, server_url=fake.server_url, timeout_ms=0)
        with pytest.raises(ValueError, match="server_url"):
            run(mode, client, ids, server_url="not a url")
        assert fake.requests == []
        results = run(mode, client, ids, server_url=fake.server_url + "/", timeout_ms=5_000)
    assert all(r.ok for r in results)
    assert [r.id for r in results] == ids
    assert [request.headers.get("http-referer") for request in fake.requests] == ["https://app.example"] * 3


@pytest.mark.parametrize("mode", MODES)
def test_the_batch_retries_by_its_own_policy_or_else_the_clients(mode: str, fake: FakeOpenRouter) -> None:
    record = fake.add_generation()["id"]
    fake.script(record, Reply(500), Reply(500), Reply(500))
    with fake.client(retry_config=utils.RetryConfig(max_retries=1)) as client:
        (result,) = run(mode, client, [record])
        assert isinstance(result.error, errors.InternalServerResponseError)
        assert result.error.attempts == 2  # the client's policy
        (result,) = run(mode, client, [record], retries=utils.RetryConfig(max_retries=3))
    assert result.ok  # the third 500 was the last: the fourth attempt succeeds
    assert len(fake.requests) == 2 + 2


@pytest.mark.parametrize("mode", MODES)
def test_each_position_is_reported_to_on_result_including_cached_and_repeated_ids(
    mode: str, fake: FakeOpenRouter, tmp_path: Any
) -> None:
    from openrouter_generations.cache import GenerationCache

    a, b = fake.add_generation()["id"], fake.add_generation()["id"]
    seen: list[tuple[object, bool]] = []
    with fake.client() as client, GenerationCache(tmp_path / "c.sqlite3") as cache:
        run(mode, client, [a], cache=cache)
        results = run(mode, client, [a, b, a, "", b], cache=cache, on_result=lambda r: seen.append((r.id, r.ok)))
    assert sorted(seen, key=str) == sorted([(a, True), (b, True), (a, True), ("", False), (b, True)], key=str)
    assert [r.from_cache for r in results] == [True, False, True, False, False]
    assert [i for request in fake.requests for i in request.ids] == [a, b]


@pytest.mark.parametrize("mode", MODES)
def test_a_failure_that_is_not_the_ids_is_the_batchs_exception_not_a_hang(mode: str, fake: FakeOpenRouter) -> None:
    # A key provider that fails fails every lookup alike: the batch raises it, as a single call
    # does, and leaves no worker behind (a worker thread or task that died of it left the batch
    # waiting forever for its result).
    def key() -> str:
        raise RuntimeError("the vault is down")

    ids = [fake.add_generation()["id"] for _ in range(3)]
    with fake.client(api_key=key) as client:
        with pytest.raises(RuntimeError, match=r"^the vault is down$"):
            client.generations.get_generation(id=ids[0])
        with pytest.raises(RuntimeError, match=r"^the vault is down$"):
            run(mode, client, ids, concurrency=2)
    assert _count_workers() == 0
    assert fake.requests == []


@pytest.mark.parametrize("mode", MODES)
def test_an_id_too_long_for_a_url_is_its_own_result(mode: str, fake: FakeOpenRouter) -> None:
    good = fake.add_generation()["id"]
    long = "gen-" + "x" * 70_000
    with fake.client() as client:
        results = run(mode, client, [long, good])
    assert [r.id for r in results] == [long, good]
    assert isinstance(results[0].error, ValueError)
    assert "URL too long" in str(results[0].error)
    assert results[1].ok


@pytest.mark.parametrize("mode", MODES)
def test_a_batch_pause_asked_as_a_date_is_read_on_the_wall_clock(mode: str, fake: FakeOpenRouter) -> None:
    record = fake.add_generation()["id"]
    assert isinstance(fake.clock, VirtualClock)
    when = email.utils.formatdate(fake.clock.time() + 3, usegmt=True)
    fake.script(record, Reply(429, headers={"Retry-After": when}))
    with fake.client() as client:
        (result,) = run(mode, client, [record], retries=utils.RetryConfig(max_retries=0))
    assert result.ok  # the batch waited the 429 out: not one of the call's (no) retries
    assert any(1.0 < wait <= 3.0 for wait in fake.clock.sleeps), fake.clock.sleeps  # whole seconds


@pytest.mark.parametrize("mode", MODES)
def test_a_batch_pause_without_retry_after_is_the_policys_backoff_less_jitter(mode: str, fake: FakeOpenRouter) -> None:
    record = fake.add_generation()["id"]
    fake.script(record, Reply(429))
    assert isinstance(fake.clock, VirtualClock)
    with fake.client() as client:
        (result,) = run(mode, client, [record], retries=utils.RetryConfig(max_retries=0, jitter=0.5))
    assert result.ok
    assert any(0.25 <= wait <= 0.5 for wait in fake.clock.sleeps), fake.clock.sleeps


@pytest.mark.parametrize("mode", MODES)
def test_the_batchs_timeout_ms_bounds_every_lookup(mode: str, fake: FakeOpenRouter) -> None:
    ids = [fake.add_generation()["id"] for _ in range(2)]
    for id in ids:
        fake.script(id, Reply(200, delay=0.3))  # real time: the client's timeout runs meanwhile
    with fake.client(timeout_ms=60_000) as client:
        results = run(mode, client, ids, concurrency=2, timeout_ms=20, retries=utils.NO_RETRIES)
    assert [r.id for r in results] == ids
    assert [type(r.error) for r in results] == [errors.APITimeoutError] * 2


@pytest.mark.parametrize("mode", MODES)
def test_a_batch_pause_asked_as_a_date_without_a_readable_date_header_is_read_on_the_clients_clock(
    mode: str, fake: FakeOpenRouter
) -> None:
    record = fake.add_generation()["id"]
    assert isinstance(fake.clock, VirtualClock)
    when = email.utils.formatdate(fake.clock.time() + 3, usegmt=True)
    fake.script(record, Reply(429, headers={"Retry-After": when, "Date": "not a date"}))
    with fake.client() as client:
        (result,) = run(mode, client, [record], retries=utils.RetryConfig(max_retries=0))
    assert result.ok  # the batch waited the 429 out: not one of the call's (no) retries
    assert any(1.0 < wait <= 3.0 for wait in fake.clock.sleeps), fake.clock.sleeps  # whole seconds


@pytest.mark.parametrize("mode", MODES)
def test_a_batch_on_the_real_clock_waits_a_pause_out(mode: str, fake: FakeOpenRouter) -> None:
    record = fake.add_generation()["id"]
    fake.script(record, Reply(429, headers={"Retry-After-Ms": "20"}))
    with fake.client(clock=utils.SystemClock()) as client:
        (result,) = run(mode, client, [record], retries=utils.RetryConfig(max_retries=0))
    assert result.ok
    assert len(fake.requests) == 2


def test_ctrl_c_during_a_pause_on_the_real_clock_ends_the_batch_without_waiting_it_out(
    fake: FakeOpenRouter,
) -> None:
    # The interrupt comes as the batch reads its next id, once a 429 has paused it for 25 s.
    first, second = fake.add_generation()["id"], fake.add_generation()["id"]
    fake.script(first, Reply(429, headers={"Retry-After": "25"}))
    paused = threading.Event()

    class Paused(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            if "the batch pauses" in record.getMessage():
                paused.set()

    def ids() -> Iterator[str]:
        yield first
        assert paused.wait(10)
        raise KeyboardInterrupt
        yield second  # never read

    log = logging.getLogger("openrouter_generations")
    handler, level = Paused(), log.level
    log.addHandler(handler)
    log.setLevel(logging.INFO)
    started = time.monotonic()
    try:
        with fake.client(clock=utils.SystemClock()) as client, pytest.raises(KeyboardInterrupt):
            client.generations.get_generations(ids(), concurrency=1, retries=utils.RetryConfig(max_retries=0))
    finally:
        log.removeHandler(handler)
        log.setLevel(level)
    assert time.monotonic() - started < 25  # the pause was not waited out
    assert [i for request in fake.requests for i in request.ids] == [first]  # nothing began after it
    assert _count_workers() == 0
