"""Numbers in the prose: ``{eval}`name``` shows the value a chapter published as ``name``,
as a button that opens where the number comes from.

A chapter publishes each number once, with :func:`frontierbook.text.glue_text`, which both
glues it (MyST-NB's mechanism: the value travels in the executed notebook, so the
data-aware cache keeps working) and binds ``name`` in the kernel. The prose names it once,
as ``{eval}`name```:

- in JupyterLab, jupyterlab-myst evaluates ``name`` in the kernel, so after Run All the
  prose shows the number, and it follows a changed parameter;
- in the book build, this role reads the glued value from the executed notebook (MyST-NB's
  own ``eval`` role would need a live kernel, which a cached build does not have).

The glued bundle also carries the number's provenance (:mod:`frontierbook.provenance`). The
role refuses a number without it, and checks that every row it names is still in ``data/``.
Each page gets its numbers' provenance as inline JSON, which ``_static/numbers.js`` shows
in a popover; the whole book's numbers are published as ``numbers/numbers.json`` and
``numbers/numbers.csv`` and listed by the ``{numbers-in-the-text}`` directive.
"""

from __future__ import annotations

import csv
import io
import json
import shutil
from html import escape
from pathlib import Path

from docutils import nodes
from markupsafe import Markup
from myst_nb.core.variables import RetrievalError
from myst_nb.ext.glue.utils import glue_warning, retrieve_glue_data
from myst_nb.ext.utils import RoleBase
from sphinx.application import Sphinx
from sphinx.util.docutils import SphinxDirective

from frontierbook.i18n import N_
from frontierbook.inputs import bib_keys
from frontierbook.provenance import (
    PROVENANCE_MIME,
    WITHOUT_INPUTS,
    ProvenanceError,
    input_rows,
)
from frontierbook.tables import LINE_BREAK, Row, code, join, link, render_table
from frontierbook.text import VALUE_MIME
from sitebuilder.translation import site_text

SCHEMA_PATH = Path(__file__).with_name("numbers.schema.json")
# A data row's kind, as the popover names it.
KINDS = (N_("reported"), N_("estimate"), N_("derived"))
TIER_PHRASES = {
    "primary": N_("a primary source"),
    "press": N_("a press source"),
    "secondary": N_("a secondary source"),
}
NUMBERS_DIR = "numbers"  # numbers.json, numbers.csv and the schema on the site
DATA_APPENDIX = "chapters/data"


class published_number(nodes.inline):  # noqa: N801 (docutils names nodes in lower case)
    """A number in the prose; HTML shows it as a button that opens its provenance."""


def _marker(provenance: dict | None) -> str:
    """'reported' when every input was reported by its source, else 'estimate': solid vs
    hollow, as in the charts."""
    if provenance is None:
        return "reported"
    kinds = {row["kind"] for row in provenance["rows"]}
    assumed = provenance["params"] or provenance.get("assumptions")
    return "reported" if kinds == {"reported"} and not assumed else "estimate"


def _provenance_problems(name: str, provenance: dict | None, source: Path) -> list[str]:
    if provenance is None:
        if name in WITHOUT_INPUTS:
            return []
        return [
            f"the number {name!r} has no provenance: publish it with "
            "glue_text(name, text, rows=..., how=..., params=...)"
        ]
    problems = []
    keys = set(bib_keys(source / "references.bib"))
    for row in provenance["rows"]:
        try:
            (found,) = input_rows((row["table"], row["key"]), source / "data")
        except ProvenanceError as exc:
            problems.append(f"the number {name!r} names a row that is not in data/: {exc}")
            continue
        if found["source"] not in keys:
            problems.append(f"the number {name!r}: unknown source {found['source']!r}")
    return problems


