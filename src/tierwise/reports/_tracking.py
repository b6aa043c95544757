"""A fitted customer-base model on one offline HTML page: parameters, calibration/holdout, tracking plot."""

from __future__ import annotations

import html
import json
from collections.abc import Mapping, Sequence
from importlib import resources
from pathlib import Path
from typing import Any

__all__ = ["write_model_page"]

_LABELS = {"bgnbd": "BG/NBD", "pnbd": "Pareto/NBD", "gammagamma": "Gamma-Gamma"}

_WORDS = {
    "zh": {
        "title": "客户基础模型",
        "params": "参数",
        "value": "估计值",
        "se": "标准误",
        "ll": "对数似然",
        "customers": "客户数",
        "holdout": "校准期/验证期对比（按校准期重复购买次数）",
        "frequency": "重复购买次数",
        "actual": "验证期实际平均购买",
        "expected": "模型预测平均购买",
        "tracking": "累计重复购买：实际与模型",
        "week": "周",
        "cal_end": "校准期结束",
    },
    "en": {
        "title": "Customer-base model",
        "params": "Parameter",
        "value": "Estimate",
        "se": "Std. error",
        "ll": "Log-likelihood",
        "customers": "Customers",
        "holdout": "Calibration vs holdout (by repeat purchases in calibration)",
        "frequency": "Repeat purchases",
        "actual": "Actual mean in holdout",
        "expected": "Predicted mean",
        "tracking": "Cumulative repeat purchases: actual and model",
        "week": "week",
        "cal_end": "end of calibration",
    },
}


def _table(head: Sequence[str], rows: Sequence[Sequence[Any]]) -> str:
    cells = "".join(f"<th>{html.escape(str(h))}</th>" for h in head)
    body = "".join("<tr>" + "".join(f"<td>{html.escape(str(c))}</td>" for c in row) + "</tr>" for row in rows)
    return f"<table><thead><tr>{cells}</tr></thead><tbody>{body}</tbody></table>"


def write_model_page(path: str | Path, record: Mapping[str, Any], *, lang: str = "zh") -> Path:
    """Write ``record`` (what ``tierwise model fit`` stores) as an HTML page with the tracking plot."""
    path = Path(path)
    if path.suffix.lower() not in (".html", ".htm"):
        raise ValueError(f"The model page is written as .html; got '{path.name}'.")
    w = _WORDS["zh" if lang == "zh" else "en"]
    parts = [f"<h1>{html.escape(w['title'])}: {html.escape(str(record['model']))}</h1>"]
    for key in ("purchases", "spend"):
        fit = record.get(key)
        if not fit:
            continue
        rows = [(n, f"{v:.4f}", f"{fit['se'].get(n, float('nan')):.4f}") for n, v in fit["params"].items()]
        parts.append(f"<h2>{html.escape(_LABELS.get(fit['model'], fit['model']))}</h2>")
        parts.append(_table((w["params"], w["value"], w["se"]), rows))
        parts.append(f"<p>{w['ll']} {fit['log_likelihood']:.2f} · {w['customers']} {fit['customers']:,}</p>")
    holdout = record.get("holdout") or []
    if holdout:
        counts = [
            (r["frequency"], f"{r['customers']:,}", f"{r['actual']:.3f}", f"{r['expected']:.3f}") for r in holdout
        ]
        parts.append(f"<h2>{html.escape(w['holdout'])}</h2>")
        parts.append(_table((w["frequency"], w["customers"], w["actual"], w["expected"]), counts))
    tracking = record.get("tracking") or []
    script = ""
    if tracking:
        parts.append(f"<h2>{html.escape(w['tracking'])}</h2><div id='tracking' style='height:420px'></div>")
        end = record["calibration"]["to"]
        weeks = [r["week"] for r in tracking]
        cal = next((r["week"] for r in tracking if r["ends"] > end), weeks[-1])
        option = {
            "animation": False,
            "tooltip": {"trigger": "axis"},
            "legend": {"data": [w["actual"], w["expected"]]},
            "xAxis": {"type": "category", "data": weeks, "name": w["week"]},
            "yAxis": {"type": "value"},
            "series": [
                {
                    "name": w["actual"],
                    "type": "line",
                    "data": [r["actual"] for r in tracking],
                    "markLine": {"data": [{"xAxis": str(cal), "name": w["cal_end"]}], "symbol": "none"},
                },
                {"name": w["expected"], "type": "line", "data": [round(r["expected"], 2) for r in tracking]},
            ],
        }
        echarts = resources.files("tierwise.reports").joinpath("assets/echarts.min.js").read_text(encoding="utf-8")
        data = json.dumps(option, ensure_ascii=False).replace("</", "<\\/")
        script = (
            f"<script>{echarts}</script><script>echarts.init(document.getElementById('tracking'))"
            f".setOption({data});</script>"
        )
    page = (
        f"<!doctype html><html lang='{lang}'><head><meta charset='utf-8'><title>{html.escape(w['title'])}</title>"
        "<style>body{font-family:'Noto Sans CJK SC',sans-serif;margin:2em}table{border-collapse:collapse}"
        "td,th{border:1px solid #ccc;padding:4px 10px;text-align:right}</style></head><body>"
        + "".join(parts)
        + script
        + "</body></html>"
    )
    path.write_text(page, encoding="utf-8")
    return path
