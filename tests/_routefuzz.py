"""Route-parameter fuzzing, shared by the CI test (tests/test_web_params.py) and the long run (scripts/fuzz_routes.py).

The routes and their parameters are read from the app itself (``app.routes``: each route's
path parameters and the fields of its query model), so a route added later is fuzzed
without a line here. Each request gives every path parameter, and some query parameters,
a value from :data:`HOSTILE` (what broke routes before: huge numbers, far days, NUL, CR/LF,
quotes, slashes, long and non-Latin text) or from the workspace's own ids, so the fuzz
reaches past the parsing too. :func:`verdict` is what must hold: no 5xx, and a head that a
real server can send (ASCII, no control characters; else the connection is dropped).
"""

from __future__ import annotations

import random
import re
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

from fastapi.routing import APIRoute
from pydantic import BaseModel

HOSTILE: tuple[str, ...] = (
    "",
    " ",
    "0",
    "-1",
    "1",
    "2",
    "1.5",
    "1e3",
    "0x10",
    "１２",
    str(2**31),
    str(2**63 - 1),
    str(2**63),
    str(10**23),
    str(-(10**23)),
    "9999-12-31",
    "0001-01-01",
    "1899-12-31",
    "2025-02-30",
    "2025-12-31",
    "20251231",
    "2025-12-31T23:59:59",
    "\x00",
    "a\x00b",
    "\r\n",
    "x\r\nSet-Cookie: stolen=1",
    "\t",
    "\x7f",
    '"',
    "'",
    'vip"; filename="evil.exe',
    "../../etc/passwd",
    "/",
    "//",
    "a/b",
    "%00",
    "%2F",
    "%",
    "?",
    "#",
    "<script>alert(1)</script>",
    "=HYPERLINK(1)",
    "x" * 201,
    "y" * 5000,
    "标准",
    "ｇｕｅｓｔ",
    "\u2028",
    "🙂",
    "NaN",
    "null",
    "[]",
    "all",
    "up",
    "draft",
    "pending",
    "replace",
    "customers",
)

NOT_SIGNED_IN_ONLY = ("logout", "api.logout")  # a signed-in fuzz keeps its session


@dataclass(frozen=True)
class Route:
    """A route of the app as the fuzz sees it: what to send and which parameters it takes."""

    name: str
    method: str
    path: str
    path_params: tuple[str, ...]
    query_params: tuple[str, ...]


@dataclass(frozen=True)
class Call:
    """One request: method, URL path (parameters encoded), query, headers, interface language (cookie)."""

    route: str
    method: str
    url: str
    params: dict[str, str]
    headers: dict[str, str]
    lang: str | None


def _query_names(route: APIRoute) -> tuple[str, ...]:
    names: list[str] = []

    def walk(dependant: Any) -> None:
        for param in dependant.query_params:
            kind = param.field_info.annotation
            if isinstance(kind, type) and issubclass(kind, BaseModel):
                names.extend(kind.model_fields)
            else:
                names.append(param.name)
        for sub in dependant.dependencies:
            walk(sub)

    walk(route.dependant)
    return tuple(dict.fromkeys(names))


def routes(app: Any) -> list[Route]:
    """Every route of the app, with its path parameters and query parameter names."""
    found = []
    for route in app.routes:
        if not isinstance(route, APIRoute):
            continue
        found.append(
            Route(
                route.name,
                next(iter(route.methods)),
                route.path,
                tuple(re.findall(r"\{(\w+)(?::\w+)?\}", route.path)),
                _query_names(route),
            )
        )
    return found


def _value(rng: random.Random, known: dict[str, list[str]], name: str) -> str:
    own = known.get(name, [])
    if own and rng.random() < 0.35:
        return rng.choice(own)
    if rng.random() < 0.1:  # a hostile value glued to a good one
        return rng.choice(own or ["x"]) + rng.choice(HOSTILE)
    return rng.choice(HOSTILE)


def call(rng: random.Random, route: Route, known: dict[str, list[str]]) -> Call:
    """A request to ``route`` with values drawn by ``rng`` for its path and (some of its) query parameters."""
    url = route.path
    for name in route.path_params:
        value = _value(rng, known, name)
        safe = "/" if ":path}" in route.path and rng.random() < 0.5 else ""
        url = re.sub(r"\{" + name + r"(?::\w+)?\}", quote(value, safe=safe), url)  # no backslash in a quoted value
    params = {n: _value(rng, known, n) for n in route.query_params if rng.random() < 0.6}
    if rng.random() < 0.1:
        params[rng.choice(("next", "done", "id", "unknown"))] = rng.choice(HOSTILE)
    headers = {}
    if rng.random() < 0.3:
        headers["HX-Request"] = "true"
    lang = rng.choice(("en", "zh", "xx")) if rng.random() < 0.3 else None
    return Call(route.name, route.method, url, params, headers, lang)


def send(client: Any, made: Call) -> Any:
    """Send ``made`` with an httpx-like client (a POST carries an empty JSON object: the parameters are fuzzed)."""
    client.cookies.set("tierwise_lang", made.lang or "zh")  # beside the session cookie
    if made.method == "GET":
        return client.get(made.url, params=made.params, headers=made.headers, follow_redirects=False)
    return client.post(made.url, params=made.params, headers=made.headers, json={}, follow_redirects=False)


_HEAD = re.compile(r"[\t\x20-\x7e]*")


def verdict(response: Any) -> str | None:
    """None when the answer is fine; else what is wrong (a 5xx, or a head a real server could not send)."""
    if response.status_code >= 500:
        return f"{response.status_code}: {response.text[:200]}"
    for key, value in response.headers.items():
        if not (_HEAD.fullmatch(key) and _HEAD.fullmatch(value)):
            return f"header {key!r}: {value[:120]!r}"
    return None


def known_values(data: Any, runs: list[str], requests: list[str]) -> dict[str, list[str]]:
    """Values of the demo web data that exist, by parameter name (the fuzz mixes them with hostile ones)."""
    from tests._webdata import FORMS_STANDARD, STANDARD

    return {
        "customer_id": [data.mine, data.other, data.slashed, data.formula],
        "run_id": runs,
        "request_id": requests,
        "standard_id": [STANDARD, FORMS_STANDARD],
        "standard": [STANDARD, FORMS_STANDARD],
        "customer": [data.mine, data.slashed],
        "code": ["en", "zh"],
        "as_of": ["2025-12-31"],
        "since": ["2025-01-01"],
        "until": ["2025-12-31"],
        "page": ["1", "2"],
        "name": ["nobody-here"],
        "token": ["0" * 32],
    }
