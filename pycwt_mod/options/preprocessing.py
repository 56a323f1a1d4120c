"""What is done to a series before its transform."""

from __future__ import annotations

import numbers
from dataclasses import dataclass

import numpy as np

from .._validation import check_choice
from .choices import DETREND_METHODS, GAP_FILLS, GAP_POLICIES, Detrend, GapFill, GapPolicy
from .declare import _opt

__all__ = ["Preprocessing"]

# ------------------------------------------------------------- preprocessing


@dataclass(frozen=True)
class Preprocessing:
    """What is done to a series before its transform, in this order.

    Attributes
    ----------
    anomalies : int, "auto" or None
        Remove the mean seasonal cycle: the mean of every phase of a cycle of
        ``anomalies`` samples (12 for monthly data, 4 for quarterly) over the valid
        samples, the climatology a climate scientist removes before a coherence
        study. ``"auto"`` takes the cycle from a date axis (monthly or quarterly
        dates); None (default) leaves the series as it is.
    detrend : {"none", "linear"}
        "linear" removes the least-squares line of the valid samples.
    normalize : bool
        Standardise the series (zero mean, unit variance of the valid samples)
        before the transform (default True, as pycwt's ``wct``/``xwt`` and the API
        contract). Coherence is computed from the standardised pair either way
        (its value does not depend on the series' scale).
    gaps : {"raise", "mask"}
        A missing sample (NaN): "raise" (default) is an error naming the first one;
        "mask" fills gaps (``fill``) and masks the results they influence, within
        the wavelet's e-folding time ([1]_ sec. 3g).
    fill : {"mean", "linear"}
        How gaps are filled with ``gaps="mask"`` (default the mean: zero anomaly).
    """

    anomalies: int | str | None = _opt(
        None,
        "Remove the mean seasonal cycle of this many samples (12: monthly, 4: "
        "quarterly; 'auto' from a date axis); null: leave the series as it is.",
    )
    detrend: Detrend = _opt(
        "none",
        "'linear' removes each series' least-squares line (fitted to its valid samples) "
        "first; 'none' leaves it as it is.",
        choices=DETREND_METHODS,
    )
    normalize: bool = _opt(
        True,
        "Standardise the series first (zero mean, unit variance of the valid samples).",
    )
    gaps: GapPolicy = _opt(
        "raise",
        "Missing samples (null or NaN): 'raise' refuses them, naming the first one; "
        "'mask' fills them and returns gap_mask, true within the wavelet's e-folding "
        "time of a gap (Torrence & Compo 1998, sec. 3g).",
        choices=GAP_POLICIES,
    )
    fill: GapFill = _opt("mean", "How gaps are filled with gaps='mask'.", choices=GAP_FILLS)

    def __post_init__(self) -> None:
        a = self.anomalies
        if a is not None and a != "auto":
            if isinstance(a, bool) or not isinstance(a, numbers.Integral) or a < 2:
                raise ValueError(
                    "`anomalies` must be the samples per seasonal cycle (a whole number "
                    f">= 2, e.g. 12 for monthly data), 'auto' or null (got {a!r})"
                )
            object.__setattr__(self, "anomalies", int(a))
        check_choice(self.detrend, "detrend", DETREND_METHODS)
        check_choice(self.gaps, "gaps", GAP_POLICIES)
        check_choice(self.fill, "fill", GAP_FILLS)
        if not isinstance(self.normalize, bool | np.bool_):
            raise ValueError(f"`normalize` must be true or false (got {self.normalize!r})")
        object.__setattr__(self, "normalize", bool(self.normalize))
