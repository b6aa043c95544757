"""Standards compiled to Ibis expressions: indicators, one visitor per grader, reasons."""

from __future__ import annotations

from ._cluster import SegmentPlan, cluster_graders, cluster_key
from ._explain import Explanation, explain_row
from ._expr import CompileError
from ._reason import number_text, render_reason
from ._schema import assumed_tables
from ._standard import (
    LANGUAGES,
    Compiled,
    Materialize,
    compile_standard,
    grader_kinds,
    indicator_key,
    indicator_table,
    output_columns,
)

__all__ = [
    "LANGUAGES",
    "CompileError",
    "Compiled",
    "Explanation",
    "Materialize",
    "SegmentPlan",
    "assumed_tables",
    "cluster_graders",
    "cluster_key",
    "compile_standard",
    "explain_row",
    "grader_kinds",
    "indicator_key",
    "indicator_table",
    "number_text",
    "output_columns",
    "render_reason",
]
