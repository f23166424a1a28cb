"""The SQLite cache of `get_generations(ids, cache=...)`: what it serves, what it never keeps, and
that a broken file or a second process is never a crash or a wrong answer."""

from __future__ import annotations

import contextlib
import json
import pathlib
import sqlite3
import subprocess
import sys
import threading
import warnings

import pytest

from openrouter_generations import cache as cache_module
from openrouter_generations import errors
from openrouter_generations.cache import CacheWarning, GenerationCache, default_cache_path
from openrouter_generations.testing import FakeOpenRouter, Reply, VirtualClock

from .batches import MODES, run


@pytest.fixture
def cache_path(tmp_path: pathlib.Path) -> pathlib.Path:
    return tmp_path / "cache" / "generations.sqlite3"


@pytest.mark.parametrize("mode", MODES)
def test_a_second_run_is_served_from_the_cache_without_a_request(
    mode: str, fake: FakeOpenRouter, cache_path: pathlib.Path
) -> None:
    ids = [fake.add_generation(total_cost=0.25)["id"] for _ in range(5)]
    with fake.client() as client, GenerationCache(cache_path) as cache:
        first = run(mode, client, ids, cache=cache)
        assert len(fake.requests) == 5  # misses: each looked up once
        assert not any(r.from_cache for r in first)
    with fake.client() as client, GenerationCache(cache_path) as cache:  # a new process would do the same
        second = run(mode, client, [*ids, ids[0]], cache=cache)
    assert len(fake.requests) == 5  # hits: no request at all
    assert all(r.from_cache and r.ok for r in second)
    assert [r.raw for r in second[:5]] == [r.raw for r in first]  # the body as received, kept whole
    assert [r.response.data.id for r in second if r.response is not None] == [*ids, ids[0]]
    assert second[0].total_cost == first[0].total_cost


@pytest.mark.parametrize("mode", MODES)
def test_errors_are_never_cached(mode: str, fake: FakeOpenRouter, cache_path: pathlib.Path) -> None:
    late = fake.add_generation(available_after_ms=60_000)["id"]  # 404 until it is queryable
    broken = fake.add_generation()["id"]
    fake.script(broken, Reply(500), Reply(500), Reply(500), Reply(500), Reply(500))
    with fake.client() as client, GenerationCache(cache_path) as cache:
        first = run(mode, client, [late, broken], cache=cache)
        assert isinstance(first[0].error, errors.NotFoundResponseError)
        assert isinstance(first[1].error, errors.InternalServerResponseError)
        assert cache.get(fake.server_url, late) is None
        assert cache.get(fake.server_url, broken) is None
        assert isinstance(fake.clock, VirtualClock)
        fake.clock.advance(60)  # the generation is queryable now
        second = run(mode, client, [late, broken], cache=cache)
    assert all(r.ok and not r.from_cache for r in second)


def test_the_cache_is_keyed_by_server(fake: FakeOpenRouter, cache_path: pathlib.Path) -> None:
    record = fake.add_generation()
    with GenerationCache(cache_path) as cache:
        cache.put("https://elsewhere.invalid/api/v1", record["id"], b'{"data": "not this one"}')
        with fake.client() as client:
            (result,) = client.generations.get_generations([record["id"]], cache=cache)
    assert result.ok
    assert not result.from_cache
    assert len(fake.requests) == 1


@pytest.mark.parametrize("mode", MODES)
def test_a_corrupt_cache_file_warns_and_looks_up_from_the_network(
    mode: str, fake: FakeOpenRouter, cache_path: pathlib.Path
) -> None:
    cache_path.parent.mkdir(parents=True)
    cache_path.write_bytes(b"this is not a SQLite database, just some bytes " * 100)
    ids = [fake.add_generation()["id"] for _ in range(3)]
    with (
        fake.client() as client,
        GenerationCache(cache_path) as cache,
        pytest.warns(CacheWarning, match="cannot be used") as caught,
    ):
        results = run(mode, client, ids, cache=cache)
    assert len(caught) == 1  # said once, not once per id
    assert str(cache_path) in str(caught[0].message)
    assert all(r.ok and not r.from_cache for r in results)
    assert len(fake.requests) == 3
    assert cache_path.read_bytes().startswith(b"this is not a SQLite")  # the user's file left as it was


