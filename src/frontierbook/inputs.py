"""The one reader of each shared input file: ``data/datapackage.json`` and ``references.bib``.

Each is parsed once per process and read again only when the file changes (its size or
modification time), so a long-running Jupyter kernel sees an edited bibliography.

Every problem with an input is raised as :class:`InputError` (or its subclass
:class:`frontierbook.data.DataError` for a table): its message names the file and the line,
entry, row or column at fault and is meant to be printed as it is, without a traceback.
"""

from __future__ import annotations

import json
import os
import re
from functools import lru_cache
from pathlib import Path

from frontierbook.paths import BIB_PATH, DATA_DIR, ROOT

# How close to the original each bibliography entry is, best first: the document itself (a
# paper, filing, rule or official statement); a reputable outlet's own report; a reprint,
# aggregator or summary. A secondary entry says in TIER_REASON_FIELD why nothing better was
# used.
TIERS = ("primary", "press", "secondary")
TIER_FIELD = "tier"
TIER_REASON_FIELD = "tiernote"


class InputError(ValueError):
    """An input file (a table, ``datapackage.json``, ``references.bib``) is wrong.

    The message names the file and where in it; print it without a traceback.
    """


def shown_path(path: Path | str) -> str:
    """The path as a maintainer sees it: relative to the repository (or its data folder's
    parent, for a copy elsewhere)."""
    # abspath, not resolve: a symlink is shown under its own name, not its target's.
    path = Path(os.path.abspath(path))
    for base in (ROOT, path.parent.parent):
        try:
            return path.relative_to(Path(os.path.abspath(base))).as_posix()
        except ValueError:
            continue
    return str(path)


def _stamp(path: Path) -> tuple[str, int, int]:
    try:
        stat = path.stat()
    except FileNotFoundError:
        raise InputError(f"{shown_path(path)}: file not found") from None
    return str(path), stat.st_mtime_ns, stat.st_size


def descriptor(data_dir: Path = DATA_DIR) -> dict:
    """The data package descriptor, ``data/datapackage.json``.

    Raises :class:`InputError` naming the file, and the line and column of a JSON error.
    """
    return _read_descriptor(*_stamp(Path(data_dir) / "datapackage.json"))


def _reject_duplicate_keys(pairs: list[tuple[str, object]]) -> dict:
    keys = [k for k, _ in pairs]
    repeated = sorted({k for k in keys if keys.count(k) > 1})
    if repeated:
        raise ValueError(f"key {repeated[0]!r} appears twice in one object")
    return dict(pairs)


def _read_utf8(path: str, shown: str) -> str:
    try:
        return Path(path).read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        raise InputError(f"{shown}: not valid UTF-8 at byte {exc.start}") from None


@lru_cache(maxsize=8)
def _read_descriptor(path: str, mtime_ns: int, size: int) -> dict:
    shown = shown_path(path)
    text = _read_utf8(path, shown)
    try:
        package = json.loads(text, object_pairs_hook=_reject_duplicate_keys)
    except json.JSONDecodeError as exc:
        raise InputError(f"{shown}, line {exc.lineno}, column {exc.colno}: {exc.msg}") from None
    except ValueError as exc:
        raise InputError(f"{shown}: {exc}") from None
    _check_descriptor(package, shown)
    return package


def _check_descriptor(package: object, shown: str) -> None:
    """The shape the book relies on; Frictionless checks the rest when it validates."""
    if not isinstance(package, dict) or not isinstance(package.get("resources"), list):
        raise InputError(f"{shown}: expected an object with a 'resources' list")
    names: set[str] = set()
    for index, resource in enumerate(package["resources"]):
        where = f"{shown}, resources[{index}]"
        if not isinstance(resource, dict):
            raise InputError(f"{where}: expected an object")
        for key in ("name", "path"):
            if not isinstance(resource.get(key), str) or not resource[key]:
                raise InputError(f"{where}: '{key}' is missing or not a string")
        name, path = resource["name"], resource["path"]
        where = f"{shown}, resource '{name}'"
        if name in names:
            raise InputError(f"{where}: a second resource with this name")
        names.add(name)
        # Only a plain file name: a path could publish any file on the machine.
        if not re.fullmatch(r"[a-z0-9_]+\.csv", path):
            raise InputError(f"{where}: path {path!r} must be a file name like 'events.csv'")
        fields = resource.get("schema", {}).get("fields")
        if not isinstance(fields, list) or not fields:
            raise InputError(f"{where}: 'schema.fields' is missing or empty")
        for field in fields:
            if not isinstance(field, dict) or not isinstance(field.get("name"), str):
                raise InputError(f"{where}: every field needs a 'name'")


