"""The report pack as one self-contained HTML page: the same tables, ECharts charts inlined, no network."""

from __future__ import annotations

import datetime as dt
import math
from importlib import resources
from pathlib import Path
from typing import Any

import pandas as pd

from ._labels import label
from ._workbook import Pack

__all__ = ["CHARTS_OF", "chart_options", "render_html", "write_html"]

ROWS_SHOWN = 200  # rows of a long table on the page; every row is in the workbook


def _text(value: Any) -> tuple[str, bool]:
    if value is None or (isinstance(value, float) and math.isnan(value)) or value is pd.NaT:
        return "", False
    if isinstance(value, bool):
        return ("是" if value else "否"), False
    if isinstance(value, int):
        return f"{value:,}", True
    if isinstance(value, float):
        return (f"{value:,.2f}" if abs(value) >= 1 or value == 0 else f"{value:.4f}"), True
    if isinstance(value, (dt.date, pd.Timestamp)):
        return str(pd.Timestamp(value).date()), False
    return str(value), False


def _percent(column: str) -> bool:
    return column.endswith(("share", "rate"))


def _rows(frame: pd.DataFrame) -> list[list[dict[str, Any]]]:
    rows = []
    for record in frame.head(ROWS_SHOWN).itertuples(index=False, name=None):
        cells = []
        for column, value in zip(frame.columns, record, strict=True):
            if _percent(str(column)) and isinstance(value, float) and not math.isnan(value):
                cells.append({"text": f"{value:.1%}", "number": True})
            else:
                text, number = _text(value.item() if hasattr(value, "item") else value)
                cells.append({"text": text, "number": number})
        rows.append(cells)
    return rows


def chart_options(pack: Pack, lang: str = "zh") -> dict[str, dict[str, Any]]:
    """ECharts options by chart id (the same four charts as the workbook, and the migration heat map)."""
    charts: dict[str, dict[str, Any]] = {}
    grades = list(pack.source.standard.grades)
    sheets = pack.sheets
    if "distribution" in sheets:
        frame = sheets["distribution"]
        charts["chart-distribution"] = {
            "title": {"text": label("chart.distribution", lang)},
            "tooltip": {},
            "legend": {"bottom": 0},
            "xAxis": {"type": "category", "data": frame["grade"].tolist()},
            "yAxis": [{"type": "value", "name": label("customers", lang)}, {"type": "value", "max": 1}],
            "series": [
                {"name": label("customers", lang), "type": "bar", "data": frame["customers"].astype(int).tolist()},
                {
                    "name": label("value_share", lang),
                    "type": "line",
                    "yAxisIndex": 1,
                    "data": [round(float(v), 6) for v in frame["value_share"]],
                },
            ],
        }
        charts["chart-pareto"] = {
            "title": {"text": label("chart.pareto", lang)},
            "tooltip": {},
            "legend": {"bottom": 0},
            "xAxis": {"type": "category", "data": frame["grade"].tolist()},
            "yAxis": [{"type": "value", "max": 1}, {"type": "value", "max": 1}],
            "series": [
                {
                    "name": label("value_share", lang),
                    "type": "bar",
                    "data": [round(float(v), 6) for v in frame["value_share"]],
                },
                {
                    "name": label("cum_value_share", lang),
                    "type": "line",
                    "yAxisIndex": 1,
                    "data": [round(float(v), 6) for v in frame["cum_value_share"]],
                },
            ],
        }
    if "pareto" in sheets:
        frame = sheets["pareto"]
        charts["chart-lorenz"] = {
            "title": {"text": label("chart.lorenz", lang)},
            "tooltip": {},
            "xAxis": {"type": "value", "max": 1, "name": label("cum_customer_share", lang)},
            "yAxis": {"type": "value", "max": 1, "name": label("cum_value_share", lang)},
            "series": [
                {
                    "type": "line",
                    "showSymbol": False,
                    "data": [
                        [round(float(x), 6), round(float(y), 6)]
                        for x, y in zip(frame["customer_share"], frame["value_share"], strict=True)
                    ],
                }
            ],
        }
    if "region_analysis" in sheets:
        frame = sheets["region_analysis"]
        key = frame.columns[0]
        regions = [str(r) for r in dict.fromkeys(frame[key].tolist())]
        body = frame[frame["grade"] != "合计"]
        charts["chart-region"] = {
            "title": {"text": label("chart.region", lang)},
            "tooltip": {},
            "legend": {"bottom": 0},
            "xAxis": {"type": "value"},
            "yAxis": {"type": "category", "data": regions},
            "series": [
                {
                    "name": grade,
                    "type": "bar",
                    "stack": "grades",
                    "data": [
                        int(body[(body[key].astype(str) == r) & (body["grade"] == grade)]["customers"].sum())
                        for r in regions
                    ],
                }
                for grade in grades
            ],
        }
    if "migration" in sheets:
        frame = sheets["migration"]
        names = [*grades, "—"]
        cells = []
        for i, before in enumerate([*grades, None]):
            for j, after in enumerate([*grades, None]):
                picked = frame[
                    (frame["before"].isna() if before is None else frame["before"] == before)
                    & (frame["after"].isna() if after is None else frame["after"] == after)
                ]
                cells.append([j, i, int(picked["customers"].sum())])
        charts["chart-migration"] = {
            "title": {"text": label("sheet.migration", lang)},
            "tooltip": {},
            "xAxis": {"type": "category", "data": names, "name": label("after", lang)},
            "yAxis": {"type": "category", "data": names, "name": label("before", lang), "inverse": True},
            "visualMap": {
                "min": 0,
                "max": max([c[2] for c in cells] + [1]),
                "calculable": True,
                "orient": "horizontal",
                "bottom": 0,
            },
            "series": [{"type": "heatmap", "data": cells, "label": {"show": True}}],
        }
    for option in charts.values():
        option["animation"] = False  # drawn at once: for print, screenshots and slow machines
    return charts


