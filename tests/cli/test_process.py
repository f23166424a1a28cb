"""What only a real process shows: the installed script and `python -m`, exit statuses through
a shell, a terminal's progress bar, Ctrl-C, and a reader that closes the pipe early."""

from __future__ import annotations

import json
import os
import pathlib
import pty
import signal
import subprocess
import sys
import time
from decimal import Decimal
from typing import Any

import pytest

from openrouter_generations.testing import FakeOpenRouter
from tests.cli.support import (
    SCRIPT,
    clean,
    ids_file,
    needs_script,
    run_process,
)


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


@needs_script
@pytest.mark.parametrize("args", [["costs", "--format", "csv"], ["costs", "--format", "table"], ["get"]])
def test_a_reader_that_stops_early_gets_no_error(
    fake: FakeOpenRouter, env: dict[str, str], tmp_path: pathlib.Path, args: list[str]
) -> None:
    assert SCRIPT is not None
    ids = [fake.add_generation()["id"] for _ in range(200)]  # more output than a pipe holds
    path = ids_file(tmp_path, "\n".join(ids))
    argv = [SCRIPT, args[0], "--server-url", fake.server_url, *args[1:], *(ids if args[0] == "get" else [path])]
    with subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env) as proc:
        assert proc.stdout is not None
        assert proc.stdout.readline()
        proc.stdout.close()  # as `| head -1` does
        err = proc.stderr.read().decode() if proc.stderr is not None else ""
    clean(err)
    assert "BrokenPipe" not in err
    assert proc.returncode == 0


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


def _ctrl_c_as_at_a_terminal() -> None:
    """A shell that starts the tests in the background starts them with SIGINT ignored, and a child
    inherits that (Python then installs no KeyboardInterrupt handler): give the child the default
    disposition that a command typed at a terminal has."""
    signal.signal(signal.SIGINT, signal.SIG_DFL)


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
    with subprocess.Popen(
        argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env, text=True, preexec_fn=_ctrl_c_as_at_a_terminal
    ) as proc:
        deadline = time.monotonic() + 30
        # 8 requests in: at least 6 ids are done (2 at a time), far more than the 2 asserted below,
        # so that a slow machine's lag in settling them cannot make it fewer.
        while len(fake.requests) < 8 and time.monotonic() < deadline:
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
