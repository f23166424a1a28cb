"""Contract: the documented API (tests/data) against the seed pages, the spec, and the runtime."""

from __future__ import annotations

import contextlib
import hashlib
import inspect
import io
import re
import types
from typing import Any

import httpx
import pytest
import yaml
from openapi_spec_validator import validate

import openrouter_generations
from openrouter_generations import OpenRouter, errors, models, utils
from openrouter_generations._client import Generations
from openrouter_generations.testing import FakeOpenRouter, Reply, error_body

from .conftest import DATA, EXAMPLE_ID, ROOT, SECRET_KEY, ClientFactory, load_json

DOC: dict[str, Any] = load_json("documented_api.json")
SPEC: dict[str, Any] = yaml.safe_load((ROOT / "openapi.yaml").read_text())
SEED_PY = (DATA / "seeds" / "generations-python-sdk.md").read_text()
SEED_TS = (DATA / "seeds" / "generations-typescript-sdk.md").read_text()

STATUS_ROWS = [row for row in DOC["errors"] if row["status_code"].isdigit()]
DEFAULT_ROW = next(row for row in DOC["errors"] if not row["status_code"].isdigit())


def _markdown_table(page: str, heading: str) -> list[list[str]]:
    """The rows of the first table after `heading`, cells stripped of markdown decoration."""
    section = page.split(heading, 1)[1]
    rows = []
    for line in section.splitlines():
        if line.startswith("|"):
            cells = [c.strip() for c in line.strip().strip("|").split("|")]
            if not set("".join(cells)) <= set("-: "):
                rows.append([_plain(c) for c in cells])
        elif rows:
            break
    return rows[1:]  # without the header row


def _plain(cell: str) -> str:
    """Markdown to text: escapes kept literally, links reduced to their text, emphasis dropped."""
    escaped: list[str] = []

    def hide(match: re.Match[str]) -> str:
        escaped.append(match.group(1))
        return f"\x00{len(escaped) - 1}\x00"

    text = re.sub(r"\\(.)", hide, cell)
    text = re.sub(r"\[([^\]]*)\]\([^)]*\)", r"\1", text)
    text = text.replace("*", "").replace("`", "")
    return re.sub("\x00(\\d+)\x00", lambda m: escaped[int(m.group(1))], text)


def _resolve(node: dict[str, Any]) -> dict[str, Any]:
    while "$ref" in node:
        target: Any = SPEC
        for part in node["$ref"].lstrip("#/").split("/"):
            target = target[part]
        node = target
    return node


# -- the data in tests/ is the seed's --------------------------------------------------------


@pytest.mark.parametrize("name", ["generations-python-sdk.md", "generations-typescript-sdk.md"])
def test_seed_copies_are_verbatim(name: str) -> None:
    # The pages as published, byte for byte: no formatter or editor may "fix" the example.
    digest = hashlib.sha256((DATA / "seeds" / name).read_bytes()).hexdigest()
    assert digest == DOC["_seed_sha256"][name]


@pytest.mark.parametrize("page", [SEED_PY, SEED_TS], ids=["python", "typescript"])
def test_error_table_data_is_the_seeds(page: str) -> None:
    rows = [
        {"error_type": r[0], "status_code": r[1], "content_type": r[2]} for r in _markdown_table(page, "### Errors")
    ]
    assert rows == DOC["errors"]
    assert len(rows) == 9


def test_parameter_table_data_is_the_seeds() -> None:
    rows = _markdown_table(SEED_PY, "### Parameters")
    assert [(r[0], r[1], r[2] == ":heavy_check_mark:") for r in rows] == [
        (p["name"], p["type"], p["required"]) for p in DOC["parameters"]
    ]


# -- the spec ---------------------------------------------------------------------------------


def test_spec_is_valid_openapi_3_1() -> None:
    assert SPEC["openapi"].startswith("3.1")
    validate(SPEC)


