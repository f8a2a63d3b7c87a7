# story digest: two commands do all set-up on a fresh machine.
#   make run   creates .venv, installs the project and writes the 2016-09-18 digest of the bundled story
#   make test  installs the test tools (and Debian's chromium for the browser test), runs `make lint`
#              (ruff + mypy) and every test
#   make lock  refreshes the lock files in requirements/ (UPGRADE=1: newest versions pyproject allows)
# Installs come from the lock files (exact versions and hashes), never from a fresh resolution.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
CONFIG ?= config/syria-ceasefire.toml
DATE   ?= 2016-09-18
LOCK   := requirements
# quiet pip (errors only: a locked, hash-checked install has nothing else worth reading), no
# version nag; --no-deps: the lock files are complete, so pip installs exactly them and resolves
# nothing (a resolution would reach for new releases, which hash mode refuses); --use-pep517 builds the few source-only packages the modern way (Debian's pip
# otherwise prints its legacy 'setup.py install' deprecation notice)
PIP    := $(BIN)/python -m pip --quiet --quiet --disable-pip-version-check --no-input
HASHED := install --require-hashes --no-deps --use-pep517
UV_VERSION := 0.13.8
LOCK_ARGS  := --universal --python-version 3.11 --generate-hashes --no-strip-extras --quiet $(if $(UPGRADE),--upgrade)

.PHONY: run test install install-test chromium lint lock bench bench-scale clean

run: $(VENV)/.installed
	$(BIN)/digest run --config $(CONFIG) --date $(DATE)

test: $(VENV)/.installed-test chromium lint
	$(BIN)/python -m pytest

install: $(VENV)/.installed
install-test: $(VENV)/.installed-test

$(VENV)/.installed: pyproject.toml $(LOCK)/app.txt $(LOCK)/build.txt
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(PIP) $(HASHED) -r $(LOCK)/build.txt
	$(PIP) $(HASHED) -r $(LOCK)/app.txt
	$(PIP) install --no-deps --no-build-isolation -e .
	touch $@

$(VENV)/.installed-test: pyproject.toml $(LOCK)/test.txt $(VENV)/.installed
	$(PIP) $(HASHED) -r $(LOCK)/test.txt
	touch $@

# Refresh the lock files from pyproject.toml: versions already locked are kept unless UPGRADE=1
# (then run `make test`). One resolution for every platform and Python >= 3.11 (uv --universal).
lock:
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(PIP) install uv==$(UV_VERSION)
	$(BIN)/uv pip compile pyproject.toml $(LOCK_ARGS) -o $(LOCK)/app.txt
	$(BIN)/uv pip compile pyproject.toml --extra test $(LOCK_ARGS) -c $(LOCK)/app.txt -o $(LOCK)/test.txt
	$(BIN)/uv pip compile $(LOCK)/build.in $(LOCK_ARGS) -c $(LOCK)/app.txt -o $(LOCK)/build.txt

# Debian's chromium renders the HTML digest in the browser tests. Installed when missing and we
# can (root, or passwordless sudo); otherwise those tests skip with a reason.
chromium:
	@command -v chromium >/dev/null 2>&1 || command -v chromium-browser >/dev/null 2>&1 || { \
	  if [ "$$(id -u)" = 0 ]; then SUDO=; elif sudo -n true 2>/dev/null; then SUDO="sudo -n"; else \
	    echo "note: chromium is not installed and cannot be installed here; browser tests will skip"; exit 0; fi; \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq --no-install-recommends chromium fonts-liberation >/dev/null \
	    || echo "note: could not install chromium; browser tests will skip"; }

lint: $(VENV)/.installed-test
	$(BIN)/ruff check digest flows tests bench
	$(BIN)/mypy digest flows

bench: $(VENV)/.installed-test
	$(BIN)/python -m bench.summ_eval

bench-scale: $(VENV)/.installed-test
	$(BIN)/python -m bench.scale

clean:
	rm -rf out .pytest_cache
