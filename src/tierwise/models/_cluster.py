"""Data-driven segments: k-means on standardised values (scikit-learn), named by their centres.

The engine hands over one row per customer (the values a ``cluster`` grader names); the
fit standardises each value (mean 0, standard deviation 1), runs k-means with a fixed
seed, and orders the segments so that the same data always gives the same grades:

- on a first fit, by the centre's ``rank_by`` value, highest first;
- given an earlier fit of the same segments, each new centre takes the grade of the
  earlier centre it is matched to (the assignment of least total squared distance), so
  the history of a segment stays the history of the same kind of customer.

The compile layer assigns every customer to the nearest centre in SQL, from the numbers
of :class:`Segments` alone.
"""

from __future__ import annotations

import dataclasses
import warnings
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt

from ._summary import ModelError

__all__ = ["NAMING_THRESHOLD", "Segments", "describe_centre", "describe_segments", "fit_segments"]

Array = npt.NDArray[np.float64]
NAMING_THRESHOLD = 0.5  # a centre this many standard deviations from the mean is "high" or "low" on a value
_N_INIT = 10  # k-means restarts: the best of ten seeded starts


@dataclass(frozen=True)
class Segments:
    """Fitted segments: the standardisation, the centres in grade order, sizes and profiles.

    ``centres`` are in standard units (one row per grade in ``labels``); ``means`` are
    each segment's mean values in the data's own units (an empty segment's are its
    centre's); ``sizes`` count the customers nearest each centre. ``matched`` says whether the grades follow an earlier fit's.

    Examples
    --------
    >>> import numpy as np
    >>> rng = np.random.default_rng(1)
    >>> x = np.vstack([rng.normal([10, 1], 1, (50, 2)), rng.normal([0, 9], 1, (50, 2))])
    >>> s = fit_segments(x, ("a", "b"), ("A", "B"), rank_by="a")
    >>> s.sizes, [round(m[0]) for m in s.means]
    ((50, 50), [10, 0])
    """

    on: tuple[str, ...]
    labels: tuple[str, ...]
    center: tuple[float, ...]  # the mean of each value over the customers fitted on
    scale: tuple[float, ...]  # and its standard deviation (1 where every customer has the same value)
    centres: tuple[tuple[float, ...], ...]
    sizes: tuple[int, ...]
    means: tuple[tuple[float, ...], ...]
    customers: int  # with every value present
    fitted_on: int  # of them, in the fit's sample
    seed: int
    inertia: float
    matched: bool = False
    moved: tuple[float, ...] = ()  # how far each centre moved from the earlier fit's (standard units)
    log: tuple[bool, ...] = ()  # per value: segmented on sign(x)·ln(1 + |x|) instead of x

    def transform(self, values: Array) -> Array:
        """The values as segmented: the logged ones as sign(x)·ln(1 + |x|)."""
        return _logged(values, self.log)

    def distances(self, values: Array) -> Array:
        """Squared distances (standard units) of each row of ``values`` to each centre."""
        z = (self.transform(values) - np.asarray(self.center)) / np.asarray(self.scale)
        centres = np.asarray(self.centres)
        return ((z[:, None, :] - centres[None, :, :]) ** 2).sum(axis=2)  # type: ignore[no-any-return]

    def nearest(self, values: Array) -> npt.NDArray[np.int64]:
        """The index of the nearest centre for each row (the first of equally near ones)."""
        return np.asarray(np.argmin(self.distances(values), axis=1), dtype=np.int64)

    def centre_values(self) -> Array:
        """The centres in the data's own units (a logged value turned back)."""
        inner = np.asarray(self.centres) * np.asarray(self.scale) + np.asarray(self.center)
        for j, logged in enumerate(self.log):
            if logged:
                inner[:, j] = np.sign(inner[:, j]) * np.expm1(np.abs(inner[:, j]))
        return inner  # type: ignore[no-any-return]

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready record (stored with a run, read back by :meth:`from_dict`)."""
        return {
            "kind": "cluster",
            "on": list(self.on),
            "labels": list(self.labels),
            "center": list(self.center),
            "scale": list(self.scale),
            "centres": [list(c) for c in self.centres],
            "sizes": list(self.sizes),
            "means": [list(m) for m in self.means],
            "customers": self.customers,
            "fitted_on": self.fitted_on,
            "seed": self.seed,
            "inertia": self.inertia,
            "matched": self.matched,
            "moved": list(self.moved),
            "log": list(self.log),
        }

    @classmethod
    def from_dict(cls, record: Mapping[str, Any]) -> Segments:
        """The segments a run stored (see :meth:`to_dict`)."""
        try:
            return cls(
                on=tuple(record["on"]),
                labels=tuple(record["labels"]),
                center=tuple(float(v) for v in record["center"]),
                scale=tuple(float(v) for v in record["scale"]),
                centres=tuple(tuple(float(v) for v in c) for c in record["centres"]),
                sizes=tuple(int(v) for v in record["sizes"]),
                means=tuple(tuple(float(v) for v in m) for m in record["means"]),
                customers=int(record["customers"]),
                fitted_on=int(record["fitted_on"]),
                seed=int(record["seed"]),
                inertia=float(record["inertia"]),
                matched=bool(record.get("matched", False)),
                moved=tuple(float(v) for v in record.get("moved", ())),
                log=tuple(bool(v) for v in record.get("log", ())),
            )
        except (KeyError, TypeError, ValueError) as exc:
            raise ModelError(f"The stored segments are incomplete or damaged ({exc}); run the standard again.") from exc


_DEFAULT_WORDS = {"zh": ("{name}低", "{name}高"), "en": ("low {name}", "high {name}")}
_NEUTRAL = {"zh": "各项接近平均", "en": "close to average on every value"}
_JOIN = {"zh": "、", "en": ", "}


def describe_centre(
    segments: Segments,
    index: int,
    words: Mapping[str, Sequence[str] | None],
    lang: str = "zh",
) -> str:
    """The centre of segment ``index`` in words: "高频、高额、近期活跃", "close to average on every value".

    ``words`` gives, for each value, what a low and a high centre are called; a value
    without words is "{name}低"/"{name}高" (``low {name}``/``high {name}``). Values whose
    centre is within half a standard deviation of the mean are not named; the others
    come in the order of ``segments.on``.
    """
    centre = segments.centres[index]
    named = []
    for name, z in zip(segments.on, centre, strict=True):
        if abs(z) < NAMING_THRESHOLD:
            continue
        given = words.get(name)
        low, high = given if given else (w.format(name=name) for w in _DEFAULT_WORDS[lang])
        named.append(high if z > 0 else low)
    return _JOIN[lang].join(named) if named else _NEUTRAL[lang]


def describe_segments(segments: Segments, words: Mapping[str, Sequence[str] | None], lang: str = "zh") -> list[str]:
    """Every centre in words (:func:`describe_centre`), told apart where two read the same.

    Segments whose words coincide get the value they differ on most, as their mean:
    "低频、低额、久未购买（recency_days ≈ 521）" and "…（recency_days ≈ 889）".
    """
    from tierwise.spec import format_amount

    names = [describe_centre(segments, k, words, lang) for k in range(len(segments.labels))]
    centres = np.asarray(segments.centres)
    for name in set(names):
        group = [k for k, n in enumerate(names) if n == name]
        if len(group) < 2:
            continue
        widest = int(np.argmax(np.ptp(centres[group], axis=0)))
        value = segments.on[widest]
        for k in group:
            shown = format_amount(round(segments.means[k][widest], 2))
            names[k] = f"{name}（{value} ≈ {shown}）" if lang == "zh" else f"{name} ({value} ≈ {shown})"
    return names


def _logged(values: Array, log: Sequence[bool]) -> Array:
    if not any(log):
        return values
    flags = np.asarray(log, dtype=bool)
    return np.where(flags[None, :], np.sign(values) * np.log1p(np.abs(values)), values)  # type: ignore[no-any-return]


def _standardise(values: Array) -> tuple[Array, Array]:
    center = values.mean(axis=0)
    scale = values.std(axis=0)
    scale[~np.isfinite(scale) | (scale <= 0)] = 1.0
    return center, scale


def _order_by_rank(centres: Array, weights: Array) -> list[int]:
    """New centre indices in grade order: the highest weighted sum of standard values first (ties by position)."""
    score = np.round(centres @ weights, 9)
    return sorted(range(len(centres)), key=lambda i: (-score[i], i))


def _order_by_previous(centres: Array, center: Array, scale: Array, previous: Segments) -> tuple[list[int], Array]:
    """New centre indices in the earlier fit's grade order, by the least total squared distance."""
    from scipy.optimize import linear_sum_assignment

    new = centres * scale + center  # the segmented units (logged where the values are)
    old = np.asarray(previous.centres) * np.asarray(previous.scale) + np.asarray(previous.center)
    cost = (((new[:, None, :] - old[None, :, :]) / scale) ** 2).sum(axis=2)
    rows, columns = linear_sum_assignment(cost)
    order = [0] * len(columns)
    for new_index, old_index in zip(rows, columns, strict=True):
        order[old_index] = int(new_index)
    moved = np.sqrt(cost[order, range(len(order))])
    return order, moved


