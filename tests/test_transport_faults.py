"""Transport faults over real loopback sockets, and one client under concurrent load.

A fault is retried by the policy, then raised as a typed error with the httpx exception chained;
under load every call gets its own answer and the pool is left with no request in flight.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import pathlib
import socket
import ssl
import threading
import time
from collections.abc import Callable, Iterator
from typing import Any

import httpx
import pytest

from openrouter_generations import OpenRouter, errors, models, utils
from openrouter_generations.testing import FakeOpenRouter, Reply

from .conftest import EXAMPLE_BODY, EXAMPLE_ID, SECRET_KEY, ClientFactory, FakeClock, Lookup

_TLS = ssl.create_default_context()

#: Attempts the default policy makes before giving up on a fault that never clears.
DEFAULT_ATTEMPTS = utils.DEFAULT_RETRY_CONFIG.max_retries + 1


@pytest.fixture
def refused_url() -> Iterator[str]:
    """A loopback port bound but not listening: every connection is refused, and no other
    process can take the port while the test runs."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        yield f"http://127.0.0.1:{sock.getsockname()[1]}"


@pytest.fixture
def silent_url() -> Iterator[str]:
    """A loopback port that listens but never accepts: the request goes out, no answer comes."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        sock.listen(64)
        yield f"http://127.0.0.1:{sock.getsockname()[1]}"


@contextlib.contextmanager
def _raw_server(answer: Callable[[socket.socket, threading.Event], None]) -> Iterator[str]:
    """A loopback server that reads each request and lets `answer` write raw bytes to the
    connection (for what no well-behaved HTTP server sends); the connections are closed after."""
    stop = threading.Event()
    listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    listener.bind(("127.0.0.1", 0))
    listener.listen(64)
    listener.settimeout(0.05)
    held: list[socket.socket] = []

    def serve() -> None:
        while not stop.is_set():
            try:
                conn, _ = listener.accept()
            except TimeoutError:
                continue
            held.append(conn)
            conn.recv(65536)
            with contextlib.suppress(OSError):  # the client gave up and hung up
                answer(conn, stop)

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{listener.getsockname()[1]}"
    finally:
        stop.set()
        thread.join(timeout=5)
        for conn in held:
            conn.close()
        listener.close()


@pytest.fixture
def headers_then_silence() -> Iterator[str]:
    """A server that sends a 200's headers, a few body bytes, and then nothing, keeping the socket
    open: a timeout while reading the body, not while waiting for the response."""

    def answer(conn: socket.socket, stop: threading.Event) -> None:
        conn.sendall(b'HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 5000\r\n\r\n{"data')

    with _raw_server(answer) as url:
        yield url


@pytest.fixture
def trickled_headers() -> Iterator[str]:
    """A server that sends a 200's status line and headers one byte every 10 ms (about 0.5 s in
    all): no single read waits long enough for a read timeout."""
    head = b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n\r\n"

    def answer(conn: socket.socket, stop: threading.Event) -> None:
        for index in range(len(head)):
            if stop.is_set():
                return
            conn.sendall(head[index : index + 1])
            time.sleep(0.01)

    with _raw_server(answer) as url:
        yield url


def test_headers_that_arrive_past_the_deadline_time_out(trickled_headers: str, lookup: Lookup) -> None:
    # The headers are bounded per read only (httpx reads them before the client sees anything),
    # but an answer whose headers end past the attempt's deadline is a timeout, not a response.
    real_clock = {"clock": utils.SYSTEM_CLOCK, "server_url": trickled_headers, "timeout_ms": 100}
    with pytest.raises(errors.APITimeoutError) as caught:
        lookup(id=EXAMPLE_ID, retries=utils.NO_RETRIES, client_kwargs=real_clock)
    assert "timeout of 0.1 s" in caught.value.message
    assert isinstance(caught.value.__cause__, httpx.ReadTimeout)


def _fails(lookup: Lookup, **kwargs: Any) -> errors.OpenRouterError:
    with pytest.raises(errors.OpenRouterError) as caught:
        lookup(id=EXAMPLE_ID, **kwargs)
    return caught.value


def _assert_retried_then_raised(err: errors.OpenRouterError, clock: FakeClock) -> None:
    assert err.attempts == DEFAULT_ATTEMPTS > 1
    assert len(clock.sleeps) == err.attempts - 1  # the policy's waits, on the fake clock
    assert err.status_code is None
    assert err.raw_response is None
    assert f"after {err.attempts} attempts" in str(err)


# -- each fault, with the default retry policy ---------------------------------------------------


def test_connection_refused(refused_url: str, lookup: Lookup, clock: FakeClock) -> None:
    err = _fails(lookup, client_kwargs={"server_url": refused_url})
    assert type(err) is errors.APIConnectionError
    assert isinstance(err.__cause__, httpx.ConnectError)
    assert "ConnectError" in err.message
    _assert_retried_then_raised(err, clock)


def test_reset_mid_body(server: FakeOpenRouter, lookup: Lookup, clock: FakeClock) -> None:
    server.script_next(*(Reply(200, EXAMPLE_BODY, drop_after=10) for _ in range(DEFAULT_ATTEMPTS)))
    err = _fails(lookup)
    assert type(err) is errors.APIConnectionError
    assert isinstance(err.__cause__, (httpx.RemoteProtocolError, httpx.ReadError))
    assert len(server.requests) == err.attempts
    _assert_retried_then_raised(err, clock)


def test_closed_without_an_answer(server: FakeOpenRouter, lookup: Lookup, clock: FakeClock) -> None:
    server.script_next(*(Reply(close=True) for _ in range(DEFAULT_ATTEMPTS)))
    err = _fails(lookup)
    assert type(err) is errors.APIConnectionError
    assert isinstance(err.__cause__, (httpx.RemoteProtocolError, httpx.ReadError))
    assert len(server.requests) == err.attempts
    _assert_retried_then_raised(err, clock)


def test_stalling_server_times_out(server: FakeOpenRouter, lookup: Lookup, clock: FakeClock) -> None:
    server.script_next(*(Reply(200, EXAMPLE_BODY, delay=0.3) for _ in range(DEFAULT_ATTEMPTS)))
    started = time.monotonic()
    err = _fails(lookup, timeout_ms=100)
    assert time.monotonic() - started < DEFAULT_ATTEMPTS * 0.3  # each attempt gave up at 0.1 s
    assert type(err) is errors.APITimeoutError
    assert isinstance(err, errors.APIConnectionError)
    assert isinstance(err.__cause__, httpx.ReadTimeout)
    assert len(server.requests) == err.attempts
    _assert_retried_then_raised(err, clock)


def test_silent_server_read_timeout(silent_url: str, lookup: Lookup, clock: FakeClock) -> None:
    err = _fails(lookup, client_kwargs={"server_url": silent_url, "timeout_ms": 50})
    assert type(err) is errors.APITimeoutError
    assert isinstance(err.__cause__, httpx.TimeoutException)
    _assert_retried_then_raised(err, clock)


def test_timeout_while_reading_the_body(headers_then_silence: str, lookup: Lookup, clock: FakeClock) -> None:
    # Long enough for the connection and the headers on a loaded machine: only the body is late.
    err = _fails(lookup, client_kwargs={"server_url": headers_then_silence, "timeout_ms": 300})
    assert type(err) is errors.APITimeoutError
    assert isinstance(err.__cause__, httpx.ReadTimeout)
    _assert_retried_then_raised(err, clock)


def test_a_fault_that_clears_is_retried_to_success(server: FakeOpenRouter, lookup: Lookup, clock: FakeClock) -> None:
    # The last attempt must be answered within the timeout that the one before overran, on a
    # loaded machine too: 0.4 s for an answer that comes at once, against a 1 s delay.
    server.script_next(Reply(close=True), Reply(200, EXAMPLE_BODY, drop_after=3), Reply(200, EXAMPLE_BODY, delay=1.0))
    res = lookup(id=EXAMPLE_ID, timeout_ms=400)
    assert res.data.id == EXAMPLE_ID
    assert len(server.requests) == 4
    assert len(clock.sleeps) == 3


@pytest.mark.parametrize(
    "retries",
    [utils.NO_RETRIES, utils.RetryConfig("backoff", None, False)],
    ids=["no_retries", "connection_errors_off"],
)
def test_faults_are_not_retried_when_the_policy_says_so(
    retries: utils.RetryConfig, server: FakeOpenRouter, lookup: Lookup, clock: FakeClock
) -> None:
    server.script_next(Reply(200, EXAMPLE_BODY, drop_after=10))
    err = _fails(lookup, retries=retries)
    assert type(err) is errors.APIConnectionError
    assert err.attempts == 1
    assert len(server.requests) == 1
    assert clock.sleeps == []
    assert isinstance(err.__cause__, httpx.HTTPError)


def test_a_connection_the_server_closed_while_idle_is_not_reused(
    server: FakeOpenRouter, make_client: ClientFactory
) -> None:
    """The server sends a whole answer and hangs up; the next call, not retried, still succeeds."""
    payload = json.dumps(EXAMPLE_BODY).encode()
    server.script_next(Reply(200, payload, drop_after=len(payload)))
    with make_client(retry_config=utils.NO_RETRIES) as client:
        assert client.generations.get_generation(id=EXAMPLE_ID).data.id == EXAMPLE_ID
        time.sleep(0.05)  # let the server's FIN arrive
        assert client.generations.get_generation(id=EXAMPLE_ID).data.id == EXAMPLE_ID
    assert len(server.requests) == 2


# -- load: one client, many callers ----------------------------------------------------------------


def _thread_ids(prefix: str, threads: int = 16, calls: int = 100) -> list[list[str]]:
    """The ids each of `threads` threads looks up: of varied lengths, so each answer is told apart."""
    return [[f"{prefix}-t{t}-c{c}-" + "x" * ((t * calls + c) % 7) for c in range(calls)] for t in range(threads)]


ASYNC_IDS = [f"gen-{kind}-{i}" for kind in ("async", "own-async") for i in range(500)]


@pytest.fixture
def echo_server() -> Iterator[FakeOpenRouter]:
    """A generation for every id the load tests ask for, its cost the length of its id, so that a
    caller can tell its answer from another's."""
    with FakeOpenRouter(api_key=SECRET_KEY) as fake:
        ids = [i for prefix in ("gen", "gen-own") for per_thread in _thread_ids(prefix) for i in per_thread]
        for id in [*ids, *ASYNC_IDS]:
            fake.add_generation(**{**EXAMPLE_BODY["data"], "id": id, "total_cost": float(len(id))})
        yield fake


