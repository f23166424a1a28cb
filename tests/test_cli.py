"""The `openrouter-generations` command against the fake over a socket.

Its behaviours run in this process, through `cli.main([...])` with stdin, stdout, stderr and the
environment of a fresh run: so a test reaches the code it tests. What only a real process shows
(the installed script and `python -m`, exit statuses through a shell, Ctrl-C, a terminal, a
closed pipe) runs the installed console script as a subprocess. Each run is checked for what a
user must never see: a traceback, or the key.
"""

from __future__ import annotations

import contextlib
import csv
import dataclasses
import io
import json
import logging
import os
import pathlib
import pty
import shutil
import signal
import subprocess
import sys
import time
import warnings
from collections.abc import Iterator
from decimal import Decimal
from typing import Any
from unittest import mock

import pytest

from openrouter_generations import cli
from openrouter_generations.report import DOCUMENTED_FIELDS
from openrouter_generations.testing import FakeOpenRouter, Reply
from tests.conftest import SECRET_KEY

SCRIPT = shutil.which("openrouter-generations", path=str(pathlib.Path(sys.executable).parent))
needs_script = pytest.mark.skipif(SCRIPT is None, reason="the console script is installed by `make` (pip install -e .)")

COSTS = ["0.0004175", "0.0021", "0.00001234", "0.3", "0.1", "0.2"]
MODELS = ["openai/gpt-4o", "anthropic/claude-sonnet-4", "openai/gpt-4o", "openai/gpt-4o", "x/y", "x/y"]
PROVIDERS = ["OpenAI", "Anthropic", "Azure", "OpenAI", "Together", None]


@pytest.fixture
def fake() -> Iterator[FakeOpenRouter]:
    with FakeOpenRouter() as server:
        server.api_key = SECRET_KEY
        yield server


@pytest.fixture
def records(fake: FakeOpenRouter) -> list[dict[str, Any]]:
    # A generation with no provider has no provider attempts either.
    return [
        fake.add_generation(id=f"gen-{i}", total_cost=float(c), model=m, provider_name=p, **_no_attempts(p))
        for i, (c, m, p) in enumerate(zip(COSTS, MODELS, PROVIDERS, strict=True))
    ]


def _no_attempts(provider: str | None) -> dict[str, Any]:
    return {} if provider else {"provider_responses": None}


@pytest.fixture
def env(tmp_path: pathlib.Path, fake: FakeOpenRouter) -> dict[str, str]:
    environ = {k: v for k, v in os.environ.items() if not k.startswith("OPENROUTER")}
    environ.update(OPENROUTER_API_KEY=SECRET_KEY, XDG_CACHE_HOME=str(tmp_path / "xdg-cache"), COLUMNS="200")
    return environ


@dataclasses.dataclass
class Ran:
    """What a run of the command left: its exit status and what it wrote."""

    returncode: int
    stdout: str
    stderr: str


class _Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def run(
    fake: FakeOpenRouter,
    env: dict[str, str],
    *args: str,
    stdin: str | None = None,
    url: bool = True,
    tty: bool = False,
) -> Ran:
    """`openrouter-generations COMMAND --server-url URL ARGS...` in this process, as a fresh run:
    `env` as the environment, `stdin` as standard input, stdout a terminal if `tty`."""
    command, rest = args[0], list(args[1:])
    argv = [command, *(["--server-url", fake.server_url] if url else []), *rest]
    return run_main(argv, env, stdin=stdin, tty=tty)


def run_main(
    argv: list[str],
    env: dict[str, str],
    *,
    stdin: str | None = None,
    stdin_bytes: bytes | None = None,
    tty: bool = False,
    stderr_tty: bool = False,
) -> Ran:
    """`openrouter-generations ARGV...` in this process (see `run`)."""
    out, err = (_Terminal() if tty else io.StringIO()), (_Terminal() if stderr_tty else io.StringIO())
    data = stdin_bytes if stdin_bytes is not None else (stdin or "").encode()
    stdin_stream = io.TextIOWrapper(io.BytesIO(data), encoding="utf-8")
    with (
        _fresh_process_state(),
        mock.patch.dict(os.environ, env, clear=True),
        mock.patch.object(sys, "stdin", stdin_stream),
        contextlib.redirect_stdout(out),
        contextlib.redirect_stderr(err),
    ):
        try:
            code: object = cli.main(argv)
        except SystemExit as exit_:  # argparse's usage errors, --version
            code = exit_.code
        except KeyboardInterrupt:
            pytest.fail(f"Ctrl-C escaped the command: {err.getvalue()}")
    ran = Ran(code if isinstance(code, int) else 0 if code is None else 1, out.getvalue(), err.getvalue())
    clean(ran.stdout + ran.stderr)
    return ran


@contextlib.contextmanager
def _fresh_process_state() -> Iterator[None]:
    """What one run of the command may change for the rest of its process (a log handler on
    stderr, the warnings hook), put back as it was, as the process's end would."""
    logger = logging.getLogger("openrouter_generations")
    handlers, level, showwarning = list(logger.handlers), logger.level, warnings.showwarning
    try:
        yield
    finally:
        logger.handlers[:], logger.level, warnings.showwarning = handlers, level, showwarning


