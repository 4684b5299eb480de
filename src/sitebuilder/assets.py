"""Each script and stylesheet once per page.

Two things include the same file twice, and a script run twice throws (``const
THEBE_JS_URL`` declared again is an uncaught SyntaxError on every page):

- Jupyter Book adds every ``.css`` and ``.js`` under ``_static/`` to the page, so a file an
  extension also registers (``numbers.js`` with ``defer``) comes a second time, without it;
- Sphinx 7.4 copies inline scripts registered after its builder started (sphinx-thebe's and
  sphinx-togglebutton's settings) into the page a second time, once named ``None`` and once
  ``''``, so its own check for a repeated asset misses them.

The first of each, in loading order, is kept: the extension's registration, with its
attributes.
"""

from __future__ import annotations

from sphinx.application import Sphinx


def _identity(asset: object) -> tuple[str, str]:
    attributes = getattr(asset, "attributes", {})
    return str(getattr(asset, "filename", "") or ""), attributes.get("body", "")


def once_each(assets: list) -> list:
    """``assets`` in loading order (by priority, then as listed), each file or inline body
    once."""
    seen: set[tuple[str, str]] = set()
    kept = []
    for asset in sorted(assets, key=lambda a: getattr(a, "priority", 500)):
        identity = _identity(asset)
        if identity not in seen:
            seen.add(identity)
            kept.append(asset)
    return kept


def include_each_asset_once(
    app: Sphinx, pagename: str, templatename: str, context: dict, doctree
) -> None:
    for key in ("script_files", "css_files"):
        assets = context.get(key)
        if isinstance(assets, list):
            # In place: Sphinx restores these lists from its own copy before the next page.
            assets[:] = once_each(assets)
