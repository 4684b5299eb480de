"""Bad input, grouped by what it breaks; each case names the file, the row and the column.

Everything here runs at the loader level on a scratch copy of ``data/`` (fast). What only
a build can show (what reaches the site) is in ``test_site_safety.py``.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable
from pathlib import Path

import pytest

from frontierbook.build.publish import check_data_folder, publish_data, undeclared_data
from frontierbook.data import DataError, last_year, load_table, table_names, validate_all
from frontierbook.inputs import InputError, bib_keys, descriptor

Corrupt = Callable[[Path], None]


def _rewrite(old: str, new: str) -> Corrupt:
    def corrupt(path: Path) -> None:
        text = path.read_text(encoding="utf-8")
        assert old in text, f"fixture text {old!r} not found in {path.name}"
        path.write_text(text.replace(old, new, 1), encoding="utf-8")

    return corrupt


def _bytes(change: Callable[[bytes], bytes]) -> Corrupt:
    def corrupt(path: Path) -> None:
        path.write_bytes(change(path.read_bytes()))

    return corrupt


def _error(data: Path, table: str) -> DataError:
    with pytest.raises(DataError) as caught:
        load_table(table, data_dir=data, bib_path=data.parent / "references.bib")
    return caught.value


def _where(row: int | None, column: str | None) -> str:
    row_text = f"row {row}," if row is not None else "row - (whole file),"
    column_text = f"column '{column}'" if column else "column - (whole row)"
    return f"{row_text} {column_text}"


# (table, corruption, row named, column named, words in the message)
Case = tuple[str, Corrupt, int | None, str | None, str]

ENCODING: dict[str, Case] = {
    "Latin-1 byte in a cell": (
        "v3_stages",
        _bytes(lambda b: b.replace(b"Post-training", b"Post-tr\xe0ining")),
        4,
        "stage",
        "UTF-8",
    ),
    "invalid byte in the header": (
        "v3_stages",
        _bytes(lambda b: b.replace(b"h800_gpu_hours", b"h800_gpu_h\xffurs", 1)),
        1,
        "h800_gpu_hours",
        "UTF-8",
    ),
    "UTF-16 file": (
        "v3_stages",
        _bytes(lambda b: b.decode("utf-8").encode("utf-16")),
        1,
        "stage",
        "UTF-8",
    ),
    "truncated multi-byte character in the last cell": (
        "v3_stages",
        _bytes(lambda b: b.rstrip(b"\n") + "§".encode()[:1] + b"\n"),
        4,
        "note",
        "UTF-8",
    ),
    "NUL byte in a cell": (
        "v3_stages",
        _rewrite("Table 1: 5K", "Table\x00 1: 5K"),
        4,
        "note",
        "control character",
    ),
}

DIALECT: dict[str, Case] = {
    "semicolon-delimited file": (
        "v3_stages",
        _bytes(lambda b: b.replace(b",", b";")),
        1,
        None,
        "delimiter is ';'",
    ),
    "tab-delimited file": (
        "v3_stages",
        _bytes(lambda b: b.replace(b",", b"\t")),
        1,
        None,
        "delimiter is '\\t'",
    ),
    "pipe-delimited file": (
        "v3_stages",
        _bytes(lambda b: b.replace(b",", b"|")),
        1,
        None,
        "delimiter is '|'",
    ),
    "lone carriage returns as line ends": (
        "v3_stages",
        _bytes(lambda b: b.replace(b"\n", b"\r")),
        1,
        None,
        "carriage return",
    ),
    "unterminated quote": (
        "v3_stages",
        _rewrite(",Table 1: 5K", ',"Table 1: 5K'),
        4,
        None,
        "not a valid CSV",
    ),
    "text after a closing quote": (
        "v3_stages",
        _rewrite(",Table 1: 5K GPU-hours", ',"Table 1: 5K" GPU-hours'),
        4,
        None,
        "not a valid CSV",
    ),
    "a row with a cell too many": (
        "v3_stages",
        _rewrite("and $0.01M.\n", "and $0.01M.,extra\n"),
        4,
        None,
        "extra cell",
    ),
    "a row with a cell too few": (
        "v3_stages",
        _rewrite(",reported,Table 1: 5K GPU-hours and $0.01M.", ",reported"),
        4,
        "note",
        "missing cell",
    ),
}

STRUCTURE: dict[str, Case] = {
    "columns in another order": (
        "v3_stages",
        _rewrite("stage,order,", "order,stage,"),
        1,
        "order",
        "column out of place",
    ),
    "a header name repeated": (
        "v3_stages",
        _rewrite("source,kind,note", "source,source,note"),
        1,
        "kind",
        "column",
    ),
    "a blank header name": (
        "v3_stages",
        _rewrite("source,kind,note", "source,,note"),
        1,
        "kind",
        "column",
    ),
    "a blank row between data rows": (
        "v3_stages",
        _rewrite("\nPost-training", "\n,,,,,,\nPost-training"),
        4,
        None,
        "blank",
    ),
    "an empty line between data rows, then a bad value": (
        "v3_stages",
        _rewrite("\nPost-training,3,5000,", "\n\nPost-training,3,lots,"),
        5,
        "h800_gpu_hours",
        "whole number",
    ),
    "an empty line between data rows": (
        "v3_stages",
        _rewrite("\nPost-training", "\n\nPost-training"),
        4,
        None,
        "blank row",
    ),
    "a repeated composite key": (
        "reasoning_benchmarks",
        _rewrite("GPT-4o-0513,AIME 2024,9.3", "Claude-3.5-Sonnet-1022,AIME 2024,9.3"),
        3,
        "model, benchmark",
        "duplicate primary key",
    ),
    "a repeated unique id": (
        "events",
        _rewrite("a800-2022-11,", "rule-2022-10,"),
        3,
        "event_id",
        "duplicate primary key",
    ),
    "a required cell left empty": (
        "models",
        _rewrite("Chinchilla,DeepMind,", "Chinchilla,,"),
        2,
        "developer",
        "required",
    ),
}

TYPES: dict[str, Case] = {
    "a decimal in an integer column": (
        "v3_stages",
        _rewrite(",5000,", ",5000.5,"),
        4,
        "h800_gpu_hours",
        "whole number",
    ),
    "digit separator _ in an integer": (
        "v3_stages",
        _rewrite(",119000,", ",119_000,"),
        3,
        "h800_gpu_hours",
        "whole number",
    ),
    "thousands comma in a quoted number": (
        "v3_stages",
        _rewrite(",238000,", ',"238,000",'),
        3,
        "reported_cost_usd",
        "finite number",
    ),
    "a space before a number": (
        "v3_stages",
        _rewrite(",119000,", ", 119000,"),
        3,
        "h800_gpu_hours",
        "whole number",
    ),
    "a plus sign on a number": (
        "v3_stages",
        _rewrite(",238000,", ",+238000,"),
        3,
        "reported_cost_usd",
        "finite number",
    ),
    "inf in a number column": (
        "v3_stages",
        _rewrite(",238000,", ",inf,"),
        3,
        "reported_cost_usd",
        "no inf",
    ),
    "NaN in a number column": (
        "v3_stages",
        _rewrite(",238000,", ",NaN,"),
        3,
        "reported_cost_usd",
        "nan",
    ),
    "-Infinity in a number column": (
        "v3_stages",
        _rewrite(",238000,", ",-Infinity,"),
        3,
        "reported_cost_usd",
        "finite number",
    ),
    "a number too large for a float": (
        "v3_stages",
        _rewrite(",238000,", ",1e400,"),
        3,
        "reported_cost_usd",
        "infinite",
    ),
    "1 in a boolean column": (
        "events",
        _rewrite('the 2022 interconnect line.",false', 'the 2022 interconnect line.",1'),
        3,
        "as_reported",
        "true or false",
    ),
    "yes in a boolean column": (
        "events",
        _rewrite('the 2022 interconnect line.",false', 'the 2022 interconnect line.",yes'),
        3,
        "as_reported",
        "true or false",
    ),
    "TRUE in capitals in a boolean column": (
        "events",
        _rewrite('the 2022 interconnect line.",false', 'the 2022 interconnect line.",TRUE'),
        3,
        "as_reported",
        "true or false",
    ),
    "a date without leading zeros": (
        "events",
        _rewrite("a800-2022-11,2022-11-07,", "a800-2022-11,2022-11-7,"),
        3,
        "date",
        "YYYY-MM-DD",
    ),
    "30 February": (
        "events",
        _rewrite("a800-2022-11,2022-11-07,", "a800-2022-11,2023-02-30,"),
        3,
        "date",
        "calendar date",
    ),
    "a day-first date": (
        "events",
        _rewrite("a800-2022-11,2022-11-07,", "a800-2022-11,07/11/2022,"),
        3,
        "date",
        "YYYY-MM-DD",
    ),
    "a date with a time": (
        "events",
        _rewrite("a800-2022-11,2022-11-07,", "a800-2022-11,2022-11-07T10:00,"),
        3,
        "date",
        "YYYY-MM-DD",
    ),
}

BOUNDS: dict[str, Case] = {
    "1e308 GPUs": (
        "models",
        _rewrite(",2048,h800,", ",1e308,h800,"),
        9,
        "cluster_gpus",
        "whole number",
    ),
    "a count above its maximum": (
        "models",
        _rewrite(",2048,h800,", ",99999999,h800,"),
        9,
        "cluster_gpus",
        "maximum",
    ),
    "zero GPUs": (
        "models",
        _rewrite(",2048,h800,", ",0,h800,"),
        9,
        "cluster_gpus",
        "minimum",
    ),
    "a share of 149%": (
        "amodei_illustration",
        _rewrite("1,1000000,20,", "1,1000000,149,"),
        2,
        "share_of_tasks_pct",
        "maximum",
    ),
    "a benchmark score above 100%": (
        "reasoning_benchmarks",
        _rewrite("AIME 2024,9.3,", "AIME 2024,100.5,"),
        3,
        "score_pct",
        "maximum",
    ),
    "an absurd API price": (
        "api_prices",
        _rewrite("2024-12-17,15,7.5,60,", "2024-12-17,15,7.5,60000,"),
        2,
        "output_usd_per_mtok",
        "maximum",
    ),
    "a scaling exponent above 1": (
        "scaling_law_fits",
        _rewrite(",0.34,0.28,", ",1.34,0.28,"),
        2,
        "alpha",
        "maximum",
    ),
    "a fourth tier": (
        "diffusion_tiers",
        _rewrite("tier2,2,", "tier2,4,"),
        3,
        "tier",
        "maximum",
    ),
    "a date in 1900": (
        "events",
        _rewrite("a800-2022-11,2022-11-07,", "a800-2022-11,1900-11-07,"),
        3,
        "date",
        "date out of range",
    ),
    "a date in 2099": (
        "events",
        _rewrite("a800-2022-11,2022-11-07,2022-11-08,", "a800-2022-11,2022-11-07,2099-11-08,"),
        3,
        "date_end",
        "date out of range",
    ),
    "a title longer than its limit": (
        "events",
        _rewrite(",Nvidia confirms the A800,", ",Nvidia confirms the A800" + " x" * 40 + ","),
        3,
        "title",
        "maxLength",
    ),
    "an id that breaks its pattern": (
        "events",
        _rewrite("a800-2022-11,", "A800 2022/11,"),
        3,
        "event_id",
        "pattern",
    ),
}

REFERENCES: dict[str, Case] = {
    "a source key in the wrong case": (
        "v3_stages",
        _rewrite("5000,10000,deepseek2024v3", "5000,10000,DeepSeek2024v3"),
        4,
        "source",
        "unknown reference",
    ),
    "a source key with a trailing space": (
        "v3_stages",
        _rewrite("5000,10000,deepseek2024v3", "5000,10000,deepseek2024v3 "),
        4,
        "source",
        "unknown reference",
    ),
    "two source keys in one cell": (
        "v3_stages",
        _rewrite("5000,10000,deepseek2024v3", '5000,10000,"deepseek2024v3; lambert2025v3"'),
        4,
        "source",
        "unknown reference",
    ),
    "a kind outside the three allowed": (
        "models",
        _rewrite("hoffmann2022chinchilla,reported,", "hoffmann2022chinchilla,measured,"),
        2,
        "kind",
        "enum",
    ),
}

INJECTION: dict[str, Case] = {
    f"free text starting with {start!r}": (
        "v3_stages",
        _rewrite(",Table 1: 5K", f",{start}Table 1: 5K"),
        4,
        "note",
        "formula",
    )
    for start in ("=", "+", "-", "@", "\t")
} | {
    "a formula in a claim": (
        "claims",
        _rewrite(
            'deepseek-5576k,DeepSeek,2024-12-27,"', 'deepseek-5576k,DeepSeek,2024-12-27,"=1+1 '
        ),
        2,
        "claim",
        "formula",
    ),
    "a HYPERLINK formula in a table's name column": (
        "v3_stages",
        _rewrite("Post-training,", '"=HYPERLINK(""http://x"",""y"")",'),
        4,
        "stage",
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
def test_bad_table_names_file_row_and_column(data_copy: Path, group: str, case: str) -> None:
    table, corrupt, row, column, words = GROUPS[group][case]
    corrupt(data_copy / f"{table}.csv")
    error = _error(data_copy, table)
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
def test_legitimate_text_loads_unchanged(data_copy: Path, case: str) -> None:
    text = LEGITIMATE[case]
    quoted = '"' + text.replace('"', '""') + '"'
    _rewrite(",Table 1: 5K GPU-hours and $0.01M.", "," + quoted)(data_copy / "v3_stages.csv")
    frame = load_table("v3_stages", data_copy, data_copy.parent / "references.bib")
    assert frame["note"].iloc[2] == text


@pytest.mark.parametrize("form", ["BOM", "CRLF", "BOM and CRLF"])
def test_bom_and_crlf_load_like_the_plain_file(data_copy: Path, form: str) -> None:
    path = data_copy / "events.csv"
    plain = load_table("events", data_copy, data_copy.parent / "references.bib")
    raw = path.read_bytes()
    if "CRLF" in form:
        raw = raw.replace(b"\n", b"\r\n")
    if "BOM" in form:
        raw = b"\xef\xbb\xbf" + raw
    path.write_bytes(raw)
    changed = load_table("events", data_copy, data_copy.parent / "references.bib")
    assert list(changed.columns) == list(plain.columns)
    assert changed.astype(str).equals(plain.astype(str))


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


def test_every_number_is_bounded_and_every_date_is_recent() -> None:
    package = descriptor()
    for resource in package["resources"]:
        for field in resource["schema"]["fields"]:
            if field["type"] in ("number", "integer"):
                constraints = field.get("constraints", {})
                assert "minimum" in constraints, (resource["name"], field["name"])
                assert "maximum" in constraints, (resource["name"], field["name"])
    for name, frame in validate_all().items():
        for column in frame.select_dtypes("datetime64[ns]").columns:
            years = frame[column].dropna().dt.year
            assert years.between(2015, last_year()).all(), (name, column)


# --- the bibliography -------------------------------------------------------------------

BIB_CASES = {
    "a missing closing brace": (
        lambda t: t.replace("}\n\n@", "\n\n@", 1),
        "references.bib, line",
        "expected",
    ),
    "a key used twice": (
        lambda t: t + "\n@misc{deepseek2024v3,\n  title = {Again},\n}\n",
        "references.bib, line",
        "entry 'deepseek2024v3': the key is used twice",
    ),
    "a field given twice in one entry": (
        lambda t: t.replace("@misc{deepseek2024v3,", "@misc{deepseek2024v3,\n  year = {1},", 1),
        "references.bib, line",
        "entry 'deepseek2024v3': field 'year' twice",
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
def test_bad_bibliography_names_file_and_line(data_copy: Path, case: str) -> None:
    change, where, words = BIB_CASES[case]
    bib = data_copy.parent / "references.bib"
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
        load_table("chips", data_copy, bib)


def test_duplicate_key_names_the_line_of_the_second_entry(data_copy: Path) -> None:
    bib = data_copy.parent / "references.bib"
    text = bib.read_text(encoding="utf-8")
    bib.write_text(text + "\n@misc{deepseek2024v3,\n  title = {Again},\n}\n", encoding="utf-8")
    line = text.count("\n") + 2
    with pytest.raises(InputError, match=rf"references\.bib, line {line}, entry"):
        bib_keys(bib)


def test_missing_bibliography_names_the_file(data_copy: Path) -> None:
    (data_copy.parent / "references.bib").unlink()
    with pytest.raises(InputError, match="references.bib: file not found"):
        bib_keys(data_copy.parent / "references.bib")


# --- the package descriptor -------------------------------------------------------------


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
            .replace('"name": "events",', '"name": "events", "name": "x",', 1)
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
        r"data/datapackage.json, resource 'events': path '../../etc/passwd' must be a file name",
    ),
    "two resources with one name": (
        lambda d: _edit_package(d, lambda p: p["resources"][1].update(name="events")),
        r"data/datapackage.json, resource 'events': a second resource with this name",
    ),
    "a resource without fields": (
        lambda d: _edit_package(d, lambda p: p["resources"][2]["schema"].update(fields=[])),
        r"data/datapackage.json, resource 'cost_ledger': 'schema.fields' is missing or empty",
    ),
}


@pytest.mark.parametrize("case", list(DESCRIPTOR_CASES))
def test_bad_descriptor_names_file_and_place(data_copy: Path, case: str) -> None:
    corrupt, pattern = DESCRIPTOR_CASES[case]
    corrupt(data_copy)
    with pytest.raises(InputError, match=pattern):
        table_names(data_copy)


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


# --- files in data/ ---------------------------------------------------------------------

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
            (d.parent / "events_real.csv").write_bytes((d / "events.csv").read_bytes()),
            (d / "events.csv").unlink(),
            (d / "events.csv").symlink_to(d.parent / "events_real.csv"),
        ),
        "data/events.csv: a symbolic link",
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
    data_copy: Path, tmp_path: Path, case: str
) -> None:
    corrupt, words = FOLDER_CASES[case]
    corrupt(data_copy)
    assert any(words in problem for problem in undeclared_data(data_copy))
    site = tmp_path / "site"
    with pytest.raises(InputError, match="must not be published") as caught:
        publish_data(site, data_copy, data_copy.parent / "references.bib")
    assert words in str(caught.value)
    assert not (site / "data").exists()


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


def test_a_deleted_table_leaves_the_site(data_copy: Path, tmp_path: Path) -> None:
    site = tmp_path / "site"
    bib = data_copy.parent / "references.bib"
    publish_data(site, data_copy, bib)
    assert (site / "data" / "v3_stages.csv").is_file()
    _edit_package(
        data_copy,
        lambda p: p.update(resources=[r for r in p["resources"] if r["name"] != "v3_stages"]),
    )
    os.remove(data_copy / "v3_stages.csv")
    publish_data(site, data_copy, bib)
    assert not (site / "data" / "v3_stages.csv").exists()


def test_a_resource_added_to_the_package_re_executes_the_data_page(
    data_copy: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The data page lists every table, so the build must re-execute it when one is added,
    though it never read the new table before."""
    from frontierbook.build.fingerprint import Inputs
    from frontierbook.reads import DOC_ENV, PACKAGE, READS_LOG_ENV

    log = data_copy.parent / "reads.jsonl"
    monkeypatch.setenv(READS_LOG_ENV, str(log))
    monkeypatch.setenv(DOC_ENV, "chapters/data")
    table_names(data_copy)
    assert json.loads(log.read_text().splitlines()[0]) == {"doc": "chapters/data", "table": PACKAGE}
    before = Inputs(data_copy.parent).tables[PACKAGE]
    _edit_package(data_copy, lambda p: p["resources"].append({**p["resources"][0], "name": "x"}))
    assert Inputs(data_copy.parent).tables[PACKAGE] != before