def _operation() -> dict[str, Any]:
    op = DOC["operation"]
    operation: dict[str, Any] = SPEC["paths"][op["path"]][op["method"]]
    return operation


def test_spec_operation_server_and_auth() -> None:
    op = DOC["operation"]
    assert _operation()["operationId"] == op["operation_id"]
    assert _operation()["tags"] == [op["tag"]]
    assert SPEC["servers"][0]["url"] == op["server"] == openrouter_generations.DEFAULT_SERVER_URL
    (scheme_name,) = SPEC["security"][0]
    assert SPEC["components"]["securitySchemes"][scheme_name] | {"description": ""} == {
        "type": "http",
        "scheme": "bearer",
        "description": "",
    }


def test_spec_id_parameter() -> None:
    (param,) = [p for p in _operation()["parameters"] if p.get("name") == "id"]
    documented = DOC["parameters"][0]
    assert (param["name"], param["in"], param["required"]) == (documented["name"], "query", documented["required"])
    assert param["schema"] == {"type": "string", "minLength": 1}


@pytest.mark.parametrize("row", STATUS_ROWS, ids=lambda r: r["status_code"])
def test_spec_documents_each_status_with_the_shared_error_body(row: dict[str, str]) -> None:
    response = _resolve(_operation()["responses"][row["status_code"]])
    (content_type,) = response["content"]
    assert content_type == row["content_type"]
    assert response["content"][content_type]["schema"] == {"$ref": "#/components/schemas/ErrorResponse"}


def test_spec_default_response_is_any_content_with_the_error_body() -> None:
    default = _operation()["responses"]["default"]
    assert default["content"] == {
        DEFAULT_ROW["content_type"]: {"schema": {"$ref": "#/components/schemas/ErrorResponse"}}
    }
    # The documented statuses, and 400 and 403, which the official SDK maps for this operation too.
    assert set(_operation()["responses"]) == {"200", "default", "400", "403"} | {r["status_code"] for r in STATUS_ROWS}


def test_spec_error_body_shape() -> None:
    schemas = SPEC["components"]["schemas"]
    assert schemas["ErrorResponse"]["required"] == DOC["error_body"]["required"]
    assert set(schemas["ErrorResponse"]["properties"]) == {"error", "user_id", "openrouter_metadata"}
    assert schemas["ErrorDetail"]["required"] == DOC["error_body"]["error_required"]


def _spec_type(prop: dict[str, Any]) -> str:
    if "anyOf" in prop:
        nullable = {"type": "null"} in prop["anyOf"]
        return "enum|null" if nullable else "enum"
    if prop.get("format") == "date-time":
        return "date-time"
    types = prop["type"] if isinstance(prop["type"], list) else [prop["type"]]
    return "|".join(types)


def test_spec_generation_fields_are_the_documented_45() -> None:
    generation = SPEC["components"]["schemas"]["Generation"]
    assert {name: _spec_type(p) for name, p in generation["properties"].items()} == DOC["data_fields"]
    assert len(generation["properties"]) == 45


def test_spec_requires_exactly_the_fields_every_known_body_has() -> None:
    generation = SPEC["components"]["schemas"]["Generation"]
    optional = set(DOC["fields_not_in_every_body"])
    assert set(DOC["fields_added_since_2025_09"]) <= optional
    assert set(generation["required"]) == set(DOC["data_fields"]) - optional
    assert len(generation["required"]) == 27


def test_spec_optional_and_open_enum_fields_are_nullable() -> None:
    schemas = SPEC["components"]["schemas"]
    generation = schemas["Generation"]
    for name in set(generation["properties"]) - set(generation["required"]):
        assert DOC["data_fields"][name].endswith("|null"), name
    provider = schemas["ProviderResponse"]
    assert provider["required"] == ["status"]
    for name, prop in provider["properties"].items():
        assert _spec_type(prop).endswith("|null"), name


