"""Bad input, grouped by what it breaks; each case names the file, the row and the column.

Everything here runs at the loader level (fast). Corruptions edit a named place in the
fixture package (tests/fixtures/package, copied by ``fixture_data``), never the book's own
rows, so an editor's fix to data/ cannot break them. Tests about the book's own package read
data/ or a copy of it (``data_copy``). What only a build can show (what reaches the site) is
in ``test_site_safety.py``.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable
from pathlib import Path

import pytest

from frontierbook.data import DataError, last_year, load_table, table_names, validate_all
from frontierbook.inputs import (
    TIERS,
    InputError,
    bib_keys,
    bibliography,
    descriptor,
    source_tiers,
)
from sitebuilder.publish import check_data_folder, publish_data, undeclared_data
from tests.fixture_tables import (
    Corrupt,
    blank_row,
    edit_row,
    in_order,
    insert_row,
    raw_cell,
    set_cell,
    swap_header,
    whole_file,
)


def _error(data: Path, table: str) -> DataError:
    with pytest.raises(DataError) as caught:
        load_table(table, data_dir=data, bib_path=data.parent / "references.bib")
    return caught.value


def _where(row: int | None, column: str | None) -> str:
    row_text = f"row {row}," if row is not None else "row - (whole file),"
    column_text = f"column '{column}'" if column else "column - (whole row)"
    return f"{row_text} {column_text}"


# (fixture table, corruption, row named, column named, words in the message). The fixture's
# models.csv has a header and three data rows (rows 2-4); note is its last column.
Case = tuple[str, Corrupt, int | None, str | None, str]

ENCODING: dict[str, Case] = {
    "Latin-1 byte in a cell": (
        "models",
        raw_cell(4, "model", b"Model Thr\xe0e"),
        4,
        "model",
        "UTF-8",
    ),
    "invalid byte in the header": (
        "models",
        raw_cell(1, "gpu_hours", b"gpu_h\xffurs"),
        1,
        "gpu_hours",
        "UTF-8",
    ),
    "UTF-16 file": (
        "models",
        whole_file(lambda b: b.decode("utf-8").encode("utf-16")),
        1,
        "model",
        "UTF-8",
    ),
    "truncated multi-byte character in the last cell": (
        "models",
        raw_cell(4, "note", b"Section " + "§".encode()[:1]),
        4,
        "note",
        "UTF-8",
    ),
    "NUL byte in a cell": (
        "models",
        set_cell(4, "note", "Hours\x00 times $2"),
        4,
        "note",
        "control character",
    ),
}

DIALECT: dict[str, Case] = {
    "semicolon-delimited file": (
        "models",
        whole_file(lambda b: b.replace(b",", b";")),
        1,
        None,
        "delimiter is ';'",
    ),
    "tab-delimited file": (
        "models",
        whole_file(lambda b: b.replace(b",", b"\t")),
        1,
        None,
        "delimiter is '\\t'",
    ),
    "pipe-delimited file": (
        "models",
        whole_file(lambda b: b.replace(b",", b"|")),
        1,
        None,
        "delimiter is '|'",
    ),
    "lone carriage returns as line ends": (
        "models",
        whole_file(lambda b: b.replace(b"\n", b"\r")),
        1,
        None,
        "carriage return",
    ),
    "unterminated quote": (
        "models",
        raw_cell(4, "note", b'"Hours times $2'),
        4,
        None,
        "not a valid CSV",
    ),
    "text after a closing quote": (
        "models",
        raw_cell(4, "note", b'"Hours" times $2'),
        4,
        None,
        "not a valid CSV",
    ),
    "a row with a cell too many": (
        "models",
        edit_row(4, lambda cells: cells.append("extra")),
        4,
        None,
        "extra cell",
    ),
    "a row with a cell too few": (
        "models",
        edit_row(4, lambda cells: cells.pop()),
        4,
        "note",
        "missing cell",
    ),
}

STRUCTURE: dict[str, Case] = {
    "columns in another order": (
        "models",
        swap_header("model", "developer"),
        1,
        "developer",
        "column out of place",
    ),
    "a header name repeated": (
        "models",
        set_cell(1, "kind", "source"),
        1,
        "kind",
        "column",
    ),
    "a blank header name": (
        "models",
        set_cell(1, "kind", ""),
        1,
        "kind",
        "column",
    ),
    "a blank row between data rows": (
        "models",
        blank_row(4),
        4,
        None,
        "blank",
    ),
    "an empty line between data rows, then a bad value": (
        "models",
        in_order(set_cell(4, "gpu_hours", "lots"), insert_row(4, [])),
        5,
        "gpu_hours",
        "whole number",
    ),
    "an empty line between data rows": (
        "models",
        insert_row(4, []),
        4,
        None,
        "blank row",
    ),
    "a repeated composite key": (
        "scores",
        set_cell(3, "benchmark", "AIME 2024"),
        3,
        "model, benchmark",
        "duplicate primary key",
    ),
    "a repeated unique id": (
        "chips",
        set_cell(3, "chip_id", "gpu-a"),
        3,
        "chip_id",
        "duplicate primary key",
    ),
    "a required cell left empty": (
        "models",
        set_cell(2, "developer", ""),
        2,
        "developer",
        "required",
    ),
}

TYPES: dict[str, Case] = {
    "a decimal in an integer column": (
        "models",
        set_cell(4, "gpu_hours", "5000.5"),
        4,
        "gpu_hours",
        "whole number",
    ),
    "digit separator _ in an integer": (
        "models",
        set_cell(3, "gpu_hours", "119_000"),
        3,
        "gpu_hours",
        "whole number",
    ),
    "thousands comma in a quoted number": (
        "models",
        set_cell(3, "cost_usd", "238,000"),
        3,
        "cost_usd",
        "finite number",
    ),
    "a space before a number": (
        "models",
        set_cell(3, "gpu_hours", " 119000"),
        3,
        "gpu_hours",
        "whole number",
    ),
    "a plus sign on a number": (
        "models",
        set_cell(3, "cost_usd", "+238000"),
        3,
        "cost_usd",
        "finite number",
    ),
    "inf in a number column": (
        "models",
        set_cell(3, "cost_usd", "inf"),
        3,
        "cost_usd",
        "no inf",
    ),
    "NaN in a number column": (
        "models",
        set_cell(3, "cost_usd", "NaN"),
        3,
        "cost_usd",
        "nan",
    ),
    "-Infinity in a number column": (
        "models",
        set_cell(3, "cost_usd", "-Infinity"),
        3,
        "cost_usd",
        "finite number",
    ),
    "a number too large for a float": (
        "models",
        set_cell(3, "cost_usd", "1e400"),
        3,
        "cost_usd",
        "infinite",
    ),
    "1 in a boolean column": (
        "chips",
        set_cell(3, "export_controlled", "1"),
        3,
        "export_controlled",
        "true or false",
    ),
    "yes in a boolean column": (
        "chips",
        set_cell(3, "export_controlled", "yes"),
        3,
        "export_controlled",
        "true or false",
    ),
    "TRUE in capitals in a boolean column": (
        "chips",
        set_cell(3, "export_controlled", "TRUE"),
        3,
        "export_controlled",
        "true or false",
    ),
    "a date without leading zeros": (
        "chips",
        set_cell(3, "announced", "2022-11-7"),
        3,
        "announced",
        "YYYY-MM-DD",
    ),
    "30 February": (
        "chips",
        set_cell(3, "announced", "2023-02-30"),
        3,
        "announced",
        "calendar date",
    ),
    "a day-first date": (
        "chips",
        set_cell(3, "announced", "07/11/2022"),
        3,
        "announced",
        "YYYY-MM-DD",
    ),
    "a date with a time": (
        "chips",
        set_cell(3, "announced", "2022-11-07T10:00"),
        3,
        "announced",
        "YYYY-MM-DD",
    ),
}

BOUNDS: dict[str, Case] = {
    "1e308 GPUs": (
        "models",
        set_cell(3, "cluster_gpus", "1e308"),
        3,
        "cluster_gpus",
        "whole number",
    ),
    "a count far above its maximum": (
        "models",
        set_cell(3, "cluster_gpus", "99999999"),
        3,
        "cluster_gpus",
        "maximum",
    ),
    "a count one above its maximum": (
        "models",
        set_cell(3, "cluster_gpus", "10000001"),
        3,
        "cluster_gpus",
        "maximum",
    ),
    "zero GPUs": (
        "models",
        set_cell(3, "cluster_gpus", "0"),
        3,
        "cluster_gpus",
        "minimum",
    ),
    "a percentage of 149%": (
        "scores",
        set_cell(2, "score_pct", "149"),
        2,
        "score_pct",
        "maximum",
    ),
    "a benchmark score just above 100%": (
        "scores",
        set_cell(3, "score_pct", "100.5"),
        3,
        "score_pct",
        "maximum",
    ),
    "an absurd chip throughput": (
        "chips",
        set_cell(2, "bf16_tflops", "989500000"),
        2,
        "bf16_tflops",
        "maximum",
    ),
    "a fraction above 1": (
        "models",
        set_cell(2, "utilisation", "1.4"),
        2,
        "utilisation",
        "maximum",
    ),
    "a date in 1900": (
        "chips",
        set_cell(3, "announced", "1900-11-07"),
        3,
        "announced",
        "date out of range",
    ),
    "a date in 2099": (
        "chips",
        set_cell(3, "withdrawn", "2099-10-17"),
        3,
        "withdrawn",
        "date out of range",
    ),
    "a name longer than its limit": (
        "chips",
        set_cell(3, "chip", "Accelerator B" + " x" * 40),
        3,
        "chip",
        "maxLength",
    ),
    "an id that breaks its pattern": (
        "chips",
        set_cell(3, "chip_id", "GPU B/2"),
        3,
        "chip_id",
        "pattern",
    ),
}

REFERENCES: dict[str, Case] = {
    "a source key in the wrong case": (
        "models",
        set_cell(4, "source", "Survey2025costs"),
        4,
        "source",
        "unknown reference",
    ),
    "a source key with a trailing space": (
        "models",
        set_cell(4, "source", "survey2025costs "),
        4,
        "source",
        "unknown reference",
    ),
    "two source keys in one cell": (
        "models",
        set_cell(4, "source", "survey2025costs; lab2024report"),
        4,
        "source",
        "unknown reference",
    ),
    "a kind outside the three allowed": (
        "scores",
        set_cell(2, "kind", "measured"),
        2,
        "kind",
        "enum",
    ),
}

INJECTION: dict[str, Case] = {
    f"free text starting with {start!r}": (
        "models",
        set_cell(4, "note", f"{start}Hours times $2"),
        4,
        "note",
        "formula",
    )
    for start in ("=", "+", "-", "@", "\t")
} | {
    "a formula in a quoted required text cell": (
        "models",
        raw_cell(2, "developer", b'"=1+1 Lab North"'),
        2,
        "developer",
        "formula",
    ),
    "a HYPERLINK formula in a table's name column": (
        "models",
        set_cell(4, "model", '=HYPERLINK("http://x","y")'),
        4,
        "model",
        "formula",
    ),
}

GROUPS = {
    "encoding": ENCODING,
    "dialect": DIALECT,
    "structure": STRUCTURE,
    "types": TYPES,
    "bounds": BOUNDS,
    "references": REFERENCES,
    "injection": INJECTION,
}
TABLE_CASES = [(group, name) for group, cases in GROUPS.items() for name in cases]


@pytest.mark.parametrize(("group", "case"), TABLE_CASES, ids=[f"{g}: {c}" for g, c in TABLE_CASES])
def test_bad_table_names_file_row_and_column(fixture_data: Path, group: str, case: str) -> None:
    table, corrupt, row, column, words = GROUPS[group][case]
    corrupt(fixture_data / f"{table}.csv")
    error = _error(fixture_data, table)
    message = str(error)
    assert isinstance(error, InputError)
    assert f"data/{table}.csv, {_where(row, column)}" in message, message
    assert words.lower() in message.lower(), message


# Legitimate data that must still load, exactly as written.
LEGITIMATE = {
    "accents": "Café Überlegung, naïve façade",
    "CJK": "深度求索 (DeepSeek) 技术报告",
    "right-to-left": "تقرير تقني — דו״ח טכני",
    "quoted commas and quotes": 'a, b, and "c"',
    "markup as text": "<script>alert(1)</script> & {{ x }}",
    "an equals sign after the first character": "E = mc², +5% and -3 later",
    "a line break inside a quoted cell": "first line\nsecond line",
    "a quote inside the text": 'the "GPU-hours" figure',
}


@pytest.mark.parametrize("case", list(LEGITIMATE))
def test_legitimate_text_loads_unchanged(fixture_data: Path, case: str) -> None:
    text = LEGITIMATE[case]
    quoted = '"' + text.replace('"', '""') + '"'
    raw_cell(4, "note", quoted.encode("utf-8"))(fixture_data / "models.csv")
    frame = load_table("models", fixture_data, fixture_data.parent / "references.bib")
    assert frame["note"].iloc[2] == text


@pytest.mark.parametrize("form", ["BOM", "CRLF", "BOM and CRLF"])
def test_bom_and_crlf_load_like_the_plain_file(fixture_data: Path, form: str) -> None:
    path = fixture_data / "chips.csv"  # dates, a boolean and a quoted cell
    plain = load_table("chips", fixture_data, fixture_data.parent / "references.bib")
    raw = path.read_bytes()
    if "CRLF" in form:
        raw = raw.replace(b"\n", b"\r\n")
    if "BOM" in form:
        raw = b"\xef\xbb\xbf" + raw
    path.write_bytes(raw)
    changed = load_table("chips", fixture_data, fixture_data.parent / "references.bib")
    assert list(changed.columns) == list(plain.columns)
    assert changed.astype(str).equals(plain.astype(str))


# The book's own tables, read as they are: what the chapters get from them.
def test_every_dtype_matches_its_schema_type() -> None:
    """Validation and pandas agree: a boolean column is boolean, never object of strings."""
    for name, frame in validate_all().items():
        for field in descriptor()["resources"][table_names().index(name)]["schema"]["fields"]:
            dtype = str(frame[field["name"]].dtype)
            expected = {
                "boolean": "boolean",
                "integer": "Int64",
                "number": "float64",
                "string": "string",
            }.get(field["type"])
            if field["type"] == "date":
                assert dtype.startswith("datetime64"), (name, field["name"], dtype)
            elif expected:
                assert dtype == expected, (name, field["name"], dtype)


# The book's own package: a bound or a date range the real schema forgets is not checked.
def test_every_number_is_bounded_and_every_date_is_recent() -> None:
    package = descriptor()
    for resource in package["resources"]:
        for field in resource["schema"]["fields"]:
            if field["type"] in ("number", "integer"):
                constraints = field.get("constraints", {})
                assert "minimum" in constraints, (resource["name"], field["name"])
                assert "maximum" in constraints, (resource["name"], field["name"])
    checked = []
    # Any resolution: pandas 3 reads these dates as datetime64[us], which "[ns]" never matched.
    for name, frame in validate_all().items():
        for column in frame.select_dtypes("datetime64").columns:
            years = frame[column].dropna().dt.year
            assert years.between(2015, last_year()).all(), (name, column)
            checked.append((name, column))
    assert ("events", "date") in checked


# --- the bibliography (the fixture's) ----------------------------------------------------

BIB_CASES = {
    "a missing closing brace": (
        lambda t: t.replace("}\n\n@", "\n\n@", 1),
        "references.bib, line",
        "expected",
    ),
    "a key used twice": (
        lambda t: t + "\n@misc{lab2024report,\n  title = {Again},\n}\n",
        "references.bib, line",
        "entry 'lab2024report': the key is used twice",
    ),
    "a field given twice in one entry": (
        lambda t: t.replace("@misc{lab2024report,", "@misc{lab2024report,\n  year = {1},", 1),
        "references.bib, line",
        "entry 'lab2024report': field 'year' twice",
    ),
    "an entry without a key": (
        lambda t: t + "\n@misc{,\n  title = {No key},\n}\n",
        "references.bib, line",
        "",
    ),
    "bytes that are not UTF-8": (
        lambda t: t.encode("utf-8") + b"\n% caf\xe9\n",
        "references.bib",
        "UTF-8",
    ),
}


@pytest.mark.parametrize("case", list(BIB_CASES))
def test_bad_bibliography_names_file_and_line(fixture_data: Path, case: str) -> None:
    change, where, words = BIB_CASES[case]
    bib = fixture_data.parent / "references.bib"
    changed = change(bib.read_text(encoding="utf-8"))
    if isinstance(changed, bytes):
        bib.write_bytes(changed)
    else:
        bib.write_text(changed, encoding="utf-8")
    with pytest.raises(InputError) as caught:
        bib_keys(bib)
    message = str(caught.value)
    assert where in message and words in message, message
    # The same error, not a pybtex traceback, when a chapter loads a table.
    with pytest.raises(InputError, match="references.bib"):
        load_table("chips", fixture_data, bib)


def _entry_line(text: str, key: str) -> int:
    return text[: text.index("{" + key + ",")].count("\n") + 1


TIER_CASES = {
    "an entry without a tier": (
        lambda t: t.replace("  tier         = {press},\n", "", 1),
        "lab2024report",
        "no 'tier' field; give one of primary, press, secondary",
    ),
    "an unknown tier": (
        lambda t: t.replace("tier         = {press}", "tier         = {newswire}", 1),
        "lab2024report",
        "unknown tier 'newswire'; expected one of primary, press, secondary",
    ),
    "a tier in capitals": (
        lambda t: t.replace("tier         = {primary}", "tier         = {Primary}", 1),
        "vendor2023specs",
        "unknown tier 'Primary'",
    ),
    "a secondary source without a reason": (
        lambda t: t.replace(
            "  tiernote     = {Invented: the surveyed reports are not in the fixture.},\n", ""
        ),
        "survey2025costs",
        "a secondary source needs a 'tiernote' field",
    ),
    "a secondary source with an empty reason": (
        lambda t: t.replace("{Invented: the surveyed reports are not in the fixture.}", "{  }"),
        "survey2025costs",
        "a secondary source needs a 'tiernote' field",
    ),
}


@pytest.mark.parametrize("case", list(TIER_CASES))
def test_bad_tier_names_the_entry_and_its_line(fixture_data: Path, case: str) -> None:
    change, key, words = TIER_CASES[case]
    bib = fixture_data.parent / "references.bib"
    changed = change(bib.read_text(encoding="utf-8"))
    assert changed != bib.read_text(encoding="utf-8"), "the edit did not apply"
    bib.write_text(changed, encoding="utf-8")
    with pytest.raises(InputError) as caught:
        bib_keys(bib)
    message = str(caught.value)
    where = f"references.bib, line {_entry_line(changed, key)}, entry '{key}'"
    assert where in message and words in message, message
    # A chapter loading any table stops on it too, and so does the build's validation step.
    with pytest.raises(InputError, match=f"entry '{key}'"):
        load_table("chips", fixture_data, bib)


def test_every_book_source_has_a_known_tier() -> None:
    tiers = source_tiers()
    assert set(tiers) == set(bib_keys())
    assert set(tiers.values()) <= set(TIERS)
    secondary = [k for k, v in bibliography().items() if v.fields["tier"] == "secondary"]
    assert all(bibliography()[k].fields["tiernote"].strip() for k in secondary)


def test_duplicate_key_names_the_line_of_the_second_entry(fixture_data: Path) -> None:
    bib = fixture_data.parent / "references.bib"
    text = bib.read_text(encoding="utf-8")
    bib.write_text(text + "\n@misc{lab2024report,\n  title = {Again},\n}\n", encoding="utf-8")
    line = text.count("\n") + 2
    with pytest.raises(InputError, match=rf"references\.bib, line {line}, entry"):
        bib_keys(bib)


def test_missing_bibliography_names_the_file(fixture_data: Path) -> None:
    (fixture_data.parent / "references.bib").unlink()
    with pytest.raises(InputError, match="references.bib: file not found"):
        bib_keys(fixture_data.parent / "references.bib")


# --- the package descriptor (the fixture's: chips, models, scores) ----------------------


def _package_json(data: Path) -> Path:
    return data / "datapackage.json"


def _edit_package(data: Path, change: Callable[[dict], None]) -> None:
    path = _package_json(data)
    package = json.loads(path.read_text(encoding="utf-8"))
    change(package)
    path.write_text(json.dumps(package, indent=2), encoding="utf-8")


DESCRIPTOR_CASES: dict[str, tuple[Callable[[Path], None], str]] = {
    "a trailing comma": (
        lambda d: _package_json(d).write_text(
            _package_json(d).read_text().replace('"resources": [', '"resources": [,', 1)
        ),
        r"data/datapackage.json, line \d+, column \d+: Expecting value",
    ),
    "cut off in the middle": (
        lambda d: _package_json(d).write_text(_package_json(d).read_text()[:500]),
        r"data/datapackage.json, line \d+, column \d+:",
    ),
    "a key given twice": (
        lambda d: _package_json(d).write_text(
            _package_json(d)
            .read_text()
            .replace('"name": "chips",', '"name": "chips", "name": "x",', 1)
        ),
        r"data/datapackage.json: key 'name' appears twice",
    ),
    "not UTF-8": (
        lambda d: _package_json(d).write_bytes(_package_json(d).read_bytes() + b"\xff"),
        r"data/datapackage.json: not valid UTF-8",
    ),
    "no resources list": (
        lambda d: _edit_package(d, lambda p: p.pop("resources")),
        r"data/datapackage.json: expected an object with a 'resources' list",
    ),
    "a resource without a path": (
        lambda d: _edit_package(d, lambda p: p["resources"][1].pop("path")),
        r"data/datapackage.json, resources\[1\]: 'path' is missing",
    ),
    "a path outside data/": (
        lambda d: _edit_package(d, lambda p: p["resources"][0].update(path="../../etc/passwd")),
        r"data/datapackage.json, resource 'chips': path '../../etc/passwd' must be a file name",
    ),
    "two resources with one name": (
        lambda d: _edit_package(d, lambda p: p["resources"][1].update(name="chips")),
        r"data/datapackage.json, resource 'chips': a second resource with this name",
    ),
    "a resource without fields": (
        lambda d: _edit_package(d, lambda p: p["resources"][2]["schema"].update(fields=[])),
        r"data/datapackage.json, resource 'scores': 'schema.fields' is missing or empty",
    ),
}


@pytest.mark.parametrize("case", list(DESCRIPTOR_CASES))
def test_bad_descriptor_names_file_and_place(fixture_data: Path, case: str) -> None:
    corrupt, pattern = DESCRIPTOR_CASES[case]
    corrupt(fixture_data)
    with pytest.raises(InputError, match=pattern):
        table_names(fixture_data)


# The book's own package with a table added: the real tables and the new one together.
def test_a_new_resource_is_validated_though_no_chapter_reads_it(data_copy: Path) -> None:
    (data_copy / "extra_table.csv").write_text(
        "item,value,source,kind,note\nthing,-1,deepseek2024v3,reported,\n", encoding="utf-8"
    )
    fields = [
        {"name": "item", "type": "string", "constraints": {"required": True}},
        {"name": "value", "type": "number", "constraints": {"minimum": 0, "maximum": 10}},
        {"name": "source", "type": "string", "constraints": {"required": True}},
        {"name": "kind", "type": "string", "constraints": {"enum": ["reported"]}},
        {"name": "note", "type": "string"},
    ]
    _edit_package(
        data_copy,
        lambda p: p["resources"].append(
            {"name": "extra_table", "path": "extra_table.csv", "schema": {"fields": fields}}
        ),
    )
    assert "extra_table" in table_names(data_copy)
    with pytest.raises(DataError, match=r"data/extra_table.csv, row 2, column 'value'"):
        validate_all(data_copy, data_copy.parent / "references.bib")
    with pytest.raises(DataError, match="extra_table.csv"):
        publish_data(data_copy.parent / "site", data_copy, data_copy.parent / "references.bib")


# --- files in data/ (the fixture's; the published-data test copies the book's own) -------

FOLDER_CASES: dict[str, tuple[Callable[[Path], None], str]] = {
    "an undeclared CSV": (
        lambda d: (d / "garbage.csv").write_text("a,b\n1,2\n"),
        "data/garbage.csv: not a resource in data/datapackage.json",
    ),
    "a symlink to the password file": (
        lambda d: (d / "passwd.csv").symlink_to("/etc/passwd"),
        "data/passwd.csv: a symbolic link",
    ),
    "a declared table that is a symlink": (
        lambda d: (
            (d.parent / "chips_real.csv").write_bytes((d / "chips.csv").read_bytes()),
            (d / "chips.csv").unlink(),
            (d / "chips.csv").symlink_to(d.parent / "chips_real.csv"),
        ),
        "data/chips.csv: a symbolic link",
    ),
    "a dotfile": (
        lambda d: (d / ".env").write_text("TOKEN=secret\n"),
        "data/.env: a hidden file",
    ),
    "a folder": (
        lambda d: (d / "drafts").mkdir(),
        "data/drafts: a folder",
    ),
    "a symlinked folder": (
        lambda d: (d / "etc").symlink_to("/etc"),
        "data/etc: a symbolic link",
    ),
}


@pytest.mark.parametrize("case", list(FOLDER_CASES))
def test_undeclared_entries_in_data_stop_publishing(
    fixture_data: Path, tmp_path: Path, case: str
) -> None:
    corrupt, words = FOLDER_CASES[case]
    corrupt(fixture_data)
    assert any(words in problem for problem in undeclared_data(fixture_data))
    site = tmp_path / "site"
    with pytest.raises(InputError, match="must not be published") as caught:
        publish_data(site, fixture_data, fixture_data.parent / "references.bib")
    assert words in str(caught.value)
    assert not (site / "data").exists()


# The book's own data/, all of it: what the site publishes.
def test_published_data_is_exactly_the_declared_tables(data_copy: Path, tmp_path: Path) -> None:
    site = tmp_path / "site"
    (site / "data").mkdir(parents=True)
    (site / "data" / "deleted_since.csv").write_text("stale\n")
    check_data_folder(data_copy)
    published = publish_data(site, data_copy, data_copy.parent / "references.bib")
    declared = {r["path"] for r in descriptor(data_copy)["resources"]} | {"datapackage.json"}
    on_site = {p.name for p in (site / "data").iterdir()}
    assert on_site == declared == set(published)
    for path in (site / "data").iterdir():
        assert path.is_file() and not path.is_symlink()
        assert path.read_bytes() == (data_copy / path.name).read_bytes()


def test_a_deleted_table_leaves_the_site(fixture_data: Path, tmp_path: Path) -> None:
    site = tmp_path / "site"
    bib = fixture_data.parent / "references.bib"
    publish_data(site, fixture_data, bib)
    assert (site / "data" / "scores.csv").is_file()
    # No foreign key points into scores, so the other tables still validate without it.
    _edit_package(
        fixture_data,
        lambda p: p.update(resources=[r for r in p["resources"] if r["name"] != "scores"]),
    )
    os.remove(fixture_data / "scores.csv")
    publish_data(site, fixture_data, bib)
    assert not (site / "data" / "scores.csv").exists()


def test_a_resource_added_to_the_package_re_executes_the_data_page(
    fixture_data: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The data page lists every table, so the build must re-execute it when one is added,
    though it never read the new table before."""
    from frontierbook.reads import DOC_ENV, PACKAGE, READS_LOG_ENV
    from sitebuilder.fingerprint import Inputs

    log = fixture_data.parent / "reads.jsonl"
    monkeypatch.setenv(READS_LOG_ENV, str(log))
    monkeypatch.setenv(DOC_ENV, "chapters/data")
    table_names(fixture_data)
    assert json.loads(log.read_text().splitlines()[0]) == {"doc": "chapters/data", "table": PACKAGE}
    before = Inputs(fixture_data.parent).tables[PACKAGE]
    _edit_package(fixture_data, lambda p: p["resources"].append({**p["resources"][0], "name": "x"}))
    assert Inputs(fixture_data.parent).tables[PACKAGE] != before


