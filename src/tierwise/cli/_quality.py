"""``tierwise quality``: how complete and how current the customer profiles are."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

if TYPE_CHECKING:
    from rich.table import Table

from ._app import AsOfOption, BackendOption, DataOption, LangOption, _lang, _progress, _source, app, err, new_table, out

PROFILE = "profile.yaml"

_WORDS = {
    "zh": {
        "title": "客户档案质量（{source}，评估日 {as_of}）",
        "table": "表",
        "field": "字段",
        "layer": "层级",
        "required": "必填",
        "yes": "是",
        "no": "否",
        "completeness": "完整度",
        "missing": "缺失",
        "out_of_range": "超出范围",
        "examples": "示例",
        "summary": (
            "{customers:,} 位客户中 {complete:,} 位档案完整（{share}）；{missing:,} 位缺少必填字段，"
            "{wrong:,} 位有超出范围的值，{stale:,} 位档案已过期"
        ),
        "wrote": "已写出 {path}",
    },
    "en": {
        "title": "Customer profile quality ({source}, as of {as_of})",
        "table": "Table",
        "field": "Field",
        "layer": "Layer",
        "required": "Required",
        "yes": "yes",
        "no": "no",
        "completeness": "Complete",
        "missing": "Missing",
        "out_of_range": "Out of range",
        "examples": "Examples",
        "summary": (
            "{complete:,} of {customers:,} customers have a complete profile ({share}); {missing:,} lack a required "
            "field, {wrong:,} have a value out of range, {stale:,} are stale"
        ),
        "wrote": "Wrote {path}",
    },
}


def _profile_path(profile: Path | None, data: Path | None) -> Path:
    if profile is not None:
        return profile
    if data is not None and (data / PROFILE).is_file():
        return data / PROFILE
    raise ValueError(
        f"Give the profile to check: --profile FILE, or a {PROFILE} in the --data folder or workspace "
        f"(examples/{PROFILE} shows one)."
    )


def _fields_table(report: Any, lang: str, source: str) -> Table:
    w = _WORDS[lang]
    table = new_table(title=w["title"].format(source=source, as_of=report.as_of))
    for key in ("table", "field", "layer", "required"):
        table.add_column(w[key])
    for key in ("completeness", "missing", "out_of_range"):
        table.add_column(w[key], justify="right")
    table.add_column(w["examples"])
    for row in report.fields.to_dict("records"):
        field = f"{row['field']}（{row['label']}）" if row["label"] and lang == "zh" else str(row["field"])
        completeness = row["completeness"]
        table.add_row(
            str(row["table"]),
            field,
            str(row["layer"]),
            w["yes"] if row["required"] else w["no"],
            f"{completeness:.1%}" if completeness is not None else "—",
            f"{row['missing']:,}",
            f"{row['out_of_range']:,}",
            str(row["examples"]),
        )
    return table


@app.command()
def quality(
    as_of: AsOfOption,
    data: DataOption = None,
    profile: Annotated[
        Path | None,
        typer.Option("--profile", "-p", help=f"The profile file (default: {PROFILE} in the --data folder)."),
    ] = None,
    output: Annotated[
        Path | None,
        typer.Option("--output", "-o", help="Write the report: .xlsx (fields and customers) or the customers as .csv."),
    ] = None,
    lang: LangOption = "zh",
    backend: BackendOption = None,
) -> None:
    """Check the customer profile: completeness per field and per customer, values out of range, stale profiles."""
    import tierwise

    lang = _lang(lang)
    path = _profile_path(profile, data)
    with _progress(f"Checking {path.name}…"):
        loaded = tierwise.load_profile(path)
        source, con, where = _source(data, backend)
        report = tierwise.check_quality(source, loaded, as_of, con=con)
    out.print(_fields_table(report, lang, where))
    summary = report.summary()
    share = f"{summary['complete_share']:.1%}" if summary["complete_share"] is not None else "—"
    out.print(
        _WORDS[lang]["summary"].format(
            customers=summary["customers"],
            complete=summary["complete"],
            share=share,
            missing=summary["missing_required"],
            wrong=summary["out_of_range"],
            stale=summary["stale"],
        ),
        highlight=False,
    )
    if output is not None:
        written = report.write(output)
        err.print(_WORDS[lang]["wrote"].format(path=written))
