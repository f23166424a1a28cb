"""The README is a contract too: its examples run, and its table of defaults is the code's."""

from __future__ import annotations

import contextlib
import io
import pathlib
import re
import subprocess
import sys
import textwrap

import pytest

from openrouter_generations import DEFAULT_MAX_RESPONSE_BYTES, DEFAULT_TIMEOUT_MS, OpenRouter
from openrouter_generations.testing import FakeOpenRouter
from openrouter_generations.utils import DEFAULT_RETRY_CONFIG, DEFAULT_RETRY_STATUSES, BackoffStrategy

from .conftest import EXAMPLE_ID, ROOT, SECRET_KEY

README = (ROOT / "README.md").read_text()
ALL_PYTHON_BLOCKS = re.findall(r"```python\n(.*?)```", README, re.DOTALL)
#: A block that opens with `# test_....py` is a test file: pytest runs it, as its reader would.
TEST_FILES = [block for block in ALL_PYTHON_BLOCKS if re.match(r"# test_\w+\.py", block)]
PYTHON_BLOCKS = [block for block in ALL_PYTHON_BLOCKS if block not in TEST_FILES]


def _section(heading: str) -> str:
    return README.split(heading, 1)[1].split("\n#", 1)[0]


def test_every_python_example_runs_against_the_fake(
    server: FakeOpenRouter, monkeypatch: pytest.MonkeyPatch, tmp_path: pathlib.Path
) -> None:
    """The blocks run in order in one namespace, as a reader would paste them, with the
    placeholder ids made real, the default server pointed at the fake and the default cache in
    a temporary folder."""
    assert len(PYTHON_BLOCKS) >= 4
    monkeypatch.setenv("OPENROUTER_API_KEY", SECRET_KEY)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    monkeypatch.setattr("openrouter_generations._client.DEFAULT_SERVER_URL", server.url)
    namespace: dict[str, object] = {"completion_id": EXAMPLE_ID}
    out = io.StringIO()
    for number, block in enumerate(PYTHON_BLOCKS):
        code = block.replace('"gen-..."', repr(EXAMPLE_ID))
        if re.search(r"^(async with|res = await)", code, re.MULTILINE):  # top-level await: run it in a loop
            code = "import asyncio\n\nasync def _main():\n" + textwrap.indent(code, "    ") + "\nasyncio.run(_main())\n"
        with contextlib.redirect_stdout(out):
            exec(compile(code, f"README block {number}", "exec"), namespace)  # noqa: S102 - the README, verbatim
        for value in namespace.values():
            if isinstance(value, OpenRouter):
                # A block that left its client open (a later block may reuse its name): its
                # socket, not the next test's warning. A closed client reopens if used again.
                value.close()
    assert len(server.requests) == len(PYTHON_BLOCKS)  # each block made its one lookup
    assert all(seen.ids == [EXAMPLE_ID] for seen in server.requests)
    assert out.getvalue().startswith("0.0004175 43 27 OpenAI")  # the usage block's print


def test_the_table_of_retry_defaults_is_the_default_config() -> None:
    table = _section("### Retries")
    settings = dict(re.findall(r"`(\w+)=([\d_.]+)`", table))
    backoff = DEFAULT_RETRY_CONFIG.backoff or BackoffStrategy()
    actual = {
        "max_retries": DEFAULT_RETRY_CONFIG.max_retries,
        "max_elapsed_time": backoff.max_elapsed_time,
        "initial_interval": backoff.initial_interval,
        "exponent": backoff.exponent,
        "max_interval": backoff.max_interval,
        "jitter": DEFAULT_RETRY_CONFIG.jitter,
        "max_retry_after": DEFAULT_RETRY_CONFIG.max_retry_after,
    }
    assert {name: float(value.replace("_", "")) for name, value in settings.items()} == actual
    (statuses,) = re.findall(r"\| statuses retried \| ([\d, ]+) \|", table)
    assert [int(s) for s in statuses.split(",")] == sorted(DEFAULT_RETRY_STATUSES)
    assert DEFAULT_RETRY_CONFIG.retry_connection_errors
    assert "`retry_connection_errors=True`" in table
    assert f"at most {DEFAULT_RETRY_CONFIG.max_retries + 1} (" in table


def test_the_stated_limits_are_the_defaults() -> None:
    assert f"default {DEFAULT_TIMEOUT_MS:,} ms".replace(",", " ") in README
    assert f"default {DEFAULT_MAX_RESPONSE_BYTES // 2**20} MiB" in README


def test_the_testing_example_passes_under_pytest_as_written(tmp_path: pathlib.Path) -> None:
    """The "Testing your code" block, saved as the file it names, passes under pytest with the
    `openrouter_fake` fixture that installing the package registers (no conftest of ours)."""
    (block,) = TEST_FILES
    name = re.match(r"# (test_\w+\.py)", block).group(1)  # type: ignore[union-attr]
    (tmp_path / name).write_text(block)
    run = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-W", "error", name],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert run.returncode == 0, run.stdout + run.stderr
    assert "4 passed" in run.stdout
