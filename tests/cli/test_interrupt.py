"""Ctrl-C and a reader that goes away, in this process: what was looked up so far is printed,
its totals marked incomplete, exit 130; a closed pipe ends the command quietly, exit 0.

Ctrl-C arrives where it does in a real run: while the command waits for ids on stdin, or in the
thread that keeps the books, as a result is settled (the moment `Lookup.run` hands it on)."""

from __future__ import annotations

import io
import json
import os
import pathlib
from collections.abc import Callable, Iterator, Sequence
from decimal import Decimal
from typing import Any
from unittest import mock

import pytest

from openrouter_generations.bulk import GenerationResult
from openrouter_generations.cli import _lookup
from openrouter_generations.testing import FakeOpenRouter
from tests.cli.support import ids_file, normalized, run, run_main

ORIGINAL_RUN = _lookup.Lookup.run


@pytest.fixture
def ctrl_c_after() -> Iterator[Callable[[int], None]]:
    """`ctrl_c_after(n)`: Ctrl-C comes as the n-th result is settled (after it was kept)."""
    with mock.patch.object(_lookup.Lookup, "run", autospec=True) as patched:

        def arm(n: int) -> None:
            def run(
                lookup: _lookup.Lookup,
                ids: Sequence[str],
                on_result: Callable[[], None] | None,
            ) -> list[GenerationResult]:
                settled = 0

                def hook() -> None:
                    nonlocal settled
                    if on_result is not None:
                        on_result()
                    settled += 1
                    if settled == n:
                        raise KeyboardInterrupt

                return ORIGINAL_RUN(lookup, ids, hook)

            patched.side_effect = run

        yield arm


def _five(fake: FakeOpenRouter) -> list[str]:
    return [fake.add_generation(id=f"gen-{i}", total_cost=0.25, model="m/a", provider_name="P")["id"] for i in range(5)]


@pytest.mark.parametrize("fmt", ["json", "csv", "table"])
def test_ctrl_c_during_costs_prints_the_totals_so_far_marked_incomplete(
    fake: FakeOpenRouter, env: dict[str, str], tmp_path: pathlib.Path, ctrl_c_after: Callable[[int], None], fmt: str
) -> None:
    ids = _five(fake)
    ctrl_c_after(3)
    path = ids_file(tmp_path, "\n".join(ids))
    result = run(fake, env, "costs", "--no-cache", "--concurrency", "1", "--format", fmt, path)
    assert result.returncode == 130
    note = "interrupted after 3 of 5 ids"
    assert result.stderr.endswith(f"openrouter-generations: INCOMPLETE: {note}; the totals are of those only\n")
    if fmt == "json":
        body = json.loads(result.stdout, parse_float=Decimal)
        assert [row["id"] for row in body["rows"]] == ids[:3]
        assert body["requested"] == 5
        assert body["failed"] == []
        assert body["totals"]["incomplete"] is True
        assert body["totals"]["all"]["count"] == 3
        assert body["totals"]["all"]["total_cost"] == Decimal("0.75")
    elif fmt == "csv":
        assert [line.split(",")[0] for line in result.stdout.splitlines()[1:]] == ids[:3]
        assert result.stderr == (
            f"openrouter-generations: 3 found, 0 not found, total 0.75 USD (INCOMPLETE: {note})\n"
            f"openrouter-generations: INCOMPLETE: {note}; the totals are of those only\n"
        )
    else:
        assert f"Totals so far: INCOMPLETE, {note}" in normalized(result.stdout)
        assert "$0.75" in result.stdout
        assert "gen-3" not in result.stdout


def test_ctrl_c_during_get_shows_the_generations_looked_up_so_far(
    fake: FakeOpenRouter, env: dict[str, str], ctrl_c_after: Callable[[int], None]
) -> None:
    ids = _five(fake)
    fake.script("gen-1", _unknown())
    ctrl_c_after(2)
    result = run(fake, env, "get", "--no-cache", "--concurrency", "1", "--json", *ids)
    assert result.returncode == 130
    assert [json.loads(line)["data"]["id"] for line in result.stdout.splitlines()] == ["gen-0"]
    assert result.stderr == (
        "openrouter-generations: gen-1: not found (HTTP 404)\n"
        "openrouter-generations: interrupted: 2 of 5 ids looked up\n"
    )


