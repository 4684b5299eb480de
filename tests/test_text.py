"""Numbers as the prose shows them."""

from __future__ import annotations

import pandas as pd
import pytest

from frontierbook.text import Text, long_date, percent, ratio, sci, usd


@pytest.mark.parametrize(
    "value, text",
    [
        (5_576_000, "$5.576M"),
        (1_600_000_000, "$1.6B"),
        (294_000, "$294K"),
        (944_000_000, "$944M"),
        (2.0, "$2"),
        (2.19, "$2.19"),
        (61_680_000, "$61.68M"),
    ],
)
def test_usd(value: float, text: str) -> None:
    assert usd(value) == text


def test_other_formats() -> None:
    assert ratio(286.9) == "287×"
    assert percent(0.3467) == "35%"
    assert sci(3.2856e24) == "3.3 × 10²⁴"
    assert long_date(pd.Timestamp("2024-12-26")) == "26 Dec 2024"


def test_glued_text_shows_without_quotes() -> None:
    from IPython.core.formatters import format_display_data

    assert format_display_data(Text("$5.576M"))[0] == {"text/plain": "$5.576M"}


def test_glue_text_emits_exactly_what_myst_nb_glue_emits(monkeypatch) -> None:
    import IPython.display
    from myst_nb import glue

    from frontierbook import text

    shown: list[tuple] = []
    monkeypatch.setattr(IPython.display, "display", lambda *a, **k: shown.append((a, k)))
    import myst_nb.ext.glue as glue_module

    monkeypatch.setattr(glue_module, "ipy_display", lambda *a, **k: shown.append((a, k)))
    text.glue_text("cost_headline", "$5.576M")
    glue("cost_headline", Text("$5.576M"), display=False)
    assert shown[0] == shown[1]
    assert shown[0][0][0] == {"application/papermill.record/text/plain": "$5.576M"}


def test_standing_says_where_a_value_or_range_lies_and_carries_the_relation() -> None:
    from frontierbook.text import count_of, more_or_less, standing

    words = {"below": "under", "inside": "within", "above": "over"}
    assert (standing(1.0, (2.0, 3.0), **words), standing(1.0, (2.0, 3.0), **words).value) == (
        "under",
        "below",
    )
    assert standing((2.5, 4.0), (3.0, 3.5), **words).value == "inside"  # ranges that meet
    assert standing((4.0, 5.0), [3.0, 3.5], **words) == "over"
    assert standing(3.0, 3.0, **words).value == "inside"
    assert (more_or_less(1, 2), more_or_less(2, 2), more_or_less(3, 2)) == (
        "less than",
        "as much as",
        "more than",
    )
    counted = count_of(4, 5)
    assert (counted, counted.value) == ("four of the five", [4, 5])
