"""Setting the fake up: `FakeOpenRouter`'s arguments, lifecycle and properties, its
`VirtualClock`, and `python -m openrouter_generations.testing` (its `main`, in-process)."""

from __future__ import annotations

import asyncio
import io
import json
import math
import re
import signal
import socket
import sys
import threading
import time

import httpx
import pytest

from openrouter_generations.testing import FakeOpenRouter, VirtualClock
from openrouter_generations.testing.__main__ import main

# -- FakeOpenRouter ------------------------------------------------------------------------------


@pytest.mark.parametrize("latency_ms", [-1, -0.001, math.nan])
def test_a_negative_latency_is_refused(latency_ms: float) -> None:
    with pytest.raises(ValueError, match=re.escape(f"latency_ms must be >= 0, not {latency_ms!r}")):
        FakeOpenRouter(latency_ms=latency_ms)


@pytest.mark.parametrize("rate", [0, -3, True, False])
def test_a_rate_limit_below_one_or_a_bool_is_refused(rate: int) -> None:
    with pytest.raises(ValueError, match=re.escape(f"rate_limit_per_s must be an int >= 1 or None, not {rate!r}")):
        FakeOpenRouter(rate_limit_per_s=rate)


def test_the_knobs_given_are_the_knobs_read() -> None:
    fake = FakeOpenRouter(latency_ms=0, rate_limit_per_s=1)
    assert (fake.latency_ms, fake.rate_limit_per_s) == (0, 1)
    fake.latency_ms = 25
    assert fake.latency_ms == 25
    assert (FakeOpenRouter().latency_ms, FakeOpenRouter().rate_limit_per_s) == (0, None)


def test_the_default_key_is_fresh_and_shaped_like_openrouters() -> None:
    first, second = FakeOpenRouter().api_key, FakeOpenRouter().api_key
    assert re.fullmatch(r"sk-or-v1-fake-[0-9a-f]{32}", first)
    assert first != second
    assert FakeOpenRouter(api_key="sk-or-mine").api_key == "sk-or-mine"


def test_its_clock_is_a_virtual_one_unless_given() -> None:
    assert isinstance(FakeOpenRouter().clock, VirtualClock)
    clock = VirtualClock()
    assert FakeOpenRouter(clock=clock).clock is clock


def test_lifecycle_start_stop_and_what_it_says_about_itself() -> None:
    fake = FakeOpenRouter()
    fake.add_generation()
    assert repr(fake) == "FakeOpenRouter(not serving, generations=1)"
    with pytest.raises(RuntimeError, match=re.escape("start the FakeOpenRouter first (use it as a context manager")):
        _ = fake.url
    assert fake.start() is fake
    try:
        with pytest.raises(RuntimeError, match=r"^this FakeOpenRouter is already serving$"):
            fake.start()
        assert re.fullmatch(r"http://127\.0\.0\.1:\d+", fake.url)
        assert int(fake.url.rpartition(":")[2]) >= 1024  # a free port the system chose
        assert fake.server_url == f"{fake.url}/api/v1"
        assert repr(fake) == f"FakeOpenRouter({fake.url}, generations=1)"
        url = fake.url
    finally:
        fake.stop()
    fake.stop()  # stopping twice is harmless
    with pytest.raises(httpx.ConnectError):
        httpx.get(f"{url}/api/v1/generation")
    assert len(fake.requests) == 0  # the request log stays readable after stop


def test_it_listens_on_the_port_given() -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    with FakeOpenRouter(port=port, host="127.0.0.1") as fake:
        assert fake.url == f"http://127.0.0.1:{port}"
        assert httpx.get(f"{fake.url}/x").status_code == 401


def test_it_serves_from_a_daemon_thread_named_for_it_until_stopped() -> None:
    before = set(threading.enumerate())
    with FakeOpenRouter() as fake:
        (thread,) = [t for t in threading.enumerate() if t not in before and t.name == "fake-openrouter"]
        assert thread.daemon  # a test run that forgets to stop it still exits
        assert httpx.get(f"{fake.url}/x").status_code == 401
    assert not thread.is_alive()


def test_a_client_from_the_fake_uses_its_key_and_clock_and_takes_overrides() -> None:
    with FakeOpenRouter() as fake:
        rec = fake.add_generation()
        with fake.client() as client:
            assert client.clock is fake.clock
            assert client.server_url == fake.server_url
            assert client.generations.get_generation(id=rec["id"]).data.id == rec["id"]
        with fake.client(server_url=f"{fake.url}/v2") as moved:
            assert moved.server_url == f"{fake.url}/v2"
            moved.generations.get_generation(id=rec["id"])
        assert fake.requests[-1].path == "/v2/generation"


