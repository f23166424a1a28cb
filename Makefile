# The maintainer's commands. Everything runs from the project venv, which the first target that
# needs it creates from requirements-dev.txt (pinned), so a fresh machine needs only python3.

PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
SPEC   ?= openapi.yaml
CONFIG ?= generator-config.yml
GENERATED := generated/openrouter_generations_client
BENCH_VENV := .venv-bench
# The demo's own venv: the package and its [cli] extra only, not the dev set.
DEMO_VENV  := .venv-demo

# The generator runs the pinned ruff from the venv (its post-hooks, see generator-config.yml).
GENERATE = PATH="$(abspath $(BIN)):$$PATH" $(abspath $(BIN))/openapi-python-client generate \
	--path "$(1)" --config "$(CONFIG)" --meta none --fail-on-warning --overwrite --output-path "$(2)"

.PHONY: all demo test checks pytest pytest-versions lint typecheck generate check-generated wheel publish bench \
	official-surface mutation clean

all: test

$(STAMP): requirements-dev.txt pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -r requirements-dev.txt
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --no-deps --no-build-isolation -e .
	touch $@

## demo: the command line's tour against the shipped fake OpenRouter (no key, no network).
demo: $(DEMO_VENV)/.installed
	$(DEMO_VENV)/bin/python examples/demo.py

