"""What `import openrouter_generations` loads, and what waits for first use.

The generated package (its attrs models and httpx client classes) and the machinery of a call are
most of what importing this package would cost, so the documented import line loads neither: the
first client imports them. Each check runs in a fresh interpreter, where `sys.modules` shows what
an import really did.
"""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap

import pytest

from .conftest import ROOT

# What the documented import line may load of this distribution, and nothing more.
EAGER = {
    "openrouter_generations",
    "openrouter_generations._client",
    "openrouter_generations._settings",
    "openrouter_generations._version",
    "openrouter_generations.errors",
    "openrouter_generations.utils",
}


def _run(code: str) -> str:
    out = subprocess.run(
        [sys.executable, "-c", textwrap.dedent(code)], capture_output=True, text=True, check=True, cwd=ROOT
    )
    return out.stdout


def test_the_documented_import_line_loads_neither_the_generated_package_nor_a_call_machinery() -> None:
    code = """
        import json, sys
        from openrouter_generations import OpenRouter, errors, utils
        print(json.dumps(sorted(m for m in sys.modules if m.startswith("openrouter_generations"))))
    """
    assert set(json.loads(_run(code))) == EAGER


def test_the_first_client_imports_the_generated_models_and_its_lookup_answers() -> None:
    fake = subprocess.Popen(
        [sys.executable, "-m", "openrouter_generations.testing", "--api-key", "sk-or-lazy"],
        stdout=subprocess.PIPE,
        text=True,
        cwd=ROOT,
    )
    assert fake.stdout is not None
    try:
        started = json.loads(fake.stdout.readline())
        code = f"""
            import json, sys
            from openrouter_generations import OpenRouter

            def generated():
                return sorted(m for m in sys.modules if m.startswith("openrouter_generations_client"))

            before = generated()
            with OpenRouter(api_key="sk-or-lazy", server_url={started["server_url"]!r}) as client:
                res = client.generations.get_generation(id={started["ids"][0]!r})
            print(json.dumps([before, type(res).__module__, res.data.id, type(res.data.total_cost).__name__]))
        """
        before, module, generation_id, cost_type = json.loads(_run(code))
    finally:
        fake.terminate()
        fake.wait()
        fake.stdout.close()
    assert before == []
    assert module == "openrouter_generations_client.models.get_generation_response"
    assert generation_id == started["ids"][0]
    assert cost_type == "float"


def test_models_and_the_error_model_are_there_when_asked_for() -> None:
    code = """
        import openrouter_generations
        from openrouter_generations import errors
        from openrouter_generations_client.models import ErrorResponse, GetGenerationResponse
        assert openrouter_generations.models.GetGenerationResponse is GetGenerationResponse
        assert errors.ErrorResponse is ErrorResponse
        from openrouter_generations.errors import ErrorResponse as named
        from openrouter_generations.models import GetGenerationResponse as model
        assert named is ErrorResponse and model is GetGenerationResponse
        print("ok")
    """
    assert _run(code).strip() == "ok"


def test_an_unknown_attribute_is_still_an_attribute_error() -> None:
    code = """
        import openrouter_generations
        from openrouter_generations import errors
        for module, name in ((openrouter_generations, "modles"), (errors, "ErrorRespons")):
            try:
                getattr(module, name)
            except AttributeError as exc:
                assert name in str(exc)
            else:
                raise SystemExit(f"{name} resolved")
        print("ok")
    """
    assert _run(code).strip() == "ok"


def test_models_is_imported_when_first_asked_for_and_a_misspelt_name_is_named(monkeypatch: pytest.MonkeyPatch) -> None:
    # In this process too (the checks above run in fresh interpreters): `models` is looked up by
    # the package's `__getattr__` while it is not yet imported, and anything else is refused.
    import openrouter_generations
    from openrouter_generations_client.models import GetGenerationResponse

    monkeypatch.delattr(openrouter_generations, "models", raising=False)
    monkeypatch.delitem(sys.modules, "openrouter_generations.models", raising=False)
    assert openrouter_generations.models.GetGenerationResponse is GetGenerationResponse
    assert sys.modules["openrouter_generations.models"] is openrouter_generations.models
    with pytest.raises(AttributeError) as caught:
        openrouter_generations.modles  # noqa: B018
    assert str(caught.value) == "module 'openrouter_generations' has no attribute 'modles'"
