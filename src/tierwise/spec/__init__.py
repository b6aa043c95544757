"""The standard language: models, literals, expressions, loading and validation.

This layer never imports ibis, duckdb or anything of the web.
"""

from __future__ import annotations

from ._expr import AGGREGATES, SCALAR_FUNCTIONS, ExprError, parse_expression
from ._indicator import DATE_COLUMNS
from ._library import IndustryCode, builtin_ids, builtin_path, industry_codes, load_builtin
from ._literals import Duration, LiteralError, add_duration, format_amount, parse_date, parse_duration, parse_number
from ._loader import check_files, load_standard, loads_standard
from ._model import GRADER_KINDS, Grader, Indicator, Standard, Window, segment_matches
from ._problems import Problem, StandardError, did_you_mean
from ._profile import FieldRule, Profile, TableProfile, load_profile, loads_profile

__all__ = [
    "AGGREGATES",
    "DATE_COLUMNS",
    "GRADER_KINDS",
    "SCALAR_FUNCTIONS",
    "Duration",
    "ExprError",
    "FieldRule",
    "Grader",
    "Indicator",
    "IndustryCode",
    "LiteralError",
    "Problem",
    "Profile",
    "Standard",
    "StandardError",
    "TableProfile",
    "Window",
    "add_duration",
    "builtin_ids",
    "builtin_path",
    "check_files",
    "did_you_mean",
    "format_amount",
    "industry_codes",
    "load_builtin",
    "load_profile",
    "load_standard",
    "loads_profile",
    "loads_standard",
    "parse_date",
    "parse_duration",
    "parse_expression",
    "parse_number",
    "segment_matches",
]
