# The two commands of the README: `make lab` and `make test`. Both set everything up on a fresh
# machine (a local .venv, the system packages the tests need) and are safe to run again.

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: lab test setup system-deps lint bench clean

lab: setup
	@echo "Kedis REPL: type HELP, or quit with Ctrl-D (the Jupyter kernel comes with the next issue)."
	$(BIN)/kedis

test: setup
	$(BIN)/ruff check kedis tests benchmarks tools
	KEDIS_REQUIRE_REDIS=1 $(BIN)/python -m pytest

setup: $(STAMP) system-deps

# The venv is (re)built when pyproject.toml changes; pip installs the project in editable mode.
$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

# Debian's redis-server and redis-tools are the oracle of the differential tests.
system-deps:
	@if ! command -v redis-server >/dev/null || ! command -v redis-cli >/dev/null; then \
		echo "installing redis-server and redis-tools with apt-get"; \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq redis-server redis-tools; \
	fi

lint: setup
	$(BIN)/ruff check kedis tests benchmarks tools

bench: setup
	$(BIN)/python benchmarks/engine.py

clean:
	rm -rf $(VENV) .pytest_cache .hypothesis build *.egg-info