def test_an_unstarted_fakes_client_is_served_in_process_sync_and_async() -> None:
    fake = FakeOpenRouter()
    rec = fake.add_generation(total_cost=0.5)

    async def both() -> float:
        async with fake.client() as client:
            assert client.server_url == "https://openrouter.invalid/api/v1"
            sync = client.generations.get_generation(id=rec["id"]).data.total_cost
            return sync + (await client.generations.get_generation_async(id=rec["id"])).data.total_cost

    assert asyncio.run(both()) == 1.0
    assert [r.path for r in fake.requests] == ["/api/v1/generation"] * 2


# -- VirtualClock --------------------------------------------------------------------------------


def test_a_virtual_sleep_returns_at_once_and_moves_both_clocks_on() -> None:
    clock = VirtualClock()
    mono, wall, real = clock.monotonic(), clock.time(), time.monotonic()
    clock.sleep(3600)
    asyncio.run(clock.sleep_async(1800))
    clock.sleep(-5)  # a negative wait is no wait, but is recorded as asked
    assert time.monotonic() - real < 60
    assert clock.monotonic() - mono >= 5400
    assert clock.time() - wall >= 5400
    assert clock.monotonic() - mono < 5400 + (time.monotonic() - real) + 1
    assert clock.sleeps == [3600, 1800, -5]
    assert re.fullmatch(r"VirtualClock\(skipped=54\d\d\.\d{3}s\)", repr(clock))


def test_advance_moves_the_clock_on_and_only_forward() -> None:
    clock = VirtualClock()
    assert repr(clock) == "VirtualClock(skipped=0.000s)"
    mono, wall = clock.monotonic(), clock.time()
    clock.advance(10)
    clock.advance(0)
    assert repr(clock) == "VirtualClock(skipped=10.000s)"
    assert clock.monotonic() - mono >= 10
    assert clock.time() - wall >= 10
    assert clock.sleeps == []
    for bad in (-1, math.nan):
        with pytest.raises(ValueError, match=re.escape(f"a clock only moves forward, not by {bad!r} seconds")):
            clock.advance(bad)
    assert repr(clock) == "VirtualClock(skipped=10.000s)"


def test_virtual_sleeps_one_after_another_add_up_and_a_wait_of_zero_or_less_moves_nothing() -> None:
    clock = VirtualClock()
    clock.sleep(0)
    asyncio.run(clock.sleep_async(-1))
    assert repr(clock) == "VirtualClock(skipped=0.000s)"
    mono = clock.monotonic()
    clock.sleep(10)
    clock.sleep(10)
    assert repr(clock).startswith("VirtualClock(skipped=20.")
    assert clock.monotonic() - mono >= 20

    async def two_in_turn() -> None:
        await clock.sleep_async(10)
        await clock.sleep_async(10)

    asyncio.run(two_in_turn())
    assert repr(clock).startswith("VirtualClock(skipped=40.")
    assert clock.sleeps == [0, -1, 10, 10, 10, 10]


def test_many_virtual_sleeps_cost_no_real_time() -> None:
    clock = VirtualClock()
    real = time.monotonic()

    async def sleep_async_often() -> None:
        for _ in range(50):
            await clock.sleep_async(3600)

    for _ in range(50):
        clock.sleep(3600)
    asyncio.run(sleep_async_often())
    assert time.monotonic() - real < 25  # 100 hours of waits, each returning at once
    assert clock.monotonic() - real >= 100 * 3600


def test_a_virtual_clock_still_flows_with_real_time() -> None:
    clock = VirtualClock()
    before = clock.monotonic()
    time.sleep(0.01)
    assert clock.monotonic() - before >= 0.01
    assert abs(clock.time() - time.time()) < 1


# -- python -m openrouter_generations.testing ----------------------------------------------------


def test_main_serves_the_generations_with_the_options_given(capsys: pytest.CaptureFixture[str]) -> None:
    seen: dict[str, object] = {}

    def serve(fake: FakeOpenRouter) -> None:
        started = json.loads(capsys.readouterr().out.splitlines()[0])
        headers = {"Authorization": "Bearer sk-or-cli"}
        url = f"{started['server_url']}/generation"
        answers = [httpx.get(url, params={"id": i}, headers=headers) for i in started["ids"]]
        seen.update(
            started=started,
            statuses=[a.status_code for a in answers],
            latency_ms=fake.latency_ms,
            records=[a.json().get("data", {}).get("id") for a in answers],
        )

    argv = ["--api-key", "sk-or-cli", "--generations", "3", "--latency-ms", "1.5", "--rate-limit-per-s", "2"]
    assert main(argv, serve=serve) == 0
    started = seen["started"]
    assert isinstance(started, dict)
    assert started["api_key"] == "sk-or-cli"
    assert re.fullmatch(r"http://127\.0\.0\.1:\d+/api/v1", started["server_url"])
    assert len(started["ids"]) == len(set(started["ids"])) == 3
    assert seen["statuses"] == [200, 200, 429]  # two a second
    assert seen["records"] == [*started["ids"][:2], None]  # the third one was refused
    assert seen["latency_ms"] == 1.5