def _assert_pool_at_rest(pool: Any) -> None:
    """No request queued or in flight, and every connection kept idle (or already closed)."""
    assert pool._requests == []
    for connection in pool.connections:
        assert connection.is_idle() or connection.is_closed(), connection


def _check(res: models.GetGenerationResponse, expected_id: str) -> None:
    assert res.data.id == expected_id
    assert res.data.total_cost == float(len(expected_id))
    assert res.data.native_tokens_prompt == 43


def _from_16_threads(client: OpenRouter, prefix: str, threads: int = 16, calls: int = 100) -> None:
    """`threads` threads make `calls` lookups each on one client, each checking its own answer."""
    failures: list[BaseException] = []

    ids = _thread_ids(prefix, threads, calls)

    def worker(t: int) -> None:
        try:
            for expected in ids[t]:
                _check(client.generations.get_generation(id=expected), expected)
        except BaseException as exc:  # collected and re-raised by the test thread
            failures.append(exc)

    pool = [threading.Thread(target=worker, args=(t,)) for t in range(threads)]
    for thread in pool:
        thread.start()
    for thread in pool:
        thread.join(timeout=60)
    assert not any(thread.is_alive() for thread in pool)
    assert failures == []


def test_one_client_shared_by_16_threads(echo_server: FakeOpenRouter) -> None:
    http = httpx.Client(verify=_TLS)
    with http, OpenRouter(api_key=SECRET_KEY, server_url=echo_server.url, client=http) as client:
        _from_16_threads(client, "gen")
        assert len(echo_server.requests) == 16 * 100  # no call needed a retry
        _assert_pool_at_rest(http._transport._pool)  # type: ignore[attr-defined]


