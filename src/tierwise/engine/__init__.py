"""Running standards on a backend (DuckDB by default) and holding the results."""

from __future__ import annotations

from ._data import DATA_SUFFIXES, DataError, connect, load_data
from ._evaluation import Evaluation, compiled_sql, deciding_value, evaluate, evaluate_many

__all__ = [
    "DATA_SUFFIXES",
    "DataError",
    "Evaluation",
    "compiled_sql",
    "connect",
    "deciding_value",
    "evaluate",
    "evaluate_many",
    "load_data",
]
