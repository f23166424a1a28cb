"""The shipped fake (`openrouter_generations.testing`): each knob through the real client and
through raw httpx over a real socket, and the same answers in-process through `transport()`."""

from __future__ import annotations

import asyncio
import datetime
import json
import subprocess
import sys
import threading
from collections.abc import Iterator

import httpx
import pytest

from openrouter_generations import OpenRouter, errors
from openrouter_generations.testing import GENERATION_FIELDS, FakeOpenRouter, Reply, VirtualClock, error_body
from openrouter_generations.utils import NO_RETRIES, RetryConfig

from .conftest import ROOT, FakeClock, load_json


@pytest.fixture
def fake() -> Iterator[FakeOpenRouter]:
    with FakeOpenRouter(clock=VirtualClock()) as started:
        yield started


def _sleeps(fake: FakeOpenRouter) -> list[float]:
    assert isinstance(fake.clock, VirtualClock)
    return fake.clock.sleeps


def _get(fake: FakeOpenRouter, *ids: str, key: str | None = None) -> httpx.Response:
    headers = {"Authorization": f"Bearer {fake.api_key if key is None else key}"} if key != "" else {}
    return httpx.get(f"{fake.server_url}/generation", params=[("id", i) for i in ids], headers=headers)


# -- records -------------------------------------------------------------------------------------


def test_a_record_has_every_documented_field_and_parses_strictly(fake: FakeOpenRouter) -> None:
    documented = load_json("documented_api.json")
    rec = fake.add_generation()
    assert list(rec) == list(GENERATION_FIELDS)
    assert len(rec) == 45 == len(set(GENERATION_FIELDS))
    assert rec["id"].startswith("gen-")
    assert documented  # the reference document the spec is checked against is there
    with fake.client() as client:
        g = client.generations.get_generation(id=rec["id"]).data
    assert g.to_dict() == rec
    assert g.additional_properties == {}


def test_a_record_is_consistent_with_the_fields_given(fake: FakeOpenRouter) -> None:
    rec = fake.add_generation(model="openai/gpt-4o", native_tokens_prompt=1_000, native_tokens_completion=200)
    assert (rec["tokens_prompt"], rec["tokens_completion"]) == (1_000, 200)
    assert rec["total_cost"] == rec["usage"] == pytest.approx(1_000 * 2.5e-6 + 200 * 10e-6)
    assert rec["provider_name"] == rec["provider_responses"][-1]["provider_name"] == "OpenAI"
    assert rec["provider_responses"][-1]["status"] == 200
    assert rec["generation_time"] >= rec["latency"] > 0
    created = datetime.datetime.fromisoformat(rec["created_at"])
    assert abs(created.timestamp() + rec["generation_time"] / 1000 - fake.clock.time()) < 5
    cached = fake.add_generation(native_tokens_prompt=1_000, native_tokens_completion=200, native_tokens_cached=800)
    assert cached["cache_discount"] > 0
    assert cached["total_cost"] == pytest.approx(rec["total_cost"] - cached["cache_discount"])
    assert fake.add_generation()["id"] != fake.add_generation()["id"]


def test_fields_given_win_and_unknown_ones_are_kept(fake: FakeOpenRouter) -> None:
    rec = fake.add_generation(id="gen-mine", total_cost=0.0021, router="auto", brand_new_field={"x": 1})
    assert (rec["id"], rec["total_cost"], rec["router"], rec["brand_new_field"]) == (
        "gen-mine",
        0.0021,
        "auto",
        {"x": 1},
    )
    with fake.client() as client:
        g = client.generations.get_generation(id="gen-mine").data
    assert g.total_cost == 0.0021
    assert g.additional_properties == {"brand_new_field": {"x": 1}}
    assert _get(fake, "gen-mine").json() == {"data": rec}


def test_available_after_ms_answers_404_until_then_on_the_fake_clock() -> None:
    # A clock that moves only when the client sleeps: on a busy machine real time would
    # otherwise pay part of the 5 s and the sleeps would add up to less.
    clock = FakeClock()
    with FakeOpenRouter(clock=clock) as fake:
        rec = fake.add_generation(available_after_ms=5_000)
        assert _get(fake, rec["id"]).status_code == 404
        with fake.client() as client:
            with pytest.raises(errors.NotFoundResponseError):
                client.generations.get_generation(id=rec["id"], retries=NO_RETRIES)
            res = client.generations.get_generation(id=rec["id"], retries=RetryConfig(retry_not_found_for=15_000))
    assert res.data.id == rec["id"]
    assert 5 <= sum(clock.sleeps) < 15  # waited 5 s of the fake's time
    assert fake.requests[-1].at - fake.requests[0].at >= 5


# -- the service's answers -----------------------------------------------------------------------


