# The two commands of the README: `make lab` and `make test`. Both set everything up on a fresh
# machine (a local .venv, the system packages the tests need) and are safe to run again.

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: lab test setup kernel lab-settings system-deps lint bench repl clean labextension

# JupyterLab on the tutorials (the first one open), with the Kedis kernel installed in .venv. LAB_ARGS passes options
# (e.g. LAB_ARGS="--no-browser --port 8899").
lab: setup
	$(BIN)/jupyter lab --notebook-dir=notebooks $$([ "$$(id -u)" = 0 ] && echo --allow-root) \
		$(LAB_ARGS) notebooks/00-welcome.ipynb

test: setup
	$(BIN)/ruff check kedis tests benchmarks tools
	KEDIS_REQUIRE_REDIS=1 $(BIN)/python -m pytest

setup: $(STAMP) kernel lab-settings system-deps

# The kernelspec goes into .venv (share/jupyter/kernels/kedis), where .venv's Jupyter finds it,
# and the editor's Kedis language (the prebuilt labextension) into share/jupyter/labextensions.
kernel: $(STAMP)
	$(BIN)/python -m kedis.kernel install --sys-prefix

# For developers who change labextension/ only (the others never need node): rebuild
# kedis/labextension/ with node and npm, then install it. Commit the new build with its source.
labextension: $(STAMP)
	$(BIN)/python tools/build_labextension.py
	$(BIN)/python -m kedis.kernel install --sys-prefix

# JupyterLab's settings for everyone who uses .venv's Lab: no "official Jupyter news?" question
# (nor a check for updates) over the first tutorial on first open.
LAB_OVERRIDES := $(VENV)/share/jupyter/lab/settings/overrides.json
lab-settings: $(STAMP)
	mkdir -p $(dir $(LAB_OVERRIDES))
	printf '%s\n' '{"@jupyterlab/apputils-extension:notification": {"fetchNews": "false", "checkForUpdates": false}}' > $(LAB_OVERRIDES)

repl: setup
	$(BIN)/kedis

# The venv is (re)built when pyproject.toml changes; pip installs the project in editable mode.
$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

# Debian's redis-server and redis-tools are the oracle of the differential tests; Debian's
# Chromium is the browser of the widget tests (Playwright's own browser download cannot work here).
system-deps:
	@missing=""; \
	command -v redis-server >/dev/null || missing="$$missing redis-server"; \
	command -v redis-cli >/dev/null || missing="$$missing redis-tools"; \
	command -v chromium >/dev/null || missing="$$missing chromium"; \
	if [ -n "$$missing" ]; then \
		echo "installing$$missing with apt-get"; \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing; \
	fi

lint: setup
	$(BIN)/ruff check kedis tests benchmarks tools

bench: setup
	$(BIN)/python benchmarks/engine.py
	$(BIN)/python benchmarks/kernel.py
	$(BIN)/python benchmarks/widgets.py
	$(BIN)/python benchmarks/persistence.py
	$(BIN)/python benchmarks/server.py
	$(BIN)/python benchmarks/expiry.py

clean:
	rm -rf $(VENV) .pytest_cache .hypothesis build *.egg-info
