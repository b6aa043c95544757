"""Imports in the browser: upload a file, preview how it will be read, import it as the CLI does.

The upload is stored under a random name in the workspace's ``uploads/`` folder (the
browser's file name is only shown, never used as a path), its size bounded. The preview
reads and checks every row with the import's own rules and writes nothing: the header
mapping with units, the first rows as they will be stored, every bad row (downloadable as
a formula-safe CSV). Importing is :func:`tierwise.workspace.import_file`: one transaction,
and a file with a bad row lands nothing.
"""

import datetime as dt
import re
import secrets
import tempfile
import time
from pathlib import Path
from typing import Annotated, Any, Literal
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import JSONResponse, Response
from pydantic import BaseModel, ConfigDict, Field

import tierwise
import tierwise.workspace as tw
from tierwise.web._access import route
from tierwise.web._context import Ctx, body, context, done, render
from tierwise.web._params import Key, attachment
from tierwise.web._upload import check_upload
from tierwise.web._worker import heavy

__all__ = ["MAX_UPLOAD", "router"]

router = APIRouter()
MAX_UPLOAD = 256 * 1024 * 1024  # bytes: a year of a bank's transactions fits; more is refused
SUFFIXES = (".csv", ".xlsx", ".xls", ".xlsm", ".parquet")
TABLES = ("customers", "transactions", "payments", "opportunities", "assessments")
_TOKEN = re.compile(r"[0-9a-f]{32}")
_STALE = 24 * 3600  # seconds an upload that was never imported is kept


class ImportQuery(BaseModel):
    """Which table the upload goes to, how, and the file's name as the user knows it (a page's other parameters,
    like its confirmation, are ignored)."""

    model_config = ConfigDict(str_strip_whitespace=True)
    table: str = Field(min_length=1, max_length=64)
    mode: Literal["append", "replace"] = "append"
    name: str = Field("upload", max_length=200)


class ProblemOut(BaseModel):
    row: int
    column: str | None
    value: str | None
    problem: str


class PreviewOut(BaseModel):
    """How the uploaded file will be read: mapping, units, first rows, every problem; nothing is written."""

    token: str
    table: str
    mode: str
    file: str
    rows: int
    bad_rows: int
    mapping: dict[str, str]
    units: dict[str, str]
    unmapped: list[str]
    first: list[dict[str, Any]]
    problems: list[ProblemOut]
    replaces: str | None = Field(None, description="With mode replace: what replacing deletes (ask before).")


def _uploads(ctx: Ctx) -> Path:
    folder = ctx.workspace.root / "uploads"
    folder.mkdir(exist_ok=True)
    now = time.time()
    for old in folder.iterdir():  # uploads never imported
        if old.is_file() and now - old.stat().st_mtime > _STALE:
            old.unlink(missing_ok=True)
    return folder


def _staged(ctx: Ctx, token: str) -> Path:
    if not _TOKEN.fullmatch(token):
        raise tw.NotFound("There is no such upload; upload the file again.")
    found = [p for p in _uploads(ctx).glob(f"{token}.*") if p.suffix in SUFFIXES]
    if not found:
        raise tw.NotFound("The upload is gone (imported, or older than a day); upload the file again.")
    return found[0]


def _preview(ctx: Ctx, token: str, query: ImportQuery) -> PreviewOut:
    found = tw.preview_file(ctx.workspace, query.table, _staged(ctx, token), mode=query.mode, name=query.name)
    return PreviewOut(
        token=token,
        table=query.table,
        mode=query.mode,
        file=found.file,
        rows=found.rows,
        bad_rows=found.bad_rows,
        mapping=found.mapping,
        units=found.units,
        unmapped=found.unmapped,
        first=found.first,
        problems=[ProblemOut(row=p.row, column=p.column, value=p.value, problem=p.problem) for p in found.problems],
        replaces=_replaces(ctx, query),
    )


def _checked(ctx: Ctx, token: str, query: ImportQuery) -> PreviewOut:
    """The preview of a new upload, once its bytes are within the bounds (``_upload``)."""
    check_upload(_staged(ctx, token), query.name, ctx.t)
    return _preview(ctx, token, query)


def _replaces(ctx: Ctx, query: ImportQuery) -> str | None:
    lost = tw.replacement(ctx.workspace, query.table) if query.mode == "replace" else None
    return lost.text(ctx.lang) if lost is not None else None


