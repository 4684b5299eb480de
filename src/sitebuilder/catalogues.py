"""The translation catalogues: what a translator translates, and whether it is all done.

``python -m sitebuilder.catalogues extract`` (``make gettext``) writes the templates
(``.pot``) of every catalogue into ``_build/gettext/``, from the book as it is now:

- one per page, by Sphinx's gettext builder over the built book (figure captions come from
  the executed notebooks, so the book is built first): its paragraphs, headings, captions
  and glossary entries, each with its MyST roles (``{eval}``, ``{cite:p}``, ``{term}``) as
  written, which the translation keeps;
- ``frontierbook.pot``: what code draws (chart titles, axis labels, legends, alt text, table
  words, how a number was computed), extracted by Babel from the package and from the
  chapters' code cells (:func:`extract_myst_code`), marked with ``_()`` or ``N_()``;
- ``site.pot``: what the site builder writes into pages (:func:`sitebuilder.translation.site_text`);
- ``sphinx.pot`` and ``booktheme.pot``: the theme's own strings (pydata-sphinx-theme ships
  no Indonesian; sphinx-book-theme's Indonesian is overridden where it reads badly).

``python -m sitebuilder.catalogues update LANGUAGE`` (``make gettext`` runs it for every
edition; a new LANGUAGE starts an edition) merges them into ``locales/LANGUAGE/LC_MESSAGES/``
with sphinx-intl: new entries arrive empty, changed ones fuzzy, removed ones go.

``python -m sitebuilder.catalogues check`` (``make translation-status``; the tests run the
same checks) says, per catalogue, what is translated, fuzzy or untranslated (``msgfmt
--statistics``, which also checks every file's syntax), and which source strings have no
entry at all yet (run ``make gettext``).
"""

from __future__ import annotations

import argparse
import io
import re
import shutil
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from frontierbook.paths import ROOT
from sitebuilder.editions import SOURCE_LANGUAGE, catalogues, editions
from sitebuilder.layout import BuildPaths

CODE_DOMAIN = "frontierbook"
SITE_DOMAIN = "site"
# What marks a string for each catalogue: gettext's usual names, and the builder's helper.
CODE_KEYWORDS = {"_": None, "gettext": None, "N_": None, "pgettext": ((1, "c"), 2)}
SITE_KEYWORDS = {"site_text": (2,), "N_": None}


def pot_dir(root: Path) -> Path:
    return BuildPaths(root).build_dir / "gettext"


# ---- extraction


def _code_cells(text: str) -> Iterator[tuple[int, str]]:
    """(line number in the file of the cell's first line of code, code) of each code cell
    of a MyST Markdown notebook; a cell's ``:option:`` lines and YAML header are skipped."""
    from markdown_it import MarkdownIt

    for token in MarkdownIt("commonmark").parse(text):
        if token.type != "fence" or not token.info.startswith("{code-cell}") or not token.map:
            continue
        lines = token.content.split("\n")
        skip = 0
        if lines and lines[0].strip() == "---":
            skip = lines.index("---", 1) + 1 if "---" in lines[1:] else 0
        while skip < len(lines) and lines[skip].startswith(":"):
            skip += 1
        yield token.map[0] + 2 + skip, "\n".join(lines[skip:])


def extract_myst_code(fileobj, keywords, comment_tags, options) -> Iterator[tuple]:
    """A Babel extractor: the messages in a MyST Markdown notebook's code cells, with the
    line numbers of the ``.md`` file."""
    from babel.messages.extract import extract_python

    text = fileobj.read().decode("utf-8")
    for first_line, code in _code_cells(text):
        cell = io.BytesIO(code.encode("utf-8"))
        for lineno, funcname, message, comments in extract_python(
            cell, keywords, comment_tags, options
        ):
            yield first_line + lineno - 1, funcname, message, comments


def _catalogue(domain: str):
    from babel.messages.catalog import Catalog

    return Catalog(
        project="What Did DeepSeek Really Cost?",
        domain=domain,
        charset="utf-8",
        fuzzy=False,
        header_comment=f"# The {domain!r} catalogue of the book. Made by make gettext.",
    )


def _add(catalogue, found, path: str) -> None:
    for lineno, message, comments, context in found:
        catalogue.add(message, locations=[(path, lineno)], auto_comments=comments, context=context)


def code_catalogue(root: Path):
    """Everything the package's code and the chapters' code cells draw."""
    from babel.messages.extract import extract

    from sitebuilder.toc import notebook_sources

    root = Path(root)
    catalogue = _catalogue(CODE_DOMAIN)
    for path in sorted((root / "src" / "frontierbook").rglob("*.py")):
        with open(path, "rb") as source:
            found = extract("python", source, CODE_KEYWORDS, ["TRANSLATORS:"])
            _add(catalogue, found, path.relative_to(root).as_posix())
    for source_path in notebook_sources(root).values():
        with open(source_path, "rb") as source:
            found = extract(extract_myst_code, source, CODE_KEYWORDS, ["TRANSLATORS:"])
            _add(catalogue, found, source_path.relative_to(root).as_posix())
    for message, context, where in data_messages(root):
        catalogue.add(message, locations=[(where, 0)], context=context)
    return catalogue