def run_process(
    fake: FakeOpenRouter, env: dict[str, str], *args: str, stdin: str | None = None, url: bool = True
) -> subprocess.CompletedProcess[str]:
    """The same command run by the installed console script, in a process of its own."""
    assert SCRIPT is not None
    command, rest = args[0], list(args[1:])
    argv = [SCRIPT, command, *(["--server-url", fake.server_url] if url else []), *rest]
    result = subprocess.run(argv, input=stdin, capture_output=True, text=True, env=env, timeout=60, check=False)
    clean(result.stdout + result.stderr)
    return result


def clean(output: str) -> None:
    assert "Traceback" not in output, output
    assert SECRET_KEY not in output, output


def ids_file(tmp_path: pathlib.Path, text: str) -> str:
    path = tmp_path / "ids.txt"
    path.write_text(text)
    return str(path)


def exact_sum(costs: list[str]) -> Decimal:
    return sum((Decimal(c) for c in costs), Decimal(0))


# -- get ----------------------------------------------------------------------------------------


def test_get_shows_a_readable_summary(fake: FakeOpenRouter, env: dict[str, str], records: list[dict[str, Any]]) -> None:
    result = run(fake, env, "get", "gen-1")
    assert result.returncode == 0, result.stderr
    out = result.stdout
    rec = records[1]
    for text in (
        "gen-1",
        "anthropic/claude-sonnet-4",
        "Anthropic",
        "$0.0021",
        "native",
        "normalized",
        f"{rec['native_tokens_prompt']} prompt",
        "first token",
        "generating",
    ):
        assert text in out, (text, out)


def test_get_json_prints_the_record_as_the_api_sent_it(fake: FakeOpenRouter, env: dict[str, str]) -> None:
    rec = fake.add_generation(id="gen-extra", total_cost=0.0004175, brand_new_field={"nested": [1, 2]})
    result = run(fake, env, "get", "--json", "gen-extra")
    assert result.returncode == 0, result.stderr
    body = json.loads(result.stdout)
    assert body["data"] == json.loads(json.dumps(rec))
    assert body["data"]["brand_new_field"] == {"nested": [1, 2]}


def test_get_reports_an_unknown_id_and_exits_1(fake: FakeOpenRouter, env: dict[str, str], records: Any) -> None:
    result = run(fake, env, "get", "gen-0", "gen-nope")
    assert result.returncode == 1
    assert "gen-0" in result.stdout
    assert "gen-nope: not found (HTTP 404)" in result.stderr


@needs_script
@pytest.mark.parametrize(
    ("args", "status"),
    [(["gen-0"], 0), (["gen-0", "gen-nope"], 1), (["--timeout", "0", "gen-0"], 2)],
)
def test_the_installed_script_exits_with_the_documented_status(
    fake: FakeOpenRouter, env: dict[str, str], records: Any, args: list[str], status: int
) -> None:
    result = run_process(fake, env, "get", "--no-cache", *args)
    assert result.returncode == status, result.stderr
    assert ("gen-nope: not found (HTTP 404)" in result.stderr) is (status == 1)


@needs_script
def test_python_dash_m_runs_the_same_command(fake: FakeOpenRouter, env: dict[str, str], records: Any) -> None:
    argv = [sys.executable, "-m", "openrouter_generations", "get", "--server-url", fake.server_url, "--json", "gen-3"]
    result = subprocess.run(argv, capture_output=True, text=True, env=env, timeout=60, check=False)
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["data"]["id"] == "gen-3"


# -- costs: formats -------------------------------------------------------------------------------


def test_costs_csv_has_the_same_columns_for_every_row(
    fake: FakeOpenRouter, env: dict[str, str], records: Any, tmp_path: pathlib.Path
) -> None:
    path = ids_file(tmp_path, "gen-0\ngen-1\ngen-missing\ngen-2\n")
    totals = tmp_path / "totals.csv"
    result = run(fake, env, "costs", "--format", "csv", "--totals-file", str(totals), path)
    assert result.returncode == 1
    rows = list(csv.reader(io.StringIO(result.stdout)))
    assert rows[0] == [*DOCUMENTED_FIELDS, "error"]
    assert {len(r) for r in rows} == {len(DOCUMENTED_FIELDS) + 1}
    by_id = {r[0]: dict(zip(rows[0], r, strict=True)) for r in rows[1:]}
    assert by_id["gen-1"]["total_cost"] == "0.0021"
    assert by_id["gen-2"]["total_cost"] == "0.00001234"
    assert by_id["gen-missing"]["error"] == "not found (HTTP 404)"
    assert by_id["gen-missing"]["total_cost"] == ""
    assert "3 found, 1 not found" in result.stderr
    total_rows = {(r["group"], r["name"]): r for r in csv.DictReader(io.StringIO(totals.read_text()))}
    assert Decimal(total_rows["all", ""]["total_cost"]) == exact_sum(COSTS[:3])
    assert total_rows["all", ""]["count"] == "3"
    assert total_rows["model", "openai/gpt-4o"]["count"] == "2"
    assert total_rows["provider", "Anthropic"]["total_cost"] == "0.0021"


def test_csv_is_the_default_when_stdout_is_not_a_terminal(
    fake: FakeOpenRouter, env: dict[str, str], records: Any, tmp_path: pathlib.Path
) -> None:
    result = run(fake, env, "costs", ids_file(tmp_path, "gen-0\n"))
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines()[0].startswith("id,upstream_id,total_cost,")


