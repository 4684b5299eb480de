"""Each script and stylesheet once per page (sitebuilder.assets), and in the built
pages: a script included twice throws on every page (``const`` declared again)."""

from __future__ import annotations

import re
from collections import Counter
from pathlib import Path

from sphinx.builders.html._assets import _CascadingStyleSheet, _JavaScript

from sitebuilder.assets import once_each

THEBE = 'const THEBE_JS_URL = "x"'


def test_once_each_keeps_the_first_to_load_of_each_file_and_inline_script() -> None:
    assets = [
        _JavaScript("_static/doctools.js", priority=200),
        _JavaScript("_static/numbers.js", priority=800),  # Jupyter Book's copy of _static/
        _JavaScript("_static/numbers.js", priority=500, defer="defer"),  # the extension's
        _JavaScript(None, priority=500, body=THEBE),  # Sphinx's two names for one script
        _JavaScript("", priority=500, body=THEBE),
        _JavaScript(None, priority=500, body="let other = 1;"),
    ]
    kept = once_each(assets)
    assert [(a.filename, a.attributes) for a in kept] == [
        ("_static/doctools.js", {}),
        ("_static/numbers.js", {"defer": "defer"}),
        (None, {"body": THEBE}),
        (None, {"body": "let other = 1;"}),
    ]
    css = once_each([_CascadingStyleSheet("_static/numbers.css", priority=p) for p in (800, 500)])
    assert [c.priority for c in css] == [500]


def test_no_page_includes_a_script_or_stylesheet_twice(built_book: Path) -> None:
    for page in sorted(p for p in built_book.rglob("*.html") if "_static" not in p.parts):
        html = page.read_text(encoding="utf-8")
        head = html.split("</head>", 1)[0]
        # A page's alternates name pages, not files it loads: English is both hreflang="en"
        # and the x-default.
        loads = re.sub(r'<link rel="alternate"[^>]*>', "", head)
        files = re.findall(r'<(?:script|link)[^>]+(?:src|href)="([^"?#]+)', loads)
        inline = re.findall(r"<script>(.*?)</script>", head, re.S)
        repeated = [name for name, n in Counter(files + inline).items() if n > 1]
        assert repeated == [], f"{page.relative_to(built_book)} includes twice: {repeated}"
