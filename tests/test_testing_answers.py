"""What the fake answers, in-process through `fake.transport()` (the same `Backend` the socket
serves): its routes, error bodies, scripts, default bodies, the rate limit and the request log."""

from __future__ import annotations

import asyncio
import email.utils
import json
from collections.abc import Iterator

import httpx
import pytest

from openrouter_generations.testing import FakeOpenRouter, Reply, error_body

from .conftest import FakeClock

URL = "https://openrouter.invalid/api/v1/generation"


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def fake(clock: FakeClock) -> FakeOpenRouter:
    return FakeOpenRouter(api_key="sk-or-v1-good", clock=clock)  # never started: in-process only


@pytest.fixture
def http(fake: FakeOpenRouter) -> Iterator[httpx.Client]:
    with httpx.Client(transport=fake.transport(), headers={"Authorization": "Bearer sk-or-v1-good"}) as client:
        yield client


def test_the_error_body_is_the_documented_error_object() -> None:
    assert error_body(404) == {"error": {"code": 404, "message": "Not Found"}, "user_id": None}
    assert error_body(429, "Slow down") == {"error": {"code": 429, "message": "Slow down"}, "user_id": None}
    assert error_body(599) == {"error": {"code": 599, "message": "Error 599"}, "user_id": None}


@pytest.mark.parametrize(
    ("authorization", "message"),
    [
        (None, "No auth credentials found"),
        ("Bearer ", "No auth credentials found"),
        ("Bearer    ", "No auth credentials found"),
        ("Basic sk-or-v1-good", "No auth credentials found"),
        ("Bearer sk-or-v1-bad", "User not found."),
        ("Bearer k", "User not found."),
        ("Bearer sk-or-v1-good ", "User not found."),
    ],
)
def test_a_missing_or_wrong_key_is_401_with_the_services_message(
    fake: FakeOpenRouter, authorization: str | None, message: str
) -> None:
    rec = fake.add_generation()
    headers = {} if authorization is None else {"Authorization": authorization}
    with httpx.Client(transport=fake.transport()) as http:
        res = http.get(URL, params={"id": rec["id"]}, headers=headers)
    assert (res.status_code, res.json()) == (401, error_body(401, message))
    assert res.headers["content-type"] == "application/json"


def test_another_path_is_404_and_another_method_405(fake: FakeOpenRouter, http: httpx.Client) -> None:
    rec = fake.add_generation()
    other = http.get("https://openrouter.invalid/api/v1/generations", params={"id": rec["id"]})
    assert (other.status_code, other.json()) == (404, error_body(404, "Not Found"))
    posted = http.post(URL, params={"id": rec["id"]}, content=b"{}")
    assert (posted.status_code, posted.json()) == (405, error_body(405, "Method Not Allowed"))
    assert posted.headers["allow"] == "GET"
    anywhere = http.get("https://openrouter.invalid/elsewhere/generation", params={"id": rec["id"]})
    assert anywhere.json() == {"data": rec}  # any path ending in /generation


@pytest.mark.parametrize("ids", [[], [""], ["a", "b"]], ids=["none", "empty", "two"])
def test_not_exactly_one_id_is_400(fake: FakeOpenRouter, http: httpx.Client, ids: list[str]) -> None:
    res = http.get(URL, params=[("id", i) for i in ids])
    assert (res.status_code, res.json()) == (400, error_body(400, "Exactly one non-empty id is required"))


def test_a_late_generation_answers_404_until_its_time_on_the_clock(
    fake: FakeOpenRouter, http: httpx.Client, clock: FakeClock
) -> None:
    rec = fake.add_generation(available_after_ms=2_000)
    now = fake.add_generation(available_after_ms=-5)  # negative: available at once
    assert http.get(URL, params={"id": now["id"]}).status_code == 200
    clock.now += 1.999
    res = http.get(URL, params={"id": rec["id"]})
    assert (res.status_code, res.json()) == (404, error_body(404, f"Generation {rec['id']} not found"))
    clock.now += 0.001
    assert http.get(URL, params={"id": rec["id"]}).json() == {"data": rec}


def test_every_answer_carries_the_clocks_date(fake: FakeOpenRouter, http: httpx.Client, clock: FakeClock) -> None:
    rec = fake.add_generation()
    res = http.get(URL, params={"id": rec["id"]})
    assert res.headers.get_list("date") == [email.utils.formatdate(clock.time(), usegmt=True)]
    fake.script(rec["id"], Reply(200, headers={"date": "Tue, 01 Jan 2030 00:00:00 GMT"}))
    assert http.get(URL, params={"id": rec["id"]}).headers.get_list("date") == ["Tue, 01 Jan 2030 00:00:00 GMT"]