def test_costs_json_has_rows_failures_and_exact_totals(
    fake: FakeOpenRouter, env: dict[str, str], records: Any, tmp_path: pathlib.Path
) -> None:
    ids = [f"gen-{i}" for i in range(6)]
    result = run(fake, env, "costs", "--format", "json", ids_file(tmp_path, "\n".join([*ids, "gen-gone"])))
    assert result.returncode == 1
    out = json.loads(result.stdout, parse_float=Decimal)
    assert [r["id"] for r in out["rows"]] == ids
    assert all(list(r) == list(DOCUMENTED_FIELDS) for r in out["rows"])
    assert out["failed"] == [{"id": "gen-gone", "error": "not found (HTTP 404)"}]
    totals = out["totals"]
    assert totals["incomplete"] is False
    assert totals["all"]["count"] == 6
    # Exact: the float sum of these costs is not this number.
    assert totals["all"]["total_cost"] == exact_sum(COSTS)
    assert totals["by_model"]["x/y"]["total_cost"] == Decimal("0.3")
    assert totals["by_provider"]["(unknown)"]["count"] == 1
    prompt = sum(r["native_tokens_prompt"] for r in out["rows"])
    assert totals["all"]["native_tokens_prompt"] == prompt


def test_costs_table_shows_rows_failures_and_totals(
    fake: FakeOpenRouter, env: dict[str, str], records: Any, tmp_path: pathlib.Path
) -> None:
    result = run(fake, env, "costs", "--format", "table", ids_file(tmp_path, "gen-0\ngen-3\ngen-nope\n"))
    assert result.returncode == 1
    out = result.stdout
    assert "gen-0" in out
    assert "gen-3" in out
    assert "gen-nope" in out
    assert "not found (HTTP 404)" in out
    assert "Totals" in out
    assert "INCOMPLETE" not in out
    assert f"${exact_sum([COSTS[0], COSTS[3]])}" in out


@needs_script
def test_a_reader_that_stops_early_gets_no_error(
    fake: FakeOpenRouter, env: dict[str, str], tmp_path: pathlib.Path
) -> None:
    assert SCRIPT is not None
    ids = [fake.add_generation()["id"] for _ in range(200)]  # more CSV than a pipe holds
    argv = [SCRIPT, "costs", "--server-url", fake.server_url, "--format", "csv", ids_file(tmp_path, "\n".join(ids))]
    with subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env) as proc:
        assert proc.stdout is not None
        assert proc.stdout.readline().startswith(b"id,")
        proc.stdout.close()  # as `| head -1` does
        err = proc.stderr.read().decode() if proc.stderr is not None else ""
    clean(err)
    assert "BrokenPipe" not in err
    assert proc.returncode == 0


def test_every_id_found_exits_0(
    fake: FakeOpenRouter, env: dict[str, str], records: Any, tmp_path: pathlib.Path
) -> None:
    assert run(fake, env, "costs", "--format", "json", ids_file(tmp_path, "gen-0\ngen-1\n")).returncode == 0


def test_a_field_the_spec_lacks_is_a_column_when_asked_for(
    fake: FakeOpenRouter, env: dict[str, str], tmp_path: pathlib.Path
) -> None:
    fake.add_generation(id="gen-new", total_cost=0.5, brand_new_field="yes")
    fake.add_generation(id="gen-old", total_cost=0.5)
    result = run(
        fake, env, "costs", "--format", "csv", "--field", "brand_new_field", ids_file(tmp_path, "gen-new\ngen-old")
    )
    assert result.returncode == 0, result.stderr
    rows = list(csv.DictReader(io.StringIO(result.stdout)))
    assert [r["brand_new_field"] for r in rows] == ["yes", ""]


# -- costs: input -----------------------------------------------------------------------------


def test_ids_from_stdin_with_comments_and_blank_lines(fake: FakeOpenRouter, env: dict[str, str], records: Any) -> None:
    for args in (["-"], []):
        result = run(fake, env, "costs", "--format", "json", *args, stdin="# today's ids\n\ngen-0\n  gen-1  \n\n")
        assert result.returncode == 0, result.stderr
        assert [r["id"] for r in json.loads(result.stdout)["rows"]] == ["gen-0", "gen-1"]


def test_json_lines_of_completion_responses_are_read(fake: FakeOpenRouter, env: dict[str, str], records: Any) -> None:
    log = "\n".join(
        [
            json.dumps({"id": "gen-4", "object": "chat.completion", "choices": []}),
            json.dumps({"error": {"code": 500}}),
            "gen-5",
            json.dumps({"id": "gen-4"}),
        ]
    )
    result = run(fake, env, "costs", "--format", "json", "-", stdin=log)
    assert result.returncode == 0, result.stderr
    out = json.loads(result.stdout, parse_float=Decimal)
    assert [r["id"] for r in out["rows"]] == ["gen-4", "gen-5"]
    assert out["totals"]["all"]["total_cost"] == Decimal("0.3")
    assert '1 JSON lines without an "id" skipped' in result.stderr
    assert "1 repeated ids looked up (and counted) once" in result.stderr


# -- the cache --------------------------------------------------------------------------------


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


# -- retries ----------------------------------------------------------------------------------


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


# -- the progress bar ------------------------------------------------------------------------------


def test_no_progress_bar_when_stderr_is_not_a_terminal(
    fake: FakeOpenRouter, env: dict[str, str], records: Any, tmp_path: pathlib.Path
) -> None:
    result = run(fake, env, "costs", "--format", "csv", ids_file(tmp_path, "gen-0\ngen-1\n"))
    assert result.returncode == 0
    assert "looking up" not in result.stderr
    assert "\x1b" not in result.stderr
    assert result.stderr.strip() == "openrouter-generations: 2 found, 0 not found, total 0.0025175 USD"