def test_main_prints_where_it_listens_and_a_curl_line_per_generation(capsys: pytest.CaptureFixture[str]) -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    served: list[FakeOpenRouter] = []
    assert main(["--port", str(port)], serve=served.append) == 0
    lines = capsys.readouterr().out.splitlines()
    started = json.loads(lines[0])
    url = f"http://127.0.0.1:{port}/api/v1"
    assert started == {"server_url": url, "api_key": "sk-or-v1-fake", "ids": started["ids"]}
    (id,) = started["ids"]
    assert lines[1:] == [
        f"fake OpenRouter at {url} (key sk-or-v1-fake); Ctrl-C to stop",
        f"  curl -H 'Authorization: Bearer sk-or-v1-fake' '{url}/generation?id={id}'",
    ]
    (fake,) = served
    assert (fake.latency_ms, fake.rate_limit_per_s) == (0, None)
    with pytest.raises(RuntimeError):
        _ = fake.url  # stopped once `serve` returned


def test_main_defaults_to_a_free_port(capsys: pytest.CaptureFixture[str]) -> None:
    urls: list[str] = []
    assert main([], serve=lambda fake: urls.append(fake.url)) == 0
    assert re.fullmatch(r"http://127\.0\.0\.1:\d+", urls[0])
    assert int(urls[0].rpartition(":")[2]) >= 1024  # one the system chose, never 0 nor a privileged one
    assert json.loads(capsys.readouterr().out.splitlines()[0])["server_url"] == f"{urls[0]}/api/v1"


def test_main_help_says_what_each_option_does(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exited:
        main(["--help"])
    assert exited.value.code == 0
    text = " ".join(capsys.readouterr().out.split())
    assert text.startswith("usage: python -m openrouter_generations.testing [-h] [--port PORT]")
    assert "the fake as a standalone server. For trying a client" in text
    for line in (
        "--port PORT the port on 127.0.0.1 (default: a free one)",
        "--api-key API_KEY the one key accepted (default: sk-or-v1-fake)",
        "--generations N how many generations to store",
        "--latency-ms LATENCY_MS added to every answer",
        "--rate-limit-per-s RATE_LIMIT_PER_S answer 429 beyond this rate",
    ):
        assert line in text


def test_main_has_its_lines_out_before_it_serves(monkeypatch: pytest.MonkeyPatch) -> None:
    # Like a pipe to a script that waits for the JSON line: a buffered stream, flushed or not.
    raw = io.BytesIO()
    monkeypatch.setattr(sys, "stdout", io.TextIOWrapper(raw, encoding="utf-8"))
    seen: list[bytes] = []
    assert main(["--generations", "2"], serve=lambda fake: seen.append(raw.getvalue())) == 0
    lines = seen[0].decode().splitlines()
    ids = json.loads(lines[0])["ids"]
    assert len(lines) == 4
    assert lines[1].startswith("fake OpenRouter at http://127.0.0.1:")
    assert [line.rpartition("id=")[2] for line in lines[2:]] == [f"{id}'" for id in ids]


def test_main_serves_until_ctrl_c_then_stops(capsys: pytest.CaptureFixture[str]) -> None:
    main_thread = threading.main_thread()
    assert threading.current_thread() is main_thread  # where Ctrl-C lands

    def ctrl_c_once_serving() -> None:
        # Once the main thread waits in the default `serve`, Ctrl-C as a terminal sends it.
        while not returned.is_set():
            frame = sys._current_frames().get(main_thread.ident or 0)
            names = []
            while frame is not None:
                names.append(frame.f_code.co_name)
                frame = frame.f_back
            if names and names[0] == "wait" and any("_until_interrupted" in name for name in names):
                signal.pthread_kill(main_thread.ident or 0, signal.SIGINT)
                return
            time.sleep(0.001)

    previous = signal.signal(signal.SIGINT, signal.default_int_handler)  # Ctrl-C as in `python -m`
    returned = threading.Event()
    interrupter = threading.Thread(target=ctrl_c_once_serving, daemon=True)
    try:
        interrupter.start()
        assert main([]) == 0
    except KeyboardInterrupt:
        pytest.fail("Ctrl-C while serving should stop the fake and return 0")
    finally:
        returned.set()
        signal.signal(signal.SIGINT, previous)
    interrupter.join()
    url = json.loads(capsys.readouterr().out.splitlines()[0])["server_url"]
    with pytest.raises(httpx.ConnectError):  # stopped
        httpx.get(f"{url}/generation")
