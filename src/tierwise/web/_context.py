"""Who is asking and in which language: the request context of every route, and the page renderer.

The session cookie names a server-side session (see ``tierwise.workspace.open_session``);
the context carries the workspace acting as that user, so every change is audited with the
signed-in identity. Pages are Jinja2 templates with autoescaping; their text comes from the
message catalogue.
"""

import datetime as dt
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import jinja2
from fastapi import Request
from fastapi.encoders import jsonable_encoder
from fastapi.responses import HTMLResponse, JSONResponse, Response
from pydantic import BaseModel, ValidationError
from starlette.background import BackgroundTask

import tierwise.lifecycle as lc
import tierwise.reports as reports
from tierwise._messages import LANGS, MESSAGES, message, reason
from tierwise.workspace import User, Workspace, role_label, session_user

__all__ = [
    "COOKIE",
    "LANG_COOKIE",
    "Ctx",
    "Forbidden",
    "SignIn",
    "body",
    "context",
    "done",
    "invalid",
    "language",
    "render",
]

COOKIE = "tierwise_session"
LANG_COOKIE = "tierwise_lang"


class SignIn(Exception):
    """The route needs a signed-in user; HTML routes go to the login page, JSON routes answer 401."""

    def __init__(self, path: str) -> None:
        super().__init__(path)
        self.path = path


class Forbidden(Exception):
    """The signed-in user's role may not use this route (403)."""


@dataclass
class Ctx:
    """The request's workspace (acting as the signed-in user), the user, and the interface language."""

    request: Request
    workspace: Workspace
    user: User | None
    lang: str

    def t(self, key: str, **params: Any) -> str:
        return message(key, self.lang, **params)


def language(request: Request) -> str:
    """The interface language of a request: its cookie's, else the app's."""
    lang = request.cookies.get(LANG_COOKIE, request.app.state.lang)
    return lang if lang in LANGS else "zh"


def context(request: Request) -> Ctx:
    """The context of a request: the session's user (None when not signed in) and the language."""
    root: Workspace = request.app.state.workspace
    found = session_user(root, request.cookies.get(COOKIE))
    lang = language(request)
    if found is None:
        return Ctx(request, root, None, lang)
    return Ctx(request, found[0], found[1], lang)


def _when(value: Any) -> str:
    if isinstance(value, dt.datetime):
        return value.strftime("%Y-%m-%d %H:%M")
    if value is None:
        return ""
    return str(value)


def _number(value: Any) -> str:
    if isinstance(value, bool) or value is None:
        return "" if value is None else str(value).lower()
    if isinstance(value, int | float):
        if isinstance(value, float) and value != value:
            return "—"
        return f"{value:,.2f}".rstrip("0").rstrip(".") if isinstance(value, float) else f"{value:,}"
    return str(value)


def environment() -> jinja2.Environment:
    """The template environment: autoescaped, strict about undefined names."""
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(Path(__file__).parent / "templates"),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["when"] = _when
    env.filters["number"] = _number
    env.filters["json"] = lambda value: json.dumps(value, ensure_ascii=False, default=str)
    return env


def _flash(ctx: Ctx) -> str | None:
    """The confirmation a change asked its page to show (``?done=KEY``); only catalogue keys, plain values."""
    query = ctx.request.query_params
    key = query.get("done", "")
    if ".done_" not in key or key not in MESSAGES:
        return None
    number, name = query.get("id", ""), query.get("name", "")
    params = {"id": number if number.isdigit() else "?", "name": name if len(name) <= 64 else "?"}
    return message(key, ctx.lang, **params)


def render(ctx: Ctx, template: str, status: int = 200, **values: Any) -> HTMLResponse:
    """A page: the template with the context, the catalogue (``t``) and the data."""
    env: jinja2.Environment = ctx.request.app.state.templates
    lang = ctx.lang
    html = env.get_template(template).render(
        ctx=ctx,
        user=ctx.user,
        lang=lang,
        t=lambda key, **params: message(key, lang, **params),
        has=lambda key: key in MESSAGES,
        reason=lambda text: reason(text, lang),
        role=lambda r: role_label(r, lang),
        flash=_flash(ctx),
        path=ctx.request.url.path,
        query=dict(ctx.request.query_params),
        **values,
    )
    return HTMLResponse(html, status_code=status)


async def body(request: Request, model: type[BaseModel]) -> Any:
    """The request body as ``model``: a JSON object, or a form (what the pages' htmx forms send)."""
    kind = request.headers.get("content-type", "").split(";")[0].strip()
    if kind == "application/json":
        try:
            data = await request.json()
        except ValueError as exc:
            raise ValueError(f"The request body is not valid JSON: {exc}.") from exc
    else:
        form = await request.form()
        data = {k: v for k, v in form.items() if isinstance(v, str) and v != ""}
    if not isinstance(data, dict):
        raise ValueError("The request body must be a JSON object.")
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        raise ValueError(invalid(exc.errors(), language(request))) from exc


_WHERE = ("query", "path", "body")


def _problem(error: Any, lang: str) -> str:
    """One validation error as "'where': what", from the catalogue when it has the error's kind."""
    loc = [str(part) for part in error.get("loc", ())]
    where = ".".join(loc[1:] if loc[:1] and loc[0] in _WHERE and len(loc) > 1 else loc) or "body"
    key = f"invalid.{error.get('type')}"
    if key not in MESSAGES:
        return f"'{where}': {error.get('msg')}"
    limits = {k: f"{v:,}" if isinstance(v, int) else str(v) for k, v in (error.get("ctx") or {}).items()}
    try:
        return f"'{where}': {message(key, lang, **limits)}"
    except (KeyError, IndexError):
        return f"'{where}': {error.get('msg')}"


def invalid(errors: Any, lang: str = "en") -> str:
    """The sentence for a request's validation errors (pydantic's), every problem with where it is, in ``lang``."""
    separator = "；" if lang == "zh" else "; "
    return message("invalid.request", lang, problems=separator.join(_problem(e, lang) for e in errors))


def _warm(workspace: Workspace) -> None:
    """Compute every published standard's dashboard (everyone's view) again, so its next view is read from the cache."""
    for found in lc.standards(workspace):
        try:
            reports.dashboard(workspace, found.id, None)
        except (ValueError, RuntimeError):  # a dashboard that cannot be drawn now is drawn, with its error, on view
            continue


def done(ctx: Ctx, result: dict[str, Any], page: str, key: str, **params: Any) -> Response:
    """The answer to a change: JSON for the API, and for a page's htmx form a redirect showing what happened.

    After the answer is sent, the dashboards are computed again in the background (a change
    may move what they show), so managers read them from the cache.
    """
    response = JSONResponse(jsonable_encoder(result), background=BackgroundTask(_warm, ctx.workspace))
    if ctx.request.headers.get("hx-request"):
        from urllib.parse import quote, urlencode

        target = (
            page + ("&" if "?" in page else "?") + urlencode({"done": key, **{k: str(v) for k, v in params.items()}})
        )
        response.headers["HX-Redirect"] = quote(target, safe="/?&=%:#+,;@!$'()*~")  # a header: ASCII only
    return response
