# Two commands on a fresh machine:  make book  and  make test.
# Each creates .venv from requirements.txt first if it is missing or out of date.
SHELL := /bin/bash
.SHELLFLAGS := -eo pipefail -c
.DEFAULT_GOAL := book

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-requirements
# Kernels and Jupyter data come from the venv, never from a user's own Jupyter setup.
export JUPYTER_DATA_DIR := $(CURDIR)/$(VENV)/share/jupyter
export JUPYTER_PLATFORM_DIRS := 1
export MPLBACKEND := Agg
export PYDEVD_DISABLE_FILE_VALIDATION := 1

.PHONY: bench book book-full test test-fast lint format venv lock browser fonts clean serve linkcheck gallery lab

$(STAMP): requirements.txt pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -r requirements.txt
	@touch $@

# JupyterLab opens the chapters (MyST Markdown) as notebooks on a double-click: the
# repository's settings go where JupyterLab reads site-wide defaults (Binder: binder/postBuild).
LAB_SETTINGS := $(VENV)/share/jupyter/lab/settings/overrides.d/frontierbook.json
$(LAB_SETTINGS): jupyterlab/overrides.json $(STAMP)
	@mkdir -p $(@D)
	cp jupyterlab/overrides.json $@

venv: $(STAMP) $(LAB_SETTINGS)

# JupyterLab from the project venv, on this machine only; chapters open as notebooks. The
# loader remembers valid tables where the build does, so a rerun skips re-validating them.
lab: export FRONTIERBOOK_VALIDATED_DIR := $(CURDIR)/_build/.frontierbook/validated
lab: $(STAMP) $(LAB_SETTINGS)
	$(BIN)/jupyter lab --ServerApp.ip=127.0.0.1 $(if $(filter 0,$(shell id -u)),--allow-root)

# Re-executes exactly the chapters whose text, data or package code changed (all of them
# on a fresh checkout), in parallel, with warnings as errors (-W -n --keep-going).
# A failed build leaves no _build/html behind that could pass for a good one.
book: $(STAMP) fonts
	$(BIN)/python -m sitebuilder

# The same from scratch: forget every cached execution and the notebooks' wheel.
book-full: $(STAMP) fonts
	$(BIN)/python -m sitebuilder --full

# Every chart at desktop and phone width with its alt text, for review (never published).
gallery: book
	$(BIN)/python -m sitebuilder.gallery

# A Chromium for the browser tests, found by tests/chromium.py (BOOK_CHROMIUM, then PATH,
# then known places); never a browser downloaded at run time. Only root, only when none is
# found and BOOK_CHROMIUM is unset, installs Debian's package; anyone else gets an error.
browser:
	@$(PYTHON) tests/chromium.py >/dev/null 2>&1 || { \
	  if [ -z "$${BOOK_CHROMIUM:-}" ] && [ "$$(id -u)" -eq 0 ] && command -v apt-get >/dev/null; then \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq \
	      chromium fonts-dejavu-core fonts-liberation >/dev/null; fi; }
	@$(PYTHON) tests/chromium.py

# Fonts for chart text in any script (frontierbook.style): Noto Sans CJK, Noto Sans Arabic and
# Symbola (emoji in outline; matplotlib cannot draw colour emoji). Like `browser`, only root on
# Debian installs them, and only when one is missing; without them a chart still draws Latin
# text, and a data cell that needs them stops the build naming its file, row and column.
FONT_FILES := /usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc \
	/usr/share/fonts/truetype/noto/NotoSansArabic-Regular.ttf \
	/usr/share/fonts/truetype/ancient-scripts/Symbola_hint.ttf
fonts:
	@for f in $(FONT_FILES); do test -f "$$f" || missing=1; done; \
	if [ -n "$${missing:-}" ] && [ "$$(id -u)" -eq 0 ] && command -v apt-get >/dev/null; then \
	  echo "installing fonts for chart text in any script (fonts-noto-cjk fonts-noto-core fonts-symbola)"; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq \
	    fonts-noto-cjk fonts-noto-core fonts-symbola >/dev/null || true; fi

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: $(STAMP)
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

# Everything: lint, unit tests, and the tests marked `build` (they build the book once and
# share it; see tests/conftest.py). CI runs this. Two workers (pytest-xdist), one per core;
# a module's tests stay on one worker so its browser visits and builds are shared, and the
# longest modules go first (tests/conftest.py).
test: $(STAMP) lint browser fonts
	$(BIN)/pytest --numprocesses 2 --dist loadscope --no-loadscope-reorder --durations 10

# Unit tests only: no book build, no browser; seconds, for the edit-test loop.
test-fast: $(STAMP)
	$(BIN)/pytest -m "not build and not slow" -q --numprocesses 2

# Every external link in the book (the sources' URLs), through Sphinx's linkcheck builder
# (src/sitebuilder/linkcheck.py); the report is _build/linkcheck/output.txt. It needs
# the network, so `make test` does not run it; .github/workflows/links.yml runs it weekly.
linkcheck: book
	$(BIN)/python -m sitebuilder.linkcheck

serve: book
	$(BIN)/python -m http.server --bind 127.0.0.1 --directory _build/html 8000

# Re-pin requirements.txt after editing requirements.in (needs the package registry).
lock:
	rm -rf /tmp/frontierbook-lock && $(PYTHON) -m venv /tmp/frontierbook-lock
	/tmp/frontierbook-lock/bin/pip install --quiet -r requirements.in
	{ echo "# Generated by \`make lock\` from requirements.in: exact versions so a build next year gives the same book."; \
	  echo "# The book's own package, installed in editable mode so chapters import it in Jupyter and in the build."; \
	  echo "-e ."; /tmp/frontierbook-lock/bin/pip freeze --exclude-editable; } > requirements.txt

clean:
	rm -rf _build

# Build benchmark (issue 8): ours against Jupyter Book's defaults; a few minutes.
# Then what each page of the built book transfers to a phone (issue 17).
bench: $(STAMP) browser
	$(BIN)/python bench/bench.py --runs 3
	$(BIN)/python -m sitebuilder
	$(BIN)/python bench/page_weight.py
