"""Each analysis assembled once: series + options -> a typed result.

Every door (the labelled API, the HTTP deployments, significance jobs, batch, the
CLI) calls these functions, so the same series, options and seed give the same
bits through all of them. They only translate: read their input, call a function
here, shape its result.

=====================  =====================================================
`prepare_series`       one series through `Preprocessing` (anomalies, detrend,
                       normalize, gaps), validated with the field's name
`prepare_pair`         two series of one time axis
`red_noise`            each series' AR(1) coefficient, one policy (`fit_ar1`)
`analyze_cwt`          transform, gap mask, chi-square power test, areawise test
`analyze_xwt`          cross wavelet transform
`analyze_wct`          coherence, Monte Carlo thresholds, areawise masks
`coherence_thresholds` the Monte Carlo stage of `analyze_wct` alone (jobs)
=====================  =====================================================

References
----------
.. [1] Torrence, C. and Compo, G. P. (1998). A practical guide to wavelet analysis.
   BAMS, 79, 61-78.
.. [2] Grinsted, A., Moore, J. C. and Jevrejeva, S. (2004). Application of the cross
   wavelet transform and wavelet coherence to geophysical time series. Nonlin.
   Processes Geophys., 11, 561-566.
"""

from __future__ import annotations

import time as _time
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np

from .areawise import AreawiseResult, areawise_coherence, areawise_power, threshold_levels
from .coherence import wct
from .montecarlo import wct_significance
from .options import ANOMALY_PERIODS, Areawise, MonteCarlo, Preprocessing, ResolvedGrid, ScaleGrid
from .preprocess import anomalies, check_gaps, detrend, fill_gaps, gap_mask, standardize
from .significance import fit_ar1, significance
from .transform import cwt, xwt

