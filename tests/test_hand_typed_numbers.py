"""No hand-typed figures: every number a reader sees in the text comes from the tables.

Two checks. A claim's ``reason`` and ``counter_evidence`` in ``data/claims.csv`` may cite a
figure only through a ``{placeholder}`` that ``frontierbook.scorecard.reason_figures()``
fills at build time. The prose of every page may show a number only through a glue or eval
role, so a number in the text cannot drift from the data; what is left over must be on the
short allowlist below.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from frontierbook.data import load_table
from frontierbook.paths import ROOT
from frontierbook.scorecard import PLACEHOLDER, fill_reason, reason_figures
from sitebuilder.toc import toc_docnames

# A digit run that starts a token: "2,048", "$6M", "17%", "671B". A digit inside a name
# (H800, V3, GPT-4, pass@1) is preceded by a letter, hyphen or @ and is not a figure.
FIGURE = re.compile(r"(?<![A-Za-z0-9_@.\-/])\d[\d,.]*(?:[KMBTx×%]|(?![A-Za-z0-9]))")

# --- claims.csv reasons -----------------------------------------------------------------


def digits_outside_placeholders(reason: str) -> list[str]:
    """The figures typed into a reason once its ``{placeholders}`` and names are removed."""
    text = PLACEHOLDER.sub("", reason)
    for pattern in ALLOWED:
        text = re.sub(pattern, " ", text)
    return FIGURE.findall(text)


@pytest.mark.parametrize("column", ["reason", "counter_evidence"])
def test_no_reason_types_a_figure(column: str) -> None:
    claims = load_table("claims")
    typed = {
        row["claim_id"]: digits_outside_placeholders(row[column])
        for _, row in claims.iterrows()
        if digits_outside_placeholders(row[column])
    }
    assert not typed, f"data/claims.csv: {column} with hand-typed figures: {typed}"


def test_the_reason_check_catches_a_typed_figure() -> None:
    assert digits_outside_placeholders("pre-training alone is $5.328M") == ["5.328M"]
    assert digits_outside_placeholders("its 2,048 H800s") == ["2,048"]
    assert digits_outside_placeholders("escaped the 2022 rule") == ["2022"]
    assert digits_outside_placeholders("ahead of Claude 3.5 Sonnet on GPQA") == []
    assert digits_outside_placeholders("the {v3_headline} covers all three stages") == []


def test_every_placeholder_is_filled_from_the_data() -> None:
    figures = reason_figures()
    for _, row in load_table("claims").iterrows():
        for column in ("reason", "counter_evidence"):
            filled = fill_reason(row[column], figures)
            assert "{" not in filled and "}" not in filled, (row["claim_id"], column)


def test_an_unknown_placeholder_fails_loudly() -> None:
    with pytest.raises(KeyError, match="unknown figure"):
        fill_reason("costs {no_such_figure}", reason_figures())


# --- the prose of every page --------------------------------------------------------------

# Text that carries digits but is not a figure typed by us. Each entry says why.
ALLOWED = [
    # Names of models, chips, rules and formats, which contain digits but count nothing.
    r"\bLlama \d(?:\.\d)?(?: \d+B)?\b",
    r"\bLlama \d-\d+B\b",
    r"\bClaude \d(?:\.\d)? (?:Sonnet|Opus|Haiku)\b",
    r"\bGemini \d\.\d Ultra\b",
    r"\b\d+-bit\b",  # number formats: 8-bit, 16-bit
    r"\b2:4 sparsity\b",  # the name of Nvidia's sparsity scheme
    r"\bCC BY 4\.0\b",  # the name of the text and data licence
    # Numbering inside the sources we discuss: Amodei's three dynamics, a paper's sections,
    # tables and figures, and our footnote labels.
    r"\bDynamic \d\b",
    r"\bTier[- ]\d\b",  # the AI Diffusion rule's country tiers
    r"(?:Table|Figure|[Ss]ection|§|Appendix|Supplementary(?: Information)?) ?[A-Z]?\d[\d.]*",
]
# In prose, a bare year names a period or a rule ("the 2022 rule", "since 2016"); a date
# with a month must come from data/events.csv and is not allowed. A claim's reason gets no
# such allowance: even a year there comes from a placeholder.
BARE_YEAR = r"(?<![\w$.,-])(?:19|20)\d\d(?![\w%-]|[.,]\d)"
MONTH = (
    r"(?:January|February|March|April|May|June|July|August|September|October|November|"
    r"December|Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sep|Sept|Oct|Nov|Dec)"
)
DATE = re.compile(rf"\b(?:\d{{1,2}} )?{MONTH}\.? (?:\d{{1,2}}, )?(?:19|20)\d\d\b")


def prose(text: str) -> str:
    """A page's text with what is not prose removed: front matter, code, roles and quotes."""
    text = re.sub(r"\A---\n.*?\n---\n", "", text, flags=re.S)
    text = re.sub(r"^(`{3,}|~{3,}).*?^\1\s*$", "", text, flags=re.S | re.M)  # cells, directives
    text = re.sub(r"\$\$.*?\$\$", "", text, flags=re.S)  # display maths
    text = re.sub(r"<!--.*?-->", "", text, flags=re.S)
    text = re.sub(r"\{[a-z:-]+\}`[^`]*`", "", text)  # {eval}, {cite:p}, {ref}, ...
    text = re.sub(r"`[^`]*`", "", text)  # inline code: table and column names
    text = re.sub(r"^\([\w-]+\)=\s*$", "", text, flags=re.M)  # labels
    text = re.sub(r"\]\([^)]*\)", "]", text)  # link targets
    text = re.sub(r"\[\^[\w-]+\]:?", "", text)  # footnote labels
    text = re.sub(r"^\s*\d+\.\s", "", text, flags=re.M)  # numbered-list markers
    # A direct quotation reproduces the source's words; its numbers are the source's,
    # checked against the tables where the book computes them.
    # A quotation never runs past its paragraph, so a stray quotation mark cannot hide text.
    paragraphs = re.split(r"\n\s*\n", text)
    return "\n\n".join(re.sub(r"\"[^\"]*\"|“[^”]*”", "", p) for p in paragraphs)


