"""Immutable runs in a workspace: identical on re-run, diffed, migrated, safe to kill."""

from __future__ import annotations

import html
from pathlib import Path

import duckdb
import pyarrow.parquet as pq
import pytest
from tests.conftest import kill_inside_writes, run_cli

import tierwise
import tierwise.workspace as tw
from tierwise.demo import AS_OF, generate
from tierwise.workspace._store import MIGRATIONS


@pytest.fixture(scope="module")
def demo_files(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("demo")
    files = {}
    for name in ("customers", "transactions"):
        files[name] = folder / f"{name}.parquet"
        pq.write_table(generate(customers=1500, seed=5)[name], files[name])
    return files


@pytest.fixture
def ws(tmp_path: Path, demo_files: dict[str, Path]) -> tw.Workspace:
    workspace = tw.Workspace.init(tmp_path / "ws")
    for name, path in demo_files.items():
        tierwise.import_file(workspace, name, path)
    return workspace


def test_a_run_stores_standard_inputs_and_every_row(ws: tw.Workspace) -> None:
    info = tw.run_standard(ws, tierwise.builtin_path("annual-sales-grade"), AS_OF)
    assert info.standard_id == "annual-sales-grade"
    assert set(info.inputs) == {"customers", "transactions"}
    rows = tw.run_rows(ws, info.id)
    assert len(rows) == info.customers
    assert all(r["reason"] and r["grade"] for r in rows)
    with ws.reading() as con:
        text = con.execute("SELECT standard_text FROM runs WHERE id = ?", [info.id]).fetchone()
    assert text is not None
    assert text[0] == tierwise.builtin_path("annual-sales-grade").read_text(encoding="utf-8")


def test_running_the_same_standard_on_the_same_data_and_date_gives_identical_rows(ws: tw.Workspace) -> None:
    first = tw.run_standard(ws, tierwise.builtin_path("rfm-8"), AS_OF)
    again = tw.run_standard(ws, tierwise.builtin_path("rfm-8"), AS_OF)
    assert first.id != again.id
    assert first.standard_hash == again.standard_hash
    assert first.inputs == again.inputs
    assert tw.run_rows(ws, first.id) == tw.run_rows(ws, again.id)


def test_diff_counts_every_customer_once(ws: tw.Workspace) -> None:
    earlier = tw.run_standard(ws, tierwise.builtin_path("membership-tier"), "2025-09-30")
    later = tw.run_standard(ws, tierwise.builtin_path("membership-tier"), AS_OF)
    movement = tw.diff_runs(ws, earlier.id, later.id)
    assert sum(movement.matrix.values()) == later.customers
    assert (
        movement.upgrades + movement.downgrades + movement.unchanged + movement.entries + movement.exits
        == later.customers
    )
    assert movement.upgrades > 0
    assert movement.downgrades > 0
    assert movement.grades == ("钻石", "白金", "黄金", "白银", "铜牌")
    shown = run_cli("diff", str(earlier.id), str(later.id), "-w", str(ws.root))
    assert shown.returncode == 0, shown.stderr
    assert f"upgrades {movement.upgrades:,}" in shown.stdout


def test_a_store_of_an_older_schema_is_migrated_forward_by_its_first_read(tmp_path: Path) -> None:
    root = tmp_path / "old"
    root.mkdir()
    (root / "tierwise.toml").write_text("[workspace]\nschema_version = 1\n", encoding="utf-8")
    con = duckdb.connect(str(root / "tierwise.duckdb"))
    con.execute("CREATE TABLE meta (key VARCHAR PRIMARY KEY, value VARCHAR)")
    for statement in MIGRATIONS[1]:
        con.execute(statement)
    con.execute("INSERT OR REPLACE INTO meta VALUES ('schema_version', '1')")
    con.close()
    workspace = tw.Workspace(root)
    assert tw.list_runs(workspace) == []  # the read upgrades it: runs has every newer column
    assert workspace.schema_version() == tw.SCHEMA_VERSION
    with workspace.writing() as writing:
        workspace.audit(writing, "test", None, {})
    assert workspace.schema_version() == tw.SCHEMA_VERSION


def test_unknown_run_is_a_sentence(ws: tw.Workspace) -> None:
    with pytest.raises(tw.WorkspaceError, match="There is no run 42"):
        tw.get_run(ws, 42)


def test_killing_run_mid_way_leaves_no_partial_run(ws: tw.Workspace) -> None:
    args = ["run", str(tierwise.builtin_path("customer-pyramid")), "--as-of", AS_OF.isoformat(), "-w", str(ws.root)]
    before = len(tw.list_runs(ws))

    def check(fraction: float) -> None:
        with ws.reading() as con:
            orphans = con.execute("SELECT count(*) FROM run_rows WHERE run_id NOT IN (SELECT id FROM runs)").fetchone()
            partial = con.execute(
                "SELECT count(*) FROM runs r WHERE customers <> (SELECT count(*) FROM run_rows WHERE run_id = r.id)"
            ).fetchone()
        assert orphans == (0,), fraction
        assert partial == (0,), fraction
        assert len(tw.list_runs(ws)) == before, fraction  # a killed run left nothing
        assert len(tw.list_runs(ws)) == len([r for r in ws.audit_records() if r["action"] == "run"])

    assert len(kill_inside_writes(ws.root, args, (0.05, 0.5, 1.0), check)) == 3


def test_a_run_with_model_indicators_stores_the_fitted_parameters_and_explains_with_them(ws: tw.Workspace) -> None:
    info = tw.run_standard(ws, tierwise.builtin_path("churn-risk"), AS_OF)
    assert len(info.models) == 1
    (fit,) = info.models.values()
    assert fit["model"] == "bgnbd"
    assert set(fit["purchases"]["params"]) == {"r", "alpha", "a", "b"}
    assert tw.get_run(ws, info.id).models == info.models  # read back from the runs table
    row = next(r for r in tw.run_rows(ws, info.id) if r["grade"] == "忠诚")
    explained = tw.explain_in(ws, info.id, row["customer_id"])
    assert explained.grade == "忠诚"


@pytest.mark.parametrize("standard", ["annual-sales-grade", "rfm-8", "abc-pareto"])
def test_explain_of_a_stored_run_stays_what_the_run_decided_after_new_data_is_imported(
    ws: tw.Workspace, tmp_path: Path, standard: str
) -> None:
    info = tw.run_standard(ws, tierwise.builtin_path(standard), AS_OF)
    stored = {r["customer_id"]: r for r in tw.run_rows(ws, info.id)}
    customer = sorted(stored)[0]
    before = tw.explain_in(ws, info.id, customer)
    assert (before.grade, before.reason, before.next_grade) == (
        stored[customer]["grade"],
        stored[customer]["reason"],
        stored[customer]["next_grade"],
    )
    assert before.note is None
    # a large purchase by that customer on the run's day, imported after the run
    extra = tmp_path / "more.csv"
    extra.write_text(
        f"order_id,customer_id,date,amount,margin,product,channel\nLATE-1,{customer},{AS_OF},99999999,0,P,online\n",
        encoding="utf-8",
    )
    tierwise.import_file(ws, "transactions", extra)
    after = tw.explain_in(ws, info.id, customer)
    assert str(after) == str(before)
    again = tw.explain_in(ws, info.id, customer, again=True)  # the separate question: what the rules say now
    assert again.indicators != before.indicators
    cli = run_cli("show", str(info.id), "-c", customer, "--explain", "-w", str(ws.root))
    assert cli.returncode == 0, cli.stderr
    assert str(before) in cli.stdout


def test_the_explanation_after_an_import_is_the_runs_stored_row_on_the_web_and_the_api(
    ws: tw.Workspace, tmp_path: Path
) -> None:
    from fastapi.testclient import TestClient
    from tests._webdata import PASSWORD

    from tierwise.web import create_app

    info = tw.run_standard(ws, tierwise.builtin_path("annual-sales-grade"), AS_OF)
    stored = {r["customer_id"]: r for r in tw.run_rows(ws, info.id)}
    customer = sorted(stored)[0]
    before = {lang: tw.explain_in(ws, info.id, customer, lang=lang) for lang in ("zh", "en")}
    extra = tmp_path / "more.csv"
    extra.write_text(
        f"order_id,customer_id,date,amount,margin,product,channel\nLATE-1,{customer},{AS_OF},99999999,0,P,online\n",
        encoding="utf-8",
    )
    tierwise.import_file(ws, "transactions", extra)
    tw.add_user(ws, "boss", "admin", password=PASSWORD)
    with TestClient(create_app(ws.root)) as web:
        assert web.post("/api/v1/login", json={"name": "boss", "password": PASSWORD}).status_code == 200
        for lang in ("zh", "en"):
            web.get(f"/lang/{lang}")
            api = web.get(f"/api/v1/customers/{customer}/explain/{info.id}").json()
            assert api["text"] == str(before[lang])
            assert (api["grade"], api["reason"], api["next_grade"]) == (
                before[lang].grade,
                before[lang].reason,
                before[lang].next_grade,
            )
            page = web.get(f"/customers/{customer}/explain/{info.id}")
            assert page.status_code == 200
            assert html.escape(str(before[lang]), quote=False) in page.text
    assert before["zh"].reason == stored[customer]["reason"]  # the run's own sentence, as it was written


def test_one_stored_decision_is_read_in_chinese_and_in_english(ws: tw.Workspace) -> None:
    info = tw.run_standard(ws, tierwise.builtin_path("rfm-8"), AS_OF)
    customer = tw.run_rows(ws, info.id)[0]["customer_id"]
    zh = tw.explain_in(ws, info.id, customer, lang="zh")
    en = tw.explain_in(ws, info.id, customer, lang="en")
    assert (zh.grade, zh.indicators, zh.dimensions) == (en.grade, en.indicators, en.dimensions)
    # the reason sentence too, rendered from that one row: the zh run's own sentence, and the sentence
    # a run in English writes for the same customer
    in_english = tw.run_standard(ws, tierwise.builtin_path("rfm-8"), AS_OF, lang="en")
    english = {r["customer_id"]: r["reason"] for r in tw.run_rows(ws, in_english.id)}
    assert zh.reason == tw.run_rows(ws, info.id)[0]["reason"]
    assert en.reason == english[customer]
    assert en.reason != zh.reason
    assert en.reason.startswith("R recency_days = ")
    assert str(zh).startswith(f"客户 {customer}: 等级 {zh.grade}")
    assert str(en).startswith(f"Customer {customer}: Grade {en.grade}")
    assert "评级过程" in str(zh)
    assert "Steps tried" in str(en)
    with ws.reading() as con:  # both came from the run's stored decisions: one row, no evaluation
        assert con.execute(f"SELECT count(*) FROM {tw.decisions_table(info.id)}").fetchone() == (info.customers,)


def test_a_run_stored_before_decisions_were_kept_says_it_is_evaluated_again(ws: tw.Workspace) -> None:
    info = tw.run_standard(ws, tierwise.builtin_path("annual-sales-grade"), AS_OF)
    with ws.writing() as con:  # as an older tierwise stored it
        con.execute("UPDATE runs SET dimensions = NULL WHERE id = ?", [info.id])
    customer = tw.run_rows(ws, info.id)[0]["customer_id"]
    zh = tw.explain_in(ws, info.id, customer)
    assert zh.note is not None
    assert f"第 {info.id} 次运行早于本版 tierwise" in zh.note
    assert zh.note in str(zh)
    en = tw.explain_in(ws, info.id, customer, lang="en")
    assert en.note is not None
    assert en.note.startswith(f"(Run {info.id} was stored by an older tierwise")