def test_a_scripted_reply_without_a_content_type_sends_none(fake: FakeOpenRouter, http: httpx.Client) -> None:
    rec = fake.add_generation()
    fake.script(rec["id"], Reply(200, b"raw", content_type=None, headers={"X-Extra": "1"}))
    res = http.get(URL, params={"id": rec["id"]})
    assert "content-type" not in res.headers
    assert (res.content, res.headers["x-extra"], res.headers["content-length"]) == (b"raw", "1", "3")


@pytest.mark.parametrize(
    ("body", "sent"),
    [
        (b"\xff\x00bytes", b"\xff\x00bytes"),
        ("caf\u00e9", "caf\u00e9".encode()),
        ({"data": {"id": "x"}}, b'{"data": {"id": "x"}}'),
        ([1, None], b"[1, null]"),
    ],
    ids=["bytes", "str", "dict", "list"],
)
def test_a_scripted_body_is_sent_as_given(fake: FakeOpenRouter, http: httpx.Client, body: object, sent: bytes) -> None:
    fake.script("gen-1", Reply(200, body))
    assert http.get(URL, params={"id": "gen-1"}).content == sent


@pytest.mark.parametrize(
    ("status", "body"),
    [(201, "record"), (299, "record"), (300, b""), (304, b""), (302, b""), (500, None), (400, None)],
    ids=["201", "299", "300", "304", "302", "500", "400"],
)
def test_the_default_body_of_each_status(fake: FakeOpenRouter, http: httpx.Client, status: int, body: object) -> None:
    rec = fake.add_generation()
    fake.script(rec["id"], Reply(status))
    res = http.get(URL, params={"id": rec["id"]})
    assert res.status_code == status
    if body is None:
        assert res.json() == error_body(status)
    elif body == "record":
        assert res.json() == {"data": rec}
    else:
        assert res.content == body


def test_a_scripted_success_for_an_unknown_id_is_a_generation_of_that_id(
    fake: FakeOpenRouter, http: httpx.Client
) -> None:
    fake.script("gen-never-added", Reply(200))
    data = http.get(URL, params={"id": "gen-never-added"}).json()["data"]
    assert data["id"] == "gen-never-added"
    assert data["model"] == "openai/gpt-4o"
    assert fake.generation("gen-never-added") is None  # made up for that answer, not stored
    fake.script_next(Reply(200), Reply(200))
    anyone = http.get(URL).json()["data"]  # no id at all: a generation with a made-up one
    assert anyone["id"].startswith("gen-")
    assert http.get(f"{URL}?id=").json()["data"]["id"].startswith("gen-")  # an empty one: the same


def test_script_next_goes_before_any_per_id_script_and_to_any_request(fake: FakeOpenRouter, http: httpx.Client) -> None:
    rec = fake.add_generation()
    fake.script(rec["id"], Reply(502))
    fake.script_next(Reply(503), Reply(504))
    statuses = [http.get(URL, params={"id": i}).status_code for i in (rec["id"], "gen-other", rec["id"], rec["id"])]
    assert statuses == [503, 504, 502, 200]


def test_a_script_waits_for_a_request_of_its_one_id(fake: FakeOpenRouter, http: httpx.Client) -> None:
    rec = fake.add_generation()
    fake.script(rec["id"], Reply(503))
    assert http.get(URL, params=[("id", rec["id"]), ("id", rec["id"])]).status_code == 400  # two ids: not its
    assert http.get(URL, params={"id": rec["id"]}).status_code == 503


def test_clear_scripts_forgets_what_was_not_sent(fake: FakeOpenRouter, http: httpx.Client) -> None:
    rec = fake.add_generation()
    fake.script(rec["id"], Reply(503))
    fake.script_next(Reply(502))
    fake.clear_scripts()
    assert http.get(URL, params={"id": rec["id"]}).json() == {"data": rec}


