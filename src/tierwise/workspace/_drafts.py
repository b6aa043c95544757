"""Drafts of standards edited in the browser: stored in the workspace, checked on every save, never run as code.

A draft is the YAML text of a standard under the id it is edited as (one draft per id).
Saving always keeps the text, so no work is lost, and answers every located problem of
it, as ``tierwise check`` would; a draft with problems cannot be simulated or run.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from tierwise.spec import Problem, Standard, StandardError, loads_standard
from tierwise.workspace._errors import NotFound, Refused
from tierwise.workspace._inforce import in_force, rule_diff, standard_hash
from tierwise.workspace._store import Workspace

__all__ = [
    "Draft",
    "adopt_draft",
    "check_draft",
    "current_standard",
    "delete_draft",
    "draft_standard",
    "get_draft",
    "list_drafts",
    "save_draft",
    "standard_ids",
]

MAX_DRAFT = 200_000  # characters: a standard is a page or two of YAML


@dataclass(frozen=True)
class Draft:
    """The saved draft of a standard."""

    standard_id: str
    text: str
    saved_by: str
    saved_at: dt.datetime


def _file(standard_id: str) -> str:
    return f"draft {standard_id}.yaml"


def check_draft(workspace: Workspace, standard_id: str, text: str) -> tuple[Standard | None, list[Problem]]:
    """The draft as a standard and its problems (located by line); references resolve in ``standards/``."""
    try:
        standard = loads_standard(text, file=_file(standard_id), folder=workspace.standards)
    except StandardError as exc:
        return None, list(exc.problems)
    if standard.id != standard_id:
        return standard, [
            Problem(
                _file(standard_id),
                standard.line_of("id"),
                f"The draft's id is '{standard.id}' but it is a draft of '{standard_id}'; keep the id "
                f"'{standard_id}', or start a new standard under the id you want.",
            )
        ]
    return standard, []


def save_draft(
    workspace: Workspace, standard_id: str, text: str, *, problems: list[Problem] | None = None
) -> list[Problem]:
    """Store ``text`` as the draft of ``standard_id`` (audited) and answer its problems (empty: it checks).

    ``problems``: what :func:`check_draft` answered for this very text, when the caller has
    checked it already (the web app checks in a worker with a time limit, then saves).
    """
    if len(text) > MAX_DRAFT:
        raise ValueError(
            f"The draft of '{standard_id}' has {len(text):,} characters; a standard has at most {MAX_DRAFT:,}."
        )
    if not standard_id.strip():
        raise ValueError("A draft needs the id of the standard it drafts.")
    if problems is None:
        _, problems = check_draft(workspace, standard_id, text)
    with workspace.writing() as con:
        workspace.authorize(con, "draft")
        con.execute(
            "INSERT OR REPLACE INTO drafts VALUES (?, ?, ?, ?)",
            [standard_id, text, workspace.user(), dt.datetime.now()],
        )
        workspace.audit(con, "draft-saved", standard_id, {"characters": len(text), "problems": len(problems)})
    return problems


def get_draft(workspace: Workspace, standard_id: str) -> Draft | None:
    """The saved draft of ``standard_id``, or None."""
    with workspace.reading() as con:
        row = con.execute(
            "SELECT standard_id, text, saved_by, saved_at FROM drafts WHERE standard_id = ?", [standard_id]
        ).fetchone()
    return Draft(*row) if row else None


def list_drafts(workspace: Workspace) -> list[Draft]:
    """Every saved draft, by standard id."""
    with workspace.reading() as con:
        rows = con.execute("SELECT standard_id, text, saved_by, saved_at FROM drafts ORDER BY 1").fetchall()
    return [Draft(*r) for r in rows]


def draft_standard(workspace: Workspace, standard_id: str) -> Standard:
    """The saved draft of ``standard_id`` as a standard; NotFound without one, StandardError when it has problems."""
    draft = get_draft(workspace, standard_id)
    if draft is None:
        raise NotFound(f"There is no draft of '{standard_id}'; open the standard's editor and save one first.")
    standard, problems = check_draft(workspace, standard_id, draft.text)
    if problems or standard is None:
        raise StandardError(problems)
    return standard


def delete_draft(workspace: Workspace, standard_id: str) -> None:
    """Throw the draft of ``standard_id`` away (audited)."""
    with workspace.writing() as con:
        workspace.authorize(con, "draft")
        removed = con.execute("DELETE FROM drafts WHERE standard_id = ? RETURNING 1", [standard_id]).fetchall()
        if not removed:
            raise NotFound(f"There is no draft of '{standard_id}' to delete.")
        workspace.audit(con, "draft-deleted", standard_id, {})


def current_standard(workspace: Workspace, standard_id: str) -> Standard:
    """The standard in force for ``standard_id``: its latest publication or adoption, else its file in ``standards/``.

    Runs, drafts and simulations never change it (see :mod:`tierwise.workspace._inforce`).
    """
    with workspace.reading() as con:
        found = in_force(con, workspace.standards, standard_id)
    if found is None:
        raise Refused("standard.none_in_force", standard=standard_id)
    return found.standard


def adopt_draft(workspace: Workspace, standard_id: str, why: str) -> str:
    """Make the saved draft of ``standard_id`` the standard in force (a manager's act, audited with the rule diff).

    Returns the diff from the rules in force before to the draft's.
    """
    if not why.strip():
        raise Refused("standard.adopt_needs_reason", standard=standard_id)
    draft = draft_standard(workspace, standard_id)
    digest = standard_hash(draft)
    with workspace.writing() as con:
        workspace.authorize(con, "publish")
        before = in_force(con, workspace.standards, standard_id)
        diff = rule_diff(before.standard.text if before else "", draft.text, standard_id)
        if before is not None and before.hash == digest:
            raise Refused("standard.adopt_same", standard=standard_id)
        con.execute(
            "INSERT INTO adoptions VALUES (?, ?, ?, ?, ?)",
            [standard_id, draft.text, digest, workspace.user(), dt.datetime.now()],
        )
        workspace.audit(
            con,
            "standard-adopted",
            standard_id,
            {"version": draft.version, "hash": digest, "was": before.hash if before else None, "diff": diff},
            why=why.strip(),
        )
    return diff


def standard_ids(workspace: Workspace) -> list[str]:
    """Every standard the workspace knows: files in ``standards/``, standards it has run, and drafts; sorted."""
    found = {p.stem for p in workspace.standards.glob("*.yaml")} if workspace.standards.is_dir() else set()
    with workspace.reading() as con:
        found |= {r[0] for r in con.execute("SELECT DISTINCT standard_id FROM runs").fetchall()}
        found |= {r[0] for r in con.execute("SELECT standard_id FROM drafts").fetchall()}
    return sorted(found)
