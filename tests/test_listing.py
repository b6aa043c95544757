"""Listings: every row when piped or written with -o, nothing cut; a terminal sees a table."""

from __future__ import annotations

import json
from pathlib import Path

import pyarrow.parquet as pq
import pytest
from python_calamine import CalamineWorkbook
from tests.conftest import demo_workspace, run_cli

import tierwise
import tierwise.lifecycle as lc
import tierwise.workspace as tw
from tierwise.demo import AS_OF


@pytest.fixture(scope="module")
def published(tmp_path_factory: pytest.TempPathFactory) -> tw.Workspace:
    ws = demo_workspace(tmp_path_factory.mktemp("listing"), customers=600, seed=3)
    lc.publish(ws, tw.run_standard(ws, tierwise.builtin_path("rfm-8"), AS_OF).id)
    return ws


def test_piped_standards_print_whole_ids_not_cut_at_80_columns() -> None:
    result = run_cli("standards")
    assert result.returncode == 0
    lines = result.stdout.splitlines()
    assert lines[0] == "id\tname\tgrader\tgrades"
    assert "value-potential-urgency" in [line.split("\t")[0] for line in lines[1:]]
    assert "…" not in result.stdout


def test_piped_grades_print_every_customer_as_tab_separated_lines(published: tw.Workspace) -> None:
    result = run_cli("grades", "-s", "rfm-8", "--as-of", str(AS_OF), "-w", str(published.root))
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    expected = lc.grades_on(published, "rfm-8", AS_OF)
    assert len(lines) == len(expected) + 1
    customer, grade, state = lines[1].split("\t")
    assert expected[customer] == (grade, state)


@pytest.mark.parametrize("suffix", ["csv", "xlsx", "parquet", "json"])
def test_grades_to_a_file_write_every_row(published: tw.Workspace, tmp_path: Path, suffix: str) -> None:
    out = tmp_path / f"grades.{suffix}"
    result = run_cli("grades", "-s", "rfm-8", "--as-of", str(AS_OF), "-o", str(out), "-w", str(published.root))
    assert result.returncode == 0, result.stderr
    expected = len(lc.grades_on(published, "rfm-8", AS_OF))
    if suffix == "csv":
        rows = out.read_text(encoding="utf-8-sig").splitlines()[1:]
    elif suffix == "xlsx":
        rows = CalamineWorkbook.from_path(str(out)).get_sheet_by_index(0).to_python()[1:]
    elif suffix == "parquet":
        rows = pq.read_table(out).to_pylist()
    else:
        rows = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
        assert set(rows[0]) == {"customer", "grade", "state"}
    assert len(rows) == expected


def test_history_audit_runs_and_requests_take_an_output_file(published: tw.Workspace, tmp_path: Path) -> None:
    customer = next(iter(lc.grades_on(published, "rfm-8", AS_OF)))
    for args in (["history", customer], ["audit"], ["runs"], ["requests"], ["users", "list"]):
        out = tmp_path / f"{args[0]}.csv"
        result = (
            run_cli(*args, "-o", str(out), "-w", str(published.root))
            if args[0] != "users"
            else run_cli(*args, "-w", str(published.root))
        )
        assert result.returncode == 0, (args, result.stderr)
        if args[0] != "users":
            assert out.read_text(encoding="utf-8-sig").count("\n") >= 1


def test_show_diff_and_simulate_write_to_a_file(published: tw.Workspace, tmp_path: Path) -> None:
    run = tw.list_runs(published)[0].id
    shown = tmp_path / "run.csv"
    assert run_cli("show", str(run), "-o", str(shown), "-w", str(published.root)).returncode == 0
    assert shown.read_text(encoding="utf-8-sig").count("\n") == len(tw.run_rows(published, run)) + 1
    later = tw.run_standard(published, tierwise.builtin_path("rfm-8"), "2026-06-30")
    moved = tmp_path / "diff.json"
    result = run_cli("diff", str(run), str(later.id), "-o", str(moved), "-w", str(published.root))
    assert result.returncode == 0, result.stderr
    cells = [json.loads(line) for line in moved.read_text(encoding="utf-8").splitlines()]
    assert sum(c["customers"] for c in cells) >= len(tw.run_rows(published, run))
    draft = tmp_path / "rfm-8.yaml"
    draft.write_text(
        tierwise.builtin_path("rfm-8").read_text(encoding="utf-8").replace("mean", "median"), encoding="utf-8"
    )
    simulated = tmp_path / "simulate.csv"
    result = run_cli("simulate", str(draft), "-o", str(simulated), "-w", str(published.root))
    assert result.returncode == 0, result.stderr
    assert simulated.read_text(encoding="utf-8-sig").splitlines()[0].endswith('"customers","monetary_12m"')
