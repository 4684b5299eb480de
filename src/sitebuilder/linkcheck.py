"""Check the book's external links: ``python -m sitebuilder.linkcheck``.

``make linkcheck`` runs it after ``make book``. It is Sphinx's ``linkcheck`` builder on the
book's own configuration (hosts that refuse link checkers are listed, with reasons, under
``linkcheck_ignore`` in ``_config.yml``), reading the chapters' outputs from the Jupyter
cache that ``make book`` filled. The report goes to ``_build/linkcheck/output.txt`` (broken
and redirected links) and ``output.json`` (every link), and the doctrees to a folder of
their own, so neither the published HTML nor the HTML build's state is touched. It needs the
network, so ``make test`` does not run it; a weekly workflow does.
"""

from __future__ import annotations

import sys
from pathlib import Path

from frontierbook.paths import ROOT


def check_links(root: Path = ROOT) -> int:
    """Run the linkcheck builder over ``root``; 0 when no link is broken."""
    from jupyter_book.sphinx import build_sphinx

    build = root / "_build"
    result = build_sphinx(
        str(root),
        str(build / "linkcheck"),
        noconfig=True,
        path_config=str(root / "_config.yml"),
        doctreedir=str(build / ".doctrees-linkcheck"),
        builder="linkcheck",
        # What `jupyter-book build .` passes to Sphinx.
        confoverrides={
            "external_toc_path": (root / "_toc.yml").as_posix(),
            "latex_individualpages": False,
        },
    )
    if isinstance(result, Exception):
        raise result
    report = build / "linkcheck" / "output.txt"
    print(f"frontierbook: link report in {report.relative_to(root)}", file=sys.stderr)
    return int(result)


if __name__ == "__main__":
    sys.exit(check_links())