# --- the bibliography as the book publishes it: links and entry types -------------------

# (change to the fixture's references.bib, entry named, field named or None, words)
BIB_PUBLISH_CASES: dict[str, tuple[Callable[[str], str], str, str | None, str]] = {
    "a javascript: url": (
        lambda t: t.replace("https://example.org/report", "javascript:alert(1)"),
        "lab2024report",
        "url",
        "javascript:",
    ),
    "a data: url": (
        lambda t: t.replace("https://example.org/report", "data:text/html,<script>x</script>"),
        "lab2024report",
        "url",
        "data:",
    ),
    "a javascript: url in mixed case": (
        lambda t: t.replace("https://example.org/report", "JavaScript:alert(1)"),
        "lab2024report",
        "url",
        "only https: and http:",
    ),
    "a tab inside the scheme": (
        lambda t: t.replace("https://example.org/report", "java\tscript:alert(1)"),
        "lab2024report",
        "url",
        "javascript:",
    ),
    "a url with no scheme": (
        lambda t: t.replace("https://example.org/report", "//evil.example/x"),
        "lab2024report",
        "url",
        "no scheme",
    ),
    "an ftp: url": (
        lambda t: t.replace("https://example.org/report", "ftp://example.org/report"),
        "lab2024report",
        "url",
        "ftp:",
    ),
    "a file: url": (
        lambda t: t.replace("https://example.org/report", "file:///etc/passwd"),
        "lab2024report",
        "url",
        "file:",
    ),
    "a url with a space": (
        lambda t: t.replace("https://example.org/report", "https://example.org/a b"),
        "lab2024report",
        "url",
        "spaces",
    ),
    "a javascript: \\url inside a title": (
        lambda t: t.replace("{Accelerator Datasheet}", r"{Datasheet \url{javascript:alert(1)}}"),
        "vendor2023specs",
        "title",
        "javascript:",
    ),
    "a data: \\href inside a note": (
        lambda t: t.replace(
            "howpublished = {Invented for the tests},\n  url          = {https://example.org/re",
            "note = {\\href{data:text/html,x}{see}},\n  url          = {https://example.org/re",
        ),
        "lab2024report",
        "note",
        "data:",
    ),
    "an entry type no style can write": (
        lambda t: t.replace("@misc{lab2024report", "@weirdtype{lab2024report"),
        "lab2024report",
        None,
        "cannot write an entry of type @weirdtype",
    ),
    "a biblatex-only entry type": (
        lambda t: t.replace("@misc{lab2024report", "@report{lab2024report"),
        "lab2024report",
        None,
        "@report",
    ),
}


