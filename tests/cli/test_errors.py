"""Errors: one line that says what to do, no traceback, never the key; why an id has no record."""

from __future__ import annotations

import functools
import json
import pathlib
import sys
from collections.abc import Iterator
from typing import Any
from unittest import mock

import pytest

from openrouter_generations import OpenRouter
from openrouter_generations.cli import _lookup
from openrouter_generations.testing import FakeOpenRouter, Reply, VirtualClock
from tests.cli.support import (
    ids_file,
    run,
    run_main,
)
from tests.conftest import SECRET_KEY


def test_no_key_says_where_to_set_it(fake: FakeOpenRouter, env: dict[str, str]) -> None:
    del env["OPENROUTER_API_KEY"]
    result = run(fake, env, "get", "gen-0")
    assert result.returncode == 2
    assert result.stderr.count("\n") == 1
    assert "OPENROUTER_API_KEY" in result.stderr
    assert "--api-key" in result.stderr
    assert fake.requests == []


def test_a_refused_key_is_one_line(
    fake: FakeOpenRouter, env: dict[str, str], records: Any, tmp_path: pathlib.Path
) -> None:
    wrong = "sk-or-v1-WRONGKEY-9876543210"
    env["OPENROUTER_API_KEY"] = wrong
    for args in (["get", "gen-0", "gen-1"], ["costs", "--no-cache", ids_file(tmp_path, "gen-0\ngen-1")]):
        result = run(fake, env, *args)
        assert result.returncode == 1
        assert result.stdout == ""
        assert result.stderr.count("\n") == 1, result.stderr
        assert "key was refused (HTTP 401)" in result.stderr
        assert wrong not in result.stderr


def test_the_key_from_the_option_wins_and_is_never_shown(
    fake: FakeOpenRouter, env: dict[str, str], records: Any
) -> None:
    env["OPENROUTER_API_KEY"] = "sk-or-v1-not-this-one"
    result = run(fake, env, "get", "--api-key", SECRET_KEY, "-v", "gen-0")
    assert result.returncode == 0, result.stderr


def test_a_malformed_key_is_a_usage_error_that_does_not_quote_it(fake: FakeOpenRouter, env: dict[str, str]) -> None:
    env["OPENROUTER_API_KEY"] = SECRET_KEY + "\n"
    result = run(fake, env, "get", "gen-0")
    assert result.returncode == 2
    assert "whitespace" in result.stderr


@pytest.mark.parametrize(
    ("url", "message"),
    [("ftp://example.com", "--server-url must be an absolute http(s) URL"), ("not a url", "--server-url")],
)
def test_a_bad_server_url_is_a_usage_error(fake: FakeOpenRouter, env: dict[str, str], url: str, message: str) -> None:
    result = run(fake, env, "get", "--server-url", url, "gen-0", url=False)
    assert result.returncode == 2
    assert message in result.stderr
    assert result.stderr.count("\n") == 1


def test_a_server_that_cannot_be_reached_is_one_line(
    fake: FakeOpenRouter, env: dict[str, str], virtual_clock: VirtualClock
) -> None:
    url = fake.server_url
    fake.stop()
    result = run(fake, env, "get", "--server-url", url, "--no-cache", "gen-0", url=False)
    assert result.returncode == 1
    assert f"could not connect to {url}" in result.stderr
    assert result.stderr.count("\n") == 1