def test_an_unreadable_cached_body_warns_and_is_looked_up_again(fake: FakeOpenRouter, cache_path: pathlib.Path) -> None:
    record_id = fake.add_generation()["id"]
    with GenerationCache(cache_path) as cache:
        cache.put(fake.server_url, record_id, b'{"data": {"id": 12}}')
        with fake.client() as client, pytest.warns(CacheWarning, match="could not be read") as caught:
            (result,) = client.generations.get_generations([record_id], cache=cache)
        # The warning names the id and what was wrong with its body (a required field is missing).
        assert [str(w.message) for w in caught] == [
            f"cached generation {record_id!r} in {cache_path} could not be read (KeyError); looking it up again"
        ]
        assert result.ok
        assert not result.from_cache
        assert result.raw == cache.get(fake.server_url, record_id)  # replaced by the good body


def test_a_cache_directory_that_cannot_be_created_warns(fake: FakeOpenRouter, tmp_path: pathlib.Path) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("")
    record_id = fake.add_generation()["id"]
    with (
        fake.client() as client,
        GenerationCache(blocker / "sub" / "c.sqlite3") as cache,
        pytest.warns(CacheWarning, match="cannot be used"),
    ):
        (result,) = client.generations.get_generations([record_id], cache=cache)
    assert result.ok


_WRITER = """
import sys
from openrouter_generations.cache import GenerationCache
path, prefix, n = sys.argv[1], sys.argv[2], int(sys.argv[3])
with GenerationCache(path) as cache:
    for i in range(n):
        cache.put("http://127.0.0.1:1", f"{prefix}-{i}", b'{"n": %d}' % i)
        assert cache.get("http://127.0.0.1:1", f"{prefix}-{i // 2}") is not None
print("done")
"""


def test_two_processes_write_and_read_one_cache_at_once(cache_path: pathlib.Path) -> None:
    n = 300
    writers = [
        subprocess.Popen([sys.executable, "-c", _WRITER, str(cache_path), prefix, str(n)], stdout=subprocess.PIPE)
        for prefix in ("a", "b")
    ]
    outputs = [w.communicate(timeout=60)[0] for w in writers]
    assert [w.returncode for w in writers] == [0, 0]
    assert outputs == [b"done\n", b"done\n"]
    with GenerationCache(cache_path) as cache:
        for prefix in ("a", "b"):
            for i in range(n):
                assert json.loads(cache.get("http://127.0.0.1:1", f"{prefix}-{i}") or b"null") == {"n": i}


def test_the_default_path_honours_xdg_cache_home(monkeypatch: pytest.MonkeyPatch, tmp_path: pathlib.Path) -> None:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    assert default_cache_path() == tmp_path / "openrouter-generations" / "generations.sqlite3"
    monkeypatch.setenv("XDG_CACHE_HOME", "relative/path")  # not absolute: ignored, as the spec says
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    assert default_cache_path() == tmp_path / "home" / ".cache" / "openrouter-generations" / "generations.sqlite3"


def test_the_default_cache_creates_its_directories_under_xdg_cache_home(
    monkeypatch: pytest.MonkeyPatch, tmp_path: pathlib.Path
) -> None:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "not-yet" / "cache"))
    with GenerationCache() as cache:
        assert cache.path == default_cache_path()
        assert repr(cache) == f"GenerationCache({str(default_cache_path())!r})"
        cache.put("http://127.0.0.1:1", "gen-1", b'{"n": 1}')
        assert cache.get("http://127.0.0.1:1", "gen-1") == b'{"n": 1}'
    assert default_cache_path().is_file()
    # WAL: another process may read while one writes.
    with contextlib.closing(sqlite3.connect(default_cache_path())) as db:  # sqlite3's own `with` leaves it open
        assert db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"


