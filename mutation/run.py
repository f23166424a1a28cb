"""`make mutation`: mutmut over the hand-written package, then the score per module and the survivors.

    python mutation/run.py [--module _body] [--tests tests/test_x.py ...]

The package lives in overrides/, not src/. mutmut copies the tree to mutants/ and the pytest
options in pyproject.toml ([tool.mutmut]) put mutants/overrides first on sys.path; here the
mutants are named for the module as it is imported (`openrouter_generations._body...`), not for
its path (`overrides.openrouter_generations._body...`), so that mutmut matches what the tests call
to the mutants it made. Each run starts from a clean mutants/: mutmut would otherwise keep a
survivor's verdict after the tests that now kill it were added.
"""

from __future__ import annotations

import argparse
import json
import pathlib
import shutil
import sys
from collections import Counter

ROOT = pathlib.Path(__file__).resolve().parent.parent
PACKAGE = "overrides/openrouter_generations"
EQUIVALENT = pathlib.Path(__file__).with_name("equivalent.txt")
# mutmut's verdicts (mutmut.stats.status_by_exit_code). A mutant that makes the tests run past
# mutmut's time limit is noticed as surely as one that fails them: mutmut counts it as caught, and
# so does the score here. A mutant no test reaches ("no tests") is one no test notices: a survivor.
KILLED = {"killed", "timeout", "caught by type check"}
SURVIVED = {"survived", "no tests"}


def equivalent_mutants() -> dict[str, str]:
    """`name  # why` lines of equivalent.txt: mutants no test can tell from the code."""
    listed: dict[str, str] = {}
    for line in EQUIVALENT.read_text(encoding="utf-8").splitlines():
        name, _, why = line.partition("#")
        if name.strip():
            listed[name.strip()] = why.strip()
    return listed


def patch_mutant_names() -> None:
    import mutmut.__main__ as main
    import mutmut.mutation.file_mutation as file_mutation
    import mutmut.utils.format_utils as format_utils

    path_named = format_utils.get_mutant_name

    def import_named(relative_source_path: pathlib.Path, mutant_method_name: str) -> str:
        return path_named(relative_source_path, mutant_method_name).removeprefix("overrides.")

    for module in (format_utils, file_mutation, main):
        assert module.get_mutant_name is path_named, f"mutmut changed: {module.__name__}.get_mutant_name"
        module.get_mutant_name = import_named  # type: ignore[attr-defined]


def run_mutmut(module: str | None, tests: list[str]) -> None:
    from mutmut.configuration import config

    cfg = config()
    if module:
        cfg.only_mutate = [f"{PACKAGE}/{module.removesuffix('.py')}.py"]
    if tests:
        cfg.pytest_add_cli_args_test_selection = tests
    patch_mutant_names()
    import mutmut.__main__ as main

    try:
        main.cli(["run"])
    except SystemExit as exit_:
        if exit_.code not in (0, None):
            raise


def report(module: str | None) -> int:
    from mutmut.mutation.diff_apply import get_diff_for_mutant
    from mutmut.stats import status_by_exit_code

    equivalent = equivalent_mutants()
    seen: set[str] = set()
    rows = []
    survivors: list[tuple[str, pathlib.Path]] = []
    for meta in sorted((ROOT / "mutants" / PACKAGE).rglob("*.py.meta")):
        source = meta.relative_to(ROOT / "mutants").with_suffix("")
        if module and _module_path(source) != module.removesuffix(".py"):
            continue
        codes = json.loads(meta.read_text())["exit_code_by_key"]
        counts: Counter[str] = Counter()
        for name, code in codes.items():
            verdict = status_by_exit_code[code]
            if name in equivalent:
                seen.add(name)
                counts["equivalent"] += 1
                if verdict in KILLED:
                    print(f"equivalent.txt lists {name}, but a test kills it now: remove the line")
            elif verdict in KILLED:
                counts["killed"] += 1
            elif verdict in SURVIVED:
                counts["survived"] += 1
                survivors.append((name, source))
            else:
                counts["other"] += 1  # not checked, suspicious, a crash
                survivors.append((name, source))
        judged = counts["killed"] + counts["survived"] + counts["other"]
        if judged or counts["equivalent"]:
            rows.append((_module_path(source), judged, counts, 100.0 * counts["killed"] / judged if judged else 100.0))

    for name, source in survivors:
        print(get_diff_for_mutant(name, path=source).rstrip() or name)
        print()
    print(f"{'module':<24} {'mutants':>7} {'killed':>6} {'survived':>8} {'other':>5} {'equiv.':>6} {'score':>7}")
    for name, judged, counts, score in rows:
        print(
            f"{name:<24} {judged:>7} {counts['killed']:>6} {counts['survived']:>8} {counts['other']:>5} "
            f"{counts['equivalent']:>6} {score:>6.1f}%"
        )
    killed, judged = sum(r[2]["killed"] for r in rows), sum(r[1] for r in rows)
    if len(rows) > 1 and judged:
        print(f"{'all':<16} {judged:>7} {killed:>6} {'':>8} {'':>5} {'':>6} {100.0 * killed / judged:>6.1f}%")
    stale = sorted(n for n in equivalent if n not in seen and (not module or f".{_dotted(module)}." in n))
    for name in stale:
        print(f"equivalent.txt lists {name}, which this run did not make: update the list")
    return 0


def _module_path(source: pathlib.Path) -> str:
    """`cli/_run` for overrides/openrouter_generations/cli/_run.py: the form --module takes."""
    return source.relative_to(PACKAGE).with_suffix("").as_posix()


def _dotted(module: str) -> str:
    return module.removesuffix(".py").replace("/", ".")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--module", help="one module of the package, e.g. _body (default: all)")
    parser.add_argument("--tests", nargs="*", default=[], help="the test files to run (default: pyproject's)")
    args = parser.parse_args()
    import os

    os.chdir(ROOT)
    shutil.rmtree(ROOT / "mutants", ignore_errors=True)
    run_mutmut(args.module, args.tests)
    return report(args.module)


if __name__ == "__main__":
    sys.exit(main())