def _glued_data(document: nodes.document, name: str) -> dict:
    """The glued bundle ``name`` of the page being read.

    While MyST-NB parses the page it holds the notebook's glue; a translated paragraph is
    parsed afterwards, by Sphinx's Locale transform, into a document of its own, so there
    the glue comes from the file MyST-NB wrote at the end of the parse.
    """
    try:
        return retrieve_glue_data(document, name).data
    except RetrievalError:
        env = getattr(document.settings, "env", None)
        if env is None or "nb_renderer" in document:
            raise
    key = "frontierbook_glue"
    if env.temp_data.get(key, (None,))[0] != env.docname:
        path = Path(env.app.outdir).parent / "jupyter_execute" / f"{env.docname}.glue.json"
        glue = json.loads(path.read_text(encoding="utf-8")) if path.is_file() else {}
        env.temp_data[key] = (env.docname, glue)
    glue = env.temp_data[key][1]
    if name not in glue:
        raise RetrievalError(f"No key {name!r} found in glue data for this document.")
    return glue[name]["data"]


class PublishedNumberRole(RoleBase):
    """``{eval}`name```: the glued value ``name`` of this page's notebook."""

    def run(self) -> tuple[list[nodes.Node], list[nodes.system_message]]:
        name = self.text
        try:
            data = _glued_data(self.document, name)
        except RetrievalError as exc:
            return [], [glue_warning(str(exc), self.document, self.line)]
        text = data.get("text/plain")
        if text is None:
            return [], [glue_warning(f"{name!r} is not text", self.document, self.line)]
        provenance = data.get(PROVENANCE_MIME)
        problems = _provenance_problems(name, provenance, Path(self.document.settings.env.srcdir))
        if problems:
            return [], [glue_warning("; ".join(problems), self.document, self.line)]
        classes = ["fb-num", f"fb-num-{_marker(provenance)}"]
        node = published_number(text, text, classes=classes, number=name)
        node["support_smartquotes"] = False  # show exactly the published value
        if provenance is None:
            node["classes"] = ["fb-num-plain"]
        self.set_source_info(node)
        return [node], []


def _visit_number(self, node: published_number) -> None:
    if "fb-num-plain" in node["classes"]:
        self.body.append('<span class="fb-num-plain">')
        return
    self.body.append(
        f'<button type="button" class="{" ".join(node["classes"])}" '
        f'data-fb-num="{escape(node["number"])}" aria-expanded="false">'
    )


def _depart_number(self, node: published_number) -> None:
    self.body.append("</span>" if "fb-num-plain" in node["classes"] else "</button>")


# ---- every glued number of the book, as MyST-NB wrote it beside the executed notebooks


def glued_numbers(app: Sphinx) -> dict[str, dict[str, dict]]:
    """docname -> name -> {"value", "provenance"} for every number the chapters published."""
    from myst_nb.sphinx_ import NbMetadataCollector

    folder = Path(app.outdir).parent / "jupyter_execute"
    metadata = NbMetadataCollector.get_doc_data(app.env)
    found: dict[str, dict[str, dict]] = {}
    for docname in sorted(app.env.found_docs):
        keys = metadata.get(docname, {}).get("glue") or []
        path = folder / f"{docname}.glue.json"
        if not keys or not path.is_file():
            continue
        glued = json.loads(path.read_text(encoding="utf-8"))
        numbers = {}
        for name in keys:
            data = glued.get(name, {}).get("data", {})
            if "text/plain" in data:
                numbers[name] = {
                    "value": data["text/plain"],
                    "number": data.get(VALUE_MIME),
                    "provenance": data.get(PROVENANCE_MIME),
                }
        if numbers:
            found[docname] = numbers
    return found


def citation_targets(app: Sphinx) -> dict[str, tuple[str, str]]:
    """Bibliography key -> (docname, anchor) of its entry in the bibliography."""
    domain = app.env.get_domain("cite")
    return {c.key: (c.bibliography_key.docname, c.citation_id) for c in domain.citations}


def _page_numbers(app: Sphinx, pagename: str, numbers: dict[str, dict]) -> dict[str, dict]:
    """What the popover shows, with links relative to ``pagename``."""
    from frontierbook.citations import short_citation, source_tier

    targets = citation_targets(app)
    bib = Path(app.srcdir) / "references.bib"
    uri = app.builder.get_relative_uri
    shown = {}
    for name, number in numbers.items():
        provenance = number["provenance"]
        if provenance is None:
            continue
        rows = []
        for row in provenance["rows"]:
            docname, anchor = targets.get(row["source"], (None, None))
            rows.append(
                {
                    "table": row["table"],
                    "key": ", ".join(row["key"].values()),
                    "kind": row["kind"],
                    "cite": short_citation(row["source"], bib),
                    "tier": source_tier(row["source"], bib),
                    "cite_href": f"{uri(pagename, docname)}#{anchor}" if docname else "",
                    "data_href": f"{uri(pagename, DATA_APPENDIX)}#table-{row['table']}",
                }
            )
        shown[name] = {
            "value": number["value"],
            "how": provenance["how"],
            "params": provenance["params"],
            "assumptions": provenance.get("assumptions", []),
            "rows": rows,
            "marker": _marker(provenance),
            "all_href": f"{uri(pagename, DATA_APPENDIX)}#number-{name}",
        }
    return shown


