"""Helpers of the real-browser tests: `tierwise serve` in a subprocess, Debian's Chromium through Playwright.

Screenshots are saved under build/test-output/web/ (TIERWISE_SCREENSHOTS to choose). Pages
are opened with reduced motion, so charts are drawn at once (no ECharts animation).
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, sync_playwright
from tests._webdata import PASSWORD, WebData, build

from tierwise.reports._pdf import chromium

__all__ = ["browser", "data", "page", "shot", "sign_in", "sign_out", "site", "start", "wait"]

SCREENS = Path(
    os.environ.get("TIERWISE_SCREENSHOTS", Path(__file__).resolve().parents[1] / "build" / "test-output" / "web")
)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def start(root: Path, *options: str) -> tuple[subprocess.Popen[str], int]:
    port = free_port()
    server = subprocess.Popen(
        [sys.executable, "-m", "tierwise", "serve", "--workspace", str(root), "--port", str(port), *options],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    return server, port


def wait(server: subprocess.Popen[str], url: str) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise AssertionError(f"tierwise serve stopped: {server.stderr.read() if server.stderr else ''}")
        try:
            with urllib.request.urlopen(url, timeout=2) as answer:
                if answer.status == 200:
                    return
        except OSError:
            time.sleep(0.2)
    raise AssertionError(f"tierwise serve did not answer at {url} within 60 s")


@pytest.fixture(scope="module")
def data(tmp_path_factory: pytest.TempPathFactory) -> WebData:
    return build(tmp_path_factory.mktemp("browser") / "ws")


@pytest.fixture(scope="module")
def site(data: WebData) -> Iterator[str]:
    server, port = start(data.root)
    base = f"http://127.0.0.1:{port}"
    try:
        wait(server, base + "/login")
        yield base
    finally:
        server.terminate()
        server.wait(timeout=30)


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=chromium(), args=["--no-sandbox"])
        yield launched
        launched.close()


@pytest.fixture
def page(browser: Browser) -> Iterator[Page]:
    context = browser.new_context(viewport={"width": 1360, "height": 900}, locale="zh-CN", reduced_motion="reduce")
    made = context.new_page()
    yield made
    context.close()


def shot(page: Page, name: str) -> Path:
    SCREENS.mkdir(parents=True, exist_ok=True)
    path = SCREENS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path


def sign_in(page: Page, site: str, name: str) -> None:
    page.goto(site + "/login")
    page.get_by_label("用户名").fill(name)
    page.get_by_label("密码").fill(PASSWORD)
    page.get_by_role("button", name="登录").click()
    page.wait_for_url("**/dashboard")


def sign_out(page: Page) -> None:
    page.get_by_role("button", name="退出").click()
    page.wait_for_url("**/login")
