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
# Columns of a table whose value is a key into references.bib (an empty optional cell names
# none): the loader checks them as foreign keys, the build's fingerprints hash what they cite.
SOURCE_FIELDS = ("source", "support_source", "corroborated_by", "counter_source")
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


# The field types and constraints the loader reads (frontierbook.data fixes how each type is
# spelled); Frictionless knows more, which the book would not check as strictly.
FIELD_TYPES = ("string", "integer", "number", "boolean", "date", "year")
_CONSTRAINTS = {
    "required": bool,
    "unique": bool,
    "enum": list,
    "pattern": str,
    "minimum": (int, float),
    "maximum": (int, float),
    "minLength": int,
    "maxLength": int,
}
_NAME = re.compile(r"[a-z][a-z0-9_]*")
_FIELD_NAME = re.compile(r"[A-Za-z][A-Za-z0-9_]*")
PROVENANCE_COLUMNS = ("source", "kind", "note")


def _check_descriptor(package: object, shown: str) -> None:
    """The shape the book relies on, every part named: resources, fields, types,
    constraints and keys. Frictionless checks the data against it when it validates."""
    if not isinstance(package, dict) or not isinstance(package.get("resources"), list):
        raise InputError(f"{shown}: expected an object with a 'resources' list")
    names: set[str] = set()
    fields_of: dict[str, set[str]] = {}
    for index, resource in enumerate(package["resources"]):
        where = f"{shown}, resources[{index}]"
        if not isinstance(resource, dict):
            raise InputError(f"{where}: expected an object")
        for key in ("name", "path"):
            if not isinstance(resource.get(key), str) or not resource[key]:
                raise InputError(f"{where}: '{key}' is missing or not a string")
        name, path = resource["name"], resource["path"]
        if not _NAME.fullmatch(name):
            raise InputError(
                f"{where}: name {name!r} must be lower-case letters, digits and '_', "
                "like 'v3_stages'"
            )
        where = f"{shown}, resource '{name}'"
        if name in names:
            raise InputError(f"{where}: a second resource with this name")
        names.add(name)
        # Only a plain file name: a path could publish any file on the machine.
        if not re.fullmatch(r"[a-z0-9_]+\.csv", path):
            raise InputError(f"{where}: path {path!r} must be a file name like 'events.csv'")
        schema = resource.get("schema")
        fields = schema.get("fields") if isinstance(schema, dict) else None
        if not isinstance(fields, list) or not fields:
            raise InputError(f"{where}: 'schema.fields' is missing or empty")
        fields_of[name] = _check_fields(fields, where)
        missing = [c for c in PROVENANCE_COLUMNS if c not in fields_of[name]]
        if missing:
            raise InputError(f"{where}: every table needs the columns {', '.join(missing)}")
    for resource in package["resources"]:
        _check_keys(resource, fields_of, f"{shown}, resource '{resource['name']}'")


def _check_fields(fields: list, where: str) -> set[str]:
    seen: set[str] = set()
    for field in fields:
        if not isinstance(field, dict) or not isinstance(field.get("name"), str):
            raise InputError(f"{where}: every field needs a 'name'")
        name = field["name"]
        at = f"{where}, field {name!r}"
        if not _FIELD_NAME.fullmatch(name):
            raise InputError(f"{at}: a field name is letters, digits and '_', like 'gpu_hours'")
        if name in seen:
            raise InputError(f"{at}: a second field with this name")
        seen.add(name)
        kind = field.get("type", "string")
        if kind not in FIELD_TYPES:
            raise InputError(f"{at}: type {kind!r} is not one of {', '.join(FIELD_TYPES)}")
        constraints = field.get("constraints", {})
        if not isinstance(constraints, dict):
            raise InputError(f"{at}: 'constraints' must be an object")
        for key, value in constraints.items():
            expected = _CONSTRAINTS.get(key)
            if expected is None:
                raise InputError(
                    f"{at}: unknown constraint {key!r} (known: {', '.join(_CONSTRAINTS)})"
                )
            if not isinstance(value, expected) or isinstance(value, bool) != (expected is bool):
                raise InputError(f"{at}: constraint {key!r} has the wrong type ({value!r})")
        if constraints.get("enum") == []:
            raise InputError(f"{at}: constraint 'enum' lists no values")
        if "pattern" in constraints:
            try:
                re.compile(constraints["pattern"])
            except re.error as exc:
                raise InputError(
                    f"{at}: constraint 'pattern' is not a valid pattern: {exc}"
                ) from None
        low, high = constraints.get("minimum"), constraints.get("maximum")
        if low is not None and high is not None and low > high:
            raise InputError(f"{at}: minimum {low} is above maximum {high}")
    return seen


def _key_fields(value: object, at: str) -> list[str]:
    fields = [value] if isinstance(value, str) else value
    if not isinstance(fields, list) or not fields or not all(isinstance(f, str) for f in fields):
        raise InputError(f"{at}: expected a field name or a list of them")
    return fields


def _check_keys(resource: dict, fields_of: dict[str, set[str]], where: str) -> None:
    schema, own = resource["schema"], fields_of[resource["name"]]
    if "primaryKey" in schema:
        for name in _key_fields(schema["primaryKey"], f"{where}, primaryKey"):
            if name not in own:
                raise InputError(f"{where}, primaryKey: no field named {name!r}")
    foreign_keys = schema.get("foreignKeys", [])
    if not isinstance(foreign_keys, list):
        raise InputError(f"{where}, foreignKeys: expected a list")
    for index, fk in enumerate(foreign_keys):
        at = f"{where}, foreignKeys[{index}]"
        reference = fk.get("reference") if isinstance(fk, dict) else None
        if not isinstance(reference, dict):
            raise InputError(f"{at}: expected 'fields' and a 'reference' object")
        for name in _key_fields(fk.get("fields"), at):
            if name not in own:
                raise InputError(f"{at}: no field named {name!r}")
        target = reference.get("resource") or resource["name"]
        if target not in fields_of:
            raise InputError(f"{at}: no resource named {target!r}")
        for name in _key_fields(reference.get("fields"), f"{at}, reference"):
            if name not in fields_of[target]:
                raise InputError(f"{at}: resource {target!r} has no field named {name!r}")


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
