"""Hostile responses over a real socket: every error status, every malformed body, oversize bodies.

Whatever arrives, the caller gets the status's documented error class (or a validation error for
a success status) carrying the raw text, never a JSONDecodeError, KeyError, ValueError or
TypeError from inside the parser, and never a half-filled model.
"""

from __future__ import annotations

import asyncio
import contextlib
import copy
import functools
import gzip
import json
import ssl
import time
import tracemalloc
import zlib
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from openrouter_generations import DEFAULT_MAX_RESPONSE_BYTES, OpenRouter, __version__, errors, models, utils
from openrouter_generations.testing import FakeOpenRouter, Reply, error_body

from .conftest import EXAMPLE_BODY, EXAMPLE_ID, ClientFactory, FakeClock, Lookup

NO_RETRIES = utils.NO_RETRIES

# One TLS context for every httpx client here: building one per client (as httpx does by default)
# costs ~40 ms, which hundreds of short tests would pay for nothing on a loopback socket.
_TLS = ssl.create_default_context()
Outcome = models.GetGenerationResponse | errors.OpenRouterError


@pytest.fixture(params=["sync", "async"])
def lookups(request: pytest.FixtureRequest, make_client: ClientFactory) -> Any:
    """`lookups(n, client_kwargs=..., **call_kwargs)`: n calls on one client, sync or async.

    Returns each call's model or typed error; any other exception propagates and fails the test.
    """
    mode: str = request.param

    def run(n: int, *, client_kwargs: dict[str, Any] | None = None, **call_kwargs: Any) -> list[Outcome]:
        outcomes: list[Outcome] = []
        if mode == "sync":
            with (
                httpx.Client(verify=_TLS, follow_redirects=True) as http,
                make_client(client=http, **(client_kwargs or {})) as client,
            ):
                for _ in range(n):
                    try:
                        outcomes.append(client.generations.get_generation(**call_kwargs))
                    except errors.OpenRouterError as exc:
                        outcomes.append(exc)
            return outcomes

        async def main() -> None:
            async with (
                httpx.AsyncClient(verify=_TLS, follow_redirects=True) as http,
                make_client(async_client=http, **(client_kwargs or {})) as client,
            ):
                for _ in range(n):
                    try:
                        outcomes.append(await client.generations.get_generation_async(**call_kwargs))
                    except errors.OpenRouterError as exc:
                        outcomes.append(exc)

        asyncio.run(main())
        return outcomes

    return run


def _one_error(lookups: Any, **kwargs: Any) -> errors.OpenRouterError:
    (outcome,) = lookups(1, **kwargs)
    assert isinstance(outcome, errors.OpenRouterError), outcome
    return outcome


DOCUMENTED: dict[int, type[errors.OpenRouterError]] = {
    401: errors.UnauthorizedResponseError,
    402: errors.PaymentRequiredResponseError,
    404: errors.NotFoundResponseError,
    429: errors.TooManyRequestsResponseError,
    500: errors.InternalServerResponseError,
    502: errors.BadGatewayResponseError,
    524: errors.EdgeNetworkTimeoutResponseError,
    529: errors.ProviderOverloadedResponseError,
    # The statuses the official SDK names (400 and 403 for this operation; the others are
    # subclasses of OpenRouterDefaultError, which its get_generation raises for them).
    400: errors.BadRequestResponseError,
    403: errors.ForbiddenResponseError,
    408: errors.RequestTimeoutResponseError,
    503: errors.ServiceUnavailableResponseError,
    # Undocumented statuses, including ones a proxy or CDN invents.
    418: errors.OpenRouterDefaultError,
    520: errors.OpenRouterDefaultError,
    599: errors.OpenRouterDefaultError,
}

CDN_502 = (
    b"<!DOCTYPE html>\n<html>\n<head>\n<title>example.com | 502: Bad gateway</title>\n"
    b'<meta charset="UTF-8" /></head>\n<body><h1>Bad gateway</h1><p>Error code 502</p>'
    b"<p>The web server reported a bad gateway error.</p></body>\n</html>\n"
)
CDN_524 = (
    b"<html><head><TITLE>openrouter.ai | 524: A timeout occurred</TITLE></head>"
    b"<body>" + b"<div>Cloudflare Ray ID: 8a1b2c3d4e5f</div>" * 40 + b"</body></html>"
)

#: name -> (body, content type, a fragment the error message must show)
NOT_THE_ERROR_OBJECT: dict[str, tuple[bytes, str | None, str]] = {
    "cdn_502_html": (CDN_502, "text/html; charset=UTF-8", "502: Bad gateway"),
    "cdn_524_html": (CDN_524, "text/html", "524: A timeout occurred"),
    "empty": (b"", None, "empty body"),
    "empty_json_type": (b"", "application/json", "empty body"),
    "truncated_json": (b'{"error": {"code": 500, "message": "upstr', "application/json", '{"error"'),
    "detail": (b'{"detail": "x"}', "application/json", "detail"),
    "list": (b"[1,2]", "application/json", "[1,2]"),
    "error_is_string": (b'{"error": "string"}', "application/json", "string"),
    "error_wrong_types": (b'{"error": {"code": "x", "message": 5}}', "application/json", "message"),
    "error_as_pairs": (b'{"error": [["code", 502], ["message", "boom"]]}', "application/json", "error"),
    "error_without_message": (b'{"error": {"code": 500}}', "application/json", "error"),
    "null": (b"null", "application/json", "null"),
    "plain_text": (b"upstream connect error or disconnect/reset before headers", "text/plain", "upstream connect"),
    "not_utf8": (b"\xff\xfe\x00\x80garbage\xc3", "application/octet-stream", "garbage"),
    "deeply_nested": (b"[" * 100_000 + b"]" * 100_000, "application/json", "[[[["),
}


