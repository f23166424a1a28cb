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

.PHONY: all demo test pytest lint typecheck generate check-generated wheel bench official-surface clean

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

## test: everything CI checks.
test: check-generated lint typecheck pytest

pytest: $(STAMP)
	$(BIN)/python -m pytest

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
	rm -rf $(VENV) $(BENCH_VENV) $(DEMO_VENV) dist build .mypy_cache .pytest_cache .ruff_cache
