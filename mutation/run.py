"""`make mutation`: mutmut over the hand-written package, module by module, then the scores.

    python mutation/run.py                      # every module, each against its tests
    python mutation/run.py --module _body       # one module, against its tests
    python mutation/run.py --module _body cache # these modules, each against its tests
    python mutation/run.py --module _body --tests tests/test_x.py ...

Each module is mutated on its own and judged by the test files `tests.toml` names for it. mutmut
runs, for each mutant, every selected test that called the mutated function: judged by the whole
suite, a mutant of a step every call takes would rerun some 1,500 tests, and the run would take
most of a day on a small machine. A module's own tests make it a run of minutes; the score is a
lower bound of the whole suite's. `tests.toml` lists every module of the package, so a new module
is held to the score the day it lands (tests/test_mutation_setup.py checks that).

The package lives in overrides/, not src/. mutmut copies the tree to mutants/ and the pytest
options in pyproject.toml ([tool.mutmut]) put mutants/overrides first on sys.path; here the
mutants are named for the module as it is imported (`openrouter_generations._body...`), not for
its path (`overrides.openrouter_generations._body...`), so that mutmut matches what the tests call
to the mutants it made. Each run starts from a clean mutants/: mutmut would otherwise keep a
survivor's verdict after the tests that now kill it were added.

The exit status is 1 when a module scores under the threshold (90 %), or when equivalent.txt
names a mutant that a test kills now or that the run no longer makes.
"""

from __future__ import annotations

import argparse
import json
import os
import pathlib
import shutil
import subprocess
import sys
import tomllib
from collections import Counter
from dataclasses import dataclass, field

ROOT = pathlib.Path(__file__).resolve().parent.parent
PACKAGE = "overrides/openrouter_generations"
EQUIVALENT = pathlib.Path(__file__).with_name("equivalent.txt")
TESTS = pathlib.Path(__file__).with_name("tests.toml")
THRESHOLD = 90.0
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


def tests_by_module() -> dict[str, list[str]]:
    """tests.toml: each module's test files (an empty list: the module has no function to mutate)."""
    with TESTS.open("rb") as file:
        return {module: list(tests) for module, tests in tomllib.load(file)["modules"].items()}


def package_modules() -> list[str]:
    return sorted(_module_path(path.relative_to(ROOT)) for path in (ROOT / PACKAGE).rglob("*.py"))


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


def run_mutmut(module: str, tests: list[str]) -> None:
    from mutmut.configuration import config

    cfg = config()
    cfg.only_mutate = [f"{PACKAGE}/{module}.py"]
    cfg.pytest_add_cli_args_test_selection = tests
    patch_mutant_names()
    import mutmut.__main__ as main

    try:
        main.cli(["run"])
    except SystemExit as exit_:
        if exit_.code not in (0, None):
            raise


@dataclass
class Tally:
    """One module's verdicts, equivalent mutants apart."""

    module: str
    counts: Counter[str] = field(default_factory=Counter)
    survivors: list[tuple[str, pathlib.Path]] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)

    @property
    def judged(self) -> int:
        return self.counts["killed"] + self.counts["survived"] + self.counts["other"]

    @property
    def score(self) -> float:
        return 100.0 * self.counts["killed"] / self.judged if self.judged else 100.0

    def row(self) -> str:
        c = self.counts
        return (
            f"{self.module:<24} {self.judged:>7} {c['killed']:>6} {c['timeout']:>7} {c['survived']:>8} "
            f"{c['other']:>5} {c['equivalent']:>6} {self.score:>6.1f}%"
        )


# "timeout": how many of the killed ran past the time limit.
HEADER = "module                   mutants killed timeout survived other equiv.   score"