def _decoded(body: bytes) -> str:
    return body.decode("utf-8", errors="replace")


@pytest.mark.parametrize("name", sorted(NOT_THE_ERROR_OBJECT))
def test_error_status_with_a_foreign_body(name: str, server: FakeOpenRouter, lookups: Any) -> None:
    body, content_type, shown = NOT_THE_ERROR_OBJECT[name]
    statuses = sorted(DOCUMENTED)
    server.script_next(*(Reply(status, body, content_type=content_type) for status in statuses))
    outcomes = lookups(len(statuses), id=EXAMPLE_ID, retries=NO_RETRIES)
    assert len(server.requests) == len(statuses)  # one request each: NO_RETRIES
    for status, err in zip(statuses, outcomes, strict=True):
        assert isinstance(err, errors.OpenRouterError), (status, err)
        assert type(err) is DOCUMENTED[status]
        assert err.status_code == status
        assert err.body == _decoded(body)
        assert err.data is None
        assert err.attempts == 1
        assert shown in err.message
        assert 0 < len(err.message) < 300
        assert str(status) in str(err)
        assert err.raw_response is not None
        assert err.raw_response.content == body


def test_error_status_with_the_error_object(server: FakeOpenRouter, lookups: Any) -> None:
    """The control: the documented error object fills `data` and `message`."""
    statuses = sorted(DOCUMENTED)
    payloads = []
    for status in statuses:
        payload = error_body(status, f"it went wrong ({status})")
        payload["openrouter_metadata"] = {"provider_name": "Azure", "raw": {"nested": [1, 2]}}
        payloads.append(payload)
        server.script_next(Reply(status, payload))
    outcomes = lookups(len(statuses), id=EXAMPLE_ID, retries=NO_RETRIES)
    for status, payload, err in zip(statuses, payloads, outcomes, strict=True):
        assert isinstance(err, errors.OpenRouterError)
        assert type(err) is DOCUMENTED[status]
        assert err.message == f"it went wrong ({status})"
        assert err.data is not None
        assert err.data.error.message == err.message
        assert json.loads(err.body) == payload


HUGE = 2 * 1024 * 1024


