"""Build benchmark: ours against Jupyter Book's defaults, on the same sources, in one run.

usage: .venv/bin/python bench/bench.py [--runs 3] [--csv data/chips.csv]   (or: make bench)

Works in a scratch copy of the book, so your own _build is untouched. Measures (median of
--runs runs each, wall-clock seconds):
  cold       ours (`python -m sitebuilder --full`: parallel, all chapters) against
             `jupyter-book build --all` with execution forced (Jupyter Book's serial default)
  no-change  ours, rebuilding with nothing changed, against the floor: `jupyter-book build
             --all` reading every chapter's outputs from the Jupyter cache our cold build
             filled, so it executes nothing (the least any build of this book must do; with
             execution off the build fails, because the prose's numbers come from executed
             chapters)
  one-CSV    ours, after editing one CSV, against the floor plus the execution time of the
             chapters that re-executed
  stale      charts in the one-CSV rebuild that differ from a clean build of the same sources
  weight     site size and each page's HTML + images
  editions   a cold build of every edition (English and each translation in locales/)
             against a cold build of the English edition alone (the same copy without
             locales/), with the CPU seconds of each, which other work on the machine
             does not inflate; and which chapters the one-CSV rebuild re-executed in each
             language
and prints each ratio against its target.
"""

from __future__ import annotations

import argparse
import os
import re
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PYTHON = ROOT / ".venv" / "bin" / "python"
JB = ROOT / ".venv" / "bin" / "jupyter-book"


def copy_book(target: Path) -> Path:
    ignore = shutil.ignore_patterns(".venv", "_build", ".git", "__pycache__", "*.egg-info", "bench")
    shutil.copytree(ROOT, target, ignore=ignore)
    (target / ".venv").symlink_to(ROOT / ".venv")
    return target


CPU_SECONDS: list[float] = []  # of the last run(): user + system time of the whole tree


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def run(cmd: list[str], cwd: Path) -> tuple[float, str]:
    env = {**os.environ, "PYTHONPATH": str(cwd / "src"), "MPLBACKEND": "Agg"}
    cpu = _children_cpu()
    started = time.perf_counter()
    done = subprocess.run(cmd, cwd=cwd, env=env, capture_output=True, text=True)
    elapsed = time.perf_counter() - started
    CPU_SECONDS[:] = [_children_cpu() - cpu]
    if done.returncode != 0:
        sys.exit(f"{' '.join(cmd)} failed:\n{done.stdout[-3000:]}\n{done.stderr[-3000:]}")
    return elapsed, done.stdout + done.stderr


def config_variant(book: Path, mode: str) -> Path:
    """_config.yml with another execution mode, for the Jupyter Book reference builds."""
    text = (book / "_config.yml").read_text(encoding="utf-8")
    text = re.sub(r"execute_notebooks: \w+", f"execute_notebooks: {mode}", text)
    path = book / f"_config_{mode}.yml"
    path.write_text(text, encoding="utf-8")
    return path


def jb_build(book: Path, mode: str, out: str) -> tuple[float, str]:
    shutil.rmtree(book / out, ignore_errors=True)
    config = book / f"_config_{mode}.yml"  # written by config_variant before any timing
    return run(
        [str(JB), "build", "--all", "--config", str(config), "--path-output", out, "."], book
    )


def executed_seconds(log: str) -> float:
    """Execution time of the chapters a build ran, however it ran them (MyST-NB or ours).
    Ours validates the tables once before the chapters run (in a plain Jupyter Book build
    each chapter does it for itself), so that time counts as the chapters' too."""
    pattern = (
        r"(?:Executed notebook|frontierbook: validated the tables)"
        r" in ([\d.]+) seconds"
    )
    runs = [
        float(s)
        for line in re.findall(r"frontierbook: executed \S+ in (.*)", log)
        for s in re.findall(r"([\d.]+) s \(", line)
    ]
    return sum(float(s) for s in re.findall(pattern, log)) + sum(runs)


def executed_per_language(log: str) -> dict[str, set[str]]:
    """Language -> the chapters a build of ours executed in it."""
    found: dict[str, set[str]] = {}
    for docname, line in re.findall(r"frontierbook: executed (\S+) in (.*)", log):
        for language in re.findall(r"\((\w+)\)", line):
            found.setdefault(language, set()).add(docname)
    return found


def images(html: Path) -> dict[str, list[bytes]]:
    return {
        page.relative_to(html).as_posix(): [
            (page.parent / src).read_bytes()
            for src in re.findall(r'<img[^>]+src="([^"]+\.svg)"', page.read_text("utf-8"))
        ]
        for page in sorted(html.rglob("*.html"))
    }


