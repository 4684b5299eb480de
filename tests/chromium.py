"""Find a Chromium that runs, for the browser tests and the Makefile's `browser` target.

Order: the BOOK_CHROMIUM environment variable, then Chromium or Chrome on PATH, then the
places Debian and GitHub's Ubuntu runners install them. A candidate counts only if
`--version` succeeds, because on Ubuntu 24.04 `chromium-browser` is a snap wrapper script
that exists but cannot run outside snap. Standard library only, so that it runs before the
project's venv exists and under any user.

    python3 tests/chromium.py   # prints the path, or explains and exits 1
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys

ENV_VAR = "BOOK_CHROMIUM"
NAMES_ON_PATH = ("chromium", "chromium-browser", "google-chrome-stable", "google-chrome")
KNOWN_PATHS = (
    "/usr/bin/chromium",  # Debian's chromium package
    "/usr/lib/chromium/chromium",
    "/usr/local/share/chromium/chrome-linux/chrome",  # GitHub's Ubuntu runner images
    "/opt/google/chrome/chrome",
)


def runs(path: str) -> bool:
    """True if `path` is an executable browser that answers `--version`."""
    if not (os.path.isfile(path) and os.access(path, os.X_OK)):
        return False
    try:
        result = subprocess.run(
            [path, "--version"], capture_output=True, text=True, timeout=30, check=False
        )
    except (OSError, subprocess.TimeoutExpired):
        return False
    return result.returncode == 0 and ("Chromium" in result.stdout or "Chrome" in result.stdout)


def candidates() -> list[str]:
    """Every place a browser may be, in the order they are tried."""
    found = [os.environ[ENV_VAR]] if os.environ.get(ENV_VAR) else []
    found += [p for p in (shutil.which(n) for n in NAMES_ON_PATH) if p]
    return found + list(KNOWN_PATHS)


def find_chromium() -> str | None:
    """The first candidate that runs, or None. A BOOK_CHROMIUM that does not run is an error
    rather than a silent fallback: whoever set it meant that browser."""
    explicit = os.environ.get(ENV_VAR)
    if explicit:
        if not runs(explicit):
            raise RuntimeError(f"{ENV_VAR}={explicit} does not run (`--version` failed)")
        return explicit
    return next((path for path in candidates() if runs(path)), None)


def main() -> int:
    try:
        path = find_chromium()
    except RuntimeError as error:
        print(error, file=sys.stderr)
        return 1
    if path is None:
        print(
            "No Chromium found: install Debian's chromium package, or set "
            f"{ENV_VAR} to a Chromium or Chrome executable. Tried: " + ", ".join(candidates()),
            file=sys.stderr,
        )
        return 1
    print(path)
    return 0


if __name__ == "__main__":
    sys.exit(main())