def test_a_server_url_is_the_same_server_with_or_without_a_trailing_slash(cache_path: pathlib.Path) -> None:
    with GenerationCache(cache_path) as cache:
        cache.put("http://127.0.0.1:1/api/v1/", "gen-1", b"slash")
        assert cache.get("http://127.0.0.1:1/api/v1", "gen-1") == b"slash"
        cache.put("http://127.0.0.1:1/api/v1", "gen-2", b"no slash")
        assert cache.get("http://127.0.0.1:1/api/v1/", "gen-2") == b"no slash"
        cache.put("http://127.0.0.1:1/X", "gen-3", b"X")
        assert cache.get("http://127.0.0.1:1/", "gen-3") is None  # another path, another server
        cache.put("http://127.0.0.1:1", "gen-4", b"root")
        assert cache.get("http://127.0.0.1:1/X", "gen-4") is None


def test_one_cache_may_be_shared_by_threads(cache_path: pathlib.Path) -> None:
    with GenerationCache(cache_path) as cache, warnings.catch_warnings():
        warnings.simplefilter("error")
        cache.put("http://127.0.0.1:1", "gen-main", b"main")
        thread = threading.Thread(target=cache.put, args=("http://127.0.0.1:1", "gen-thread", b"thread"))
        thread.start()
        thread.join()
        assert cache.get("http://127.0.0.1:1", "gen-thread") == b"thread"


def _assert_points_outside_the_package(warning: warnings.WarningMessage) -> None:
    """A warning names the line that used the cache (here, the test's), not one of the package's own."""
    package = pathlib.Path(cache_module.__file__).parent
    assert not pathlib.Path(warning.filename).is_relative_to(package), warning.filename


def test_a_cache_that_cannot_be_opened_says_why_at_the_line_that_used_it(cache_path: pathlib.Path) -> None:
    cache_path.parent.mkdir(parents=True)
    cache_path.write_bytes(b"this is not a SQLite database, just some bytes " * 100)
    with GenerationCache(cache_path) as cache, pytest.warns(CacheWarning) as caught:
        assert cache.get("http://127.0.0.1:1", "gen-1") is None
    assert str(caught[0].message) == (
        f"the generation cache {cache_path} cannot be used (DatabaseError: file is not a database); "
        "looking generations up from the network instead (delete the file to start a new cache)"
    )
    _assert_points_outside_the_package(caught[0])


@pytest.mark.parametrize("first", ["get", "put"])
def test_a_table_removed_by_another_program_warns_once_and_the_cache_is_left_alone(
    first: str, cache_path: pathlib.Path
) -> None:
    url = "http://127.0.0.1:1"
    with GenerationCache(cache_path) as cache:
        cache.put(url, "gen-1", b"one")
        with contextlib.closing(sqlite3.connect(cache_path)) as other:
            other.execute("DROP TABLE generations")
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            if first == "get":
                assert cache.get(url, "gen-1") is None
            else:
                cache.put(url, "gen-2", b"two")
            assert cache.get(url, "gen-2") is None  # given up: no second warning
            cache.put(url, "gen-3", b"three")
    message = (
        f"the generation cache {cache_path} cannot be used (OperationalError: no such table: generations); "
        "looking generations up from the network instead (delete the file to start a new cache)"
    )
    assert [(w.category, str(w.message)) for w in caught] == [(CacheWarning, message)]
    _assert_points_outside_the_package(caught[0])


def test_an_unreadable_body_is_said_with_the_error_type_at_the_line_that_reported_it(
    cache_path: pathlib.Path,
) -> None:
    cache = GenerationCache(cache_path)
    with pytest.warns(CacheWarning) as caught:
        cache.unreadable("gen-1", ValueError("bad"))
    assert str(caught[0].message) == (
        f"cached generation 'gen-1' in {cache_path} could not be read (ValueError); looking it up again"
    )
    _assert_points_outside_the_package(caught[0])
