"""The one way a name or a text from a user reaches SQL: quoted by sqlglot.

Every table, column, indicator, dimension or grade name that comes from a standard or a
file goes into SQL text through :func:`ident` (an identifier) or :func:`literal` (a
string constant), or is bound as a parameter. ``tests/test_sql_safety.py`` fails on any
SQL f-string in the package that interpolates something else.

Examples
--------
>>> ident('v" := (SELECT 1) --')
'"v"" := (SELECT 1) --"'
>>> literal("it's")
"'it''s'"
"""

from __future__ import annotations

from sqlglot import exp

__all__ = ["ident", "literal", "qualified"]


def ident(name: str) -> str:
    """``name`` as a quoted DuckDB identifier (any text, quotes doubled)."""
    return str(exp.to_identifier(str(name), quoted=True).sql("duckdb"))


def qualified(schema: str, name: str) -> str:
    """``schema.name``, both parts quoted."""
    return f"{ident(schema)}.{ident(name)}"


def literal(text: str) -> str:
    """``text`` as a DuckDB string constant (quotes doubled, backslashes kept as written)."""
    return str(exp.Literal.string(str(text)).sql("duckdb"))
