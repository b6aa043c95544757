"""The column vocabulary of business exports and how their cells are read: one reader for every input.

Imports into a workspace, ``evaluate --data DIR`` and ``tierwise.evaluate(data={...})`` all
map headers with :func:`map_headers` (saved or given mappings, the Chinese synonyms below,
units in headers) and read cells with :func:`parse_cell`, so a file grades the same
however it comes in.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

import pyarrow as pa

from ._reader import UNITS, split_unit
from ._values import parse_bool, parse_business_date, parse_business_number

__all__ = [
    "ARROW_TYPES",
    "CODE_PATTERN",
    "SYNONYMS",
    "TYPES",
    "Normalised",
    "cell_text",
    "infer_kind",
    "map_headers",
    "normalise",
    "parse_cell",
]

SYNONYMS: dict[str, tuple[str, ...]] = {
    "customer_id": ("客户编号", "客户ID", "客户id", "客户代码", "客户号", "客户编码", "customer id"),
    "name": ("客户名称", "名称", "客户名", "公司名称", "单位名称"),
    "type": ("客户类型", "类型"),
    "industry": ("行业", "所属行业"),
    "region": ("地区", "区域", "省份"),
    "created_at": ("建档日期", "创建日期", "开户日期", "注册日期", "合作开始日期"),
    "status": ("状态", "客户状态"),
    "total_assets": ("资产总额", "总资产"),
    "registered_capital": ("注册资本",),
    "credit_customer": ("是否授信", "授信客户"),
    "admin_level": ("行政级别",),
    "date": ("交易日期", "日期", "订单日期", "下单日期"),
    "amount": ("金额", "交易金额", "订单金额", "销售额", "含税金额"),
    "margin": ("毛利", "毛利额"),
    "quantity": ("数量",),
    "product": ("产品", "商品", "产品名称"),
    "channel": ("渠道", "销售渠道"),
    "order_id": ("订单号", "订单编号"),
    "due_date": ("应付日期", "到期日", "到期日期"),
    "paid_date": ("付款日期", "实付日期", "回款日期"),
    "criterion": ("指标", "评价指标"),
    "rating": ("评级", "评价", "评价结果"),
    "assessed_at": ("评估日期", "评价日期"),
    "stage": ("阶段", "商机阶段"),
    "expected_close": ("预计成交日期", "预计签约日期"),
}
TYPES: dict[str, str] = {
    **dict.fromkeys(
        (
            "customer_id",
            "name",
            "type",
            "industry",
            "region",
            "status",
            "admin_level",
            "product",
            "channel",
            "order_id",
            "criterion",
            "rating",
            "stage",
            "assessor",
        ),
        "text",
    ),
    **dict.fromkeys(("created_at", "date", "due_date", "paid_date", "assessed_at", "expected_close"), "date"),
    **dict.fromkeys(("amount", "margin", "quantity", "total_assets", "registered_capital"), "number"),
    "credit_customer": "bool",
}
_PARSERS: dict[str, Callable[[Any], Any]] = {
    "number": parse_business_number,
    "date": parse_business_date,
    "bool": parse_bool,
}
ARROW_TYPES = {"text": pa.string(), "number": pa.float64(), "date": pa.date32(), "bool": pa.bool_()}


def map_headers(
    headers: list[str], given: Mapping[str, Any], saved: Mapping[str, Any]
) -> tuple[dict[str, str], dict[str, tuple[str, Decimal]], list[str]]:
    """Source header -> column name (the given mapping, else the saved one, else the synonyms),
    the unit of each header that carries one, and the headers left as they are.

    A header like ``总资产(万元)`` maps by its name (``总资产`` -> total_assets) with the unit
    applied; a mapping entry ``{column: total_assets, unit: 万元}`` declares a unit itself.
    """
    synonyms = {alias: name for name, aliases in SYNONYMS.items() for alias in aliases}
    out: dict[str, str] = {}
    units: dict[str, tuple[str, Decimal]] = {}
    unmapped = []
    for header in headers:
        base, unit, factor = split_unit(header)
        entry = given.get(header) or saved.get(header) or given.get(base) or saved.get(base)
        if isinstance(entry, dict):
            column = str(entry["column"])
            declared = entry.get("unit")
            if declared is not None:
                unit, factor = str(declared), UNITS[str(declared)]
        else:
            column = entry or synonyms.get(header) or synonyms.get(base) or (base if unit else header)
        out[header] = column
        if unit is not None and factor is not None:
            units[header] = (unit, factor)
        if entry is None and column not in TYPES and column not in synonyms.values():
            unmapped.append(header)
    return out, units, unmapped


CODE_PATTERN = r"^[0０][0-9０-９]+$"  # a code with a leading zero (0111, ０１０): kept as text
_CODE = re.compile(CODE_PATTERN)


def infer_kind(values: list[Any]) -> str:
    present = [v for v in values if v not in (None, "")]
    if not present:
        return "text"
    if any(isinstance(v, str) and _CODE.match(v.strip()) for v in present):
        return "text"  # codes such as 0111 (an industry) or 010 (an area): a number would lose the zeros
    for kind, parser in (("number", parse_business_number), ("date", parse_business_date)):
        try:
            if kind == "date" and all(isinstance(v, str) and v.strip().isdigit() for v in present):
                continue  # digits alone are numbers or codes, not dates
            for value in present:
                parser(value)
        except ValueError:
            continue
        return kind
    if all(str(v).strip() in ("是", "否") for v in present):
        return "bool"
    return "text"


def cell_text(value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    text = str(value).strip()
    return text or None


def parse_cell(kind: str, value: Any, factor: Decimal | None = None) -> Any:
    """One cell read as ``kind`` (text, number, date, bool), a header's unit applied to a number.

    Raises
    ------
    ValueError
        With a short reason ("not a number"), for the importer's list of bad cells.
    """
    if kind == "text":
        return cell_text(value)
    cell = _PARSERS[kind](value)
    if cell is not None and kind == "number" and factor is not None:
        cell = float(Decimal(repr(float(cell))) * factor)
    return cell


def kind_of(column: str, unit: Decimal | None, values: list[Any]) -> str:
    """The kind a column is read as: a known column's, a number for a header with a unit, else inferred."""
    return TYPES.get(column) or ("number" if unit is not None else infer_kind(values))


