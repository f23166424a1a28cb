"""Code written for OpenRouter's official SDK works with only its import changed.

tests/data/official_sdk_surface.json is read from the official package itself (`make
official-surface` runs bench/official_surface.py in .venv-bench, where `openrouter` 1.3.84 is
installed): its signatures, its error classes with their bases and statuses, and a run of
tests/data/official_sdk_script.py against the stand-in. Each test here holds this package to it,
the behaviour over a real socket.
"""

from __future__ import annotations

import asyncio
import inspect
import logging
import os
from typing import Any

import httpx
import pytest

from openrouter_generations import DEFAULT_SERVER_URL, OpenRouter, __version__, errors
from openrouter_generations._client import Generations
from openrouter_generations.testing import FakeOpenRouter, Reply, error_body
from openrouter_generations.utils import DEFAULT_RETRY_CONFIG, NO_RETRIES

from .conftest import EXAMPLE_BODY, EXAMPLE_ID, SECRET_KEY, ClientFactory, FakeClock, Lookup, load_json
from .official_script import OFFICIAL_IMPORT, SCRIPT, THIS_IMPORT, run_script

OFFICIAL: dict[str, Any] = load_json("official_sdk_surface.json")

#: The classes the official `errors` module has for a status of any operation, by status. Classes
#: of one other operation's own (batches: `Batch...`; private endpoints: `NotFound`, `Conflict`,
#: ... without the `ResponseError` suffix) are not this operation's and are left out.
STATUS_CLASSES: dict[str, int] = {
    name: status
    for name, status in OFFICIAL["status_of_error_class"].items()
    if name.endswith("ResponseError") and not name.startswith("Batch")
}
GET_GENERATION_CLASSES: dict[str, int] = OFFICIAL["get_generation_status_errors"]


def test_the_record_is_the_official_sdks() -> None:
    assert OFFICIAL["openrouter_version"] == "1.3.84"
    statuses = [400, 401, 402, 403, 404, 408, 409, 410, 413, 422, 429, 499, 500, 502, 503, 504, 524, 529]
    assert sorted(STATUS_CLASSES.values()) == statuses
    assert sorted(GET_GENERATION_CLASSES.values()) == [400, 401, 402, 403, 404, 429, 500, 502, 524, 529]


# -- signatures -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "ours"),
    [
        ("OpenRouter", OpenRouter.__init__),
        ("get_generation", Generations.get_generation),
        ("get_generation_async", Generations.get_generation_async),
    ],
)
def test_every_official_keyword_is_accepted(name: str, ours: Any) -> None:
    signature = inspect.signature(ours)
    for official in OFFICIAL[name]:
        param = signature.parameters.get(official["name"])
        assert param is not None, f"{name}() lacks {official['name']}="
        assert param.kind in (inspect.Parameter.KEYWORD_ONLY, inspect.Parameter.POSITIONAL_OR_KEYWORD)
        assert (param.default is inspect.Parameter.empty) == official["required"], official["name"]
        if not official["required"]:
            assert param.default is None, official["name"]  # "not given", as there
    # The one positional use the official docs show: OpenRouter("sk-...").
    assert next(iter(inspect.signature(OpenRouter.__init__).parameters.values())).name == "self"
    assert list(inspect.signature(OpenRouter.__init__).parameters)[1] == "api_key"


# -- errors -----------------------------------------------------------------------------------


@pytest.mark.parametrize("name", sorted({*STATUS_CLASSES, "OpenRouterDefaultError", "ResponseValidationError"}))
def test_every_official_error_name_is_importable_with_its_bases(name: str) -> None:
    cls = getattr(errors, name)
    assert name in errors.__all__
    assert issubclass(cls, errors.OpenRouterError)
    ours = {base.__name__ for base in cls.__mro__}
    assert set(OFFICIAL["errors"][name]["bases"]) <= ours