def data_messages(root: Path) -> Iterator[tuple[str, str, str]]:
    """(text, context, file) of the data's words a reader sees: every title, description and
    unit in ``datapackage.json``, and the cells of the columns marked ``"translated"``."""
    import csv

    from frontierbook.i18n import DATAPACKAGE_CONTEXT, cell_context
    from frontierbook.inputs import descriptor

    data = Path(root) / "data"
    package = descriptor(data)
    for resource in package["resources"]:
        for item in [resource, *resource["schema"]["fields"]]:
            for key in ("title", "description", "unit"):
                if item.get(key):
                    yield item[key], DATAPACKAGE_CONTEXT, "data/datapackage.json"
        translated = [f["name"] for f in resource["schema"]["fields"] if f.get("translated")]
        if translated:
            with open(data / resource["path"], encoding="utf-8-sig", newline="") as table:
                for row in csv.DictReader(table):
                    for column in translated:
                        if row.get(column):
                            context = cell_context(resource["name"], column)
                            yield row[column], context, f"data/{resource['path']}"


def site_catalogue(root: Path):
    """What the site builder writes into pages."""
    from babel.messages.extract import extract

    root = Path(root)
    catalogue = _catalogue(SITE_DOMAIN)
    for path in sorted((root / "src" / "sitebuilder").rglob("*.py")):
        with open(path, "rb") as source:
            found = extract("python", source, SITE_KEYWORDS, ["TRANSLATORS:"])
            _add(catalogue, found, path.relative_to(root).as_posix())
    for caption in toc_captions(root):
        catalogue.add(caption, locations=[("_toc.yml", 0)])
    return catalogue


def toc_captions(root: Path) -> list[str]:
    """The captions of the table of contents' parts (the sidebar's headings)."""
    import yaml

    toc = yaml.safe_load((Path(root) / "_toc.yml").read_text(encoding="utf-8"))
    return [part["caption"] for part in toc.get("parts", []) if part.get("caption")]


def theme_catalogues() -> dict[str, object]:
    """The theme's strings: pydata-sphinx-theme's template, sphinx-book-theme's messages."""
    import pydata_sphinx_theme
    import sphinx_book_theme
    from babel.messages.pofile import read_po

    found = {}
    pydata = Path(pydata_sphinx_theme.__file__).parent / "locale" / "sphinx.pot"
    with open(pydata, "rb") as template:
        found["sphinx"] = read_po(template)
    book = Path(sphinx_book_theme.__file__).parent / "theme" / "sphinx_book_theme" / "static"
    # It ships no template: any of its catalogues lists the messages.
    any_language = sorted((book / "locales").glob("*/LC_MESSAGES/booktheme.po"))[0]
    with open(any_language, "rb") as messages:
        catalogue = read_po(messages)
    for message in catalogue:
        message.string = ""
    found["booktheme"] = catalogue
    return found


def _write_pot(catalogue, path: Path) -> None:
    from babel.messages.pofile import write_po

    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "wb") as out:
        write_po(out, catalogue, width=88, omit_header=False, sort_output=False)


def _book_title(root: Path) -> str:
    import yaml

    config = yaml.safe_load((Path(root) / "_config.yml").read_text(encoding="utf-8"))
    return config.get("title", "")


def extract_pages(root: Path) -> None:
    """Sphinx's gettext builder over the book, reading the executed chapters from the
    English edition's Jupyter cache (so ``make book`` first)."""
    from jupyter_book.sphinx import build_sphinx

    paths = BuildPaths(root)
    out = pot_dir(root)
    result = build_sphinx(
        str(root),
        str(out),
        noconfig=True,
        path_config=str(root / "_config.yml"),
        doctreedir=str(paths.build_dir / ".doctrees-gettext"),
        confoverrides={
            "external_toc_path": "_toc.yml",
            "latex_individualpages": False,
            "gettext_compact": False,
            "gettext_location": True,
            "gettext_uuid": False,
            # The catalogues' header names the book (Jupyter Book sets no project).
            "project": _book_title(root),
        },
        builder="gettext",
        freshenv=True,
        quiet=True,
    )
    if result != 0:
        raise SystemExit(f"the gettext build failed ({result})")


def extract_all(root: Path) -> Path:
    """Every ``.pot`` of the book into ``_build/gettext``; returns that folder."""
    out = pot_dir(root)
    shutil.rmtree(out, ignore_errors=True)
    extract_pages(root)
    _write_pot(code_catalogue(root), out / f"{CODE_DOMAIN}.pot")
    _write_pot(site_catalogue(root), out / f"{SITE_DOMAIN}.pot")
    for domain, catalogue in theme_catalogues().items():
        _write_pot(catalogue, out / f"{domain}.pot")
    return out


