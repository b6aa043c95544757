"""Reports: the report pack of a standard (the same sheets as 'tierwise report pack') as a page, xlsx and PDF.

Every sheet is built from the published grades limited to the user's regions
(``reports.report_pack(..., user=)``), so the page, the workbook and the PDF an account
manager downloads hold their customers only.
"""

import math
import tempfile
from pathlib import Path
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query
from fastapi.responses import Response
from pydantic import BaseModel

import tierwise.lifecycle as lc
import tierwise.reports as reports
from tierwise.web._access import route
from tierwise.web._context import Ctx, context, render
from tierwise.web._params import Day, Text, attachment

__all__ = ["router"]

router = APIRouter()
ROWS_SHOWN = 50  # rows of a sheet on the page; every row is in the downloads


class ReportQuery(BaseModel):
    """Which standard (default: the first published), on which day (default: its latest publication)."""

    standard: Text = None
    as_of: Day | None = None


def _pack(ctx: Ctx, query: ReportQuery) -> tuple[reports.Pack | None, list[lc.StandardInfo]]:
    found = lc.standards(ctx.workspace)
    chosen = query.standard or (found[0].id if found else None)
    if chosen is None:
        return None, found
    return reports.report_pack(ctx.workspace, chosen, as_of=query.as_of, user=ctx.user), found


def _cell(value: Any) -> Any:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return None
    return value.item() if hasattr(value, "item") else value


@route(router, "GET", "/reports", "reports", include_in_schema=False)
def reports_page(query: Annotated[ReportQuery, Query()], ctx: Ctx = Depends(context)) -> Response:
    pack, found = _pack(ctx, query)
    sections, options = [], {}
    if pack is not None:
        options = reports.chart_options(pack, ctx.lang)
        for key, frame in pack.sheets.items():
            sections.append(
                {
                    "key": key,
                    "title": reports.label(f"sheet.{key}", ctx.lang),
                    "headers": [reports.label(str(c), ctx.lang) for c in frame.columns],
                    "percent": [str(c).endswith(("share", "rate")) for c in frame.columns],
                    "rows": [[_cell(v) for v in row] for row in frame.head(ROWS_SHOWN).itertuples(index=False)],
                    "more": max(len(frame) - ROWS_SHOWN, 0),
                    "charts": [c for c in reports.CHARTS_OF.get(key, []) if c in options],
                    "note": pack.note(key, ctx.lang),
                }
            )
    filters = {"standard": pack.source.standard.id if pack else "", "as_of": query.as_of or ""}
    return render(ctx, "reports.html", pack=pack, standards=found, sections=sections, charts=options, filters=filters)


def _download(ctx: Ctx, query: ReportQuery, suffix: str) -> Response:
    pack, _ = _pack(ctx, query)
    if pack is None:
        raise ValueError("No standard is published yet; there is nothing to report.")
    with tempfile.TemporaryDirectory(prefix="tierwise-") as folder:
        path = Path(folder) / f"report{suffix}"
        if suffix == ".xlsx":
            reports.write_pack(pack, path, lang=ctx.lang)
            kind = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
        else:
            reports.write_pdf(pack, path, lang=ctx.lang)
            kind = "application/pdf"
        content = path.read_bytes()
    name = f"{pack.source.standard.id}-{pack.source.day}{suffix}"
    return Response(content, media_type=kind, headers={"Content-Disposition": attachment(name)})


@route(router, "GET", "/reports.xlsx", "reports_xlsx", include_in_schema=False)
def reports_xlsx(query: Annotated[ReportQuery, Query()], ctx: Ctx = Depends(context)) -> Response:
    """The report pack as a formatted workbook with native charts (formula-safe), your regions only."""
    return _download(ctx, query, ".xlsx")


@route(router, "GET", "/reports.pdf", "reports_pdf", include_in_schema=False)
def reports_pdf(query: Annotated[ReportQuery, Query()], ctx: Ctx = Depends(context)) -> Response:
    """The report pack printed to an A4 PDF, your regions only."""
    return _download(ctx, query, ".pdf")
