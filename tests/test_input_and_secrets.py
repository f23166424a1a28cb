"""The id on the wire, and the API key: only in the Authorization header of its own origin.

Ids are checked before anything is sent and reach the server as exactly one `id` value, byte
for byte. The key shows up in no repr, no error (message, str, repr, attributes, chained cause),
no log line, no cross-origin redirect, and is not sent over plain HTTP beyond loopback unless the
caller opts out.
"""

from __future__ import annotations

import asyncio
import base64
import copy
import json
import logging
import traceback
from collections.abc import Callable, Generator, Iterator
from typing import Any

import attrs
import httpx
import pytest

from openrouter_generations import OpenRouter, errors, utils
from openrouter_generations.testing import FakeOpenRouter, Reply

from .conftest import EXAMPLE_BODY, EXAMPLE_ID, SECRET_KEY, ClientFactory, FakeClock, Lookup

#: What must never show: the key, and its distinctive part (in case of a partial mask).
NEEDLES = (SECRET_KEY, "TESTSECRET")


def _assert_no_key(text: str, where: str) -> None:
    for needle in NEEDLES:
        assert needle not in text, f"the API key leaks through {where}: {text[:300]!r}"


# -- input: the id ------------------------------------------------------------------------------


BAD_IDS: list[tuple[object, type[Exception]]] = [
    ("", ValueError),
    (None, TypeError),
    (123, TypeError),
    (b"gen-1", TypeError),
    (["gen-1"], TypeError),
    (12.5, TypeError),
    ("gen-\ud800", ValueError),  # a lone surrogate cannot be sent as UTF-8
]


@pytest.mark.parametrize(("bad", "kind"), BAD_IDS, ids=[repr(b) for b, _ in BAD_IDS])
def test_a_bad_id_is_refused_before_anything_is_sent(
    bad: object, kind: type[Exception], server: FakeOpenRouter, lookup: Lookup
) -> None:
    with pytest.raises(kind) as caught:
        lookup(id=bad)
    assert not isinstance(caught.value, errors.OpenRouterError)
    assert server.requests == []
    if bad is not None and not isinstance(bad, str):
        assert type(bad).__name__ in str(caught.value)  # says what it got


def test_a_bad_id_is_refused_even_with_no_server_to_reach(make_client: ClientFactory) -> None:
    """Proof that the check precedes the connection: the refused port is never dialled."""
    with make_client(server_url="http://127.0.0.1:9") as client:
        with pytest.raises(ValueError, match="non-empty"):
            client.generations.get_generation(id="")
        with pytest.raises(TypeError, match="str"):
            client.generations.get_generation(id=None)  # type: ignore[arg-type]


AWKWARD_IDS = [
    "gen-a&b=c",
    "gen=1",
    "gen#fragment",
    "gen?x=1",
    "gen/../../admin",
    "gen+plus",
    "gen%20pct%2",
    "%",
    "gen with spaces ",
    " ",
    "gen-ü-漢字-🙂",
    "gen\tand\r\nnewline",
    "id=other&id=second",
    "gen;semi,comma'quote\"dq<>`{}|\\^[]",
    "x" * 8192,
    "漢" * 2800,  # 8 400 bytes of UTF-8, three times that percent-encoded
]


@pytest.mark.parametrize("the_id", AWKWARD_IDS, ids=[f"{i[:24]!r}/{len(i)}" for i in AWKWARD_IDS])
def test_awkward_ids_arrive_whole(the_id: str, server: FakeOpenRouter, lookup: Lookup) -> None:
    body = copy.deepcopy(EXAMPLE_BODY)
    body["data"]["id"] = the_id
    server.script_next(Reply(200, body))
    res = lookup(id=the_id)
    assert res.data.id == the_id
    (seen,) = server.requests
    assert seen.ids == [the_id]
    assert seen.raw_path.startswith("/generation?")
    assert seen.raw_path.isascii()
    assert " " not in seen.raw_path
    assert "#" not in seen.raw_path


@pytest.mark.parametrize("the_id", ["gen-a&b=c", "gen-ü-漢字-🙂", "gen with spaces", "x" * 8192])
def test_awkward_ids_on_the_default_route(the_id: str, server: FakeOpenRouter, lookup: Lookup) -> None:
    """Unscripted, the fake answers 404 and quotes the id it decoded: the same id."""
    with pytest.raises(errors.NotFoundResponseError) as caught:
        lookup(id=the_id, retries=utils.NO_RETRIES)
    assert caught.value.message == f"Generation {the_id} not found"
    assert server.requests[-1].ids == [the_id]


def test_a_lone_surrogate_id_is_named_as_such(server: FakeOpenRouter, lookup: Lookup) -> None:
    """Not the UnicodeEncodeError that building the URL raised, which names no parameter."""
    with pytest.raises(ValueError, match="surrogate") as caught:
        lookup(id="gen-\ud800")
    assert not isinstance(caught.value, UnicodeError)
    assert "id" in str(caught.value)
    assert server.requests == []


@pytest.mark.parametrize(
    ("bad", "message"),
    [
        ("", "id must be a non-empty generation id, e.g. 'gen-...'"),
        (None, "id must be a str, not NoneType"),
        (b"gen-1", "id must be a str, not bytes"),
        ("gen-\ud800", "id is not valid text: a lone surrogate at position 4"),
        ("\udfffgen", "id is not valid text: a lone surrogate at position 0"),
    ],
    ids=repr,
)
def test_a_bad_ids_message_says_what_is_wrong_with_it(bad: object, message: str, make_client: ClientFactory) -> None:
    with make_client() as client, pytest.raises((TypeError, ValueError)) as caught:
        client.generations.get_generation(id=bad)  # type: ignore[arg-type]
    assert str(caught.value) == message
    assert caught.value.__cause__ is None  # not the UnicodeEncodeError, which names no parameter


