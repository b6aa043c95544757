"""Customer-base models fitted by maximum likelihood on an RFM summary (SciPy).

BG/NBD and Pareto/NBD predict purchases and the probability that a customer is still
active; Gamma-Gamma predicts the spend per purchase; together they give the customer
lifetime value. K-means segments (scikit-learn) group customers by standardised values. The engine computes the summary from the transactions; this layer only
sees numbers.

Examples
--------
>>> from tierwise.models import Summary, fit_bgnbd
>>> s = Summary.of(frequency=[0, 1, 2, 5, 0, 3], recency=[0, 8, 20, 30, 0, 12], T=[40, 40, 38, 39, 35, 30])
>>> s.customers, s.repeat_buyers  # six customers cannot pin four parameters down
(6, 4)
>>> fit_bgnbd(s)  # doctest: +ELLIPSIS
Traceback (most recent call last):
...
tierwise.models._summary.ModelError: The BG/NBD fit on 6 customers did not converge ...
"""

from __future__ import annotations

from . import _bgnbd, _gammagamma, _pnbd
from ._cluster import NAMING_THRESHOLD, Segments, describe_centre, describe_segments, fit_segments
from ._clv import PURCHASE_MODELS, clv, predict, purchase_model
from ._fit import LABELS, Fit
from ._summary import ModelError, Summary

fit_bgnbd = _bgnbd.fit
fit_pnbd = _pnbd.fit
fit_gammagamma = _gammagamma.fit

__all__ = [
    "LABELS",
    "NAMING_THRESHOLD",
    "PURCHASE_MODELS",
    "Fit",
    "ModelError",
    "Segments",
    "Summary",
    "clv",
    "describe_centre",
    "describe_segments",
    "fit_bgnbd",
    "fit_gammagamma",
    "fit_pnbd",
    "fit_segments",
    "predict",
    "purchase_model",
]