@pytest.mark.parametrize("case", list(BIB_PUBLISH_CASES))
def test_a_bibliography_entry_that_cannot_be_published_is_named(
    fixture_data: Path, case: str
) -> None:
    from sitebuilder.bibliography import bibliography_problems

    change, entry, field, words = BIB_PUBLISH_CASES[case]
    bib = fixture_data.parent / "references.bib"
    text = bib.read_text(encoding="utf-8")
    assert change(text) != text
    bib.write_text(change(text), encoding="utf-8")
    (problem,) = bibliography_problems(bib)
    where = f"references.bib, entry '{entry}'" + (f", field '{field}'" if field else "")
    assert where in problem and words in problem, problem


@pytest.mark.parametrize(
    "url", ["https://example.org/a?b=c#d", "http://example.org/", "HTTPS://EXAMPLE.ORG/"]
)
def test_https_and_http_links_are_published(fixture_data: Path, url: str) -> None:
    from sitebuilder.bibliography import bibliography_problems

    bib = fixture_data.parent / "references.bib"
    text = bib.read_text(encoding="utf-8").replace("https://example.org/report", url)
    bib.write_text(text.replace("{Accelerator Datasheet}", rf"{{Sheet \url{{{url}}}}}"), "utf-8")
    assert bibliography_problems(bib) == []


