"""The repository is self-contained: every file a test, script or the demo reads is in it.

A user's clone has nothing beside it, so the reference files the tests compare against are
copied into ``tests/data`` and pinned here by their published SHA-256 (written in this file,
never read from elsewhere).
"""

from __future__ import annotations

import hashlib
import importlib.util
import re
from pathlib import Path

import pytest

import tierwise

ROOT = Path(__file__).resolve().parents[1]
CDNOW = ROOT / "tests" / "data" / "cdnow"

# SHA-256 of the files as published: Bruce Hardie's CDNOW_sample.txt and lifetimes' summary of it
PUBLISHED = {
    "CDNOW_sample.txt": "6fae10155c0b0ba363c2c386e30f77990d22328220efd862a5edd1443420d94a",
    "cdnow_customers_summary.csv": "09d92ca80daaabe8be0f997d4c539f9c9606106baa5b199081fe01cbce5fa9f6",
}

# Built from parts so that this file does not match its own patterns.
_OUTSIDE = re.compile(re.escape("..") + r"[/\\]" + "sha" + "red" + r"\b|[\"']" + "sha" + r"red[\"']")
_TEXT = {".py", ".md", ".yaml", ".yml", ".toml", ".cfg", ".txt", ".html", ".js", ".json", ".csv", ".ini", ".sh"}


@pytest.mark.parametrize("name", sorted(PUBLISHED))
def test_the_cdnow_reference_file_in_the_repository_is_the_published_one(name: str) -> None:
    assert hashlib.sha256((CDNOW / name).read_bytes()).hexdigest() == PUBLISHED[name]


def test_the_bundled_demo_log_is_the_published_sample_converted_by_the_script(tmp_path: Path) -> None:
    spec = importlib.util.spec_from_file_location("cdnow_to_csv", ROOT / "scripts" / "cdnow_to_csv.py")
    assert spec is not None
    assert spec.loader is not None
    script = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(script)
    script.main(CDNOW / "CDNOW_sample.txt", tmp_path)
    bundled = Path(tierwise.__file__).resolve().parent / "demo" / "cdnow" / "transactions.csv"
    assert (tmp_path / "transactions.csv").read_bytes() == bundled.read_bytes()


def _references_outside(folder: Path) -> list[str]:
    found = []
    for path in sorted(folder.rglob("*")):
        if path.suffix not in _TEXT or not path.is_file() or "__pycache__" in path.parts:
            continue
        for number, line in enumerate(path.read_text(encoding="utf-8", errors="replace").splitlines(), 1):
            if _OUTSIDE.search(line):
                found.append(f"{path.relative_to(folder)}:{number}: {line.strip()}")
    return found


@pytest.mark.parametrize("folder", ["src", "tests", "scripts", "benchmarks"])
def test_no_file_refers_to_a_folder_outside_the_repository(folder: str) -> None:
    assert _references_outside(ROOT / folder) == []


def test_the_outside_reference_check_finds_one(tmp_path: Path) -> None:
    (tmp_path / "reads.py").write_text('DATA = Path("..") / ' + '"sha' + 'red" / "data"\n', encoding="utf-8")
    (tmp_path / "docs.md").write_text("see .." + "/sha" + "red/data/cdnow\n", encoding="utf-8")
    assert len(_references_outside(tmp_path)) == 2
