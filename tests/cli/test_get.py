"""What `get` shows: a readable summary per generation, or the record as the API sent it."""

from __future__ import annotations

import json
from typing import Any

from openrouter_generations.testing import FakeOpenRouter, Reply
from tests.cli.support import (
    normalized,
    run,
)


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


def _summary_lines(out: str) -> dict[str, str]:
    """The summary grid as {label: text}; the normalized token counts, which have no label, as ""."""
    lines = {}
    for line in out.splitlines()[1:]:
        if line.strip().endswith("(normalized)"):
            lines[""] = normalized(line)
        else:
            label, _, text = line.strip().partition("  ")
            lines[label] = normalized(text)
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


def test_get_looks_a_repeated_id_up_once_and_shows_it_once(
    fake: FakeOpenRouter, env: dict[str, str], records: Any
) -> None:
    result = run(fake, env, "get", "--no-cache", "--json", "gen-0", "gen-1", "gen-0")
    assert result.returncode == 0, result.stderr
    assert [json.loads(line)["data"]["id"] for line in result.stdout.splitlines()] == ["gen-0", "gen-1"]
    assert sorted(r.ids for r in fake.requests) == [["gen-0"], ["gen-1"]]


def test_get_json_prints_bytes_that_are_not_utf8_as_replacement_characters(
    fake: FakeOpenRouter, env: dict[str, str], records: Any
) -> None:
    # An encoded lone surrogate: JSON the client reads, but not UTF-8 a terminal can show.
    body = json.dumps({"data": records[0]}).replace('"OpenAI"', '"Open\\ud800AI"').encode()
    body = body.replace(b"\\ud800", b"\xed\xa0\x80")
    fake.script("gen-0", Reply(body=body))
    result = run(fake, env, "get", "--no-cache", "--json", "gen-0")
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["data"]["provider_name"] == "Open\ufffd\ufffd\ufffdAI"


def test_get_on_a_terminal_shows_the_labels_dim_and_the_values_plain(fake: FakeOpenRouter, env: dict[str, str]) -> None:
    fake.add_generation(
        id="gen-a", model="m/a", provider_name="P", total_cost=0.5, native_tokens_prompt=10, native_tokens_completion=2
    )
    env.update(COLUMNS="80", TERM="xterm")
    env.pop("NO_COLOR", None)
    result = run(fake, env, "get", "--no-cache", "gen-a", tty=True)
    assert result.returncode == 0, result.stderr
    out = result.stdout
    assert out.startswith("\x1b[1mgen-a ")
    assert "\x1b[2mmodel   \x1b[0m" in out
    assert "\x1b[2mcost    \x1b[0m" in out
    assert " $0.5 " in out
    assert " 10 prompt + 2 completion (native, billed) " in out


def test_get_shows_a_question_mark_for_what_a_provider_attempt_does_not_say(
    fake: FakeOpenRouter, env: dict[str, str]
) -> None:
    fake.add_generation(
        id="gen-p",
        provider_responses=[
            {"status": 429},
            {"provider_name": None, "status": None},
            {"provider_name": "OpenAI", "status": 200},
        ],
    )
    result = run(fake, env, "get", "gen-p")
    assert result.returncode == 0, result.stderr
    assert _summary_lines(result.stdout)["attempts"] == "? 429, ? ?, OpenAI 200"


def test_get_shows_a_cost_in_whole_dollars_as_the_api_wrote_it(fake: FakeOpenRouter, env: dict[str, str]) -> None:
    fake.add_generation(id="gen-w", total_cost=3, cache_discount=1, upstream_inference_cost=0)
    assert _summary_lines(run(fake, env, "get", "gen-w").stdout)["cost"] == "$3 (cache discount $1), upstream $0"


def test_get_summary_as_a_reader_sees_it(fake: FakeOpenRouter, env: dict[str, str]) -> None:
    """The id as the title, then a label and its text per line: no header, no borders."""
    fake.add_generation(
        id="gen-a",
        model="m/a",
        provider_name="P",
        api_type=None,
        created_at="2026-11-20T23:33:19+00:00",
        total_cost=0.5,
        native_tokens_prompt=10,
        native_tokens_completion=2,
        tokens_prompt=9,
        tokens_completion=3,
        latency=100,
        generation_time=None,
        finish_reason="stop",
        native_finish_reason=None,
        provider_responses=[{"provider_name": "P", "status": 200}],
    )
    env["COLUMNS"] = "80"
    result = run(fake, env, "get", "gen-a")
    assert result.returncode == 0, result.stderr
    lines = [
        "gen-a",
        " model     m/a via P",
        " created   2026-11-20T23:33:19+00:00",
        " cost      $0.5",
        " tokens    10 prompt + 2 completion (native, billed)",
        "           9 prompt + 3 completion (normalized)",
        " timing    100 ms to first token",
        " finish    stop",
        " attempts  P 200",
    ]
    width = max(map(len, lines)) + 1  # each cell padded by a space on either side
    assert result.stdout.splitlines() == [line.ljust(width) for line in lines]
