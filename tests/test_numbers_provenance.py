"""The recorder behind every number in the prose (frontierbook.provenance, glue_text)."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest

from frontierbook.paths import ROOT
from frontierbook.provenance import PROVENANCE_MIME, ProvenanceError, input_rows, record


@pytest.fixture
def small_data(tmp_path: Path) -> Path:
    (tmp_path / "stages.csv").write_text(
        "stage,gpu_hours,source,kind,note\n"
        "pre,100,reportA,reported,\n"
        "post,5,paperB,estimate,\n"
        "extra,7,paperB,derived,\n",
        encoding="utf-8",
    )
    fields = [
        {"name": n, "type": t}
        for n, t in [
            ("stage", "string"),
            ("gpu_hours", "integer"),
            ("source", "string"),
            ("kind", "string"),
            ("note", "string"),
        ]
    ]
    package = {
        "resources": [
            {
                "name": "stages",
                "path": "stages.csv",
                "schema": {"fields": fields, "primaryKey": ["stage"]},
            }
        ]
    }
    (tmp_path / "datapackage.json").write_text(json.dumps(package), encoding="utf-8")
    return tmp_path


def _frame(data_dir: Path) -> pd.DataFrame:
    frame = pd.read_csv(data_dir / "stages.csv")
    frame.attrs["table"] = "stages"
    return frame


def test_a_value_from_two_rows_records_both_rows_and_their_sources(small_data: Path) -> None:
    frame = _frame(small_data)
    used = frame[frame["stage"].isin(["pre", "post"])]
    provenance = record(used, "sum of `gpu_hours` over two stages", data_dir=small_data)
    assert provenance["how"] == "sum of `gpu_hours` over two stages"
    assert provenance["rows"] == [
        {"table": "stages", "key": {"stage": "pre"}, "source": "reportA", "kind": "reported"},
        {"table": "stages", "key": {"stage": "post"}, "source": "paperB", "kind": "estimate"},
    ]


def test_rows_are_found_through_an_index_a_row_or_a_tuple(small_data: Path) -> None:
    by_stage = _frame(small_data).set_index("stage")
    assert by_stage.attrs["table"] == "stages"
    rows = input_rows(
        [by_stage.loc["extra"], by_stage.loc[["pre"]], ("stages", "post")], small_data
    )
    assert [(r["key"]["stage"], r["source"], r["kind"]) for r in rows] == [
        ("extra", "paperB", "derived"),
        ("pre", "reportA", "reported"),
        ("post", "paperB", "estimate"),
    ]


def test_source_and_kind_come_from_the_data_not_the_chapter(small_data: Path) -> None:
    frame = _frame(small_data)
    frame["kind"] = "reported"  # a chapter cannot relabel an estimate
    rows = input_rows(frame[frame["stage"] == "post"], small_data)
    assert rows[0]["kind"] == "estimate"


@pytest.mark.parametrize(
    "used, message",
    [
        (("stages", "missing"), "no row"),
        (("nowhere", "pre"), "no table"),
        (pd.DataFrame({"stage": ["pre"]}), "load_table"),
        ("column", "bare column"),
    ],
)
def test_a_row_not_in_the_data_is_refused(small_data: Path, used, message: str) -> None:
    if isinstance(used, str):  # a column does not say which row the number used
        used = _frame(small_data).set_index("stage")["gpu_hours"]
    with pytest.raises(ProvenanceError, match=message):
        input_rows(used, small_data)


def test_a_number_needs_how_and_inputs(small_data: Path) -> None:
    with pytest.raises(ProvenanceError, match="how"):
        record(("stages", "pre"), "", data_dir=small_data)
    with pytest.raises(ProvenanceError, match="rows, the parameters"):
        record(None, "typed by hand", data_dir=small_data)
    assert record(None, "a parameter", params={"price": 2.0})["params"] == [
        {"name": "price", "value": "2"}
    ]


def test_glue_text_carries_the_provenance_in_the_glue_bundle(monkeypatch) -> None:
    import IPython.display

    from frontierbook import load_table, text

    shown: list[tuple] = []
    monkeypatch.setattr(IPython.display, "display", lambda *a, **k: shown.append((a, k)))
    stages = load_table("v3_stages")
    text.glue_text("cost_headline", "$5.576M", rows=stages, how="sum of `reported_cost_usd`")
    bundle = shown[0][0][0]
    provenance = bundle[text.GLUE_PREFIX + PROVENANCE_MIME]
    assert {r["key"]["stage"] for r in provenance["rows"]} == set(stages["stage"])
    assert {r["source"] for r in provenance["rows"]} == {"deepseek2024v3"}


def test_a_recorded_key_is_found_by_field_name_whatever_its_order(small_data: Path) -> None:
    (tmp := small_data / "pairs.csv").write_text(
        "model,benchmark,score,source,kind,note\nm1,b1,3,reportA,reported,\n", encoding="utf-8"
    )
    package = json.loads((small_data / "datapackage.json").read_text(encoding="utf-8"))
    fields = [
        {"name": n, "type": "string"}
        for n in ("model", "benchmark", "score", "source", "kind", "note")
    ]
    package["resources"].append(
        {
            "name": "pairs",
            "path": tmp.name,
            "schema": {"fields": fields, "primaryKey": ["model", "benchmark"]},
        }
    )
    (small_data / "datapackage.json").write_text(json.dumps(package), encoding="utf-8")
    # JSON may come back with its keys sorted: benchmark before model.
    (row,) = input_rows(("pairs", {"benchmark": "b1", "model": "m1"}), small_data)
    assert row["key"] == {"model": "m1", "benchmark": "b1"}


def test_the_book_refuses_a_number_without_provenance_or_with_a_missing_row(monkeypatch) -> None:
    from sitebuilder import numbers

    def problems(name: str, provenance: dict | None) -> list[str]:
        return numbers._provenance_problems(name, provenance, ROOT)

    assert "no provenance" in problems("cost_new", None)[0]
    monkeypatch.setitem(numbers.WITHOUT_INPUTS, "seconds_per_hour", "a unit conversion")
    assert problems("seconds_per_hour", None) == []
    gone = {"how": "x", "params": [], "rows": [{"table": "v3_stages", "key": {"stage": "Gone"}}]}
    assert "not in data/" in problems("cost_gone", gone)[0]
    real = record(("v3_stages", "Pre-training"), "`h800_gpu_hours` of the stage")
    assert problems("cost_pre_hours", real) == []


def test_text_from_the_data_cannot_break_out_of_the_page() -> None:
    from sitebuilder.numbers import described_html, script_json

    hostile = '</script><img src=x onerror="alert(1)">&'
    encoded = script_json({"how": hostile})
    assert "<" not in encoded and ">" not in encoded and "&" not in encoded
    assert json.loads(encoded) == {"how": hostile}
    assert described_html("`a<b>` & <i>") == "<code>a&lt;b&gt;</code> &amp; &lt;i&gt;"
