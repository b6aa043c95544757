"""Standards compiled to Ibis expressions: indicators, one visitor per grader, reasons."""

from __future__ import annotations

from ._expr import CompileError
from ._standard import LANGUAGES, Compiled, compile_standard, grader_kinds, output_columns

__all__ = ["LANGUAGES", "CompileError", "Compiled", "compile_standard", "grader_kinds", "output_columns"]
