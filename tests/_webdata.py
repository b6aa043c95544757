"""A small published workspace with users of every role, for the web app's tests."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pcsv

import tierwise
import tierwise.lifecycle as lc
import tierwise.workspace as tw
from tierwise.demo._generate import generate

STANDARD = "annual-sales-grade"
FORMS_STANDARD = "composite-8"  # rated criteria: the assessment forms
AS_OF = dt.date(2025, 12, 31)
PASSWORD = "correct-horse-9"
# name -> (role, regions); region "R1" is replaced by the first customer's region
USERS = {
    "web-admin": ("admin", ()),
    "wang": ("manager", ()),
    "zhou": ("manager", ()),
    "li": ("account_manager", ("R1",)),
    "ana": ("analyst", ()),
    "fin": ("finance", ()),
    "view": ("viewer", ()),
}
HOSTILE_NAME = "<script>alert(1)</script>有限公司"
FORMULA_NAME = '=HYPERLINK("http://evil.example","点我")'


@dataclass(frozen=True)
class WebData:
    root: Path
    region: str  # li's region
    mine: str  # a customer of li's region
    other: str  # a customer of another region
    hostile: str  # the customer whose name is markup
    formula: str  # the customer whose name is a formula (in li's region)
    in_region: int  # how many customers li's region has
    slashed: str = ""  # a customer of li's region whose id contains '/' (when built with slashed=True)


def _renamed(table: pa.Table, old: str, new: str) -> pa.Table:
    ids = table.column("customer_id")
    renamed = pc.if_else(pc.equal(ids, old), pa.scalar(new, ids.type), ids)
    return table.set_column(table.schema.get_field_index("customer_id"), "customer_id", renamed)


def build(root: Path, customers: int = 240, *, slashed: bool = False) -> WebData:
    tables = generate(customers=customers, seed=7)
    people = tables["customers"]
    names = people.column("name").to_pylist()
    regions = people.column("region").to_pylist()
    ids = people.column("customer_id").to_pylist()
    graded = [t != "individual" for t in people.column("type").to_pylist()]  # the standard's population
    mine = graded.index(True)
    region = regions[mine]
    other = next(i for i, r in enumerate(regions) if r != region and graded[i])
    formula = next(i for i, r in enumerate(regions) if r == region and i != mine and graded[i])
    names[other], names[formula] = HOSTILE_NAME, FORMULA_NAME
    people = people.set_column(people.schema.get_field_index("name"), "name", pa.array(names, pa.string()))
    slash = ""
    if slashed:  # an id with '/' (a branch code, say): opened, explained and acted on by URL like any other
        at = next(i for i, r in enumerate(regions) if r == region and i not in (mine, formula) and graded[i])
        slash = f"{ids[at]}/01"
        people = _renamed(people, ids[at], slash)
        tables = {k: _renamed(t, ids[at], slash) if "customer_id" in t.column_names else t for k, t in tables.items()}
    data = root.parent / f"{root.name}-data"
    data.mkdir(parents=True)
    ws = tw.Workspace.init(root)
    for name, table in (
        ("customers", people),
        ("transactions", tables["transactions"]),
        ("assessments", tables["assessments"]),
    ):
        pcsv.write_csv(table, data / f"{name}.csv")
        tw.import_file(ws, name, data / f"{name}.csv", allow_bad_rows=False)
    ws.standards.mkdir(exist_ok=True)  # the scorecard rated on forms (初评), as the workspace's own file
    (ws.standards / f"{FORMS_STANDARD}.yaml").write_text(
        tierwise.builtin_path(FORMS_STANDARD).read_text(encoding="utf-8"), encoding="utf-8"
    )
    standard = tierwise.builtin_path(STANDARD)
    lc.publish(ws, tw.run_standard(ws, standard, AS_OF.replace(year=AS_OF.year - 1)).id)
    lc.publish(ws, tw.run_standard(ws, standard, AS_OF).id)
    for name, (role, where) in USERS.items():
        tw.add_user(ws, name, role, regions=tuple(region if r == "R1" else r for r in where), password=PASSWORD)
    count = int(pc.sum(pc.equal(people.column("region"), region)).as_py())
    return WebData(root, region, ids[mine], ids[other], ids[other], ids[formula], count, slash)
