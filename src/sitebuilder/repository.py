"""Which GitHub repository the book is published from, taken from the build's environment.

GitHub Actions sets ``GITHUB_REPOSITORY`` (``owner/name``) in every step, so a fork that
publishes the book links to itself with no edit. A local build without it shows no
repository, issues, Binder or Colab buttons rather than dead ones. ``BOOK_SITE_URL``
overrides the published site's address (for a custom domain); by default it is the
repository's GitHub Pages address.
"""

from __future__ import annotations

import os
import re

from docutils import nodes
from sphinx.application import Sphinx
from sphinx.config import Config

REPOSITORY_ENV = "GITHUB_REPOSITORY"
SITE_URL_ENV = "BOOK_SITE_URL"
BRANCH = "main"
_OWNER_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9-]{0,38}/[A-Za-z0-9._-]{1,100}")


def repository() -> str | None:
    """``owner/name`` of the publishing repository, or None for a local build."""
    value = os.environ.get(REPOSITORY_ENV, "").strip()
    if not value:
        return None
    if not _OWNER_NAME.fullmatch(value):
        raise ValueError(f"{REPOSITORY_ENV}={value!r} is not of the form owner/name")
    return value


def repository_url() -> str | None:
    repo = repository()
    return f"https://github.com/{repo}" if repo else None


def readme_url(anchor: str = "") -> str | None:
    """The repository's README (at ``anchor``), or None for a local build."""
    url = repository_url()
    if not url:
        return None
    return f"{url}/blob/{BRANCH}/README.md" + (f"#{anchor}" if anchor else "")


_TITLED = re.compile(r"^(?P<text>.*?)\s*<(?P<anchor>[^<>]*)>$", re.DOTALL)


def readme_target(text: str) -> tuple[str, str]:
    """``"see the README <a-heading>"`` -> ("see the README", "a-heading")."""
    titled = _TITLED.match(text)
    return (titled["text"], titled["anchor"]) if titled else (text, "")


def readme_role(name, rawtext, text, lineno, inliner, options=None, content=None):
    """``{readme}`see the book's README <heading-anchor>```: a link to that section of the
    publishing repository's README; a local build, which has no repository, shows the text."""
    shown, anchor = readme_target(text)
    url = readme_url(anchor)
    node = nodes.reference(rawtext, shown, refuri=url) if url else nodes.inline(rawtext, shown)
    return [node], []


def site_url() -> str | None:
    """Where the built book is published, ending in '/'; None when not known."""
    explicit = os.environ.get(SITE_URL_ENV, "").strip()
    if explicit:
        return explicit.rstrip("/") + "/"
    repo = repository()
    if not repo:
        return None
    owner, name = repo.split("/")
    if name.lower() == f"{owner.lower()}.github.io":
        return f"https://{owner.lower()}.github.io/"
    return f"https://{owner.lower()}.github.io/{name}/"


def configure(app: Sphinx, config: Config) -> None:
    """Point the theme's repository, issues and launch buttons at the publishing repository,
    or turn them off when there is none."""
    options = dict(config.html_theme_options)
    url = repository_url()
    if url:
        options.update(
            repository_url=url,
            repository_branch=BRANCH,
            path_to_docs="",
            use_repository_button=True,
            use_issues_button=True,
        )
    else:
        options.update(
            repository_url="",
            use_repository_button=False,
            use_issues_button=False,
            use_edit_page_button=False,
            use_source_button=False,
            launch_buttons={},
        )
    config.html_theme_options = options
    # The published address, for each page's canonical link: a fork's copy names itself.
    config.html_baseurl = site_url() or config.html_baseurl
