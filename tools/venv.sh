#!/usr/bin/env bash
# Make .venv current: what every `make` target that needs the book's packages runs first.
#
# The interpreter: PYTHON if set (make book PYTHON=python3.12); else the one .venv already
# has; else the first of python3, python3.13, python3.12, python3.11 that runs and is a
# supported version. Nothing is installed until that is settled: an unsupported or missing
# Python stops here with one line. A .venv made with another Python is made again.
#
# Installing: one line saying what and how long, pip's output in .venv/install.log, and on
# failure one line with pip's last error and the log's path. When .venv is current (the
# stamp is newer than requirements.txt and pyproject.toml, with the same Python), it prints
# nothing.
set -euo pipefail
cd "$(dirname "$0")/.."

SUPPORTED=(3.11 3.12 3.13)
CANDIDATES=(python3 python3.13 python3.12 python3.11)
VENV=${VENV:-.venv}
STAMP=$VENV/.installed-requirements
LOG=$VENV/install.log
WANTED="Python 3.11, 3.12 or 3.13"

fail() {
  echo "make: $*" >&2
  exit 1
}

# "3.12" if $1 runs as Python; fails otherwise (a pyenv shim for a version not enabled, say).
version_of() {
  "$1" -c 'import sys; print("%d.%d" % sys.version_info[:2])' 2>/dev/null
}

supported() {
  local version
  for version in "${SUPPORTED[@]}"; do
    [ "$1" = "$version" ] && return 0
  done
  return 1
}

venv_version=""
if [ -e "$VENV/bin/python" ]; then
  venv_version=$(version_of "$VENV/bin/python") || venv_version="none"
fi

python=""
version=""
if [ -n "${PYTHON:-}" ]; then
  command -v "$PYTHON" >/dev/null || fail "PYTHON=$PYTHON: no such command; the book needs $WANTED"
  version=$(version_of "$PYTHON") ||
    fail "PYTHON=$PYTHON does not run ($("$PYTHON" --version 2>&1 | head -n 1 || true)); the book needs $WANTED"
  supported "$version" || fail "PYTHON=$PYTHON is Python $version; the book needs $WANTED"
  python=$PYTHON
elif [ -n "$venv_version" ] && supported "$venv_version"; then
  version=$venv_version
else
  tried=()
  for candidate in "${CANDIDATES[@]}"; do
    if found=$(version_of "$candidate"); then
      if supported "$found"; then
        python=$candidate
        version=$found
        break
      fi
      tried+=("$candidate is $found")
    elif command -v "$candidate" >/dev/null; then
      tried+=("$candidate does not run")
    else
      tried+=("no $candidate")
    fi
  done
  if [ -z "$python" ]; then
    summary=$(printf '%s, ' "${tried[@]}")
    summary=${summary%, }
    fail "no $WANTED found ($summary); install one, or name it: make book PYTHON=/path/to/python3.12"
  fi
fi

if [ "$venv_version" = "$version" ] && [ "$STAMP" -nt requirements.txt ] &&
  [ "$STAMP" -nt pyproject.toml ]; then
  exit 0
fi

first_run=""
if [ -n "$venv_version" ] && [ "$venv_version" != "$version" ]; then
  echo "make: .venv was made with Python $venv_version; making it again with Python $version"
  rm -rf "$VENV"
fi
if [ ! -e "$VENV/bin/python" ]; then
  "$python" -c 'import venv, ensurepip' 2>/dev/null ||
    fail "$python (Python $version) cannot create a virtual environment; install its venv module (Debian and Ubuntu: apt install python$version-venv)"
  "$python" -m venv "$VENV" || fail "$python -m venv $VENV failed"
  first_run=1
fi

# The pins that apply to this Python: lines without a marker, and those naming its version.
count=$(grep -E '^[A-Za-z0-9].*==' requirements.txt | grep -cE "^[^;]*\$|\"$version\"")
if [ -n "$first_run" ]; then
  echo "make: installing $count packages into .venv with Python $version (first run: a few minutes; log: $LOG)..."
else
  echo "make: requirements.txt or pyproject.toml changed; updating .venv (Python $version)..."
fi

# On a terminal, one line that pip's log keeps current: how many packages are fetched.
show_progress() {
  local fetched
  while sleep 2; do
    if grep -q '^Installing collected packages' "$LOG" 2>/dev/null; then
      printf '\r\033[K  all %s fetched; installing...' "$count"
    else
      fetched=$(grep -c '^Collecting' "$LOG" 2>/dev/null || true)
      printf '\r\033[K  %s of %s fetched...' "${fetched:-0}" "$count"
    fi
  done
}

started=$SECONDS
ticker=""
if [ -t 1 ]; then
  show_progress &
  ticker=$!
fi
status=0
"$VENV/bin/python" -m pip install --disable-pip-version-check --progress-bar off \
  -r requirements.txt >"$LOG" 2>&1 || status=$?
if [ -n "$ticker" ]; then
  kill "$ticker"
  wait "$ticker" 2>/dev/null || true
  printf '\r\033[K'
fi
if [ "$status" -ne 0 ]; then
  reason=$(grep -E '^ERROR: ' "$LOG" | tail -n 1 | cut -c 8-200)
  fail "installing requirements.txt with Python $version failed: ${reason:-see the log}. pip's output: $LOG"
fi
echo "$version" >"$STAMP"
echo "make: .venv is ready ($((SECONDS - started)) s)"
