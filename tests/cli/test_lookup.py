"""How ids are looked up: the cache, waiting for ids that just ended, timeouts, and the retry log."""

from __future__ import annotations

import dataclasses
import functools
import json
import pathlib
import re
from typing import Any
from unittest import mock

import pytest

from openrouter_generations import OpenRouter
from openrouter_generations.cli import _lookup
from openrouter_generations.cli._args import build_parser
from openrouter_generations.cli._lookup import make_client
from openrouter_generations.testing import FakeOpenRouter, Reply, VirtualClock
from openrouter_generations.utils import DEFAULT_RETRY_CONFIG, BackoffStrategy
from tests.cli.support import (
    ids_file,
    run,
)
from tests.conftest import SECRET_KEY


def test_a_second_run_is_served_from_the_cache(
    fake: FakeOpenRouter, env: dict[str, str], records: Any, tmp_path: pathlib.Path
) -> None:
    path = ids_file(tmp_path, "gen-0\ngen-1\ngen-2\n")
    first = run(fake, env, "costs", "--format", "json", path)
    assert first.returncode == 0, first.stderr
    assert len(fake.requests) == 3
    assert any((tmp_path / "xdg-cache").rglob("*")), "the default cache lives under XDG_CACHE_HOME"
    fake.requests.clear()
    second = run(fake, env, "costs", "--format", "json", path)
    assert second.returncode == 0, second.stderr
    assert fake.requests == []
    assert second.stdout == first.stdout


def test_cache_path_and_no_cache(
    fake: FakeOpenRouter, env: dict[str, str], records: Any, tmp_path: pathlib.Path
) -> None:
    path = ids_file(tmp_path, "gen-0\n")
    cache = tmp_path / "elsewhere" / "cache.db"
    assert run(fake, env, "costs", "--cache", str(cache), path).returncode == 0
    assert cache.exists()
    assert not (tmp_path / "xdg-cache").exists()
    fake.requests.clear()
    assert run(fake, env, "costs", "--no-cache", path).returncode == 0
    assert run(fake, env, "costs", "--no-cache", path).returncode == 0
    assert len(fake.requests) == 2


def test_wait_retries_not_found_and_verbose_logs_the_retries(
    fake: FakeOpenRouter, env: dict[str, str], records: Any
) -> None:
    fake.script("gen-0", Reply(404))
    fake.script("gen-1", Reply(429, headers={"retry-after-ms": "50"}))
    result = run(fake, env, "costs", "--no-cache", "--wait", "10", "-v", "--format", "json", "-", stdin="gen-0\ngen-1")
    assert result.returncode == 0, result.stderr
    assert [r["id"] for r in json.loads(result.stdout)["rows"]] == ["gen-0", "gen-1"]
    assert [r.ids for r in fake.requests].count(["gen-1"]) == 2  # the 429, then the record
    assert "openrouter-generations: GET /generation?id=gen-0 failed with status 404; retry 1 in " in result.stderr


def test_timeout_is_per_attempt_in_seconds(fake: FakeOpenRouter, env: dict[str, str], records: Any) -> None:
    fake.script("gen-0", Reply(delay=1.5))  # past --timeout 0.3 (not past the default 15 s): retried
    result = run(fake, env, "get", "--no-cache", "--timeout", "0.3", "-v", "--json", "gen-0")
    assert result.returncode == 0, result.stderr
    assert "retry 1 in" in result.stderr
    assert len(fake.requests) == 2


def test_without_verbose_no_retry_is_logged(fake: FakeOpenRouter, env: dict[str, str], records: Any) -> None:
    fake.script("gen-0", Reply(404))
    result = run(fake, env, "get", "--no-cache", "--wait", "10", "gen-0")
    assert result.returncode == 0
    assert result.stderr == ""


def test_without_wait_a_404_is_reported(fake: FakeOpenRouter, env: dict[str, str], records: Any) -> None:
    fake.script("gen-0", Reply(404))
    result = run(fake, env, "get", "--no-cache", "gen-0")
    assert result.returncode == 1
    assert "gen-0: not found (HTTP 404)" in result.stderr


