"""Shared code for the book: data loading and validation, chart style, and the models."""

from frontierbook.data import DataError, load_table
from frontierbook.paths import DATA_DIR, ROOT

__all__ = ["DATA_DIR", "ROOT", "DataError", "load_table"]
