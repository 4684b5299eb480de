"""Readers see plain words: a number's popover says how it was computed without the data's
column names, parameter names or code (those belong in the downloadable data)."""

from __future__ import annotations

import json
import re
from pathlib import Path

# A column or parameter name: a word joined by underscores (`value_low`, `gpu_hour_price`),
# or anything in backticks.
CODE_WORDS = re.compile(r"`|\b[a-z0-9]+(?:_[a-z0-9]+)+\b", re.I)


def code_words(how: str) -> list[str]:
    return CODE_WORDS.findall(how)


def test_the_check_finds_column_names_and_code() -> None:
    assert code_words("`value_low` of the run") != []
    assert code_words("value_low of the run") == ["value_low"]
    assert code_words("the chapter's gpu_hour_price") == ["gpu_hour_price"]
    assert code_words("Pre-training tokens: DeepSeek-V3") == []
    assert code_words("FLOP ÷ (BF16 peak × utilisation × 3,600 s)") == []


def test_every_popover_explains_its_number_in_plain_words(built_book: Path) -> None:
    numbers = json.loads((built_book / "numbers" / "numbers.json").read_text(encoding="utf-8"))
    coded = {
        f"{n['page']}: {n['name']}": n["how"] for n in numbers["numbers"] if code_words(n["how"])
    }
    assert coded == {}
    assert len(numbers["numbers"]) > 200
