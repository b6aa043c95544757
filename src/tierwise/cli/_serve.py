"""``tierwise serve``: the web app over one workspace."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from tierwise.cli._app import LangOption, _lang, app
from tierwise.cli._workspace import WorkspaceOption


@app.command()
def serve(
    workspace: WorkspaceOption = None,
    host: Annotated[
        str, typer.Option("--host", help="The address to listen on; 0.0.0.0 for every interface (put HTTPS in front).")
    ] = "127.0.0.1",
    port: Annotated[int, typer.Option("--port", min=1, max=65535, help="The port to listen on.")] = 8000,
    lang: LangOption = "zh",
    trusted_proxy: Annotated[
        list[str] | None,
        typer.Option(
            "--trusted-proxy",
            help="The address (or network, like 10.0.0.0/8) of a reverse proxy whose X-Forwarded-For and "
            "X-Forwarded-Proto are believed (repeatable). Without it these headers are ignored.",
        ),
    ] = None,
    work_seconds: Annotated[
        float,
        typer.Option(
            "--work-seconds",
            min=1,
            max=3600,
            help="How long a request waits for heavy work (an upload's preview, an import, a draft's check, "
            "a simulation) before it is answered with a sentence.",
        ),
    ] = 30.0,
) -> None:
    """Serve the workspace in the browser (and as JSON under /api/v1) until Ctrl+C.

    While it runs, the server owns the workspace: other tierwise commands on it say it is
    busy and name the server. Users sign in with the password an admin gave them
    ('tierwise users add NAME --role ROLE --password-stdin').
    """
    import tierwise
    from tierwise.web import serve as run

    root = (tierwise.Workspace(workspace) if workspace is not None else tierwise.Workspace.find()).root
    run(
        Path(root),
        host=host,
        port=port,
        lang=_lang(lang),
        trusted_proxies=tuple(trusted_proxy or ()),
        work_seconds=work_seconds,
    )
