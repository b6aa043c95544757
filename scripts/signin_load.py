"""Sign-in load: how fast other users are answered while people sign in, on a real server over loopback.

Usage: ``python scripts/signin_load.py [SECONDS] [THREADS]`` (default 15 s, 4 threads).

Starts ``tierwise serve`` on a fresh workspace (a subprocess, 127.0.0.1), signs one user in,
then measures ``GET /api/v1/me`` one request after another: first idle for SECONDS, then for
SECONDS while THREADS threads sign in again and again with the right password (each sign-in
an Argon2 check). Prints min, median, p95 and max of both, the sign-ins done, and exits 1
when the p95 under sign-ins is more than twice the idle p95 (floored at 20 ms, so the noise
of a fast idle server does not decide it). CI asserts the same thing without timing it
(tests/test_web_server.py).
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import httpx2 as httpx
from tests._browser import free_port, wait

import tierwise.workspace as tw

PASSWORD = "load-test-pass-1"
FLOOR = 0.020  # seconds: the idle p95 is taken as at least this


def _stats(samples: list[float]) -> dict[str, float]:
    ordered = sorted(samples)
    return {
        "n": len(ordered),
        "min": ordered[0],
        "median": statistics.median(ordered),
        "p95": ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))],
        "max": ordered[-1],
    }


def _line(name: str, found: dict[str, float]) -> str:
    ms = {k: v * 1000 for k, v in found.items() if k != "n"}
    return (
        f"{name:<16} n={int(found['n']):>5}  min {ms['min']:7.1f} ms  median {ms['median']:7.1f} ms  "
        f"p95 {ms['p95']:7.1f} ms  max {ms['max']:7.1f} ms"
    )


def _measure(me: httpx.Client, seconds: float) -> list[float]:
    samples = []
    until = time.monotonic() + seconds
    while time.monotonic() < until:
        started = time.perf_counter()
        answer = me.get("/api/v1/me")
        samples.append(time.perf_counter() - started)
        if answer.status_code != 200:
            raise SystemExit(f"/api/v1/me answered {answer.status_code}: {answer.text}")
    return samples


def main(seconds: float, threads: int) -> int:
    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder) / "ws"
        ws = tw.Workspace.init(root)
        tw.add_user(ws, "admin", "admin", password=PASSWORD)
        admin = ws.as_user("admin", PASSWORD)
        for i in range(threads + 1):
            tw.add_user(admin, f"user{i}", "viewer", password=PASSWORD)
        port = free_port()
        server = subprocess.Popen(  # its log to nowhere: a full pipe would stall the server, not the sign-ins
            [sys.executable, "-m", "tierwise", "serve", "--workspace", str(root), "--port", str(port)],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            text=True,
        )
        base = f"http://127.0.0.1:{port}"
        try:
            wait(server, base + "/login")
            me = httpx.Client(base_url=base, timeout=60)
            assert me.post("/api/v1/login", json={"name": "user0", "password": PASSWORD}).status_code == 200
            _measure(me, 1.0)  # warm up
            idle = _stats(_measure(me, seconds))
            stop = threading.Event()
            done: list[int] = []

            def sign_ins(name: str) -> None:
                with httpx.Client(base_url=base, timeout=60) as made:
                    while not stop.is_set():
                        answer = made.post("/api/v1/login", json={"name": name, "password": PASSWORD})
                        done.append(answer.status_code)

            workers = [threading.Thread(target=sign_ins, args=(f"user{i + 1}",)) for i in range(threads)]
            for worker in workers:
                worker.start()
            time.sleep(1.0)  # the sign-ins under way
            busy = _stats(_measure(me, seconds))
            stop.set()
            for worker in workers:
                worker.join(timeout=60)
            me.close()
        finally:
            server.terminate()
            server.wait(timeout=30)
    print(f"machine: {os.cpu_count()} cores; {threads} threads signing in for {seconds:g} s")
    print(_line("idle", idle))
    print(_line("under sign-ins", busy))
    print(f"sign-ins: {len(done)} ({done.count(200)} answered 200, {len(done) / (seconds + 1):.1f}/s)")
    limit = 2 * max(idle["p95"], FLOOR)
    ok = busy["p95"] <= limit and set(done) <= {200}
    print(f"p95 under sign-ins {busy['p95'] * 1000:.1f} ms, limit {limit * 1000:.1f} ms: {'ok' if ok else 'TOO SLOW'}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main(float(sys.argv[1]) if len(sys.argv) > 1 else 15.0, int(sys.argv[2]) if len(sys.argv) > 2 else 4))
