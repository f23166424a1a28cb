"""The row form and the exact totals that programs (and the CLI) build on."""

from __future__ import annotations

import json
import random
import re
from collections.abc import Iterable
from decimal import Decimal
from typing import Any

import attrs
import pytest

from openrouter_generations import models, report
from openrouter_generations.report import DOCUMENTED_FIELDS, Totals, generation_row, json_text, read_body
from tests.conftest import DATA, load_json

BODIES = ["body_2025_09.json", "body_2026_01.json", "body_future.json"]


def _raw(name: str) -> bytes:
    return (DATA / name).read_bytes()


def _body(**data: Any) -> bytes:
    base = json.loads(_raw("body_2025_09.json"))["data"]
    base.update(data)
    return json.dumps({"data": base}).encode()


def test_the_columns_are_every_documented_field_in_the_spec_order() -> None:
    assert list(DOCUMENTED_FIELDS) == list(load_json("documented_api.json")["data_fields"])
    model_fields = {f.name for f in attrs.fields(models.Generation)} - {"additional_properties"}
    assert set(DOCUMENTED_FIELDS) == model_fields


@pytest.mark.parametrize("name", BODIES)
def test_a_row_of_any_api_version_has_the_same_keys(name: str) -> None:
    row = generation_row(_raw(name))
    assert list(row) == list(DOCUMENTED_FIELDS)
    assert row["total_cost"] == Decimal("0.0004175")
    assert isinstance(row["total_cost"], Decimal)


def test_fields_a_body_lacks_are_none_not_unset() -> None:
    row = generation_row(_raw("body_2025_09.json"))
    assert "data_region" not in json.loads(_raw("body_2025_09.json"))["data"]
    assert row["data_region"] is None
    assert row["provider_responses"] is None
    # The whole row is plain data: it goes through json_text with nothing left over.
    assert json.loads(json_text(row), parse_float=Decimal) == row


def test_unknown_fields_are_columns_when_asked_for_and_none_where_absent() -> None:
    future = json.loads(_raw("body_future.json"))["data"]
    unknown = sorted(set(future) - set(DOCUMENTED_FIELDS))
    assert unknown, "body_future.json is meant to hold fields the spec does not know"
    row = generation_row(_raw("body_future.json"), fields=[unknown[0], "no_such_field"])
    assert list(row)[-2:] == [unknown[0], "no_such_field"]
    assert row[unknown[0]] == json.loads(json.dumps(future[unknown[0]]), parse_float=Decimal)
    assert row["no_such_field"] is None
    assert list(generation_row(_raw("body_2025_09.json"), fields=[unknown[0]])) == list(row)[:-1]


def test_asking_for_a_documented_field_again_adds_no_second_column() -> None:
    assert list(generation_row(_raw("body_2026_01.json"), fields=["model", "model"])) == list(DOCUMENTED_FIELDS)


@pytest.mark.parametrize("name", BODIES)
def test_a_row_from_the_model_matches_the_row_from_the_raw_body(name: str) -> None:
    raw = _raw(name)
    res = models.GetGenerationResponse.from_dict(json.loads(raw))
    from_raw = generation_row(raw)
    for source in (res, res.data, json.loads(raw), json.loads(raw)["data"]):
        row = generation_row(source)
        assert {k: v for k, v in row.items() if k != "created_at"} == {
            k: v for k, v in from_raw.items() if k != "created_at"
        }
    assert generation_row(res)["created_at"] == res.data.created_at.isoformat()


def test_an_enum_field_is_its_string_value() -> None:
    res = models.GetGenerationResponse.from_dict(json.loads(_raw("body_2026_01.json")))
    assert isinstance(res.data.api_type, models.ApiType)
    assert generation_row(res)["api_type"] == "embeddings"


def test_raw_costs_keep_the_digits_the_json_wrote_even_past_a_float() -> None:
    row = generation_row(_body(total_cost=0.1, cache_discount=None).replace(b"0.1,", b"0.10000000000000000555,"))
    assert row["total_cost"] == Decimal("0.10000000000000000555")


def _running_total(values: Iterable[float]) -> float:
    total = 0.0
    for value in values:
        total += value
    return total


def test_totals_are_exact_and_the_same_in_any_order() -> None:
    rng = random.Random(7)
    costs = [f"0.{rng.randrange(10**6):06d}{rng.randrange(1, 10)}" for _ in range(188)]
    rows = [generation_row(_body(id=f"gen-{i}", total_cost=float(c))) for i, c in enumerate(costs)]
    floats = [float(c) for c in costs]
    # The bug this prevents: a running float total depends on the order. (Python 3.12's `sum`
    # compensates its float additions; a `total += cost` loop, a spreadsheet or a database does not.)
    assert _running_total(floats) != _running_total(reversed(floats))
    exact = sum((Decimal(c) for c in costs), Decimal(0))
    assert Totals.of(rows).all.total_cost == exact
    assert Totals.of(reversed(rows)).all.total_cost == exact
    assert Totals.of(sorted(rows, key=lambda r: r["total_cost"])).all.total_cost == exact


def test_sums_of_very_different_magnitudes_do_not_round() -> None:
    rows = [generation_row(_body(id="a", total_cost=12345678901234.5)), generation_row(_body(id="b", total_cost=1e-20))]
    assert Totals.of(rows).all.total_cost == Decimal("12345678901234.50000000000000000001")


