"""Which publications are scheduled evaluations: grace and max-steps count only those (issue 24, item 5).

A publication is the scheduled evaluation of its period when it is not a review run
(``tierwise run --due``) and no other such publication of the standard was made since the
period began (:meth:`tierwise.spec.Cadence.period_start`: the latest start of the
``cadence`` window). Without a cadence, every publication that is not a review run is a
scheduled evaluation. Every other publication is a review: it grades new customers,
confirms provisional ones, applies the review meeting's corrections and ends expired
特批, and leaves everyone else's grade, hold and state as they are.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from tierwise.spec import Standard

__all__ = ["is_scheduled", "publication_kinds"]


def is_scheduled(con: Any, standard: Standard, standard_id: str, as_of: dt.date, review: bool) -> bool:
    """Whether a publication of ``standard`` as of ``as_of`` is the period's scheduled evaluation."""
    if review:
        return False
    cadence = standard.lifecycle.cadence if standard.lifecycle is not None else None
    if cadence is None:
        return True
    since = cadence.period_start(as_of)
    earlier = con.execute(
        "SELECT count(*) FROM publications p JOIN runs r ON r.id = p.run_id WHERE p.standard_id = ? "
        "AND NOT coalesce(r.review, false) AND p.as_of >= ? AND p.as_of < ?",
        [standard_id, since, as_of],
    ).fetchone()
    return not (earlier and earlier[0])


def publication_kinds(con: Any, standard_id: str) -> dict[int, str]:
    """Each publication of the standard (by run id) as ``evaluation`` or ``review``, from its audit record."""
    rows = con.execute(
        "SELECT CAST(json_extract(detail, '$.run') AS BIGINT), json_extract_string(detail, '$.kind') FROM audit_log "
        "WHERE action = 'publish' AND subject = ?",
        [standard_id],
    ).fetchall()
    return {int(run): kind or "evaluation" for run, kind in rows}
