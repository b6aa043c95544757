"""Time the web app's pages over real HTTP against `tierwise serve`, with a bank's number of customers.

For each size a fresh child process builds a workspace (the customers Parquet file and the
transactions CSV of benchmarks/workspace.py, one run published), serves it with
`tierwise serve` on a loopback port, signs in as a manager and as an account manager of
one region, and times each page R times (default 7; min / median / max, the client's wall
clock, HTTP included). Targets (issue 10): the customer list and search within 300 ms,
the customer page within 200 ms, at 1M customers. Issue 11: the dashboard within 1 s (its
first computation after a change, timed in process, and the cached page over HTTP), the
review list within 300 ms per page, simulating a threshold change within 2 s. For these
the workspace has two publications (a migration to draw), an unpublished run to review
and a saved draft with a lower bar.

Usage: python benchmarks/web.py [--repeat R] [CUSTOMERS ...]   (default 1000000)
"""

from __future__ import annotations

import datetime as dt
import http.cookiejar
import json
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.parse
import urllib.request
from pathlib import Path

from _machine import machine, run_child
from workspace import _files

PASSWORD = "bench-password-1"
PAGES = (
    ("customer list, first page", "/customers"),
    ("customer list, page 2000", "/customers?page=2000"),
    ("search by id prefix", "/customers?q=C000012"),
    ("search by name", "/customers?q=客户12345"),
    ("filter by grade A", "/customers?grade=A"),
    ("JSON list, region 华南, page 100", "/api/v1/customers?region=华南&page=100"),
    ("customer page", "/customers/C00000042"),
    ("customer JSON", "/api/v1/customers/C00000042"),
    ("explanation (re-evaluates one customer)", "/customers/C00000042/explain/1"),
    ("requests", "/requests"),
    ("audit log", "/audit"),
    ("dashboard (cached)", "/dashboard"),
    ("dashboard JSON (cached)", "/api/v1/dashboard"),
    ("review list, first page", "/review/{run}"),
    ("review list, moved down, page 20", "/review/{run}?move=down&page=20"),
    ("review list, search by name", "/review/{run}?q=客户12345"),
    ("review JSON, page 100", "/api/v1/runs/{run}/review?page=100"),
    ("simulate a threshold change (page)", "/standards/sales/simulate"),
)
REGIONAL = (
    ("account manager: list of one region", "/customers"),
    ("account manager: search in the region", "/customers?q=客户1234"),
    ("account manager: customer page", "/customers/{mine}"),
    ("account manager: dashboard of one region", "/dashboard"),
    ("account manager: review list of the region", "/review/{run}"),
)


def _opener(base: str, name: str) -> urllib.request.OpenerDirector:
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()))
    body = json.dumps({"name": name, "password": PASSWORD}).encode()
    request = urllib.request.Request(base + "/api/v1/login", body, {"Content-Type": "application/json"})
    opener.open(request, timeout=60).read()
    return opener


def _time(opener: urllib.request.OpenerDirector, url: str, repeat: int) -> list[float]:
    seconds = []
    for _ in range(repeat):
        started = time.perf_counter()
        with opener.open(url, timeout=120) as answer:
            answer.read()
            assert answer.status == 200, url  # (an error status raises HTTPError, naming the page)
        seconds.append(time.perf_counter() - started)
    return seconds


def child(customers: int, repeat: int) -> dict[str, float]:
    import tierwise
    import tierwise.lifecycle as lc
    import tierwise.reports as reports
    import tierwise.workspace as tw

    times: dict[str, float] = {}
    with tempfile.TemporaryDirectory(dir=os.environ.get("BENCH_TMP")) as folder:
        root = Path(folder)
        _files(root, customers)
        ws = tw.Workspace.init(root / "ws")
        tierwise.import_file(ws, "customers", root / "customers.parquet")
        tierwise.import_file(ws, "transactions", root / "transactions.csv")
        lc.publish(ws, tw.run_standard(ws, root / "sales-1.yaml", dt.date(2025, 12, 31)).id)
        lc.publish(ws, tw.run_standard(ws, root / "sales-1.yaml", dt.date(2026, 3, 31)).id)
        run = tw.run_standard(ws, root / "sales-1.yaml", dt.date(2026, 6, 30)).id  # awaiting review
        tw.add_user(ws, "bench-manager", "manager", password=PASSWORD)
        tw.add_user(ws, "bench-am", "account_manager", regions=("华南",), password=PASSWORD)
        text = (root / "sales-1.yaml").read_text(encoding="utf-8")
        lower = text.replace("{grade: A, at_least: 20万}", "{grade: A, at_least: 15万}")
        assert lower != text
        assert not tw.save_draft(ws.acting("bench-manager"), "sales", lower)  # a threshold change to simulate
        mine = ws.records("SELECT min(customer_id) AS c FROM data.customers WHERE region = '华南'")[0]["c"]
        managers = [u for u in tw.list_users(ws) if u.name in ("bench-manager", "bench-am")]
        for user in managers:  # the dashboard's first computation after a change (no cache), in process
            for index in range(repeat):
                reports._dashboard._CACHE.clear()
                started = time.perf_counter()
                reports.dashboard(ws, "sales", user)
                label = "dashboard, computed" + (" (one region)" if user.regions else "")
                times[f"{label}#{index}"] = time.perf_counter() - started
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            port = s.getsockname()[1]
        server = subprocess.Popen(
            [sys.executable, "-m", "tierwise", "serve", "--workspace", str(ws.root), "--port", str(port)],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        base = f"http://127.0.0.1:{port}"
        try:
            for _ in range(600):
                try:
                    urllib.request.urlopen(base + "/login", timeout=1).read()
                    break
                except OSError:
                    time.sleep(0.1)
            for who, pages in (("bench-manager", PAGES), ("bench-am", REGIONAL)):
                opener = _opener(base, who)
                for name, path in pages:
                    parts = urllib.parse.urlsplit(path.format(mine=mine, run=run))
                    url = base + parts.path + ("?" + urllib.parse.quote(parts.query, safe="=&") if parts.query else "")
                    _time(opener, url, 1)  # warm: the first request of a page compiles its templates
                    for index, value in enumerate(_time(opener, url, repeat)):
                        times[f"{name}#{index}"] = value
        finally:
            server.terminate()
            server.wait(timeout=60)
    return times


def main(sizes: list[int], repeat: int) -> None:
    print(f"machine: {machine()}")
    for customers in sizes:
        times = run_child(__file__, str(customers), str(repeat))
        print(
            f"\n{customers:,} customers, {customers * 10:,} transactions ({repeat} requests each: min / median / max, ms)"
        )
        computed = ("dashboard, computed", "dashboard, computed (one region)")
        for name in (*computed, *(n for n, _ in (*PAGES, *REGIONAL))):
            values = sorted(v * 1000 for k, v in times.items() if k.rsplit("#", 1)[0] == name)
            print(f"  {name:44s} {values[0]:8.0f} {statistics.median(values):8.0f} {values[-1]:8.0f}")


if __name__ == "__main__":
    arguments = sys.argv[1:]
    if len(arguments) == 3 and arguments[0] == "--child":
        print(json.dumps(child(int(arguments[1]), int(arguments[2]))))
    else:
        repeat = 7
        if arguments[:1] == ["--repeat"]:
            repeat, arguments = int(arguments[1]), arguments[2:]
        main([int(a) for a in arguments] or [1_000_000], repeat)
