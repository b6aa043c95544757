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

import importlib
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # the names below load when first used (PEP 562), so ``import tierwise`` is quick
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

# Each public name and the subpackage that defines it; ``demo`` is the subpackage itself.
_HOMES = {
    "Compiled": "compile",
    "Explanation": "compile",
    "compile_standard": "compile",
    "run_demo": "demo",
    "BackendError": "engine",
    "CustomerModel": "engine",
    "DataError": "engine",
    "Evaluation": "engine",
    "Quality": "engine",
    "check_quality": "engine",
    "compiled_sql": "engine",
    "connect": "engine",
    "connect_backend": "engine",
    "evaluate": "engine",
    "evaluate_many": "engine",
    "fit_model": "engine",
    "write_table": "io",
    "ModelError": "models",
    "Problem": "spec",
    "Profile": "spec",
    "Standard": "spec",
    "StandardError": "spec",
    "builtin_ids": "spec",
    "builtin_path": "spec",
    "check_files": "spec",
    "industry_codes": "spec",
    "load_builtin": "spec",
    "load_profile": "spec",
    "load_standard": "spec",
    "loads_standard": "spec",
    "ImportRefused": "workspace",
    "Workspace": "workspace",
    "WorkspaceError": "workspace",
    "import_file": "workspace",
}


def _load(name: str) -> object:
    """Import a public name's subpackage when the name is first used (PEP 562), and keep it."""
    if name == "demo":
        value: object = importlib.import_module(".demo", __name__)
    elif name in _HOMES:
        value = getattr(importlib.import_module(f".{_HOMES[name]}", __name__), name)
    else:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    globals()[name] = value
    return value


if not TYPE_CHECKING:  # type checkers see the imports above, so a misspelt name stays an error
    __getattr__ = _load


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))
