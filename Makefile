# story digest: two commands do all set-up on a fresh machine.
#   make run   creates .venv, installs the project and writes the 2016-09-18 digest of the bundled story
#   make test  installs the test tools (and Debian's chromium for the browser test), runs `make lint`
#              (ruff + mypy) and every test
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
CONFIG ?= config/syria-ceasefire.toml
DATE   ?= 2016-09-18

.PHONY: run test install install-test chromium lint bench bench-scale clean

run: $(VENV)/.installed
	$(BIN)/digest run --config $(CONFIG) --date $(DATE)

test: $(VENV)/.installed-test chromium lint
	$(BIN)/python -m pytest

install: $(VENV)/.installed
install-test: $(VENV)/.installed-test

$(VENV)/.installed: pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -e .
	touch $@

$(VENV)/.installed-test: pyproject.toml $(VENV)/.installed
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -e '.[test]'
	touch $@

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