def test_the_bibliography_style_keeps_capitals_and_shows_escaped_dollars() -> None:
    from pybtex.database import parse_string
    from pybtex.plugin import find_plugin

    from sitebuilder.bibliography import BookStyle

    entry = parse_string(
        "@article{k, author = {A. Writer}, title = {Nearly \\$600 Billion: the Chinese AI "
        "Model by Epoch AI}, journal = {J}, year = {2025}, note = {Close of \\$118.51}}",
        "bibtex",
    ).entries["k"]
    text = (
        BookStyle().format_entry("k", entry).text.render(find_plugin("pybtex.backends", "text")())
    )
    assert "Nearly $600 Billion: the Chinese AI Model by Epoch AI" in text
    assert "Close of $118.51" in text and "\\$" not in text


# --- the package descriptor: every part named before Frictionless reads it ----------------


def _resource(package: dict, name: str) -> dict:
    return next(r for r in package["resources"] if r["name"] == name)


def _field(package: dict, table: str, name: str) -> dict:
    return next(f for f in _resource(package, table)["schema"]["fields"] if f["name"] == name)


SCHEMA_CASES: dict[str, tuple[Callable[[dict], None], str]] = {
    "a resource name with markup": (
        lambda p: _resource(p, "scores").update(name="<b>scores</b>"),
        r"resources\[2\]: name '<b>scores</b>' must be lower-case",
    ),
    "a resource name in capitals": (
        lambda p: _resource(p, "scores").update(name="Scores"),
        r"resources\[2\]: name 'Scores' must be lower-case",
    ),
    "a resource whose path is a list": (
        lambda p: _resource(p, "scores").update(path=["scores.csv"]),
        r"resources\[2\]: 'path' is missing or not a string",
    ),
    "a schema that is a list": (
        lambda p: _resource(p, "scores").update(schema=[]),
        r"resource 'scores': 'schema.fields' is missing or empty",
    ),
    "an unknown field type": (
        lambda p: _field(p, "models", "gpu_hours").update(type="strng"),
        r"resource 'models', field 'gpu_hours': type 'strng' is not one of",
    ),
    "a field type the loader does not read": (
        lambda p: _field(p, "chips", "announced").update(type="datetime"),
        r"resource 'chips', field 'announced': type 'datetime'",
    ),
    "a field name with markup": (
        lambda p: _field(p, "models", "note").update(name="<i>note</i>"),
        r"resource 'models', field '<i>note</i>': a field name is letters",
    ),
    "two fields with one name": (
        lambda p: _resource(p, "models")["schema"]["fields"].append({"name": "note"}),
        r"resource 'models', field 'note': a second field with this name",
    ),
    "a table without its provenance column": (
        lambda p: _resource(p, "scores")["schema"].update(
            fields=[f for f in _resource(p, "scores")["schema"]["fields"] if f["name"] != "kind"]
        ),
        r"resource 'scores': every table needs the columns kind",
    ),
    "a maximum that is not a number": (
        lambda p: _field(p, "models", "gpu_hours")["constraints"].update(maximum="ten"),
        r"field 'gpu_hours': constraint 'maximum' has the wrong type \('ten'\)",
    ),
    "a minimum above the maximum": (
        lambda p: _field(p, "models", "gpu_hours")["constraints"].update(minimum=10, maximum=1),
        r"field 'gpu_hours': minimum 10 is above maximum 1",
    ),
    "required written as a string": (
        lambda p: _field(p, "models", "model")["constraints"].update(required="yes"),
        r"field 'model': constraint 'required' has the wrong type",
    ),
    "a misspelt constraint": (
        lambda p: _field(p, "models", "note").update(constraints={"maxLenght": 5}),
        r"field 'note': unknown constraint 'maxLenght'",
    ),
    "constraints that are a list": (
        lambda p: _field(p, "models", "note").update(constraints=[]),
        r"field 'note': 'constraints' must be an object",
    ),
    "an empty enum": (
        lambda p: _field(p, "models", "precision")["constraints"].update(enum=[]),
        r"field 'precision': constraint 'enum' lists no values",
    ),
    "a pattern that is not a valid pattern": (
        lambda p: _field(p, "chips", "chip_id")["constraints"].update(pattern="[a-z"),
        r"field 'chip_id': constraint 'pattern' is not a valid pattern",
    ),
    "a primary key naming no field": (
        lambda p: _resource(p, "chips")["schema"].update(primaryKey=["nope"]),
        r"resource 'chips', primaryKey: no field named 'nope'",
    ),
    "a foreign key to a missing resource": (
        lambda p: _resource(p, "models")["schema"]["foreignKeys"][0]["reference"].update(
            resource="gone"
        ),
        r"resource 'models', foreignKeys\[0\]: no resource named 'gone'",
    ),
    "a foreign key from a missing field": (
        lambda p: _resource(p, "models")["schema"]["foreignKeys"][0].update(fields=["nope"]),
        r"resource 'models', foreignKeys\[0\]: no field named 'nope'",
    ),
    "a foreign key to a missing field": (
        lambda p: _resource(p, "models")["schema"]["foreignKeys"][0]["reference"].update(
            fields=["nope"]
        ),
        r"foreignKeys\[0\]: resource 'chips' has no field named 'nope'",
    ),
}


