"""What an error carries and how it reads, as a caller catching it sees it over a real socket.

`str(error)` is "HTTP <status>: <message>", with "(after N attempts)" once there was a retry and
"; <hint>" when the client knows what to do; `args` is the message alone, as for any exception;
`headers` is always a mapping (empty when no response arrived), never None.
"""

from __future__ import annotations

import json
import pickle
import socket
import threading
from collections.abc import Iterator

import httpx
import pytest

from openrouter_generations import errors
from openrouter_generations.testing import FakeOpenRouter, Reply, error_body
from openrouter_generations.utils import NO_RETRIES, RetryConfig

from .conftest import EXAMPLE_ID, Lookup
from .test_transport_faults import _raw_server

ONE_RETRY = RetryConfig(max_retries=1)


def _fails(lookup: Lookup, **kwargs: object) -> errors.OpenRouterError:
    with pytest.raises(errors.OpenRouterError) as caught:
        lookup(id=EXAMPLE_ID, **kwargs)
    return caught.value


@pytest.fixture
def refused_url() -> Iterator[str]:
    """A loopback port bound but not listening: every connection is refused."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        yield f"http://127.0.0.1:{sock.getsockname()[1]}"


def test_one_attempt_reads_as_the_status_and_the_servers_words(server: FakeOpenRouter, lookup: Lookup) -> None:
    server.script_next(Reply(400, error_body(400, "id is required")))
    err = _fails(lookup, retries=NO_RETRIES)
    assert err.attempts == 1
    assert str(err) == "HTTP 400: id is required"
    assert err.args == ("id is required",)


def test_two_attempts_are_counted_in_the_text(server: FakeOpenRouter, lookup: Lookup) -> None:
    server.script_next(Reply(503, error_body(503, "busy")), Reply(503, error_body(503, "still busy")))
    err = _fails(lookup, retries=ONE_RETRY)
    assert len(server.requests) == 2
    assert err.attempts == 2
    assert str(err) == "HTTP 503: still busy (after 2 attempts)"
    assert err.args == ("still busy",)  # the message only: the count and the hint are not in it


def test_an_error_without_a_status_reads_as_its_message(refused_url: str, lookup: Lookup) -> None:
    err = _fails(lookup, client_kwargs={"server_url": refused_url}, retries=NO_RETRIES)
    assert type(err) is errors.APIConnectionError
    assert err.status_code is None
    assert str(err) == err.message
    assert err.args == (err.message,)


def test_an_error_without_a_response_has_empty_headers(refused_url: str, lookup: Lookup) -> None:
    err = _fails(lookup, client_kwargs={"server_url": refused_url}, retries=NO_RETRIES)
    assert isinstance(err.headers, httpx.Headers)
    assert len(err.headers) == 0
    assert err.headers.get("retry-after") is None  # what a caller reads, without a None check


def test_an_error_made_by_hand_has_empty_headers_and_one_attempt() -> None:
    """Code that raises the documented errors itself (a fake of its own) gets the same shape."""
    err = errors.NotFoundResponseError("Generation gen-1 not found", status_code=404)
    assert isinstance(err.headers, httpx.Headers)
    assert err.headers.get("x-request-id") is None
    assert err.attempts == 1
    assert err.retryable is False
    assert str(err) == "HTTP 404: Generation gen-1 not found"
    assert err.args == ("Generation gen-1 not found",)


def test_a_status_error_keeps_the_response_headers(server: FakeOpenRouter, lookup: Lookup) -> None:
    server.script_next(Reply(429, error_body(429, "slow down"), headers={"X-Request-Id": "req-429"}))
    err = _fails(lookup, retries=NO_RETRIES)
    assert err.headers["x-request-id"] == "req-429"


def test_a_validation_error_keeps_the_response_headers(server: FakeOpenRouter, lookup: Lookup) -> None:
    server.script_next(Reply(200, b"not json", content_type="text/plain", headers={"X-Request-Id": "req-200"}))
    err = _fails(lookup, retries=NO_RETRIES)
    assert type(err) is errors.ResponseValidationError
    assert err.headers["x-request-id"] == "req-200"
    assert err.headers["content-type"] == "text/plain"
    assert err.attempts == 1
    assert err.args == (err.message,)


def test_a_validation_error_after_a_retry_counts_both_attempts(server: FakeOpenRouter, lookup: Lookup) -> None:
    server.script_next(Reply(502, error_body(502, "bad gateway")), Reply(200, b"not json"))
    err = _fails(lookup, retries=ONE_RETRY)
    assert type(err) is errors.ResponseValidationError
    assert err.attempts == 2
    assert str(err).endswith(" (after 2 attempts)")


def test_a_too_large_body_after_a_retry_counts_both_attempts(server: FakeOpenRouter, lookup: Lookup) -> None:
    server.script_next(
        Reply(503, error_body(503, "busy")), Reply(200, b"x" * 4096, headers={"X-Request-Id": "req-big"})
    )
    err = _fails(lookup, client_kwargs={"max_response_bytes": 1024}, retries=ONE_RETRY)
    assert type(err) is errors.ResponseTooLargeError
    assert err.attempts == 2
    assert err.status_code == 200
    assert err.headers["x-request-id"] == "req-big"
    assert str(err).startswith("HTTP 200: response body ")
    assert str(err).endswith("max_response_bytes=1024 (after 2 attempts)")


def test_the_repr_names_the_class_the_status_and_the_message(server: FakeOpenRouter, lookup: Lookup) -> None:
    server.script_next(Reply(400, error_body(400, "id is required")))
    err = _fails(lookup, retries=NO_RETRIES)
    assert repr(err) == "BadRequestResponseError(status_code=400, message='id is required')"


def test_an_error_made_by_hand_from_the_message_alone_has_every_default() -> None:
    err = errors.OpenRouterError("the vault is down")
    assert err.status_code is None
    assert err.body == ""
    assert err.raw_response is None
    assert err.data is None
    assert err.hint == ""
    assert err.attempts == 1
    assert err.retryable is False
    assert str(err) == "the vault is down"
    assert repr(err) == "OpenRouterError(status_code=None, message='the vault is down')"


def test_retryable_follows_the_status_unless_it_is_given() -> None:
    assert errors.ServiceUnavailableResponseError("busy", status_code=503).retryable is True
    assert errors.ServiceUnavailableResponseError("busy", status_code=503, retryable=False).retryable is False
    assert errors.NotFoundResponseError("not yet", status_code=404, retryable=True).retryable is True


def test_the_hint_follows_the_attempts_in_the_text_and_stays_out_of_the_message() -> None:
    err = errors.TooManyRequestsResponseError("slow down", status_code=429, attempts=3, hint="wait a minute")
    assert str(err) == "HTTP 429: slow down (after 3 attempts); wait a minute"
    assert err.message == "slow down"
    assert err.args == ("slow down",)


def test_a_validation_error_made_by_hand_carries_its_payload_or_none() -> None:
    assert errors.ResponseValidationError("not JSON").payload is None
    err = errors.ResponseValidationError("bad cost", payload={"data": {"total_cost": "x"}}, status_code=200, attempts=2)
    assert err.payload == {"data": {"total_cost": "x"}}
    assert str(err) == "HTTP 200: bad cost (after 2 attempts)"


def test_the_error_model_is_importable_from_errors_and_a_wrong_name_says_so() -> None:
    from openrouter_generations_client.models.error_response import ErrorResponse

    assert errors.ErrorResponse is ErrorResponse
    with pytest.raises(AttributeError, match=r"^module 'openrouter_generations\.errors' has no attribute 'Nope'$"):
        errors.Nope  # noqa: B018


@pytest.mark.parametrize(
    "reply",
    [Reply(429, error_body(429, "slow down"), headers={"X-Request-Id": "req-1"}), Reply(200, b"not json")],
    ids=["status", "validation"],
)
def test_an_error_crosses_a_process_boundary_with_what_a_caller_reads(
    reply: Reply, server: FakeOpenRouter, lookup: Lookup
) -> None:
    """Pickled as `multiprocessing` and `concurrent.futures` do to hand it to another process."""
    server.script_next(reply)
    err = _fails(lookup, retries=NO_RETRIES)
    copy = pickle.loads(pickle.dumps(err))  # noqa: S301  (our own bytes)
    assert type(copy) is type(err)
    assert (str(copy), repr(copy), copy.args) == (str(err), repr(err), err.args)
    assert (copy.status_code, copy.body, copy.attempts, copy.retryable) == (
        err.status_code,
        err.body,
        err.attempts,
        err.retryable,
    )
    assert copy.headers == err.headers
    assert (copy.data and copy.data.to_dict()) == (err.data and err.data.to_dict())
    assert getattr(copy, "payload", None) == getattr(err, "payload", None)


@pytest.mark.parametrize(
    ("status_line", "body", "kind"),
    [
        (
            b"HTTP/1.1 503 Slow Down",
            json.dumps(error_body(503, "busy")).encode(),
            errors.ServiceUnavailableResponseError,
        ),
        (b"HTTP/1.1 200 Fine", b"not json", errors.ResponseValidationError),
    ],
    ids=["status_error", "validation_error"],
)
def test_the_raw_response_keeps_the_servers_own_reason_phrase(
    status_line: bytes, body: bytes, kind: type[errors.OpenRouterError], lookup: Lookup
) -> None:
    def answer(conn: socket.socket, stop: threading.Event) -> None:
        head = b"Content-Type: application/json\r\nConnection: close\r\nContent-Length: %d\r\n\r\n" % len(body)
        conn.sendall(status_line + b"\r\n" + head + body)
        conn.close()

    with _raw_server(answer) as url:
        err = _fails(lookup, client_kwargs={"server_url": url}, retries=NO_RETRIES)
    assert type(err) is kind
    assert err.raw_response is not None
    assert err.raw_response.reason_phrase == status_line.split(b" ", 2)[2].decode()
    assert err.raw_response.http_version == "HTTP/1.1"