CHARTS_OF = {
    "distribution": ["chart-distribution", "chart-pareto"],
    "pareto": ["chart-lorenz"],
    "region_analysis": ["chart-region"],
    "migration": ["chart-migration"],
}


def render_html(pack: Pack, *, lang: str = "zh") -> str:
    """The pack as one HTML page (tables, charts, the ECharts library inlined)."""
    from jinja2 import Environment, PackageLoader, select_autoescape

    environment = Environment(
        loader=PackageLoader("tierwise.reports", "templates"), autoescape=select_autoescape(["html", "j2"])
    )
    source = pack.source
    charts = chart_options(pack, lang)
    sections = []
    for key, frame in pack.sheets.items():
        more = len(frame) - ROWS_SHOWN
        sections.append(
            {
                "key": key,
                "title": label(f"sheet.{key}", lang),
                "headers": [label(str(c), lang) for c in frame.columns],
                "rows": _rows(frame),
                "charts": [{"id": c} for c in CHARTS_OF.get(key, []) if c in charts],
                "note": pack.note(key, lang),
                "more": (f"… {more:,} " + ("行未显示，完整数据见 xlsx" if lang == "zh" else "more rows in the xlsx"))
                if more > 0
                else "",
            }
        )
    gini = "" if math.isnan(pack.gini) else f" · {label('gini', lang)} {pack.gini:.4f}"
    heading = f"{source.standard.name}（{source.standard.id} {source.standard.version}）"
    meta = f"{'评估日' if lang == 'zh' else 'as of'} {source.day}{gini}"
    title = f"{heading} · {source.day}"
    echarts = resources.files("tierwise.reports").joinpath("assets/echarts.min.js").read_text(encoding="utf-8")
    return environment.get_template("pack.html.j2").render(
        lang=lang, title=title, heading=heading, meta=meta, sections=sections, charts=charts, echarts=echarts
    )


def write_html(pack: Pack, path: str | Path, *, lang: str = "zh") -> Path:
    """Write the pack's HTML page to ``path`` (.html)."""
    path = Path(path)
    if path.suffix.lower() not in (".html", ".htm"):
        raise ValueError(f"The HTML report is written as .html; got '{path.name}'.")
    path.write_text(render_html(pack, lang=lang), encoding="utf-8")
    return path
