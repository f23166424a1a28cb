"""The network faults a `Reply` scripts, as a client meets them: over the fake's real socket,
and in-process through `fake.transport()` (sync and async), which raises what httpx raises for
them on a connection."""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import Iterator

import httpx
import pytest

from openrouter_generations.testing import FakeOpenRouter, Reply

KEY = {"Authorization": "Bearer sk-or-v1-good"}


@pytest.fixture
def fake() -> Iterator[FakeOpenRouter]:
    with FakeOpenRouter(api_key="sk-or-v1-good") as started:
        yield started


def _url(fake: FakeOpenRouter) -> str:
    return f"{fake.server_url}/generation"


def test_the_socket_answer_names_the_server_and_its_length(fake: FakeOpenRouter) -> None:
    rec = fake.add_generation()
    res = httpx.get(_url(fake), params={"id": rec["id"]}, headers=KEY)
    assert res.headers["server"].startswith("FakeOpenRouter")
    assert res.headers["content-length"] == str(len(res.content))
    assert res.http_version == "HTTP/1.1"


def test_a_request_body_is_read_and_the_connection_kept_for_the_next(fake: FakeOpenRouter) -> None:
    rec = fake.add_generation()
    with httpx.Client(headers=KEY) as http:
        posted = http.post(_url(fake), params={"id": rec["id"]}, content=b"x" * 10_000)
        got = http.get(_url(fake), params={"id": rec["id"]})
    assert (posted.status_code, got.status_code) == (405, 200)
    assert got.json() == {"data": rec}


def test_head_gets_the_headers_and_no_body(fake: FakeOpenRouter) -> None:
    rec = fake.add_generation()
    with httpx.Client(headers=KEY) as http:
        res = http.head(_url(fake), params={"id": rec["id"]})
        after = http.get(_url(fake), params={"id": rec["id"]}, headers=KEY)  # the same connection goes on
    assert res.status_code == 405
    assert res.content == b""
    assert int(res.headers["content-length"]) > 0
    assert after.status_code == 200
    fake.script_next(Reply(200, b"body"))
    with httpx.Client(transport=fake.transport(), headers=KEY) as http:
        assert http.head(_url(fake), params={"id": rec["id"]}).content == b""


def test_a_trickled_body_arrives_whole_one_byte_at_a_time(fake: FakeOpenRouter) -> None:
    fake.script_next(Reply(200, b"abcd", trickle=0.01), Reply(200, b"abcd", trickle=0.01))
    with httpx.Client(headers=KEY) as http, http.stream("GET", _url(fake), params={"id": "x"}) as res:
        chunks = list(res.iter_raw())
    assert b"".join(chunks) == b"abcd"
    with httpx.Client(transport=fake.transport(), headers=KEY) as http, http.stream("GET", _url(fake)) as res:
        assert list(res.iter_raw()) == [b"a", b"b", b"c", b"d"]


def test_a_trickle_the_client_hangs_up_on_leaves_the_server_serving(fake: FakeOpenRouter) -> None:
    rec = fake.add_generation()
    fake.script_next(Reply(200, b"x" * 1000, trickle=0.5))
    with httpx.Client(headers=KEY, timeout=0.2) as http, pytest.raises(httpx.ReadTimeout):
        http.get(_url(fake), params={"id": rec["id"]})
    assert httpx.get(_url(fake), params={"id": rec["id"]}, headers=KEY).json() == {"data": rec}


@pytest.mark.parametrize("in_process", [False, True], ids=["socket", "in_process"])
def test_an_endless_body_is_chunked_and_never_ends(fake: FakeOpenRouter, in_process: bool) -> None:
    fake.script_next(Reply(200, endless=True))
    transport = fake.transport() if in_process else None
    with httpx.Client(headers=KEY, transport=transport) as http, http.stream("GET", _url(fake)) as res:
        assert res.headers["transfer-encoding"] == "chunked"
        assert "content-length" not in res.headers
        received = 0
        for chunk in res.iter_raw():
            assert set(chunk) == {ord("x")}
            received += len(chunk)
            if received > 1_000_000:
                break
    assert received > 1_000_000
    rec = fake.add_generation()
    assert httpx.get(_url(fake), params={"id": rec["id"]}, headers=KEY).status_code == 200


@pytest.mark.parametrize("in_process", [False, True], ids=["socket", "in_process"])
def test_a_dropped_body_sends_that_many_bytes_then_fails(fake: FakeOpenRouter, in_process: bool) -> None:
    fake.script_next(Reply(200, b"0123456789", drop_after=4))
    transport = fake.transport() if in_process else None
    received = bytearray()

    def read_all(res: httpx.Response) -> None:
        for chunk in res.iter_raw():
            received.extend(chunk)

    with httpx.Client(headers=KEY, transport=transport) as http, http.stream("GET", _url(fake)) as res:
        assert res.headers["content-length"] == "10"
        with pytest.raises(httpx.RemoteProtocolError):
            read_all(res)
    assert bytes(received) == b"0123"
    assert fake.in_flight == 0


def test_a_close_in_process_says_what_httpx_says() -> None:
    fake = FakeOpenRouter(api_key="k")
    fake.script_next(Reply(close=True))
    with httpx.Client(transport=fake.transport()) as http:
        with pytest.raises(httpx.RemoteProtocolError, match=r"^Server disconnected without sending a response\.$"):
            http.get("https://x.invalid/generation")
        fake.script_next(Reply(200, b"abcdef", drop_after=2))
        with pytest.raises(
            httpx.RemoteProtocolError, match=r"^peer closed connection without sending complete message body$"
        ):
            http.get("https://x.invalid/generation").read()
    assert fake.in_flight == 0