def fit_segments(
    values: Array,
    on: Sequence[str],
    labels: Sequence[str],
    *,
    rank_by: str | Mapping[str, float] | None = None,
    seed: int = 0,
    sample: int | None = None,
    previous: Segments | None = None,
    log: Sequence[str] = (),
) -> Segments:
    """K-means segments of the rows of ``values`` (one column per name in ``on``), one per label.

    Rows with a missing (NaN) value are left out; ``sample`` caps the rows the centres are
    found on (a seeded random sample), the sizes and profiles count every row. With
    ``previous`` (an earlier fit of the same values and labels), the grades follow its
    centres; otherwise the segment with the highest ``rank_by`` centre (default: the first
    value) takes the first label: a name, or weights by name (``{monetary: 1, recency: -1}``)
    for the weighted sum of the centre's standard values. The values named in ``log`` are segmented as
    sign(x)·ln(1 + |x|), for amounts a few customers dwarf everyone else on.

    Raises
    ------
    ModelError
        When fewer customers (or distinct value combinations) than segments have every value.
    """
    from sklearn.cluster import KMeans

    data = np.asarray(values, dtype=np.float64)
    if data.ndim != 2 or data.shape[1] != len(on):
        raise ModelError(
            f"The segments need one column per value ({', '.join(on)}); got an array of shape {data.shape}."
        )
    k = len(labels)
    complete = data[np.isfinite(data).all(axis=1)]
    if len(complete) < k:
        raise ModelError(
            f"{k} segments need at least {k} customers with every value ({', '.join(on)}); "
            f"the data has {len(complete):,}."
        )
    flags = tuple(name in log for name in on)
    fitted = complete
    if sample is not None and len(complete) > sample:
        picked = np.random.default_rng(seed).choice(len(complete), size=sample, replace=False)
        fitted = complete[np.sort(picked)]
    distinct = len(np.unique(fitted, axis=0))
    if distinct < k:
        raise ModelError(
            f"{k} segments need at least {k} different combinations of {', '.join(on)}; "
            f"the customers have only {distinct}. Use fewer segments or other values."
        )
    center, scale = _standardise(_logged(fitted, flags))
    z = (_logged(fitted, flags) - center) / scale
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # a ConvergenceWarning on duplicate points: the sizes below tell the story
        model = KMeans(n_clusters=k, n_init=_N_INIT, random_state=seed).fit(z)
    centres = np.asarray(model.cluster_centers_, dtype=np.float64)
    same_shape = (
        previous is not None
        and previous.on == tuple(on)
        and sorted(previous.labels) == sorted(labels)
        and (previous.log or (False,) * len(on)) == flags
    )
    moved: Array = np.zeros(0)
    if same_shape and previous is not None:
        order, moved = _order_by_previous(centres, center, scale, previous)
        grade_of = [previous.labels.index(label) for label in labels]  # the earlier fit's order -> ours
        order, moved = [order[i] for i in grade_of], moved[grade_of]
    else:
        given = {rank_by: 1.0} if isinstance(rank_by, str) else dict(rank_by or {on[0]: 1.0})
        order = _order_by_rank(centres, np.array([float(given.get(name, 0.0)) for name in on]))
    ordered = centres[order]
    result = Segments(
        on=tuple(on),
        labels=tuple(labels),
        center=tuple(float(v) for v in center),
        scale=tuple(float(v) for v in scale),
        centres=tuple(tuple(float(v) for v in row) for row in ordered),
        sizes=(),
        means=(),
        customers=len(complete),
        fitted_on=len(fitted),
        seed=seed,
        inertia=float(model.inertia_),
        matched=bool(same_shape),
        moved=tuple(float(v) for v in moved),
        log=flags,
    )
    nearest = result.nearest(complete)
    sizes = tuple(int((nearest == i).sum()) for i in range(k))
    at_centre = result.centre_values()
    means = tuple(
        tuple(float(v) for v in (complete[nearest == i].mean(axis=0) if sizes[i] else at_centre[i])) for i in range(k)
    )
    return dataclasses.replace(result, sizes=sizes, means=means)