@route(router, "GET", "/imports", "imports", include_in_schema=False)
def imports(ctx: Ctx = Depends(context)) -> Response:
    recent = ctx.workspace.records(
        'SELECT id, "at", "user", table_name, file, mode, rows, bad_rows FROM imports ORDER BY id DESC LIMIT 20'
    )
    recent = [{**r, "file": Path(str(r["file"])).name} for r in recent]  # older imports recorded the server's path
    known = sorted(set(TABLES) | set(ctx.workspace.tables()))
    return render(ctx, "imports.html", recent=recent, tables=known, limit_mb=MAX_UPLOAD // (1024 * 1024))


@route(router, "POST", "/api/v1/imports/upload", "api.import_upload")
async def api_import_upload(request: Request, ctx: Ctx = Depends(context)) -> Response:
    """Upload a file (multipart: table, mode, file) and answer its preview; nothing is imported yet."""
    declared = int(request.headers.get("content-length") or 0)
    if declared > MAX_UPLOAD + 64 * 1024:
        raise ValueError(
            f"The file is larger than {MAX_UPLOAD // (1024 * 1024)} MB; split it, or import it with the CLI."
        )
    sent = await request.form(max_files=1, max_fields=8)
    upload = sent.get("file")
    if upload is None or isinstance(upload, str) or not upload.filename:
        raise ValueError("Choose a file to upload (.csv, .xlsx, .xls or .parquet).")
    original = Path(upload.filename).name[:200]
    suffix = Path(original).suffix.lower()
    if suffix not in SUFFIXES:
        raise ValueError(f"Cannot import '{original}': the file must be .csv, .xlsx, .xls or .parquet.")
    query = ImportQuery.model_validate(
        {"table": sent.get("table") or "", "mode": sent.get("mode") or "append", "name": original}
    )
    token = secrets.token_hex(16)
    target = _uploads(ctx) / f"{token}{suffix}"
    size = 0
    with target.open("wb") as out:
        while chunk := await upload.read(1024 * 1024):
            size += len(chunk)
            if size > MAX_UPLOAD:
                out.close()
                target.unlink(missing_ok=True)
                raise ValueError(
                    f"The file is larger than {MAX_UPLOAD // (1024 * 1024)} MB; split it, or import it with the CLI."
                )
            out.write(chunk)
    try:  # off the event loop, with a time limit: first the bounds on the bytes, then the reader
        preview = await heavy("work.slow_preview", request.app.state.work_seconds, _checked, ctx, token, query)
    except (tw.WorkspaceError, ValueError):
        target.unlink(missing_ok=True)
        raise
    page = f"/imports/{token}?" + urlencode({"table": query.table, "mode": query.mode, "name": original})
    return done(ctx, preview.model_dump(mode="json"), page, "imports.done_upload")


async def _previewed(ctx: Ctx, token: str, query: ImportQuery) -> PreviewOut:
    return await heavy("work.slow_preview", ctx.request.app.state.work_seconds, _preview, ctx, token, query)


@route(router, "GET", "/api/v1/imports/{token}", "api.import_preview", response_model=PreviewOut)
async def api_import_preview(
    token: Key, query: Annotated[ImportQuery, Query()], ctx: Ctx = Depends(context)
) -> PreviewOut:
    """The preview of an upload: the header mapping with units, the first rows as read, every bad row."""
    return await _previewed(ctx, token, query)


@route(router, "GET", "/imports/{token}", "import_preview", include_in_schema=False)
async def import_preview(token: Key, query: Annotated[ImportQuery, Query()], ctx: Ctx = Depends(context)) -> Response:
    return render(ctx, "import_preview.html", data=await _previewed(ctx, token, query))


def _problems_csv(ctx: Ctx, token: Key, query: ImportQuery) -> bytes:
    found = tw.preview_file(ctx.workspace, query.table, _staged(ctx, token), mode=query.mode, name=query.name)
    rows = tw.problems_table(found.problems)
    with tempfile.TemporaryDirectory() as folder:
        return tierwise.write_table(rows, Path(folder) / "problems.csv").read_bytes()


@route(router, "GET", "/imports/{token}/problems.csv", "import_problems", include_in_schema=False)
async def import_problems(token: Key, query: Annotated[ImportQuery, Query()], ctx: Ctx = Depends(context)) -> Response:
    """Every bad row of the upload as a CSV (UTF-8 with BOM, formula-safe), as the CLI's report."""
    seconds = ctx.request.app.state.work_seconds
    content = await heavy("work.slow_preview", seconds, _problems_csv, ctx, token, query)
    stamp = dt.date.today().isoformat()
    return Response(
        content,
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": attachment(f"import-{query.table}-problems-{stamp}.csv")},
    )


class ImportForm(ImportQuery):
    """The import of an upload: into which table, how (a body: no other field); replacing rows needs confirming."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)
    confirm_replace: bool = False


@route(router, "POST", "/api/v1/imports/{token}", "api.import")
async def api_import(token: Key, request: Request, ctx: Ctx = Depends(context)) -> Response:
    """Import the upload, as 'tierwise import' does: one transaction; a file with a bad row lands nothing."""
    form: ImportForm = await body(request, ImportForm)
    staged = _staged(ctx, token)
    if form.mode == "replace" and not form.confirm_replace and tw.replacement(ctx.workspace, form.table) is not None:
        raise tw.Refused("imports.replace_unconfirmed", table=form.table)
    try:
        result = await heavy(
            "work.slow_import",
            request.app.state.work_seconds,
            tw.import_file,
            ctx.workspace,
            form.table,
            staged,
            mode=form.mode,
            name=form.name,
        )
    except tw.ImportRefused as exc:
        detail = ctx.t("imports.refused", bad=len({p.row for p in exc.problems}), file=form.name)
        return JSONResponse({"detail": detail, "problems": len(exc.problems)}, status_code=400)
    staged.unlink(missing_ok=True)
    answer = {"table": result.table, "rows": result.rows, "mode": result.mode, "import": result.import_id}
    return done(ctx, answer, "/imports", "imports.done_import", id=result.import_id, name=form.table)