def test_in_process_delays_stalls_and_latency_take_real_time() -> None:
    fake = FakeOpenRouter(api_key="k")
    fake.script_next(Reply(200, b"a", delay=0.1), Reply(200, b"b", stall=0.1), Reply(200, b"c"))
    fake.latency_ms = 0
    with httpx.Client(transport=fake.transport()) as http:
        for expected in (b"a", b"b"):
            start = time.monotonic()
            assert http.get("https://x.invalid/generation").content == expected
            assert time.monotonic() - start >= 0.1
        fake.latency_ms = 100
        start = time.monotonic()
        assert http.get("https://x.invalid/generation").content == b"c"
        assert time.monotonic() - start >= 0.1

    async def async_ones() -> list[bytes]:
        fake.script_next(Reply(200, b"d", delay=0.05), Reply(200, b"ef", stall=0.05, trickle=0.01))
        async with httpx.AsyncClient(transport=fake.transport()) as ahttp:
            first = await ahttp.get("https://x.invalid/generation")
            async with ahttp.stream("GET", "https://x.invalid/generation") as res:
                return [first.content, *[chunk async for chunk in res.aiter_raw()]]

    start = time.monotonic()
    assert asyncio.run(async_ones()) == [b"d", b"e", b"f"]
    assert time.monotonic() - start >= 0.2  # 2 x 100 ms of latency, and the waits
    assert fake.in_flight == 0


def test_an_async_close_in_process_fails_like_a_socket_and_counts_nothing_in_flight() -> None:
    fake = FakeOpenRouter(api_key="k")

    async def run() -> None:
        fake.script_next(Reply(close=True), Reply(200, b"abc", drop_after=1))
        async with httpx.AsyncClient(transport=fake.transport()) as ahttp:
            with pytest.raises(httpx.RemoteProtocolError, match=r"^Server disconnected"):
                await ahttp.get("https://x.invalid/generation")
            with pytest.raises(httpx.RemoteProtocolError, match=r"^peer closed"):
                await ahttp.get("https://x.invalid/generation")

    asyncio.run(run())
    assert (fake.in_flight, fake.peak_in_flight) == (0, 1)


def test_a_body_the_fake_cannot_send_fails_that_request_and_leaves_nothing_in_flight(
    fake: FakeOpenRouter, capsys: pytest.CaptureFixture[str]
) -> None:
    rec = fake.add_generation()
    fake.script(rec["id"], Reply(200, {"not": object()}))
    with pytest.raises(httpx.RemoteProtocolError):  # over the socket: the connection closes unanswered
        httpx.get(_url(fake), params={"id": rec["id"]}, headers=KEY)
    assert fake.in_flight == 0
    err = capsys.readouterr().err  # the fake's own error is shown, with where the request came from
    assert "Exception occurred during processing of request from ('127.0.0.1', " in err
    assert "TypeError: Object of type object is not JSON serializable" in err
    fake.script(rec["id"], Reply(200, {"not": object()}))
    with httpx.Client(transport=fake.transport(), headers=KEY) as http:  # in-process: the error itself
        with pytest.raises(TypeError, match="not JSON serializable"):
            http.get(_url(fake), params={"id": rec["id"]})
        assert http.get(_url(fake), params={"id": rec["id"]}).json() == {"data": rec}
    assert (fake.in_flight, fake.peak_in_flight) == (0, 1)


def test_a_close_or_a_drop_over_the_socket_prints_nothing(
    fake: FakeOpenRouter, capsys: pytest.CaptureFixture[str]
) -> None:
    rec = fake.add_generation()
    fake.script(rec["id"], Reply(close=True), Reply(200, drop_after=3))
    for _ in range(2):
        with pytest.raises(httpx.RemoteProtocolError):
            httpx.get(_url(fake), params={"id": rec["id"]}, headers=KEY)
    assert httpx.get(_url(fake), params={"id": rec["id"]}, headers=KEY).json() == {"data": rec}
    assert capsys.readouterr() == ("", "")  # faults it was asked for are no error of the fake's


@pytest.mark.parametrize(
    "reply",
    [
        Reply(200, b"0123456789"),
        Reply(200, b""),
        Reply(200, b"0123456789", drop_after=4),
        Reply(200, close=True),
        Reply(200, b"0123", trickle=0.001),
        ("HEAD", Reply(200, b"0123456789")),
    ],
    ids=["whole", "empty", "dropped", "closed", "trickled", "head"],
)
def test_a_request_is_out_of_flight_once_its_client_has_the_end_of_the_answer(
    fake: FakeOpenRouter, reply: Reply | tuple[str, Reply], monkeypatch: pytest.MonkeyPatch
) -> None:
    """What a user's test asserts right after its call returns: the fake is no longer serving it,
    however late the fake's own thread gets round to counting it out."""
    method, reply = reply if isinstance(reply, tuple) else ("GET", reply)
    backend = fake._backend
    leave = backend.leave

    def late_leave() -> None:
        time.sleep(0.2)
        leave()

    monkeypatch.setattr(backend, "leave", late_leave)
    fake.script_next(reply)
    with httpx.Client(headers=KEY) as http, contextlib.suppress(httpx.TransportError):
        http.request(method, _url(fake))
    assert fake.in_flight == 0


def test_a_request_is_in_flight_while_its_body_is_still_to_come(fake: FakeOpenRouter) -> None:
    fake.script_next(Reply(200, b"0123456789", stall=0.3))
    with httpx.Client(headers=KEY) as http, http.stream("GET", _url(fake)) as res:
        assert res.status_code == 200  # the headers are here, the body not yet
        assert fake.in_flight == 1
        assert res.read() == b"0123456789"