def test_ctrl_c_during_get_is_not_taken_for_a_refused_key(
    fake: FakeOpenRouter, env: dict[str, str], ctrl_c_after: Callable[[int], None]
) -> None:
    """A run cut short says what it has; it does not sum the ids up as one failure."""
    ids = _five(fake)
    for ident in ids:
        fake.script(ident, _refused())
    ctrl_c_after(1)
    result = run(fake, env, "get", "--no-cache", "--concurrency", "1", *ids)
    assert result.returncode == 130
    assert result.stderr.splitlines()[-1] == "openrouter-generations: interrupted: 1 of 5 ids looked up"


def test_ctrl_c_during_costs_is_not_taken_for_a_refused_key(
    fake: FakeOpenRouter, env: dict[str, str], tmp_path: pathlib.Path, ctrl_c_after: Callable[[int], None]
) -> None:
    ids = _five(fake)
    for ident in ids:
        fake.script(ident, _refused())
    ctrl_c_after(1)
    result = run(
        fake, env, "costs", "--no-cache", "--concurrency", "1", "--format", "json", ids_file(tmp_path, "\n".join(ids))
    )
    assert result.returncode == 130
    assert json.loads(result.stdout)["failed"][0]["id"] == "gen-0"


class _InterruptedStdin(io.TextIOWrapper):
    """Stdin that Ctrl-C interrupts while the command waits for ids on it."""

    def __init__(self) -> None:
        super().__init__(io.BytesIO(b""), encoding="utf-8")

    @property
    def buffer(self) -> Any:
        raise KeyboardInterrupt


def test_ctrl_c_while_waiting_for_ids_on_stdin_says_interrupted(fake: FakeOpenRouter, env: dict[str, str]) -> None:
    result = run_main(["costs", "--server-url", fake.server_url], env, stdin_stream=_InterruptedStdin())
    assert result.returncode == 130
    assert result.stdout == ""
    assert result.stderr == "openrouter-generations: interrupted\n"
    assert fake.requests == []


class _ClosedPipe(io.StringIO):
    """Stdout whose reader has gone (`... | head -1` after its line)."""

    def write(self, text: str) -> int:
        raise BrokenPipeError(32, "Broken pipe")


@pytest.mark.parametrize("args", [["get", "gen-0"], ["get", "--json", "gen-0"], ["costs", "--format", "json", "-"]])
def test_a_reader_that_goes_away_ends_the_command_quietly(
    fake: FakeOpenRouter, env: dict[str, str], args: list[str]
) -> None:
    _five(fake)
    command, rest = args[0], args[1:]
    ran = run_main([command, "--server-url", fake.server_url, *rest], env, stdin="gen-0\n", stdout=_ClosedPipe())
    assert ran.returncode == 0
    assert ran.stderr == ""


def _unknown() -> Any:
    from openrouter_generations.testing import Reply

    return Reply(status=404)


def _refused() -> Any:
    from openrouter_generations.testing import Reply

    return Reply(status=401)


@pytest.mark.parametrize("args", [["get", "gen-0"], ["get", "--json", "gen-0"], ["costs", "--format", "json", "-"]])
def test_a_pipe_closed_before_anything_was_read_ends_the_command_quietly_to_the_last_flush(
    fake: FakeOpenRouter, env: dict[str, str], args: list[str]
) -> None:
    """A real pipe, whose reader is gone before the command writes (`... | true`): what is left in
    stdout's buffer must not fail the interpreter's last flush at exit (exit 120, an error)."""
    _five(fake)
    read_end, write_end = os.pipe()
    os.close(read_end)
    with open(write_end, "w", encoding="utf-8") as stdout:  # block-buffered, as a pipe is
        command, rest = args[0], args[1:]
        argv = [command, "--server-url", fake.server_url, "--no-cache", *rest]
        ran = run_main(argv, env, stdin="gen-0\n", stdout=stdout)
        assert ran.returncode == 0
        assert ran.stderr == ""
        stdout.write("what the command still had to say\n")
        stdout.flush()  # as the interpreter does at exit


def test_ctrl_c_on_a_terminal_titles_the_totals_in_bold_red(
    fake: FakeOpenRouter, env: dict[str, str], tmp_path: pathlib.Path, ctrl_c_after: Callable[[int], None]
) -> None:
    ids = _five(fake)
    ctrl_c_after(2)
    env.update(COLUMNS="80", TERM="xterm")
    env.pop("NO_COLOR", None)
    result = run(fake, env, "costs", "--no-cache", "--concurrency", "1", ids_file(tmp_path, "\n".join(ids)), tty=True)
    assert result.returncode == 130
    # The title wraps at the table's width, each of its lines in bold red.
    assert "\x1b[1;31mTotals so far: INCOMPLETE, interrupted after 2 of \x1b[0m\n\x1b[1;31m5 ids " in result.stdout
