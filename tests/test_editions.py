"""The translated editions: complete catalogues, the same numbers, pages that point at each
other, no English left on a translated page, and the pieces that make them.

Catalogue checks read ``locales/`` (GNU msgfmt counts what is translated); checks of the
built book read ``_build/html`` and ``_build/<language>/`` of the session's one build (the
test book, ``tests/conftest.py``).
"""

from __future__ import annotations

import csv
import json
import re
from collections import Counter
from pathlib import Path

import pandas as pd
import pytest
from bs4 import BeautifulSoup

from frontierbook.paths import ROOT
from sitebuilder import catalogues as catalogue_tools
from sitebuilder.editions import Edition, catalogues, editions
from sitebuilder.fingerprint import Inputs
from sitebuilder.layout import BuildPaths
from sitebuilder.notebooks import translated_markdown
from sitebuilder.toc import toc_docnames
from sitebuilder.translation import untranslated

from .conftest import TEST_BOOK, book_copy

TRANSLATIONS = [edition for edition in editions(ROOT) if not edition.is_source]
LANGUAGES = [edition.language for edition in TRANSLATIONS]
PAGES = [f"{docname}.html" for docname in toc_docnames(ROOT)]


def _read_po(path: Path):
    from babel.messages.pofile import read_po

    with open(path, "rb") as po:
        return read_po(po)


def _translated(language: str):
    """(catalogue path, msgid, msgstr) of every translated, non-fuzzy entry."""
    for path in catalogues(ROOT, language):
        for message in _read_po(path):
            if message.id and message.string and not message.fuzzy:
                yield path, message.id, message.string


# --- the package writes each language ---------------------------------------------------------