def test_missing_or_wrong_key_is_401_with_the_error_body(fake: FakeOpenRouter) -> None:
    rec = fake.add_generation()
    for key in ("", "sk-or-wrong"):
        res = _get(fake, rec["id"], key=key)
        assert res.status_code == 401
        assert res.json()["error"]["code"] == 401
        assert res.json()["error"]["message"]
    with fake.client(api_key="sk-or-wrong") as client, pytest.raises(errors.UnauthorizedResponseError):
        client.generations.get_generation(id=rec["id"])
    fake.api_key = "sk-or-new"
    assert _get(fake, rec["id"], key="sk-or-new").status_code == 200


def test_unknown_id_is_404_and_missing_or_empty_id_400(fake: FakeOpenRouter) -> None:
    assert _get(fake, "gen-nope").json() == error_body(404, "Generation gen-nope not found")
    assert _get(fake).status_code == 400
    assert _get(fake, "").json()["error"]["code"] == 400
    with fake.client() as client, pytest.raises(errors.NotFoundResponseError) as caught:
        client.generations.get_generation(id="gen-nope")
    assert caught.value.message == "Generation gen-nope not found"


# -- scripts -------------------------------------------------------------------------------------


def test_script_answers_in_order_then_the_record_again(fake: FakeOpenRouter) -> None:
    rec = fake.add_generation(total_cost=0.5)
    other = fake.add_generation()
    html = "<html><body>502 Bad Gateway</body></html>"
    fake.script(rec["id"], Reply(503), Reply(502, html, content_type="text/html"), Reply(200, {"data": {"id": "x"}}))
    assert _get(fake, other["id"]).status_code == 200  # another id: not scripted
    first = _get(fake, rec["id"])
    assert (first.status_code, first.json()) == (503, error_body(503))
    second = _get(fake, rec["id"])
    assert (second.status_code, second.text, second.headers["content-type"]) == (502, html, "text/html")
    assert _get(fake, rec["id"]).json() == {"data": {"id": "x"}}
    assert _get(fake, rec["id"]).json() == {"data": rec}


def test_a_retry_after_of_30_s_costs_no_real_time(fake: FakeOpenRouter) -> None:
    rec = fake.add_generation()
    fake.script(rec["id"], Reply(429, headers={"Retry-After": "30"}), Reply(503))
    with fake.client() as client:
        assert client.generations.get_generation(id=rec["id"]).data.id == rec["id"]
    assert _sleeps(fake)[0] == 30.0  # what it waited, on the fake clock only
    assert len(fake.requests) == 3


def test_a_date_header_replaces_the_fakes_own(fake: FakeOpenRouter) -> None:
    rec = fake.add_generation()
    fake.script(rec["id"], Reply(200, headers={"Date": "Tue, 01 Jan 2030 00:00:00 GMT"}))
    assert _get(fake, rec["id"]).headers.get_list("date") == ["Tue, 01 Jan 2030 00:00:00 GMT"]


@pytest.mark.parametrize(
    ("reply", "exception"),
    [
        (Reply(200, drop_after=10), httpx.RemoteProtocolError),
        (Reply(close=True), httpx.RemoteProtocolError),
        (Reply(200, stall=1.0), httpx.ReadTimeout),
        (Reply(200, delay=1.0), httpx.ReadTimeout),
    ],
    ids=["drop_mid_body", "close", "stall", "delay"],
)
def test_faults_over_the_socket_and_in_process(fake: FakeOpenRouter, reply: Reply, exception: type[Exception]) -> None:
    rec = fake.add_generation()
    headers = {"Authorization": f"Bearer {fake.api_key}"}
    url = f"{fake.server_url}/generation"
    fake.script(rec["id"], reply)
    with httpx.Client(timeout=0.2) as http, pytest.raises(exception):
        http.get(url, params={"id": rec["id"]}, headers=headers).read()
    if exception is httpx.RemoteProtocolError:  # in-process, what httpx raises for it on a socket
        fake.script(rec["id"], reply)
        with httpx.Client(transport=fake.transport()) as http, pytest.raises(exception):
            http.get(url, params={"id": rec["id"]}, headers=headers).read()
    with fake.client() as ours:  # the client retries the fault and gets the record
        fake.script(rec["id"], reply)
        assert ours.generations.get_generation(id=rec["id"], timeout_ms=300).data.id == rec["id"]


# -- server-wide knobs ---------------------------------------------------------------------------


def test_rate_limit_answers_429_with_retry_after_beyond_the_rate() -> None:
    clock = FakeClock()  # moves only when slept on: the window cannot slide on a slow machine
    with FakeOpenRouter(rate_limit_per_s=3, clock=clock) as fake:
        rec = fake.add_generation()
        statuses = [_get(fake, rec["id"]) for _ in range(5)]
        assert [r.status_code for r in statuses] == [200, 200, 200, 429, 429]
        assert statuses[3].headers["retry-after"] == "1"
        assert statuses[3].json()["error"]["code"] == 429
        with fake.client() as client:  # waits out the window on the fake's clock
            assert client.generations.get_generation(id=rec["id"]).data.id == rec["id"]
        assert clock.sleeps[0] >= 1