def hand_typed(text: str) -> list[str]:
    """The figures and dates typed into a page's prose, each with a little context."""
    body = prose(text)
    found = [m.group(0) for m in DATE.finditer(body)]
    body = DATE.sub(" ", body)
    for pattern in [*ALLOWED, BARE_YEAR]:
        body = re.sub(pattern, " ", body)
    for match in FIGURE.finditer(body):
        start = max(0, match.start() - 30)
        found.append(" ".join(body[start : match.end() + 10].split()))
    return found


def test_the_prose_check_catches_typed_numbers_and_dates() -> None:
    assert hand_typed("V3 cost \\$5.576M on 2,048 GPUs") != []
    assert hand_typed("announced in October 2023") != []
    assert hand_typed("about 17% of the H100's") != []
    assert hand_typed("V3 has 671B parameters, 37B active") != []
    assert hand_typed("V3 cost {eval}`cost_headline` on H800s, as in the 2022 rule") == []
    assert hand_typed('Amodei wrote "7-10 months" about Claude 3.5 Sonnet') == []
    assert hand_typed('A stray " quotation mark.\n\nThen 2,048 GPUs.') != []


@pytest.mark.parametrize("docname", toc_docnames(ROOT))
def test_no_page_types_a_number_into_its_prose(docname: str) -> None:
    path = next(p for p in (ROOT / f"{docname}.md", ROOT / f"{docname}.ipynb") if p.exists())
    typed = hand_typed(Path(path).read_text(encoding="utf-8"))
    assert not typed, f"{docname}: numbers typed into the prose: {typed}"
