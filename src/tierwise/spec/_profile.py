"""The customer profile a workspace requires (客户档案必填信息清单): ``profile.yaml``.

.. code-block:: yaml

    tierwise: 1
    profile:
      customers:                        # a table, by name
        updated: updated_at             # the date each profile was last updated (optional)
        stale_after: 12 months          # older than this on the evaluation date: stale
        fields:
          name:          {layer: 基本信息层}
          region:        {layer: 基本信息层, values: [华东, 华南, 华北, 华中, 西南, 西北, 东北]}
          staff_count:   {layer: 基本信息层, min: 1, max: 1000000}
          industry_code: {layer: 基本信息层}
          email:         {required: false}

A field is required unless it says ``required: false``; ``values`` lists the allowed
values, ``min``/``max`` bound a number. Every problem in the file is reported at once,
located by line, as for standards.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Literal

import pydantic
from pydantic import Field, model_validator

from ._fields import DurationField, Name, Number, _Model
from ._problems import Problem, StandardError, did_you_mean
from ._yaml import nearest_line, read_yaml

__all__ = ["FieldRule", "Profile", "TableProfile", "load_profile", "loads_profile"]


class FieldRule(_Model):
    required: bool = True
    values: list[Any] | None = Field(default=None, min_length=1)
    min: Number | None = None
    max: Number | None = None
    layer: str | None = None
    label: str | None = None

    @model_validator(mode="after")
    def _range(self) -> FieldRule:
        if self.min is not None and self.max is not None and self.min > self.max:
            raise ValueError(f"The 'min' ({self.min:g}) must not be above the 'max' ({self.max:g})")
        if self.values is not None and (self.min is not None or self.max is not None):
            raise ValueError("Give either 'values' (a list) or 'min'/'max' (a range), not both")
        return self


class TableProfile(_Model):
    fields: dict[Name, FieldRule] = Field(min_length=1)
    updated: Name | None = None
    stale_after: DurationField | None = None

    @model_validator(mode="after")
    def _stale(self) -> TableProfile:
        if self.stale_after is not None and self.updated is None:
            raise ValueError("'stale_after' needs 'updated', the column with the date each profile was last updated")
        return self

    @property
    def required(self) -> list[str]:
        return [name for name, rule in self.fields.items() if rule.required]


class Profile(_Model):
    """The required fields of each table, with their allowed values or ranges."""

    tierwise: Literal[1]
    profile: dict[Name, TableProfile] = Field(min_length=1)

    _source: str = pydantic.PrivateAttr(default="<memory>")
    _lines: dict[tuple[str | int, ...], int] = pydantic.PrivateAttr(default_factory=dict)

    @property
    def source(self) -> str:
        return self._source

    def line_of(self, *path: str | int) -> int | None:
        """The line in :attr:`source` of a path like ``("profile", "customers", "fields", "region")``."""
        return nearest_line(self._lines, path)

    def problem(self, path: tuple[str | int, ...], message: str) -> Problem:
        return Problem(self._source, self.line_of(*path), message)


_KEYS = {
    "": ("tierwise", "profile"),
    "table": ("fields", "updated", "stale_after"),
    "field": ("required", "values", "min", "max", "layer", "label"),
}


def _where(path: tuple[Any, ...]) -> tuple[str, str]:
    """What sits at ``path``: its kind (for the keys it allows) and a name for a sentence."""
    if len(path) >= 4 and path[0] == "profile" and path[2] == "fields":
        return "field", f"field '{path[3]}' of table '{path[1]}'"
    if len(path) >= 2 and path[0] == "profile":
        return "table", f"table '{path[1]}'"
    return "", "the profile"


def loads_profile(text: str, file: str = "<text>") -> Profile:
    """Read a profile from YAML text; every problem is a located sentence, all at once."""
    located, problems = read_yaml(text, file)
    if located is None or problems:
        raise StandardError(problems)
    try:
        profile = Profile.model_validate(located.data)
    except pydantic.ValidationError as exc:
        found: list[Problem] = []
        for error in exc.errors():
            path = tuple(error["loc"])
            kind = error["type"]
            key = path[-1] if path else None
            owner_kind, owner = _where(path[:-1])
            if kind == "extra_forbidden":
                message = f"Unknown key '{key}' in {owner}.{did_you_mean(str(key), _KEYS[owner_kind])}"
            elif kind == "missing":
                message = f"The {owner.removeprefix('the ')} needs '{key}'."
            else:
                text_ = error["msg"].removeprefix("Value error, ")
                _, named = _where(path)
                message = f"In {named}: {text_[0].lower()}{text_[1:]}".rstrip(".") + "."
                if "input" in error and kind not in ("value_error",):
                    message = message[:-1] + f". Got {error['input']!r} instead."
            found.append(located.problem(path, message))
        raise StandardError(found) from exc
    profile._source, profile._lines = file, dict(located.lines)
    return profile


def load_profile(path: str | Path) -> Profile:
    """Read and check a ``profile.yaml`` file."""
    source = Path(path)
    try:
        text = source.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise StandardError([Problem(str(source), None, f"The profile {source} cannot be read: {exc}.")]) from exc
    return loads_profile(text, str(source))
