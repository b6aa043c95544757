"""The reason sentence rendered from a stored decision, in the reader's language.

A decision is a row of :meth:`tierwise.Evaluation.decisions`: the values the standard
compared (indicators, customer columns, dimension labels) and what each grader decided
(the matched rule, the matrix cell, points, shares, ranks, classes, the nearest segment).
:func:`render_reason` turns it into the same sentence the evaluation query writes, word
for word and number for number, in Chinese or English, without reading any data; so a
run decided in one language is read in the other, and the contract suite checks the two
agree for every grader kind.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from tierwise.spec import Standard, format_amount
from tierwise.spec._model import Grader, Step, segment_matches

from ._cluster import cluster_key
from ._context import TEXT, slug
from ._format import bound_text, share_text

__all__ = ["number_text", "render_reason"]

Path = tuple[str | int, ...]
_SYMBOL = {"at_least": "≥", "above": ">", "at_most": "≤", "below": "<"}
_NEGATED = {"at_least": "<", "above": "≤", "at_most": ">", "below": "≥"}
_NEAREST = {"zh": "：最接近「{name}」群的中心 → ", "en": ": nearest the centre of '{name}' → "}
_MICRO, _CENT = Decimal("0.000001"), Decimal("0.01")
_DASH = "—"  # a value with no text (as the query shows a null part)


def number_text(value: Any) -> str | None:
    """A number as a reason shows it: ``12,345,678.5``, two decimals at most, rounded as the query rounds.

    >>> number_text(12345678.5), number_text(Decimal("19.935")), number_text(None)
    ('12,345,678.5', '19.94', None)
    """
    if value is None or (isinstance(value, float) and value != value):
        return None
    if isinstance(value, bool):
        return str(value).lower()
    if not isinstance(value, (Decimal, int)):
        return format_amount(float(value))
    exact = Decimal(value).quantize(_MICRO, ROUND_HALF_UP).quantize(_CENT, ROUND_HALF_UP)
    text = f"{exact:,.2f}".rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


def _cast_text(value: Any) -> str | None:
    """A value as the query casts it to text."""
    if value is None:
        return None
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, float):
        return repr(value)
    if isinstance(value, dt.datetime):
        return value.isoformat(sep=" ")
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value)


def _is_number(value: Any) -> bool:
    return isinstance(value, (int, float, Decimal)) and not isinstance(value, bool)


def _holds(value: Any, key: str, bound: float) -> bool:
    number = float(value) if not isinstance(value, Decimal) else value
    limit = Decimal(repr(bound)) if isinstance(number, Decimal) else bound
    return {
        "at_least": number >= limit,
        "above": number > limit,
        "at_most": number <= limit,
        "below": number < limit,
    }[key]


def render_reason(
    standard: Standard, row: Mapping[str, Any], lang: str, models: Mapping[str, Any] | None = None
) -> str | None:
    """The reason sentence of one decision (a row of :meth:`Evaluation.decisions`) in ``lang``.

    ``models`` holds the fitted records of the standard's cluster graders (the run's
    ``models``), whose segment names the sentence uses.
    """
    return _Reason(standard, row, lang, models or {}).grader(standard.grade, ("grade",), top=True)


class _Reason:
    def __init__(self, standard: Standard, row: Mapping[str, Any], lang: str, models: Mapping[str, Any]) -> None:
        self.standard = standard
        self.row = row
        self.lang = lang
        self.words = TEXT[lang]
        self.models = models

    def value(self, name: str) -> Any:
        value = self.row[name] if name in self.row else self.row.get(f"_tw_col_{name}")
        return None if isinstance(value, float) and value != value else value

    def aux(self, path: Path, suffix: str) -> Any:
        return self.row.get(f"{slug(path)}_{suffix}")

    def missing(self, labels: Sequence[str], top: bool) -> str:
        return self.standard.missing_grade if top else labels[-1]

    def grader(self, grader: Grader, path: Path, top: bool) -> str | None:
        here = (*path, grader.kind)
        result: str | None = getattr(self, f"render_{grader.kind}")(grader.body, here, top)
        return result

    def steps(self, value: Any, on_text: str, shown: str | None, steps: Sequence[Step], top: bool) -> str | None:
        if value is None:
            return f"{on_text} {self.words['no_value']} → {self.missing([s.grade for s in steps], top)}"
        previous: tuple[str, float] | None = None
        for step in steps:
            bound = step.bound
            if bound is None:
                tail = f" {_NEGATED[previous[0]]} {bound_text(previous[1], self.lang)}" if previous else ""
            elif _holds(value, *bound):
                tail = f" {_SYMBOL[bound[0]]} {bound_text(bound[1], self.lang)}"
            else:
                previous = bound
                continue
            return f"{on_text} = {shown or _DASH}{tail} → {step.grade}"
        return None

    def render_ladder(self, body: Any, here: Path, top: bool) -> str | None:
        value = self.value(body.on)
        return self.steps(value, body.on, number_text(value), body.steps, top)

    def render_scorecard(self, body: Any, here: Path, top: bool) -> str | None:
        score = self.aux(here, "score")
        parts = []
        for index, criterion in enumerate(body.criteria):
            points = self.aux((*here, "criteria", index), "points")
            separator = "" if index == 0 else ("、" if self.lang == "zh" else ", ")
            parts.append(
                f"{separator}{criterion.name} {number_text(points) or _DASH}{self.words['pts']}×{criterion.weight:g}%"
            )
        breakdown = f"{number_text(score) or _DASH}{self.words['open']}{''.join(parts)}{self.words['close']}"
        return self.steps(score, self.words["score"], breakdown, body.steps, top)

    def render_rules(self, body: Any, here: Path, top: bool) -> str | None:
        matched = self.aux(here, "rule")
        index = (int(matched) if matched is not None else len(body)) - 1
        rule = body[index]
        if rule.otherwise is not None:
            head, target, key = self.words["otherwise"], rule.otherwise, "otherwise"
        else:
            head, target, key = self.words["holds"].format(when=rule.when), rule.then, "then"
        if isinstance(target, str):
            return f"{head} → {target}"
        inner = self.grader(target, (*here, index, key), top)
        return f"{head}{self.words['and']}{inner if inner is not None else _DASH}"

    def render_map(self, body: Any, here: Path, top: bool) -> str | None:
        value = self.value(body.on)
        labels = list(dict.fromkeys([*body.values.values(), *([body.otherwise] if body.otherwise else [])]))
        missing = self.missing(labels, top)
        if value is None:
            return f"{body.on} {self.words['no_value']} → {missing}"
        shown = number_text(value) if _is_number(value) else _cast_text(value)
        numeric = _is_number(value) and all(_is_number(k) for k in body.values)
        text = _cast_text(value)
        for key, label in body.values.items():
            if (value == key) if numeric else (text == str(key)):
                return f"{body.on} = {shown} → {label}"
        fallback = body.otherwise if body.otherwise is not None else missing
        return f"{body.on} = {shown} {self.words['unlisted']} → {fallback}"

    def render_matrix(self, body: Any, here: Path, top: bool) -> str | None:
        described = self.words["sep"].join(
            f"{name}={_cast_text(self.row.get(name)) or _DASH}" for name in body.dimensions
        )
        cell = int(self.aux(here, "cell") or 0)
        if cell:
            return f"{described} {self.words['cell'].format(n=cell)} → {body.cells[cell - 1]['grade']}"
        fallback = body.otherwise if body.otherwise is not None else self.standard.missing_grade
        return f"{described} {self.words['no_cell']} → {fallback}"

    def _number(self, name: str) -> float | None:
        value = self.value(name)
        return None if value is None else float(value)

    def render_pareto(self, body: Any, here: Path, top: bool) -> str | None:
        value = self._number(body.on)
        last = body.classes[-1].grade
        if value is None:
            return f"{body.on} {self.words['no_value']} → {last}"
        shown = number_text(value)
        if value <= 0:
            return f"{body.on} = {shown} {self.words['nonpositive']} → {last}"
        before, total = self.aux(here, "before"), self.aux(here, "total")
        share = None if before is None or not total else float(before) / float(total) * 100
        head = f"{body.on} = {shown}{self.words['sep']}{self.words['before']} {_percent(share)}"
        bounded = [c for c in body.classes[:-1] if c.up_to]
        cls = self.aux(here, "class")
        if cls is not None and 0 <= int(cls) < len(bounded):
            chosen = bounded[int(cls)]
            return f"{head} < {share_text(chosen.up_to or 0)} → {chosen.grade}"
        last_bound = body.classes[-2].up_to if len(body.classes) > 1 else None
        tail = f" ≥ {share_text(last_bound)}" if last_bound is not None else ""
        return f"{head}{tail} → {last}"

    def render_percentile(self, body: Any, here: Path, top: bool) -> str | None:
        labels = [c.grade for c in body.classes]
        cls = self.aux(here, "class")
        if cls is None or int(cls) == -1:
            return f"{body.on} {self.words['no_value']} → {self.missing(labels, top)}"
        greater, counted = self.aux(here, "greater"), self.aux(here, "n")
        fraction = None if greater is None or not counted else float(greater) / float(counted) * 100
        head = f"{body.on} = {number_text(self._number(body.on)) or _DASH}{self.words['sep']}{self.words['above_it']} "
        bounded = [c for c in body.classes[:-1] if c.top]
        if 0 <= int(cls) < len(bounded):
            chosen = bounded[int(cls)]
            return f"{head}{_percent(fraction)} < {self.words['top']}{share_text(chosen.top or 0)} → {chosen.grade}"
        last_bound = body.classes[-2].top if len(body.classes) > 1 else None
        tail = f" ≥ {share_text(last_bound)}" if last_bound is not None else ""
        return f"{head}{_percent(fraction)}{tail} → {labels[-1]}"

    def render_rfm(self, body: Any, here: Path, top: bool) -> str | None:
        dims = {"r": body.recency, "f": body.frequency, "m": body.monetary}
        levels = {d: self.aux(here, d) for d in "rfm"}
        pieces = []
        for i, d in enumerate("rfm"):
            sep = "" if i == 0 else self.words["sep"]
            shown = number_text(self._number(dims[d])) or _DASH
            if body.split:
                word = self.words["high"] if levels[d] == "high" else self.words["low"]
                pieces.append(f"{sep}{d.upper()} {dims[d]} = {shown}{self.words['open']}{word}{self.words['close']}")
            else:
                opening = self.words["open"].strip() or "("
                closing = self.words["close"].strip() or ")"
                level = _DASH if levels[d] is None else str(levels[d])
                pieces.append(f"{sep}{d.upper()}{opening}{level}{closing} {dims[d]} = {shown}")
        label = self.missing([s.grade for s in body.segments], top)
        for segment in body.segments:
            if all(
                str(getattr(segment, d)).strip() == "*"
                or (
                    levels[d] is not None
                    and segment_matches(getattr(segment, d), str(levels[d]) if body.split else int(levels[d]))
                )
                for d in "rfm"
            ):
                label = segment.grade
                break
        return f"{''.join(pieces)} → {label}"

    def render_cluster(self, body: Any, here: Path, top: bool) -> str | None:
        labels = list(body.segments)
        missing = self.missing(labels, top)
        values = [self._number(name) for name in body.on]
        for name, value in zip(body.on, values, strict=True):
            if value is None:
                return f"{name} {self.words['no_value']} → {missing}"
        record = self.models.get(cluster_key(self.standard, here))
        chosen = self.aux(here, "segment")
        if record is None or chosen is None or not 0 <= int(chosen) < len(record["labels"]):
            return missing
        names = record.get("names", {}).get(self.lang) or record.get("names", {}).get("zh") or record["labels"]
        shown = self.words["sep"].join(f"{name} = {number_text(v)}" for name, v in zip(body.on, values, strict=True))
        k = int(chosen)
        return f"{shown}{_NEAREST[self.lang].format(name=names[k])}{record['labels'][k]}"


def _percent(value: float | None) -> str:
    text = number_text(value)
    return _DASH if text is None else f"{text}%"