@pytest.fixture
def indonesian(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FRONTIERBOOK_LANGUAGE", "id")


def test_numbers_and_dates_in_indonesian_conventions(indonesian) -> None:
    from frontierbook.text import long_date, month_year, number, percent, ratio, sci, usd

    assert usd(5_576_000) == "US$5,576 juta"
    assert usd(1_600_000_000) == "US$1,6 miliar"
    assert usd(294_000) == "US$294 ribu"
    assert usd(2.19) == "US$2,19"
    assert number(2_788_000) == "2.788.000"
    assert number(14.8, 1) == "14,8"
    assert percent(0.17) == "17%"
    assert ratio(286.9) == "287×"
    assert sci(3.2856e24) == "3,3 × 10²⁴"
    assert long_date(pd.Timestamp("2025-01-27")) == "27 Januari 2025"
    assert month_year(pd.Timestamp("2024-12-26")) == "Desember 2024"


def test_formatters_carry_the_value_they_show(indonesian) -> None:
    from frontierbook.text import long_date, usd

    assert usd(5_576_000).value == 5_576_000
    assert long_date(pd.Timestamp("2025-01-27")).value == "2025-01-27"


def test_english_is_the_source_and_needs_no_catalogue(monkeypatch) -> None:
    from frontierbook.i18n import _
    from frontierbook.text import usd

    monkeypatch.delenv("FRONTIERBOOK_LANGUAGE", raising=False)
    assert usd(5_576_000) == "$5.576M"
    assert _("not reported") == "not reported"


def test_package_strings_come_from_the_catalogue(indonesian) -> None:
    from frontierbook.citations import source_line
    from frontierbook.i18n import _

    assert _("not reported") == "tidak dilaporkan"
    assert source_line(["deepseek2024v3"]).startswith("Sumber: ")


def test_composed_sentences_carry_every_value_they_show(indonesian) -> None:
    from frontierbook.i18n import _
    from frontierbook.text import compose, joined, percent, phrase, span, usd

    text = compose(
        _("{cost} for the model, all in ({times} the run)"), cost=usd(2.5e7), times=span(4, 5)
    )
    assert text.startswith("US$25 juta") and text.value == [25_000_000, 4, 5]
    assert phrase("~{value}")(150).value == 150
    both = joined([usd(1e6), compose("{share}", share=percent(0.2))])
    assert both == "US$1 juta; 20%" and both.value == [1_000_000, 0.2]
    assert compose("{name}", name="V3").value is None


def test_english_quotations_in_a_translation_are_found() -> None:
    from frontierbook.i18n import english_quotations
    from frontierbook.tables import quotations_marked

    source = 'Sacks called the \\$6M "highly misleading", as it "excludes capex and R&D".'
    translation = (
        "Sacks menyebut angka US$6 juta “highly misleading” (sangat menyesatkan), karena "
        '"tidak memasukkan belanja modal" menurutnya.'
    )
    spans = [translation[a:b] for a, b in english_quotations(translation, source)]
    assert spans == ["“highly misleading”"]
    assert english_quotations('Ia berkata "sangat menyesatkan".', source) == []
    marked = quotations_marked(translation, source)
    assert '<span lang="en">“highly misleading”</span>' in marked
    assert "<span" not in quotations_marked('"<b>"', '"<b>"').replace('<span lang="en">', "")


def test_the_build_marks_quotations_kept_in_english() -> None:
    from docutils import nodes

    from sitebuilder.translation import _mark, english

    paragraph = nodes.paragraph("", "", nodes.Text("Ia menyebutnya “highly misleading” kemarin."))
    start = paragraph.astext().index("“")
    _mark(paragraph[0], [(start, start + len("“highly misleading”"))])
    assert [type(n) for n in paragraph.children] == [nodes.Text, english, nodes.Text]
    assert paragraph[1].astext() == "“highly misleading”"
    assert paragraph.astext() == "Ia menyebutnya “highly misleading” kemarin."


def test_glue_publishes_the_value_beside_the_text(monkeypatch) -> None:
    import IPython.display

    from frontierbook import text

    shown: list = []
    monkeypatch.setattr(IPython.display, "display", lambda *a, **k: shown.append(a[0]))
    text.glue_text("cost_headline", text.usd(5_576_000), how="test", params={"x": 1})
    assert shown[0][text.GLUE_PREFIX + text.VALUE_MIME] == 5_576_000


# --- catalogues ----------------------------------------------------------------------------------


def test_the_indonesian_edition_exists() -> None:
    assert Edition("id") in editions(ROOT)
    assert Edition("id").own_name == "Bahasa Indonesia"
    assert (ROOT / "locales" / "id" / "terms.csv").is_file()


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_catalogue_is_complete(language: str) -> None:
    """100% translated, nothing fuzzy, every source string present (msgfmt --statistics)."""
    incomplete = []
    for path in catalogues(ROOT, language):
        stats = catalogue_tools.statistics(path)
        if not stats.complete:
            incomplete.append(
                f"{path.relative_to(ROOT)}: {stats.untranslated} untranslated, "
                f"{stats.fuzzy} fuzzy{' ' + stats.error if stats.error else ''}"
            )
    for name, absent in catalogue_tools.missing_entries(ROOT, language).items():
        incomplete.append(f"{name}: {len(absent)} source strings without an entry")
    assert incomplete == [], (
        f"the {language!r} edition is not fully translated (make translation-status; after "
        "an edit of the English text, make gettext):\n  " + "\n  ".join(incomplete)
    )


_ROLE = re.compile(r"\{(?P<role>[a-z]+(?::[a-z]+)?)\}`(?P<body>[^`]*)`")
_PLACEHOLDER = re.compile(r"\{[a-z_]+\}|%\([a-z_]+\)s|</?a\b[^>]*>")


def _roles(text: str) -> Counter:
    """Each MyST role with its target, except a glossary term's, which is translated too."""
    found = Counter()
    for match in _ROLE.finditer(text):
        role, body = match["role"], match["body"]
        target = re.sub(r"^.*<([^<>]+)>$", r"\1", body, flags=re.DOTALL)
        found[(role, "" if role == "term" else target)] += 1
    return found


@pytest.mark.parametrize("language", LANGUAGES)
def test_translations_keep_every_role_number_and_placeholder(language: str) -> None:
    """A translated paragraph shows the same numbers, citations and cross-references."""
    broken = [
        f"{path.relative_to(ROOT)}: {msgid[:70]!r}"
        for path, msgid, msgstr in _translated(language)
        if _roles(msgid) != _roles(msgstr)
        or Counter(_PLACEHOLDER.findall(msgid)) != Counter(_PLACEHOLDER.findall(msgstr))
    ]
    assert broken == []


def _normalised(text: str) -> str:
    """Lower case, roles, code spans and placeholders removed, hyphens as spaces."""
    text = _ROLE.sub(" ", text)
    text = re.sub(r"`[^`]*`", " ", text)
    text = _PLACEHOLDER.sub(" ", text)
    return re.sub(r"[\s\-]+", " ", text.lower())


def _terms(language: str) -> list[dict[str, str]]:
    path = ROOT / "locales" / language / "terms.csv"
    with open(path, encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


@pytest.mark.parametrize("language", LANGUAGES)
def test_fixed_terms_are_used_consistently(language: str) -> None:
    """Where the English says a listed term, the translation says the listed translation (or
    one of its listed forms: ``pelatihan; melatih; dilatih``)."""
    terms = _terms(language)
    assert {"english", "indonesian", "note"} <= set(terms[0]), "terms.csv: english,indonesian,note"
    rules = []
    for term in terms:
        english = _normalised(term["english"]).strip()
        stem = english[:-1] if english.endswith("s") else english
        forms = [_normalised(form).strip() for form in term["indonesian"].split(";")]
        rules.append((term, re.compile(rf"\b{re.escape(stem)}"), forms))
    inconsistent = [
        f"{path.relative_to(ROOT)}: {term['english']!r} is not {term['indonesian']!r} "
        f"in {msgstr[:80]!r}"
        for path, msgid, msgstr in _translated(language)
        for term, pattern, wanted in rules
        if pattern.search(_normalised(msgid))
        and not any(form in _normalised(msgstr) for form in wanted)
    ]
    assert inconsistent == []


def test_code_strings_are_extracted_from_the_chapters_code_cells() -> None:
    text = (
        "# Title\n\n```{code-cell} ipython3\n:tags: [remove-cell]\n\n"
        'x = 1\nlabel = _("Final run")\n```\n'
    )
    from io import BytesIO

    found = list(
        catalogue_tools.extract_myst_code(
            BytesIO(text.encode()), catalogue_tools.CODE_KEYWORDS, [], {}
        )
    )
    assert [(line, message) for line, _f, message, _c in found] == [(7, "Final run")]


# --- the pieces --------------------------------------------------------------------------------


def test_notebook_markdown_is_translated_block_by_block() -> None:
    catalogue = {
        "The claim": "Klaimnya",
        "It cost {eval}`cost_headline` {cite:p}`deepseek2024v3`; see {numref}`fig-x`.": (
            "Biayanya {eval}`cost_headline` {cite:p}`deepseek2024v3`; lihat {numref}`fig-x`."
        ),
        "first item continues": "butir pertama berlanjut",
        "GPU-hour": "Jam-GPU",
        "One GPU used for one hour.": "Satu GPU dipakai selama satu jam.",
    }
    text = (
        "(claim)=\n## The claim\nIt cost {eval}`cost_headline` {cite:p}`deepseek2024v3`;\n"
        "see {numref}`fig-x`.\n\n- first item\n  continues\n- untouched\n\n"
        "```{glossary}\nGPU-hour\n  One GPU used\n  for one hour.\n```\n"
    )
    assert translated_markdown(text, catalogue) == (
        "(claim)=\n## Klaimnya\n"
        "Biayanya {eval}`cost_headline` {cite:p}`deepseek2024v3`; lihat {numref}`fig-x`.\n\n"
        "- butir pertama berlanjut\n- untouched\n\n"
        "```{glossary}\nJam-GPU\n  Satu GPU dipakai selama satu jam.\n```\n"
    )


def test_each_edition_has_its_own_cache_and_fingerprint(tmp_path: Path) -> None:
    english, indonesian = BuildPaths(tmp_path), BuildPaths(tmp_path, "id")
    assert english.jupyter_cache != indonesian.jupyter_cache
    assert indonesian.html == english.html / "id"
    assert indonesian.jupyter_execute.parent == english.build_dir / "id"
    inputs = Inputs(ROOT)
    docname = next(iter(inputs.notebooks))
    assert inputs.fingerprint(docname, {}, "en")["language"] == "en"
    translated = inputs.fingerprint(docname, {}, "id")
    assert translated["language"] == "id" and translated["catalogue"] != "missing"


def test_a_translated_heading_a_chapter_names_is_a_recorded_read(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """In a translation, the headings the scorecard and the sweeps name come from the other
    pages' catalogues: each is recorded as read, and an edit to it re-executes the chapter
    that names them."""
    from frontierbook import reads
    from frontierbook.edition import where_links
    from frontierbook.i18n import LANGUAGE_ENV
    from frontierbook.scorecard import chapter_labels, chapter_title

    log = tmp_path / "reads.jsonl"
    monkeypatch.setenv(reads.READS_LOG_ENV, str(log))
    monkeypatch.setenv(reads.DOC_ENV, "chapters/05_scorecard")
    monkeypatch.setenv(LANGUAGE_ENV, "id")
    chapter_labels("chapters/02_cost")
    chapter_title("chapters/03_scaling")
    where_links("index", "chapters/corrections")
    files = reads.logged_reads(log)["file"]
    assert set(files) == {
        "chapters/02_cost.md",
        "locales/id/LC_MESSAGES/chapters/02_cost.po",
        "chapters/03_scaling.md",
        "locales/id/LC_MESSAGES/chapters/03_scaling.po",
        "index.md",
        "locales/id/LC_MESSAGES/index.po",
    }
    book = book_copy(tmp_path)
    read = {"file": files, "table": ["claims"]}
    unrelated = {"file": ["chapters/03_scaling.md"], "table": ["claims"]}
    before, unrelated_before = (
        Inputs(book).fingerprint("chapters/05_scorecard", r, "id") for r in (read, unrelated)
    )
    catalogue = book / "locales" / "id" / "LC_MESSAGES" / "chapters" / "02_cost.po"
    catalogue.write_text(
        catalogue.read_text(encoding="utf-8") + '\nmsgid "A new heading"\nmsgstr "Judul baru"\n',
        encoding="utf-8",
    )
    after = Inputs(book)
    assert after.fingerprint("chapters/05_scorecard", read, "id") != before
    assert after.fingerprint("chapters/05_scorecard", unrelated, "id") == unrelated_before


# --- the built book ----------------------------------------------------------------------------


@pytest.mark.parametrize("language", LANGUAGES)
def test_no_page_shows_untranslated_text(built_book: Path, language: str) -> None:
    """What the build found it had to show in English, for want of a translation."""
    missing = untranslated(BuildPaths(TEST_BOOK, language).edition_dir)
    assert set(missing) == set(toc_docnames(ROOT)), "the build did not report every page"
    shown = {page: len(messages) for page, messages in missing.items() if messages}
    assert shown == {}, f"untranslated passages per page of the {language!r} edition"


_PATH = re.compile(r"[\w-]+(/[\w.-]+)+")


def _numbers(html: Path) -> dict[str, dict]:
    document = json.loads((html / "numbers" / "numbers.json").read_text(encoding="utf-8"))
    return {number["name"]: number for number in document["numbers"]}


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_number_has_the_same_value_in_every_edition(built_book: Path, language: str) -> None:
    english, translated = _numbers(built_book), _numbers(built_book / language)
    assert set(translated) == set(english)
    # A glued text with a digit in it is a number: it must carry the value it shows. One
    # without (a licence's name, "inside") is a word, and the English-paragraph check reads it;
    # a path in the repository ("sweeps/2026-12.md") is a name, the same in every edition.
    unformatted = sorted(
        f"{name}: {number['value'][:60]}"
        for name, number in english.items()
        if number["number"] is None
        and re.search(r"\d", number["value"])
        and not (_PATH.fullmatch(number["value"]) and number["value"] == translated[name]["value"])
    )
    assert unformatted == [], (
        "numbers glued as text put together by hand rather than by a frontierbook.text "
        "formatter, so no edition can be checked against another"
    )
    differ = [
        f"{name}: {english[name]['value']} ({english[name]['number']}) vs "
        f"{translated[name]['value']} ({translated[name]['number']})"
        for name in english
        if english[name]["number"] != translated[name]["number"]
    ]
    assert differ == []


def _page(html: Path, page: str) -> BeautifulSoup:
    return BeautifulSoup((html / page).read_text(encoding="utf-8"), "html.parser")


@pytest.mark.parametrize("edition", editions(ROOT), ids=lambda e: e.language)
def test_every_page_links_to_itself_in_the_other_editions(built_book: Path, edition) -> None:
    site = built_book / edition.prefix
    others = {e.language for e in editions(ROOT)} - {edition.language}
    for page in PAGES:
        soup = _page(site, page)
        assert soup.html["lang"] == edition.language, page
        switcher = {a["hreflang"]: a["href"] for a in soup.select("nav.fb-language a")}
        assert set(switcher) == others, page
        alternates = {
            link["hreflang"]: link["href"] for link in soup.select('link[rel="alternate"]')
        }
        assert set(alternates) == others | {edition.language, "x-default"}, page
        for language, href in {**switcher, **alternates}.items():
            target = (site / page).parent / href
            expected = built_book / Edition(language.replace("x-default", "en")).prefix / page
            assert target.resolve() == expected.resolve(), f"{page}: {language} -> {href}"
            assert target.is_file(), f"{page}: {href} does not exist"


def _language_of(text: str) -> str:
    import py3langid

    language, _score = py3langid.classify(text)
    return language


# Quotations are the one place English stays, marked as such by the build: lang="en" on the
# words a translation keeps in quotation marks as the English has them.
_QUOTED = "[lang]:not(html)"
# Every text a reader meets: prose, headings, captions, glossary entries and table cells.
_PROSE = (
    "article p, article li, article dd, article dt, article h1, article h2, article h3, "
    "article td, article th, article caption, article figcaption"
)
_INNER = _PROSE.replace("article ", "")
# A bibliography entry names its work as the work does: in the bibliography, and in the list
# a printed page gives of the sources it cites (sitebuilder.printing).
_NAMES = ["citation-list", "fb-print-sources"]


# English prose carries its function words; a run of names, dates and chip models ("H800
# NVIDIA SXM 80GB, Mar 2023", "v3_stages: Pre-training (DeepSeek-AI 2024, ...)") has none,
# whatever py3langid makes of it. ("as" is left out: Indonesian writes the US as AS.)
_ENGLISH_WORDS = frozenset(
    "the of and to in is a for on with by from that was are it at not this be or its than "
    "which were has have had".split()
)


def _without_labels(text: str) -> str:
    """The text without the author-year labels of the works it cites: names of works."""
    from frontierbook.citations import citation_labels

    for label in sorted(citation_labels().values(), key=len, reverse=True):
        text = text.replace(label, " ")
    return text


def _english_passages(text: str) -> bool:
    text = _without_labels(text)
    words = re.split(r"[\s,;:.()\"“”]+", text.lower())  # "amodei-on-trend" is one word
    return (
        len(text.split()) >= 6
        and sum(word in _ENGLISH_WORDS for word in words) >= 2
        and _language_of(text) == "en"
    )


@pytest.mark.parametrize("language", LANGUAGES)
def test_no_translated_page_has_an_english_paragraph(built_book: Path, language: str) -> None:
    """Every paragraph, list item, heading, caption, glossary entry, table cell, chart's alt
    text and number's provenance of six words or more reads as the edition's language
    (py3langid, choosing between it and English), except quotations the build marked as
    English. Names and chip names are shorter; bibliography entries are names of works."""
    import py3langid

    py3langid.set_languages(["en", language])
    english = []
    for page in PAGES:
        soup = _page(built_book / language, page)
        # Quotations kept in English, and code: keys, file names and the CSV's own values.
        for quoted in soup.select(f"{_QUOTED}, article code"):
            quoted.decompose()
        for element in soup.select(_PROSE):
            if element.find_parent(class_=_NAMES) or element.select_one(_INNER):
                continue  # an element holding others is read through them
            text = " ".join(element.get_text(" ").split())
            if _english_passages(text):
                english.append(f"{page}: {text[:90]}")
        for image in soup.select("article img[alt]"):
            if _english_passages(image["alt"]):
                english.append(f"{page}: alt text {image['alt'][:80]}")
        numbers = soup.find("script", id="fb-numbers")
        for name, number in json.loads(numbers.string if numbers else "{}").items():
            if _english_passages(number["how"]):
                english.append(f"{page}: how {name} was computed: {number['how'][:80]}")
    py3langid.set_languages(None)
    assert english == [], f"{len(english)} English passages on the {language!r} pages"


@pytest.mark.parametrize("language", LANGUAGES)
def test_translated_notebooks_are_in_their_language(built_book: Path, language: str) -> None:
    from sitebuilder.notebooks import NOTEBOOK_DIR

    glossary = built_book / language / NOTEBOOK_DIR / "chapters" / "glossary.ipynb"
    notebook = json.loads(glossary.read_text(encoding="utf-8"))
    first = "".join(notebook["cells"][0]["source"])
    assert f'os.environ["FRONTIERBOOK_LANGUAGE"] = "{language}"' in first
    assert "wheels/frontierbook-" in first and "/id/wheels" not in first
    markdown = "\n".join(
        "".join(c["source"]) for c in notebook["cells"] if c["cell_type"] == "markdown"
    )
    english = built_book / NOTEBOOK_DIR / "chapters" / "glossary.ipynb"
    assert markdown != "\n".join(
        "".join(c["source"])
        for c in json.loads(english.read_text(encoding="utf-8"))["cells"]
        if c["cell_type"] == "markdown"
    )
    assert f"/{language}/chapters/" in markdown or "](../" in markdown or "127.0.0.1" in markdown
    assert not (built_book / language / "wheels").exists(), "one wheel, at the site's root"


@pytest.mark.parametrize("language", LANGUAGES)
def test_translated_charts_are_drawn_in_their_language(built_book: Path, language: str) -> None:
    """Each edition's charts come from its own run: the same count, the source line and the
    alt text in the edition's language."""
    images = sorted((built_book / language / "_images").glob("*.svg"))
    assert len(images) == len(list((built_book / "_images").glob("*.svg")))
    from frontierbook.i18n import translations

    source, sources = (translations(language).get((None, s), s) for s in ("Source", "Sources"))
    assert (source, sources) != ("Source", "Sources"), "no translation of the source line"
    for image in images:
        svg = image.read_text(encoding="utf-8")
        assert f"{source}: " in svg or f"{sources}: " in svg, image.name
        assert "Source: " not in svg and "Sources: " not in svg, image.name


def test_marked_data_columns_and_the_package_words_are_translated(
    data_copy: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A column marked "translated": true comes out of load_table in the current language;
    make gettext extracts its cells, and the data package's titles, for the translators."""
    from babel.messages.catalog import Catalog
    from babel.messages.pofile import write_po

    from frontierbook import i18n
    from frontierbook.data import load_table

    package = json.loads((data_copy / "datapackage.json").read_text(encoding="utf-8"))
    events = next(r for r in package["resources"] if r["name"] == "events")
    next(f for f in events["schema"]["fields"] if f["name"] == "title")["translated"] = True
    (data_copy / "datapackage.json").write_text(json.dumps(package), encoding="utf-8")
    english = load_table("events", data_copy, data_copy.parent / "references.bib")
    title = english["title"].iloc[0]

    found = {(context, text) for text, context, _where in catalogue_tools.data_messages(tmp_path)}
    assert (i18n.cell_context("events", "title"), title) in found
    assert (i18n.DATAPACKAGE_CONTEXT, events["title"]) in found

    catalogue = Catalog(locale="id")
    context = i18n.cell_context("events", "title")
    catalogue.add(title, "Judul dalam bahasa Indonesia", context=context)
    catalogue.add(events["title"], "Lini masa", context=i18n.DATAPACKAGE_CONTEXT)
    po = i18n.catalogue_path("id", locales_dir=tmp_path / "locales")
    po.parent.mkdir(parents=True)
    with open(po, "wb") as out:
        write_po(out, catalogue)
    monkeypatch.setattr(i18n, "LOCALES_DIR", tmp_path / "locales")
    monkeypatch.setenv("FRONTIERBOOK_LANGUAGE", "id")
    translated = load_table("events", data_copy, data_copy.parent / "references.bib")
    assert translated["title"].iloc[0] == "Judul dalam bahasa Indonesia"
    assert translated["event_id"].equals(english["event_id"])
    assert i18n.data_text(events["title"]) == "Lini masa"