$(DEMO_VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(DEMO_VENV)
	$(DEMO_VENV)/bin/python -m pip install --quiet --disable-pip-version-check -e '.[cli]'
	touch $@

## test: everything CI checks. The suite under the other Pythons runs beside the static checks,
## then the whole suite under $(PYTHON) alone, as its load and timing tests want the machine.
test:
	$(MAKE) --no-print-directory -j --output-sync=target checks pytest-versions
	$(MAKE) --no-print-directory pytest

checks: check-generated lint typecheck

pytest: $(STAMP)
	$(BIN)/python -m pytest

# The classifiers' other Pythons, each in a venv with only what the tests need (requirements-test.txt,
# at the versions requirements-dev.txt pins), each under a time zone far from UTC so that a date
# read as local time fails. The packaging, drift and load tests are $(PYTHON)'s only: they test
# the build and the machine, not the language; so are the four tests on a real clock (test_real_*),
# whose budgets of a few hundred ms the parallel runs here would make flaky.
EXTRA_PYTHONS ?= 3.12 3.13
TZ_3.12 := America/St_Johns
TZ_3.13 := Pacific/Kiritimati
ONE_VERSION_ONLY := --ignore=tests/test_packaging.py --ignore=tests/test_generated_drift.py -k "not test_real_" \
	--deselect=tests/test_retries_e2e.py::test_a_newly_generated_operation_gets_the_same_retries \
	--deselect=tests/test_transport_faults.py::test_500_concurrent_async_calls \
	--deselect=tests/test_transport_faults.py::test_500_concurrent_async_calls_on_the_clients_own_pool_then_aclose_leaves_no_socket
# python3.X from PATH, else pyenv's (whose shim answers only for the versions it was told to use).
find-python = $(firstword $(foreach p,$(shell command -v python$(1)) $(wildcard $(shell pyenv root 2>/dev/null)/versions/$(1).*/bin/python$(1)),$(shell "$(p)" -c "" >/dev/null 2>&1 && echo "$(p)")))

pytest-versions: $(foreach v,$(EXTRA_PYTHONS),pytest-$(v))

pytest-%: .venv-%/.installed
	TZ=$(TZ_$*) PYTHONPATH=overrides:generated .venv-$*/bin/python -m pytest -q -p no:cacheprovider $(ONE_VERSION_ONLY)

# Kept: make would otherwise delete them as the intermediates of pytest-%.
.PRECIOUS: .venv-%/.installed
.venv-%/.installed: requirements-test.txt requirements-dev.txt pyproject.toml
	@python="$(call find-python,$*)"; [ -n "$$python" ] || { echo "Python $* not found: install it, or run make test EXTRA_PYTHONS=" >&2; exit 1; }; \
	set -x; "$$python" -m venv .venv-$*
	.venv-$*/bin/python -m pip install --quiet --disable-pip-version-check -c requirements-dev.txt -r requirements-test.txt
	.venv-$*/bin/python -m pip install --quiet --disable-pip-version-check --no-deps --no-build-isolation -e .
	touch $@

lint: $(STAMP)
	$(BIN)/ruff check --no-cache .
	$(BIN)/ruff format --no-cache --check .

typecheck: $(STAMP)
	$(BIN)/mypy

## generate: regenerate generated/ from the spec. Commit the result with the spec change.
generate: $(STAMP)
	rm -rf $(GENERATED)
	$(call GENERATE,$(SPEC),$(GENERATED))

## check-generated: fail when generated/ is not what the spec and config produce.
check-generated: $(STAMP)
	@tmp=$$(mktemp -d) && \
	{ $(call GENERATE,$(SPEC),$$tmp/out) >$$tmp/log 2>&1 || { cat $$tmp/log; rm -rf $$tmp; exit 1; }; } && \
	if diff -r -u -x __pycache__ $(GENERATED) $$tmp/out >$$tmp/diff; then \
		echo "generated/ matches $(SPEC) and $(CONFIG)"; rm -rf $$tmp; \
	else \
		head -200 $$tmp/diff; rm -rf $$tmp; \
		echo "generated/ is out of date: run 'make generate' and commit the result" >&2; exit 1; \
	fi

## wheel: build sdist and wheel into dist/ and check their metadata.
wheel: $(STAMP)
	rm -rf dist
	$(BIN)/python -m build --no-isolation --outdir dist .
	$(BIN)/twine check --strict dist/*

## publish: upload dist/* with twine to the index the environment names: TWINE_REPOSITORY_URL (or a
## TWINE_REPOSITORY in ~/.pypirc) and TWINE_USERNAME / TWINE_PASSWORD. Without one, nothing is uploaded.
DIST ?= dist
publish: $(STAMP)
	@[ -n "$$TWINE_REPOSITORY_URL$$TWINE_REPOSITORY" ] || { \
		echo "make publish: no index named: set TWINE_REPOSITORY_URL (and TWINE_USERNAME, TWINE_PASSWORD); nothing was uploaded" >&2; exit 2; }
	@ls $(DIST)/*.whl $(DIST)/*.tar.gz >/dev/null 2>&1 || { \
		echo "make publish: no wheel and sdist in $(DIST)/: run make wheel first; nothing was uploaded" >&2; exit 2; }
	@log=$$(mktemp) && trap 'rm -f "$$log"' EXIT && \
	if $(BIN)/twine upload --verbose --non-interactive --disable-progress-bar $(DIST)/*.whl $(DIST)/*.tar.gz >"$$log" 2>&1; then \
		cat "$$log"; echo "make publish: uploaded $$(cd $(DIST) && echo *.whl *.tar.gz)"; \
	else \
		cat "$$log" >&2; \
		if grep -qE "409 Conflict|already" "$$log"; then \
			echo "make publish: refused: this version is already on the index; bump overrides/openrouter_generations/_version.py, then make wheel and make publish" >&2; \
		else \
			echo "make publish: the upload failed (twine's message above); check the index URL and credentials" >&2; \
		fi; exit 1; \
	fi

## mutation: mutmut over the hand-written package, each module against the tests mutation/tests.toml
## names for it; prints the survivors and the score per module, and fails under 90 %.
## Some modules: make mutation MODULE="_body cache"; other tests: make mutation MODULE=_body TESTS="tests/test_x.py"
mutation: $(STAMP)
	TZ=Pacific/Kiritimati $(BIN)/python mutation/run.py $(if $(MODULE),--module $(MODULE)) $(if $(TESTS),--tests $(TESTS))

## bench: per-call time, import time and size against bare httpx and the official SDK, and the
## figures of many ids at once (concurrency, a rate-limited batch, a warm cache), as figures.
bench: $(STAMP) $(BENCH_VENV)/.installed
	PYTHONPATH=. $(BIN)/python bench/bench.py
	PYTHONPATH=. $(BIN)/python bench/bulk.py

## official-surface: record the official SDK's signatures and errors (tests/data/official_sdk_surface.json).
official-surface: $(BENCH_VENV)/.installed
	$(BENCH_VENV)/bin/python bench/official_surface.py

# OpenRouter's official SDK, in a venv of its own, only to be measured against and read from.
$(BENCH_VENV)/.installed:
	$(PYTHON) -m venv $(BENCH_VENV)
	$(BENCH_VENV)/bin/python -m pip install --quiet --disable-pip-version-check openrouter==1.3.84 attrs
	touch $@

clean:
	rm -rf $(VENV) $(BENCH_VENV) $(DEMO_VENV) $(foreach v,$(EXTRA_PYTHONS),.venv-$(v)) dist build mutants .mypy_cache .pytest_cache .ruff_cache