@needs_script
def test_a_progress_bar_on_stderr_when_it_is_a_terminal(
    fake: FakeOpenRouter, env: dict[str, str], records: Any, tmp_path: pathlib.Path
) -> None:
    assert SCRIPT is not None
    fake.latency_ms = 200  # long enough for the bar to be drawn
    main, side = pty.openpty()
    argv = [
        SCRIPT,
        "costs",
        "--server-url",
        fake.server_url,
        "--format",
        "json",
        "--concurrency",
        "1",
        ids_file(tmp_path, "gen-0\ngen-1\ngen-2\n"),
    ]
    with subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=side, env=env, text=True) as proc:
        os.close(side)
        out, _ = proc.communicate(timeout=60)
        terminal = _read_all(main)
    assert proc.returncode == 0
    assert json.loads(out)["totals"]["all"]["count"] == 3  # stdout, a pipe, holds only the JSON
    assert fake.peak_in_flight == 1  # --concurrency 1
    clean(terminal)
    assert "looking up" in terminal
    assert "/3" in terminal


def _read_all(fd: int) -> str:
    chunks = []
    while True:
        try:
            chunk = os.read(fd, 65536)
        except OSError:  # EIO: the other side is closed
            break
        if not chunk:
            break
        chunks.append(chunk)
    os.close(fd)
    return b"".join(chunks).decode("utf-8", "replace")


# -- Ctrl-C ----------------------------------------------------------------------------------------


@needs_script
@pytest.mark.parametrize("fmt", ["json", "table"])
def test_ctrl_c_prints_the_totals_so_far_marked_incomplete(
    fake: FakeOpenRouter, env: dict[str, str], tmp_path: pathlib.Path, fmt: str
) -> None:
    assert SCRIPT is not None
    ids = [fake.add_generation(total_cost=0.25)["id"] for _ in range(40)]
    fake.latency_ms = 150
    argv = [
        SCRIPT,
        "costs",
        "--server-url",
        fake.server_url,
        "--no-cache",
        "--concurrency",
        "2",
        "--format",
        fmt,
        ids_file(tmp_path, "\n".join(ids)),
    ]
    with subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env, text=True) as proc:
        deadline = time.monotonic() + 30
        while len(fake.requests) < 4 and time.monotonic() < deadline:
            time.sleep(0.02)
        proc.send_signal(signal.SIGINT)
        out, err = proc.communicate(timeout=60)
    clean(out + err)
    assert proc.returncode == 130, err
    assert "INCOMPLETE" in err
    if fmt == "json":
        totals = json.loads(out, parse_float=Decimal)["totals"]
        assert totals["incomplete"] is True
        assert 2 <= totals["all"]["count"] < 40
        assert totals["all"]["total_cost"] == Decimal("0.25") * totals["all"]["count"]
    else:
        assert "INCOMPLETE" in out


# -- errors: one line, no traceback, no key ----------------------------------------------------------


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


def test_a_server_that_cannot_be_reached_is_one_line(fake: FakeOpenRouter, env: dict[str, str]) -> None:
    url = fake.server_url
    fake.stop()
    result = run(fake, env, "get", "--server-url", url, "--no-cache", "gen-0", url=False)
    assert result.returncode == 1
    assert f"could not connect to {url}" in result.stderr
    assert result.stderr.count("\n") == 1


def test_a_missing_file_is_a_usage_error(fake: FakeOpenRouter, env: dict[str, str], tmp_path: pathlib.Path) -> None:
    result = run(fake, env, "costs", str(tmp_path / "nope.txt"))
    assert result.returncode == 2
    assert result.stderr == f"openrouter-generations: no such file: {tmp_path / 'nope.txt'}\n"


@pytest.mark.parametrize(
    "args",
    [
        ["get"],
        ["costs", "--format", "xml"],
        ["get", "--timeout", "-1", "gen-0"],
        ["get", "--concurrency", "0", "x"],
        ["costs", "--cache", "a", "--no-cache"],
        ["costs", "--format", "json", "--totals-file", "t.csv"],
        ["frobnicate"],
    ],
)
def test_usage_errors_exit_2(fake: FakeOpenRouter, env: dict[str, str], args: list[str]) -> None:
    result = run(fake, env, *args)
    assert result.returncode == 2
    assert "error" in result.stderr or "--totals-file" in result.stderr


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


# -- the options: help, defaults and what a bad value says -------------------------------------------


def _normalized(text: str) -> str:
    return " ".join(text.split())


@pytest.mark.parametrize("command", ["get", "costs"])
def test_each_commands_help_describes_every_option(fake: FakeOpenRouter, env: dict[str, str], command: str) -> None:
    result = run_main([command, "--help"], env)
    assert result.returncode == 0
    shown = _normalized(result.stdout)
    assert shown.startswith(f"usage: openrouter-generations {command} ")
    for option, text in [
        ("--api-key KEY", "the OpenRouter API key (default: $OPENROUTER_API_KEY)"),
        ("--server-url URL", "the API's base URL (default: https://openrouter.ai/api/v1)"),
        ("--timeout SECONDS", "per attempt (default: 15)"),
        ("--concurrency N", "lookups at once (default: 16)"),
        ("--wait SECONDS", "retry 'not found' this long: ids of completions that just ended (default: 0)"),
        ("--cache PATH", "the cache file (default: under the user's cache directory)"),
        ("--no-cache", "neither read nor write the cache"),
        ("--field NAME", "also show this field of the record (one the documented set lacks); repeatable"),
        ("-v, --verbose", "log each retry on stderr"),
    ]:
        assert f"{option} {text}" in shown, option
    for group in ("connection:", "output:"):
        assert group in shown
    if command == "get":
        assert "ID [ID ...]" in shown
        assert "ID generation ids (gen-...)" in shown
        assert "--json print each record as the API sent it" in shown
    else:
        assert "[FILE]" in shown
        assert (
            "FILE ids one a line, or JSON lines with an \"id\"; '#' comments and blank lines skipped (default: - stdin)"
        ) in shown
        assert "--format {table,csv,json} default: table on a terminal, csv otherwise" in shown
        assert (
            "--totals-file PATH with --format csv: also write the totals, per model, per provider and in all, as CSV "
            "to PATH"
        ) in shown


