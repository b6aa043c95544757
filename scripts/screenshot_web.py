"""Draw the README's screenshots of the web app from the demo workspace, in Debian's Chromium.

    python scripts/screenshot_web.py docs/

It runs the demo in a temporary folder, serves its workspace with `tierwise serve` on a
free loopback port and signs in as the demo manager: ``web-dashboard.png`` (the dashboard
of the two publications), ``web-customer.png`` (a customer with a 特批) and
``web-review.png`` (the review meeting of a run a quarter later, one grade changed).
"""

from __future__ import annotations

import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

from playwright.sync_api import sync_playwright

import tierwise
from tierwise.reports._pdf import chromium


def main(out: Path) -> None:
    folder = Path(tempfile.mkdtemp()) / "demo"
    report = tierwise.run_demo(folder, customers=2000)
    password = next(u.password for u in report.users if u.name == "wang.jingli")
    customer = (
        report.workspace
        and tierwise.Workspace(report.workspace).records(
            "SELECT customer_id FROM requests WHERE status = 'approved' ORDER BY id LIMIT 1"
        )[0]["customer_id"]
    )
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    server = subprocess.Popen(
        [sys.executable, "-m", "tierwise", "serve", "--workspace", str(report.workspace), "--port", str(port)]
    )
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(300):
            try:
                urllib.request.urlopen(base + "/login", timeout=1)
                break
            except OSError:
                time.sleep(0.2)
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=chromium(), args=["--no-sandbox"])
            page = browser.new_page(viewport={"width": 1280, "height": 900}, locale="zh-CN", reduced_motion="reduce")
            page.goto(base + "/login")
            page.get_by_label("用户名").fill("wang.jingli")
            page.get_by_label("密码").fill(password)
            page.get_by_role("button", name="登录").click()
            page.wait_for_url("**/dashboard")
            page.locator("#chart-sankey[data-drawn=true]").wait_for()
            out.mkdir(parents=True, exist_ok=True)
            page.screenshot(path=str(out / "web-dashboard.png"), full_page=True)
            page.goto(f"{base}/customers/{customer}")
            page.get_by_role("button", name="查看评级过程").first.click()
            page.locator("pre.explanation").first.wait_for()
            page.screenshot(path=str(out / "web-customer.png"), full_page=True)
            page.goto(base + "/review")
            page.locator("#new-run input[name=as_of]").fill("2026-06-30")
            page.get_by_role("button", name="开始评估").click()
            page.wait_for_url("**done=review.done_run**")
            run = page.url.split("/review/")[1].split("?")[0]
            page.goto(f"{base}/review/{run}?move=down")
            row = page.locator("#proposals tbody tr").first
            row.locator("summary").click()
            row.locator("select[name=grade]").select_option(row.locator("td.grade").first.inner_text())
            row.locator("input[name=why]").fill("年度框架协议已续签，保留原等级")
            row.get_by_role("button", name="提交").click()
            page.wait_for_url("**done=review.done_change**")
            page.goto(f"{base}/review/{run}")  # everyone, the changed grade among them
            page.screenshot(path=str(out / "web-review.png"), full_page=False)
            browser.close()
    finally:
        server.terminate()
        server.wait(timeout=30)
    print(f"Wrote {out / 'web-dashboard.png'}, {out / 'web-customer.png'} and {out / 'web-review.png'}")


if __name__ == "__main__":
    main(Path(sys.argv[1] if len(sys.argv) > 1 else "docs"))
