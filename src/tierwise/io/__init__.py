"""Reading the files people have and writing results (heavy readers imported lazily)."""

from __future__ import annotations

from ._encoding import detect_encoding, to_utf8
from ._excel import read_excel
from ._export import EXPORT_SUFFIXES, write_table, write_workbook

__all__ = ["EXPORT_SUFFIXES", "detect_encoding", "read_excel", "to_utf8", "write_table", "write_workbook"]