def test_500_concurrent_async_calls(echo_server: FakeOpenRouter) -> None:
    n = 500

    async def main() -> list[str]:
        # Most of the 500 wait in the pool's queue: httpcore rescans every queued request against
        # every connection at each change, so a small pool keeps this quadratic cost to ~2 s.
        http = httpx.AsyncClient(verify=_TLS, limits=httpx.Limits(max_connections=10, max_keepalive_connections=10))
        async with http, OpenRouter(api_key=SECRET_KEY, server_url=echo_server.url, async_client=http) as client:
            ids = [f"gen-async-{i}" for i in range(n)]
            results = await asyncio.gather(*(client.generations.get_generation_async(id=i) for i in ids))
            for expected, res in zip(ids, results, strict=True):
                _check(res, expected)
            _assert_pool_at_rest(http._transport._pool)  # type: ignore[attr-defined]
            return [res.data.id for res in results]

    ids = asyncio.run(main())
    assert len(set(ids)) == n
    assert len(echo_server.requests) == n


# -- load on the client's own pools, and every socket closed after -------------------------------

_TCP_TABLES = (pathlib.Path("/proc/net/tcp"), pathlib.Path("/proc/net/tcp6"))
# The `st` column's codes, as in the kernel's include/net/tcp_states.h.
_TCP_STATES = {
    0x01: "ESTABLISHED",
    0x02: "SYN_SENT",
    0x03: "SYN_RECV",
    0x04: "FIN_WAIT1",
    0x05: "FIN_WAIT2",
    0x06: "TIME_WAIT",
    0x07: "CLOSE",
    0x08: "CLOSE_WAIT",
    0x09: "LAST_ACK",
    0x0A: "LISTEN",
    0x0B: "CLOSING",
}