@pytest.mark.parametrize("case", list(SCHEMA_CASES))
def test_a_bad_schema_is_named_by_resource_and_field(fixture_data: Path, case: str) -> None:
    change, pattern = SCHEMA_CASES[case]
    _edit_package(fixture_data, change)
    with pytest.raises(InputError, match=pattern) as caught:
        load_table("chips", fixture_data, fixture_data.parent / "references.bib")
    assert str(caught.value).startswith("data/datapackage.json, resource")


# --- cell content: size, invisible controls, and text in any script -----------------------


def test_a_one_megabyte_cell_is_one_line_with_the_limit(fixture_data: Path) -> None:
    from frontierbook.data import MAX_CELL_CHARS

    set_cell(3, "note", "x" * 1_000_000)(fixture_data / "models.csv")
    error = _error(fixture_data, "models")
    assert len(error.problems) == 1
    message = str(error)
    assert "data/models.csv, row 3, column 'note': cell of 1,000,000 characters" in message
    assert f"at most {MAX_CELL_CHARS:,}" in message and "x" * 100 not in message


def test_a_cell_one_character_over_the_limit_is_refused_and_at_the_limit_loads(
    fixture_data: Path,
) -> None:
    from frontierbook.data import MAX_CELL_CHARS

    bib = fixture_data.parent / "references.bib"
    set_cell(4, "note", "y" * MAX_CELL_CHARS)(fixture_data / "models.csv")
    assert load_table("models", fixture_data, bib)["note"].iloc[2] == "y" * MAX_CELL_CHARS
    set_cell(4, "note", "y" * (MAX_CELL_CHARS + 1))(fixture_data / "models.csv")
    assert "row 4, column 'note': cell of" in str(_error(fixture_data, "models"))