def test_spec_enums_are_open() -> None:
    schemas = SPEC["components"]["schemas"]
    for name, values in DOC["enums"].items():
        assert schemas[name]["enum"] == values
    for prop in (
        schemas["Generation"]["properties"]["api_type"],
        schemas["Generation"]["properties"]["data_region"],
        schemas["ProviderResponse"]["properties"]["routed_service_tier"],
    ):
        assert {"type": "string"} in prop["anyOf"], "an enum without a plain-string branch rejects new values"
    assert set(schemas["ProviderResponse"]["properties"]) == set(DOC["provider_response_fields"])
    assert not any(s.get("additionalProperties") is False for s in schemas.values())


# -- the public surface -----------------------------------------------------------------------


def test_errors_module_has_every_documented_name_under_one_base() -> None:
    for row in DOC["errors"]:
        cls = getattr(errors, row["error_type"].removeprefix("errors."))
        assert issubclass(cls, errors.OpenRouterError)
        assert row["error_type"].removeprefix("errors.") in errors.__all__


@pytest.mark.parametrize("method", ["get_generation", "get_generation_async"])
def test_method_signature_takes_the_documented_parameters(method: str) -> None:
    signature = inspect.signature(getattr(Generations, method))
    for documented in DOC["parameters"]:
        param = signature.parameters[documented["name"]]
        assert param.kind is inspect.Parameter.KEYWORD_ONLY
        assert (param.default is inspect.Parameter.empty) == documented["required"]
    assert {"server_url", "timeout_ms"} <= set(signature.parameters)
    assert inspect.iscoroutinefunction(getattr(Generations, method)) == method.endswith("_async")


def test_retry_config_accepts_the_documented_positional_form() -> None:
    config = utils.RetryConfig("backoff", utils.BackoffStrategy(1, 50, 1.1, 100), False)
    assert config.backoff == utils.BackoffStrategy(
        initial_interval=1, max_interval=50, exponent=1.1, max_elapsed_time=100
    )
    assert config.retry_connection_errors is False


def test_seed_example_runs_with_only_the_import_changed(
    server: FakeOpenRouter, monkeypatch: pytest.MonkeyPatch
) -> None:
    (code,) = re.findall(r"```python\n(.*?)```", SEED_PY, re.DOTALL)
    assert "from openrouter import OpenRouter" in code
    code = code.replace("from openrouter import OpenRouter", "from openrouter_generations import OpenRouter")
    code = code.replace('"<id>"', repr(EXAMPLE_ID))  # the doc's placeholder
    monkeypatch.setenv("OPENROUTER_API_KEY", SECRET_KEY)
    # The example talks to the default server; point the default at the fake.
    monkeypatch.setattr("openrouter_generations._client.DEFAULT_SERVER_URL", server.url)
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        exec(compile(code, "seed-example", "exec"), {})  # noqa: S102 - the documented example, verbatim
    assert EXAMPLE_ID in out.getvalue()
    assert server.requests[-1].headers["authorization"] == f"Bearer {SECRET_KEY}"


# -- the runtime, over a real socket ----------------------------------------------------------


@pytest.mark.parametrize("row", STATUS_ROWS, ids=lambda r: r["status_code"])
def test_each_documented_status_raises_its_class(row: dict[str, str], server: FakeOpenRouter, lookup: Any) -> None:
    status = int(row["status_code"])
    cls = getattr(errors, row["error_type"].removeprefix("errors."))
    server.script_next(Reply(status, error_body(status, f"documented failure {status}")))
    with pytest.raises(cls) as caught:
        lookup(id=EXAMPLE_ID, retries=utils.NO_RETRIES)
    assert type(caught.value) is cls
    assert caught.value.status_code == status
    assert caught.value.message == f"documented failure {status}"
    assert caught.value.data is not None
    assert caught.value.data.error.code == status
    assert caught.value.attempts == 1
    assert caught.value.raw_response is not None
    assert caught.value.raw_response.status_code == status


