"""`make mutation` judges each module by the test files mutation/tests.toml names for it.

A module missing from that list would never be mutated, and a listed test file that was renamed
would make its module's run fail after minutes of set-up: both are caught here, in `make test`.
"""

from __future__ import annotations

import ast
import pathlib
import shlex

import pytest

from mutation import run

ROOT = pathlib.Path(__file__).resolve().parent.parent


def has_function(module: str) -> bool:
    tree = ast.parse((ROOT / run.PACKAGE / f"{module}.py").read_text(encoding="utf-8"))
    return any(isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) for node in ast.walk(tree))


def test_every_module_of_the_package_is_listed_and_nothing_else() -> None:
    assert sorted(run.tests_by_module()) == run.package_modules()
    assert "cli/_run" in run.package_modules()  # subpackages' modules, in --module's form


@pytest.mark.parametrize("module", run.package_modules())
def test_a_module_with_functions_has_test_files_and_they_exist(module: str) -> None:
    tests = run.tests_by_module()[module]
    assert bool(tests) == has_function(module), (
        f"{module}: list its test files in mutation/tests.toml"
        if has_function(module)
        else f"{module} has no function to mutate: list no tests"
    )
    for argument in tests:
        path = argument.split("=", 1)[-1].split("::", 1)[0]
        assert (ROOT / path).is_file(), f"{module}: {shlex.quote(argument)} names no test file"