@pytest.mark.parametrize(
    "control", ["\u202e", "\u202a", "\u2066", "\u2069"], ids=["RLO", "LRE", "LRI", "PDI"]
)
def test_an_invisible_text_direction_control_is_refused(fixture_data: Path, control: str) -> None:
    set_cell(4, "note", f"Hours {control}times $2")(fixture_data / "models.csv")
    message = str(_error(fixture_data, "models"))
    assert "data/models.csv, row 4, column 'note': invisible text-direction control" in message


# Text that Markdown, MyST or Jupyter's maths would turn into something live in a notebook.
MARKDOWN_PAYLOADS = {
    "a Markdown link": "[click](javascript:alert(1))",
    "a remote image": "![t](https://evil.example/t.png)",
    "a MyST eval role": '{eval}`__import__("os").system("id")`',
    "raw HTML": "<img src=x onerror=alert(2)>",
    "an autolink": "<javascript:alert(3)>",
    "a reference-style link": "[x][1]\n\n[1]: javascript:alert(4)",
    "a heading after a line break": "fine\n# Heading",
    "a code fence after a line break": "fine\n```{code-cell} ipython3\nimport os\n```",
    "a MyST directive": ":::{danger}\nboo\n:::",
    "maths with a link": "$\\href{javascript:alert(5)}{x}$",
    "a link spelt with HTML entities": "[x](&#106;avascript&colon;alert(6))",
    "a MyST citation": "@key and {cite}`key`",
    "a MyST substitution": "{{ 7*191 }}",
    "a MyST target": "(label)=",
    "an ordered list": "1. first",
}


