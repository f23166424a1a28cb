"""The `openrouter-generations` command against the fake over a socket: how a test runs it.

Its behaviours run in this process, through `cli.main([...])` with stdin, stdout, stderr and the
environment of a fresh run: so a test reaches the code it tests. What only a real process shows
runs the installed console script as a subprocess (test_process.py). Each run is checked for what a
user must never see: a traceback, or the key.
"""

from __future__ import annotations

import contextlib
import dataclasses
import io
import logging
import os
import pathlib
import shutil
import subprocess
import sys
import warnings
from collections.abc import Iterator
from decimal import Decimal
from typing import IO
from unittest import mock

import pytest

from openrouter_generations import cli
from openrouter_generations.testing import FakeOpenRouter
from tests.conftest import SECRET_KEY

SCRIPT = shutil.which("openrouter-generations", path=str(pathlib.Path(sys.executable).parent))
needs_script = pytest.mark.skipif(SCRIPT is None, reason="the console script is installed by `make` (pip install -e .)")
COSTS = ["0.0004175", "0.0021", "0.00001234", "0.3", "0.1", "0.2"]
MODELS = ["openai/gpt-4o", "anthropic/claude-sonnet-4", "openai/gpt-4o", "openai/gpt-4o", "x/y", "x/y"]
PROVIDERS = ["OpenAI", "Anthropic", "Azure", "OpenAI", "Together", None]


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
    stdout: IO[str] | None = None,
    stdin_stream: IO[str] | None = None,
) -> Ran:
    """`openrouter-generations ARGV...` in this process (see `run`); `stdout` and `stdin_stream`,
    when given, stand for a pipe a test controls (one that closes, one that is interrupted)."""
    out: IO[str] = stdout if stdout is not None else _Terminal() if tty else io.StringIO()
    err = _Terminal() if stderr_tty else io.StringIO()
    data = stdin_bytes if stdin_bytes is not None else (stdin or "").encode()
    if stdin_stream is None:
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
            assert type(code) is int, f"main returned {code!r}, not its exit status"
        except SystemExit as exit_:  # argparse's usage errors, --version
            code = exit_.code
        except KeyboardInterrupt:
            pytest.fail(f"Ctrl-C escaped the command: {err.getvalue()}")
    written = out.getvalue() if isinstance(out, io.StringIO) else ""
    ran = Ran(code if isinstance(code, int) else 0 if code is None else 1, written, err.getvalue())
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


def normalized(text: str) -> str:
    """`text` with each run of white space as one space: a table's or a help's line, as words."""
    return " ".join(text.split())