def test_the_help_names_both_commands_and_every_exit_status(env: dict[str, str]) -> None:
    result = run_main(["--help"], env)
    assert result.returncode == 0
    shown = _normalized(result.stdout)
    assert shown.startswith("usage: openrouter-generations [-h] [--version] COMMAND ...")
    assert "Look OpenRouter generations up by id: exact cost, native tokens, latency, provider." in shown
    assert "get show generations, one after the other" in shown
    assert "costs a row per id, and exact totals" in shown
    assert (
        "Exit status: 0 every id found, 1 some not (each listed with its reason), 2 usage error, "
        "130 interrupted (totals so far, marked incomplete)."
    ) in shown


def test_version_names_the_package_version(env: dict[str, str]) -> None:
    from openrouter_generations import __version__

    result = run_main(["--version"], env)
    assert result.returncode == 0
    assert result.stdout == f"openrouter-generations {__version__}\n"


def test_a_command_is_required(env: dict[str, str]) -> None:
    result = run_main([], env)
    assert result.returncode == 2
    assert "the following arguments are required: COMMAND" in result.stderr


@pytest.mark.parametrize(
    ("option", "value", "message"),
    [
        ("--timeout", "0", "argument --timeout: must be more than 0 seconds"),
        ("--timeout", "soon", "argument --timeout: not a number of seconds: 'soon'"),
        ("--timeout", "-1", "argument --timeout: not a number of seconds: '-1'"),
        ("--timeout", "inf", "argument --timeout: not a number of seconds: 'inf'"),
        ("--timeout", "nan", "argument --timeout: not a number of seconds: 'nan'"),
        ("--wait", "-0.5", "argument --wait: not a number of seconds: '-0.5'"),
        ("--wait", "later", "argument --wait: not a number of seconds: 'later'"),
        ("--concurrency", "0", "argument --concurrency: must be at least 1"),
        ("--concurrency", "-3", "argument --concurrency: must be at least 1"),
        ("--concurrency", "2.5", "argument --concurrency: not a whole number: '2.5'"),
    ],
)
def test_a_bad_number_says_what_it_must_be(
    fake: FakeOpenRouter, env: dict[str, str], option: str, value: str, message: str
) -> None:
    result = run(fake, env, "get", f"{option}={value}", "gen-0")
    assert result.returncode == 2
    assert result.stderr.rstrip().endswith(f"error: {message}"), result.stderr
    assert fake.requests == []


@pytest.mark.parametrize(("option", "value"), [("--wait", "0"), ("--concurrency", "1"), ("--timeout", "0.5")])
def test_the_smallest_allowed_numbers_are_accepted(
    fake: FakeOpenRouter, env: dict[str, str], records: Any, option: str, value: str
) -> None:
    result = run(fake, env, "get", "--no-cache", option, value, "gen-0")
    assert result.returncode == 0, result.stderr
    assert len(fake.requests) == 1


def test_sixteen_lookups_at_once_by_default(fake: FakeOpenRouter, env: dict[str, str], tmp_path: pathlib.Path) -> None:
    ids = [fake.add_generation()["id"] for _ in range(24)]
    fake.latency_ms = 100
    result = run(fake, env, "costs", "--no-cache", "--format", "json", ids_file(tmp_path, "\n".join(ids)))
    assert result.returncode == 0, result.stderr
    assert fake.peak_in_flight == 16


def test_totals_file_without_csv_says_which_format_it_goes_with(
    fake: FakeOpenRouter, env: dict[str, str], tmp_path: pathlib.Path
) -> None:
    for fmt in (["--format", "json"], ["--format", "table"], []):
        result = run(fake, env, "costs", *fmt, "--totals-file", str(tmp_path / "t.csv"), ids_file(tmp_path, "gen-0"))
        assert result.returncode == 2
        assert result.stderr == (
            "openrouter-generations: --totals-file goes with --format csv (table and json show the totals themselves)\n"
        )
    assert fake.requests == []
    assert not (tmp_path / "t.csv").exists()


# -- reading ids -------------------------------------------------------------------------------------


def test_a_file_that_is_not_utf8_is_named(fake: FakeOpenRouter, env: dict[str, str], tmp_path: pathlib.Path) -> None:
    path = tmp_path / "ids.bin"
    path.write_bytes(b"gen-0\n\xff\xfe\n")
    result = run(fake, env, "costs", str(path))
    assert result.returncode == 2
    assert result.stderr == f"openrouter-generations: {path} is not UTF-8 text\n"
    assert fake.requests == []