@dataclass
class Normalised:
    """A table with headers mapped and cells read, the bad cells ``(row, column, value, problem)``."""

    table: pa.Table
    problems: list[tuple[int, str, str | None, str]] = field(default_factory=list)
    mapping: dict[str, str] = field(default_factory=dict)
    units: dict[str, str] = field(default_factory=dict)
    unmapped: list[str] = field(default_factory=list)


_SAMPLE = 2000  # values an unknown text column is inferred from


def normalise(table: pa.Table, given: Mapping[str, Any] | None = None) -> Normalised:
    """Map ``table``'s headers and read its text cells the way an import does.

    Columns already typed (numbers, dates, booleans from Parquet, DuckDB or a DataFrame) stay
    as they are, a header's unit multiplied in; text columns of a known or inferred kind are
    read cell by cell. Rows are numbered from 2, as in the file that has a header on row 1.
    """
    names, units, unmapped = map_headers(list(table.column_names), given or {}, {})
    out = Normalised(table, [], {h: c for h, c in names.items() if h != c}, {h: u for h, (u, _) in units.items()})
    out.unmapped = unmapped
    columns: dict[str, pa.ChunkedArray | pa.Array] = {}
    for header, column in zip(table.column_names, table.columns, strict=True):
        name = names[header]
        factor = units[header][1] if header in units else None
        if name in columns:
            raise ValueError(f"Two columns map to '{name}' (one of them is '{header}'); rename or map one of them.")
        if pa.types.is_string(column.type) or pa.types.is_large_string(column.type):
            present = [v for v in column.slice(0, 50 * _SAMPLE).to_pylist() if v not in (None, "")][:_SAMPLE]
            kind = kind_of(name, factor, present)
            if name == "customer_id":
                kind = "text"
            if kind == "text" and name != "customer_id":
                columns[name] = column
                continue
            from ._vector import read_text_column  # it reads cells with this module's reader

            read = read_text_column(column, kind, factor)
            out.problems.extend((index + 2, name, value, why) for index, value, why in read.problems)
            columns[name] = read.values
        elif factor is not None and (pa.types.is_integer(column.type) or pa.types.is_floating(column.type)):
            columns[name] = pa.array(
                [None if v is None else float(Decimal(repr(float(v))) * factor) for v in column.to_pylist()],
                pa.float64(),
            )
        else:
            columns[name] = column
    out.table = pa.table(columns)
    return out
