"""``tierwise report KIND``: the reports of published grades, printed, written to a file, or all in one workbook."""

from __future__ import annotations

import datetime as dt
import math
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Annotated, Any

import typer

from tierwise.cli._app import LangOption, _lang, app, out
from tierwise.cli._listing import OutputOption, listing
from tierwise.cli._workspace import WorkspaceOption, _date, _workspace

KINDS = {
    "distribution": "customers and value per grade (--by COL for each group)",
    "pareto": "the Pareto/Lorenz curve: customers from the largest value down",
    "grades": "客户分级表: the customers of each grade (--grade G for some)",
    "top": "the customers of the best grade (the A list)",
    "special-terms": "customers on special terms (approved 特批 still in force)",
    "regions": "客户区域分析表: region x grade with shares of the region's sales",
    "sales": "客户销售分析表: each customer's sales per product over 12 months",
    "migration": "the transition matrix from the previous publication",
    "migration-summary": "upgrades, downgrades, entries, exits and their rates",
    "entitlements": "the standard's policies and how many customers each covers",
    "effect": "分级效果评估: churn, revenue, margin and late payments per grade in the 12 months after",
    "effect-breaks": "the pairs of grades where the better grade did worse",
    "pack": "every report in one file with charts: -o FILE.xlsx, FILE.html or FILE.pdf",
}


def _frame(kind: str, ws: Any, source: Any, by: list[str], value: str | None, grades: list[str]) -> Any:
    import tierwise.reports as reports

    def migration(summary: bool) -> Any:
        before = reports.previous(ws, source)
        if before is None:
            raise ValueError(
                f"'{source.standard.id}' has no publication before {source.day} to compare with; "
                f"a migration needs two (choose a later --as-of or --publication)."
            )
        return reports.migration_summary(before, source) if summary else reports.migration(before, source)

    makers: dict[str, Callable[[], Any]] = {
        "distribution": lambda: reports.distribution(source, by=by, value=value),
        "pareto": lambda: reports.lorenz(source, value=value),
        "grades": lambda: reports.grade_list(source, grades=grades or None),
        "top": lambda: reports.grade_list(source, grades=[source.standard.grades[0]]),
        "special-terms": lambda: reports.special_terms(ws, source),
        "regions": lambda: reports.region_analysis(source, by=by[0] if by else "region", value=value),
        "sales": lambda: reports.sales_pivot(ws, source),
        "migration": lambda: migration(False),
        "migration-summary": lambda: migration(True),
        "entitlements": lambda: reports.entitlements(source),
        "effect": lambda: reports.effect(ws, source),
        "effect-breaks": lambda: reports.effect_breaks(reports.effect(ws, source)),
    }
    return makers[kind]()


def _cell(value: Any) -> Any:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return None
    if hasattr(value, "item"):  # numpy scalars
        value = value.item()
    if isinstance(value, float):
        return round(value, 6)
    if isinstance(value, dt.datetime):
        return value.date().isoformat()
    return value


@app.command()
def report(
    kind: Annotated[str, typer.Argument(metavar="KIND", help="One of: " + ", ".join(KINDS) + ".")],
    standard: Annotated[str, typer.Option("--standard", "-s", help="The standard id.")],
    publication: Annotated[
        int | None, typer.Option("--publication", help="The publication (its run id); default the latest.")
    ] = None,
    as_of: Annotated[str | None, typer.Option("--as-of", help="The published grades on this day instead.")] = None,
    by: Annotated[list[str] | None, typer.Option("--by", help="Break down by a customer column (repeatable).")] = None,
    value: Annotated[
        str | None, typer.Option("--value", help="The indicator to share out (default: the deciding one).")
    ] = None,
    grade: Annotated[list[str] | None, typer.Option("--grade", help="Only these grades (grades report).")] = None,
    lang: LangOption = "zh",
    output: OutputOption = None,
    workspace: WorkspaceOption = None,
) -> None:
    """A report of the published grades: printed, or every row to -o FILE; 'pack' writes them all to one .xlsx."""
    import tierwise.reports as reports

    language = _lang(lang)
    if kind not in KINDS:
        listed = "; ".join(f"{k} ({what})" for k, what in KINDS.items())
        raise ValueError(f"There is no report '{kind}'. The reports are: {listed}.")
    if publication is not None and as_of is not None:
        raise ValueError("Give --publication or --as-of, not both.")
    ws = _workspace(workspace)
    day = _date(as_of, "--as-of")
    if kind == "pack":
        if output is None:
            raise ValueError("The report pack is a file: name it with -o FILE.xlsx, FILE.html or FILE.pdf.")
        pack = reports.report_pack(ws, standard, as_of=day, publication=publication, by=(by or ["region"])[0])
        if output.suffix.lower() in (".html", ".htm"):
            reports.write_html(pack, output, lang=language)
        elif output.suffix.lower() == ".pdf":
            reports.write_pdf(pack, output, lang=language)
        else:
            reports.write_pack(pack, output, lang=language)
        out.print(f"Wrote {len(pack.sheets)} reports of '{standard}' on {pack.source.day} to {output}", highlight=False)
        return
    source = reports.published(ws, standard, as_of=day, publication=publication)
    frame = _frame(kind, ws, source, list(by or []), value, list(grade or []))
    _print_frame(frame, language, f"{source.standard.name} · {kind} · {source.day}", output)


def _print_frame(frame: Any, language: str, title: str, output: Path | None) -> None:
    """A report's rows: column names when piped (for scripts), labels on a terminal and in files."""
    import tierwise.reports as reports

    keys = [str(c) for c in frame.columns]
    shown = keys if output is None and not sys.stdout.isatty() else [reports.label(k, language) for k in keys]
    rows = [[_cell(v) for v in row] for row in frame.itertuples(index=False, name=None)]
    listing(shown, rows, title=title, output=Path(output) if output is not None else None)


@app.command()
def due(
    today: Annotated[str | None, typer.Option("--today", help="The day to look from (default: today).")] = None,
    days: Annotated[int, typer.Option("--days", help="Also what falls due within this many days.")] = 30,
    lang: LangOption = "zh",
    output: OutputOption = None,
    workspace: WorkspaceOption = None,
) -> None:
    """What is due: evaluations by cadence, provisional reviews, expiring 特批, pending requests."""
    import tierwise.reports as reports

    language = _lang(lang)
    frame = reports.due(_workspace(workspace), _date(today, "--today"), horizon_days=days)
    if frame.empty:
        out.print("Nothing is due.")
        return
    _print_frame(frame, language, "due", output)
