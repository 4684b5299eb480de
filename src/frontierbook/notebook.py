"""What every chapter runs first, in Jupyter and in the book build alike."""

from __future__ import annotations

from frontierbook.style import apply_style


def setup() -> None:
    """House chart style; charts are shown as SVG by :func:`frontierbook.style.show`."""
    apply_style()