def tally(module: str) -> Tally:
    """Reads the verdicts of the run that just ended from mutants/."""
    from mutmut.stats import status_by_exit_code

    equivalent = equivalent_mutants()
    result = Tally(module)
    seen: set[str] = set()
    meta = ROOT / "mutants" / PACKAGE / f"{module}.py.meta"
    codes = json.loads(meta.read_text())["exit_code_by_key"] if meta.exists() else {}
    source = meta.relative_to(ROOT / "mutants").with_suffix("")
    for name, code in codes.items():
        verdict = status_by_exit_code[code]
        if name in equivalent:
            seen.add(name)
            result.counts["equivalent"] += 1
            if verdict in KILLED:
                result.problems.append(f"equivalent.txt lists {name}, but a test kills it now: remove the line")
        elif verdict in KILLED:
            result.counts["killed"] += 1
            result.counts["timeout"] += verdict == "timeout"  # shown apart: a loaded machine can cause one
        else:
            result.counts["survived" if verdict in SURVIVED else "other"] += 1  # other: not checked, a crash
            result.survivors.append((name, source))
    prefix = f"openrouter_generations.{module.replace('/', '.')}."
    for name in sorted(n for n in equivalent if n.startswith(prefix) and n not in seen):
        result.problems.append(f"equivalent.txt lists {name}, which this run did not make: update the list")
    return result


def report(result: Tally) -> None:
    from mutmut.mutation.diff_apply import get_diff_for_mutant

    for name, source in result.survivors:
        print(get_diff_for_mutant(name, path=source).rstrip() or name)
        print()
    print(HEADER)
    print(result.row())
    for problem in result.problems:
        print(problem)


def run_one(module: str, tests: list[str]) -> Tally:
    shutil.rmtree(ROOT / "mutants", ignore_errors=True)
    run_mutmut(module, tests)
    result = tally(module)
    report(result)
    return result


def run_each(modules: list[str]) -> int:
    """Each module in a process of its own: mutmut keeps its settings and state per process."""
    listed = tests_by_module()
    unlisted = [module for module in modules if module not in listed]
    if unlisted:
        print(f"mutation/tests.toml does not list {', '.join(unlisted)}: add each with its test files")
        return 1
    results: list[Tally] = []
    for module in modules:
        if not listed[module]:
            print(f"{module}: no function to mutate (tests.toml lists no tests for it)\n")
            continue
        print(f"=== {module}: {' '.join(listed[module])}", flush=True)
        code = subprocess.run([sys.executable, __file__, "--module", module]).returncode  # noqa: S603 (this script)
        if code not in (0, 1):
            raise SystemExit(f"the run of {module} failed (exit status {code})")
        results.append(tally(module))
    print(HEADER)
    for result in results:
        print(result.row())
    killed = sum(r.counts["killed"] for r in results)
    judged = sum(r.judged for r in results)
    score = 100.0 * killed / max(judged, 1)
    print(f"{'all':<24} {judged:>7} {killed:>6} {'':>7} {'':>8} {'':>5} {'':>6} {score:>6.1f}%")
    return _verdict(results)


def _verdict(results: list[Tally]) -> int:
    under = [r.module for r in results if r.score < THRESHOLD]
    if under:
        print(f"under {THRESHOLD:.0f} %: {', '.join(under)}")
    return 1 if under or any(r.problems for r in results) else 0


def _module_path(source: pathlib.Path) -> str:
    """`cli/_run` for overrides/openrouter_generations/cli/_run.py: the form --module takes."""
    return source.relative_to(PACKAGE).with_suffix("").as_posix()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--module", nargs="*", default=[], help="e.g. _body cli/_run (default: every module)")
    parser.add_argument("--tests", nargs="*", default=[], help="one module's test files (default: tests.toml's)")
    args = parser.parse_args()
    os.chdir(ROOT)
    modules = [module.removesuffix(".py") for module in args.module] or package_modules()
    for module in modules:
        if module not in package_modules():
            parser.error(f"no module {module!r} in {PACKAGE}: one of {', '.join(package_modules())}")
    if len(modules) > 1:
        if args.tests:
            parser.error("--tests is for one module: each module's tests are in mutation/tests.toml")
        return run_each(modules)
    module = modules[0]
    tests = args.tests or tests_by_module().get(module, [])
    if not tests:
        parser.error(f"mutation/tests.toml lists no test files for {module}: give them with --tests")
    return _verdict([run_one(module, tests)])


if __name__ == "__main__":
    sys.exit(main())
