"""HTTPS over loopback: the client verifies the server against the CA bundle it was given.

The client builds one TLS context with `httpx.create_ssl_context()`, which reads `SSL_CERT_FILE`
(as curl, requests and pip do) and otherwise trusts certifi's bundle. So a company CA or a test
CA in `SSL_CERT_FILE` is trusted, and a certificate no trusted CA signed is an
`APIConnectionError` that says why, never a silent success.
"""

from __future__ import annotations

import asyncio
import http.server
import json
import pathlib
import ssl
import threading
from collections.abc import Iterator
from typing import Any

import pytest
import trustme

from openrouter_generations import OpenRouter, errors, models, utils

from .conftest import SECRET_KEY, load_json

BODY: dict[str, Any] = load_json("body_2026_01.json")


class _Handler(http.server.BaseHTTPRequestHandler):
    def do_GET(self) -> None:
        payload = json.dumps(BODY).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)

    def log_message(self, format: str, *args: Any) -> None:
        pass


class _TLSServer(http.server.ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request: Any, client_address: Any) -> None:
        pass  # a client that refuses our certificate hangs up mid-handshake: expected here


@pytest.fixture(scope="module")
def ca() -> trustme.CA:
    return trustme.CA()


@pytest.fixture(scope="module")
def https_url(ca: trustme.CA) -> Iterator[str]:
    """An HTTPS server on 127.0.0.1 whose certificate (for 127.0.0.1 and localhost) `ca` signed."""
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    ca.issue_cert("127.0.0.1", "localhost").configure_cert(context)
    server = _TLSServer(("127.0.0.1", 0), _Handler)
    server.socket = context.wrap_socket(server.socket, server_side=True)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True)
    thread.start()
    try:
        yield f"https://localhost:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


@pytest.fixture
def ca_file(ca: trustme.CA, tmp_path: pathlib.Path) -> pathlib.Path:
    path = tmp_path / "ca.pem"
    ca.cert_pem.write_to_path(str(path))
    return path


def _lookup_both_ways(url: str) -> list[models.GetGenerationResponse]:
    """A sync and an async lookup through one client (two pools, one TLS context)."""
    with OpenRouter(api_key=SECRET_KEY, server_url=url, retry_config=utils.NO_RETRIES) as client:
        sync_res = client.generations.get_generation(id="gen-2026-01-shape")

        async def run() -> models.GetGenerationResponse:
            return await client.generations.get_generation_async(id="gen-2026-01-shape")

        return [sync_res, asyncio.run(run())]


def _finish(result: object) -> object:
    """The result of a sync call, or of an async one run to its end."""
    return asyncio.run(result) if asyncio.iscoroutine(result) else result


def test_a_server_signed_by_the_ca_in_ssl_cert_file_is_trusted(
    https_url: str, ca_file: pathlib.Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SSL_CERT_FILE", str(ca_file))
    for res in _lookup_both_ways(https_url):
        assert res.data.id == "gen-2026-01-shape"
        assert res.data.total_cost == BODY["data"]["total_cost"]


def test_the_trusted_certificates_are_loaded_once_for_all_of_a_clients_pools(
    https_url: str, ca_file: pathlib.Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Loading them costs ~25 ms: done for the client's first pool, and the sync pool and each
    # loop's async pool verify with that one context, per connection too.
    monkeypatch.setenv("SSL_CERT_FILE", str(ca_file))
    loaded: list[object] = []
    create_default_context = ssl.create_default_context

    def counting(*args: Any, **kwargs: Any) -> ssl.SSLContext:
        loaded.append(kwargs)
        return create_default_context(*args, **kwargs)

    monkeypatch.setattr(ssl, "create_default_context", counting)
    assert [res.data.id for res in _lookup_both_ways(https_url)] == ["gen-2026-01-shape"] * 2
    assert loaded == [{"cafile": str(ca_file)}]


@pytest.mark.parametrize("mode", ["sync", "async"])
def test_a_certificate_no_trusted_ca_signed_is_a_connection_error(
    https_url: str, mode: str, tmp_path: pathlib.Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The default bundle (certifi) does not know the test CA, nor does another CA's file.
    other = tmp_path / "other-ca.pem"
    trustme.CA().cert_pem.write_to_path(str(other))
    for env in (None, str(other)):
        if env is None:
            monkeypatch.delenv("SSL_CERT_FILE", raising=False)
        else:
            monkeypatch.setenv("SSL_CERT_FILE", env)
        monkeypatch.delenv("SSL_CERT_DIR", raising=False)
        with OpenRouter(api_key=SECRET_KEY, server_url=https_url, retry_config=utils.NO_RETRIES) as client:
            call = client.generations.get_generation_async if mode == "async" else client.generations.get_generation
            with pytest.raises(errors.APIConnectionError) as caught:
                _finish(call(id="gen-2026-01-shape"))
        assert not isinstance(caught.value, errors.APITimeoutError)
        assert "CERTIFICATE_VERIFY_FAILED" in str(caught.value), str(caught.value)
        assert SECRET_KEY not in str(caught.value)