def test_stdin_that_is_not_utf8_is_named(fake: FakeOpenRouter, env: dict[str, str]) -> None:
    result = run_main(["costs", "--server-url", fake.server_url], env, stdin_bytes=b"gen-\xe9\n")
    assert result.returncode == 2
    assert result.stderr == "openrouter-generations: stdin is not UTF-8 text\n"


def test_a_utf8_bom_is_not_part_of_the_first_id(fake: FakeOpenRouter, env: dict[str, str], records: Any) -> None:
    result = run_main(
        ["costs", "--server-url", fake.server_url, "--format", "json"], env, stdin_bytes=b"\xef\xbb\xbfgen-0\ngen-1\n"
    )
    assert result.returncode == 0, result.stderr
    assert [r["id"] for r in json.loads(result.stdout)["rows"]] == ["gen-0", "gen-1"]


@pytest.mark.parametrize("path", ["-", "FILE"])
def test_a_line_that_starts_like_json_but_is_not_names_its_line(
    fake: FakeOpenRouter, env: dict[str, str], tmp_path: pathlib.Path, path: str
) -> None:
    text = "# ids\ngen-0\n\n{not json\ngen-1\n"
    where = ids_file(tmp_path, text) if path == "FILE" else "-"
    result = run(fake, env, "costs", where, stdin=text)
    assert result.returncode == 2
    name = "stdin" if path == "-" else where
    assert result.stderr == f"openrouter-generations: {name}, line 4: starts with '{{' but is not JSON\n"
    assert fake.requests == []


def test_json_lines_without_a_usable_id_are_skipped_and_counted(
    fake: FakeOpenRouter, env: dict[str, str], records: Any
) -> None:
    log = "\n".join(
        [
            json.dumps({"id": ""}),
            json.dumps({"id": 7}),
            json.dumps({"id": None}),
            json.dumps({"error": {"code": 429}}),
            "  " + json.dumps({"id": "gen-2"}) + "  ",
            "   # an indented comment",
            "gen-2",
            "gen-3",
            "gen-3",
        ]
    )
    result = run(fake, env, "costs", "--format", "json", stdin=log)
    assert result.returncode == 0, result.stderr
    assert [r["id"] for r in json.loads(result.stdout)["rows"]] == ["gen-2", "gen-3"]
    assert result.stderr == (
        "openrouter-generations: 2 repeated ids looked up (and counted) once\n"
        'openrouter-generations: 4 JSON lines without an "id" skipped\n'
    )


def test_without_repeats_or_idless_lines_nothing_is_said(
    fake: FakeOpenRouter, env: dict[str, str], records: Any
) -> None:
    result = run(fake, env, "costs", "--format", "json", stdin="gen-0\ngen-1\n")
    assert result.returncode == 0
    assert result.stderr == ""


def test_a_directory_or_an_unreadable_path_is_a_usage_error(
    fake: FakeOpenRouter, env: dict[str, str], tmp_path: pathlib.Path
) -> None:
    result = run(fake, env, "costs", str(tmp_path))
    assert result.returncode == 2
    assert result.stderr == f"openrouter-generations: {tmp_path} is a directory, not a file of ids\n"
    below_a_file = f"{ids_file(tmp_path, 'gen-0')}/more"
    result = run(fake, env, "costs", below_a_file)
    assert result.returncode == 2
    assert result.stderr == f"openrouter-generations: cannot read {below_a_file}: Not a directory\n"
    assert fake.requests == []


def test_get_looks_a_repeated_id_up_once(fake: FakeOpenRouter, env: dict[str, str], records: Any) -> None:
    result = run(fake, env, "get", "--no-cache", "--json", "gen-1", "gen-0", "gen-1")
    assert result.returncode == 0, result.stderr
    assert [json.loads(line)["data"]["id"] for line in result.stdout.splitlines()] == ["gen-1", "gen-0"]
    assert len(fake.requests) == 2


# -- what `get` shows ----------------------------------------------------------------------------------


def _summary_lines(out: str) -> dict[str, str]:
    """The summary grid as {label: text}; the normalized token counts, which have no label, as ""."""
    lines = {}
    for line in out.splitlines()[1:]:
        if line.strip().endswith("(normalized)"):
            lines[""] = _normalized(line)
        else:
            label, _, text = line.strip().partition("  ")
            lines[label] = _normalized(text)
    return lines


def test_get_shows_every_part_of_a_generation(fake: FakeOpenRouter, env: dict[str, str]) -> None:
    fake.add_generation(
        id="gen-full",
        model="openai/gpt-4o",
        provider_name="OpenAI",
        api_type="completions",
        created_at="2026-11-20T23:33:19.433273+00:00",
        total_cost=0.0004175,
        cache_discount=0.00003,
        upstream_inference_cost=0.0002,
        native_tokens_prompt=43,
        native_tokens_cached=12,
        native_tokens_completion=27,
        native_tokens_reasoning=5,
        native_tokens_completion_images=2,
        tokens_prompt=42,
        tokens_completion=26,
        latency=412.5,
        generation_time=1204,
        finish_reason="stop",
        native_finish_reason="end_turn",
        provider_responses=[{"provider_name": "Azure", "status": 429}, {"provider_name": "OpenAI", "status": 200}],
        brand_new_field=[1, True],
    )
    result = run(fake, env, "get", "--field", "brand_new_field", "--field", "streamed", "gen-full")
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines()[0].rstrip() == "gen-full"
    assert _summary_lines(result.stdout) == {
        "model": "openai/gpt-4o via OpenAI (completions)",
        "created": "2026-11-20T23:33:19.433273+00:00",
        "cost": "$0.0004175 (cache discount $0.00003), upstream $0.0002",
        "tokens": "43 prompt (12 cached) + 27 completion (5 reasoning, 2 images) (native, billed)",
        "": "42 prompt + 26 completion (normalized)",
        "timing": "412.5 ms to first token, 1204 ms generating",
        "finish": "stop (provider: end_turn)",
        "attempts": "Azure 429, OpenAI 200",
        "brand_new_field": "[1, true]",
        "streamed": "true",
    }


