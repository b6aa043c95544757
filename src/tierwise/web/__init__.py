"""The web app: every department signs in and sees the grades; 特批 approved by real people.

``tierwise serve`` runs :func:`create_app` with uvicorn. Pages are server-rendered (Jinja2,
htmx for partial updates, all assets in the package); every page is also JSON under
``/api/v1``, described by ``/api/v1/openapi.json``.
"""

from ._access import PUBLIC, ROUTES, SIGNED_IN, allowed
from ._app import CSP, create_app
from ._serve import serve

__all__ = ["CSP", "PUBLIC", "ROUTES", "SIGNED_IN", "allowed", "create_app", "serve"]