def script_json(value: object) -> str:
    """JSON safe inside a <script> element: no '<', '>' or '&' can end or confuse it."""
    text = json.dumps(value, ensure_ascii=False, sort_keys=True)
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


def add_page_numbers(app: Sphinx, pagename: str, templatename: str, context: dict, doctree):
    """Each page carries its own numbers' provenance, so the popover needs no request."""
    if app.builder.format != "html" or not context.get("body"):
        return
    if "data-fb-num=" not in context["body"]:
        return
    numbers = glued_numbers(app).get(pagename, {})
    context["body"] += (
        '<script type="application/json" id="fb-numbers">'
        f"{script_json(_page_numbers(app, pagename, numbers))}</script>"
    )
    if (app.config.language or "en") != "en":
        context["body"] += (
            '<script type="application/json" id="fb-number-words">'
            f"{script_json(popover_words(app))}</script>"
        )


def popover_words(app: Sphinx) -> dict:
    """What ``_static/numbers.js`` writes around a number's provenance, in the page's
    language ({value} and {count} are filled in by the script)."""
    return {
        "where": site_text(app, "Where {value} comes from"),
        "more": site_text(app, "and {count} more rows"),
        "params": site_text(app, "Depends on your assumptions: "),
        "assumptions": site_text(app, "The book's assumption: "),
        "all": site_text(app, "This number in the list of all numbers"),
        "kinds": {kind: site_text(app, kind) for kind in KINDS},
    }


# ---- the appendix table and the downloads


def book_numbers(app: Sphinx) -> list[dict]:
    """Every number of the book with its page and provenance, in reading order."""
    from sitebuilder.toc import toc_docnames

    found = glued_numbers(app)
    order = [d for d in toc_docnames(Path(app.srcdir)) if d in found]
    return [
        {
            "name": name,
            "page": f"{docname}.html",
            "value": number["value"],
            "number": number["number"],
            "how": (number["provenance"] or {}).get("how", WITHOUT_INPUTS.get(name, "")),
            "params": (number["provenance"] or {}).get("params", []),
            "rows": (number["provenance"] or {}).get("rows", []),
            "assumptions": (number["provenance"] or {}).get("assumptions", []),
        }
        for docname in order
        for name, number in found[docname].items()
    ]


CSV_FIELDS = ["name", "page", "value", "how", "params", "assumptions", "rows", "sources", "kinds"]


def _named(values: list[dict]) -> str:
    return "; ".join(v["name"] + (f"={v['value']}" if "value" in v else "") for v in values)


def numbers_csv(numbers: list[dict]) -> str:
    out = io.StringIO()
    writer = csv.DictWriter(out, CSV_FIELDS, lineterminator="\n")
    writer.writeheader()
    for number in numbers:
        writer.writerow(
            {
                "name": number["name"],
                "page": number["page"],
                "value": number["value"],
                "how": number["how"],
                "params": _named(number["params"]),
                "assumptions": _named(number["assumptions"]),
                "rows": "; ".join(
                    f"{r['table']}:{','.join(r['key'].values())}" for r in number["rows"]
                ),
                "sources": "; ".join(dict.fromkeys(r["source"] for r in number["rows"])),
                "kinds": "; ".join(r["kind"] for r in number["rows"]),
            }
        )
    return out.getvalue()


