"""tierwise: customer tiering and classification (客户分级分类) by declarative standards.

A standard is a YAML file (see the language guide in ``docs/``); tierwise validates it,
compiles it to one Ibis expression, runs it on DuckDB (or where the data lives: PostgreSQL,
Spark) and explains every grade. Customer-base models (BG/NBD, Pareto/NBD, Gamma-Gamma) predict
the purchases, survival and value that a standard may grade by (:func:`fit_model`).

Examples
--------
>>> import tierwise
>>> sorted(tierwise.__all__)[:3]
['BackendError', 'Compiled', 'CustomerModel']
"""

from __future__ import annotations

from . import demo
from .compile import Compiled, Explanation, compile_standard
from .demo import run_demo
from .engine import (
    BackendError,
    CustomerModel,
    DataError,
    Evaluation,
    Quality,
    check_quality,
    compiled_sql,
    connect,
    connect_backend,
    evaluate,
    evaluate_many,
    fit_model,
)
from .io import write_table
from .models import ModelError
from .spec import (
    Problem,
    Profile,
    Standard,
    StandardError,
    builtin_ids,
    builtin_path,
    check_files,
    industry_codes,
    load_builtin,
    load_profile,
    load_standard,
    loads_standard,
)
from .workspace import ImportRefused, Workspace, WorkspaceError, import_file

__version__ = "0.1.0"

__all__ = [
    "BackendError",
    "Compiled",
    "CustomerModel",
    "DataError",
    "Evaluation",
    "Explanation",
    "ImportRefused",
    "ModelError",
    "Problem",
    "Profile",
    "Quality",
    "Standard",
    "StandardError",
    "Workspace",
    "WorkspaceError",
    "__version__",
    "builtin_ids",
    "builtin_path",
    "check_files",
    "check_quality",
    "compile_standard",
    "compiled_sql",
    "connect",
    "connect_backend",
    "demo",
    "evaluate",
    "evaluate_many",
    "fit_model",
    "import_file",
    "industry_codes",
    "load_builtin",
    "load_profile",
    "load_standard",
    "loads_standard",
    "run_demo",
    "write_table",
]
