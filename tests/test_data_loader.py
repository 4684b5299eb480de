"""Bad input fails loudly: every kind of broken CSV raises an error naming file, row and column.

The corruption tests edit the fixture package (tests/fixtures/package, through the
``fixture_data`` fixture), so a fix to one of the book's rows never breaks them. Tests about
the book's own tables read data/ as it is.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from frontierbook.data import DataError, is_free_text, load_table, validate_all
from frontierbook.inputs import descriptor
from frontierbook.paths import DATA_DIR
from frontierbook.reads import VALIDATED_DIR_ENV
from tests.fixture_tables import (
    FIXTURE_PACKAGE,
    Corrupt,
    add_column,
    drop_column,
    raw_cell,
    set_cell,
)


@pytest.fixture(autouse=True)
def remembered_tables(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Where the loader remembers valid tables, as the site builder names it for a build."""
    folder = tmp_path / "validated"
    monkeypatch.setenv(VALIDATED_DIR_ENV, str(folder))
    return folder


def _load(data: Path, name: str = "models") -> pd.DataFrame:
    return load_table(name, data_dir=data, bib_path=data.parent / "references.bib")


def _error(data: Path, name: str = "models") -> str:
    with pytest.raises(DataError) as caught:
        _load(data, name)
    return str(caught.value)


# The book's own tables: every chapter reads them, so they must load as they are.
def test_all_tables_load_and_are_typed() -> None:
    tables = validate_all()
    assert set(tables) >= {"events", "v3_stages", "cost_ledger"}
    events = tables["events"]
    assert pd.api.types.is_datetime64_any_dtype(events["date"])
    assert str(events["as_reported"].dtype) == "boolean"
    assert pd.api.types.is_integer_dtype(tables["v3_stages"]["h800_gpu_hours"])
    assert pd.api.types.is_float_dtype(tables["cost_ledger"]["low_usd"])


# --- the fixture package: valid as it stands, and as demanding as the real one ----------


def test_fixture_package_loads_and_is_typed(fixture_data: Path) -> None:
    """Each corruption test starts from tables that load, so the error it sees is its own."""
    tables = validate_all(fixture_data, fixture_data.parent / "references.bib")
    assert list(tables) == ["chips", "models", "scores"]
    chips, models = tables["chips"], tables["models"]
    assert pd.api.types.is_datetime64_any_dtype(chips["announced"])
    assert str(chips["export_controlled"].dtype) == "boolean"
    assert str(models["gpu_hours"].dtype) == "Int64"
    assert pd.api.types.is_float_dtype(models["cost_usd"])
    assert str(models["note"].dtype) == "string"


def _assert_declares_provenance(package: dict) -> None:
    for resource in package["resources"]:
        fields = {f["name"]: f for f in resource["schema"]["fields"]}
        assert {"source", "kind", "note"} <= set(fields), resource["name"]
        assert fields["source"]["constraints"]["required"] is True, resource["name"]
        assert fields["kind"]["constraints"]["enum"] == ["reported", "estimate", "derived"]


def _features(package: dict) -> set[str]:
    """What a package asks the loader to check: field types, constraints and keys."""
    found = set()
    for resource in package["resources"]:
        schema = resource["schema"]
        for field in schema["fields"]:
            found.add(f"type {field['type']}")
            found |= {f"constraint {name}" for name in field.get("constraints", {})}
            if is_free_text(field):
                found.add("free text")
        primary_key = schema.get("primaryKey", [])
        if primary_key:
            found.add("composite primary key" if len(primary_key) > 1 else "primary key")
        if schema.get("foreignKeys"):
            found.add("foreign key between tables")
    return found


def test_fixture_package_is_a_faithful_miniature() -> None:
    """A type or constraint the real package starts to use needs a fixture column (and a
    corruption test) too, or nothing tests that the loader checks it."""
    real, fixture = descriptor(DATA_DIR), descriptor(FIXTURE_PACKAGE / "data")
    _assert_declares_provenance(fixture)
    missing = _features(real) - _features(fixture)
    assert not missing, f"the real package uses {sorted(missing)}; the fixture package does not"


# --- corrupted fixture tables ------------------------------------------------------------

# Each case: (table, how to break it, the row named, the column named, words in the message).
CASES: dict[str, tuple[str, Corrupt, int, str, str]] = {
    "text in a numeric column": (
        "models",
        set_cell(3, "gpu_hours", "lots"),
        3,
        "gpu_hours",
        "wrong type",
    ),
    "negative value": (
        "models",
        set_cell(4, "gpu_hours", "-5000"),
        4,
        "gpu_hours",
        "minimum",
    ),
    "unparseable date": (
        "chips",
        set_cell(3, "announced", "2022-11-32"),
        3,
        "announced",
        "date",
    ),
    "duplicate key": (
        "models",
        set_cell(4, "model", "Model One"),
        4,
        "model",
        "duplicate primary key",
    ),
    "blank source": (
        "models",
        set_cell(4, "source", ""),
        4,
        "source",
        "required",
    ),
    "source key not in references.bib": (
        "models",
        set_cell(4, "source", "nosuchkey2099"),
        4,
        "source",
        "unknown reference",
    ),
    "model whose training GPU is not in the chips table": (
        "models",
        set_cell(3, "gpu", "gpu-z"),
        3,
        "gpu",
        "unknown reference",
    ),
    "score for a model not in the models table": (
        "scores",
        set_cell(2, "model", "Model Nine"),
        2,
        "model",
        "unknown reference",
    ),
    "value outside the allowed set": (
        "models",
        set_cell(4, "kind", "guess"),
        4,
        "kind",
        "enum",
    ),
    "missing column": (
        "models",
        drop_column("kind"),
        1,
        "kind",
        "missing column",
    ),
    "unknown extra column": (
        "models",
        add_column("extra", "1"),
        1,
        "extra",
        "unknown extra column",
    ),
    "bytes that are not valid UTF-8": (
        "models",
        raw_cell(4, "model", b"Model Thr\xffee"),
        4,
        "model",
        "UTF-8",
    ),
}