def test_an_id_too_long_for_a_url_is_refused_before_sending(server: FakeOpenRouter, lookup: Lookup) -> None:
    """httpx.InvalidURL is no ValueError: a caller catching bad input would have missed it."""
    with pytest.raises(ValueError, match="cannot build the request") as caught:
        lookup(id="x" * 70_000)
    assert not isinstance(caught.value, errors.OpenRouterError)
    assert len(str(caught.value)) < 300  # says why, without quoting 70 000 characters
    assert server.requests == []


# -- input: the numeric options -------------------------------------------------------------------

#: Numbers a caller may pass by mistake: a flag, milliseconds as a float or a string, none at all.
BAD_AMOUNTS: list[object] = [True, False, 1.5, 1000.0, "1000", 0, -1]


@pytest.mark.parametrize(
    ("option", "bad"),
    [(option, bad) for option in ("timeout_ms", "max_response_bytes") for bad in BAD_AMOUNTS]
    + [("max_response_bytes", None)],  # None is timeout_ms's default (the client's own), not this one's
    ids=repr,
)
def test_a_numeric_option_that_is_not_a_positive_int_is_refused(option: str, bad: object) -> None:
    with pytest.raises(ValueError, match="must be a positive int") as caught:
        OpenRouter(api_key=SECRET_KEY, **{option: bad})  # type: ignore[arg-type]
    assert str(caught.value) == f"{option} must be a positive int, not {bad!r}"


@pytest.mark.parametrize("bad", BAD_AMOUNTS, ids=repr)
def test_a_per_call_timeout_that_is_not_a_positive_int_is_refused_before_sending(
    bad: object, server: FakeOpenRouter, lookup: Lookup
) -> None:
    with pytest.raises(ValueError, match="must be a positive int") as caught:
        lookup(id=EXAMPLE_ID, timeout_ms=bad)
    assert str(caught.value) == f"timeout_ms must be a positive int, not {bad!r}"
    assert server.requests == []


def test_the_least_numeric_options_are_accepted(server: FakeOpenRouter, lookup: Lookup) -> None:
    with OpenRouter(api_key=SECRET_KEY, timeout_ms=1, max_response_bytes=1) as client:
        assert (client.timeout_ms, client.max_response_bytes) == (1, 1)
    assert lookup(id=EXAMPLE_ID, timeout_ms=1_000).data.id == EXAMPLE_ID


# -- secrets: reprs, errors, logs -------------------------------------------------------------


def test_reprs_of_the_client_and_its_config(server: FakeOpenRouter) -> None:
    config = utils.RetryConfig("backoff", utils.BackoffStrategy(1, 2, 2.0, 3), True)
    with OpenRouter(api_key=SECRET_KEY, server_url=server.url, retry_config=config) as client:
        for obj in (client, client.generations, config, client.retry_config, config.backoff):
            _assert_no_key(repr(obj), f"repr({type(obj).__name__})")
            _assert_no_key(str(obj), f"str({type(obj).__name__})")
        assert "<set>" in repr(client)
        for name, value in vars(client).items():
            if name != "_OpenRouter__key":
                _assert_no_key(repr(value), f"client.{name}")


def _walk(value: object, path: str, depth: int = 0) -> Iterator[tuple[str, str]]:
    """(path, text) for everything an error exposes, descending into containers and objects.

    httpx.Headers' repr masks Authorization, so headers are read raw. The request itself (an
    httpx.Request, and a transport exception's `_request`) is the one place the key belongs.
    """
    if depth > 6 or isinstance(value, httpx.Request):
        return
    if isinstance(value, httpx.Headers):
        yield path, repr(value.multi_items())
        return
    if isinstance(value, httpx.Response):
        yield path, repr(value.headers.multi_items()) + value.text
        return
    yield path, repr(value)
    if isinstance(value, dict):
        for k, v in value.items():
            yield from _walk(v, f"{path}[{k!r}]", depth + 1)
    elif isinstance(value, (list, tuple)):
        for i, v in enumerate(value):
            yield from _walk(v, f"{path}[{i}]", depth + 1)
    elif attrs.has(type(value)):
        yield from _walk(value.to_dict(), f"{path}.to_dict()", depth + 1)  # type: ignore[attr-defined]
    elif isinstance(value, BaseException):
        yield f"str({path})", str(value)
        yield from _walk(value.args, f"{path}.args", depth + 1)
        for name, attr in vars(value).items():
            if name not in ("raw_response", "_request", "request", "__traceback__"):
                yield from _walk(attr, f"{path}.{name}", depth + 1)
        for link in ("__cause__", "__context__"):
            if getattr(value, link) is not None:
                yield from _walk(getattr(value, link), f"{path}.{link}", depth + 1)


def _assert_error_keeps_the_key(err: errors.OpenRouterError) -> None:
    texts = list(_walk(err, "err"))
    assert len(texts) > 5  # the walk saw the error's attributes, not just its repr
    for where, text in texts:
        _assert_no_key(text, where)
    _assert_no_key("".join(traceback.format_exception(err)), "the formatted traceback")
    # Where the key does belong: the request the error came from, when there was a response.
    if err.raw_response is not None:
        assert err.raw_response.request.headers["authorization"] == f"Bearer {SECRET_KEY}"


@pytest.fixture
def refused_url() -> Iterator[str]:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        yield f"http://127.0.0.1:{sock.getsockname()[1]}"


