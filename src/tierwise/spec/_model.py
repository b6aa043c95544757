"""The Standard model (LANGUAGE.md §2-§8): pydantic, frozen, unknown keys forbidden.

Structural rules that concern one object only (monotone bounds, weights summing to
100, rfm segments covering every combination, exactly one grader kind) are validators
here, so that pydantic reports all of them in one pass. Rules that need the whole file
(grade labels, references between parts) live in ``_loader.py``. Indicators and
lifecycle settings have modules of their own.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Iterator
from typing import Annotated, Any, Literal

from pydantic import Discriminator, Field, PrivateAttr, Tag, field_validator, model_validator

from tierwise._messages import message

from ._cluster import Cluster
from ._expr import Node, parse_expression
from ._fields import Expr, Label, Name, Number, _Model, check_name, repeated
from ._indicator import Indicator, Window
from ._lifecycle import Lifecycle
from ._yaml import nearest_line

__all__ = [
    "GRADER_KINDS",
    "Band",
    "Cluster",
    "Criterion",
    "GradeOrGrader",
    "Grader",
    "Indicator",
    "Ladder",
    "Lifecycle",
    "MapGrader",
    "Matrix",
    "Pareto",
    "Percentile",
    "Rfm",
    "Rule",
    "Scorecard",
    "Segment",
    "Standard",
    "StandardRef",
    "Step",
    "Window",
]

GRADER_KINDS = ("ladder", "rules", "scorecard", "pareto", "percentile", "rfm", "map", "matrix", "cluster")
BOUND_KEYS = ("at_least", "above", "at_most", "below")
MAX_GRADES = 1_000  # the largest built-in (industry-division) has 98; each grade is a branch of the compiled CASE
MAX_INDICATORS = 500  # a scorecard has dozens; each is a column of the one query (5,000 took minutes to compile)


# --------------------------------------------------------------------- bounds


class _Bounded(_Model):
    at_least: Number | None = None
    above: Number | None = None
    at_most: Number | None = None
    below: Number | None = None

    @property
    def bound(self) -> tuple[str, float] | None:
        for key in BOUND_KEYS:
            value = getattr(self, key)
            if value is not None:
                return key, value
        return None

    @model_validator(mode="after")
    def _one_bound(self) -> _Bounded:
        given = [k for k in BOUND_KEYS if getattr(self, k) is not None]
        if len(given) > 1:
            raise ValueError(f"Give one bound, not {len(given)} ({', '.join(given)})")
        return self


def _check_bounded_sequence(items: list[Any], what: str, owner: str) -> None:
    """Bounds in one direction, strictly monotone, the last one without a bound."""
    if not items:
        raise ValueError(f"The {owner} needs at least one {what}")
    for index, item in enumerate(items[:-1]):
        if item.bound is None:
            raise ValueError(
                f"Only the last {what} of the {owner} may have no bound; "
                f"{what} {index + 1} has none. Add at_least/above/at_most/below or move it last"
            )
    last = items[-1].bound
    if last is not None:
        raise ValueError(
            f"The last {what} of the {owner} must have no bound (it takes everyone left). "
            f"Got {last[0]}: {last[1]:g} instead"
        )
    bounds = [item.bound for item in items[:-1]]
    directions = {"up" if key in ("at_least", "above") else "down" for key, _ in bounds}
    if len(directions) > 1:
        raise ValueError(
            f"The {owner} mixes directions: use at_least/above (higher is better) or "
            f"at_most/below (lower is better), not both"
        )
    for index in range(1, len(bounds)):
        (_, previous), (key, value) = bounds[index - 1], bounds[index]
        ok = value < previous if "up" in directions else value > previous
        if not ok:
            relation = "less" if "up" in directions else "greater"
            raise ValueError(
                f"The '{key}' of {what} {index + 1} of the {owner} must be {relation} than "
                f"{what} {index}'s ({previous:,.10g}). Got {value:,.10g} instead"
            )


class Step(_Bounded):
    grade: Label


class Ladder(_Model):
    on: Name
    steps: list[Step]

    @model_validator(mode="after")
    def _monotone(self) -> Ladder:
        _check_bounded_sequence(self.steps, "step", f"ladder on '{self.on}'")
        return self

    @property
    def higher_is_better(self) -> bool:
        first = self.steps[0].bound
        return first is None or first[0] in ("at_least", "above")


# --------------------------------------------------------------------- graders


class StandardRef(_Model):
    standard: str


class Rule(_Model):
    when: Expr | None = None
    then: GradeOrGrader | None = None
    otherwise: GradeOrGrader | None = None

    @model_validator(mode="after")
    def _shape(self) -> Rule:
        if self.otherwise is not None:
            if self.when is not None or self.then is not None:
                raise ValueError("An 'otherwise' rule stands alone: remove its 'when'/'then'")
        elif self.when is None or self.then is None:
            missing = "when" if self.when is None else "then"
            raise ValueError(f"A rule needs both 'when' and 'then'; '{missing}' is missing")
        return self


class Band(_Bounded):
    points: Number


class Criterion(_Model):
    name: str
    weight: Number
    on: Name
    points: dict[Any, Number] | None = None
    synonyms: dict[str, str] | None = None  # other words for a rating: {普通: 一般}
    bands: list[Band] | None = None

    @model_validator(mode="after")
    def _one_scale(self) -> Criterion:
        if self.synonyms is not None:
            if self.points is None:
                raise ValueError(f"Criterion '{self.name}' has 'synonyms', which need a rating scale in 'points'")
            wrong = [f"{k}: {v}" for k, v in self.synonyms.items() if v not in self.points]
            if wrong:
                raise ValueError(
                    f"Criterion '{self.name}' has synonyms for ratings its points do not list ({', '.join(wrong)}); "
                    f"each must name one of {', '.join(map(str, self.points))}"
                )
        if (self.points is None) == (self.bands is None):
            raise ValueError(
                f"Criterion '{self.name}' needs exactly one of 'points' (a rating to points map) "
                f"or 'bands' (numeric bands)"
            )
        if self.bands is not None:
            _check_bounded_sequence(self.bands, "band", f"criterion '{self.name}'")
        if self.weight <= 0:
            raise ValueError(f"The weight of criterion '{self.name}' must be positive. Got {self.weight:g} instead")
        return self


class Scorecard(_Model):
    criteria: list[Criterion] = Field(min_length=1)
    missing_points: Number = 0.0
    steps: list[Step]

    @model_validator(mode="after")
    def _weights(self) -> Scorecard:
        total = sum(c.weight for c in self.criteria)
        if abs(total - 100) > 1e-9:
            listing = " + ".join(f"{c.weight:g}" for c in self.criteria)
            raise ValueError(f"The scorecard's weights must sum to 100. Got {listing} = {total:g} instead")
        names = [c.name for c in self.criteria]
        if duplicates := repeated(names):
            raise ValueError(f"Criterion names must be unique; repeated: {', '.join(duplicates)}")
        _check_bounded_sequence(self.steps, "step", "scorecard")
        return self


class _Share(_Model):
    grade: Label


class ParetoClass(_Share):
    up_to: Number | None = None


class PercentileClass(_Share):
    top: Number | None = None


def _check_shares(values: list[float | None], key: str, owner: str) -> None:
    if not values:
        raise ValueError(f"The {owner} needs at least one class")
    if values[-1] is not None:
        raise ValueError(f"The last class of the {owner} must have no '{key}' (it takes everyone left)")
    for index, value in enumerate(values[:-1]):
        if value is None:
            raise ValueError(f"Only the last class of the {owner} may have no '{key}'; class {index + 1} has none")
        if not 0 < value <= 1:
            raise ValueError(
                f"The '{key}' of class {index + 1} of the {owner} must be between 0% and 100%. Got {value:.4g} instead"
            )
        if index and value <= (values[index - 1] or 0):
            raise ValueError(
                f"The '{key}' of class {index + 1} of the {owner} must be greater than class {index}'s "
                f"({values[index - 1]:.4g}). Got {value:.4g} instead"
            )


class Pareto(_Model):
    on: Name
    classes: list[ParetoClass]

    @model_validator(mode="after")
    def _ordered(self) -> Pareto:
        _check_shares([c.up_to for c in self.classes], "up_to", f"pareto on '{self.on}'")
        return self


class Percentile(_Model):
    on: Name
    classes: list[PercentileClass]

    @model_validator(mode="after")
    def _ordered(self) -> Percentile:
        _check_shares([c.top for c in self.classes], "top", f"percentile on '{self.on}'")
        return self


_CONDITION = re.compile(r"^\s*(>=|<=|==|>|<|=)?\s*(\d+)\s*$")
_RANGE = re.compile(r"^\s*(\d+)\s*(?:\.\.|-)\s*(\d+)\s*$")


def segment_matches(condition: str | int, value: str | int) -> bool:
    """Whether an rfm segment condition (``high``, ``">=4"``, ``"2..3"``, ``5``, ``*``) holds."""
    text = str(condition).strip()
    if text == "*":
        return True
    if isinstance(value, str):
        return text == value
    if (match := _RANGE.match(text)) is not None:
        return int(match.group(1)) <= value <= int(match.group(2))
    match = _CONDITION.match(text)
    if match is None:
        return False
    op, number = match.group(1) or "==", int(match.group(2))
    return {
        ">=": value >= number,
        "<=": value <= number,
        ">": value > number,
        "<": value < number,
        "==": value == number,
        "=": value == number,
    }[op]


class Segment(_Model):
    grade: Label
    r: str | int = "*"
    f: str | int = "*"
    m: str | int = "*"


class Rfm(_Model):
    recency: Name
    frequency: Name
    monetary: Name
    split: Literal["mean", "median"] | None = None
    scores: int | None = Field(default=None, ge=2, le=10)
    segments: list[Segment] = Field(min_length=1)

    @model_validator(mode="after")
    def _cover(self) -> Rfm:
        if (self.split is None) == (self.scores is None):
            raise ValueError("An rfm grader needs exactly one of 'split: mean|median' or 'scores: K'")
        levels: list[str | int] = ["high", "low"] if self.split else list(range(1, (self.scores or 0) + 1))
        for number, segment in enumerate(self.segments, start=1):
            for dim in ("r", "f", "m"):
                condition = getattr(segment, dim)
                if str(condition).strip() == "*":
                    continue
                if self.split and str(condition) not in ("high", "low"):
                    raise ValueError(
                        f"Segment {number} of the rfm has {dim}: '{condition}'; with 'split' it must be "
                        f"'high', 'low' or '*'"
                    )
                if self.scores and not (_CONDITION.match(str(condition)) or _RANGE.match(str(condition))):
                    raise ValueError(
                        f"Segment {number} of the rfm has {dim}: '{condition}'; with 'scores' write a score "
                        f"like 5, '>=4', '<3', '2..3' or '*'"
                    )
        uncovered = [
            combo
            for combo in itertools.product(levels, repeat=3)
            if not any(
                all(segment_matches(getattr(s, d), v) for d, v in zip("rfm", combo, strict=True)) for s in self.segments
            )
        ]
        if uncovered:
            shown = ", ".join(f"(r={r}, f={f}, m={m})" for r, f, m in uncovered[:5])
            more = f" and {len(uncovered) - 5} more" if len(uncovered) > 5 else ""
            raise ValueError(
                f"The rfm segments leave {len(uncovered)} combination(s) without a grade: {shown}{more}. "
                f"Add segments for them or a last catch-all segment with r/f/m: '*'"
            )
        return self


class MapGrader(_Model):
    on: Name
    values: dict[Any, Label] = Field(min_length=1)
    otherwise: Label | None = None


class Matrix(_Model):
    dimensions: dict[Name, DimensionSpec] = Field(min_length=1)
    cells: list[dict[str, Any]] = Field(min_length=1)
    otherwise: Label | None = None

    @model_validator(mode="after")
    def _cells(self) -> Matrix:
        for number, cell in enumerate(self.cells, start=1):
            if "grade" not in cell:
                raise ValueError(f"Cell {number} of the matrix needs a 'grade'")
            unknown = [k for k in cell if k != "grade" and k not in self.dimensions]
            if unknown:
                from ._problems import did_you_mean

                raise ValueError(
                    f"Cell {number} of the matrix names an unknown dimension '{unknown[0]}'."
                    f"{did_you_mean(unknown[0], self.dimensions)}"
                )
        return self


class Grader(_Model):
    """Exactly one grader kind (LANGUAGE.md §6)."""

    ladder: Ladder | None = None
    rules: list[Rule] | None = None
    scorecard: Scorecard | None = None
    pareto: Pareto | None = None
    percentile: Percentile | None = None
    rfm: Rfm | None = None
    map: MapGrader | None = None
    matrix: Matrix | None = None
    cluster: Cluster | None = None

    @model_validator(mode="after")
    def _exactly_one(self) -> Grader:
        given = [k for k in GRADER_KINDS if getattr(self, k) is not None]
        if len(given) != 1:
            what = "none" if not given else ", ".join(given)
            raise ValueError(f"A grader holds exactly one of {', '.join(GRADER_KINDS)}; got {what}")
        if self.rules is not None:
            if not self.rules or self.rules[-1].otherwise is None:
                raise ValueError("The rules need a last '- otherwise: GRADE' so that every customer gets a grade")
            for number, rule in enumerate(self.rules[:-1], start=1):
                if rule.otherwise is not None:
                    raise ValueError(
                        f"Rule {number} is an 'otherwise' but is not last; rules after it could never apply"
                    )
            for number, rule in enumerate(self.rules, start=1):
                nested = rule.then if rule.otherwise is None else rule.otherwise
                if isinstance(nested, Grader) and any(sub.kind == "cluster" for _, sub in nested.walk()):
                    raise ValueError(
                        f"Rule {number} holds a cluster grader, which finds its segments among the whole "
                        f"population; use it at the top of 'grade' or as a matrix dimension, and narrow the "
                        f"customers with the standard's 'population'"
                    )
        return self

    @property
    def kind(self) -> str:
        return next(k for k in GRADER_KINDS if getattr(self, k) is not None)

    def walk(self, path: tuple[str | int, ...] = ("grade",)) -> Iterator[tuple[tuple[str | int, ...], Grader]]:
        """This grader and every grader nested in it (rules' then/otherwise, matrix dimensions), with paths."""
        yield path, self
        here = (*path, self.kind)
        if self.rules is not None:
            for index, rule in enumerate(self.rules):
                for key in ("then", "otherwise"):
                    sub = getattr(rule, key)
                    if isinstance(sub, Grader):
                        yield from sub.walk((*here, index, key))
        if self.matrix is not None:
            for name, spec in self.matrix.dimensions.items():
                if isinstance(spec, Grader):
                    yield from spec.walk((*here, "dimensions", name))

    @property
    def body(self) -> Any:
        return getattr(self, self.kind)


def _grade_or_grader(value: Any) -> str:
    return "grader" if isinstance(value, dict) else "grade"


def _dimension(value: Any) -> str:
    return "standard" if isinstance(value, dict) and "standard" in value else "grader"


GradeOrGrader = Annotated[
    Annotated[Label, Tag("grade")] | Annotated[Grader, Tag("grader")],
    Discriminator(_grade_or_grader),
]
DimensionSpec = Annotated[
    Annotated[StandardRef, Tag("standard")] | Annotated[Grader, Tag("grader")],
    Discriminator(_dimension),
]


# --------------------------------------------------------------------- standard


class Standard(_Model):
    """A grading standard, as read from one YAML file.

    Load it with :func:`tierwise.load_standard`, which also checks labels and
    references across the file and resolves ``standard:`` references.
    """

    tierwise: Literal[1]
    id: Annotated[str, Field(pattern=r"^[a-z0-9][a-z0-9_-]*$")]
    name: str
    version: str
    description: str | None = None
    grades: list[Label] = Field(min_length=1)
    population: Expr | None = None
    complete_profiles: bool = False  # grade only customers whose profile (profile.yaml) is complete
    indicators: dict[str, Indicator] = Field(default_factory=dict)
    grade: Grader
    missing: Label | None = None
    lifecycle: Lifecycle | None = None
    policies: dict[Label, dict[str, Any]] | None = None

    _source: str = PrivateAttr(default="<memory>")
    _text: str = PrivateAttr(default="")
    _references: dict[str, Standard] = PrivateAttr(default_factory=dict)
    _lines: dict[tuple[str | int, ...], int] = PrivateAttr(default_factory=dict)

    @field_validator("version", mode="before")
    @classmethod
    def _version_text(cls, value: Any) -> Any:
        if isinstance(value, float):
            written = getattr(value, "text", repr(value))
            raise ValueError(
                f'The version must be text; quote it as version: "{written}" so YAML keeps it as written '
                f"(unquoted it reads as the number {value:g})"
            )
        if isinstance(value, int):
            return str(value)
        return value

    @field_validator("grades")
    @classmethod
    def _unique(cls, value: list[str]) -> list[str]:
        if len(value) > MAX_GRADES:
            raise ValueError(message("spec.too_many_grades", "en", count=f"{len(value):,}", limit=f"{MAX_GRADES:,}"))
        if twice := repeated(value):
            raise ValueError(f"Each grade may appear once in 'grades'; repeated: {', '.join(twice)}")
        return value

    @field_validator("indicators", mode="before")
    @classmethod
    def _not_too_many(cls, value: Any) -> Any:
        if isinstance(value, dict) and len(value) > MAX_INDICATORS:  # before each is read: that is the slow part
            raise ValueError(
                message("spec.too_many_indicators", "en", count=f"{len(value):,}", limit=f"{MAX_INDICATORS:,}")
            )
        return value

    @field_validator("indicators")
    @classmethod
    def _names(cls, value: dict[str, Indicator]) -> dict[str, Indicator]:
        for name in value:
            check_name(name)
        return value

    @property
    def source(self) -> str:
        """The file the standard was read from."""
        return self._source

    @property
    def text(self) -> str:
        """The file's text, as recorded with every run."""
        return self._text

    @property
    def references(self) -> dict[str, Standard]:
        """Standards this one refers to with ``standard:``, by id."""
        return self._references

    @property
    def missing_grade(self) -> str:
        """The grade given when the deciding value is null."""
        return self.missing if self.missing is not None else self.grades[-1]

    def line_of(self, *path: str | int) -> int | None:
        """The line in :attr:`source` of a path like ``("grade", "ladder", "steps", 1)``."""
        return nearest_line(self._lines, path)

    def parsed(self, text: str, *, aggregates: bool = False) -> Node:
        """The AST of one of this standard's expressions."""
        return parse_expression(text, allow_aggregates=aggregates)


Rule.model_rebuild()
Matrix.model_rebuild()
Grader.model_rebuild()