def test_without_the_extra_the_command_says_how_to_install_it(
    env: dict[str, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(sys.modules, "rich", None)  # unimportable, as in an environment without the extra
    result = run_main([], env)
    assert result.returncode == 2
    assert result.stderr == (
        "openrouter-generations: the command line needs the 'cli' extra: pip install 'openrouter-generations[cli]'\n"
    )
    assert result.stdout == ""


def test_a_server_error_is_reported_with_its_message(fake: FakeOpenRouter, env: dict[str, str], records: Any) -> None:
    fake.script("gen-1", Reply(400, body={"error": {"code": 400, "message": "bad id, really"}}))
    result = run(fake, env, "get", "--no-cache", "gen-0", "gen-1")
    assert result.returncode == 1
    line = result.stderr.splitlines()[0]
    assert line.startswith("openrouter-generations: gen-1: ")
    assert "400" in line
    assert "bad id, really" in line


def test_a_not_found_waited_for_says_how_many_attempts(fake: FakeOpenRouter, env: dict[str, str], records: Any) -> None:
    fake.script("gen-0", Reply(404), Reply(404), Reply(404), Reply(404), Reply(404), Reply(404))
    result = run(fake, env, "get", "--no-cache", "--wait", "0.6", "gen-0")
    assert result.returncode == 1
    attempts = len(fake.requests)
    assert attempts > 1
    assert result.stderr == f"openrouter-generations: gen-0: not found (HTTP 404) (after {attempts} attempts)\n"


def test_an_id_the_client_refuses_says_it_is_not_valid(fake: FakeOpenRouter, env: dict[str, str], records: Any) -> None:
    result = run(fake, env, "get", "--no-cache", "gen-0", "")
    assert result.returncode == 1
    assert result.stderr == (
        "openrouter-generations: : not a valid id: id must be a non-empty generation id, e.g. 'gen-...'\n"
    )


def test_a_refused_key_is_said_once_with_where_to_get_one(
    fake: FakeOpenRouter, env: dict[str, str], records: Any
) -> None:
    env["OPENROUTER_API_KEY"] = "sk-or-v1-other"
    result = run(fake, env, "get", "--no-cache", "gen-0", "gen-1")
    assert result.stderr == (
        "openrouter-generations: the API key was refused (HTTP 401): set OPENROUTER_API_KEY or pass --api-key "
        "(keys: https://openrouter.ai/settings/keys)\n"
    )


@pytest.mark.parametrize("key", ["", None])
def test_an_empty_key_is_no_key(fake: FakeOpenRouter, env: dict[str, str], key: str | None) -> None:
    if key is None:
        env["OPENROUTER_API_KEY"] = ""
        result = run(fake, env, "get", "gen-0")
    else:
        result = run(fake, env, "get", "--api-key", key, "gen-0")
    assert result.returncode == 2
    assert result.stderr == (
        "openrouter-generations: no API key: set OPENROUTER_API_KEY or pass --api-key "
        "(keys: https://openrouter.ai/settings/keys)\n"
    )


def test_a_server_that_cannot_be_reached_names_the_url_and_the_cause(
    env: dict[str, str], virtual_clock: VirtualClock
) -> None:
    with FakeOpenRouter() as gone:
        url = gone.server_url
    result = run_main(["get", "--server-url", url, "--no-cache", "--timeout", "1", "gen-0", "gen-1"], env)
    assert result.returncode == 1
    assert result.stderr.startswith(f"openrouter-generations: could not connect to {url} (")
    assert result.stderr.endswith("): check --server-url and the network\n")


@pytest.fixture
def virtual_clock() -> Iterator[VirtualClock]:
    """The command's client waits between retries on a clock whose sleeps take no real time."""
    clock = VirtualClock()
    with mock.patch.object(_lookup, "OpenRouter", functools.partial(OpenRouter, clock=clock)):
        yield clock


def test_an_id_that_times_out_or_cannot_be_fetched_says_why_and_after_how_many_attempts(
    fake: FakeOpenRouter, env: dict[str, str], virtual_clock: VirtualClock
) -> None:
    for ident in ("gen-0", "gen-1", "gen-2"):
        fake.add_generation(id=ident)
    fake.script("gen-1", *[Reply(delay=0.5)] * 5)
    fake.script("gen-2", *[Reply(close=True)] * 5)
    result = run(fake, env, "get", "--no-cache", "--timeout", "0.1", "--json", "gen-0", "gen-1", "gen-2")
    assert result.returncode == 1
    assert json.loads(result.stdout)["data"]["id"] == "gen-0"
    host = fake.server_url.split("//")[1].split("/")[0]
    assert result.stderr == (
        "openrouter-generations: gen-1: timed out (after 5 attempts)\n"
        "openrouter-generations: gen-2: could not connect: GET /generation?id=gen-2: no usable response from "
        f"{host}; RemoteProtocolError: Server disconnected without sending a response. (after 5 attempts)\n"
    )


def test_every_id_timing_out_is_listed_not_taken_for_an_unreachable_server(
    fake: FakeOpenRouter, env: dict[str, str], virtual_clock: VirtualClock
) -> None:
    fake.add_generation(id="gen-0")
    fake.script("gen-0", *[Reply(delay=0.5)] * 5)
    result = run(fake, env, "get", "--no-cache", "--timeout", "0.1", "gen-0")
    assert result.returncode == 1
    assert result.stderr == "openrouter-generations: gen-0: timed out (after 5 attempts)\n"


def test_costs_from_a_server_that_cannot_be_reached_names_the_url(
    env: dict[str, str], virtual_clock: VirtualClock, tmp_path: pathlib.Path
) -> None:
    with FakeOpenRouter() as gone:
        url = gone.server_url
    result = run_main(
        ["costs", "--server-url", url, "--no-cache", "--format", "json", ids_file(tmp_path, "gen-0")], env
    )
    assert result.returncode == 1
    assert result.stdout == ""
    assert result.stderr.startswith(f"openrouter-generations: could not connect to {url} (")
    assert result.stderr.endswith("): check --server-url and the network\n")
