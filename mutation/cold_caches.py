"""A pytest plugin for mutation runs only: each test starts with `_validation`'s memos empty.

`_validation` works out each model's fields, plan and date fields once per process and keeps
them. mutmut runs a mutant against the tests that called the mutated function in its stats run,
and with warm memos only the first test of the process calls them: a mutant of `_fields` or
`_plan` would be judged by whichever test came first, not by the tests that check what it
decides. Emptied before each test, they are called (and judged) by every test that needs them.
"""

from __future__ import annotations

import importlib

import pytest

MEMOS = {"openrouter_generations._validation": ("_FIELDS", "_KEYED", "_DATES", "_PLANS")}


@pytest.fixture(autouse=True)
def _cold_validation_memos() -> None:
    for module_name, names in MEMOS.items():
        module = importlib.import_module(module_name)
        for name in names:
            memo = getattr(module, name)  # an AttributeError here: the module changed, update MEMOS
            memo.clear()
