"""Running standards on a backend (DuckDB by default) and holding the results."""

from __future__ import annotations

from ._backends import BackendError, backend_label, connect_backend
from ._data import DATA_SUFFIXES, DataError, connect, load_data
from ._evaluation import (
    Evaluation,
    compiled_sql,
    deciding_candidates,
    deciding_value,
    evaluate,
    evaluate_many,
    explain_decision,
    in_the_future,
    render_reason,
)
from ._models import CustomerModel, fit_model
from ._quality import Quality, check_quality

__all__ = [
    "DATA_SUFFIXES",
    "BackendError",
    "CustomerModel",
    "DataError",
    "Evaluation",
    "Quality",
    "backend_label",
    "check_quality",
    "compiled_sql",
    "connect",
    "connect_backend",
    "deciding_candidates",
    "deciding_value",
    "evaluate",
    "evaluate_many",
    "explain_decision",
    "fit_model",
    "in_the_future",
    "load_data",
    "render_reason",
]