def _every_error_kind(
    server: FakeOpenRouter, make_client: ClientFactory, refused_url: str
) -> list[errors.OpenRouterError]:
    server.script_next(
        Reply(401, {"error": {"code": 401, "message": "bad key"}, "user_id": "u-1", "openrouter_metadata": {"k": 1}}),
        Reply(502, b"<html><title>502</title></html>", content_type="text/html"),
        Reply(200, {"data": {"total_cost": "abc"}}),
        Reply(200, EXAMPLE_BODY, delay=0.3),
        Reply(200, EXAMPLE_BODY, drop_after=5),
        Reply(200, b"x" * 5000),
    )
    calls: list[dict[str, Any]] = [
        {},
        {},
        {},
        {"timeout_ms": 50},
        {},
    ]
    found: list[errors.OpenRouterError] = []
    with make_client(retry_config=utils.NO_RETRIES) as client:
        for kwargs in calls:
            with pytest.raises(errors.OpenRouterError) as caught:
                client.generations.get_generation(id=EXAMPLE_ID, **kwargs)
            found.append(caught.value)
    with make_client(retry_config=utils.NO_RETRIES, max_response_bytes=1000) as client:
        with pytest.raises(errors.ResponseTooLargeError) as too_large:
            client.generations.get_generation(id=EXAMPLE_ID)
        found.append(too_large.value)
    with make_client(server_url=refused_url) as client:  # default retries, on the fake clock
        with pytest.raises(errors.APIConnectionError) as refused:
            client.generations.get_generation(id=EXAMPLE_ID)
        found.append(refused.value)
    return found


def test_the_walk_finds_a_key_wherever_it_hides() -> None:
    """The check below can fail: a key in headers, a cause, or a nested value is seen."""
    leaky = [
        errors.OpenRouterError("m", headers=httpx.Headers({"Authorization": f"Bearer {SECRET_KEY}"})),
        errors.OpenRouterError("m", body=f"echo {SECRET_KEY}"),
    ]
    with_cause = errors.APIConnectionError("m")
    with_cause.__cause__ = ValueError(f"key={SECRET_KEY}")
    leaky.append(with_cause)
    for err in leaky:
        with pytest.raises(AssertionError, match="leaks"):
            _assert_error_keeps_the_key(err)


def test_no_error_carries_the_key(server: FakeOpenRouter, make_client: ClientFactory, refused_url: str) -> None:
    found = _every_error_kind(server, make_client, refused_url)
    assert [type(e) for e in found] == [
        errors.UnauthorizedResponseError,
        errors.BadGatewayResponseError,
        errors.ResponseValidationError,
        errors.APITimeoutError,
        errors.APIConnectionError,
        errors.ResponseTooLargeError,
        errors.APIConnectionError,
    ]
    assert found[-1].attempts > 1
    assert found[0].data is not None
    for err in found:
        _assert_error_keeps_the_key(err)


@pytest.mark.parametrize(
    ("status", "content_type"), [(401, "application/json"), (502, "text/html"), (200, "application/json")]
)
def test_a_server_that_echoes_the_key_does_not_put_it_in_the_error(
    status: int, content_type: str, server: FakeOpenRouter, lookup: Any
) -> None:
    # "Invalid key sk-or-..." from a server or proxy: the error says it, but masks the key; the
    # bytes as they came stay in raw_response, beside the request that carried the key.
    echoed = {"error": {"code": status, "message": f"Invalid key {SECRET_KEY}"}}
    body = json.dumps(echoed) if content_type == "application/json" else f"<title>bad {SECRET_KEY}</title>"
    server.script_next(Reply(status, body.encode(), content_type=content_type))
    with pytest.raises(errors.OpenRouterError) as caught:
        lookup(id=EXAMPLE_ID, retries=utils.NO_RETRIES)
    err = caught.value
    assert err.status_code == status
    if status != 200:  # the server's message, or the page's title, is the error's
        assert "<api key>" in err.message
    assert "<api key>" in err.body
    for where, text in [("message", err.message), ("str", str(err)), ("repr", repr(err)), ("args", repr(err.args))]:
        _assert_no_key(text, f"the error's {where}")
    _assert_no_key(err.body, "the error's body")
    _assert_no_key("".join(traceback.format_exception(err)), "the formatted traceback")
    assert err.raw_response is not None
    assert SECRET_KEY.encode() in err.raw_response.content  # nothing lost


def test_async_errors_carry_no_key(server: FakeOpenRouter, make_client: ClientFactory) -> None:
    server.script_next(Reply(500, b"oops"), Reply(200, b"[]"), Reply(200, EXAMPLE_BODY, delay=0.3))

    async def main() -> list[errors.OpenRouterError]:
        found: list[errors.OpenRouterError] = []
        async with make_client(retry_config=utils.NO_RETRIES) as client:
            for timeout_ms in (None, None, 50):
                try:
                    await client.generations.get_generation_async(id=EXAMPLE_ID, timeout_ms=timeout_ms)
                except errors.OpenRouterError as exc:
                    found.append(exc)
        return found

    found = asyncio.run(main())
    assert [type(e) for e in found] == [
        errors.InternalServerResponseError,
        errors.ResponseValidationError,
        errors.APITimeoutError,
    ]
    for err in found:
        _assert_error_keeps_the_key(err)


def _lookup_via_own_client(
    mode: str, make_client: ClientFactory, http_kwargs: dict[str, Any], **client_kwargs: Any
) -> str:
    """One lookup through the caller's own httpx client (sync or async), built with `http_kwargs`."""
    if mode == "sync":
        with httpx.Client(**http_kwargs) as http, make_client(client=http, **client_kwargs) as client:
            return client.generations.get_generation(id=EXAMPLE_ID).data.id

    async def main() -> str:
        async with (
            httpx.AsyncClient(**http_kwargs) as http,
            make_client(async_client=http, **client_kwargs) as client,
        ):
            return (await client.generations.get_generation_async(id=EXAMPLE_ID)).data.id

    return asyncio.run(main())


#: How a caller's transport might word its failure; httpx.Headers' own repr masks the key.
TRANSPORT_WORDINGS: dict[str, Callable[[httpx.Request], str]] = {
    "headers": lambda request: f"failed with headers {request.headers}",
    "headers_as_dict": lambda request: f"failed with headers {dict(request.headers)}",
    "raw_headers": lambda request: f"failed with headers {request.headers.raw}",
    "authorization": lambda request: f"rejected {request.headers['authorization']}",
}


