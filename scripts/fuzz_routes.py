"""The long fuzz of the web app's routes: every route's path and query parameters, over real HTTP on loopback.

Usage: ``python scripts/fuzz_routes.py [REQUESTS] [SEED]`` (default 5,000 requests, seed 1).
Builds the web tests' workspace (tests/_webdata.py, with a customer id containing '/'),
serves it with ``tierwise serve`` on a loopback port, and sends REQUESTS requests drawn from
the app's route table (tests/_routefuzz.py), half signed in as a manager, half anonymous.
Prints the counts: requests, 5xx, dropped connections, heads a server could not send, the
status histogram and the time, then the first request of each failure. CI runs the same
harness in process with a few hundred requests (tests/test_web_params.py). The last run is
in scripts/fuzz_routes.log.
"""

from __future__ import annotations

import collections
import random
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import httpx2 as httpx
from tests._routefuzz import NOT_SIGNED_IN_ONLY, call, known_values, routes, send, verdict
from tests._webdata import PASSWORD, build

import tierwise.workspace as tw
from tierwise.web import create_app


def _serve(root: Path, log: Path) -> tuple[subprocess.Popen[bytes], str]:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    with log.open("wb") as out:
        server = subprocess.Popen(
            [sys.executable, "-m", "tierwise", "serve", "--workspace", str(root), "--port", str(port)],
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    base = f"http://127.0.0.1:{port}"
    for _ in range(600):
        try:
            httpx.get(base + "/login", timeout=1)
            return server, base
        except httpx.TransportError:
            time.sleep(0.1)
    server.terminate()
    raise SystemExit(f"tierwise serve did not answer on {base}; see {log}.")


def main(requests: int, seed: int) -> int:
    rng = random.Random(seed)
    statuses: collections.Counter[int] = collections.Counter()
    counts: collections.Counter[str] = collections.Counter()
    failures: dict[str, str] = {}
    with tempfile.TemporaryDirectory() as folder:
        data = build(Path(folder) / "ws", slashed=True)
        runs = [str(r.id) for r in tw.list_runs(tw.Workspace(data.root))]
        known = known_values(data, runs, ["1", "2"])
        table = routes(create_app(data.root))
        server, base = _serve(data.root, Path(folder) / "serve.log")
        try:
            manager = httpx.Client(base_url=base, timeout=120)
            signed = manager.post("/api/v1/login", json={"name": "wang", "password": PASSWORD})
            assert signed.status_code == 200, signed.text
            clients = {
                "manager": (manager, [r for r in table if r.name not in NOT_SIGNED_IN_ONLY]),
                "anonymous": (httpx.Client(base_url=base, timeout=120), table),
            }
            started = time.perf_counter()
            for _ in range(requests):
                who = rng.choice(("manager", "anonymous"))
                client, allowed = clients[who]
                made = call(rng, rng.choice(allowed), known)
                try:
                    answer = send(client, made)
                except httpx.TransportError as exc:  # the server dropped the connection
                    counts["dropped"] += 1
                    failures.setdefault(f"dropped {made.route}", f"{who} {made}: {exc!r}")
                    continue
                statuses[answer.status_code] += 1
                wrong = verdict(answer)
                if wrong is not None:
                    kind = "5xx" if answer.status_code >= 500 else "bad head"
                    counts[kind] += 1
                    failures.setdefault(f"{kind} {made.route}", f"{who} {made}: {wrong}")
            elapsed = time.perf_counter() - started
        finally:
            server.terminate()
            server.wait(timeout=60)
    histogram = ", ".join(f"{status}: {n:,}" for status, n in sorted(statuses.items()))
    print(
        f"{requests:,} requests over {len(table)} routes in {elapsed:.0f} s (seed {seed}): "
        f"5xx {counts['5xx']}, dropped connections {counts['dropped']}, unsendable heads {counts['bad head']}"
    )
    print(f"statuses: {histogram}")
    for what, example in failures.items():
        print(f"\n== {what}\n{example}")
    return 1 if failures else 0


if __name__ == "__main__":
    args = [int(a) for a in sys.argv[1:]]
    sys.exit(main(args[0] if args else 5_000, args[1] if len(args) > 1 else 1))