def test_get_says_what_a_sparse_generation_lacks(fake: FakeOpenRouter, env: dict[str, str]) -> None:
    fake.add_generation(
        id="gen-sparse",
        model="x/y",
        provider_name=None,
        api_type=None,
        total_cost=0.5,
        cache_discount=None,
        upstream_inference_cost=None,
        native_tokens_prompt=None,
        native_tokens_cached=0,
        native_tokens_completion=None,
        native_tokens_reasoning=0,
        native_tokens_completion_images=None,
        tokens_prompt=None,
        tokens_completion=None,
        latency=None,
        generation_time=None,
        finish_reason=None,
        native_finish_reason=None,
        provider_responses=[],
        cancelled=False,
    )
    result = run(fake, env, "get", "--field", "cancelled", "--field", "not_sent_at_all", "gen-sparse")
    assert result.returncode == 0, result.stderr
    lines = _summary_lines(result.stdout)
    assert lines["model"] == "x/y via (unknown provider)"
    assert lines["cost"] == "$0.5"
    assert lines["tokens"] == "? prompt + ? completion (native, billed)"
    assert lines[""] == "? prompt + ? completion (normalized)"
    assert lines["timing"] == "(not sent)"
    assert lines["finish"] == "(none)"
    assert "attempts" not in lines
    assert lines["cancelled"] == "false"
    assert lines["not_sent_at_all"] == ""


def test_get_shows_generation_time_alone_and_a_finish_the_provider_agrees_on(
    fake: FakeOpenRouter, env: dict[str, str]
) -> None:
    fake.add_generation(
        id="gen-t", latency=None, generation_time=99.5, finish_reason="length", native_finish_reason="length"
    )
    lines = _summary_lines(run(fake, env, "get", "gen-t").stdout)
    assert lines["timing"] == "99.5 ms generating"
    assert lines["finish"] == "length"


def test_get_json_adds_the_newline_a_body_lacks(fake: FakeOpenRouter, env: dict[str, str], records: Any) -> None:
    bodies = [json.dumps({"data": records[0]}), json.dumps({"data": records[1]}) + "\n"]
    fake.script("gen-0", Reply(body=bodies[0]))
    fake.script("gen-1", Reply(body=bodies[1]))
    result = run(fake, env, "get", "--no-cache", "--json", "gen-0", "gen-1")
    assert result.stdout == bodies[0] + "\n" + bodies[1]


# -- what `costs` shows -----------------------------------------------------------------------------


def test_costs_table_has_a_row_per_id_and_totals_per_group(
    fake: FakeOpenRouter, env: dict[str, str], records: Any, tmp_path: pathlib.Path
) -> None:
    fake.add_generation(id="gen-f", model="a/b", provider_name="P", total_cost=0.5, extra_col=True)
    path = ids_file(tmp_path, "gen-0\ngen-5\ngen-f\ngen-nope\n")
    result = run(fake, env, "costs", "--format", "table", "--field", "extra_col", path)
    assert result.returncode == 1
    lines = [_normalized(line) for line in result.stdout.splitlines()]
    rec = records[0]
    assert "Generations" in lines
    assert "id model provider prompt completion cost extra_col" in lines
    assert (
        f"gen-0 openai/gpt-4o OpenAI {rec['native_tokens_prompt']} {rec['native_tokens_completion']} $0.0004175"
    ) in lines
    assert f"gen-5 x/y {records[5]['native_tokens_prompt']} {records[5]['native_tokens_completion']} $0.2" in lines
    assert any(line.startswith("gen-f a/b P ") and line.endswith(" $0.5 true") for line in lines)
    assert "Not found" in lines
    assert "id reason" in lines
    assert "gen-nope not found (HTTP 404)" in lines
    assert "Totals" in lines
    assert "count prompt completion cost" in lines
    prompt = rec["native_tokens_prompt"] + records[5]["native_tokens_prompt"] + 42
    completion = rec["native_tokens_completion"] + records[5]["native_tokens_completion"] + 27
    assert f"all 3 {prompt} {completion} $0.7004175" in lines
    assert any(line.startswith("model openai/gpt-4o 1 ") and line.endswith("$0.0004175") for line in lines)
    assert any(line.startswith("model x/y 1 ") for line in lines)
    assert any(line.startswith("provider (unknown) 1 ") and line.endswith("$0.2") for line in lines)
    assert any(line.startswith("provider P 1 ") for line in lines)
    order = [line.split()[1] for line in lines if line.startswith(("model ", "provider "))]
    assert order == ["a/b", "openai/gpt-4o", "x/y", "(unknown)", "OpenAI", "P"]


def test_costs_table_of_all_found_has_no_failure_table(
    fake: FakeOpenRouter, env: dict[str, str], records: Any, tmp_path: pathlib.Path
) -> None:
    result = run(fake, env, "costs", "--format", "table", ids_file(tmp_path, "gen-1"))
    assert result.returncode == 0
    assert "Not found" not in result.stdout
    assert "reason" not in result.stdout


