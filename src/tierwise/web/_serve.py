"""``tierwise serve``: the web app in uvicorn, bound to the loopback address unless told otherwise."""

import ipaddress
import sys
from collections.abc import Sequence
from pathlib import Path

__all__ = ["LOOPBACK_WARNING", "serve"]

LOOPBACK_WARNING = (
    "Warning: tierwise serves on {host}, reachable from other machines, over plain HTTP. Put HTTPS in front of it "
    "(a reverse proxy such as nginx or Caddy that forwards to this port) so that passwords and session cookies "
    "are never sent in the clear, and name it with --trusted-proxy: the session cookie is marked Secure when that "
    "proxy says the site is HTTPS."
)


def _loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def serve(
    workspace: str | Path,
    *,
    host: str = "127.0.0.1",
    port: int = 8000,
    lang: str = "zh",
    trusted_proxies: Sequence[str] = (),
    work_seconds: float = 30.0,
) -> None:
    """Serve ``workspace`` until interrupted; warns on stderr when ``host`` is not a loopback address.

    ``X-Forwarded-For`` and ``X-Forwarded-Proto`` are believed only from ``trusted_proxies``
    (the app applies them; uvicorn's own handling, which trusts 127.0.0.1 by default, is off).
    """
    import uvicorn

    from tierwise.web._app import create_app

    if not _loopback(host):
        print(LOOPBACK_WARNING.format(host=host), file=sys.stderr, flush=True)
    shown = f"[{host}]" if ":" in host else host
    app = create_app(
        workspace,
        address=f"http://{shown}:{port}",
        lang=lang,
        trusted_proxies=trusted_proxies,
        work_seconds=work_seconds,
    )
    uvicorn.run(app, host=host, port=port, log_level="info", proxy_headers=False, server_header=False)