def bibliography(bib_path: Path = BIB_PATH) -> dict:
    """Citation key -> pybtex entry, in file order.

    Raises :class:`InputError` naming the file and the line or entry of a syntax error,
    a repeated key or a repeated field, or an entry whose ``tier`` is missing or unknown, or
    that is ``secondary`` without a ``tiernote`` giving the reason.
    """
    return _read_bibliography(*_stamp(Path(bib_path)))


def _line_of_entry(text: str, key: str, occurrence: int) -> int | None:
    pattern = re.compile(r"@\w+\s*[{(]\s*" + re.escape(key) + r"\s*,", re.IGNORECASE)
    matches = list(pattern.finditer(text))
    if len(matches) <= occurrence:
        return None
    return text.count("\n", 0, matches[occurrence].start()) + 1


@lru_cache(maxsize=8)
def _read_bibliography(path: str, mtime_ns: int, size: int) -> dict:
    from pybtex.database import BibliographyDataError, parse_string
    from pybtex.scanner import PybtexSyntaxError

    shown = shown_path(path)
    text = _read_utf8(path, shown)
    try:
        entries = dict(parse_string(text, bib_format="bibtex").entries)
    except PybtexSyntaxError as exc:
        message = exc.args[0] if exc.args else exc.error_type
        raise InputError(f"{shown}, line {exc.lineno}: {message}") from None
    except BibliographyDataError as exc:
        message = str(exc)
        found = re.search(r"repeated bibliography entry: (\S+)", message)
        if found:
            line = _line_of_entry(text, found.group(1), 1)
            where = f", line {line}" if line else ""
            raise InputError(
                f"{shown}{where}, entry '{found.group(1)}': the key is used twice"
            ) from None
        found = re.search(r"entry with key (\S+) has a duplicate (\S+) field", message)
        if found:
            line = _line_of_entry(text, found.group(1), 0)
            where = f", line {line}" if line else ""
            raise InputError(
                f"{shown}{where}, entry '{found.group(1)}': field '{found.group(2)}' twice"
            ) from None
        raise InputError(f"{shown}: {message}") from None
    _check_tiers(entries, text, shown)
    return entries


def _check_tiers(entries: dict, text: str, shown: str) -> None:
    """Every entry says how close to the original the copy we read is, and a secondary
    copy says why nothing better was used."""
    for key, entry in entries.items():
        line = _line_of_entry(text, key, 0)
        where = f"{shown}{f', line {line}' if line else ''}, entry '{key}'"
        tier = entry.fields.get(TIER_FIELD, "").strip()
        if not tier:
            raise InputError(f"{where}: no '{TIER_FIELD}' field; give one of {', '.join(TIERS)}")
        if tier not in TIERS:
            raise InputError(
                f"{where}: unknown {TIER_FIELD} {tier!r}; expected one of {', '.join(TIERS)}"
            )
        if tier == "secondary" and not entry.fields.get(TIER_REASON_FIELD, "").strip():
            raise InputError(
                f"{where}: a secondary source needs a '{TIER_REASON_FIELD}' field saying why "
                "no primary or press copy was used"
            )


def source_tiers(bib_path: Path = BIB_PATH) -> dict[str, str]:
    """Citation key -> its tier: ``primary``, ``press`` or ``secondary`` (see :data:`TIERS`)."""
    return {key: entry.fields[TIER_FIELD].strip() for key, entry in bibliography(bib_path).items()}


def bib_keys(bib_path: Path = BIB_PATH) -> tuple[str, ...]:
    """Citation keys defined in the bibliography, in file order."""
    return tuple(bibliography(bib_path))
