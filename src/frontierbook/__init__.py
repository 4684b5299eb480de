"""Shared code for the book: data loading and validation, chart style, and the models."""

from __future__ import annotations

from typing import TYPE_CHECKING

from frontierbook.paths import DATA_DIR, ROOT

if TYPE_CHECKING:
    from frontierbook.data import DataError, load_table

__all__ = ["DATA_DIR", "ROOT", "DataError", "load_table"]


def __getattr__(name: str):
    # Loaded on first use: the build driver imports this package and should not pay for
    # pandas and Frictionless.
    if name in ("DataError", "load_table"):
        from frontierbook import data

        return getattr(data, name)
    raise AttributeError(name)