@pytest.mark.parametrize(
    ("status", "payload", "content_type"),
    [
        (500, json.dumps({"detail": "x" * HUGE}).encode(), "application/json"),
        (502, json.dumps(list(range(HUGE // 8))).encode(), "application/json"),
        (524, b"<html><title>524</title><body>" + b"y" * HUGE + b"</body></html>", "text/html"),
        (529, b"z" * HUGE, None),
    ],
    ids=["json_object", "json_list", "html", "raw"],
)
def test_error_status_with_a_huge_body(
    status: int, payload: bytes, content_type: str | None, server: FakeOpenRouter, lookups: Any
) -> None:
    server.script_next(Reply(status, payload, content_type=content_type))
    err = _one_error(lookups, id=EXAMPLE_ID, retries=NO_RETRIES)
    assert type(err) is DOCUMENTED[status]
    assert err.data is None
    assert len(err.body) == len(payload)
    assert err.body == payload.decode()
    assert len(err.message) < 300  # a one-line account, not 2 MiB
    assert str(len(payload)) in err.message


def test_error_status_with_a_huge_error_object(server: FakeOpenRouter, lookups: Any) -> None:
    payload = error_body(500, "m" * HUGE)
    server.script_next(Reply(500, payload))
    err = _one_error(lookups, id=EXAMPLE_ID, retries=NO_RETRIES)
    assert type(err) is errors.InternalServerResponseError
    assert err.data is not None
    assert err.message == "m" * HUGE  # the server's own message, kept whole
    assert json.loads(err.body) == payload


# -- success statuses with bodies that are not a generation -----------------------------------


def _example_with(**changes: Any) -> dict[str, Any]:
    body = copy.deepcopy(EXAMPLE_BODY)
    for key, value in changes.items():
        body["data"][key] = value
    return body


def _example_without(key: str) -> dict[str, Any]:
    body = copy.deepcopy(EXAMPLE_BODY)
    del body["data"][key]
    return body


def _as_pairs(obj: dict[str, Any]) -> list[list[Any]]:
    return [[k, v] for k, v in obj.items()]


#: name -> (body, fragments the validation error's message must contain)
INVALID_SUCCESS: dict[str, tuple[Any, tuple[str, ...]]] = {
    "html": (b"<html><title>Just a moment...</title></html>", ("JSON",)),
    "empty": (b"", ("JSON",)),
    "plain_text": (b"OK", ("JSON",)),
    "truncated": (json.dumps(EXAMPLE_BODY).encode()[:-40], ("JSON",)),
    "not_utf8": (b"\xff\xfe\xfa", ()),
    "null": (None, ()),
    "number": (42, ()),
    "string": ("data", ()),
    "list": ([1, 2], ()),
    "empty_object": ({}, ("data",)),
    "no_data": ({"result": EXAMPLE_BODY["data"]}, ("data",)),
    "data_null": ({"data": None}, ("data",)),
    "data_list": ({"data": [1, 2]}, ("data",)),
    "data_empty_list": ({"data": []}, ("data",)),
    "data_string": ({"data": "gen-1"}, ("data",)),
    "data_list_of_pairs": ({"data": _as_pairs(EXAMPLE_BODY["data"])}, ("data",)),
    "body_list_of_pairs": (_as_pairs(EXAMPLE_BODY), ()),
    "data_empty_object": ({"data": {}}, ("id",)),
    "missing_id": (_example_without("id"), ("id",)),
    "missing_total_cost": (_example_without("total_cost"), ("total_cost",)),
    "missing_created_at": (_example_without("created_at"), ("created_at",)),
    "total_cost_string": (_example_with(total_cost="abc"), ("total_cost", "abc")),
    "total_cost_bool": (_example_with(total_cost=True), ("total_cost",)),
    "total_cost_null": (_example_with(total_cost=None), ("total_cost",)),
    "tokens_prompt_string": (_example_with(tokens_prompt="12.5"), ("tokens_prompt", "'12.5'")),
    "tokens_prompt_fraction": (_example_with(tokens_prompt=12.5), ("tokens_prompt",)),
    "tokens_prompt_bool": (_example_with(tokens_prompt=False), ("tokens_prompt",)),
    "id_number": (_example_with(id=123), ("id",)),
    "is_byok_string": (_example_with(is_byok="no"), ("is_byok",)),
    "model_object": (_example_with(model={"slug": "x"}), ("model",)),
    "provider_responses_string": (_example_with(provider_responses="x"), ("provider_responses",)),
    "provider_responses_object": (_example_with(provider_responses={"status": 200}), ("provider_responses",)),
    "provider_responses_bad_status": (
        _example_with(provider_responses=[{"status": "ok"}]),
        ("provider_responses[0].status",),
    ),
    "provider_responses_missing_status": (_example_with(provider_responses=[{"id": "r"}]), ("provider_responses",)),
    "provider_responses_number_item": (_example_with(provider_responses=[1]), ("provider_responses[0]",)),
    "provider_responses_pairs_item": (
        _example_with(provider_responses=[[["status", 200], ["id", "r"]]]),
        ("provider_responses",),
    ),
    "provider_responses_bad_latency": (
        _example_with(provider_responses=[{"status": 200, "latency": "fast"}]),
        ("provider_responses[0].latency",),
    ),
    "created_at_words": (_example_with(created_at="yesterday"), ("created_at", "yesterday")),
    "created_at_number": (_example_with(created_at=1752622399), ("created_at",)),
    "created_at_null": (_example_with(created_at=None), ("created_at",)),
    "api_type_number": (_example_with(api_type=3), ("api_type",)),
    "data_region_number": (_example_with(data_region=2), ("data_region",)),
    "huge_int": (json.dumps(EXAMPLE_BODY).replace('"app_id": 1234567', '"app_id": ' + "9" * 5000).encode(), ()),
}


def _payload(body: Any) -> bytes:
    return body if isinstance(body, bytes) else json.dumps(body).encode()


@pytest.mark.parametrize("name", sorted(INVALID_SUCCESS))
def test_success_status_with_an_invalid_body(name: str, server: FakeOpenRouter, lookups: Any) -> None:
    body, fragments = INVALID_SUCCESS[name]
    payload = _payload(body)
    server.script_next(Reply(200, payload))
    err = _one_error(lookups, id=EXAMPLE_ID, retries=NO_RETRIES)
    assert type(err) is errors.ResponseValidationError
    assert err.status_code == 200
    assert err.body == _decoded(payload)
    assert err.raw_response is not None
    assert err.raw_response.content == payload
    assert "GetGenerationResponse" in err.message
    for fragment in fragments:
        assert fragment in err.message, (fragment, err.message)
    assert len(str(err)) < 600
    # Not retried: a malformed success will be malformed again.
    assert err.attempts == 1
    assert len(server.requests) == 1


def test_success_status_with_an_invalid_body_is_not_retried_by_default(
    server: FakeOpenRouter, make_client: ClientFactory
) -> None:
    server.script_next(Reply(200, _example_with(total_cost="abc")))
    with make_client() as client, pytest.raises(errors.ResponseValidationError) as caught:
        client.generations.get_generation(id=EXAMPLE_ID)
    assert caught.value.attempts == 1
    assert len(server.requests) == 1


def test_undocumented_success_statuses_are_validation_errors(server: FakeOpenRouter, lookups: Any) -> None:
    statuses = [201, 202, 203, 206, 226]
    server.script_next(*(Reply(status, error_body(status, "surprise")) for status in statuses))
    outcomes = lookups(len(statuses), id=EXAMPLE_ID, retries=NO_RETRIES)
    for status, err in zip(statuses, outcomes, strict=True):
        assert type(err) is errors.ResponseValidationError
        assert err.status_code == status
        assert str(status) in err.message


def test_valid_body_with_unknown_keys_and_values_parses(server: FakeOpenRouter, lookups: Any) -> None:
    """The control for the table above: tolerated variations still parse."""
    body = _example_with(
        api_type="realtime",
        data_region="mars-1",
        provider_responses=[{"status": None, "routed_service_tier": "gold", "new": {"x": [1]}}],
        tokens_prompt=12.0,
        brand_new_field={"a": 1},
    )
    body["meta"] = "kept"
    server.script_next(Reply(200, body))
    (res,) = lookups(1, id=EXAMPLE_ID, retries=NO_RETRIES)
    assert isinstance(res, models.GetGenerationResponse), res
    assert res.additional_properties == {"meta": "kept"}
    assert res.data.additional_properties == {"brand_new_field": {"a": 1}}
    assert res.data.api_type == "realtime"
    assert not isinstance(res.data.api_type, models.ApiType)
    assert res.data.data_region == "mars-1"
    assert isinstance(res.data.provider_responses, list)
    assert res.data.provider_responses[0].routed_service_tier == "gold"
    assert res.data.provider_responses[0].additional_properties == {"new": {"x": [1]}}


# -- bodies over the cap ------------------------------------------------------------------------


def test_default_cap_is_16_mib(make_client: ClientFactory) -> None:
    with make_client() as client:
        assert client.max_response_bytes == DEFAULT_MAX_RESPONSE_BYTES == 16 * 1024 * 1024


@pytest.mark.parametrize("status", [200, 500])
def test_declared_length_over_the_cap_is_refused_before_reading(
    status: int, server: FakeOpenRouter, lookup: Lookup
) -> None:
    # The server declares 4 KiB and then hangs up without sending any of it: a client that read
    # the body would see a broken connection, one that checked the declared length first does not.
    server.script_next(Reply(status, b"x" * 4096, drop_after=0))
    started = time.monotonic()
    with pytest.raises(errors.OpenRouterError) as caught:
        lookup(id=EXAMPLE_ID, client_kwargs={"max_response_bytes": 1024})
    assert time.monotonic() - started < 2.0
    err = caught.value
    assert type(err) is errors.ResponseTooLargeError
    assert err.status_code == status
    assert "4096" in err.message
    assert "1024" in err.message
    assert len(server.requests) == 1  # refused, not retried


def test_declared_length_over_the_cap_with_the_body_sent(server: FakeOpenRouter, lookup: Lookup) -> None:
    server.script_next(Reply(200, json.dumps({"data": {"pad": "p" * 200_000}}).encode()))
    with pytest.raises(errors.ResponseTooLargeError) as caught:
        lookup(id=EXAMPLE_ID, client_kwargs={"max_response_bytes": 100_000})
    assert caught.value.status_code == 200


def test_body_exactly_at_the_cap_is_read(server: FakeOpenRouter, lookup: Lookup) -> None:
    payload = json.dumps(EXAMPLE_BODY).encode()
    server.script_next(Reply(200, payload))
    res = lookup(id=EXAMPLE_ID, client_kwargs={"max_response_bytes": len(payload)})
    assert res.data.id == EXAMPLE_ID


@pytest.mark.parametrize("status", [200, 502])
def test_endless_body_is_cut_at_the_cap(status: int, server: FakeOpenRouter, lookup: Lookup) -> None:
    server.script_next(Reply(status, endless=True))
    started = time.monotonic()
    with pytest.raises(errors.OpenRouterError) as caught:
        lookup(id=EXAMPLE_ID, client_kwargs={"max_response_bytes": 256 * 1024})
    assert time.monotonic() - started < 3.0  # it never ends: returning at all proves the cut
    err = caught.value
    assert type(err) is errors.ResponseTooLargeError
    assert err.status_code == status
    assert str(256 * 1024) in err.message
    assert len(server.requests) == 1


def test_endless_body_is_cut_at_the_default_cap(server: FakeOpenRouter, make_client: ClientFactory) -> None:
    server.script_next(Reply(200, endless=True))
    started = time.monotonic()
    with make_client() as client, pytest.raises(errors.ResponseTooLargeError):
        client.generations.get_generation(id=EXAMPLE_ID)
    assert time.monotonic() - started < 5.0


def test_client_recovers_after_a_refused_body(server: FakeOpenRouter, make_client: ClientFactory) -> None:
    """The cut connection is discarded, not handed to the next call half-read."""
    server.script_next(Reply(200, endless=True))
    with make_client(max_response_bytes=128 * 1024) as client:
        with pytest.raises(errors.ResponseTooLargeError):
            client.generations.get_generation(id=EXAMPLE_ID)
        assert client.generations.get_generation(id=EXAMPLE_ID).data.id == EXAMPLE_ID


def test_a_compressed_body_is_capped_by_its_decoded_size(server: FakeOpenRouter, lookup: Lookup) -> None:
    """A few KiB on the wire that inflate to 8 MiB: the cap counts what is kept, not what was sent."""
    bomb = gzip.compress(b'{"data": "' + b" " * (8 * 1024 * 1024) + b'"}', compresslevel=9)
    assert len(bomb) < 64 * 1024
    server.script_next(Reply(200, bomb, headers={"Content-Encoding": "gzip"}))
    with pytest.raises(errors.ResponseTooLargeError):
        lookup(id=EXAMPLE_ID, client_kwargs={"max_response_bytes": 1024 * 1024})


def test_a_compressed_body_under_the_cap_is_decoded(server: FakeOpenRouter, lookup: Lookup) -> None:
    payload = json.dumps(EXAMPLE_BODY).encode()
    server.script_next(Reply(200, gzip.compress(payload), headers={"Content-Encoding": "gzip"}))
    res = lookup(id=EXAMPLE_ID, client_kwargs={"max_response_bytes": len(payload)})
    assert res.data.id == EXAMPLE_ID


MiB = 1024 * 1024


@functools.cache
def _gzip_bomb() -> bytes:
    """64 MiB of spaces inside a JSON string, gzipped to ~64 KiB; packed 1 MiB at a time, so
    building it holds no 64 MiB either (and it is built once for every test that uses it)."""
    packer = zlib.compressobj(9, zlib.DEFLATED, 16 + zlib.MAX_WBITS)
    block = b" " * MiB
    parts = [packer.compress(b'{"data": "')]
    parts += [packer.compress(block) for _ in range(64)]
    parts += [packer.compress(b'"}'), packer.flush()]
    return b"".join(parts)


@contextlib.contextmanager
def _peak_memory() -> Iterator[list[int]]:
    """Yields a list that holds, once the block ends, the peak bytes allocated within it."""
    was_tracing = tracemalloc.is_tracing()
    if not was_tracing:
        tracemalloc.start()
    before = tracemalloc.get_traced_memory()[0]
    tracemalloc.reset_peak()
    peak: list[int] = []
    try:
        yield peak
    finally:
        peak.append(tracemalloc.get_traced_memory()[1] - before)
        if not was_tracing:
            tracemalloc.stop()


@pytest.mark.parametrize("status", [200, 502])
def test_a_gzip_bomb_is_refused_without_being_inflated(status: int, server: FakeOpenRouter, lookup: Lookup) -> None:
    """httpx inflated each read whole: 64 KiB off the wire became 64 MiB before any cap was checked."""
    bomb = _gzip_bomb()
    assert len(bomb) < 256 * 1024  # under the cap as sent: only decoding can find it too large
    server.script_next(Reply(status, bomb, headers={"Content-Encoding": "gzip"}))
    with _peak_memory() as peak, pytest.raises(errors.ResponseTooLargeError) as caught:
        lookup(id=EXAMPLE_ID, retries=NO_RETRIES, client_kwargs={"max_response_bytes": MiB})
    assert caught.value.status_code == status
    assert str(MiB) in caught.value.message
    assert peak[0] < 16 * MiB, f"peak {peak[0]} bytes while refusing a 1 MiB-capped body"
    assert len(server.requests) == 1


def test_stacked_codings_are_refused_undecoded(server: FakeOpenRouter, lookup: Lookup) -> None:
    """`gzip, gzip` is never asked for; decoding it anyway would inflate the bomb inside it."""
    twice = gzip.compress(_gzip_bomb())
    server.script_next(Reply(200, twice, headers={"Content-Encoding": "gzip, gzip"}))
    with _peak_memory() as peak, pytest.raises(errors.ResponseValidationError) as caught:
        lookup(id=EXAMPLE_ID, client_kwargs={"max_response_bytes": MiB})
    err = caught.value
    assert err.status_code == 200
    assert "stacked" in err.message
    assert "'gzip, gzip'" in err.message
    assert err.raw_response is not None
    assert err.raw_response.content == twice  # kept as it arrived
    assert err.attempts == 1
    assert peak[0] < 16 * MiB, f"peak {peak[0]} bytes while refusing stacked codings"


_PAYLOAD = json.dumps(EXAMPLE_BODY).encode()
_GZIPPED = gzip.compress(_PAYLOAD)
CORRUPT_GZIP = b"\x1f\x8b\x08\x00 this is not gzip"


def _raw_deflate(data: bytes) -> bytes:
    packer = zlib.compressobj(wbits=-zlib.MAX_WBITS)
    return packer.compress(data) + packer.flush()


_RAW_DEFLATED = _raw_deflate(_PAYLOAD)

#: name -> (body, Content-Encoding, a fragment the message must show)
UNDECODABLE: dict[str, tuple[bytes, str, str]] = {
    "corrupt_gzip": (CORRUPT_GZIP, "gzip", "the gzip body cannot be decoded"),
    "corrupt_deflate": (b"\x78\x9c not deflate at all", "deflate", "body cannot be decoded"),
    "gzip_without_its_trailer": (_GZIPPED[:-8], "gzip", "the gzip body ends before its stream does"),
    "gzip_cut_mid_stream": (_GZIPPED[: len(_GZIPPED) // 2], "gzip", "the gzip body ends before its stream does"),
    # Valid JSON under a label it does not have: httpx, without brotli, passed it on as is.
    "br": (_PAYLOAD, "br", "Content-Encoding 'br' was not asked for"),
    "zstd": (_PAYLOAD, "zstd", "Content-Encoding 'zstd' was not asked for"),
    "compress": (_PAYLOAD, "compress", "Content-Encoding 'compress' was not asked for"),
    "deflate_then_junk": (zlib.compress(_PAYLOAD) + b"junk", "deflate", "4 bytes follow the end of the deflate stream"),
    "gzip_then_junk": (_GZIPPED + b"junk", "gzip", "the gzip body cannot be decoded"),
    # A stray byte after a gzip member is the start of a member that never comes.
    "gzip_then_a_stray_byte": (_GZIPPED + b"X", "gzip", "the gzip body ends before its stream does"),
    "raw_deflate_cut_short": (_RAW_DEFLATED[:-20], "deflate", "the raw deflate body ends before its stream does"),
    "raw_deflate_then_junk": (_RAW_DEFLATED + b"junk", "deflate", "4 bytes follow the end of the raw deflate stream"),
}


@pytest.mark.parametrize("name", sorted(UNDECODABLE))
def test_an_undecodable_success_is_a_validation_error_kept_as_it_arrived(
    name: str, server: FakeOpenRouter, lookup: Lookup
) -> None:
    """Once an httpx.DecodingError with no body; now the bytes are kept, with the reason."""
    body, coding, fragment = UNDECODABLE[name]
    server.script_next(Reply(200, body, headers={"Content-Encoding": coding}))
    with pytest.raises(errors.ResponseValidationError) as caught:
        lookup(id=EXAMPLE_ID)  # default retries: a retry would meet the fake's valid 200
    err = caught.value
    assert err.status_code == 200
    assert fragment in err.message, err.message
    assert err.body == _decoded(body)
    assert err.raw_response is not None
    assert err.raw_response.content == body
    assert err.attempts == 1
    assert len(server.requests) == 1


@pytest.mark.parametrize("name", sorted(UNDECODABLE))
def test_an_undecodable_error_body_keeps_the_status_class(name: str, server: FakeOpenRouter, lookups: Any) -> None:
    body, coding, _ = UNDECODABLE[name]
    server.script_next(Reply(502, body, headers={"Content-Encoding": coding}))
    err = _one_error(lookups, id=EXAMPLE_ID, retries=NO_RETRIES)
    assert type(err) is errors.BadGatewayResponseError
    assert err.status_code == 502
    assert err.body == _decoded(body)
    assert err.raw_response is not None
    assert err.raw_response.content == body
    assert err.attempts == 1


#: name -> (body, Content-Encoding): every form of the codings asked for decodes to the model.
DECODABLE: dict[str, tuple[bytes, str]] = {
    "gzip": (_GZIPPED, "gzip"),
    "x_gzip": (_GZIPPED, "x-gzip"),
    "gzip_upper_case": (_GZIPPED, "GZIP"),
    "gzip_and_identity": (_GZIPPED, "gzip, identity"),
    "deflate_with_zlib_header": (zlib.compress(_PAYLOAD), "deflate"),
    "raw_deflate": (_raw_deflate(_PAYLOAD), "deflate"),
    "identity": (_PAYLOAD, "identity"),
    # A gzip file may hold several members; some writers pad the end with zeros.
    "gzip_in_two_members": (gzip.compress(_PAYLOAD[:100]) + gzip.compress(_PAYLOAD[100:]), "gzip"),
    "gzip_padded_with_zeros": (_GZIPPED + b"\0" * 8, "gzip"),
}


@pytest.mark.parametrize("name", sorted(DECODABLE))
def test_the_codings_asked_for_are_decoded(name: str, server: FakeOpenRouter, lookup: Lookup) -> None:
    body, coding = DECODABLE[name]
    server.script_next(Reply(200, body, headers={"Content-Encoding": coding}))
    res = lookup(id=EXAMPLE_ID, client_kwargs={"max_response_bytes": len(_PAYLOAD)})
    assert res.data.id == EXAMPLE_ID
    assert res.to_dict() == EXAMPLE_BODY


@pytest.mark.parametrize("mode", ["sync", "async"])
def test_the_request_asks_only_for_the_codings_it_decodes(
    mode: str, server: FakeOpenRouter, make_client: ClientFactory
) -> None:
    """Even a caller's client that asks for more: a `br` body could not be read."""
    asks = {"Accept-Encoding": "br, zstd, gzip"}
    if mode == "sync":
        with httpx.Client(headers=asks) as http, make_client(client=http) as client:
            client.generations.get_generation(id=EXAMPLE_ID)
    else:

        async def main() -> None:
            async with httpx.AsyncClient(headers=asks) as http, make_client(async_client=http) as client:
                await client.generations.get_generation_async(id=EXAMPLE_ID)

        asyncio.run(main())
    (seen,) = server.requests
    assert seen.headers["accept-encoding"] == "gzip, deflate"


def test_our_own_client_asks_for_gzip_and_deflate(server: FakeOpenRouter, lookup: Lookup) -> None:
    lookup(id=EXAMPLE_ID)
    assert server.requests[-1].headers["accept-encoding"] == "gzip, deflate"


def test_a_call_asks_for_json_with_the_clients_headers_or_headers_of_its_own(
    server: FakeOpenRouter, lookup: Lookup
) -> None:
    lookup(id=EXAMPLE_ID)
    lookup(id=EXAMPLE_ID, http_headers={"X-Trace": "t-1"})
    lookup(id=EXAMPLE_ID, http_referer="https://app.example")
    assert [r.headers["accept"] for r in server.requests] == ["application/json"] * 3


def test_a_call_names_the_client_and_its_version_in_the_user_agent(server: FakeOpenRouter, lookup: Lookup) -> None:
    lookup(id=EXAMPLE_ID)
    lookup(id=EXAMPLE_ID, http_headers={"X-Trace": "t-1"})
    expected = f"openrouter-generations/{__version__} python-httpx/{httpx.__version__}"
    assert [r.headers["user-agent"] for r in server.requests] == [expected] * 2


# -- header bytes, charsets and numbers JSON does not have ----------------------------------------

#: Header values as BaseHTTPRequestHandler sends them: each character one latin-1 byte.
NON_ASCII_HEADER_VALUES = {
    "latin_1": "café",
    "utf_8_bytes": "café".encode().decode("latin-1"),
    "high_bytes": "\x80\xff",
}


@pytest.mark.parametrize("name", sorted(NON_ASCII_HEADER_VALUES))
def test_non_ascii_header_bytes_on_a_success(name: str, server: FakeOpenRouter, lookup: Lookup) -> None:
    """Rebuilding the response from decoded header strings raised UnicodeEncodeError."""
    server.script_next(Reply(200, EXAMPLE_BODY, headers={"X-Served-By": NON_ASCII_HEADER_VALUES[name]}))
    res = lookup(id=EXAMPLE_ID)
    assert res.data.id == EXAMPLE_ID


def test_a_non_ascii_retry_after_on_an_error(server: FakeOpenRouter, lookups: Any) -> None:
    server.script_next(Reply(503, b"", headers={"Retry-After": "éé"}))
    err = _one_error(lookups, id=EXAMPLE_ID, retries=NO_RETRIES)
    assert type(err) is errors.ServiceUnavailableResponseError
    assert isinstance(err, errors.OpenRouterDefaultError)
    assert err.status_code == 503
    assert ("retry-after", "éé") in [(k.lower(), v) for k, v in err.headers.items()]
    assert err.message == "empty body"


def test_a_non_ascii_retry_after_falls_back_to_backoff(
    server: FakeOpenRouter, lookup: Lookup, clock: FakeClock
) -> None:
    server.script_next(Reply(503, b"", headers={"Retry-After": "éé"}))  # then the fake's 200
    res = lookup(id=EXAMPLE_ID)
    assert res.data.id == EXAMPLE_ID
    assert len(server.requests) == 2
    assert len(clock.sleeps) == 1


# Codecs Python knows that do not turn bytes into text: httpx's `.text` raised TypeError,
# AssertionError, binascii.Error, zlib.error or a UnicodeError with them.
NOT_TEXT_CHARSETS = ["rot13", "base64", "hex", "idna", "zlib", "uu", "undefined"]


@pytest.mark.parametrize("charset", NOT_TEXT_CHARSETS)
def test_a_charset_that_is_not_a_text_codec(charset: str, server: FakeOpenRouter, lookups: Any) -> None:
    content_type = f"application/json; charset={charset}"
    error_object = json.dumps(error_body(500, "boom")).encode()
    html = "<html><title>Bad gateway ü</title></html>".encode()
    invalid = b'{"data": 1}'
    server.script_next(
        Reply(500, error_object, content_type=content_type),
        Reply(502, html, content_type=f"text/html; charset={charset}"),
        Reply(200, invalid, content_type=content_type),
        Reply(200, EXAMPLE_BODY, content_type=content_type),
    )
    server_error, gateway, validation, res = lookups(4, id=EXAMPLE_ID, retries=NO_RETRIES)
    assert type(server_error) is errors.InternalServerResponseError
    assert server_error.message == "boom"
    assert server_error.body == error_object.decode()
    assert type(gateway) is errors.BadGatewayResponseError
    assert "Bad gateway ü" in gateway.message
    assert gateway.body == html.decode()
    assert type(validation) is errors.ResponseValidationError
    assert validation.body == invalid.decode()
    assert "data" in validation.message
    assert isinstance(res, models.GetGenerationResponse)  # JSON is read from the bytes
    assert res.data.id == EXAMPLE_ID


@pytest.mark.parametrize("number", ["NaN", "Infinity", "-Infinity", "1e999", "-1e999"])
def test_numbers_json_does_not_have_are_refused(number: str, server: FakeOpenRouter, lookup: Lookup) -> None:
    """Python's json reads them as nan and inf, which poison every sum a cost enters."""
    text = json.dumps(EXAMPLE_BODY)
    field = f'"total_cost": {EXAMPLE_BODY["data"]["total_cost"]!r}'
    assert field in text
    payload = text.replace(field, f'"total_cost": {number}').encode()
    server.script_next(Reply(200, payload))
    with pytest.raises(errors.ResponseValidationError) as caught:
        lookup(id=EXAMPLE_ID, retries=NO_RETRIES)
    err = caught.value
    assert number in err.message
    assert "number" in err.message
    assert err.body == payload.decode()


@pytest.mark.parametrize(
    ("payload", "message"),
    [
        ({"error": {"message": "Rate limit exceeded"}}, "Rate limit exceeded"),
        ({"error": {"code": 429, "message": "m", "metadata": "str"}}, "m"),
        ({"error": {"code": 429, "message": "m"}, "user_id": 5}, "m"),
        ({"error": {"code": "429 Too Many", "message": "slow down", "extra": [1]}}, "slow down"),
    ],
    ids=["no_code", "metadata_string", "user_id_number", "code_string"],
)
def test_the_servers_message_is_kept_when_the_rest_is_off_schema(
    payload: dict[str, Any], message: str, server: FakeOpenRouter, lookups: Any
) -> None:
    server.script_next(Reply(429, payload))
    err = _one_error(lookups, id=EXAMPLE_ID, retries=NO_RETRIES)
    assert type(err) is errors.TooManyRequestsResponseError
    assert err.message == message
    assert err.data is None  # not the documented object, so not parsed as one
    assert json.loads(err.body) == payload


def test_describing_many_title_openings_takes_one_pass() -> None:
    """A complexity guard: the old `<title[^>]*>(.*?)</title>` search took seconds on this."""
    body = b"<title>" * 20_000
    started = time.perf_counter()
    described = errors.describe_body(body, "text/html; charset=utf-8")
    assert time.perf_counter() - started < 0.5
    assert described.startswith(f"text/html body of {len(body)} bytes: ")


@pytest.mark.parametrize(
    "page",
    [
        b"<html><head><title>502 Bad Gateway</title></head><body><h1>502</h1></body></html>",
        b'<HTML><HEAD><TITLE lang="en">\n  502 Bad  Gateway\n</TITLE></HEAD></HTML>',
    ],
    ids=["plain", "upper_case_with_attribute"],
)
def test_a_pages_title_still_names_it(page: bytes, server: FakeOpenRouter, lookups: Any) -> None:
    assert "'502 Bad Gateway'" in errors.describe_body(page, "text/html")
    server.script_next(Reply(502, page, content_type="text/html"))
    err = _one_error(lookups, id=EXAMPLE_ID, retries=NO_RETRIES)
    assert type(err) is errors.BadGatewayResponseError
    assert "'502 Bad Gateway'" in err.message


# -- redirects: their bodies are never read --------------------------------------------------------


def test_an_endless_redirect_body_is_not_read(server: FakeOpenRouter, lookup: Lookup) -> None:
    # httpx, left to follow redirects itself, reads each 3xx body whole: past any cap.
    server.script_next(
        Reply(307, headers={"Location": f"/generation?id={EXAMPLE_ID}"}, endless=True),
        Reply(200, EXAMPLE_BODY),
    )
    started = time.monotonic()
    res = lookup(id=EXAMPLE_ID, client_kwargs={"max_response_bytes": 256 * 1024})
    assert time.monotonic() - started < 3.0
    assert res.data.id == EXAMPLE_ID
    assert len(server.requests) == 2


def test_a_redirect_loop_ends_as_a_typed_error(server: FakeOpenRouter, lookup: Lookup) -> None:
    loop = Reply(
        302, b"<html>moved</html>", headers={"Location": f"/generation?id={EXAMPLE_ID}"}, content_type="text/html"
    )
    server.script_next(*[loop] * 30)
    with pytest.raises(errors.OpenRouterDefaultError) as caught:
        lookup(id=EXAMPLE_ID, retries=NO_RETRIES)
    assert caught.value.status_code == 302
    assert caught.value.body == "<html>moved</html>"
    assert len(server.requests) == 21  # the request and httpx's default of 20 redirects


@pytest.mark.parametrize("location", ["http://xn--zz--.com/", "http://xn--a.com/"])
def test_a_redirect_to_a_name_idna_refuses_is_a_connection_error(
    location: str, server: FakeOpenRouter, lookup: Lookup
) -> None:
    """httpx lets idna's own exception out of building the next request; it is the hop's failure."""
    server.script_next(Reply(302, headers={"Location": location}))
    with pytest.raises(errors.OpenRouterError) as caught:
        lookup(id=EXAMPLE_ID, retries=NO_RETRIES)
    err = caught.value
    assert type(err) is errors.APIConnectionError
    assert err.status_code is None
    assert "IDNA" in err.message or "Codepoint" in err.message
    assert len(server.requests) == 1


@pytest.mark.parametrize("port", [99999, 65536, 0])
def test_a_redirect_to_a_port_no_socket_has_is_the_answer(port: int, server: FakeOpenRouter, lookup: Lookup) -> None:
    """Not followed: the async transport raised an ExceptionGroup (OverflowError) for it."""
    server.script_next(
        Reply(302, b"moved", headers={"Location": f"http://127.0.0.1:{port}/"}, content_type="text/plain")
    )
    with pytest.raises(errors.OpenRouterError) as caught:
        lookup(id=EXAMPLE_ID, retries=NO_RETRIES)
    err = caught.value
    assert type(err) is errors.OpenRouterDefaultError
    assert err.status_code == 302
    assert err.body == "moved"
    assert err.headers["location"] == f"http://127.0.0.1:{port}/"
    assert len(server.requests) == 1


# -- how a body that is not the error object is described ------------------------------------------


def test_a_title_with_invalid_utf8_is_shown_with_replacements(server: FakeOpenRouter, lookups: Any) -> None:
    page = b"<html><title>Bad \xff gateway</title></html>"
    server.script_next(Reply(502, page, content_type="text/html; charset=utf-8"))
    err = _one_error(lookups, id=EXAMPLE_ID, retries=NO_RETRIES)
    assert type(err) is errors.BadGatewayResponseError
    assert err.message == f"text/html body of {len(page)} bytes: 'Bad \ufffd gateway'"


def test_invalid_utf8_under_a_charset_that_is_no_text_codec(server: FakeOpenRouter, lookups: Any) -> None:
    body = b"upstream \xff\xfe reset"
    server.script_next(Reply(502, body, content_type="text/plain; charset=rot13"))
    err = _one_error(lookups, id=EXAMPLE_ID, retries=NO_RETRIES)
    assert type(err) is errors.BadGatewayResponseError
    assert err.body == "upstream \ufffd\ufffd reset"
    assert err.message == f"text/plain body of {len(body)} bytes: 'upstream \ufffd\ufffd reset'"


def test_a_body_without_a_content_type_says_so(server: FakeOpenRouter, lookups: Any) -> None:
    server.script_next(Reply(500, b"oops", content_type=None))
    err = _one_error(lookups, id=EXAMPLE_ID, retries=NO_RETRIES)
    assert err.message == "no content type body of 4 bytes: 'oops'"
    assert str(err) == "HTTP 500: no content type body of 4 bytes: 'oops'"


@pytest.mark.parametrize(
    ("text", "shown"),
    [("a" * 120, "a" * 120), ("a" * 121, "a" * 117 + "..."), ("a b  c\n\td " * 30, ("a b c d " * 15)[:117] + "...")],
    ids=["120_kept_whole", "121_cut_to_120", "spaces_collapsed_then_cut"],
)
def test_a_long_body_is_shown_cut_to_120_characters(text: str, shown: str) -> None:
    described = errors.describe_body(text.encode(), "text/plain")
    assert described == f"text/plain body of {len(text)} bytes: {shown!r}"


def test_only_the_first_200_bytes_of_a_body_are_shown(server: FakeOpenRouter, lookups: Any) -> None:
    body = b"\n" * 199 + b"AB"  # blank lines, as many proxies' pages start
    server.script_next(Reply(502, body, content_type="text/plain"))
    err = _one_error(lookups, id=EXAMPLE_ID, retries=NO_RETRIES)
    assert err.message == "text/plain body of 201 bytes: 'A'"


def test_a_title_past_the_first_64_kib_is_not_looked_for() -> None:
    """The title search reads the first 64 KiB only, so a huge page costs no more than that."""
    title = b"<title>late</title>"
    inside = b"x" * (65536 - len(title)) + title
    one_byte_out = b"x" * (65537 - len(title)) + title
    assert errors.describe_body(inside, "text/html").endswith(": 'late'")
    assert errors.describe_body(one_byte_out, "text/html") == f"text/html body of 65537 bytes: {'x' * 117 + '...'!r}"


@pytest.mark.parametrize("status", [300, 301, 304])
def test_a_3xx_that_leads_nowhere_is_an_error_not_the_generation(status: int, clock: FakeClock) -> None:
    # No Location to follow: the 3xx itself is the answer, and only a 2xx is a generation.
    def answer(request: httpx.Request) -> httpx.Response:
        return httpx.Response(status, json=EXAMPLE_BODY)

    http = httpx.Client(transport=httpx.MockTransport(answer))
    with (
        OpenRouter(api_key="sk-test", client=http, clock=clock) as client,
        pytest.raises(errors.OpenRouterError) as caught,
    ):
        client.generations.get_generation(id=EXAMPLE_ID, retries=utils.NO_RETRIES)
    assert caught.value.status_code == status


def test_a_body_in_a_coding_not_asked_for_is_refused_even_when_it_reads_as_json(clock: FakeClock) -> None:
    # Sent as is under a coding the client never offered: what it means is unknown, so it is not
    # taken for the generation, whatever it looks like.
    def answer(request: httpx.Request) -> httpx.Response:
        body = json.dumps(EXAMPLE_BODY).encode()
        return httpx.Response(200, headers={"content-encoding": "br"}, stream=httpx.ByteStream(body))

    http = httpx.Client(transport=httpx.MockTransport(answer))
    with (
        OpenRouter(api_key="sk-test", client=http, clock=clock) as client,
        pytest.raises(errors.ResponseValidationError, match="Content-Encoding 'br' was not asked for"),
    ):
        client.generations.get_generation(id=EXAMPLE_ID, retries=utils.NO_RETRIES)
