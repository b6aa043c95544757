"""Indicators are cached by what they depend on: a threshold change re-grades from the cache, nothing stale is hit."""

from __future__ import annotations

from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

import tierwise
import tierwise.lifecycle as lc
import tierwise.workspace as tw
from tierwise.demo import AS_OF, generate
from tierwise.workspace._cache import KEEP

BUILTIN = tierwise.builtin_path("annual-sales-grade").read_text(encoding="utf-8")


def _variant(folder: Path, name: str, *, vip: str = "1000万", window: str = "12 months", version: str = "x") -> Path:
    text = BUILTIN.replace("above: 1000万", f"above: {vip}").replace("window: 12 months", f"window: {window}")
    text = text.replace('version: "2026.1"', f'version: "{version}"')
    path = folder / f"{name}.yaml"
    path.write_text(text, encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> dict[str, pa.Table]:
    return generate(customers=800, seed=11)


@pytest.fixture
def ws(tmp_path: Path, demo: dict[str, pa.Table]) -> tw.Workspace:
    workspace = tw.Workspace.init(tmp_path / "ws")
    for name, table in demo.items():
        pq.write_table(table, tmp_path / f"{name}.parquet")
        tierwise.import_file(workspace, name, tmp_path / f"{name}.parquet")
    return workspace


def _entries(ws: tw.Workspace) -> int:
    return int(ws.records("SELECT count(*) AS n FROM indicator_cache")[0]["n"])


def _fresh(standard: Path, demo: dict[str, pa.Table]) -> list[tuple[str, str]]:
    """The grades of an evaluation outside any workspace: the oracle of a cached run."""
    table = tierwise.evaluate(standard, data=demo, as_of=AS_OF).to_arrow()
    return sorted(zip(table["customer_id"].to_pylist(), table["grade"].to_pylist(), strict=True))


def _grades(ws: tw.Workspace, run: int) -> list[tuple[str, str]]:
    return sorted((r["customer_id"], r["grade"]) for r in tw.run_rows(ws, run))


def test_a_threshold_change_regrades_from_the_cached_indicators_with_the_grades_of_a_fresh_evaluation(
    ws: tw.Workspace, demo: dict[str, pa.Table], tmp_path: Path
) -> None:
    first = tw.run_standard(ws, _variant(tmp_path, "a"), AS_OF)
    assert _entries(ws) == 1
    lower = _variant(tmp_path, "b", vip="800万", version="y")
    second = tw.run_standard(ws, lower, AS_OF)
    assert _entries(ws) == 1  # the same indicators: answered from the cache
    assert _grades(ws, second.id) == _fresh(lower, demo)
    assert _grades(ws, second.id) != _grades(ws, first.id)  # and the new threshold applied
    moved = {r["customer_id"]: r["reason"] for r in tw.run_rows(ws, second.id) if r["grade"] == "VIP"}
    assert moved
    assert all("800" in why for why in moved.values())


def test_another_indicator_definition_or_date_is_another_entry_never_the_old_values(
    ws: tw.Workspace, demo: dict[str, pa.Table], tmp_path: Path
) -> None:
    tw.run_standard(ws, _variant(tmp_path, "a"), AS_OF)
    six = _variant(tmp_path, "six", window="6 months")
    run = tw.run_standard(ws, six, AS_OF)
    assert _entries(ws) == 2
    assert _grades(ws, run.id) == _fresh(six, demo)
    tw.run_standard(ws, _variant(tmp_path, "a"), "2025-12-31")
    assert _entries(ws) == 3


def test_an_import_empties_the_cache_and_the_next_run_sees_the_new_data(
    ws: tw.Workspace, demo: dict[str, pa.Table], tmp_path: Path
) -> None:
    standard = _variant(tmp_path, "a")
    before = tw.run_standard(ws, standard, AS_OF)
    doubled = demo["transactions"].set_column(
        demo["transactions"].schema.get_field_index("amount"),
        "amount",
        pa.compute.multiply(demo["transactions"]["amount"], 3),
    )
    pq.write_table(doubled, tmp_path / "more.parquet")
    tierwise.import_file(ws, "transactions", tmp_path / "more.parquet", mode="replace")
    assert _entries(ws) == 0
    after = tw.run_standard(ws, standard, AS_OF)
    assert _grades(ws, after.id) == _fresh(standard, {**demo, "transactions": doubled})
    assert _grades(ws, after.id) != _grades(ws, before.id)
    assert after.inputs != before.inputs


def test_a_simulation_reads_the_cache_and_stores_nothing(
    ws: tw.Workspace, demo: dict[str, pa.Table], tmp_path: Path
) -> None:
    run = tw.run_standard(ws, _variant(tmp_path, "a"), AS_OF)
    lc.publish(ws, run.id)
    draft = _variant(tmp_path, "draft", vip="800万", version="draft")
    movement = lc.simulate(ws, draft, AS_OF)
    assert _entries(ws) == 1
    after = {}
    for (_, grade), count in movement.matrix.items():
        after[grade] = after.get(grade, 0) + count
    fresh: dict[str | None, int] = {}
    for _, grade in _fresh(draft, demo):
        fresh[grade] = fresh.get(grade, 0) + 1
    assert after == fresh


def test_only_the_most_recently_used_entries_are_kept(ws: tw.Workspace, tmp_path: Path) -> None:
    for month in range(1, KEEP + 3):
        tw.run_standard(ws, _variant(tmp_path, "a"), f"2025-{month:02d}-28")
    assert _entries(ws) == KEEP
    with ws.reading() as con:
        tables = con.execute("SELECT count(*) FROM information_schema.tables WHERE table_schema = 'cache'").fetchall()
    assert tables[0][0] == KEEP