def _markdown_tokens(text: str) -> list:
    """Every token (inline ones too) that MyST's Markdown parser, with the extensions
    JupyterLab's MyST renderer and the book use, makes of ``text``."""
    from myst_parser.config.main import MdParserConfig
    from myst_parser.mdit_to_docutils.base import DocutilsRenderer
    from myst_parser.parsers.mdit import create_md_parser

    config = MdParserConfig(
        enable_extensions={"dollarmath", "amsmath", "colon_fence", "substitution", "html_image"}
    )
    parser = create_md_parser(config, DocutilsRenderer)
    # markdown-it drops javascript: links by itself; Jupyter's renderer need not.
    parser.validateLink = lambda url: True
    tokens = parser.parse(text)
    return [t for token in tokens for t in [token, *(token.children or [])]]


LIVE_TOKENS = {
    "link_open",
    "image",
    "html_inline",
    "html_block",
    "myst_role",
    "math_inline",
    "math_block",
    "fence",
    "colon_fence",
    "heading_open",
    "myst_target",
    "substitution_inline",
    "substitution_block",
    "ordered_list_open",
}


@pytest.mark.parametrize("case", list(MARKDOWN_PAYLOADS))
def test_data_text_in_a_notebook_is_never_live_markdown(case: str) -> None:
    from sitebuilder.notebooks import markdown_text

    payload = MARKDOWN_PAYLOADS[case]
    raw = {t.type for t in _markdown_tokens(payload)}
    assert raw & LIVE_TOKENS, f"the payload itself is not live: {raw}"
    tokens = _markdown_tokens(markdown_text(payload))
    assert not {t.type for t in tokens} & LIVE_TOKENS
    shown = "".join(t.content for t in tokens if t.type == "text")
    assert shown == " ".join(payload.split())  # the reader sees the text, on one line