@pytest.mark.parametrize("mode", ["sync", "async"])
@pytest.mark.parametrize("wording", sorted(TRANSPORT_WORDINGS))
def test_a_transport_error_that_quotes_the_key_is_masked(wording: str, mode: str, make_client: ClientFactory) -> None:
    def fail(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError(TRANSPORT_WORDINGS[wording](request), request=request)

    transport = httpx.MockTransport(fail)
    with pytest.raises(errors.OpenRouterError) as caught:
        _lookup_via_own_client(mode, make_client, {"transport": transport}, retry_config=utils.NO_RETRIES)
    err = caught.value
    assert type(err) is errors.APIConnectionError
    assert "ConnectError" in err.message
    traceback_text = "".join(traceback.format_exception(err))  # the whole chain, as a log would print it
    for where, text in [
        ("message", err.message),
        ("str", str(err)),
        ("repr", repr(err)),
        ("args", repr(err.args)),
        ("traceback", traceback_text),
    ]:
        _assert_no_key(text, f"the error's {where}")
    if wording != "headers":
        assert "<api key>" in err.message  # the wording was kept, only the key replaced
        assert err.__cause__ is None  # an httpx error that quotes the key is not chained
    else:
        assert isinstance(err.__cause__, httpx.ConnectError)  # one that does not, is


def test_no_log_line_carries_the_key(
    server: FakeOpenRouter, make_client: ClientFactory, clock: FakeClock, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    server.script_next(*(Reply(500, {"error": {"code": 500, "message": "down"}}) for _ in range(5)))
    with make_client() as client:
        with pytest.raises(errors.InternalServerResponseError) as caught:
            client.generations.get_generation(id=EXAMPLE_ID)
        assert caught.value.attempts == 5
        server.script_next(Reply(200, EXAMPLE_BODY, drop_after=5), Reply(501, b""))  # 501: not retried
        with pytest.raises(errors.OpenRouterDefaultError):
            client.generations.get_generation(id=EXAMPLE_ID)
        assert client.generations.get_generation(id=EXAMPLE_ID).data.id == EXAMPLE_ID
    assert len(clock.sleeps) == 5
    loggers = {record.name.split(".")[0] for record in caplog.records}
    assert {"openrouter_generations", "httpx", "httpcore"} <= loggers  # DEBUG really was on
    assert any("retry" in record.getMessage() for record in caplog.records)
    for record in caplog.records:
        _assert_no_key(record.getMessage(), f"a log line of {record.name}")
        _assert_no_key(repr(record.args), f"the arguments of a log line of {record.name}")
    _assert_no_key(caplog.text, "the formatted log")


# -- secrets: redirects --------------------------------------------------------------------------


@pytest.fixture
def other() -> Iterator[FakeOpenRouter]:
    with FakeOpenRouter(api_key=SECRET_KEY) as fake:
        fake.add_generation(**EXAMPLE_BODY["data"])
        yield fake


@pytest.mark.parametrize("status", [301, 302, 303, 307, 308])
def test_a_redirect_to_another_origin_drops_the_key(
    status: int, server: FakeOpenRouter, other: FakeOpenRouter, lookup: Lookup
) -> None:
    server.script_next(Reply(status, b"", headers={"Location": f"{other.url}/generation?id={EXAMPLE_ID}"}))
    other.script_next(Reply(200, EXAMPLE_BODY))
    res = lookup(id=EXAMPLE_ID)
    assert res.data.id == EXAMPLE_ID
    assert server.requests[-1].headers["authorization"] == f"Bearer {SECRET_KEY}"
    (followed,) = other.requests
    assert "authorization" not in followed.headers
    _assert_no_key(json.dumps(followed.headers), "the redirected request's headers")


def test_an_unscripted_other_origin_sees_no_key(server: FakeOpenRouter, other: FakeOpenRouter, lookup: Lookup) -> None:
    """The other server's real routes answer 401 to a request without a key."""
    server.script_next(Reply(307, b"", headers={"Location": f"{other.url}/generation?id={EXAMPLE_ID}"}))
    with pytest.raises(errors.UnauthorizedResponseError):
        lookup(id=EXAMPLE_ID, retries=utils.NO_RETRIES)
    assert "authorization" not in other.requests[-1].headers


def test_a_redirect_to_localhost_is_another_origin(server: FakeOpenRouter, lookup: Lookup) -> None:
    """Same machine, same port, different host name: still not the origin the key was meant for."""
    port = server.url.rsplit(":", 1)[1]
    server.script_next(
        Reply(307, b"", headers={"Location": f"http://localhost:{port}/generation?id={EXAMPLE_ID}"}),
        Reply(200, EXAMPLE_BODY),
    )
    lookup(id=EXAMPLE_ID)
    first, followed = server.requests
    assert first.headers["authorization"] == f"Bearer {SECRET_KEY}"
    assert "authorization" not in followed.headers


def test_a_same_origin_redirect_keeps_the_key(server: FakeOpenRouter, lookup: Lookup) -> None:
    server.script_next(Reply(307, b"", headers={"Location": f"/generation?id={EXAMPLE_ID}&hop=1"}))
    res = lookup(id=EXAMPLE_ID)  # the default route wants the key: it must still be there
    assert res.data.id == EXAMPLE_ID
    first, followed = server.requests
    assert first.headers["authorization"] == followed.headers["authorization"] == f"Bearer {SECRET_KEY}"
    assert followed.ids == [EXAMPLE_ID]


class _CallerBearer(httpx.Auth):
    """A caller's own auth, written as httpx documents custom ones."""

    def __init__(self, token: str) -> None:
        self.token = token

    def auth_flow(self, request: httpx.Request) -> Generator[httpx.Request, httpx.Response, None]:
        request.headers["Authorization"] = f"Bearer {self.token}"
        yield request


#: name -> (the caller's auth, the Authorization header it sends)
CALLER_AUTHS: dict[str, tuple[Callable[[], httpx.Auth], str]] = {
    "basic": (
        lambda: httpx.BasicAuth("caller", "TESTSECRET-pw"),
        "Basic " + base64.b64encode(b"caller:TESTSECRET-pw").decode(),
    ),
    "custom_bearer": (lambda: _CallerBearer("caller-TESTSECRET-token"), "Bearer caller-TESTSECRET-token"),
}


@pytest.mark.parametrize("mode", ["sync", "async"])
@pytest.mark.parametrize("auth", sorted(CALLER_AUTHS))
def test_a_callers_client_auth_is_not_sent_to_another_origin(
    auth: str, mode: str, server: FakeOpenRouter, other: FakeOpenRouter, make_client: ClientFactory
) -> None:
    """Each hop was sent with the client's `auth`, which re-signed the request for any origin."""
    make_auth, sent_as = CALLER_AUTHS[auth]
    server.script_next(Reply(302, b"", headers={"Location": f"{other.url}/generation?id={EXAMPLE_ID}"}))
    other.script_next(Reply(200, EXAMPLE_BODY))
    assert _lookup_via_own_client(mode, make_client, {"auth": make_auth()}) == EXAMPLE_ID
    assert server.requests[-1].headers["authorization"] == sent_as  # the auth did apply at the origin
    (followed,) = other.requests
    assert "authorization" not in followed.headers
    _assert_no_key(json.dumps(followed.headers), "the redirected request's headers")


@pytest.mark.parametrize("mode", ["sync", "async"])
def test_credentials_written_into_a_redirects_location_are_not_sent(
    mode: str, server: FakeOpenRouter, other: FakeOpenRouter, make_client: ClientFactory
) -> None:
    """As httpx's own redirects: a hop is not signed with a user and password that the
    Location names (the server that redirects does not choose what the client sends)."""
    location = other.url.replace("://", "://user:TESTSECRET-pw@", 1)
    server.script_next(Reply(302, b"", headers={"Location": f"{location}/generation?id={EXAMPLE_ID}"}))
    other.script_next(Reply(200, EXAMPLE_BODY))
    assert _lookup_via_own_client(mode, make_client, {}) == EXAMPLE_ID
    (followed,) = other.requests
    assert "authorization" not in followed.headers


@pytest.mark.parametrize("mode", ["sync", "async"])
@pytest.mark.parametrize("auth", sorted(CALLER_AUTHS))
def test_a_callers_client_auth_follows_a_same_origin_redirect(
    auth: str, mode: str, server: FakeOpenRouter, make_client: ClientFactory
) -> None:
    """The control: within the origin the hop keeps the credentials the auth set."""
    make_auth, sent_as = CALLER_AUTHS[auth]
    server.script_next(
        Reply(307, b"", headers={"Location": f"/generation?id={EXAMPLE_ID}&hop=1"}),
        Reply(200, EXAMPLE_BODY),
    )
    assert _lookup_via_own_client(mode, make_client, {"auth": make_auth()}) == EXAMPLE_ID
    first, followed = server.requests
    assert first.headers["authorization"] == followed.headers["authorization"] == sent_as


@pytest.mark.parametrize("mode", ["sync", "async"])
@pytest.mark.parametrize("follow_redirects", [False, True], ids=["plain", "caller-follows"])
@pytest.mark.parametrize("max_redirects", [0, 2])
def test_redirects_are_followed_up_to_the_clients_max_redirects_then_the_3xx_is_the_answer(
    max_redirects: int, follow_redirects: bool, mode: str, clock: FakeClock
) -> None:
    # Whatever the caller's client says of following redirects: the loops follow them (httpx
    # would read each 3xx body whole, and end a loop with its own TooManyRedirects).
    sent: list[str] = []

    def answer(request: httpx.Request) -> httpx.Response:
        sent.append(request.url.path)
        if len(sent) > 10:
            return httpx.Response(200, json=EXAMPLE_BODY)  # a client past its limit would get here
        return httpx.Response(302, headers={"location": f"/hop{len(sent)}"})

    limits: dict[str, Any] = {"max_redirects": max_redirects, "follow_redirects": follow_redirects}
    kwargs: dict[str, Any] = {"api_key": SECRET_KEY, "clock": clock, "retry_config": utils.NO_RETRIES}

    def look_up() -> None:
        if mode == "sync":
            with OpenRouter(client=httpx.Client(transport=httpx.MockTransport(answer), **limits), **kwargs) as client:
                client.generations.get_generation(id=EXAMPLE_ID)
            return

        async def run() -> None:
            async with (
                httpx.AsyncClient(transport=httpx.MockTransport(answer), **limits) as http,
                OpenRouter(async_client=http, **kwargs) as client,
            ):
                await client.generations.get_generation_async(id=EXAMPLE_ID)

        asyncio.run(run())

    with pytest.raises(errors.OpenRouterError) as caught:
        look_up()
    assert caught.value.status_code == 302
    assert sent == ["/api/v1/generation"] + [f"/hop{n}" for n in range(1, max_redirects + 1)]


def test_a_redirect_that_arrives_past_the_attempts_timeout_is_a_timeout(clock: FakeClock) -> None:
    def answer(request: httpx.Request) -> httpx.Response:
        clock.now += 3.0
        return httpx.Response(302, headers={"location": "/elsewhere"})

    http = httpx.Client(transport=httpx.MockTransport(answer))
    with (
        OpenRouter(api_key=SECRET_KEY, client=http, clock=clock, timeout_ms=2_000) as client,
        pytest.raises(errors.APITimeoutError) as caught,
    ):
        client.generations.get_generation(id=EXAMPLE_ID, retries=utils.NO_RETRIES)
    cause = caught.value.__cause__
    assert isinstance(cause, httpx.ReadTimeout)
    assert str(cause) == "the attempt took longer than its timeout of 2 s"
    assert cause.request.url.path == "/api/v1/generation"  # the request whose answer came too late


# -- input: the key and the server URL ------------------------------------------------------------

#: name -> a key as it might be read from a file or an environment; each is refused.
MALFORMED_KEYS = {
    "trailing_newline": SECRET_KEY + "\n",
    "trailing_crlf": SECRET_KEY + "\r\n",
    "leading_space": " " + SECRET_KEY,
    "trailing_tab": SECRET_KEY + "\t",
    "nul_inside": SECRET_KEY[:10] + "\x00" + SECRET_KEY[10:],
    "non_ascii": SECRET_KEY + "é",
    "lone_surrogate": SECRET_KEY + "\ud800",
}


def _assert_refusal_hides(exc: BaseException, *secrets: str) -> None:
    """The refusal, however printed, shows none of `secrets` (nor the test key)."""
    texts = [str(exc), repr(exc), repr(exc.args), "".join(traceback.format_exception(exc))]
    for text in texts:
        _assert_no_key(text, "the refusal")
        for secret in secrets:
            assert secret not in text, f"{secret!r} shows in the refusal: {text[:300]!r}"


@pytest.mark.parametrize("name", sorted(MALFORMED_KEYS))
def test_a_malformed_key_is_refused_without_quoting_it(name: str, server: FakeOpenRouter) -> None:
    """httpx refused such a header on the first call, with an error that quoted the key."""
    with pytest.raises(ValueError, match="api_key") as caught:
        OpenRouter(api_key=MALFORMED_KEYS[name], server_url=server.url)
    _assert_refusal_hides(caught.value)
    assert server.requests == []


@pytest.mark.parametrize("ending", ["\n", "\r\n"])
def test_a_malformed_key_from_the_environment_is_refused(
    ending: str, server: FakeOpenRouter, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("OPENROUTER_API_KEY", SECRET_KEY + ending)
    with pytest.raises(ValueError, match="api_key") as caught:
        OpenRouter(server_url=server.url)
    _assert_refusal_hides(caught.value)
    assert server.requests == []


#: name -> (server URL, a fragment of the refusal): each would have been taken as it is.
BAD_SERVER_URLS = {
    "credentials": ("http://user:hunter2pw@127.0.0.1:1", "credentials"),
    "query": ("https://openrouter.ai/api/v1?x=1", "query"),
    "fragment": ("https://openrouter.ai/api/v1#frag", "fragment"),
    "empty_query": ("https://openrouter.ai/api/v1?", "query"),
    "empty_fragment": ("https://openrouter.ai/api/v1#", "fragment"),
    "port_too_large": ("https://openrouter.ai:99999/api/v1", "port"),
    "port_zero": ("http://127.0.0.1:0", "port"),
    "empty": ("", "server_url"),
}


@pytest.mark.parametrize("name", sorted(BAD_SERVER_URLS))
def test_a_bad_server_url_is_refused(name: str) -> None:
    url, fragment = BAD_SERVER_URLS[name]
    with pytest.raises(ValueError, match=fragment) as caught:
        OpenRouter(api_key=SECRET_KEY, server_url=url, client=httpx.Client(transport=httpx.MockTransport(_no_network)))
    _assert_refusal_hides(caught.value, "hunter2pw")


@pytest.mark.parametrize("name", sorted(BAD_SERVER_URLS))
def test_a_bad_server_url_per_call_is_refused_before_sending(name: str, server: FakeOpenRouter, lookup: Lookup) -> None:
    """An empty URL no longer means production, per call as for the client."""
    url, fragment = BAD_SERVER_URLS[name]
    with pytest.raises(ValueError, match=fragment) as caught:
        lookup(id=EXAMPLE_ID, server_url=url)
    _assert_refusal_hides(caught.value, "hunter2pw")
    assert server.requests == []


#: server URL -> the whole refusal, as a caller reads it.
SERVER_URL_REFUSALS = {
    "https://host:port/": "server_url is not a valid URL: 'https://host:port/'",
    "ftp://openrouter.ai/api/v1": "server_url must be an absolute http(s) URL, not 'ftp://openrouter.ai/api/v1'",
    "http://user:hunter2pw@127.0.0.1:1": "server_url must not carry credentials; pass the key as api_key",
    "https://openrouter.ai/api/v1#": "server_url must not have a query or fragment: 'https://openrouter.ai/api/v1#'",
    "https://openrouter.ai:65536/api/v1": "server_url has an invalid port: 'https://openrouter.ai:65536/api/v1'",
    "http://example.com/api": (
        "refusing to send the API key over plain HTTP to 'example.com'; use https, or pass "
        "allow_insecure_http=True to OpenRouter() if this is really what you want"
    ),
}


@pytest.mark.parametrize("url", sorted(SERVER_URL_REFUSALS))
def test_a_refused_server_url_says_what_is_wrong_and_what_to_do(url: str) -> None:
    with pytest.raises(ValueError, match=r"server_url|API key") as caught:
        OpenRouter(api_key=SECRET_KEY, server_url=url)
    assert str(caught.value) == SERVER_URL_REFUSALS[url]


def test_the_highest_port_is_a_valid_one() -> None:
    with OpenRouter(api_key=SECRET_KEY, server_url="https://openrouter.ai:65535/api/v1/") as client:
        assert client.server_url == "https://openrouter.ai:65535/api/v1"


def test_only_trailing_slashes_leave_the_server_url() -> None:
    with OpenRouter(api_key=SECRET_KEY, server_url="https://gateway.example/SANDBOX//") as client:
        assert client.server_url == "https://gateway.example/SANDBOX"


# -- secrets: plain HTTP -------------------------------------------------------------------------

REMOTE_HTTP = [
    "http://openrouter.ai/api/v1",
    "http://example.com",
    "http://10.0.0.1:8080",
    "http://192.168.1.10",
    "http://0.0.0.0:8000",
    "http://localhost.example.com",
    "http://127.0.0.1.nip.io",
    "http://[::2]:80",
    "HTTP://EXAMPLE.COM/api",
]
LOOPBACK_HTTP = [
    "http://127.0.0.1:8080",
    "http://127.0.0.2",
    "http://localhost:1",
    "http://LOCALHOST:1/api/v1/",
    "http://[::1]:8080",
]


def _no_network(request: httpx.Request) -> httpx.Response:
    raise AssertionError(f"nothing should have been sent, but {request.url} was")


@pytest.mark.parametrize("url", REMOTE_HTTP)
def test_plain_http_to_a_remote_host_is_refused_with_a_key(url: str) -> None:
    with pytest.raises(ValueError, match="allow_insecure_http") as caught:
        OpenRouter(api_key=SECRET_KEY, server_url=url)
    _assert_no_key(str(caught.value), "the refusal")
    assert "http" in str(caught.value).lower()


@pytest.mark.parametrize("url", REMOTE_HTTP)
def test_plain_http_to_a_remote_host_is_refused_per_call(url: str, lookup: Lookup) -> None:
    with pytest.raises(ValueError, match="allow_insecure_http"):
        lookup(id=EXAMPLE_ID, server_url=url)


def test_plain_http_per_call_is_refused_before_sending() -> None:
    transport = httpx.MockTransport(_no_network)
    with (
        OpenRouter(api_key=SECRET_KEY, client=httpx.Client(transport=transport)) as client,
        pytest.raises(ValueError, match="allow_insecure_http"),
    ):
        client.generations.get_generation(id=EXAMPLE_ID, server_url="http://example.com")

    async def main() -> None:
        async with OpenRouter(api_key=SECRET_KEY, async_client=httpx.AsyncClient(transport=transport)) as client:
            with pytest.raises(ValueError, match="allow_insecure_http"):
                await client.generations.get_generation_async(id=EXAMPLE_ID, server_url="http://example.com")

    asyncio.run(main())


def test_the_key_from_the_environment_counts(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OPENROUTER_API_KEY", SECRET_KEY)
    with pytest.raises(ValueError, match="allow_insecure_http"):
        OpenRouter(server_url="http://example.com")


def _answer_example(sent: list[httpx.Request]) -> httpx.MockTransport:
    def handler(request: httpx.Request) -> httpx.Response:
        sent.append(request)
        return httpx.Response(200, json=EXAMPLE_BODY)

    return httpx.MockTransport(handler)


def test_the_documented_opt_out(monkeypatch: pytest.MonkeyPatch) -> None:
    sent: list[httpx.Request] = []
    with OpenRouter(
        api_key=SECRET_KEY,
        server_url="http://example.com/api/v1",
        allow_insecure_http=True,
        client=httpx.Client(transport=_answer_example(sent)),
    ) as client:
        assert client.generations.get_generation(id=EXAMPLE_ID).data.id == EXAMPLE_ID
        assert client.generations.get_generation(id=EXAMPLE_ID, server_url="http://10.1.2.3:8000").data
    assert [str(r.url).split("?")[0] for r in sent] == [
        "http://example.com/api/v1/generation",
        "http://10.1.2.3:8000/generation",
    ]
    assert all(r.headers["authorization"] == f"Bearer {SECRET_KEY}" for r in sent)


@pytest.mark.parametrize("url", LOOPBACK_HTTP)
def test_plain_http_to_loopback_is_allowed(url: str) -> None:
    sent: list[httpx.Request] = []
    with OpenRouter(api_key=SECRET_KEY, server_url=url, client=httpx.Client(transport=_answer_example(sent))) as c:
        assert c.generations.get_generation(id=EXAMPLE_ID).data.id == EXAMPLE_ID
        assert c.generations.get_generation(id=EXAMPLE_ID, server_url=url).data.id == EXAMPLE_ID
    assert len(sent) == 2


@pytest.mark.parametrize("url", REMOTE_HTTP)
def test_plain_http_without_a_key_is_allowed(url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("OPENROUTER_API_KEY", raising=False)
    sent: list[httpx.Request] = []
    for key in ("", None):
        with OpenRouter(api_key=key, server_url=url, client=httpx.Client(transport=_answer_example(sent))) as c:
            assert c.generations.get_generation(id=EXAMPLE_ID).data.id == EXAMPLE_ID
    assert len(sent) == 2
    assert all("authorization" not in r.headers for r in sent)


def test_https_to_a_remote_host_is_allowed_with_a_key() -> None:
    sent: list[httpx.Request] = []
    with OpenRouter(api_key=SECRET_KEY, client=httpx.Client(transport=_answer_example(sent))) as client:
        assert client.generations.get_generation(id=EXAMPLE_ID).data.id == EXAMPLE_ID
        client.generations.get_generation(id=EXAMPLE_ID, server_url="https://eu.openrouter.ai/api/v1")
    assert [r.url.host for r in sent] == ["openrouter.ai", "eu.openrouter.ai"]


# -- the refusals' words: what is wrong and what to do, never the value ---------------------------


def test_a_key_that_is_not_a_str_is_named_by_its_type() -> None:
    with pytest.raises(TypeError) as caught:
        OpenRouter(api_key=12345)  # type: ignore[arg-type]
    assert str(caught.value) == "api_key must be a str, not int"


def test_a_malformed_key_says_what_an_openrouter_key_is() -> None:
    with pytest.raises(ValueError, match="an OpenRouter key is printable ASCII") as caught:
        OpenRouter(api_key=SECRET_KEY + "\n")
    assert str(caught.value) == (
        "api_key holds whitespace at its ends, control or non-ASCII characters; "
        "an OpenRouter key is printable ASCII (strip the value you read it from)"
    )


def test_a_key_with_non_ascii_letters_is_refused() -> None:
    """Printable, but not ASCII: no header can carry it as it is."""
    assert "é".isprintable()
    with pytest.raises(ValueError, match=r"^api_key holds"):
        OpenRouter(api_key="sk-or-v1-café-0123456789")


def test_a_malformed_key_from_a_callable_is_named_as_the_callables(server: FakeOpenRouter) -> None:
    with OpenRouter(api_key=lambda: SECRET_KEY + " ", server_url=server.url) as client:
        with pytest.raises(ValueError, match="holds whitespace") as caught:
            client.generations.get_generation(id=EXAMPLE_ID)
        assert str(caught.value).startswith("the key api_key() returned holds whitespace at its ends")
    with OpenRouter(api_key=lambda: 42, server_url=server.url) as client:  # type: ignore[arg-type,return-value]
        with pytest.raises(TypeError) as not_str:
            client.generations.get_generation(id=EXAMPLE_ID)
        assert str(not_str.value) == "the key api_key() returned must be a str, not int"
    assert server.requests == []


def test_no_key_at_all_is_shown_as_unset(server: FakeOpenRouter, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("OPENROUTER_API_KEY", raising=False)
    with OpenRouter(server_url=server.url) as client:
        assert repr(client) == f"OpenRouter(server_url={server.url!r}, api_key=<unset>)"
        with pytest.raises(errors.UnauthorizedResponseError):
            client.generations.get_generation(id=EXAMPLE_ID, retries=utils.NO_RETRIES)
    assert "authorization" not in server.requests[-1].headers


def test_a_fixed_key_is_shown_as_set_and_a_callable_one_as_callable(server: FakeOpenRouter) -> None:
    with OpenRouter(api_key=SECRET_KEY, server_url=server.url) as client:
        assert repr(client) == f"OpenRouter(server_url={server.url!r}, api_key=<set>)"
    with OpenRouter(api_key=lambda: SECRET_KEY, server_url=server.url) as client:
        assert repr(client) == f"OpenRouter(server_url={server.url!r}, api_key=<callable>)"


def test_a_callable_key_is_not_asked_before_the_first_call(server: FakeOpenRouter) -> None:
    asked: list[int] = []

    def key() -> str:
        asked.append(1)
        return SECRET_KEY

    with OpenRouter(api_key=key, server_url=server.url) as client:
        assert asked == []
        client.generations.get_generation(id=EXAMPLE_ID)
    assert len(asked) == 1


def test_a_callable_key_counts_as_a_key_for_plain_http_even_when_it_gives_none() -> None:
    with pytest.raises(ValueError, match="allow_insecure_http"):
        OpenRouter(api_key=lambda: None, server_url="http://example.com/api/v1")


@pytest.mark.parametrize(
    ("value", "kind", "message"),
    [
        (42, TypeError, "the X-Extra header value must be a str, not int"),
        (
            "two\nlines",
            ValueError,
            "the X-Extra header value must be printable ASCII (no control or non-ASCII characters)",
        ),
        ("café", ValueError, "the X-Extra header value must be printable ASCII (no control or non-ASCII characters)"),
    ],
    ids=["not_str", "control", "non_ascii"],
)
def test_a_header_value_that_cannot_go_out_is_refused_by_name_before_sending(
    value: object, kind: type[Exception], message: str, server: FakeOpenRouter, lookup: Lookup
) -> None:
    with pytest.raises(kind) as caught:
        lookup(id=EXAMPLE_ID, http_headers={"X-Extra": value})
    assert str(caught.value) == message
    assert server.requests == []


def test_an_unknown_server_name_lists_the_known_ones() -> None:
    with pytest.raises(ValueError, match="staging") as caught:
        OpenRouter(server="staging")
    assert str(caught.value) == "server must be one of ['production'], not 'staging' (or pass server_url=)"


def test_url_params_fill_each_placeholder_and_leave_the_rest(server: FakeOpenRouter) -> None:
    host, port = server.url.removeprefix("http://").rsplit(":", 1)
    template = "http://{host}:{port}"
    with OpenRouter(server_url=template, url_params={"host": host, "port": port}, api_key=SECRET_KEY) as client:
        assert client.server_url == server.url
        assert client.generations.get_generation(id=EXAMPLE_ID).data.id == EXAMPLE_ID
    assert OpenRouter(server_url="https://{region}.example/api", url_params={}).server_url == (
        "https://{region}.example/api"
    )


def test_a_key_of_eight_characters_is_masked_and_a_shorter_one_is_no_secret(
    server: FakeOpenRouter, lookup: Lookup
) -> None:
    """Eight characters is the shortest key the client masks: a shorter one would match ordinary text."""
    for key, shown in [("sk-12345", "<api key>"), ("sk-1234", "sk-1234")]:
        server.script_next(Reply(401, {"error": {"code": 401, "message": f"Invalid key {key}"}}))
        with pytest.raises(errors.UnauthorizedResponseError) as caught:
            lookup(id=EXAMPLE_ID, client_kwargs={"api_key": key}, retries=utils.NO_RETRIES)
        assert caught.value.message == f"Invalid key {shown}"
        assert caught.value.args == (f"Invalid key {shown}",)
        assert json.loads(caught.value.body)["error"]["message"] == f"Invalid key {shown}"


def test_a_key_of_eight_characters_is_masked_in_a_refused_bodys_payload_and_a_shorter_one_is_kept(
    server: FakeOpenRouter, lookup: Lookup
) -> None:
    for key, shown in [("sk-12345", "<api key>"), ("sk-1234", "sk-1234")]:
        # Escaped, the key shows only in the decoded JSON, not in the body's text.
        escaped = "".join(f"\\u{ord(c):04x}" for c in key)
        server.script_next(Reply(200, b'{"data": {"id": "gen-1", "model": "' + escaped.encode() + b'"}}'))
        with pytest.raises(errors.ResponseValidationError) as caught:
            lookup(id=EXAMPLE_ID, client_kwargs={"api_key": key}, retries=utils.NO_RETRIES)
        assert caught.value.payload["data"]["model"] == shown


def test_a_key_echoed_only_past_what_the_message_shows_is_masked_in_the_body(
    server: FakeOpenRouter, lookup: Lookup
) -> None:
    page = "<html><body>" + "x" * 300 + f" key={SECRET_KEY}</body></html>"
    server.script_next(Reply(502, page, content_type="text/html"))
    with pytest.raises(errors.BadGatewayResponseError) as caught:
        lookup(id=EXAMPLE_ID, retries=utils.NO_RETRIES)
    assert caught.value.body == page.replace(SECRET_KEY, "<api key>")
    assert SECRET_KEY not in caught.value.message
