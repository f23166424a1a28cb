"""Errors that say what to do, through the real client over real loopback sockets.

A 401 says whether no key was sent or the key was refused; a connection error names the host and
port it tried (and, for TLS, that the certificate is the problem); a timeout names which timeout
ran out and its value; a 404 that is not OpenRouter's "generation not found" names the URL and is
never waited for; `retryable` says whether trying again later makes sense.
"""

from __future__ import annotations

import contextlib
import datetime
import pathlib
import socket
import ssl
import threading
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from openrouter_generations import OpenRouter, errors
from openrouter_generations.testing import FakeOpenRouter, Reply, error_body
from openrouter_generations.utils import NO_RETRIES, RetryConfig

from .conftest import EXAMPLE_BODY, EXAMPLE_ID, SECRET_KEY, FakeClock, Lookup


def _fails(lookup: Lookup, **kwargs: Any) -> errors.OpenRouterError:
    with pytest.raises(errors.OpenRouterError) as caught:
        lookup(id=EXAMPLE_ID, **kwargs)
    assert SECRET_KEY not in str(caught.value)
    return caught.value


# -- 401 --------------------------------------------------------------------------------------


def test_no_key_says_no_key_was_given_and_how_to_give_one(
    server: FakeOpenRouter, lookup: Lookup, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("OPENROUTER_API_KEY", raising=False)
    err = _fails(lookup, client_kwargs={"api_key": None})
    assert type(err) is errors.UnauthorizedResponseError
    assert "authorization" not in server.requests[-1].headers
    assert err.message == "No auth credentials found"  # the server's own words, kept
    assert "no API key was given" in str(err)
    assert "api_key=" in str(err)
    assert "OPENROUTER_API_KEY" in str(err)
    assert err.retryable is False


def test_a_refused_key_says_it_was_refused_without_showing_it(server: FakeOpenRouter, lookup: Lookup) -> None:
    server.script_next(Reply(401, error_body(401, f"User not found for key {SECRET_KEY}")))
    err = _fails(lookup)
    assert type(err) is errors.UnauthorizedResponseError
    assert "the API key was refused" in str(err)
    assert "no API key" not in str(err)
    assert SECRET_KEY not in err.message
    assert SECRET_KEY not in err.body


# -- connection errors ------------------------------------------------------------------------


@pytest.fixture
def refused_url() -> Iterator[str]:
    """A loopback port bound but not listening: every connection is refused."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        yield f"http://127.0.0.1:{sock.getsockname()[1]}"


def test_a_refused_connection_names_the_host_and_port(refused_url: str, lookup: Lookup, clock: FakeClock) -> None:
    err = _fails(lookup, client_kwargs={"server_url": refused_url})
    assert type(err) is errors.APIConnectionError
    assert isinstance(err, errors.NoResponseError)
    host_port = refused_url.removeprefix("http://")
    assert f"the connection to {host_port} was refused" in str(err)
    assert "check server_url" in str(err)
    assert err.retryable is True
    assert err.attempts == 5  # retried, as before


def test_a_refused_redirect_names_the_host_and_port_it_was_redirected_to(
    refused_url: str, server: FakeOpenRouter, lookup: Lookup
) -> None:
    server.script_next(Reply(302, b"", headers={"Location": f"{refused_url}/generation?id={EXAMPLE_ID}"}))
    err = _fails(lookup, retries=NO_RETRIES)
    host_port = refused_url.removeprefix("http://")
    assert f"GET /generation?id={EXAMPLE_ID}: the connection to {host_port} was refused" in str(err)


@pytest.mark.parametrize("raised", [httpx.InvalidURL("no such URL"), UnicodeError("no such text")], ids=repr)
def test_a_send_error_that_names_no_request_is_named_with_the_server_it_was_sent_to(raised: Exception) -> None:
    """httpx attaches its request to the errors of a send, but not to every error a caller's own
    transport may raise: those are named with the server_url the call went to."""

    def answer(request: httpx.Request) -> httpx.Response:
        raise raised

    transport = httpx.MockTransport(answer)
    with (
        httpx.Client(transport=transport) as http,
        OpenRouter(api_key=SECRET_KEY, client=http, server_url="https://gw.example/api/v1") as client,
        pytest.raises(errors.APIConnectionError) as caught,
    ):
        client.generations.get_generation(id=EXAMPLE_ID, retries=NO_RETRIES)
    assert str(caught.value).startswith(f"GET /generation?id={EXAMPLE_ID}: no usable response from gw.example:443; ")
    assert str(caught.value).endswith(f"{type(raised).__name__}: {raised}")


def test_a_host_name_that_does_not_resolve_is_named_with_its_port(
    lookup: Lookup, monkeypatch: pytest.MonkeyPatch
) -> None:
    # No query leaves the machine: the resolver answers as it does for an unknown name.
    real = socket.getaddrinfo

    def resolve(host: Any, *args: Any, **kwargs: Any) -> Any:
        if host == "api.example.invalid":
            raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")
        return real(host, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", resolve)
    err = _fails(lookup, client_kwargs={"server_url": "https://api.example.invalid:8443/api/v1"}, retries=NO_RETRIES)
    assert type(err) is errors.APIConnectionError
    assert "cannot resolve the host name 'api.example.invalid' (port 8443)" in str(err)


def _self_signed(directory: pathlib.Path) -> tuple[pathlib.Path, pathlib.Path]:
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "self-signed.test")])
    now = datetime.datetime.now(datetime.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(days=1))
        .not_valid_after(now + datetime.timedelta(days=1))
        .sign(key, hashes.SHA256())
    )
    cert_path, key_path = directory / "cert.pem", directory / "key.pem"
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(
        key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    )
    return cert_path, key_path


@pytest.fixture
def untrusted_tls_url(tmp_path: pathlib.Path) -> Iterator[str]:
    """A loopback TLS server whose certificate no CA signed: every handshake is refused by the client."""
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(*_self_signed(tmp_path))
    listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    listener.bind(("127.0.0.1", 0))
    listener.listen(16)
    listener.settimeout(0.2)
    stop = threading.Event()

    def serve() -> None:
        while not stop.is_set():
            try:
                conn, _ = listener.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            with conn, contextlib.suppress(OSError):
                conn.settimeout(5)
                context.wrap_socket(conn, server_side=True).close()

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    try:
        yield f"https://127.0.0.1:{listener.getsockname()[1]}"
    finally:
        stop.set()
        thread.join(timeout=5)
        listener.close()


def test_a_tls_failure_is_named_a_certificate_problem_and_not_retried(
    untrusted_tls_url: str, lookup: Lookup, clock: FakeClock
) -> None:
    err = _fails(lookup, client_kwargs={"server_url": untrusted_tls_url})
    assert type(err) is errors.APIConnectionError
    host_port = untrusted_tls_url.removeprefix("https://")
    assert f"the TLS handshake with {host_port} failed: a certificate problem" in str(err)
    assert (
        "a certificate problem (the server's certificate is not trusted, has expired or is for another "
        "host); to trust a private CA, pass client=httpx.Client(verify=...); ConnectError: "
    ) in str(err)
    assert err.retryable is False
    assert err.attempts == 1  # the same certificate would come back
    assert clock.sleeps == []


# -- timeouts ---------------------------------------------------------------------------------


def test_a_read_timeout_names_the_timeout_and_its_value(server: FakeOpenRouter, lookup: Lookup) -> None:
    server.script_next(Reply(200, EXAMPLE_BODY, delay=0.5))
    err = _fails(lookup, client_kwargs={"timeout_ms": 100}, retries=NO_RETRIES)
    assert type(err) is errors.APITimeoutError
    host_port = server.url.removeprefix("http://")
    assert f"no complete response from {host_port} within the read timeout of 0.1 s (timeout_ms=100" in str(err)
    assert err.retryable is True


def test_the_attempts_own_deadline_is_named_as_such(server: FakeOpenRouter) -> None:
    # One byte every 20 ms: each read is in time, the whole is not. The real clock: the deadline
    # is the client's own, measured on its monotonic clock.
    server.script_next(Reply(200, EXAMPLE_BODY, trickle=0.02))
    client = OpenRouter(api_key=SECRET_KEY, server_url=server.url, timeout_ms=300)
    with client, pytest.raises(errors.APITimeoutError) as caught:
        client.generations.get_generation(id=EXAMPLE_ID, retries=NO_RETRIES)
    assert "within the attempt's overall timeout of 0.3 s (timeout_ms=300" in str(caught.value)


# -- 404 ----------------------------------------------------------------------------------------

NOT_THE_ENDPOINT = {
    "html page": Reply(404, "<html><title>404: This page could not be found.</title></html>", content_type="text/html"),
    "empty": Reply(404, b"", content_type=None),
    "other json": Reply(404, {"detail": "Not Found"}),
}


@pytest.mark.parametrize("reply", NOT_THE_ENDPOINT.values(), ids=NOT_THE_ENDPOINT.keys())
def test_a_404_from_a_wrong_server_url_ends_at_once_with_the_url(
    reply: Reply, server: FakeOpenRouter, lookup: Lookup, clock: FakeClock
) -> None:
    server.script_next(reply, reply)
    wrong = server.url + "/generation"  # a common mistake: the endpoint's URL as the base
    err = _fails(lookup, client_kwargs={"server_url": wrong}, retries=RetryConfig(retry_not_found_for=15_000))
    assert type(err) is errors.NotFoundResponseError
    assert err.attempts == len(server.requests) == 1  # never waited for
    assert clock.sleeps == []
    assert f"{wrong}/generation?id={EXAMPLE_ID} is not OpenRouter's generation endpoint" in str(err)
    assert "check server_url" in str(err)
    assert err.retryable is False


def test_the_documented_404_is_still_waited_for(server: FakeOpenRouter, lookup: Lookup, clock: FakeClock) -> None:
    server.script_next(Reply(404, error_body(404, "Generation not found")))
    assert lookup(id=EXAMPLE_ID, retries=RetryConfig(retry_not_found_for=15_000)).data.id == EXAMPLE_ID
    assert len(server.requests) == 2


def test_the_documented_404_has_no_url_hint(server: FakeOpenRouter, lookup: Lookup) -> None:
    with pytest.raises(errors.NotFoundResponseError) as caught:
        lookup(id="gen-never-there", retries=NO_RETRIES)
    assert str(caught.value) == "HTTP 404: Generation gen-never-there not found"


# -- retryable --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("reply", "retryable"),
    [
        (Reply(429, error_body(429, "slow down")), True),
        (Reply(503, b""), True),
        (Reply(400, error_body(400, "bad")), False),
        (Reply(402, error_body(402, "no credits")), False),
        (Reply(200, b"not json"), False),
    ],
    ids=["429", "503", "400", "402", "invalid body"],
)
def test_retryable_says_whether_a_later_try_makes_sense(
    reply: Reply, retryable: bool, server: FakeOpenRouter, lookup: Lookup
) -> None:
    server.script_next(reply)
    assert _fails(lookup, retries=NO_RETRIES).retryable is retryable


# -- the words of each kind of failure, and where it was sent ------------------------------------


def _resolver_without(monkeypatch: pytest.MonkeyPatch, host: str) -> None:
    """No query leaves the machine: `host` is answered as an unknown name."""
    real = socket.getaddrinfo

    def resolve(name: Any, *args: Any, **kwargs: Any) -> Any:
        if name == host:
            raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")
        return real(name, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", resolve)


@pytest.mark.parametrize(
    ("server_url", "port"),
    [("https://api.example.invalid/api/v1", 443), ("http://api.example.invalid/api/v1", 80)],
    ids=["https", "http"],
)
def test_a_url_without_a_port_is_named_with_its_schemes_port(
    server_url: str, port: int, lookup: Lookup, monkeypatch: pytest.MonkeyPatch
) -> None:
    _resolver_without(monkeypatch, "api.example.invalid")
    err = _fails(lookup, client_kwargs={"server_url": server_url, "allow_insecure_http": True}, retries=NO_RETRIES)
    assert type(err) is errors.APIConnectionError
    assert f"cannot resolve the host name 'api.example.invalid' (port {port}): check server_url and your DNS" in (
        err.message
    )
    assert err.message.startswith(f"GET /generation?id={EXAMPLE_ID}: cannot resolve")
    assert err.retryable is True


def _failing_transport(exc: Exception) -> httpx.MockTransport:
    """A caller's transport that fails as some proxies and mocks do: with no request attached."""

    def handler(request: httpx.Request) -> httpx.Response:
        raise exc

    return httpx.MockTransport(handler)


#: name -> (what the caller's transport raises, what the error then says after the call's name)
TRANSPORT_FAILURES: dict[str, tuple[Exception, str]] = {
    "refused_in_words": (
        httpx.ConnectError("Connection Refused by the proxy"),
        "the connection to gw.example:8443 was refused: nothing listens there; check server_url; "
        "ConnectError: Connection Refused by the proxy",
    ),
    "other_connect_error": (
        httpx.ConnectError("no route"),
        "cannot connect to gw.example:8443; ConnectError: no route",
    ),
    "protocol_error": (
        httpx.RemoteProtocolError("Server disconnected"),
        "no usable response from gw.example:8443; RemoteProtocolError: Server disconnected",
    ),
    "no_words": (httpx.ReadError(""), "no usable response from gw.example:8443; ReadError"),
}


@pytest.mark.parametrize("name", sorted(TRANSPORT_FAILURES))
def test_a_transport_failure_is_worded_by_its_kind(name: str) -> None:
    exc, said = TRANSPORT_FAILURES[name]
    url = "https://gw.example:8443/api/v1"
    with (
        OpenRouter(api_key=SECRET_KEY, server_url=url, client=httpx.Client(transport=_failing_transport(exc))) as c,
        pytest.raises(errors.APIConnectionError) as caught,
    ):
        c.generations.get_generation(id="gen-1", retries=NO_RETRIES)
    assert type(caught.value) is errors.APIConnectionError
    assert caught.value.message == f"GET /generation?id=gen-1: {said}"
    assert caught.value.attempts == 1


@pytest.mark.parametrize(
    ("exc", "which"),
    [
        (httpx.ConnectTimeout("t"), "connect timeout"),
        (httpx.WriteTimeout("t"), "write timeout"),
        (httpx.PoolTimeout("t"), "pool timeout (the wait for a free connection of the pool)"),
        (httpx.TimeoutException("t"), "timeout"),
    ],
    ids=["connect", "write", "pool", "other"],
)
def test_each_timeout_is_named_with_the_attempts_value(exc: Exception, which: str, clock: FakeClock) -> None:
    url = "https://gw.example/api/v1"
    with (
        OpenRouter(
            api_key=SECRET_KEY,
            server_url=url,
            timeout_ms=1500,
            clock=clock,
            client=httpx.Client(transport=_failing_transport(exc)),
        ) as c,
        pytest.raises(errors.APITimeoutError) as caught,
    ):
        c.generations.get_generation(id="gen-1", retries=NO_RETRIES)
    assert caught.value.message == (
        f"GET /generation?id=gen-1: no complete response from gw.example:443 within the {which} of 1.5 s "
        f"(timeout_ms=1500 for this attempt); {type(exc).__name__}: t"
    )
    assert caught.value.retryable is True


def test_a_404_hint_is_the_whole_advice(server: FakeOpenRouter, lookup: Lookup) -> None:
    server.script_next(Reply(404, b"", content_type=None))
    wrong = server.url + "/generation"
    err = _fails(lookup, client_kwargs={"server_url": wrong}, retries=NO_RETRIES)
    assert err.hint == (
        f"{wrong}/generation?id={EXAMPLE_ID} is not OpenRouter's generation endpoint (its 404 is not the "
        "'generation not found' error): check server_url, which is the API's base, e.g. "
        "https://openrouter.ai/api/v1, without /generation"
    )
    assert str(err) == f"HTTP 404: empty body; {err.hint}"


def test_no_key_says_so_when_the_call_sets_headers_of_its_own(
    server: FakeOpenRouter, lookup: Lookup, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("OPENROUTER_API_KEY", raising=False)
    err = _fails(lookup, client_kwargs={"api_key": None}, http_headers={"X-Trace": "t-1"}, retries=NO_RETRIES)
    assert type(err) is errors.UnauthorizedResponseError
    assert server.requests[-1].headers["x-trace"] == "t-1"
    assert "authorization" not in server.requests[-1].headers
    assert err.hint.startswith("no API key was given")


def test_the_401_hints_are_the_whole_advice(
    server: FakeOpenRouter, lookup: Lookup, monkeypatch: pytest.MonkeyPatch
) -> None:
    server.script_next(Reply(401, error_body(401, "User not found")))
    refused = _fails(lookup, retries=NO_RETRIES)
    assert refused.hint == ("the API key was refused: check that it is a current OpenRouter key (it is not shown here)")
    assert str(refused) == f"HTTP 401: User not found; {refused.hint}"
    monkeypatch.delenv("OPENROUTER_API_KEY", raising=False)
    none_sent = _fails(lookup, client_kwargs={"api_key": None}, retries=NO_RETRIES)
    assert none_sent.hint == (
        "no API key was given: pass api_key= to OpenRouter() or set the OPENROUTER_API_KEY environment variable"
    )


def test_other_statuses_have_no_hint(server: FakeOpenRouter, lookup: Lookup) -> None:
    server.script_next(Reply(403, error_body(403, "forbidden")))
    err = _fails(lookup, retries=NO_RETRIES)
    assert err.hint == ""
    assert str(err) == "HTTP 403: forbidden"
