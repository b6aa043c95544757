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
) -> None:
    """Serve the workspace in the browser (and as JSON under /api/v1) until Ctrl+C.

    While it runs, the server owns the workspace: other tierwise commands on it say it is
    busy and name the server. Users sign in with the password an admin gave them
    ('tierwise users add NAME --role ROLE --password-stdin').
    """
    import tierwise
    from tierwise.web import serve as run

    root = (tierwise.Workspace(workspace) if workspace is not None else tierwise.Workspace.find()).root
    run(Path(root), host=host, port=port, lang=_lang(lang))
