"""The ``cluster`` grader (LANGUAGE.md §6): data-driven segments, one grade each.

.. code-block:: yaml

    grade:
      cluster:
        on:                              # the values, with the words for a low and a high centre
          frequency: [低频, 高频]
          monetary: [低额, 高额]
          recency_days: [近期活跃, 久未购买]
        segments: [重要价值, 潜力, 一般, 流失]   # one grade per segment
        rank_by: {monetary: 1, frequency: 1, recency_days: -1}   # first fit: the best centre takes the first
                                         # grade (a name alone: the highest centre on it)
        log: [monetary]                  # segment on sign(x)·ln(1 + |x|): a few large amounts dwarf the rest
        seed: 42

The segments are found by k-means on the standardised values when the standard is
evaluated; a workspace matches them to its previous run's so a grade keeps meaning the
same kind of customer.
"""

from __future__ import annotations

from typing import Any

from pydantic import Field, field_validator, model_validator

from ._fields import Label, Name, _Model, repeated

__all__ = ["MAX_SEGMENTS", "Cluster"]

MAX_SEGMENTS = 20


class Cluster(_Model):
    on: dict[Name, tuple[str, str] | None] = Field(min_length=1)
    segments: list[Label] = Field(min_length=2, max_length=MAX_SEGMENTS)
    rank_by: Name | dict[Name, float] | None = None
    seed: int = Field(default=0, ge=0)
    sample: int = Field(default=200_000, ge=1_000)
    log: list[Name] = Field(default_factory=list)

    @field_validator("on", mode="before")
    @classmethod
    def _listed(cls, value: Any) -> Any:
        """``on: [a, b]`` is ``on: {a: null, b: null}`` (the default words)."""
        if isinstance(value, list):
            if not all(isinstance(v, str) for v in value):
                raise ValueError(f"'on' lists the names of indicators, like [frequency, amount]. Got {value!r} instead")
            if twice := repeated(value):
                raise ValueError(f"Each value may appear once in 'on'; repeated: {', '.join(twice)}")
            return dict.fromkeys(value)
        return value

    @field_validator("on")
    @classmethod
    def _words(cls, value: dict[str, tuple[str, str] | None]) -> dict[str, tuple[str, str] | None]:
        for name, words in value.items():
            if words is not None and (not all(w.strip() for w in words) or words[0] == words[1]):
                raise ValueError(
                    f"The words of '{name}' must be two different, non-empty names, for a low and for a high "
                    f"centre, like [低频, 高频]. Got {list(words)} instead"
                )
        return value

    @model_validator(mode="after")
    def _shape(self) -> Cluster:
        if twice := repeated(self.segments):
            raise ValueError(f"Each grade may name one segment of the cluster grader; repeated: {', '.join(twice)}")
        from ._problems import did_you_mean

        for name in self.log:
            if name not in self.on:
                raise ValueError(
                    f"The cluster grader's 'log' names '{name}', which is not one of its values "
                    f"({', '.join(self.on)}).{did_you_mean(name, self.on)}"
                )
        ranked = [self.rank_by] if isinstance(self.rank_by, str) else list(self.rank_by or {})
        for name in ranked:
            if name not in self.on:
                raise ValueError(
                    f"The 'rank_by' of the cluster grader names '{name}', which is not one of its values "
                    f"({', '.join(self.on)}).{did_you_mean(name, self.on)}"
                )
        if isinstance(self.rank_by, dict) and not any(self.rank_by.values()):
            raise ValueError("The weights of the cluster grader's 'rank_by' are all 0; give one a weight")
        return self

    @property
    def names(self) -> list[str]:
        """The values segmented on, in order."""
        return list(self.on)
