# The two commands of the README: `make run` and `make test`. Everything else is a helper.
PYTHON ?= python3
# tools/system-packages.sh asks which interpreter the venv is made from.
export PYTHON
VENV := .venv
# `make run` installs what the app needs at run time; the tools (pytest, mypy, PyInstaller...)
# come with the test extra, on the first `make test`, `lint`, `bench`, `build` or `deb`.
RUN_STAMP := $(VENV)/.installed-run
STAMP := $(VENV)/.installed-test
# make install: the current user's menu entry, icons and metainfo (XDG data folder).
DATA_HOME ?= $(or $(XDG_DATA_HOME),$(HOME)/.local/share)

.PHONY: run test lint bench build deb install uninstall clean

$(RUN_STAMP): pyproject.toml setup.py
	$(PYTHON) -m venv $(VENV)
	$(VENV)/bin/pip install -q --upgrade pip
	$(VENV)/bin/pip install -q -e .
	touch $(RUN_STAMP)

$(STAMP): $(RUN_STAMP)
	$(VENV)/bin/pip install -q -e '.[test]'
	touch $(STAMP)

run: $(RUN_STAMP)
	./tools/system-packages.sh runtime
	$(VENV)/bin/switchboard --demo

install: $(RUN_STAMP)
	./tools/system-packages.sh runtime
	$(VENV)/bin/python packaging/desktop_files.py install --share "$(DATA_HOME)" --bindir "$(abspath $(VENV))/bin"

uninstall:
	$(PYTHON) packaging/desktop_files.py uninstall --share "$(DATA_HOME)"

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

# dist/switchboard_<version>_<arch>.deb: the one-folder build in /opt/switchboard.
deb: build
	$(VENV)/bin/python packaging/deb.py dist/switchboard dist

clean:
	rm -rf $(VENV) build dist .mypy_cache .ruff_cache .pytest_cache
