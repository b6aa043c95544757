"""The report pack as a PDF: the HTML page printed by a headless Chromium (A4, CJK fonts, page numbers)."""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from pathlib import Path

from ._html import write_html
from ._workbook import Pack

__all__ = ["chromium", "write_pdf"]

_NAMES = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable", "chrome")


def chromium() -> str:
    """The Chromium (or Chrome) to print with: ``TIERWISE_CHROMIUM``, else the first on the PATH.

    Raises
    ------
    RuntimeError
        When there is none, saying how to get one.
    """
    chosen = os.environ.get("TIERWISE_CHROMIUM")
    if chosen:
        return chosen
    for name in _NAMES:
        found = shutil.which(name)
        if found:
            return found
    raise RuntimeError(
        "Writing a PDF needs Chromium, which is not installed: install it (Debian: apt-get install chromium "
        "fonts-noto-cjk) or set TIERWISE_CHROMIUM to its path, or write the report as .html or .xlsx."
    )


def _browser_command(browser: str, *extra: str) -> list[str]:
    return [
        browser,
        "--headless",
        "--disable-gpu",
        "--no-sandbox",  # a report of one's own data, often run as root in containers
        "--hide-scrollbars",
        "--virtual-time-budget=10000",  # let the charts draw before printing
        *extra,
    ]


def write_pdf(pack: Pack, path: str | Path, *, lang: str = "zh", timeout: float = 120) -> Path:
    """Print the pack's HTML page to an A4 PDF with the standard's name, version and day on each page.

    Chromium's header carries the page title (the standard's name, id, version and day)
    and its footer the page number.
    """
    path = Path(path).resolve()
    if path.suffix.lower() != ".pdf":
        raise ValueError(f"The PDF report is written as .pdf; got '{path.name}'.")
    browser = chromium()
    with tempfile.TemporaryDirectory(prefix="tierwise-") as folder:
        page = write_html(pack, Path(folder) / "report.html", lang=lang)
        command = _browser_command(browser, f"--print-to-pdf={path}", page.as_uri())
        done = subprocess.run(command, capture_output=True, text=True, timeout=timeout, check=False)
    if done.returncode != 0 or not path.is_file():
        raise RuntimeError(f"Chromium could not print the report to {path}: {done.stderr.strip()[-500:]}")
    return path
