"""Explaining one customer's grade: every indicator, each step tried and its outcome.

The trace is rebuilt in Python from the customer's row (indicator values and the
auxiliary columns the compiler keeps: matched rule, points, shares, ranks), so it is an
independent reading of the same rules; the contract tests check it agrees with the SQL.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from tierwise.spec import Standard, format_amount
from tierwise.spec._model import Grader, Step

from ._context import slug
from ._format import bound_text, share_text
from ._reason import render_reason

__all__ = ["Explanation", "explain_row"]

Path = tuple[str | int, ...]
_WORDS = {
    "zh": {
        "customer": "客户",
        "grade": "等级",
        "reason": "理由",
        "next": "上一级",
        "gap": "差距",
        "indicators": "指标",
        "steps": "评级过程",
        "none": "无",
        "no_value": "无数据",
        "rule": "规则",
        "otherwise": "其他情况",
        "score": "综合得分",
        "share": "排在其前的累计占比",
        "above": "高于它的客户占比",
        "cell": "格",
        "dimension": "维度",
        "points": "分",
        "not_listed": "不在映射中",
        "mean": "均值",
        "median": "中位数",
        "score_of": "得分",
        "distance": "到中心的距离",
        "nearest": "最近",
    },
    "en": {
        "customer": "Customer",
        "grade": "Grade",
        "reason": "Reason",
        "next": "Next grade up",
        "gap": "Gap",
        "indicators": "Indicators",
        "steps": "Steps tried",
        "none": "none",
        "no_value": "no value",
        "rule": "rule",
        "otherwise": "otherwise",
        "score": "score",
        "share": "share ranked before it",
        "above": "share of customers above it",
        "cell": "cell",
        "dimension": "dimension",
        "points": " pts",
        "not_listed": "not listed",
        "mean": "mean",
        "median": "median",
        "score_of": "score",
        "distance": "distance to the centre",
        "nearest": "nearest",
    },
}
_SYMBOL = {"at_least": "≥", "above": ">", "at_most": "≤", "below": "<"}


def _show(value: Any) -> str:
    if value is None or (isinstance(value, float) and value != value):
        return "—"
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, (int, float)):
        return format_amount(float(value))
    return str(value)


def _holds(value: float, key: str, bound: float) -> bool:
    return {"at_least": value >= bound, "above": value > bound, "at_most": value <= bound, "below": value < bound}[key]


@dataclass
class Explanation:
    """Why one customer has its grade.

    ``str(explanation)`` is the full text shown by ``tierwise explain``.
    """

    customer_id: str
    grade: str | None
    reason: str | None
    next_grade: str | None
    gap_to_next: float | None
    indicators: dict[str, Any]
    dimensions: dict[str, Any]
    steps: list[str] = field(default_factory=list)
    lang: str = "zh"
    note: str | None = None  # shown under the header: e.g. that a stored run was evaluated again

    def __str__(self) -> str:
        w = _WORDS[self.lang]
        lines = [
            f"{w['customer']} {self.customer_id}: {w['grade']} {self.grade}",
            f"{w['reason']}: {self.reason}",
            *([self.note] if self.note else []),
            "",
            f"{w['indicators']}:",
        ]
        lines += [f"  {name} = {_show(value)}" for name, value in self.indicators.items()]
        if self.dimensions:
            lines += [f"  {w['dimension']} {name} = {_show(value)}" for name, value in self.dimensions.items()]
        lines += ["", f"{w['steps']}:", *[f"  {s}" for s in self.steps], ""]
        gap = _show(self.gap_to_next) if self.gap_to_next is not None else w["none"]
        if self.gap_to_next is not None and 0 < abs(self.gap_to_next) < 0.005:  # past a strict bound: keep it exact
            gap = f"{self.gap_to_next:.6f}".rstrip("0")
        lines.append(f"{w['next']}: {self.next_grade or w['none']}; {w['gap']}: {gap}")
        return "\n".join(lines)


class _Tracer:
    def __init__(self, standard: Standard, row: Mapping[str, Any], lang: str) -> None:
        self.standard = standard
        self.row = row
        self.lang = lang
        self.w = _WORDS[lang]
        self.lines: list[str] = []

    def say(self, depth: int, text: str) -> None:
        self.lines.append("  " * depth + text)

    def value(self, name: str) -> Any:
        value = self.row.get(name, self.row.get(f"_tw_col_{name}"))
        return None if isinstance(value, float) and value != value else value

    def grader(self, grader: Grader, path: Path, depth: int) -> None:
        here = (*path, grader.kind)
        getattr(self, f"trace_{grader.kind}")(grader.body, here, depth)

    def steps(self, value: Any, on: str, steps: Sequence[Step], depth: int) -> None:
        if value is None:
            self.say(depth, f"✓ {on} {self.w['no_value']} → {self.standard.missing_grade}")
            return
        for step in steps:
            bound = step.bound
            if bound is None:
                self.say(depth, f"✓ {on} = {_show(value)} → {step.grade}")
                return
            ok = _holds(float(value), *bound)
            mark = "✓" if ok else "✗"
            self.say(
                depth,
                f"{mark} {on} = {_show(value)} {_SYMBOL[bound[0]]} {bound_text(bound[1], self.lang)}"
                f"{' → ' if ok else ' ? '}{step.grade}",
            )
            if ok:
                return

    def trace_ladder(self, body: Any, here: Path, depth: int) -> None:
        self.steps(self.value(body.on), body.on, body.steps, depth)

    def trace_rules(self, body: Any, here: Path, depth: int) -> None:
        matched = int(self.row.get(f"{slug(here)}_rule") or len(body))
        for index, rule in enumerate(body[:matched], start=1):
            if rule.otherwise is not None:
                self.say(
                    depth,
                    f"✓ {self.w['otherwise']}" + (f" → {rule.otherwise}" if isinstance(rule.otherwise, str) else ":"),
                )
                target, key = rule.otherwise, "otherwise"
            else:
                ok = index == matched
                self.say(
                    depth,
                    f"{'✓' if ok else '✗'} {self.w['rule']} {index}: {rule.when}"
                    + (f" → {rule.then}" if ok and isinstance(rule.then, str) else ""),
                )
                if not ok:
                    continue
                target, key = rule.then, "then"
            if isinstance(target, Grader):
                self.grader(target, (*here, index - 1, key), depth + 1)

    def trace_scorecard(self, body: Any, here: Path, depth: int) -> None:
        for index, criterion in enumerate(body.criteria):
            points = self.row.get(f"{slug((*here, 'criteria', index))}_points")
            self.say(
                depth,
                f"{criterion.name}: {criterion.on} = {_show(self.value(criterion.on))} → "
                f"{_show(points)}{self.w['points']} × {criterion.weight:g}%",
            )
        self.steps(self.row.get(f"{slug(here)}_score"), self.w["score"], body.steps, depth)

    def _classes(
        self,
        label: str,
        fraction: float | None,
        classes: Sequence[tuple[str, float | None]],
        depth: int,
        strict_last: str,
    ) -> None:
        for grade, bound in classes:
            if bound is None:
                self.say(depth, f"✓ → {grade}")
                return
            ok = fraction is not None and fraction < bound
            self.say(
                depth,
                f"{'✓' if ok else '✗'} {label} {share_text(fraction or 0)} < {share_text(bound)}"
                f"{' → ' if ok else ' ? '}{grade}",
            )
            if ok:
                return

    def trace_pareto(self, body: Any, here: Path, depth: int) -> None:
        value = self.value(body.on)
        before, total = self.row.get(f"{slug(here)}_before"), self.row.get(f"{slug(here)}_total")
        self.say(depth, f"{body.on} = {_show(value)}")
        if value is None or value <= 0 or not total:
            self.say(depth, f"✓ {body.on} ≤ 0 / {self.w['no_value']} → {body.classes[-1].grade}")
            return
        fraction = (before or 0) / total
        self._classes(self.w["share"], fraction, [(c.grade, c.up_to) for c in body.classes], depth, "")

    def trace_percentile(self, body: Any, here: Path, depth: int) -> None:
        value = self.value(body.on)
        greater, count = self.row.get(f"{slug(here)}_greater"), self.row.get(f"{slug(here)}_n")
        self.say(depth, f"{body.on} = {_show(value)}")
        if value is None or not count:
            self.say(depth, f"✓ {body.on} {self.w['no_value']} → {self.standard.missing_grade}")
            return
        fraction = (greater or 0) / count
        self._classes(self.w["above"], fraction, [(c.grade, c.top) for c in body.classes], depth, "")

    def trace_rfm(self, body: Any, here: Path, depth: int) -> None:
        levels = {}
        for d, name in (("r", body.recency), ("f", body.frequency), ("m", body.monetary)):
            level = self.row.get(f"{slug(here)}_{d}")
            levels[d] = level
            extra = ""
            if body.split:
                stat = self.row.get(f"{slug(here)}_{d}_{body.split}")
                extra = f" ({self.w[body.split]} {_show(stat)})"
            self.say(depth, f"{d.upper()}: {name} = {_show(self.value(name))}{extra} → {level}")
        from tierwise.spec import segment_matches

        for segment in body.segments:
            ok = all(
                segment_matches(getattr(segment, d), str(levels[d]) if body.split else int(levels[d] or 1))
                for d in "rfm"
            )
            self.say(
                depth,
                f"{'✓' if ok else '✗'} r={segment.r} f={segment.f} m={segment.m}"
                f"{' → ' if ok else ' ? '}{segment.grade}",
            )
            if ok:
                return

    def trace_cluster(self, body: Any, here: Path, depth: int) -> None:
        for name in body.on:
            self.say(depth, f"{name} = {_show(self.value(name))}")
        chosen = self.row.get(f"{slug(here)}_segment")
        if chosen is None or chosen < 0:
            self.say(depth, f"✓ {self.w['no_value']} → {self.standard.missing_grade}")
            return
        for k, label in enumerate(body.segments):
            distance = self.row.get(f"{slug(here)}_d{k}")
            shown = "—" if distance is None else f"{distance**0.5:.3f}"
            ok = k == chosen
            mark = f" ({self.w['nearest']}) → " if ok else " ? "
            self.say(depth, f"{'✓' if ok else '✗'} {self.w['distance']} {shown}{mark}{label}")

    def trace_map(self, body: Any, here: Path, depth: int) -> None:
        value = self.value(body.on)
        if value is None:
            self.say(depth, f"✓ {body.on} {self.w['no_value']} → {self.standard.missing_grade}")
            return
        for key, label in body.values.items():
            if str(key) == _show(value) or key == value:
                self.say(depth, f"✓ {body.on} = {_show(value)} → {label}")
                return
        self.say(
            depth,
            f"✓ {body.on} = {_show(value)} {self.w['not_listed']} → {body.otherwise or self.standard.missing_grade}",
        )

    def trace_matrix(self, body: Any, here: Path, depth: int) -> None:
        for name, spec in body.dimensions.items():
            self.say(depth, f"{self.w['dimension']} {name} = {_show(self.row.get(name))}")
            if isinstance(spec, Grader):
                self.grader(spec, (*here, "dimensions", name), depth + 1)
        matched = int(self.row.get(f"{slug(here)}_cell") or 0)
        for index, cell in enumerate(body.cells, start=1):
            ok = index == matched
            wanted = ", ".join(f"{k}={v}" for k, v in cell.items() if k != "grade")
            self.say(
                depth,
                f"{'✓' if ok else '✗'} {self.w['cell']} {index} ({wanted}){' → ' if ok else ' ? '}{cell['grade']}",
            )
            if ok:
                return
        self.say(depth, f"✓ {self.w['otherwise']} → {body.otherwise or self.standard.missing_grade}")


def explain_row(
    standard: Standard,
    row: Mapping[str, Any],
    lang: str,
    dimensions: Sequence[str] = (),
    models: Mapping[str, Any] | None = None,
) -> Explanation:
    """Build the explanation of one evaluated row (with its auxiliary columns) in ``lang``.

    The reason is rendered from the row's decision in ``lang`` (:func:`render_reason`),
    whatever language the row was evaluated in; ``models`` holds the fitted records of
    cluster graders, whose segment names it uses.
    """
    tracer = _Tracer(standard, row, lang)
    tracer.grader(standard.grade, ("grade",), 0)
    gap = row.get("gap_to_next")
    return Explanation(
        customer_id=str(row["customer_id"]),
        grade=row.get("grade"),
        reason=render_reason(standard, row, lang, models),
        next_grade=row.get("next_grade"),
        gap_to_next=None if gap is None or gap != gap else float(gap),
        indicators={
            **{n: row.get(n) for n in standard.indicators},
            **{k.removeprefix("_tw_col_"): v for k, v in row.items() if k.startswith("_tw_col_")},
        },
        dimensions={d: row.get(d) for d in dimensions},
        steps=tracer.lines,
        lang=lang,
    )