def update(root: Path, language: str) -> None:
    """Merge the templates into ``locales/<language>`` (sphinx-intl)."""
    if language == SOURCE_LANGUAGE:
        raise SystemExit("English is the source language: it has no catalogues")
    command = [sys.executable, "-m", "sphinx_intl", "update", "-p", str(pot_dir(root))]
    command += ["-d", str(Path(root) / "locales"), "-l", language, "-w", "88"]
    subprocess.run(command, check=True)
    for po in (Path(root) / "locales" / language / "LC_MESSAGES").rglob("*.po"):
        if po.stem not in theme_catalogues_names():
            _drop_format_flags(po)


def theme_catalogues_names() -> tuple[str, ...]:
    return ("sphinx", "booktheme")


def _drop_format_flags(po: Path) -> None:
    """Babel flags any text with a '%' or braces as a C or Python format string, and
    ``msgfmt --check`` then reads "40% of tasks" as a '% o' directive the translation must
    repeat. No string of the book is %-formatted, and braces are checked by the tests;
    the themes' strings are, so their catalogues keep their flags."""
    lines = []
    for line in po.read_text(encoding="utf-8").splitlines(keepends=True):
        if line.startswith("#, "):
            flags = [f for f in line[3:].strip().split(", ") if not f.endswith("-format")]
            if not flags:
                continue
            line = "#, " + ", ".join(flags) + "\n"
        lines.append(line)
    po.write_text("".join(lines), encoding="utf-8")


# ---- checks


@dataclass
class Statistics:
    """What ``msgfmt --statistics`` counts in one catalogue."""

    path: Path
    translated: int
    fuzzy: int
    untranslated: int
    error: str = ""

    @property
    def complete(self) -> bool:
        return not self.error and self.fuzzy == 0 and self.untranslated == 0


_COUNT = re.compile(r"(\d+) (translated|fuzzy|untranslated) (?:message|translation)")


def statistics(path: Path) -> Statistics:
    """``msgfmt --check --statistics`` of one ``.po`` file."""
    result = subprocess.run(
        ["msgfmt", "--check", "--statistics", "-o", "/dev/null", str(path)],
        capture_output=True,
        text=True,
    )
    counts = {kind: int(number) for number, kind in _COUNT.findall(result.stderr)}
    return Statistics(
        path,
        counts.get("translated", 0),
        counts.get("fuzzy", 0),
        counts.get("untranslated", 0),
        error=result.stderr.strip() if result.returncode else "",
    )


def _msgids(catalogue) -> set[tuple[str | None, str]]:
    return {(m.context, m.id) for m in catalogue if m.id and isinstance(m.id, str)}


def missing_entries(root: Path, language: str) -> dict[str, list[str]]:
    """Per code catalogue, the source strings it has no entry for (``make gettext`` adds
    them). Page catalogues are checked by the build itself (:mod:`.translation`)."""
    from babel.messages.pofile import read_po

    folder = Path(root) / "locales" / language / "LC_MESSAGES"
    missing = {}
    for domain, current in (
        (CODE_DOMAIN, code_catalogue(root)),
        (SITE_DOMAIN, site_catalogue(root)),
    ):
        path = folder / f"{domain}.po"
        have: set = set()
        if path.is_file():
            with open(path, "rb") as po:
                have = _msgids(read_po(po))
        absent = sorted(msgid for _context, msgid in _msgids(current) - have)
        if absent:
            missing[f"{domain}.po"] = absent
    return missing


def report(root: Path) -> int:
    """Print each catalogue's state; 1 if any edition is incomplete."""
    status = 0
    for edition in editions(root)[1:]:
        folder = Path(root) / "locales" / edition.language / "LC_MESSAGES"
        print(f"{edition.own_name} ({edition.language}):")
        for path in catalogues(root, edition.language):
            stats = statistics(path)
            status |= not stats.complete
            mark = "ok" if stats.complete else "INCOMPLETE"
            print(
                f"  {path.relative_to(folder)}: {stats.translated} translated, "
                f"{stats.fuzzy} fuzzy, {stats.untranslated} untranslated  {mark}"
                + (f"\n    {stats.error}" if stats.error else "")
            )
        for name, absent in missing_entries(root, edition.language).items():
            status = 1
            print(f"  {name}: {len(absent)} source string(s) with no entry: run make gettext")
    return status


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("extract", help="write every .pot into _build/gettext")
    updating = sub.add_parser("update", help="merge the .pot files into locales/LANGUAGE")
    updating.add_argument("languages", nargs="*", help="default: every edition's")
    sub.add_parser("check", help="each catalogue's statistics; exit 1 if any is incomplete")
    args = parser.parse_args(argv)
    if args.command == "extract":
        print(f"wrote the templates into {extract_all(ROOT).relative_to(ROOT)}")
        return 0
    if args.command == "update":
        for language in args.languages or [e.language for e in editions(ROOT)[1:]]:
            update(ROOT, language)
        return 0
    return report(ROOT)


if __name__ == "__main__":
    sys.exit(main())