__all__ = [
    "CWTAnalysis",
    "PreparedSeries",
    "Thresholds",
    "WCTAnalysis",
    "XWTAnalysis",
    "analyze_cwt",
    "analyze_wct",
    "analyze_xwt",
    "anomaly_period",
    "coherence_thresholds",
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


# ---------------------------------------------------------------------- CWT


@dataclass
class CWTAnalysis:
    """Result of `analyze_cwt`.

    Attributes
    ----------
    wave : (n_scales, n) complex ndarray
    scales, freqs : (n_scales,) ndarray
    coi : (n,) ndarray
        Cone of influence, in periods.
    fft, fftfreqs : ndarray
        The series' FFT and its frequencies, as `pycwt_mod.cwt` returns them.
    grid : ResolvedGrid
    series : PreparedSeries
    gap_mask : (n_scales, n) bool ndarray
        True within the wavelet's e-folding time of a gap ([1]_ sec. 3g).
    variance, ar1 : float or None
        Of the valid samples, with a power test.
    sig95 : (n_scales,) ndarray or None
        Red-noise power level at ``significance_level`` ([1]_ eq. 18), with a power test.
    significance_level : float or None
    warnings : tuple of str
    areawise : AreawiseResult or None
        The areawise test, when asked.
    elapsed_s : float
    """

    wave: np.ndarray
    scales: np.ndarray
    freqs: np.ndarray
    coi: np.ndarray
    fft: np.ndarray
    fftfreqs: np.ndarray
    grid: ResolvedGrid
    series: PreparedSeries
    gap_mask: np.ndarray
    variance: float | None = None
    ar1: float | None = None
    sig95: np.ndarray | None = None
    significance_level: float | None = None
    warnings: tuple[str, ...] = ()
    areawise: AreawiseResult | None = None
    elapsed_s: float = 0.0

    @property
    def power(self) -> np.ndarray:
        """``|wave|**2``, (n_scales, n)."""
        return np.abs(self.wave) ** 2


def analyze_cwt(
    data,
    grid: ScaleGrid,
    pre: Preprocessing | None = None,
    *,
    significance_level: float | None = None,
    ar1: float | None = None,
    monte_carlo: MonteCarlo | None = None,
    areawise: Areawise | None = None,
    workers: int | None = None,
    name: str = "data",
    unit: str = "",
    labels=None,
    progress_callback: ProgressCallback | None = None,
    cancel: CancelCheck | None = None,
) -> CWTAnalysis:
    """Continuous wavelet transform of one series, with its tests.

    Parameters
    ----------
    data : (n,) array_like
        The series (NaN marks a gap).
    grid : ScaleGrid
        With its ``dt`` (or the time axis gave it).
    pre : Preprocessing
    significance_level : float, optional
        Run the chi-square red-noise power test at this level ([1]_ eq. 18), against
        ``ar1`` or the fitted coefficient of the valid samples (`fit_ar1`).
    monte_carlo, areawise : optional
        Run the areawise test of the wavelet power (`pycwt_mod.areawise_power`)
        with these options (the Monte Carlo ``significance_level`` is its pointwise
        level).
    workers : int, optional
        Threads of scipy.fft.
    name, unit, labels
        The field's name, the time unit and labels (see `prepare_series`).
    progress_callback, cancel
        As in `pycwt_mod.wct_significance`, for the areawise test.

    Returns
    -------
    CWTAnalysis

    Raises
    ------
    ValueError
        Bad data or options, naming the field.
    """
    pre = Preprocessing() if pre is None else pre
    t0 = _time.perf_counter()
    series = prepare_series(data, pre, name, dt=grid.dt, unit=unit, labels=labels)
    rg = grid.resolve(series.values.size)
    W, scales, freqs, coi, fft, fftfreqs = cwt(
        series.values, rg.dt, rg.dj, rg.s0, rg.J, rg.mother, workers=workers
    )
    out = CWTAnalysis(
        W, scales, freqs, coi, fft, fftfreqs, rg, series, _gap_mask(series.missing, freqs, rg)
    )
    if significance_level is not None:
        valid = series.values[~series.missing]
        out.variance = float(valid.var())
        (out.ar1,), out.warnings = red_noise((valid,), (ar1,), (name,))
        sig, _ = significance(
            out.variance, rg.dt, scales, 0, out.ar1, significance_level=significance_level,
            wavelet=rg.mother,
        )  # fmt: skip
        out.sig95 = np.asarray(sig, dtype=float)
        out.significance_level = float(significance_level)
    if areawise is not None:
        mc = monte_carlo or MonteCarlo()
        out.areawise = areawise_power(
            series.values, rg.dt, rg.dj, rg.s0, rg.J, rg.mother,
            surrogate=mc.surrogate.name, significance_level=mc.significance_level,
            area_level=areawise.area_level, mc_count=mc.mc_count,
            seed=draw_seed() if mc.seed is None else mc.seed, area_measure=areawise.area_measure,
            area_test=areawise.area_test, backend=mc.backend, chunk_size=mc.chunk_size,
            cache=mc.cache, progress_callback=progress_callback, cancel=cancel,
        )  # fmt: skip
    out.elapsed_s = _time.perf_counter() - t0
    return out


# ---------------------------------------------------------------------- XWT


@dataclass
class XWTAnalysis:
    """Result of `analyze_xwt`.

    Attributes
    ----------
    xwt : (n_scales, n) complex ndarray
        ``W1 conj(W2)``; its angle is positive when the first series leads.
    coi : (n,) ndarray
    freqs, scales : (n_scales,) ndarray
    signif : (n_scales,) ndarray
        Cross power significant against two AR(1) backgrounds ([2]_ eq. 4).
    grid : ResolvedGrid
    series : (PreparedSeries, PreparedSeries)
    gap_mask : (n_scales, n) bool ndarray
        Gaps of either series.
    ar1 : (float, float)
        The backgrounds' lag-1 coefficients (`red_noise`).
    warnings : tuple of str
        Why a coefficient is the Yule-Walker fallback, if one is.
    elapsed_s : float
    """

    xwt: np.ndarray
    coi: np.ndarray
    freqs: np.ndarray
    scales: np.ndarray
    signif: np.ndarray
    grid: ResolvedGrid
    series: tuple[PreparedSeries, PreparedSeries]
    gap_mask: np.ndarray
    ar1: tuple[float, float] = (0.0, 0.0)
    warnings: tuple[str, ...] = ()
    elapsed_s: float = 0.0


def analyze_xwt(
    data1,
    data2,
    grid: ScaleGrid,
    pre: Preprocessing | None = None,
    *,
    significance_level: float = 0.95,
    names: tuple[str, str] = ("data1", "data2"),
    unit: str = "",
    labels=None,
) -> XWTAnalysis:
    """Cross wavelet transform of two series ([2]_ sec. 3).

    ``pre.normalize`` standardises both series in the transform (pycwt's
    ``normalize``); without it the cross power is in units of ``std1 * std2``.
    The red-noise backgrounds are `red_noise`'s (the one AR(1) policy).

    Returns
    -------
    XWTAnalysis
    """
    pre = Preprocessing() if pre is None else pre
    t0 = _time.perf_counter()
    p1, p2 = prepare_pair(data1, data2, pre, names, dt=grid.dt, unit=unit, labels=labels)
    rg = grid.resolve(p1.values.size)
    ar1, warnings = red_noise((p1.values, p2.values), (None, None), names)
    W12, coi, freqs, signif = xwt(
        p1.values, p2.values, rg.dt, rg.dj, rg.s0, rg.J, significance_level, rg.mother,
        pre.normalize, ar1=ar1,
    )  # fmt: skip
    mask = _gap_mask(p1.missing | p2.missing, freqs, rg)
    out = XWTAnalysis(
        W12, coi, freqs, rg.scales[: freqs.size], signif, rg, (p1, p2), mask, ar1, warnings
    )
    out.elapsed_s = _time.perf_counter() - t0
    return out


# ---------------------------------------------------------------------- WCT


@dataclass(frozen=True)
class Thresholds:
    """Monte Carlo coherence thresholds (`coherence_thresholds`).

    Attributes
    ----------
    rows : (L, n_scales) ndarray
        One row per level of ``levels``; row 0 is ``sig95``.
    levels : tuple of float
    seed : int
        The root seed used.
    backend : str
    ar1 : (float, float) or None
        The red-noise coefficients (None for data-driven families).
    warnings : tuple of str
    info : dict
        What `pycwt_mod.wct_significance` reported.
    """

    rows: np.ndarray
    levels: tuple[float, ...]
    seed: int
    backend: str
    ar1: tuple[float, float] | None
    warnings: tuple[str, ...]
    info: dict = field(default_factory=dict, compare=False)

    @property
    def sig95(self) -> np.ndarray:
        """The thresholds at the test's level, (n_scales,)."""
        return self.rows[0]


def coherence_thresholds(
    y1: np.ndarray,
    y2: np.ndarray,
    grid: ResolvedGrid,
    mc: MonteCarlo,
    areawise: Areawise | None = None,
    *,
    ar1: tuple[float, float] | None = None,
    warnings: tuple[str, ...] = (),
    names: tuple[str, str] = ("data1", "data2"),
    progress: bool = False,
    progress_callback: ProgressCallback | None = None,
    cancel: CancelCheck | None = None,
    backend=None,
) -> Thresholds:
    """The Monte Carlo coherence thresholds of a prepared pair ([2]_ sec. 4).

    Red noise of each series' AR(1) coefficient (``ar1`` when the caller has them,
    else ``mc.al1``/``mc.al2``, else `fit_ar1`), or surrogates of the series
    themselves for a data-driven ``mc.surrogate``. With ``areawise``, every level
    its test needs comes from the one histogram.

    Parameters
    ----------
    backend : str or MonteCarloBackend, optional
        Overrides ``mc.backend`` (a job passes its configured backend object).

    Returns
    -------
    Thresholds
    """
    family = mc.surrogate
    if family.fits_red_noise:
        if ar1 is None:
            ar1, warnings = red_noise((y1, y2), (mc.al1, mc.al2), names)
        a1, a2 = ar1
    else:  # the surrogates are drawn from the series: no red-noise model
        a1 = a2 = 0.0
        ar1, warnings = None, ()
    levels = (
        threshold_levels(areawise.area_test, mc.significance_level)
        if areawise is not None
        else (mc.significance_level,)
    )
    rows, info = wct_significance(
        a1, a2, grid.dt, grid.dj, grid.s0, grid.J, levels, grid.mother, mc.mc_count,
        progress=progress, cache=mc.cache,
        backend=mc.backend if backend is None else backend, seed=mc.seed,
        chunk_size=mc.chunk_size, return_info=True, surrogate=family.name,
        data=(y1, y2) if family.needs_data else None,
        progress_callback=progress_callback, cancel=cancel,
    )  # fmt: skip
    return Thresholds(
        np.atleast_2d(rows), tuple(levels), int(info["seed"]), str(info["backend"]),
        None if ar1 is None else (float(a1), float(a2)), tuple(warnings), info,
    )  # fmt: skip


@dataclass
class WCTAnalysis:
    """Result of `analyze_wct`.

    Attributes
    ----------
    WCT : (n_scales, n) ndarray
        Squared coherence ``R^2`` in [0, 1] ([2]_ eq. 5-6).
    aWCT : (n_scales, n) ndarray
        Phase of ``W1 conj(W2)``, radians (positive: the first series leads).
    coi : (n,) ndarray
    freqs, scales : (n_scales,) ndarray
    grid : ResolvedGrid
    series : (PreparedSeries, PreparedSeries)
    gap_mask : (n_scales, n) bool ndarray
    thresholds : Thresholds or None
        With a Monte Carlo test.
    monte_carlo : MonteCarlo or None
        The test's options, with the seed used.
    areawise : AreawiseResult or None
    elapsed_s : float
    """

    WCT: np.ndarray
    aWCT: np.ndarray
    coi: np.ndarray
    freqs: np.ndarray
    scales: np.ndarray
    grid: ResolvedGrid
    series: tuple[PreparedSeries, PreparedSeries]
    gap_mask: np.ndarray
    thresholds: Thresholds | None = None
    monte_carlo: MonteCarlo | None = None
    areawise: AreawiseResult | None = None
    elapsed_s: float = 0.0

    @property
    def sig95(self) -> np.ndarray | None:
        """Coherence threshold per scale at the test's level, or None."""
        return None if self.thresholds is None else self.thresholds.sig95


def analyze_wct(
    data1,
    data2,
    grid: ScaleGrid,
    pre: Preprocessing | None = None,
    *,
    monte_carlo: MonteCarlo | None = None,
    areawise: Areawise | None = None,
    names: tuple[str, str] = ("data1", "data2"),
    unit: str = "",
    labels=None,
    progress: bool = False,
    progress_callback: ProgressCallback | None = None,
    cancel: CancelCheck | None = None,
) -> WCTAnalysis:
    """Wavelet coherence of two series, with its Monte Carlo tests ([2]_).

    Parameters
    ----------
    data1, data2 : (n,) array_like
        Series of one time axis (NaN marks a gap).
    grid : ScaleGrid
    pre : Preprocessing
        ``normalize`` standardises the pair in the transform (pycwt's ``normalize``).
    monte_carlo : MonteCarlo, optional
        Compute the thresholds (`coherence_thresholds`).
    areawise : Areawise, optional
        Also the pointwise and areawise masks (`pycwt_mod.areawise_coherence`),
        from the same surrogates, count, seed, backend and cache (needs
        ``monte_carlo``; progress counts both passes).
    names, unit, labels
        As in `prepare_series`.
    progress, progress_callback, cancel
        As in `pycwt_mod.wct_significance`.

    Returns
    -------
    WCTAnalysis

    Raises
    ------
    ValueError
        Bad data or options, naming the field.
    """
    pre = Preprocessing() if pre is None else pre
    t0 = _time.perf_counter()
    if areawise is not None and monte_carlo is None:
        raise ValueError("the areawise test needs a Monte Carlo test (monte_carlo=MonteCarlo())")
    if areawise is not None and monte_carlo.mc_count < 2:
        raise ValueError(f"an areawise test needs mc_count >= 2 (got {monte_carlo.mc_count})")
    p1, p2 = prepare_pair(data1, data2, pre, names, dt=grid.dt, unit=unit, labels=labels)
    rg = grid.resolve(p1.values.size)
    y1, y2 = p1.values, p2.values
    WCT, aWCT, coi, freqs, _ = wct(
        y1, y2, rg.dt, rg.dj, rg.s0, rg.J, sig=False, wavelet=rg.mother, normalize=pre.normalize
    )
    out = WCTAnalysis(
        WCT,
        aWCT,
        coi,
        freqs,
        rg.scales,
        rg,
        (p1, p2),
        _gap_mask(p1.missing | p2.missing, freqs, rg),
    )
    if monte_carlo is not None:
        passes = 2 if areawise is not None else 1
        total = monte_carlo.mc_count * passes

        def pass_progress(k: int) -> ProgressCallback | None:
            if progress_callback is None:
                return None
            return lambda done, _n: progress_callback(k * monte_carlo.mc_count + done, total)

        thr = coherence_thresholds(
            y1, y2, rg, monte_carlo, areawise, names=names, progress=progress,
            progress_callback=pass_progress(0), cancel=cancel,
        )  # fmt: skip
        out.thresholds = thr
        out.monte_carlo = monte_carlo.with_seed(thr.seed)
        if areawise is not None:
            a1, a2 = thr.ar1 if thr.ar1 is not None else (None, None)
            out.areawise = areawise_coherence(
                y1, y2, rg.dt, rg.dj, rg.s0, rg.J, rg.mother, sig95=thr.rows,
                surrogate=monte_carlo.surrogate.name,
                significance_level=monte_carlo.significance_level,
                area_level=areawise.area_level, mc_count=monte_carlo.mc_count, seed=thr.seed,
                area_measure=areawise.area_measure, area_test=areawise.area_test, al1=a1, al2=a2,
                backend=monte_carlo.backend, chunk_size=monte_carlo.chunk_size,
                cache=monte_carlo.cache, progress_callback=pass_progress(1), cancel=cancel,
            )  # fmt: skip
    out.elapsed_s = _time.perf_counter() - t0
    return out
