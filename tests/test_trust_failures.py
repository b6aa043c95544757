"""Every failure is one located Error: line; the workspace stays consistent and usable after it."""

from __future__ import annotations

import contextlib
import subprocess
import uuid
import zipfile
from collections.abc import Iterator
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from tests.conftest import run_cli, write_standard

import tierwise
import tierwise.workspace as tw

STANDARD = """
tierwise: 1
id: s
name: s
version: "1"
grades: [A, B]
indicators: {sales: {from: transactions, agg: sum(amount)}}
grade: {ladder: {on: sales, steps: [{grade: A, at_least: 10}, {grade: B}]}}
"""
RAW = ("Traceback", "Cfb error", "OLE", "snappy", "thrift", "Errno", "IO Error", "ZipError", "EOCD", "magic bytes")


def _clean_error(result: subprocess.CompletedProcess[str]) -> str:
    assert result.returncode == 1, result.stdout
    assert result.stderr.startswith("Error: "), result.stderr
    assert len(result.stderr.strip().splitlines()) == 1, result.stderr
    assert not any(word in result.stderr for word in RAW), result.stderr
    return result.stderr


def _parquet(path: Path) -> Path:
    pq.write_table(pa.table({"customer_id": [f"C{i}" for i in range(2000)], "amount": [1.0] * 2000}), path)
    return path


@pytest.fixture
def ws(tmp_path: Path) -> tw.Workspace:
    return tw.Workspace.init(tmp_path / "ws")


def test_a_renamed_text_file_as_xlsx_is_one_sentence(ws: tw.Workspace, tmp_path: Path) -> None:
    path = tmp_path / "客户.xlsx"
    path.write_text("customer_id\n1\n", encoding="utf-8")
    assert "not an Excel file" in _clean_error(run_cli("import", "customers", str(path), "-w", str(ws.root)))
    xls = tmp_path / "客户.xls"
    xls.write_text("customer_id\n1\n", encoding="utf-8")
    assert "not an Excel file" in _clean_error(run_cli("import", "customers", str(xls), "-w", str(ws.root)))


def test_a_zip_bomb_named_xlsx_is_refused_before_it_is_read(ws: tw.Workspace, tmp_path: Path) -> None:
    path = tmp_path / "bomb.xlsx"
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("xl/worksheets/sheet1.xml", b"\0" * (300 << 20))
    assert path.stat().st_size < 2 << 20
    assert "zip bomb" in _clean_error(run_cli("import", "customers", str(path), "-w", str(ws.root)))


@pytest.mark.parametrize("damage", ["truncated", "pages"])
def test_a_corrupt_parquet_file_is_one_sentence_on_import_and_evaluate(
    ws: tw.Workspace, tmp_path: Path, damage: str
) -> None:
    good = _parquet(tmp_path / "good.parquet").read_bytes()
    broken = good[: len(good) // 2] if damage == "truncated" else good[:200] + b"\x00" * 100 + good[300:]
    data = tmp_path / "data"
    data.mkdir()
    path = data / "transactions.parquet"
    path.write_bytes(broken)
    assert "damaged" in _clean_error(run_cli("import", "transactions", str(path), "-w", str(ws.root)))
    standard = write_standard(tmp_path, STANDARD)
    result = run_cli("evaluate", str(standard), "--data", str(data), "--as-of", "2026-03-31")
    assert "damaged" in _clean_error(result)


@contextlib.contextmanager
def _mounted(size: str) -> Iterator[Path]:
    """A small tmpfs of our own (this needs root, as CI and the developers' machines have)."""
    folder = Path(f"/tmp/tierwise-tmpfs-{uuid.uuid4().hex[:8]}")
    folder.mkdir()
    mounted = subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(folder)], check=False)
    if mounted.returncode != 0:
        folder.rmdir()
        pytest.skip("this machine does not let the tests mount a tmpfs (needs root)")
    try:
        yield folder
    finally:
        subprocess.run(["umount", "-l", str(folder)], check=False)
        with contextlib.suppress(OSError):
            folder.rmdir()


def test_a_full_disk_is_one_sentence_and_the_workspace_stays_usable(tmp_path: Path) -> None:
    with _mounted("6m") as disk:
        ws = tw.Workspace.init(disk / "ws")
        (tmp_path / "c.csv").write_text("customer_id\nC1\n", encoding="utf-8")
        tierwise.import_file(ws, "customers", tmp_path / "c.csv")
        filler = disk / "filler"
        with contextlib.suppress(OSError), filler.open("wb") as handle:
            while True:
                handle.write(b"\0" * (1 << 18))
        big = tmp_path / "t.csv"
        big.write_text(
            "customer_id,date,amount\n" + "".join(f"C1,2026-01-{1 + i % 28:02d},{i}.5\n" for i in range(60_000)),
            encoding="utf-8",
        )
        message = _clean_error(run_cli("import", "transactions", str(big), "-w", str(ws.root)))
        assert "disk is full" in message
        filler.unlink()
        assert ws.tables() == {"customers": 1}  # nothing half-written; the store opens
        tierwise.import_file(ws, "transactions", big)
        assert ws.tables()["transactions"] == 60_000


def test_a_read_only_folder_is_one_sentence(tmp_path: Path) -> None:
    with _mounted("4m") as disk:
        ws = tw.Workspace.init(disk / "ws")
        subprocess.run(["mount", "-o", "remount,ro", str(disk)], check=True)
        (tmp_path / "c.csv").write_text("customer_id\nC1\n", encoding="utf-8")
        message = _clean_error(run_cli("import", "customers", str(tmp_path / "c.csv"), "-w", str(ws.root)))
        assert "read-only" in message
        created = _clean_error(run_cli("init", str(disk / "other")))
        assert "read-only" in created
        subprocess.run(["mount", "-o", "remount,rw", str(disk)], check=True)
        tierwise.import_file(ws, "customers", tmp_path / "c.csv")
        assert ws.tables() == {"customers": 1}