def weight(html: Path) -> tuple[int, dict[str, int]]:
    total = sum(p.stat().st_size for p in html.rglob("*") if p.is_file())
    pages = {}
    for page in sorted(html.rglob("*.html")):
        srcs = set(re.findall(r'<img[^>]+src="([^"]+)"', page.read_text("utf-8")))
        pages[page.relative_to(html).as_posix()] = page.stat().st_size + sum(
            (page.parent / s).stat().st_size for s in srcs if (page.parent / s).is_file()
        )
    return total, pages


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawTextHelpFormatter
    )
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--csv", default="data/chips.csv", help="the CSV edited for one-CSV runs")
    args = parser.parse_args()
    ours = [str(PYTHON), "-m", "sitebuilder"]
    results: dict[str, list[float]] = {
        k: []
        for k in (
            "cold",
            "jb",
            "floor",
            "nochange",
            "csv",
            "csvbudget",
            "english",
            "cold_cpu",
            "english_cpu",
        )
    }
    executed_after_csv: set[str] = set()
    per_language: dict[str, set[str]] = {}
    with tempfile.TemporaryDirectory() as scratch:
        book = copy_book(Path(scratch) / "book")
        english = copy_book(Path(scratch) / "english")
        shutil.rmtree(english / "locales", ignore_errors=True)
        # Before any build: a file added between our cold build and its no-change rebuild
        # would count as a change.
        for mode in ("force", "cache"):
            config_variant(book, mode)
        csv = book / args.csv
        original = csv.read_text(encoding="utf-8")
        for i in range(args.runs):
            print(f"run {i + 1}/{args.runs}", flush=True)
            # Both cold builds start from a checkout with nothing built or remembered.
            shutil.rmtree(book / "_build", ignore_errors=True)
            seconds, _ = jb_build(book, "force", "_build_jb")
            results["jb"].append(seconds)
            seconds, _ = run([*ours, "--full"], book)
            results["cold"].append(seconds)
            results["cold_cpu"].append(CPU_SECONDS[0])
            shutil.rmtree(english / "_build", ignore_errors=True)
            seconds, _ = run([*ours, "--full"], english)
            results["english"].append(seconds)
            results["english_cpu"].append(CPU_SECONDS[0])
            seconds, log = jb_build(book, "cache", "_build_floor")
            assert executed_seconds(log) == 0, "the floor build executed a chapter"
            results["floor"].append(seconds)
            seconds, log = run(ours, book)
            results["nochange"].append(seconds)
            assert "nothing changed since the last build" in log, log[-2000:]
            # A real edit each run: append a space to one note, so the file's bytes change.
            csv.write_text(original.replace('"\n', ' "\n', i + 1), encoding="utf-8")
            seconds, log = run(ours, book)
            results["csv"].append(seconds)
            results["csvbudget"].append(results["floor"][-1] + executed_seconds(log))
            executed_after_csv = set(
                re.findall(r"executed \d+ chapter\(s\): (.*)", log)[-1].split(", ")
            )
            per_language = executed_per_language(log)
        incremental = images(book / "_build" / "html")
        run([*ours, "--full"], book)
        clean = images(book / "_build" / "html")
        stale = sum(
            1
            for page in clean
            for a, b in zip(clean[page], incremental.get(page, []), strict=False)
            if a != b
        ) + sum(abs(len(clean[p]) - len(incremental.get(p, []))) for p in clean)
        total, pages = weight(book / "_build" / "html")

    med = {k: statistics.median(v) for k, v in results.items()}
    print(f"\nMedian of {args.runs} runs (seconds) on {os.cpu_count()} cores\n")
    rows = [
        ("cold build, ours, every edition", med["cold"]),
        ("cold build, ours, English edition alone", med["english"]),
        ("  CPU seconds, every edition", med["cold_cpu"]),
        ("  CPU seconds, English edition alone", med["english_cpu"]),
        ("cold build, Jupyter Book default (serial, force)", med["jb"]),
        ("floor: Jupyter Book, every chapter cached", med["floor"]),
        ("no-change rebuild, ours", med["nochange"]),
        (f"one-CSV rebuild, ours ({args.csv})", med["csv"]),
        ("floor + chapters re-executed", med["csvbudget"]),
    ]
    for label, value in rows:
        print(f"  {label:<52} {value:7.1f}")
    print(f"\n  re-executed after editing {args.csv}: {', '.join(sorted(executed_after_csv))}")
    for language, chapters in sorted(per_language.items()):
        print(f"    in {language!r}: {', '.join(sorted(chapters))}")
    checks = [
        ("cold / JB default", med["cold"] / med["jb"], 0.6),
        ("no-change / floor", med["nochange"] / med["floor"], 1.25),
        ("one-CSV / (floor + re-executed)", med["csv"] / med["csvbudget"], 1.0),
        ("every edition / English alone", med["cold"] / med["english"], 1.6),
        ("  the same in CPU seconds", med["cold_cpu"] / med["english_cpu"], 1.6),
    ]
    print("\nRatios (target):")
    for label, ratio, target in checks:
        verdict = "ok" if ratio <= target else "MISSED"
        print(f"  {label:<34} {ratio:5.2f}  (<= {target})  {verdict}")
    print(
        f"  stale charts                       {stale:5d}  (0)  {'ok' if stale == 0 else 'MISSED'}"
    )
    fast = "ok" if med["nochange"] < 1.0 else "MISSED"
    print(f"  no-change rebuild (seconds)        {med['nochange']:5.2f}  (< 1)  {fast}")
    languages = sorted(per_language)
    same = len({frozenset(c) for c in per_language.values()}) <= 1 and len(languages) > 1
    print(f"  one-CSV: the same chapters in {', '.join(languages)}: {'ok' if same else 'MISSED'}")
    print(f"\nSite: {total / 1e6:.2f} MB")
    for page, size in sorted(pages.items(), key=lambda kv: -kv[1]):
        print(f"  {page:<40} {size / 1e3:7.0f} kB")


if __name__ == "__main__":
    main()