@pytest.mark.parametrize(("name", "status"), sorted(STATUS_CLASSES.items()))
def test_every_status_class_has_the_official_status(name: str, status: int) -> None:
    cls = getattr(errors, name)
    assert errors.error_class_for_status(status) is cls
    if name in GET_GENERATION_CLASSES:
        # The official get_generation raises it: the same class, directly under OpenRouterError.
        assert cls.__bases__ == (errors.OpenRouterError,)
    else:
        # The official get_generation raises OpenRouterDefaultError for this status: both catch it.
        assert issubclass(cls, errors.OpenRouterDefaultError)


def test_no_response_error_is_the_base_of_the_connection_errors() -> None:
    assert "NoResponseError" in OFFICIAL["errors"]
    assert issubclass(errors.APIConnectionError, errors.NoResponseError)
    assert issubclass(errors.APITimeoutError, errors.NoResponseError)
    assert "NoResponseError" in errors.__all__


@pytest.mark.parametrize(("name", "status"), sorted(STATUS_CLASSES.items()))
def test_each_status_raises_the_official_class_over_the_socket(
    name: str, status: int, server: FakeOpenRouter, lookup: Lookup
) -> None:
    server.script_next(Reply(status, error_body(status, f"failed with {status}")))
    with pytest.raises(getattr(errors, name)) as caught:
        lookup(id=EXAMPLE_ID, retries=NO_RETRIES)
    assert type(caught.value).__name__ == name
    assert (caught.value.status_code, caught.value.message) == (status, f"failed with {status}")


@pytest.mark.parametrize("status", [408, 409, 410, 413, 422, 499, 503, 504])
def test_code_that_catches_the_default_error_still_catches_the_statuses_the_official_sdk_raises_it_for(
    status: int, server: FakeOpenRouter, lookup: Lookup
) -> None:
    server.script_next(Reply(status, error_body(status, "busy")))
    with pytest.raises(errors.OpenRouterDefaultError):
        lookup(id=EXAMPLE_ID, retries=NO_RETRIES)


# -- a script written for the official SDK ----------------------------------------------------


def test_a_script_written_for_the_official_sdk_runs_with_only_its_import_changed() -> None:
    source = SCRIPT.read_text()
    code = source.split('"""', 2)[2]  # past the docstring
    imports = [line for line in code.splitlines() if line.startswith(("import ", "from ")) and "openrouter" in line]
    assert imports == [OFFICIAL_IMPORT]  # the one line that changes
    ours = run_script(source.replace(OFFICIAL_IMPORT, THIS_IMPORT))
    # The same lines printed and the same requests, with the same headers, as the official SDK.
    assert ours == OFFICIAL["script_run"]


# -- the keywords, with the official meaning, over the socket ---------------------------------


