# The two commands of the README: `make run` and `make test`. Everything else is a helper.
PYTHON ?= python3
# tools/system-packages.sh asks which interpreter the venv is made from.
export PYTHON
VENV := .venv
STAMP := $(VENV)/.installed

.PHONY: run test lint bench build clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(VENV)/bin/pip install -q --upgrade pip
	$(VENV)/bin/pip install -q -e '.[test]'
	touch $(STAMP)

run: $(STAMP)
	./tools/system-packages.sh runtime
	$(VENV)/bin/switchboard --demo

test: $(STAMP)
	./tools/system-packages.sh test
	./tools/run-tests.sh

lint: $(STAMP)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/mypy

bench: $(STAMP)
	./tools/system-packages.sh test
	$(VENV)/bin/python -m bench

build: $(STAMP)
	./tools/system-packages.sh build
	$(VENV)/bin/pyinstaller --noconfirm --clean app.spec

clean:
	rm -rf $(VENV) build dist .mypy_cache .ruff_cache .pytest_cache