def test_latency_and_peak_in_flight() -> None:
    with FakeOpenRouter(latency_ms=200) as fake:
        rec = fake.add_generation()

        async def main() -> None:
            async with fake.client() as client:
                await asyncio.gather(*(client.generations.get_generation_async(id=rec["id"]) for _ in range(5)))

        asyncio.run(main())
        assert fake.peak_in_flight == 5  # all five were being served at once
        assert fake.in_flight == 0
        one = _get(fake, rec["id"])
        assert one.elapsed.total_seconds() >= 0.2


def test_requests_are_recorded_as_they_arrived(fake: FakeOpenRouter) -> None:
    rec = fake.add_generation()
    with fake.client() as client:
        client.generations.get_generation(id=rec["id"])
    httpx.post(f"{fake.url}/api/v1/other?id=a&id=b", headers={"X-Custom": "v"})
    first, second = fake.requests
    assert (first.method, first.path, first.ids) == ("GET", "/api/v1/generation", [rec["id"]])
    assert first.headers["authorization"] == f"Bearer {fake.api_key}"
    assert first.headers["user-agent"].startswith("openrouter-generations/")
    assert (second.method, second.path, second.ids, second.headers["x-custom"]) == (
        "POST",
        "/api/v1/other",
        ["a", "b"],
        "v",
    )


# -- in-process ----------------------------------------------------------------------------------


def test_transport_serves_the_same_records_and_scripts_sync_and_async() -> None:
    fake = FakeOpenRouter()  # never started: no socket
    rec = fake.add_generation(total_cost=0.25)
    fake.script(rec["id"], Reply(503))
    http = httpx.Client(transport=fake.transport())
    with OpenRouter(api_key=fake.api_key, client=http, clock=fake.clock) as client:
        assert client.generations.get_generation(id=rec["id"]).data.total_cost == 0.25
    assert [r.ids for r in fake.requests] == [[rec["id"]]] * 2

    async def main() -> float:
        fake.script(rec["id"], Reply(200, drop_after=5))
        async with httpx.AsyncClient(transport=fake.transport()) as ahttp:
            client = OpenRouter(api_key=fake.api_key, async_client=ahttp, clock=fake.clock)
            async with client:
                return (await client.generations.get_generation_async(id=rec["id"])).data.total_cost

    assert asyncio.run(main()) == 0.25
    assert len(fake.requests) == 4
    with fake.client() as unstarted, pytest.raises(errors.NotFoundResponseError):
        unstarted.generations.get_generation(id="gen-nope")
    assert fake.in_flight == 0


def test_virtual_clock_overlapping_sleeps_do_not_add_up() -> None:
    clock = VirtualClock()
    start = clock.monotonic()
    threads = [threading.Thread(target=clock.sleep, args=(10,)) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert 10 <= clock.monotonic() - start < 41
    clock.advance(5)
    assert clock.time() - clock.monotonic() == pytest.approx(clock.time() - clock.monotonic())


# -- packaging -----------------------------------------------------------------------------------


def test_importing_the_package_does_not_import_testing() -> None:
    code = (
        "import sys, openrouter_generations; print(sorted(m for m in sys.modules if 'testing' in m or m == 'pytest'))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=ROOT)
    assert out.stdout.strip() == "[]"


def test_the_plugin_module_is_the_only_one_importing_pytest() -> None:
    code = "import sys, openrouter_generations.testing; print('pytest' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=ROOT)
    assert out.stdout.strip() == "False"


def test_python_m_serves_until_stopped() -> None:
    proc = subprocess.Popen(
        [sys.executable, "-m", "openrouter_generations.testing", "--port", "0", "--api-key", "sk-or-cli"],
        stdout=subprocess.PIPE,
        text=True,
        cwd=ROOT,
    )
    try:
        assert proc.stdout is not None
        started = json.loads(proc.stdout.readline())
        res = httpx.get(
            f"{started['server_url']}/generation",
            params={"id": started["ids"][0]},
            headers={"Authorization": "Bearer sk-or-cli"},
        )
        assert res.json()["data"]["id"] == started["ids"][0]
    finally:
        proc.terminate()
        proc.wait(timeout=10)
        if proc.stdout is not None:
            proc.stdout.close()


def test_the_fixture_is_registered_with_pytest(openrouter_fake: FakeOpenRouter) -> None:
    rec = openrouter_fake.add_generation()
    assert _get(openrouter_fake, rec["id"]).status_code == 200


def test_a_generation_without_a_provider_has_no_provider_attempt(fake: FakeOpenRouter) -> None:
    rec = fake.add_generation(provider_name=None)
    assert rec["provider_name"] is None
    assert rec["provider_responses"] is None  # no provider answered, so none was tried
    with fake.client() as client:
        g = client.generations.get_generation(id=rec["id"]).data
    assert (g.provider_name, g.provider_responses) == (None, None)
    attempts = [{"status": 502, "provider_name": "Azure"}]
    tried = fake.add_generation(provider_name=None, provider_responses=attempts)
    assert tried["provider_responses"] == attempts  # what is given is kept as given
