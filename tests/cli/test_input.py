"""Reading ids: a file or stdin, plain ids or JSON lines, comments, repeats, and bad input."""

from __future__ import annotations

import json
import pathlib
from decimal import Decimal
from typing import Any

import pytest

from openrouter_generations.testing import FakeOpenRouter
from tests.cli.support import (
    ids_file,
    run,
    run_main,
)


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


def test_a_missing_file_is_a_usage_error(fake: FakeOpenRouter, env: dict[str, str], tmp_path: pathlib.Path) -> None:
    result = run(fake, env, "costs", str(tmp_path / "nope.txt"))
    assert result.returncode == 2
    assert result.stderr == f"openrouter-generations: no such file: {tmp_path / 'nope.txt'}\n"


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