def test_the_rate_limit_answers_429_with_the_services_headers_until_the_window_moves(
    fake: FakeOpenRouter, http: httpx.Client, clock: FakeClock
) -> None:
    rec = fake.add_generation()
    fake.rate_limit_per_s = 2
    assert fake.rate_limit_per_s == 2
    first = http.get(URL, params={"id": rec["id"]})
    clock.now += 0.25
    second = http.get(URL, params={"id": rec["id"]})
    clock.now += 0.5
    limited = http.get(URL, params={"id": rec["id"]})
    assert [r.status_code for r in (first, second, limited)] == [200, 200, 429]
    assert limited.json() == error_body(429, "Rate limit exceeded")
    reset_ms = int((clock.time() + 0.25) * 1000)  # the first one leaves the window 0.25 s from now
    assert {k: limited.headers[k] for k in ("retry-after", "x-ratelimit-limit", "x-ratelimit-remaining")} == {
        "retry-after": "1",
        "x-ratelimit-limit": "2",
        "x-ratelimit-remaining": "0",
    }
    assert abs(int(limited.headers["x-ratelimit-reset"]) - reset_ms) <= 1
    clock.now += 0.25  # exactly a second after the first: it no longer counts
    assert http.get(URL, params={"id": rec["id"]}).status_code == 200
    assert http.get(URL, params={"id": rec["id"]}).status_code == 429  # the second still counts
    clock.now += 0.25
    assert http.get(URL, params={"id": rec["id"]}).status_code == 200
    fake.rate_limit_per_s = None
    assert all(http.get(URL, params={"id": rec["id"]}).status_code == 200 for _ in range(5))


def test_a_long_rate_limit_wait_rounds_up_to_whole_seconds() -> None:
    clock = FakeClock()
    fake = FakeOpenRouter(api_key="k", clock=clock, rate_limit_per_s=1)
    with httpx.Client(transport=fake.transport(), headers={"Authorization": "Bearer k"}) as http:
        assert http.get(URL, params={"id": "x"}).status_code == 404
        clock.now += 0.1
        res = http.get(URL, params={"id": "x"})
    assert (res.status_code, res.headers["retry-after"]) == (429, "1")


def test_a_missing_key_is_refused_before_the_rate_limit_counts(fake: FakeOpenRouter, http: httpx.Client) -> None:
    rec = fake.add_generation()
    fake.rate_limit_per_s = 1
    with httpx.Client(transport=fake.transport()) as anonymous:
        assert [anonymous.get(URL, params={"id": rec["id"]}).status_code for _ in range(3)] == [401] * 3
    assert http.get(URL, params={"id": rec["id"]}).status_code == 200


def test_requests_are_logged_with_their_arrival_on_the_clock(
    fake: FakeOpenRouter, http: httpx.Client, clock: FakeClock
) -> None:
    clock.now = 5_000.0
    http.get(f"{URL}?id=a+b&other=1&id=", headers={"X-Trace": "T"})
    (request,) = fake.requests
    assert (request.method, request.path, request.ids, request.at) == (
        "GET",
        "/api/v1/generation",
        ["a b", ""],
        5_000.0,
    )
    assert request.raw_path == "/api/v1/generation?id=a+b&other=1&id="
    assert request.headers["x-trace"] == "T"
    assert "X-Trace" not in request.headers


def test_in_flight_counts_a_request_until_its_body_is_read(fake: FakeOpenRouter, http: httpx.Client) -> None:
    rec = fake.add_generation()
    assert (fake.in_flight, fake.peak_in_flight) == (0, 0)  # nothing served yet
    with http.stream("GET", URL, params={"id": rec["id"]}) as res:
        assert (fake.in_flight, fake.peak_in_flight) == (1, 1)
        res.read()
    assert (fake.in_flight, fake.peak_in_flight) == (0, 1)

    async def two_at_once() -> None:
        transport = fake.transport()
        headers = {"Authorization": "Bearer sk-or-v1-good"}
        async with (
            httpx.AsyncClient(transport=transport, headers=headers) as client,
            client.stream("GET", URL, params={"id": rec["id"]}),
            client.stream("GET", URL, params={"id": rec["id"]}),
        ):
            assert fake.in_flight == 2

    asyncio.run(two_at_once())
    assert (fake.in_flight, fake.peak_in_flight) == (0, 2)


def test_the_record_returned_is_the_one_served(fake: FakeOpenRouter, http: httpx.Client) -> None:
    rec = fake.add_generation()
    rec["total_cost"] = 9.5
    assert fake.generation(rec["id"]) is rec
    assert json.loads(http.get(URL, params={"id": rec["id"]}).content)["data"]["total_cost"] == 9.5
    assert fake.generation("gen-unknown") is None
