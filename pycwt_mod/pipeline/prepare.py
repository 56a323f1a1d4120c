"""Series through `Preprocessing`, the one AR(1) policy, and fresh seeds.

The references cited by name are listed in `pycwt_mod.pipeline`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from ..options import ANOMALY_PERIODS, Preprocessing, ResolvedGrid
from ..preprocess import anomalies, check_gaps, detrend, fill_gaps, gap_mask, standardize
from ..significance import fit_ar1

__all__ = [
    "CancelCheck",
    "PreparedSeries",
    "ProgressCallback",
    "anomaly_period",
    "draw_seed",
    "prepare_pair",
    "prepare_series",
    "red_noise",
]

ProgressCallback = Callable[[int, int], None]
CancelCheck = Callable[[], bool]


def draw_seed() -> int:
    """A fresh root seed: 53 bits of entropy (exact in JSON numbers and netCDF doubles)."""
    return int(np.random.SeedSequence().generate_state(1, np.uint64)[0] >> np.uint64(11))


# ------------------------------------------------------------- preprocessing


@dataclass(frozen=True)
class PreparedSeries:
    """A series after `Preprocessing`, ready for the transform.

    Attributes
    ----------
    values : (n,) float64 ndarray
        Finite (gaps filled when ``gaps="mask"``).
    missing : (n,) bool ndarray
        True where a sample was missing.
    steps : str
        What was done, e.g. ``"anomalies=12; detrend=linear; normalize=yes; gaps=raise"``.
    """

    values: np.ndarray
    missing: np.ndarray
    steps: str

    @property
    def n_missing(self) -> int:
        """Number of missing samples."""
        return int(np.count_nonzero(self.missing))


def anomaly_period(pre: Preprocessing, dt: float | None, unit: str = "") -> int | None:
    """Samples per seasonal cycle of ``pre.anomalies`` (``"auto"`` read from the time axis).

    Raises
    ------
    ValueError
        ``"auto"`` without monthly or quarterly dates.
    """
    if pre.anomalies != "auto":
        return pre.anomalies
    step = None if dt is None else (dt if unit == "year" else dt / 12 if unit == "month" else None)
    for length, period in ANOMALY_PERIODS.items():
        if step is not None and np.isclose(step, length, rtol=1e-9, atol=0):
            return period
    raise ValueError(
        "`anomalies='auto'` needs monthly or quarterly dates (it reads the seasonal cycle "
        f"from the calendar; got dt={dt!r} {unit}). Give the samples per cycle instead, "
        "e.g. anomalies=12 for monthly data"
    )


def _finite(data, name: str) -> np.ndarray:
    """``data`` as a 1-D float array of 2+ samples with no infinity (NaN allowed)."""
    try:
        x = np.asarray(data, dtype=float)
    except (TypeError, ValueError) as exc:
        raise ValueError(f"`{name}` must be a 1-D sequence of numbers ({exc})") from None
    if x.ndim != 1:
        raise ValueError(f"`{name}` must be 1-D (got an array of shape {x.shape})")
    if x.size < 2:
        raise ValueError(f"`{name}` must have at least 2 samples (got {x.size})")
    inf = np.flatnonzero(np.isinf(x))
    if inf.size:
        i = int(inf[0])
        raise ValueError(
            f"`{name}` holds {inf.size} infinite value(s); the first is at index {i} "
            f"(value {float(x[i])}). Replace them with numbers, or with NaN to mark a gap"
        )
    return x


def _steps(pre: Preprocessing, period: int | None, standardized: bool, n_missing: int) -> str:
    parts = [f"anomalies={period}"] if period is not None else []
    parts += [f"detrend={pre.detrend}", f"normalize={'yes' if standardized else 'no'}"]
    gaps = f"gaps={pre.gaps}"
    if pre.gaps == "mask":
        gaps += f" (fill={pre.fill}, {n_missing} missing sample(s) masked)"
    return "; ".join([*parts, gaps])


def prepare_series(
    data,
    pre: Preprocessing | None = None,
    name: str = "data",
    *,
    dt: float | None = None,
    unit: str = "",
    labels=None,
    standardize_now: bool | None = None,
) -> PreparedSeries:
    """One series through `Preprocessing`: anomalies, detrend, normalize, gaps.

    Parameters
    ----------
    data : (n,) array_like
        The series; NaN marks a missing sample.
    pre : Preprocessing
    name : str
        The field as the user sent it (``data``, ``data1``, ``a``...), quoted in errors.
    dt, unit : optional
        The spacing and its unit, for ``anomalies="auto"``.
    labels : (n,) array_like, optional
        Time labels, quoted in the message about the first gap.
    standardize_now : bool, optional
        Standardise here (default ``pre.normalize``); the cross analyses pass False
        and let the transform standardise, as pycwt's ``normalize`` does.

    Returns
    -------
    PreparedSeries

    Raises
    ------
    ValueError
        Naming ``name`` and the first bad value.
    """
    pre = Preprocessing() if pre is None else pre
    x = _finite(data, name)
    missing = np.isnan(x)
    if pre.gaps == "raise":
        check_gaps(x, name, labels)
    elif np.count_nonzero(~missing) < 2:
        raise ValueError(f"`{name}` must have at least 2 valid samples to fill its gaps")
    period = anomaly_period(pre, dt, unit)
    if period is not None:
        x = anomalies(x, period)
    x = detrend(x, pre.detrend)
    standardized = pre.normalize if standardize_now is None else standardize_now
    if standardized:
        try:
            x = standardize(x)
        except ValueError:
            raise ValueError(
                f"cannot normalize `{name}`: it is constant (standard deviation 0)"
            ) from None
    if pre.gaps == "mask":
        x = fill_gaps(x, pre.fill)
    steps = _steps(pre, period, pre.normalize, int(missing.sum()))
    return PreparedSeries(x, missing, steps)


def prepare_pair(
    data1,
    data2,
    pre: Preprocessing | None = None,
    names: tuple[str, str] = ("data1", "data2"),
    **kwargs,
) -> tuple[PreparedSeries, PreparedSeries]:
    """`prepare_series` of two series of one time axis (not standardised here).

    Raises
    ------
    ValueError
        As `prepare_series`, and for series of different lengths.
    """
    pre = Preprocessing() if pre is None else pre
    p1 = prepare_series(data1, pre, names[0], standardize_now=False, **kwargs)
    p2 = prepare_series(data2, pre, names[1], standardize_now=False, **kwargs)
    if p1.values.size != p2.values.size:
        raise ValueError(
            f"`{names[0]}` and `{names[1]}` must have the same length (got "
            f"{p1.values.size} and {p2.values.size}); resample or trim them onto a common "
            "time axis first"
        )
    return p1, p2


def red_noise(
    series: tuple[np.ndarray, ...],
    given: tuple[float | None, ...],
    names: tuple[str, ...] = ("data1", "data2"),
) -> tuple[tuple[float, ...], tuple[str, ...]]:
    """Lag-1 coefficients of the series' red-noise models, and the fallback warnings.

    A coefficient given (``al1``/``al2``) wins; otherwise `fit_ar1` of the series.
    """
    out, warnings = [], []
    for y, g, name in zip(series, given, names, strict=True):
        if g is None:
            g, warning = fit_ar1(y, name)
            if warning:
                warnings.append(warning)
        out.append(float(g))
    return tuple(out), tuple(warnings)


def _gap_mask(missing: np.ndarray, freqs: np.ndarray, grid: ResolvedGrid) -> np.ndarray:
    return gap_mask(missing, 1 / np.asarray(freqs), grid.dt, grid.mother)
