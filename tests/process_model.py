"""A model of the yearly process (issue 24, item 8): random sequences against the workspace API, invariants after each.

Used by ``tests/test_process_model.py`` (bounded, in CI) and ``scripts/process_model.py`` (long runs).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import itertools
import shutil
import tempfile
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, rule

import tierwise.lifecycle as lc
import tierwise.workspace as tw
from tierwise import import_file

__all__ = ["ProcessModel"]

STANDARD = """tierwise: 1
id: m
name: 模型
version: "1"
grades: [A, B, C]
indicators:
  sales_12m: {from: transactions, agg: sum(amount), window: 12 months}
grade:
  ladder: {on: sales_12m, steps: [{grade: A, at_least: 500}, {grade: B, at_least: 100}, {grade: C}]}
lifecycle:
  cadence: {every: year, on: "03-25..03-30"}
  provisional: {tenure_below: 6 months}
  downgrade: {hold: 1, max_steps: 1}
  upgrade: by_application
  overrides: {approval: required, max_duration: 12 months}
"""
HOLD = 1
GRADES = ["A", "B", "C"]
PASSWORD = "model-secret-1"
_numbers = itertools.count()
_template: list[Path] = []  # the opening of every sequence, made once per process and copied for each


def _opening() -> Path:
    """A workspace with the managers alice and bob, customers K0 and K1, and run 1 published on 2024-01-10.

    Made once (hashing passwords and the first evaluation are the slow part of a sequence);
    each sequence starts from a copy of its folder.
    """
    if not _template:
        folder = Path(tempfile.mkdtemp(prefix="tw-model-template-"))
        admin = tw.Workspace.init(folder / "ws")
        for name in ("alice", "bob"):
            tw.add_user(admin, name, "manager", password=PASSWORD)
        alice = admin.as_user("alice", PASSWORD)
        day = dt.date(2024, 1, 10)
        pq.write_table(
            pa.table({"customer_id": ["K0", "K1"], "created_at": [dt.date(2020, 1, 1), dt.date(2021, 1, 1)]}),
            folder / "c.parquet",
        )
        import_file(alice, "customers", folder / "c.parquet", mode="append", today=day)
        pq.write_table(
            pa.table({"customer_id": ["K0", "K1"], "date": [day, day], "amount": [300.0, 50.0]}), folder / "t.parquet"
        )
        import_file(alice, "transactions", folder / "t.parquet", mode="append", today=day)
        (folder / "m.yaml").write_text(STANDARD, encoding="utf-8")
        first = tw.run_standard(alice, folder / "m.yaml", day)  # a standard in force: requests can be made
        lc.publish(alice, first.id, accept_rules=True)
        _template.append(folder / "ws")
    return _template[0]


class ProcessModel(RuleBasedStateMachine):
    """Imports, runs, reviews, publications, applications, 特批, approvals, rejections, expiries and days passing."""

    sequences = 0  # counts of every sequence run in this process (the long run prints them)
    steps = 0
    refused = 0
    served = False  # True: each sequence runs as ``tierwise serve`` does, one connection held (the long run's speed)

    def __init__(self) -> None:
        super().__init__()
        ProcessModel.sequences += 1
        self.folder = Path(tempfile.mkdtemp(prefix="tw-model-"))
        shutil.copytree(_opening(), self.folder / "ws")
        admin = tw.Workspace(self.folder / "ws")
        self.held = contextlib.ExitStack()
        if self.served:
            self.held.enter_context(admin.own("process model"))
        # signed in once in the opening: each sequence acts as the users it authenticated there
        self.alice = admin.acting("alice")
        self.bob = admin.acting("bob")
        self.today = dt.date(2024, 1, 10)
        self.customers: list[str] = ["K0", "K1"]
        self.standard = self.folder / "m.yaml"
        self.standard.write_text(STANDARD, encoding="utf-8")
        self.runs: list[int] = [1]
        self.published: set[int] = {1}
        self.refusals = 0

    def _import(self, new: list[tuple[str, dt.date]], amounts: list[float]) -> None:
        n = next(_numbers)
        if new:
            pq.write_table(
                pa.table({"customer_id": [c for c, _ in new], "created_at": [d for _, d in new]}),
                self.folder / f"c{n}.parquet",
            )
            import_file(self.alice, "customers", self.folder / f"c{n}.parquet", mode="append", today=self.today)
            self.customers += [c for c, _ in new]
        ids = [c for c, _ in new] or self.customers[: len(amounts)]
        pq.write_table(
            pa.table(
                {
                    "customer_id": ids[: len(amounts)],
                    "date": [self.today] * min(len(ids), len(amounts)),
                    "amount": amounts[: len(ids)],
                }
            ),
            self.folder / f"t{n}.parquet",
        )
        import_file(self.alice, "transactions", self.folder / f"t{n}.parquet", mode="append", today=self.today)

    def teardown(self) -> None:
        ProcessModel.refused += self.refusals
        self.held.close()
        shutil.rmtree(self.folder, ignore_errors=True)

    def _try(self, action: object, *args: object, **kwargs: object) -> object:
        ProcessModel.steps += 1
        try:
            return action(*args, **kwargs)  # type: ignore[operator]
        except tw.WorkspaceError:  # a refusal is a correct answer; the invariants say whether the store is sound
            self.refusals += 1
            return None

    @rule(days=st.sampled_from([1, 20, 75, 150, 365]))
    def days_pass(self, days: int) -> None:
        self.today = min(self.today + dt.timedelta(days=days), dt.date.today())

    @rule(amounts=st.lists(st.sampled_from([20.0, 150.0, 600.0]), min_size=1, max_size=3), new=st.booleans())
    def import_data(self, amounts: list[float], new: bool) -> None:
        created = [(f"N{next(_numbers)}", self.today)] if new else []
        self._import(created, amounts)

    @rule(due=st.booleans())
    def run(self, due: bool) -> None:
        info = self._try(tw.run_standard, self.alice, self.standard, self.today, due=due)
        if info is not None:
            self.runs.append(info.id)  # type: ignore[attr-defined]

    @rule(pick=st.integers(0, 5))
    def publish(self, pick: int) -> None:
        if self.runs:
            run_id = self.runs[-1 - pick % len(self.runs)]
            stale = tw.get_run(self.alice, run_id).stale  # inputs changed since, or a later publication
            if self._try(lc.publish, self.alice, run_id, accept_rules=True) is not None:
                assert not stale, (run_id, stale)  # only a current run is ever published
                self.published.add(run_id)

    @rule(customer=st.integers(0, 20), grade=st.sampled_from(GRADES))
    def apply(self, customer: int, grade: str) -> None:
        if self.customers:
            self._try(lc.apply_upgrade, self.alice, "m", self.customers[customer % len(self.customers)], grade, "申请")

    @rule(customer=st.integers(0, 20), grade=st.sampled_from(GRADES), months=st.integers(1, 11))
    def special(self, customer: int, grade: str, months: int) -> None:
        if self.customers:
            until = self.today + dt.timedelta(days=30 * months)
            who = self.customers[customer % len(self.customers)]
            self._try(lc.request_override, self.alice, "m", who, grade, "特批", until, on=self.today)

    @rule(pick=st.integers(0, 5), approve=st.booleans(), override=st.booleans())
    def decide(self, pick: int, approve: bool, override: bool) -> None:
        pending = [r["id"] for r in lc.requests(self.alice, "pending")]
        if pending:
            self._try(
                lc.decide_request,
                self.bob,
                pending[pick % len(pending)],
                approve=approve,
                why="决定",
                on=self.today,
                override_evaluation=override,
            )

    # -- invariants ---------------------------------------------------------------------------------------------

    @invariant()
    def history_never_overlaps(self) -> None:
        with self.alice.reading() as con:
            assert tw.history_problems(con) == []

    @invariant()
    def one_grade_in_force_each_explained(self) -> None:
        rows = self.alice.records(
            "SELECT customer_id, count(*) AS n, count(*) FILTER (WHERE run_id IS NULL AND state NOT IN "
            "('override', 'confirmed', 'cancelled')) AS unexplained FROM grades WHERE valid_to IS NULL "
            "GROUP BY customer_id"
        )
        assert all(r["n"] == 1 and r["unexplained"] == 0 for r in rows), rows
        orphans = self.alice.records(
            "SELECT g.id FROM grades g WHERE (g.run_id IS NOT NULL AND g.run_id NOT IN (SELECT run_id FROM publications)) "
            "OR (g.run_id IS NULL AND g.why NOT LIKE '特批 #%' AND g.why NOT LIKE '升级申请 #%' "
            "AND g.why NOT LIKE '取消资格%' AND g.why NOT LIKE '恢复资格%')"
        )
        assert orphans == []

    @invariant()
    def no_application_open_against_a_later_evaluation(self) -> None:
        open_ = self.alice.records(
            "SELECT q.id FROM requests q JOIN publications p ON p.standard_id = q.standard_id "
            'JOIN runs r ON r.id = p.run_id AND r."at" >= q.requested_at '
            "JOIN run_rows e ON e.run_id = p.run_id AND e.customer_id = q.customer_id "
            "WHERE q.kind = 'upgrade' AND q.status = 'pending' "
            "AND list_position(['A', 'B', 'C'], e.grade) > list_position(['A', 'B', 'C'], q.grade)"
        )
        assert open_ == []

    @invariant()
    def holds_never_exceed_the_count(self) -> None:
        assert self.alice.records("SELECT id FROM grades WHERE hold_count > ?", [HOLD]) == []

    @invariant()
    def one_audit_record_per_change(self) -> None:
        counts = self.alice.records(
            "SELECT (SELECT count(*) FROM requests) AS requests, (SELECT count(*) FROM audit_log WHERE action IN "
            "('override-requested', 'upgrade-requested')) AS requested, (SELECT count(*) FROM publications) AS pubs, "
            "(SELECT count(*) FROM audit_log WHERE action = 'publish') AS published, "
            "(SELECT count(*) FROM requests WHERE status <> 'pending' AND status <> 'expired') AS decided, "
            "(SELECT count(*) FROM audit_log WHERE action IN ('override-approved', 'override-rejected', "
            "'upgrade-approved', 'upgrade-rejected', 'upgrade-closed')) AS decisions"
        )[0]
        # requests filed by a publication are audited in its record; the others each have one
        assert counts["pubs"] == counts["published"]
        assert counts["decided"] == counts["decisions"]

    @invariant()
    def no_published_grade_from_a_stale_run(self) -> None:
        # at the moment of publishing, the publish rule checks the run's own state (input fingerprints and
        # later publications); in the store, no publication may follow one that already covered its day
        stale = self.alice.records(
            "SELECT p.run_id FROM publications p JOIN runs r ON r.id = p.run_id JOIN publications q "
            'ON q.standard_id = p.standard_id AND q."at" < p."at" AND q.as_of >= r.as_of'
        )
        assert stale == []
