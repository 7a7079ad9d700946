# The two quick-start commands: `make start` (validate, build, serve) and `make test`.
# Both create .venv and install the project on first use.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: start test check clean

$(BIN)/.installed: pyproject.toml
	@echo "setting up $(VENV) (first run only; needs PyPI)..."
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $@

start: $(BIN)/.installed
	$(BIN)/kb start --host $(HOST) --port $(PORT)

check: $(BIN)/.installed
	$(BIN)/kb check --strict

test: $(BIN)/.installed
	bash tests/ensure-chromium.sh
	bash tests/ensure-postgres.sh
	bash tests/ensure-axe.sh
	$(BIN)/python -m pytest -n 2 --dist loadfile

clean:
	rm -rf site .kb-index schemas