@pytest.mark.parametrize(
    "text",
    ["深度求索 (DeepSeek) 技术报告", "تقرير تقني — דו״ח טכני", "DeepSeek 🚀 👍🏽 🇨🇳 👨‍👩‍👧"],
    ids=["CJK", "right-to-left", "emoji"],
)
def test_text_in_any_script_is_drawn_in_charts(text: str) -> None:
    import io
    import warnings

    import matplotlib.pyplot as plt

    from frontierbook.style import apply_style, missing_glyphs

    assert missing_glyphs(text) == []
    apply_style()
    fig, ax = plt.subplots()
    ax.set_title(text)
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # "Glyph missing" would fail the chapter
        svg = io.BytesIO()
        fig.savefig(svg, format="svg")
    plt.close(fig)
    assert text.split()[0] in svg.getvalue().decode()


@pytest.mark.parametrize("character", ["\ue000", "\U00013000"], ids=["private use", "hieroglyph"])
def test_a_character_no_chart_font_draws_is_named_by_file_row_and_column(
    fixture_data: Path, character: str
) -> None:
    from sitebuilder.execute import undrawable_text

    set_cell(4, "note", f"Hours {character} times $2")(fixture_data / "models.csv")
    problems = undrawable_text(fixture_data.parent)
    assert problems[0].startswith("data/models.csv, row 4, column 'note': no chart font draws")
    assert f"U+{ord(character):04X}" in problems[0]
    assert len(problems) == 2 and "chart fonts on this machine" in problems[1]


# --- links built from data go to https:, http: or the book's own pages -------------------


@pytest.mark.parametrize(
    "href",
    ["javascript:alert(1)", "JAVASCRIPT:alert(1)", "java\tscript:alert(1)", "data:text/html,x"],
)
def test_a_link_from_data_to_another_scheme_is_refused(href: str) -> None:
    from frontierbook.tables import link

    with pytest.raises(ValueError, match="only https:, http: and the book's own pages"):
        link(href, "evidence")


@pytest.mark.parametrize(
    "href", ["02_cost.html#cost-claim", "#table-events", "https://example.org/a", "http://x.org"]
)
def test_links_to_the_book_and_to_https_are_made(href: str) -> None:
    from frontierbook.tables import link

    assert str(link(href, "x")).startswith('<a href="')