def test_a_table_is_the_default_on_a_terminal(
    fake: FakeOpenRouter, env: dict[str, str], records: Any, tmp_path: pathlib.Path
) -> None:
    result = run(fake, env, "costs", ids_file(tmp_path, "gen-0"), tty=True)
    assert result.returncode == 0
    assert "Totals" in result.stdout
    assert "id,upstream_id" not in result.stdout
    assert result.stderr == ""


@pytest.mark.parametrize(("columns", "width"), [(None, 120), ("90", 90)])
def test_a_piped_table_is_as_wide_as_columns_says_else_120(
    fake: FakeOpenRouter,
    env: dict[str, str],
    tmp_path: pathlib.Path,
    columns: str | None,
    width: int,
) -> None:
    fake.add_generation(id="gen-" + "w" * 200, model="m/" + "n" * 200)
    env.pop("COLUMNS")
    if columns is not None:
        env["COLUMNS"] = columns
    result = run(fake, env, "costs", "--format", "table", ids_file(tmp_path, "gen-" + "w" * 200))
    assert max(len(line) for line in result.stdout.splitlines()) == width


def test_costs_csv_lists_failures_last_with_empty_cells_and_asked_fields(
    fake: FakeOpenRouter, env: dict[str, str], records: Any, tmp_path: pathlib.Path
) -> None:
    fake.add_generation(id="gen-f", total_cost=0.5, extra_col={"a": 1})
    path = ids_file(tmp_path, "gen-nope\ngen-f\n")
    result = run(
        fake, env, "costs", "--format", "csv", "--field", "extra_col", "--field", "model", "--field", "extra_col", path
    )
    rows = list(csv.reader(io.StringIO(result.stdout)))
    assert rows[0] == [*DOCUMENTED_FIELDS, "extra_col", "error"]
    found = dict(zip(rows[0], rows[1], strict=True))
    assert found["id"] == "gen-f"
    assert found["extra_col"] == '{"a": 1}'
    assert found["streamed"] == "true"
    assert found["error"] == ""
    assert rows[2] == ["gen-nope", *[""] * len(DOCUMENTED_FIELDS), "not found (HTTP 404)"]
    assert result.stderr == "openrouter-generations: 1 found, 1 not found, total 0.5 USD\n"


def test_the_totals_file_has_a_row_per_group(
    fake: FakeOpenRouter, env: dict[str, str], records: Any, tmp_path: pathlib.Path
) -> None:
    totals = tmp_path / "totals.csv"
    result = run(
        fake, env, "costs", "--format", "csv", "--totals-file", str(totals), ids_file(tmp_path, "gen-4\ngen-5")
    )
    assert result.returncode == 0
    prompt = [records[i]["native_tokens_prompt"] for i in (4, 5)]
    completion = [records[i]["native_tokens_completion"] for i in (4, 5)]
    assert list(csv.reader(io.StringIO(totals.read_text()))) == [
        ["group", "name", "count", "total_cost", "native_tokens_prompt", "native_tokens_completion", "incomplete"],
        ["model", "x/y", "2", "0.3", str(sum(prompt)), str(sum(completion)), "false"],
        ["provider", "(unknown)", "1", "0.2", str(prompt[1]), str(completion[1]), "false"],
        ["provider", "Together", "1", "0.1", str(prompt[0]), str(completion[0]), "false"],
        ["all", "", "2", "0.3", str(sum(prompt)), str(sum(completion)), "false"],
    ]


def test_a_totals_file_that_cannot_be_written_is_a_usage_error(
    fake: FakeOpenRouter, env: dict[str, str], records: Any, tmp_path: pathlib.Path
) -> None:
    where = tmp_path / "no-such-dir" / "totals.csv"
    result = run(fake, env, "costs", "--format", "csv", "--totals-file", str(where), ids_file(tmp_path, "gen-0"))
    assert result.returncode == 2
    assert result.stderr == f"openrouter-generations: cannot write the totals to {where}: No such file or directory\n"


def test_costs_json_counts_what_was_requested(
    fake: FakeOpenRouter, env: dict[str, str], records: Any, tmp_path: pathlib.Path
) -> None:
    result = run(fake, env, "costs", "--format", "json", ids_file(tmp_path, "gen-0\ngen-x\ngen-y"))
    out = json.loads(result.stdout)
    assert out["requested"] == 3
    assert [f["id"] for f in out["failed"]] == ["gen-x", "gen-y"]
    assert result.stdout.endswith("}\n")
    assert result.stdout.startswith('{\n  "requested": 3,')


def test_costs_of_no_ids_is_an_empty_total(fake: FakeOpenRouter, env: dict[str, str]) -> None:
    result = run(fake, env, "costs", "--format", "json", stdin="# nothing today\n")
    assert result.returncode == 0
    assert json.loads(result.stdout)["totals"]["all"]["count"] == 0
    assert fake.requests == []


# -- why an id has no record -----------------------------------------------------------------------------


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


def test_a_server_that_cannot_be_reached_names_the_url_and_the_cause(env: dict[str, str]) -> None:
    with FakeOpenRouter() as gone:
        url = gone.server_url
    result = run_main(["get", "--server-url", url, "--no-cache", "--timeout", "1", "gen-0", "gen-1"], env)
    assert result.returncode == 1
    assert result.stderr.startswith(f"openrouter-generations: could not connect to {url} (")
    assert result.stderr.endswith("): check --server-url and the network\n")