# As in a fresh process, where a warning is shown (the suite makes every warning an error).
@pytest.mark.filterwarnings("default::openrouter_generations.cache.CacheWarning")
def test_a_cache_that_cannot_be_used_is_one_warning_line_and_the_ids_are_looked_up(
    fake: FakeOpenRouter, env: dict[str, str], records: Any, tmp_path: pathlib.Path
) -> None:
    cache = tmp_path / "cache.db"
    cache.write_bytes(b"not a database, " * 100)
    result = run(fake, env, "costs", "--cache", str(cache), "--format", "csv", ids_file(tmp_path, "gen-0\n"))
    assert result.returncode == 0
    assert result.stdout.splitlines()[1].startswith("gen-0,")
    assert result.stderr == (
        f"openrouter-generations: warning: the generation cache {cache} cannot be used "
        "(DatabaseError: file is not a database); looking generations up from the network instead "
        "(delete the file to start a new cache)\n"
        "openrouter-generations: 1 found, 0 not found, total 0.0004175 USD\n"
    )


def test_concurrency_is_how_many_lookups_the_server_sees_at_once(
    fake: FakeOpenRouter, env: dict[str, str], records: Any
) -> None:
    fake.latency_ms = 50  # each lookup in flight long enough for the others to start
    result = run(fake, env, "get", "--no-cache", "--concurrency", "2", "--json", *(f"gen-{i}" for i in range(6)))
    assert result.returncode == 0, result.stderr
    assert len(fake.requests) == 6
    assert fake.peak_in_flight <= 2


def _client_for(*options: str) -> OpenRouter:
    args = build_parser().parse_args(["get", "--api-key", SECRET_KEY, *options, "gen-0"])
    return make_client(args)


@pytest.mark.parametrize(
    ("options", "timeout_ms"),
    [([], 15_000), (["--timeout", "0.25"], 250), (["--timeout", "2.5"], 2500), (["--timeout", "1e-6"], 1)],
)
def test_timeout_seconds_are_the_clients_milliseconds_never_0(options: list[str], timeout_ms: int) -> None:
    with _client_for(*options) as client:
        assert client.timeout_ms == timeout_ms


def test_without_wait_the_command_retries_as_the_library_does() -> None:
    with _client_for() as client:
        assert client.retry_config == DEFAULT_RETRY_CONFIG


@pytest.mark.parametrize(("wait", "budget_ms"), [("12.5", 60_000), ("90", 90_000)])
def test_wait_retries_not_found_that_long_within_a_budget_stretched_to_it(wait: str, budget_ms: int) -> None:
    with _client_for("--wait", wait) as client:
        assert client.retry_config == dataclasses.replace(
            DEFAULT_RETRY_CONFIG,
            backoff=BackoffStrategy(max_elapsed_time=budget_ms),
            retry_not_found_for=round(float(wait) * 1000),
        )


def test_verbose_says_each_retry_and_the_answer_in_a_line_of_its_own(
    fake: FakeOpenRouter, env: dict[str, str], records: Any
) -> None:
    fake.script("gen-0", Reply(404))
    clock = VirtualClock()  # the retry's wait takes no real time
    with mock.patch.object(_lookup, "OpenRouter", functools.partial(OpenRouter, clock=clock)):
        result = run(fake, env, "get", "--no-cache", "--wait", "5", "-v", "--json", "gen-0")
    assert result.returncode == 0, result.stderr
    lines = result.stderr.splitlines()
    assert len(lines) == 2, lines
    assert re.fullmatch(
        r"openrouter-generations: GET /generation\?id=gen-0 failed with status 404; retry 1 in \d+\.\d+ s", lines[0]
    )
    assert re.fullmatch(
        r"openrouter-generations: GET /generation\?id=gen-0 answered after 2 attempts in \d+\.\d+ s", lines[1]
    )
