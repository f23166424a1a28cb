"""What `costs` shows: a table, CSV or JSON of a row per id, the failures, and exact totals."""

from __future__ import annotations

import csv
import io
import json
import pathlib
from decimal import Decimal
from typing import Any

import pytest

from openrouter_generations.report import DOCUMENTED_FIELDS
from openrouter_generations.testing import FakeOpenRouter
from tests.cli.support import (
    COSTS,
    exact_sum,
    ids_file,
    normalized,
    run,
    run_main,
)


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


def test_no_progress_bar_when_stderr_is_not_a_terminal(
    fake: FakeOpenRouter, env: dict[str, str], records: Any, tmp_path: pathlib.Path
) -> None:
    result = run(fake, env, "costs", "--format", "csv", ids_file(tmp_path, "gen-0\ngen-1\n"))
    assert result.returncode == 0
    assert "looking up" not in result.stderr
    assert "\x1b" not in result.stderr
    assert result.stderr.strip() == "openrouter-generations: 2 found, 0 not found, total 0.0025175 USD"


def test_costs_table_has_a_row_per_id_and_totals_per_group(
    fake: FakeOpenRouter, env: dict[str, str], records: Any, tmp_path: pathlib.Path
) -> None:
    fake.add_generation(id="gen-f", model="a/b", provider_name="P", total_cost=0.5, extra_col=True)
    path = ids_file(tmp_path, "gen-0\ngen-5\ngen-f\ngen-nope\n")
    result = run(fake, env, "costs", "--format", "table", "--field", "extra_col", path)
    assert result.returncode == 1
    lines = [normalized(line) for line in result.stdout.splitlines()]
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


def test_a_progress_bar_counts_the_ids_on_a_terminal_and_leaves_stdout_clean(
    fake: FakeOpenRouter, env: dict[str, str], records: Any, tmp_path: pathlib.Path
) -> None:
    fake.latency_ms = 100  # long enough for the bar to be drawn
    path = ids_file(tmp_path, "gen-0\ngen-1\ngen-2\n")
    result = run_main(
        ["costs", "--server-url", fake.server_url, "--no-cache", "--concurrency", "1", "--format", "json", path],
        env,
        stderr_tty=True,
    )
    assert result.returncode == 0
    assert json.loads(result.stdout)["totals"]["all"]["count"] == 3
    assert "looking up" in result.stderr
    assert "3/3" in result.stderr
    # Once done, the bar is erased (back to its line, which is cleared): the terminal keeps nothing of it.
    assert result.stderr.endswith("\r\x1b[1A\x1b[2K")


def _two_and_a_missing(fake: FakeOpenRouter, tmp_path: pathlib.Path) -> str:
    fake.add_generation(
        id="gen-a", model="m/a", provider_name="P", total_cost=0.5, native_tokens_prompt=10, native_tokens_completion=2
    )
    fake.add_generation(
        id="gen-b",
        model="m/b",
        provider_name=None,
        provider_responses=None,
        total_cost=1e-7,
        native_tokens_prompt=3,
        native_tokens_completion=4,
    )
    return ids_file(tmp_path, "gen-a\ngen-b\ngen-x\n")


def test_costs_table_as_a_reader_sees_it(fake: FakeOpenRouter, env: dict[str, str], tmp_path: pathlib.Path) -> None:
    """Titles to the left, numbers to the right, a rule under each header, a cost with every digit
    (never `1E-7`), the groups sorted and apart, and the totals of all last."""
    env["COLUMNS"] = "80"
    result = run(fake, env, "costs", "--no-cache", "--format", "table", _two_and_a_missing(fake, tmp_path))
    assert result.returncode == 1
    rule = "─"
    assert result.stdout.splitlines() == [
        *_padded(
            61,
            "Generations",
            " id      model   provider   prompt   completion         cost",
            rule * 61,
            " gen-a   m/a     P              10            2         $0.5",
            " gen-b   m/b                     3            4   $0.0000001",
        ),
        "",
        *_padded(30, "Not found", " id      reason", rule * 30, " gen-x   not found (HTTP 404)"),
        "",
        *_padded(
            63,
            "Totals",
            "                      count   prompt   completion         cost",
            rule * 63,
            " model m/a                1       10            2         $0.5",
            " model m/b                1        3            4   $0.0000001",
            "",
            " provider (unknown)       1        3            4   $0.0000001",
            " provider P               1       10            2         $0.5",
            "",
            " all                      2       13            6   $0.5000001",
        ),
    ]


def _padded(width: int, *lines: str) -> list[str]:
    """A table's lines as the terminal gets them: each as wide as the table."""
    return [line.ljust(width) for line in lines]


def test_costs_table_on_a_terminal_shows_failures_in_red_and_the_totals_in_bold(
    fake: FakeOpenRouter, env: dict[str, str], tmp_path: pathlib.Path
) -> None:
    env.update(COLUMNS="80", TERM="xterm")
    env.pop("NO_COLOR", None)
    result = run(fake, env, "costs", "--no-cache", _two_and_a_missing(fake, tmp_path), tty=True)
    assert result.returncode == 1
    out = result.stdout
    assert "\n gen-a   m/a     P              10            2         $0.5 \n" in out  # a row in plain text
    assert "\x1b[31mgen-x\x1b[0m" in out
    assert "\x1b[31mnot found (HTTP 404)\x1b[0m" in out
    assert "\x1b[1mTotals " in out
    assert "\x1b[1mall " in out
    assert "\x1b[1m$0.5000001\x1b[0m" in out


def test_a_narrow_table_gives_way_anywhere_but_the_id(
    fake: FakeOpenRouter, env: dict[str, str], tmp_path: pathlib.Path
) -> None:
    ident, model = "gen-" + "1234567890" * 4, "vendor/" + "a-very-long-model-name-" * 4
    fake.add_generation(id=ident, model=model)
    env["COLUMNS"] = "80"
    result = run(fake, env, "costs", "--no-cache", "--format", "table", ids_file(tmp_path, ident))
    assert result.returncode == 0, result.stderr
    assert any(line.startswith(f" {ident} ") for line in result.stdout.splitlines())
    assert model not in result.stdout


def test_csv_lines_end_in_a_newline_alone_and_the_summary_has_every_digit(
    fake: FakeOpenRouter, env: dict[str, str], tmp_path: pathlib.Path
) -> None:
    totals = tmp_path / "totals.csv"
    _two_and_a_missing(fake, tmp_path)
    path = ids_file(tmp_path, "gen-b\ngen-x\n")  # gen-b cost 1e-7
    result = run(fake, env, "costs", "--no-cache", "--format", "csv", "--totals-file", str(totals), path)
    assert result.returncode == 1
    assert "\r" not in result.stdout
    assert len(result.stdout.split("\n")) == 4  # a header, 2 rows, and the last line's end
    assert b"\r" not in totals.read_bytes()
    assert result.stderr == "openrouter-generations: 1 found, 1 not found, total 0.0000001 USD\n"
