"""The command line's options: help, --version, defaults, and what a bad value says."""

from __future__ import annotations

import json
import pathlib
from typing import Any

import pytest

from openrouter_generations.testing import FakeOpenRouter
from tests.cli.support import (
    ids_file,
    normalized,
    run,
    run_main,
)


@pytest.mark.parametrize("command", ["get", "costs"])
def test_each_commands_help_describes_every_option(fake: FakeOpenRouter, env: dict[str, str], command: str) -> None:
    result = run_main([command, "--help"], env)
    assert result.returncode == 0
    shown = normalized(result.stdout)
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


def _help_sections(text: str) -> dict[str, list[str]]:
    """A help text as {heading: the options listed under it}, in order."""
    sections: dict[str, list[str]] = {}
    heading = ""
    for line in text.splitlines():
        if line and not line[0].isspace() and line.endswith(":"):
            heading = line[:-1]
            sections[heading] = []
        elif line.startswith("  -") and heading:
            sections[heading].append(line.split()[0].rstrip(","))
    return sections


@pytest.mark.parametrize("command", ["get", "costs"])
def test_each_commands_help_lists_its_options_under_their_headings(env: dict[str, str], command: str) -> None:
    result = run_main([command, "--help"], env)
    assert result.returncode == 0
    own = ["--json"] if command == "get" else ["--format", "--totals-file"]
    assert _help_sections(result.stdout) == {
        "positional arguments": [],
        "options": ["-h", *own],
        "connection": ["--api-key", "--server-url", "--timeout", "--concurrency", "--wait"],
        "cache": ["--cache", "--no-cache"],
        "output": ["--field", "-v"],
    }
    assert "[--cache PATH | --no-cache]" in normalized(result.stdout)


def test_the_help_names_both_commands_and_every_exit_status(env: dict[str, str]) -> None:
    result = run_main(["--help"], env)
    assert result.returncode == 0
    shown = normalized(result.stdout)
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


def test_the_help_opens_with_what_the_command_does(env: dict[str, str]) -> None:
    lines = run_main(["--help"], env).stdout.splitlines()
    assert "Look OpenRouter generations up by id: exact cost, native tokens, latency, provider." in lines


def test_costs_reads_stdin_when_no_file_is_named(fake: FakeOpenRouter, env: dict[str, str], records: Any) -> None:
    result = run(fake, env, "costs", "--no-cache", "--format", "json", stdin="gen-0\n")
    assert result.returncode == 0, result.stderr
    assert [r["id"] for r in json.loads(result.stdout)["rows"]] == ["gen-0"]


def test_a_not_found_is_asked_once_by_default(fake: FakeOpenRouter, env: dict[str, str]) -> None:
    result = run(fake, env, "get", "--no-cache", "gen-unknown")
    assert result.returncode == 1
    assert result.stderr == "openrouter-generations: gen-unknown: not found (HTTP 404)\n"
    assert len(fake.requests) == 1


def test_field_is_repeatable(fake: FakeOpenRouter, env: dict[str, str]) -> None:
    fake.add_generation(id="gen-f", first_extra="one", second_extra="two")
    result = run(fake, env, "get", "--no-cache", "--field", "first_extra", "--field", "second_extra", "gen-f")
    assert result.returncode == 0, result.stderr
    shown = [normalized(line) for line in result.stdout.splitlines()]
    assert "first_extra one" in shown
    assert "second_extra two" in shown