def test_a_callable_key_is_asked_for_once_per_call_and_never_shown(
    server: FakeOpenRouter, make_client: ClientFactory, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    keys = iter([SECRET_KEY, SECRET_KEY + "-rotated"])
    asked: list[str] = []

    def key_source() -> str:
        asked.append(key := next(keys))
        return key

    server.script_next(Reply(529, error_body(529, "busy")))  # the first call retries once: still one ask
    with make_client(api_key=key_source) as client:
        assert "<callable>" in repr(client)
        client.generations.get_generation(id=EXAMPLE_ID)
        server.api_key = SECRET_KEY + "-rotated"  # the server now takes only the rotated key
        client.generations.get_generation(id=EXAMPLE_ID)
    assert len(asked) == 2
    sent = [seen.headers["authorization"] for seen in server.requests]
    assert sent == [f"Bearer {SECRET_KEY}"] * 2 + [f"Bearer {SECRET_KEY}-rotated"]
    assert SECRET_KEY not in caplog.text


def test_a_callable_key_that_gives_none_sends_no_key(server: FakeOpenRouter, make_client: ClientFactory) -> None:
    with make_client(api_key=lambda: None) as client, pytest.raises(errors.UnauthorizedResponseError) as caught:
        client.generations.get_generation(id=EXAMPLE_ID)
    assert "authorization" not in server.requests[-1].headers
    assert "no API key was given" in str(caught.value)


def test_a_malformed_key_from_a_callable_is_refused_without_quoting_it(
    server: FakeOpenRouter, make_client: ClientFactory
) -> None:
    with make_client(api_key=lambda: SECRET_KEY + "\n") as client, pytest.raises(ValueError, match="api_key") as caught:
        client.generations.get_generation(id=EXAMPLE_ID)
    assert SECRET_KEY not in str(caught.value)
    assert server.requests == []


def test_a_callable_key_is_treated_as_a_key_for_plain_http() -> None:
    with pytest.raises(ValueError, match="plain HTTP"):
        OpenRouter(api_key=lambda: SECRET_KEY, server_url="http://example.com/api/v1")


def test_attribution_values_of_the_client_go_out_as_headers_and_a_call_replaces_them(
    server: FakeOpenRouter, lookup: Lookup
) -> None:
    client_kwargs = {"http_referer": "https://a.example", "x_open_router_title": "A", "x_open_router_categories": "x"}
    lookup(id=EXAMPLE_ID, client_kwargs=client_kwargs)
    lookup(id=EXAMPLE_ID, client_kwargs=client_kwargs, x_open_router_title="B", http_referer="https://b.example")
    first, second = (seen.headers for seen in server.requests)
    assert (first["http-referer"], first["x-openrouter-title"], first["x-openrouter-categories"]) == (
        "https://a.example",
        "A",
        "x",
    )
    assert (second["http-referer"], second["x-openrouter-title"], second["x-openrouter-categories"]) == (
        "https://b.example",
        "B",
        "x",
    )


def test_attribution_values_fall_back_to_the_official_environment_variables(
    server: FakeOpenRouter, make_client: ClientFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("OPENROUTER_HTTP_REFERER", "https://env.example")
    monkeypatch.setenv("OPENROUTER_X_OPEN_ROUTER_TITLE", "From env")
    monkeypatch.setenv("OPENROUTER_X_OPEN_ROUTER_CATEGORIES", "cli-agent")
    with make_client(x_open_router_title="Given") as client:
        client.generations.get_generation(id=EXAMPLE_ID)
    headers = server.requests[-1].headers
    assert (headers["http-referer"], headers["x-openrouter-title"], headers["x-openrouter-categories"]) == (
        "https://env.example",
        "Given",
        "cli-agent",
    )


def test_no_attribution_header_is_sent_unless_given(server: FakeOpenRouter, lookup: Lookup) -> None:
    for name in ("OPENROUTER_HTTP_REFERER", "OPENROUTER_X_OPEN_ROUTER_TITLE", "OPENROUTER_X_OPEN_ROUTER_CATEGORIES"):
        assert name not in os.environ
    lookup(id=EXAMPLE_ID)
    assert not {"http-referer", "x-openrouter-title", "x-openrouter-categories"} & set(server.requests[-1].headers)


def test_an_attribution_value_that_cannot_be_a_header_is_refused_before_sending(
    server: FakeOpenRouter, make_client: ClientFactory
) -> None:
    with make_client() as client, pytest.raises(ValueError, match="X-OpenRouter-Title"):
        client.generations.get_generation(id=EXAMPLE_ID, x_open_router_title="two\nlines")
    with pytest.raises(TypeError, match="HTTP-Referer"):
        make_client(http_referer=42)
    assert server.requests == []


def test_http_headers_set_or_replace_any_header_of_the_call(server: FakeOpenRouter, lookup: Lookup) -> None:
    lookup(
        id=EXAMPLE_ID,
        client_kwargs={"x_open_router_title": "A"},
        http_headers={"X-Extra": "1", "user-agent": "my-agent/2", "X-OpenRouter-Title": "C"},
    )
    seen = server.requests[-1]
    assert (seen.headers["x-extra"], seen.headers["user-agent"], seen.headers["x-openrouter-title"]) == (
        "1",
        "my-agent/2",
        "C",
    )
    lookup(id=EXAMPLE_ID)  # for that call only
    assert "x-extra" not in server.requests[-1].headers


def test_a_calls_own_options_are_for_that_call_only_and_the_clients_apply_again_after_it(
    server: FakeOpenRouter, make_client: ClientFactory, clock: FakeClock
) -> None:
    busy = Reply(529, error_body(529, "busy"))
    with FakeOpenRouter(api_key=SECRET_KEY, clock=clock) as other, make_client() as client:
        other.add_generation(**EXAMPLE_BODY["data"])
        get = client.generations.get_generation
        get(id=EXAMPLE_ID)  # the client's own settings, first
        get(id=EXAMPLE_ID, server_url=other.url)
        get(id=EXAMPLE_ID, server_url=server.url)  # each call's own, not the one before's
        get(id=EXAMPLE_ID)
        get(id=EXAMPLE_ID, http_headers={"X-Extra": "1"})
        get(id=EXAMPLE_ID, http_headers={"X-Other": "2"})
        get(id=EXAMPLE_ID)
        server.script_next(busy)
        with pytest.raises(errors.ProviderOverloadedResponseError) as caught:
            get(id=EXAMPLE_ID, retries=NO_RETRIES)
        server.script_next(busy)
        assert get(id=EXAMPLE_ID, retries=DEFAULT_RETRY_CONFIG).data.id == EXAMPLE_ID  # retried
        server.script_next(busy)
        assert get(id=EXAMPLE_ID).data.id == EXAMPLE_ID  # the client's retries: the 529 is retried
    assert caught.value.attempts == 1
    assert len(other.requests) == 1
    extra = [(seen.headers.get("x-extra"), seen.headers.get("x-other")) for seen in server.requests]
    assert extra == [(None, None)] * 3 + [("1", None), (None, "2")] + [(None, None)] * 6


def test_every_request_names_this_package_and_httpx_as_its_user_agent(
    server: FakeOpenRouter, make_client: ClientFactory
) -> None:
    # With the client's own headers (built once), a call's attribution or extra header (built
    # per call), and a callable key (built per call too).
    with make_client(x_open_router_title="A") as titled, make_client() as plain:
        plain.generations.get_generation(id=EXAMPLE_ID)
        plain.generations.get_generation(id=EXAMPLE_ID, http_headers={"X-Extra": "1"})
        titled.generations.get_generation(id=EXAMPLE_ID)
    with make_client(api_key=lambda: SECRET_KEY) as asked:
        asked.generations.get_generation(id=EXAMPLE_ID)
    agent = f"openrouter-generations/{__version__} python-httpx/{httpx.__version__}"
    assert [seen.headers["user-agent"] for seen in server.requests] == [agent] * 4
    assert {seen.headers["authorization"] for seen in server.requests} == {f"Bearer {SECRET_KEY}"}


def test_each_attribution_keyword_of_a_call_goes_out_as_its_header(server: FakeOpenRouter, lookup: Lookup) -> None:
    lookup(id=EXAMPLE_ID, http_referer="https://r.example", x_open_router_title="T", x_open_router_categories="z")
    headers = server.requests[-1].headers
    assert (headers["http-referer"], headers["x-openrouter-title"], headers["x-openrouter-categories"]) == (
        "https://r.example",
        "T",
        "z",
    )


def test_an_authorization_given_in_http_headers_replaces_the_key_and_is_never_shown(
    server: FakeOpenRouter, make_client: ClientFactory
) -> None:
    other = "sk-or-v1-OTHERSECRET-0123456789abcdef"
    server.script_next(Reply(401, error_body(401, f"key Bearer {other} is disabled")))  # a server that echoes it
    with make_client() as client, pytest.raises(errors.UnauthorizedResponseError) as caught:
        client.generations.get_generation(id=EXAMPLE_ID, http_headers={"authorization": f"Bearer {other}"})
    assert server.requests[-1].headers["authorization"] == f"Bearer {other}"
    assert other not in str(caught.value)
    assert other not in caught.value.body
    assert "refused" in str(caught.value)


def _sent_through_own_transport(
    answer_status: int, message: str, **call: Any
) -> tuple[httpx.Request, Exception | None]:
    sent: list[httpx.Request] = []

    def answer(request: httpx.Request) -> httpx.Response:
        sent.append(request)
        return httpx.Response(answer_status, json=error_body(answer_status, message))

    failure: Exception | None = None
    with OpenRouter(client=httpx.Client(transport=httpx.MockTransport(answer)), retry_config=NO_RETRIES) as client:
        try:
            client.generations.get_generation(id=EXAMPLE_ID, **call)
        except errors.OpenRouterError as exc:
            failure = exc
    (request,) = sent
    return request, failure


def test_http_headers_replace_a_header_whatever_the_case_of_its_name(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OPENROUTER_API_KEY", SECRET_KEY)
    request, _ = _sent_through_own_transport(
        400, "bad", http_headers={"USER-AGENT": "mine/1", "accept": "text/plain", "X-Extra": "1"}
    )
    # One of each on the wire: the given value, not beside the client's own.
    assert request.headers.get_list("user-agent") == ["mine/1"]
    assert request.headers.get_list("accept") == ["text/plain"]
    assert request.headers.get_list("x-extra") == ["1"]
    assert request.headers.get_list("authorization") == [f"Bearer {SECRET_KEY}"]  # the others as they were
    assert request.headers.get_list("accept-encoding") != []


def test_a_bare_key_echoed_back_is_masked_whatever_case_authorization_is_given_in(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv("OPENROUTER_API_KEY", raising=False)
    other = "sk-or-v1-OTHERSECRET-0123456789abcdef"
    for name in ("Authorization", "AUTHORIZATION", "authorization"):
        request, failure = _sent_through_own_transport(
            401, f"key {other} is disabled", http_headers={"X-Extra": "1", name: f"Bearer {other}"}
        )
        assert request.headers.get_list("authorization") == [f"Bearer {other}"]
        assert isinstance(failure, errors.UnauthorizedResponseError)
        assert other not in str(failure)
        assert "key <api key> is disabled" in str(failure)


def test_with_no_key_at_all_a_message_is_shown_as_the_server_wrote_it(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("OPENROUTER_API_KEY", raising=False)
    request, failure = _sent_through_own_transport(400, "id XXXX is malformed", http_headers={"X-Extra": "1"})
    assert "authorization" not in request.headers
    assert "id XXXX is malformed" in str(failure)


def test_server_names_the_production_server_and_url_params_fill_the_server_url(server: FakeOpenRouter) -> None:
    assert OpenRouter(server="production").server_url == DEFAULT_SERVER_URL
    with pytest.raises(ValueError, match="production"):
        OpenRouter(server="staging")
    port = server.url.rsplit(":", 1)[1]
    with OpenRouter(server_url="http://127.0.0.1:{port}", url_params={"port": port}, api_key=SECRET_KEY) as client:
        assert client.generations.get_generation(id=EXAMPLE_ID).data.id == EXAMPLE_ID
    # server_url wins over server, as there.
    assert OpenRouter(server="production", server_url=server.url).server_url == server.url


def test_debug_logger_gets_the_clients_lines(
    server: FakeOpenRouter, make_client: ClientFactory, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    mine = logging.getLogger("my_app.openrouter")
    server.script_next(Reply(529, error_body(529, "busy")))
    with make_client(debug_logger=mine) as client:
        client.generations.get_generation(id=EXAMPLE_ID)
    lines = [r for r in caplog.records if r.name == "my_app.openrouter"]
    assert [r.levelno for r in lines] == [logging.DEBUG, logging.INFO]  # the retry, then the recovery
    assert not [r for r in caplog.records if r.name == "openrouter_generations"]


def test_the_async_method_takes_the_same_keywords(server: FakeOpenRouter, make_client: ClientFactory) -> None:
    async def run() -> None:
        async with make_client(http_referer="https://a.example") as client:
            await client.generations.get_generation_async(
                id=EXAMPLE_ID, x_open_router_categories="y", http_headers={"X-Extra": "2"}
            )

    asyncio.run(run())
    headers = server.requests[-1].headers
    assert (headers["http-referer"], headers["x-openrouter-categories"], headers["x-extra"]) == (
        "https://a.example",
        "y",
        "2",
    )
