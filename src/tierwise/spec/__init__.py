"""The standard language: models, literals, expressions, loading and validation.

This layer never imports ibis, duckdb or anything of the web.
"""

from __future__ import annotations

from ._expr import AGGREGATES, SCALAR_FUNCTIONS, ExprError, parse_expression
from ._indicator import DATE_COLUMNS
from ._library import builtin_ids, builtin_path, load_builtin
from ._literals import Duration, LiteralError, add_duration, format_amount, parse_date, parse_duration, parse_number
from ._loader import check_files, load_standard, loads_standard
from ._model import GRADER_KINDS, Grader, Indicator, Standard, Window, segment_matches
from ._problems import Problem, StandardError, did_you_mean

__all__ = [
    "AGGREGATES",
    "DATE_COLUMNS",
    "GRADER_KINDS",
    "SCALAR_FUNCTIONS",
    "Duration",
    "ExprError",
    "Grader",
    "Indicator",
    "LiteralError",
    "Problem",
    "Standard",
    "StandardError",
    "Window",
    "add_duration",
    "builtin_ids",
    "builtin_path",
    "check_files",
    "did_you_mean",
    "format_amount",
    "load_builtin",
    "load_standard",
    "loads_standard",
    "parse_date",
    "parse_duration",
    "parse_expression",
    "parse_number",
    "segment_matches",
]
