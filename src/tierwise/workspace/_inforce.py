"""The standard in force: what a standard's rules are until a manager changes them.

The standard in force is the text of its latest publication, or of a draft a manager
adopted after it (audited with the rule diff); before either, its file in ``standards/``.
Runs, drafts and simulations never change it. Approval rules, durations and every
lifecycle setting are read from it, never from a run's text; a run whose rules differ
from it (or that was started from a draft) is a *draft run*, which only a manager who has
read the rule diff and confirmed it can publish.
"""

from __future__ import annotations

import datetime as dt
import difflib
import functools
import hashlib
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from tierwise.spec import Standard, loads_standard

__all__ = ["InForce", "in_force", "rule_diff", "standard_hash"]

SAFE_ID = re.compile(r"\w[\w.-]{0,127}")


@dataclass(frozen=True)
class InForce:
    """A standard in force: the model, the hash of its rules, and where it comes from."""

    standard: Standard
    hash: str
    source: str  # "publication", "adoption" or "file"
    since: dt.datetime | None  # when it was published or adopted (None for a file)


def standard_hash(standard: Standard) -> str:
    """The hash of a standard's rules: its text and the texts of the standards it refers to."""
    digest = hashlib.sha256(standard.text.encode("utf-8"))
    for ref_id in sorted(standard.references):
        digest.update(f"\n--- {ref_id}\n".encode())
        digest.update(standard.references[ref_id].text.encode("utf-8"))
    return digest.hexdigest()


@functools.lru_cache(maxsize=64)
def _loaded(text: str, source: str, folder: str) -> Standard:
    """A stored standard's text as the model (frozen, so one parse serves every request)."""
    return loads_standard(text, file=source, folder=folder)


def in_force(con: Any, folder: Path, standard_id: str) -> InForce | None:
    """The standard in force for ``standard_id`` (None: never published, adopted, nor a file in ``folder``)."""
    row = con.execute(
        'SELECT text, hash, source, "at" FROM ('
        'SELECT r.standard_text AS text, r.standard_hash AS hash, \'publication\' AS source, p."at" AS "at" '
        "FROM publications p JOIN runs r ON r.id = p.run_id WHERE p.standard_id = ? "
        "UNION ALL SELECT text, hash, 'adoption', adopted_at FROM adoptions WHERE standard_id = ?"
        ') ORDER BY "at" DESC LIMIT 1',
        [standard_id, standard_id],
    ).fetchone()
    if row is not None:
        text, digest, source, since = row
        return InForce(_loaded(text, f"<{source} of {standard_id}>", str(folder)), digest, source, since)
    path = folder / f"{standard_id}.yaml"
    if SAFE_ID.fullmatch(standard_id) and path.is_file():  # an id, never a path out of the folder
        standard = loads_standard(path.read_text(encoding="utf-8"), file=f"standards/{path.name}", folder=folder)
        return InForce(standard, standard_hash(standard), "file", None)
    return None


def rule_diff(before: str, after: str, standard_id: str, other: str = "this run") -> str:
    """The unified diff from the rules in force (``before``) to other rules (``after``, named ``other``); empty when the same."""
    lines = difflib.unified_diff(
        before.splitlines(keepends=True),
        after.splitlines(keepends=True),
        fromfile=f"{standard_id} (in force)",
        tofile=f"{standard_id} ({other})",
    )
    return "".join(line if line.endswith("\n") else line + "\n" for line in lines)
