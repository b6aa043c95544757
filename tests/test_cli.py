"""The real ``tierwise`` command in a subprocess: help, evaluate, explain, errors."""

from __future__ import annotations

from pathlib import Path

import pytest
from tests.conftest import CDNOW, EXAMPLES, run_cli

RFM = str(EXAMPLES / "standards" / "cdnow-rfm-8.yaml")
CDNOW = str(CDNOW)


@pytest.mark.parametrize("command", ["check", "evaluate", "explain", "sql"])
def test_every_command_has_help(command: str) -> None:
    result = run_cli(command, "--help")
    assert result.returncode == 0
    assert "Usage" in result.stdout


def test_evaluate_prints_counts_and_shares_per_grade() -> None:
    result = run_cli("evaluate", RFM, "--data", CDNOW, "--as-of", "1998-06-30")
    assert result.returncode == 0, result.stderr
    for grade in ("重要价值客户", "一般挽留客户", "合计"):
        assert grade in result.stdout
    assert "2,357" in result.stdout


def test_evaluate_writes_every_row_to_the_output(tmp_path: Path) -> None:
    out = tmp_path / "rfm.csv"
    result = run_cli("evaluate", RFM, "-d", CDNOW, "--as-of", "1998-06-30", "-o", str(out), "--lang", "en")
    assert result.returncode == 0, result.stderr
    lines = out.read_text(encoding="utf-8-sig").splitlines()
    assert len(lines) == 2358
    assert lines[0].startswith('"customer_id","grade","grade_rank","reason"')
    assert "Grade" in result.stdout


def test_explain_shows_indicators_steps_and_gap() -> None:
    result = run_cli(
        "explain",
        str(EXAMPLES / "standards" / "cdnow-value.yaml"),
        "-d",
        CDNOW,
        "--as-of",
        "1998-06-30",
        "--customer",
        "1",
    )
    assert result.returncode == 0, result.stderr
    text = result.stdout
    assert "客户 1" in text
    assert "spend_12m" in text
    assert "评级过程" in text
    assert "上一级" in text
    assert "✓" in text


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["evaluate", RFM, "-d", CDNOW, "--as-of", "1998-02-30"], "is not a date"),
        (["evaluate", RFM, "-d", "/nonexistent", "--as-of", "1998-06-30"], "does not exist"),
        (["evaluate", "/nonexistent.yaml", "-d", CDNOW, "--as-of", "1998-06-30"], "does not exist"),
        (["explain", RFM, "-d", CDNOW, "--as-of", "1998-06-30", "-c", "nobody"], "not in the population"),
        (
            ["evaluate", RFM, "-d", CDNOW, "--as-of", "1998-06-30", "-o", "x.json"],
            "must end in .csv, .parquet or .xlsx",
        ),
        (["evaluate", RFM, "-d", CDNOW, "--as-of", "1998-06-30", "--lang", "fr"], "--lang must be 'zh' or 'en'"),
    ],
)
def test_errors_print_one_sentence_and_exit_1(args: list[str], message: str, tmp_path: Path) -> None:
    result = run_cli(*args, cwd=tmp_path)
    assert result.returncode == 1
    assert result.stderr.startswith("Error:")
    assert message in result.stderr
    assert "Traceback" not in result.stderr


def test_debug_shows_the_traceback() -> None:
    result = run_cli("--debug", "evaluate", RFM, "-d", "/nonexistent", "--as-of", "1998-06-30")
    assert result.returncode == 1
    assert "Traceback" in result.stderr