def _client_sockets_to(server: FakeOpenRouter) -> list[str]:
    """The TCP sockets this process still holds open to the fake, as "local->remote STATE".

    Each open socket's fd links to `socket:[inode]` in /proc/self/fd; /proc/net/tcp (and tcp6)
    give each inode's endpoints and state. An inode with no fd here is not ours (or is closed:
    the kernel keeps a TIME_WAIT entry with inode 0 after close). The stand-in runs in this
    process too, so its accepted sockets are ours as well: they have the server's port as their
    *local* port, and are left out. Any state counts: a socket the server hung up on (CLOSE_WAIT)
    but the client never closed still holds an fd.
    """
    port = httpx.URL(server.url).port
    inodes: set[str] = set()
    for fd in os.listdir("/proc/self/fd"):
        try:
            target = os.readlink(f"/proc/self/fd/{fd}")
        except OSError:  # closed since the listing (the listing's own fd, for one)
            continue
        if target.startswith("socket:[") and target.endswith("]"):
            inodes.add(target[len("socket:[") : -1])
    found: list[str] = []
    for table in _TCP_TABLES:
        if not table.exists():  # no IPv6 in this kernel
            continue
        for line in table.read_text().splitlines()[1:]:  # past the header
            # sl local_address rem_address st tx:rx tr:when retrnsmt uid timeout inode ...
            fields = line.split()
            local, remote, state, inode = fields[1], fields[2], fields[3], fields[9]
            local_port, remote_port = int(local.rsplit(":", 1)[1], 16), int(remote.rsplit(":", 1)[1], 16)
            if inode in inodes and remote_port == port and local_port != port:
                found.append(f"{local}->{remote} {_TCP_STATES.get(int(state, 16), state)}")
    return found


@pytest.fixture
def socket_table() -> None:
    # The project's machines and CI are Linux: without /proc this check would prove nothing.
    assert pathlib.Path("/proc/self/fd").is_dir(), "counting sockets needs /proc"
    assert _TCP_TABLES[0].exists(), "counting sockets needs /proc/net/tcp"


@pytest.mark.usefixtures("socket_table")
def test_16_threads_on_the_clients_own_pool_then_close_leaves_no_socket(echo_server: FakeOpenRouter) -> None:
    assert _client_sockets_to(echo_server) == []
    with OpenRouter(api_key=SECRET_KEY, server_url=echo_server.url) as client:
        _from_16_threads(client, "gen-own")
        assert len(echo_server.requests) == 16 * 100  # no call needed a retry
        _assert_pool_at_rest(client._pools.sync_client()._transport._pool)  # type: ignore[attr-defined]
        # The pool keeps its connections alive between calls: the count sees them.
        assert 0 < len(_client_sockets_to(echo_server)) <= 16
    assert _client_sockets_to(echo_server) == []


@pytest.mark.usefixtures("socket_table")
def test_500_concurrent_async_calls_on_the_clients_own_pool_then_aclose_leaves_no_socket(
    echo_server: FakeOpenRouter,
) -> None:
    n = 500

    async def main() -> None:
        # The default pool opens up to 100 connections; the rest of the 500 wait for a slot
        # before their attempts begin (test_pool_queue checks that this wait burns no timeout).
        client = OpenRouter(api_key=SECRET_KEY, server_url=echo_server.url, timeout_ms=60_000)
        async with client:
            ids = [f"gen-own-async-{i}" for i in range(n)]
            results = await asyncio.gather(*(client.generations.get_generation_async(id=i) for i in ids))
            for expected, res in zip(ids, results, strict=True):
                _check(res, expected)
            _assert_pool_at_rest((await client._pools.async_client())._transport._pool)  # type: ignore[attr-defined]
            assert _client_sockets_to(echo_server)  # kept alive in the pool: the count sees them
        # Checked while the loop still runs: its own end would close the pool anyway.
        assert _client_sockets_to(echo_server) == []

    assert _client_sockets_to(echo_server) == []
    asyncio.run(main())
    assert len(echo_server.requests) == n  # no call needed a retry


def test_cancelled_async_calls_leave_the_pool_at_rest(server: FakeOpenRouter) -> None:
    """Callers that give up (asyncio timeouts) must not leave requests parked in the pool."""
    server.script_next(*(Reply(200, EXAMPLE_BODY, delay=0.3) for _ in range(20)))

    async def main() -> None:
        http = httpx.AsyncClient(verify=_TLS)
        async with http, OpenRouter(api_key=SECRET_KEY, server_url=server.url, async_client=http) as client:
            calls = [asyncio.wait_for(client.generations.get_generation_async(id=EXAMPLE_ID), 0.05) for _ in range(20)]
            outcomes = await asyncio.gather(*calls, return_exceptions=True)
            assert all(isinstance(o, TimeoutError) for o in outcomes), outcomes
            _assert_pool_at_rest(http._transport._pool)  # type: ignore[attr-defined]
            res = await client.generations.get_generation_async(id=EXAMPLE_ID)  # the client still works
            assert res.data.id == EXAMPLE_ID

    asyncio.run(main())