def test_totals_group_by_model_and_provider_with_tokens_and_counts() -> None:
    rows = [
        generation_row(_body(id="1", model="m/a", provider_name="P", total_cost=0.1, native_tokens_prompt=10)),
        generation_row(_body(id="2", model="m/a", provider_name="Q", total_cost=0.2, native_tokens_prompt=5)),
        generation_row(_body(id="3", model="m/b", provider_name=None, total_cost=0.3, native_tokens_prompt=None)),
    ]
    totals = Totals.of(rows)
    assert totals.all.count == 3
    assert totals.all.total_cost == Decimal("0.6")
    assert totals.by_model["m/a"].total_cost == Decimal("0.3")
    assert totals.by_model["m/a"].native_tokens_prompt == 15
    assert totals.by_model["m/b"].native_tokens_prompt == 0
    assert set(totals.by_provider) == {"P", "Q", Totals.UNKNOWN}
    completion = rows[0]["native_tokens_completion"]
    assert totals.by_provider["P"].native_tokens == 10 + completion
    as_dict = totals.as_dict()
    assert as_dict["incomplete"] is False
    assert json.loads(json_text(as_dict, indent=2), parse_float=Decimal)["all"]["total_cost"] == Decimal("0.6")


def test_json_text_writes_decimals_exactly_and_reads_back() -> None:
    value = {"a": [Decimal("0.10000000000000000555"), Decimal("1E-7"), 3, None, True, "x\n"], "b": {}, "c": []}
    for indent in (None, 2):
        text = json_text(value, indent=indent)
        assert json.loads(text, parse_float=Decimal) == value
    assert "0.0000001" in json_text(value)
    plain = {"a": [1, {"b": [None, "x"], "c": {}}, []], "d": True}
    assert json_text(plain, indent=2) == json.dumps(plain, indent=2)
    assert json_text(plain) == json.dumps(plain)


def test_bad_bodies_raise_value_error() -> None:
    with pytest.raises(ValueError, match="not a JSON number"):
        read_body(b'{"data": {"id": "x", "total_cost": NaN}}')
    with pytest.raises(ValueError, match="not a generation"):
        read_body(b'{"error": {"code": 404}}')
    with pytest.raises(ValueError, match="not a JSON number"):
        json_text(Decimal("NaN"))


def test_the_core_does_not_import_the_report_or_the_cli() -> None:
    import subprocess
    import sys

    # httpx itself imports rich when click and rich are installed (its command line): count
    # only what the package adds to what `import httpx` loads.
    names = ["openrouter_generations.report", "openrouter_generations.cli", "rich"]
    code = (
        "import sys, httpx; before = set(sys.modules); import openrouter_generations; "
        f"print([n for n in {names!r} if n in sys.modules and n not in before])"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"
    assert report.__all__


def test_a_bulk_result_gives_its_exact_row_and_a_failed_one_says_why() -> None:
    from openrouter_generations.bulk import GenerationResult

    raw = _body(total_cost=0.1).replace(b"0.1,", b"0.10000000000000000555,")
    assert generation_row(GenerationResult("x", raw=raw))["total_cost"] == Decimal("0.10000000000000000555")
    with pytest.raises(ValueError, match="the lookup of 'gen-x' failed"):
        generation_row(GenerationResult("gen-x", error=ValueError("boom")))


def test_totals_as_plain_data_name_every_figure_and_sum_every_token() -> None:
    rows = [
        generation_row(
            _body(
                id="1",
                model="m/a",
                provider_name="P",
                total_cost=0.1,
                native_tokens_prompt=10,
                native_tokens_completion=3,
            )
        ),
        generation_row(
            _body(
                id="2",
                model="m/a",
                provider_name="P",
                total_cost=0.2,
                native_tokens_prompt=5,
                native_tokens_completion=4,
            )
        ),
    ]
    totals = Totals.of(rows)
    tally = {"count": 2, "total_cost": Decimal("0.3"), "native_tokens_prompt": 15, "native_tokens_completion": 7}
    assert totals.all.native_tokens == 22
    assert totals.as_dict() == {
        "incomplete": False,
        "all": tally,
        "by_model": {"m/a": tally},
        "by_provider": {"P": tally},
    }


def test_a_cost_that_is_an_int_none_or_a_float_is_summed_as_its_exact_value() -> None:
    # Rows a program builds itself (plain dicts) are summed too: a float by its shortest digits.
    rows: list[dict[str, Any]] = [
        generation_row(_body(id="a", total_cost=2)),
        {"total_cost": None},
        {"total_cost": True},
        {"total_cost": 0.1},
        {"total_cost": 0.2},
    ]
    assert isinstance(rows[0]["total_cost"], int)
    totals = Totals.of(rows)
    assert totals.all.total_cost == Decimal("2.3")
    assert totals.all.count == 5
    with pytest.raises(TypeError, match=r"^total_cost must be a number, not str$"):
        Totals.of([{"total_cost": "0.1"}])


def test_an_empty_provider_or_model_is_grouped_as_unknown() -> None:
    totals = Totals.of([generation_row(_body(id="1", model="", provider_name=""))])
    assert list(totals.by_model) == [Totals.UNKNOWN]
    assert list(totals.by_provider) == [Totals.UNKNOWN]


def test_a_generation_with_a_field_named_data_is_read_as_itself() -> None:
    row = generation_row({"id": "gen-outer", "data": {"id": "gen-inner"}})
    assert row["id"] == "gen-outer"


def test_a_body_that_is_not_a_generation_says_what_was_expected() -> None:
    message = "not a generation: expected a JSON object with an 'id', or one under 'data'"
    with pytest.raises(ValueError, match=f"^{re.escape(message)}$"):
        generation_row({"data": {"total_cost": 1}})


def test_json_text_refuses_a_float_that_is_not_a_json_number() -> None:
    with pytest.raises(ValueError, match="not JSON compliant"):
        json_text({"total_cost": float("nan")})
    with pytest.raises(ValueError, match="not JSON compliant"):
        json_text([float("inf")])