@pytest.mark.parametrize("status", [409, 410, 422, 451, 501, 503, 599])
def test_other_statuses_raise_the_default_error(status: int, server: FakeOpenRouter, lookup: Any) -> None:
    # 400 and 403 have classes of their own, as in the official SDK (tests/test_official_sdk.py).
    server.script_next(Reply(status, error_body(status, "something else")))
    with pytest.raises(errors.OpenRouterDefaultError) as caught:
        lookup(id=EXAMPLE_ID, retries=utils.NO_RETRIES)
    assert (caught.value.status_code, caught.value.message) == (status, "something else")


def test_success_returns_the_typed_model(make_client: ClientFactory) -> None:
    with make_client() as client:
        res = client.generations.get_generation(id=EXAMPLE_ID)
    assert isinstance(res, openrouter_generations.models.GetGenerationResponse)
    assert res.data.id == EXAMPLE_ID


def test_key_falls_back_to_the_environment(server: FakeOpenRouter, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OPENROUTER_API_KEY", SECRET_KEY)
    with OpenRouter(server_url=server.url) as client:
        client.generations.get_generation(id=EXAMPLE_ID)
    assert server.requests[-1].headers["authorization"] == f"Bearer {SECRET_KEY}"


def test_a_callers_client_with_query_params_still_sends_the_id(server: FakeOpenRouter) -> None:
    # httpx puts a client's own `params` in place of a URL's query: the id must not be lost.
    with (
        httpx.Client(params={"source": "batch"}) as http,
        OpenRouter(api_key=SECRET_KEY, server_url=server.url, client=http) as client,
    ):
        res = client.generations.get_generation(id=EXAMPLE_ID)
    assert res.data.id == EXAMPLE_ID
    assert server.requests[-1].ids == [EXAMPLE_ID]


def _an_operation(**kwargs: Any) -> types.ModuleType:
    """An operation module as the generator writes one: `_get_kwargs` gives httpx's arguments."""
    module = types.ModuleType("an_operation")
    module._get_kwargs = lambda: dict(kwargs)  # type: ignore[attr-defined]
    return module


def test_an_operation_without_a_query_or_with_a_body_goes_out_as_generated() -> None:
    sent: list[httpx.Request] = []

    def answer(request: httpx.Request) -> httpx.Response:
        sent.append(request)
        return httpx.Response(200, json=load_json("example_generation.json"))

    bare = _an_operation(method="get", url="/generations/latest")
    posted = _an_operation(method="post", url="/generations/search", params={"limit": 2}, json={"model": "m"})
    with (
        httpx.Client(transport=httpx.MockTransport(answer)) as http,
        OpenRouter(api_key=SECRET_KEY, client=http) as client,
    ):
        client.request(bare, models.GetGenerationResponse)
        client.request(posted, models.GetGenerationResponse)
    assert [(r.method, str(r.url)) for r in sent] == [
        ("GET", "https://openrouter.ai/api/v1/generations/latest"),
        ("POST", "https://openrouter.ai/api/v1/generations/search?limit=2"),
    ]
    assert sent[1].content == b'{"model":"m"}'


def test_a_callers_client_with_query_params_sends_the_calls_method_key_and_timeout() -> None:
    sent: list[httpx.Request] = []

    def answer(request: httpx.Request) -> httpx.Response:
        sent.append(request)
        return httpx.Response(200, json=load_json("example_generation.json"))

    with (
        httpx.Client(params={"source": "batch"}, transport=httpx.MockTransport(answer)) as http,
        OpenRouter(api_key=SECRET_KEY, client=http, timeout_ms=2_500) as client,
    ):
        client.generations.get_generation(id=EXAMPLE_ID)
    (request,) = sent
    assert request.method == "GET"
    assert request.url.path == "/api/v1/generation"
    assert request.url.params["id"] == EXAMPLE_ID
    assert request.headers["authorization"] == f"Bearer {SECRET_KEY}"
    assert request.extensions["timeout"] == dict.fromkeys(("connect", "read", "write", "pool"), 2.5)
