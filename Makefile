# Two commands on a fresh machine:  make book  and  make test.
# Each creates .venv from requirements.txt first if it is missing or out of date, with
# Python 3.11, 3.12 or 3.13: the one named by PYTHON (make book PYTHON=python3.12), else
# the one .venv has, else the first found (tools/venv.sh).
SHELL := /bin/bash
.SHELLFLAGS := -eo pipefail -c
.DEFAULT_GOAL := book

VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-requirements
export PYTHON VENV
# Kernels and Jupyter data come from the venv, never from a user's own Jupyter setup.
export JUPYTER_DATA_DIR := $(CURDIR)/$(VENV)/share/jupyter
export JUPYTER_PLATFORM_DIRS := 1
export MPLBACKEND := Agg
export PYDEVD_DISABLE_FILE_VALIDATION := 1

.PHONY: bench book book-full diff pdf test test-fast lint format venv lock browser fonts msgfmt clean serve linkcheck gallery lab gettext translation-status FORCE

# tools/venv.sh decides whether .venv is current (it prints nothing then) and stops, before
# installing anything, if no supported Python is found.
$(STAMP): FORCE
	@tools/venv.sh

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
	@$(BIN)/python -m sitebuilder

# The same from scratch: forget every cached execution and the notebooks' wheel.
book-full: $(STAMP) fonts
	$(BIN)/python -m sitebuilder --full

# What this checkout changes for readers, against BASE (a git ref; default: main): every
# number in the text whose value changed (old -> new, page, provenance), every changed chart
# old beside new, scorecard verdicts, the pages whose text changed. Builds BASE in
# _build/diff-base (its cache kept between runs) and this checkout, then writes
# _build/diff/index.html and _build/diff/summary.md (sitebuilder.diff).
BASE ?= main
diff: $(STAMP) fonts
	$(BIN)/python -m sitebuilder.diff --base "$(BASE)"

# The whole book as one PDF, _build/html/book.pdf, linked from every page's download menu:
# Chromium prints the built HTML with the site's print stylesheet, offline (see
# sitebuilder.pdf). Apart from `make book`, which needs no browser; printed again only when
# the HTML changed. CI publishes it; `make test` builds and reads it.
pdf: book browser
	$(BIN)/python -m sitebuilder.pdf

# Every chart at desktop and phone width with its alt text, for review (never published).
gallery: book
	$(BIN)/python -m sitebuilder.gallery

# A Chromium for the browser tests and the PDF, found by tests/chromium.py (BOOK_CHROMIUM,
# then PATH, then known places), and poppler's pdftotext, which reads the PDF back; never a
# browser downloaded at run time. Only root, only when one is missing and BOOK_CHROMIUM is
# unset, installs Debian's packages; anyone else gets an error.
# Standard library only, so it runs before .venv exists: the Python named by PYTHON, or python3.
FINDER_PYTHON = $(or $(PYTHON),python3)
browser:
	@{ $(FINDER_PYTHON) tests/chromium.py && command -v pdftotext; } >/dev/null 2>&1 || { \
	  if [ -z "$${BOOK_CHROMIUM:-}" ] && [ "$$(id -u)" -eq 0 ] && command -v apt-get >/dev/null; then \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq \
	      chromium fonts-dejavu-core fonts-liberation poppler-utils >/dev/null; fi; }
	@command -v pdftotext >/dev/null || { echo "pdftotext is missing: install poppler-utils" >&2; exit 1; }
	@$(FINDER_PYTHON) tests/chromium.py

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

# GNU gettext's msgfmt, which checks the translation catalogues (tests/test_editions.py): as
# with the browser, only root on Debian installs it, when it is missing.
msgfmt:
	@command -v msgfmt >/dev/null || { \
	  if [ "$$(id -u)" -eq 0 ] && command -v apt-get >/dev/null; then \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq gettext >/dev/null; \
	  else echo "msgfmt not found: install GNU gettext (Debian: apt-get install gettext)"; exit 1; fi; }

# The translation templates of the book as it is now (_build/gettext/*.pot), merged into every
# edition's catalogues (locales/<language>/LC_MESSAGES/*.po): new text arrives untranslated,
# changed text fuzzy. A new edition: make gettext LANGUAGES=xx. See the README.
gettext: book
	$(BIN)/python -m sitebuilder.catalogues extract
	$(BIN)/python -m sitebuilder.catalogues update $(LANGUAGES)

# What each edition still lacks: untranslated, fuzzy and missing entries, per catalogue.
translation-status: $(STAMP) msgfmt
	$(BIN)/python -m sitebuilder.catalogues check

# The chapters' code cells too (MyST Markdown, which ruff does not read itself):
# tests/chapter_code.py hands them to ruff and reports problems at their chapter line.
lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/python tests/chapter_code.py

# Formats the chapters' code and saves each chapter as JupyterLab would (jupytext.toml).
format: $(STAMP)
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .
	$(BIN)/python tests/chapter_code.py --fix

# Everything: lint, unit tests, and the tests marked `build` (they build the book once and
# share it; see tests/conftest.py). CI runs this. Two workers (pytest-xdist), one per core;
# a module's tests stay on one worker so its browser visits and builds are shared, and the
# longest modules go first (tests/conftest.py).
test: $(STAMP) lint browser fonts msgfmt
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

# Re-pin requirements.txt after editing requirements.in, for every supported Python (needs
# the package registry and one interpreter of each version; tools/lock.py).
LOCK_PYTHONS ?= python3.11 python3.12 python3.13
lock:
	python3 tools/lock.py $(LOCK_PYTHONS)

clean:
	rm -rf _build

# Build benchmark: ours against Jupyter Book's defaults; a few minutes.
# Then what each page of the built book transfers to a phone.
bench: $(STAMP) browser
	$(BIN)/python bench/bench.py --runs 3
	$(BIN)/python -m sitebuilder
	$(BIN)/python bench/page_weight.py