@pytest.mark.parametrize("case", list(CASES))
def test_bad_value_names_file_row_and_column(fixture_data: Path, case: str) -> None:
    table, corrupt, row, column, words = CASES[case]
    corrupt(fixture_data / f"{table}.csv")
    message = _error(fixture_data, table)
    assert f"data/{table}.csv" in message
    assert f"row {row}," in message
    assert f"column '{column}'" in message
    assert words.lower() in message.lower()


@pytest.mark.parametrize(
    "case, content, row",
    [("empty file", b"", 1), ("header-only file", None, 2)],
)
def test_tables_without_data_rows_fail(fixture_data: Path, case: str, content, row: int) -> None:
    path = fixture_data / "models.csv"
    if content is None:
        content = path.read_bytes().splitlines(keepends=True)[0]
    path.write_bytes(content)
    message = _error(fixture_data)
    assert "data/models.csv" in message
    assert f"row {row}," in message
    assert "column - (whole row)" in message
    assert ("empty" if case == "empty file" else "no data rows") in message


def test_missing_file_names_the_file(fixture_data: Path) -> None:
    (fixture_data / "models.csv").unlink()
    message = _error(fixture_data)
    assert "data/models.csv" in message
    assert "row - (whole file)" in message and "column -" in message
    assert "file not found" in message


def test_every_problem_is_listed_not_just_the_first(fixture_data: Path) -> None:
    path = fixture_data / "models.csv"
    set_cell(3, "gpu_hours", "lots")(path)
    set_cell(4, "gpu_hours", "-5000")(path)
    with pytest.raises(DataError) as caught:
        _load(fixture_data)
    assert [(p.row, p.column) for p in caught.value.problems] == [
        (3, "gpu_hours"),
        (4, "gpu_hours"),
    ]


# The book's own package: every table it publishes carries provenance.
def test_every_table_declares_provenance_columns() -> None:
    _assert_declares_provenance(descriptor(DATA_DIR))


# The book's own data/: nothing is published that the package does not describe.
def test_every_csv_is_described_and_every_description_has_a_csv() -> None:
    described = {r["path"] for r in descriptor(DATA_DIR)["resources"]}
    on_disk = {p.name for p in DATA_DIR.glob("*.csv")}
    assert described == on_disk


def test_remembered_validation_never_hides_a_later_error(fixture_data: Path) -> None:
    _load(fixture_data)  # valid: remembered
    path = fixture_data / "models.csv"
    set_cell(3, "gpu_hours", "lots")(path)
    assert "row 3, column 'gpu_hours'" in _error(fixture_data)
    set_cell(3, "gpu_hours", "119000")(path)
    _load(fixture_data)
    # A change to a table that a foreign key points to is a change to this table's inputs.
    bib = fixture_data.parent / "references.bib"
    bib.write_text(bib.read_text().replace("@misc{lab2024report,", "@misc{renamed2024report,"))
    assert "unknown reference" in _error(fixture_data)


def test_unchanged_data_loads_without_importing_frictionless(fixture_data: Path) -> None:
    import subprocess
    import sys

    _load(fixture_data, "chips")
    code = (
        "import sys; from pathlib import Path; from frontierbook.data import load_table; "
        f"d = Path({str(fixture_data)!r}); load_table('chips', d, d.parent / 'references.bib'); "
        "print('frictionless' in sys.modules)"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert result.stdout.strip() == "False", result.stderr


def test_the_build_validates_every_table_once_before_the_kernels_start(
    fixture_data: Path,
) -> None:
    """The executor validates each table in its own process so that chapters find them
    remembered and skip Frictionless; a bad table is not remembered and does not stop it:
    its message (naming file, row and column) is returned, to be reported once."""
    from frontierbook.data import _already_valid, _validation_key
    from sitebuilder.execute import validate_tables_once
    from sitebuilder.layout import BuildPaths

    set_cell(4, "gpu_hours", "-5000")(fixture_data / "models.csv")
    bib = fixture_data.parent / "references.bib"
    _, failed = validate_tables_once(BuildPaths(fixture_data.parent), fixture_data.parent)
    assert list(failed) == ["data/models.csv"]
    assert "data/models.csv, row 4, column 'gpu_hours'" in failed["data/models.csv"]
    remembered = {
        name
        for name in ("chips", "models")
        if _already_valid(_validation_key(name, fixture_data, bib))
    }
    assert remembered == {"chips"}
    with pytest.raises(DataError, match=r"data/models\.csv, row 4, column 'gpu_hours'"):
        load_table("models", fixture_data, bib)