def publish_numbers(app: Sphinx, exception: Exception | None) -> None:
    if exception is not None or app.builder.format != "html":
        return
    numbers = book_numbers(app)
    # Beside data/, not in it: data/ holds exactly the tables datapackage.json declares.
    folder = Path(app.outdir) / NUMBERS_DIR
    folder.mkdir(parents=True, exist_ok=True)
    document = {"$schema": "numbers.schema.json", "numbers": numbers}
    # Text from data/ stays inert even if a browser is told to read the file as HTML.
    text = json.dumps(document, ensure_ascii=False, indent=1)
    inert = text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
    (folder / "numbers.json").write_text(inert + "\n", encoding="utf-8")
    (folder / "numbers.csv").write_text(numbers_csv(numbers), encoding="utf-8")
    shutil.copyfile(SCHEMA_PATH, folder / "numbers.schema.json")


class numbers_table(nodes.General, nodes.Element):  # noqa: N801
    """Placeholder for the table of every number; filled once every page has been read."""


class NumbersInTheText(SphinxDirective):
    """``{numbers-in-the-text}``: a table of every number in the prose and its provenance."""

    def run(self) -> list[nodes.Node]:
        return [numbers_table()]


def described_html(text: str) -> Markup:
    """A description with its `column` names as code; everything else escaped."""
    return join(*(code(part) if i % 2 else part for i, part in enumerate(text.split("`"))))


def fill_numbers_table(app: Sphinx, doctree: nodes.document, docname: str) -> None:
    from frontierbook.citations import short_citation, source_tier

    bib = Path(app.srcdir) / "references.bib"
    for placeholder in doctree.findall(numbers_table):
        uri = app.builder.get_relative_uri
        # A number several pages publish under one name (an event's date) is listed once.
        pages: dict[str, list[str]] = {}
        first: dict[str, dict] = {}
        for number in book_numbers(app):
            pages.setdefault(number["name"], []).append(number["page"].removesuffix(".html"))
            first.setdefault(number["name"], number)
        rows = []
        for name, number in first.items():
            inputs = [
                join(
                    link(f"#table-{r['table']}", r["table"]),
                    f": {', '.join(r['key'].values())} "
                    f"({short_citation(r['source'], bib)}, "
                    f"{site_text(app, TIER_PHRASES[source_tier(r['source'], bib)])}; "
                    f"{site_text(app, r['kind'])})",
                )
                for r in number["rows"]
            ]
            if number["params"]:
                inputs.append(site_text(app, "parameters: ") + _named(number["params"]))
            if number["assumptions"]:
                inputs.append(site_text(app, "assumptions: ") + _named(number["assumptions"]))
            rows.append(
                Row(
                    (
                        join(number["value"], LINE_BREAK, code(number["name"])),
                        join(
                            *(link(uri(docname, p), p.split("/")[-1]) for p in pages[name]),
                            sep=LINE_BREAK,
                        ),
                        described_html(number["how"]),
                        join(*inputs, sep=LINE_BREAK),
                    ),
                    row_id=f"number-{number['name']}",
                )
            )
        html = render_table(
            [
                site_text(app, "Number"),
                site_text(app, "Page"),
                site_text(app, "How computed"),
                site_text(app, "From (table: row, source and its tier, kind)"),
            ],
            rows,
            classes=["fb-numbers-table"],
        )
        placeholder.replace_self(nodes.raw("", str(html), format="html"))


def _rewrite_appendix(app: Sphinx, env, added, changed, removed) -> list[str]:
    # The appendix lists every page's numbers, so any page read again rewrites it too.
    if (added or changed or removed) and DATA_APPENDIX in env.found_docs:
        return [DATA_APPENDIX]
    return []


def register(app: Sphinx) -> None:
    # Replaces MyST-NB's kernel-evaluating `eval` role (registered before extensions load).
    app.add_role("eval", PublishedNumberRole(), override=True)
    app.add_node(
        published_number,
        html=(_visit_number, _depart_number),
        latex=(lambda s, n: None, lambda s, n: None),
        text=(lambda s, n: None, lambda s, n: None),
    )
    app.add_node(numbers_table)
    app.add_directive("numbers-in-the-text", NumbersInTheText)
    app.add_css_file("numbers.css")
    app.add_js_file("numbers.js", loading_method="defer")
    app.connect("html-page-context", add_page_numbers)
    app.connect("doctree-resolved", fill_numbers_table)
    app.connect("env-get-outdated", _rewrite_appendix)
    app.connect("build-finished", publish_numbers)
